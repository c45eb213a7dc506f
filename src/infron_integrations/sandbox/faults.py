"""Faults on demand.

A fault is chosen by the model id ``sandbox/fault-<kind>`` or by the request header
``x-infron-sandbox-fault: <kind>`` (the header wins). Kinds:

* ``400``, ``401``, ``402``, ``403``, ``404``, ``408``, ``413``, ``422``, ``429``, ``500``, ``502``,
  ``503``: that HTTP error in the documented shape. ``429`` carries ``Retry-After`` (default ``1`` second, overridable with
  the header ``x-infron-sandbox-retry-after``).
* ``fail-once:<status>`` / ``fail-twice:<status>``: fail with ``<status>`` the first one / two times
  a request with the same fault key is seen, then succeed. The key is the header
  ``x-infron-sandbox-fault-key`` or else a hash of the request body.
* ``error-in-200``: HTTP 200 whose choice has ``finish_reason: "error"`` and an ``error`` object.
* ``error-in-stream``: a stream with some content, then a chunk whose choice carries
  ``finish_reason: "error"`` and an ``error`` object, then ``[DONE]``.
* ``slow:<seconds>``: wait before answering (capped by ``SandboxConfig.max_slow_seconds``).
* ``drop-mid-stream``: send part of the response, then abort the connection.
* ``malformed-sse``: a stream containing a frame whose data is not valid JSON.
* ``empty-200``: HTTP 200 with empty content.

Other model ids of the form ``sandbox/fault-*`` answer like ``sandbox/echo`` otherwise (see
``catalog.py``).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import SandboxError, bad_request
from .state import SandboxState

FAULT_HEADER = "x-infron-sandbox-fault"
FAULT_KEY_HEADER = "x-infron-sandbox-fault-key"
RETRY_AFTER_HEADER = "x-infron-sandbox-retry-after"
DOWN_HEADER = "x-infron-sandbox-down"
MODEL_PREFIX = "sandbox/fault-"

STATUS_FAULTS = (400, 401, 402, 403, 404, 408, 413, 422, 429, 500, 502, 503)
STREAM_MODES = ("error-in-200", "error-in-stream", "drop-mid-stream", "malformed-sse", "empty-200")
FAULT_KINDS = (
    *(str(s) for s in STATUS_FAULTS),
    "fail-once:<status>",
    "fail-twice:<status>",
    *STREAM_MODES,
    "slow:<seconds>",
)

STATUS_MESSAGES = {
    400: "Bad Request (sandbox fault 400)",
    401: "Invalid credentials (sandbox fault 401)",
    402: "Insufficient credits (sandbox fault 402)",
    403: "Your input was flagged by moderation (sandbox fault 403)",
    404: "Model or route not found (sandbox fault 404)",
    408: "Your request timed out (sandbox fault 408)",
    413: "Request too large (sandbox fault 413)",
    422: "Invalid parameter value (sandbox fault 422)",
    429: "Rate limit exceeded (sandbox fault 429)",
    500: "Internal server error (sandbox fault 500)",
    502: "Upstream provider returned an invalid response (sandbox fault 502)",
    503: "No available model provider (sandbox fault 503)",
}


@dataclass(frozen=True)
class Fault:
    kind: str
    status: int | None = None
    seconds: float = 0.0
    failures: int = 0


def _status(text: str, source: str) -> int:
    if not text.isdigit() or int(text) not in STATUS_FAULTS:
        raise bad_request(
            f"Unknown fault status '{text}': expected one of "
            f"{', '.join(str(s) for s in STATUS_FAULTS)}.",
            source,
        )
    return int(text)


def parse_fault(spec: str, source: str = FAULT_HEADER) -> Fault:
    """Parse a fault name such as ``429``, ``fail-once:503`` or ``slow:2.5``."""
    spec = spec.strip().lower()
    if spec.isdigit():
        return Fault("status", status=_status(spec, source))
    if spec in STREAM_MODES:
        return Fault(spec)
    name, _, arg = spec.partition(":")
    if name in ("fail-once", "fail-twice"):
        return Fault(
            name, status=_status(arg or "503", source), failures=1 if name == "fail-once" else 2
        )
    if name == "slow":
        try:
            seconds = float(arg or "1")
        except ValueError:
            raise bad_request(
                f"Invalid slow fault '{spec}': expected slow:<seconds>.", source
            ) from None
        return Fault("slow", seconds=max(0.0, seconds))
    raise bad_request(f"Unknown sandbox fault '{spec}'. Known: {', '.join(FAULT_KINDS)}.", source)


def fault_from_request(headers: Mapping[str, str], model: object) -> Fault | None:
    header = headers.get(FAULT_HEADER)
    if header:
        return parse_fault(header)
    if isinstance(model, str) and model.lower().startswith(MODEL_PREFIX):
        spec = model[len(MODEL_PREFIX) :]
        try:
            return parse_fault(spec, "model")
        except SandboxError:
            return None
    return None


def status_error(status: int, headers: Mapping[str, str], note: str = "") -> SandboxError:
    extra: dict[str, str] = {}
    if status == 429:
        extra["Retry-After"] = headers.get(RETRY_AFTER_HEADER, "1")
    message = STATUS_MESSAGES.get(status, f"Sandbox fault {status}") + note
    return SandboxError(status, message, headers=extra)


async def apply_fault(
    fault: Fault | None,
    state: SandboxState,
    headers: Mapping[str, str],
    raw_body: bytes,
    path: str,
) -> str | None:
    """Raise for error faults, sleep for slow ones; returns a stream/body mode or ``None``."""
    if fault is None:
        return None
    if fault.kind == "status" and fault.status is not None:
        raise status_error(fault.status, headers)
    if fault.kind in ("fail-once", "fail-twice") and fault.status is not None:
        key = headers.get(FAULT_KEY_HEADER) or hashlib.sha256(raw_body).hexdigest()
        seen = state.count_fault(f"{fault.kind}:{fault.status}:{path}:{key}")
        if seen <= fault.failures:
            raise status_error(
                fault.status, headers, f" [attempt {seen} of {fault.failures} failing]"
            )
        return None
    if fault.kind == "slow":
        await asyncio.sleep(min(fault.seconds, state.config.max_slow_seconds))
        return None
    return fault.kind
