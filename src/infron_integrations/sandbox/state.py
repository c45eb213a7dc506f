"""The mutable state of one sandbox app: request log, cache, faults, balances and scripts."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Union

from .caching import PromptCache
from .config import SandboxConfig

REDACTED = "***"
SECRET_HEADERS = ("authorization", "x-api-key", "proxy-authorization", "cookie")


@dataclass
class RecordedRequest:
    """One request as received by the sandbox."""

    method: str
    path: str
    headers: dict[str, str]
    """Lower-cased header names; ``authorization``/``x-api-key`` values are ``"***"``."""
    body: Any
    """The parsed JSON body (``None`` for GET, the raw text when it was not valid JSON)."""
    status: int | None = None
    """The response status (``None`` while the response is being produced)."""
    query: str = ""
    request_id: str = ""

    @property
    def model(self) -> str | None:
        return self.body.get("model") if isinstance(self.body, dict) else None

    @property
    def json(self) -> Any:
        return self.body


@dataclass(frozen=True)
class ScriptedError:
    """A scripted error answered in the documented shape with HTTP ``status``."""

    status: int
    message: str = "Scripted error"
    headers: dict[str, str] = field(default_factory=dict)
    type: str | None = None
    param: str | None = None


ScriptedResponse = Union[dict[str, Any], list[dict[str, Any]], ScriptedError]  # noqa: UP007


@dataclass
class _Script:
    response: ScriptedResponse
    path: str
    model: str | None
    remaining: int


def redact_headers(headers: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in headers.items():
        name = key.lower()
        out[name] = REDACTED if name in SECRET_HEADERS else value
    return out


class SandboxState:
    """Everything a sandbox remembers. Owned by the app (``app.state.sandbox``); thread-safe."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        self.cache = PromptCache()
        self._lock = threading.RLock()
        self._log: deque[RecordedRequest] = deque(maxlen=self.config.max_log_entries)
        self._scripts: list[_Script] = []
        self.fault_counts: dict[str, int] = {}
        self.down_providers: set[str] = set()
        self._spent: dict[str, Decimal] = {}
        #: what each request was charged, by request id (a load test matches answers to charges)
        self._charges: dict[str, Decimal] = {}

    # -- request log -------------------------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of the request log, oldest first."""
        with self._lock:
            return list(self._log)

    def record(self, entry: RecordedRequest) -> RecordedRequest:
        with self._lock:
            self._log.append(entry)
        return entry

    def last_request(self, path: str | None = None) -> RecordedRequest | None:
        """The most recent request (to ``path``, e.g. ``"/v1/chat/completions"``, if given)."""
        with self._lock:
            for entry in reversed(self._log):
                if path is None or entry.path == path or entry.path.endswith(path):
                    return entry
        return None

    # -- scripting ---------------------------------------------------------------------------
    def script(
        self,
        response: ScriptedResponse,
        *,
        path: str = "/v1/chat/completions",
        model: str | None = None,
        times: int = 1,
    ) -> None:
        """Queue an exact response for the next ``times`` matching requests.

        ``response`` is a body dict (sent as JSON, or converted into a stream when the request
        has ``stream: true``), a list of stream chunk dicts (always sent as an SSE stream) or a
        :class:`ScriptedError`. ``path`` selects the endpoint and ``model`` (if given) the
        request's model. Scripts are consumed first-in first-out before model behaviour applies.
        """
        if times < 1:
            raise ValueError("times must be >= 1")
        if not path.startswith("/"):
            path = "/" + path
        if not path.startswith("/v1/") and path != "/health":
            path = "/v1" + path
        with self._lock:
            self._scripts.append(_Script(response, path, model, times))

    def take_script(self, path: str, model: str | None) -> ScriptedResponse | None:
        with self._lock:
            for i, item in enumerate(self._scripts):
                if item.path == path and (item.model is None or item.model == model):
                    item.remaining -= 1
                    if item.remaining <= 0:
                        del self._scripts[i]
                    return item.response
        return None

    @property
    def pending_scripts(self) -> int:
        with self._lock:
            return sum(s.remaining for s in self._scripts)

    # -- faults and routing ------------------------------------------------------------------
    def count_fault(self, key: str) -> int:
        """Increment and return how often ``key`` has been seen (1 on the first time)."""
        with self._lock:
            self.fault_counts[key] = self.fault_counts.get(key, 0) + 1
            return self.fault_counts[key]

    def set_down(self, *providers: str) -> None:
        """Mark upstream providers as down (replaces the previous set; no argument clears)."""
        with self._lock:
            self.down_providers = {p.strip().lower() for p in providers if p.strip()}

    # -- balance -----------------------------------------------------------------------------
    def balance(self, api_key: str) -> Decimal:
        if api_key in self.config.out_of_credit_keys:
            return Decimal(0)
        with self._lock:
            return Decimal(repr(self.config.initial_balance)) - self._spent.get(api_key, Decimal(0))

    def charge(self, api_key: str, amount: Decimal, request_id: str = "") -> None:
        with self._lock:
            self._spent[api_key] = self._spent.get(api_key, Decimal(0)) + amount
            if request_id:
                self._charges[request_id] = self._charges.get(request_id, Decimal(0)) + amount

    def charges(self) -> dict[str, Decimal]:
        """What each request was charged, by request id (requests that charged nothing absent)."""
        with self._lock:
            return dict(self._charges)

    # -- reset -------------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget everything: log, cache, fault counters, balances, scripts and downtime."""
        with self._lock:
            self._log.clear()
            self._scripts.clear()
            self.fault_counts.clear()
            self.down_providers = set()
            self._spent.clear()
            self._charges.clear()
        self.cache.clear()
