"""Typed requests and tolerant responses of the Batch API.

Docs: Batch (Create a message batch, Get status or results, Cancel) and the OpenAPI files
``batches-create-a-message-batch.json``, ``batches-batch-id-get-batch-status-or-results.json``
and ``batches-batch-id-cancel-cancel-a-specific-batch.json``.

Requests are validated before anything is sent: unknown fields are refused with a did-you-mean
(the way :mod:`.options` refuses them), ``custom_id`` must be unique. Responses are read into
models that keep every field they do not know. The docs show three shapes of a batch (the create
example wraps an OpenAI-style ``batch`` object with ``file`` and ``task_*`` fields; the create
schema is that object flat; the status schema is a flat task with ``batch_status``,
``completed_count``, ``cost`` as a string...) and say of a finished batch only that its results
come "in JSONL format": :class:`BatchInfo` reads all three (and Anthropic's ``message_batch``),
:class:`BatchResultItem` reads Anthropic message-batch result lines and OpenAI batch output lines.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import InfronAPIError, InfronConfigError, error_from_inband, error_from_response
from .options import CacheControl, ProviderPreferences, UsageAccounting, _format_validation, _Strict

if TYPE_CHECKING:
    from .usage import UsageRecord

__all__ = [
    "TERMINAL_STATES",
    "BatchInfo",
    "BatchRequest",
    "BatchResultItem",
    "BatchResults",
    "BatchState",
    "MessagesParams",
    "RequestCounts",
    "normalize_state",
    "parse_result_lines",
    "validate_requests",
]

BatchState: TypeAlias = Literal[
    "validating",
    "in_progress",
    "finalizing",
    "cancelling",
    "completed",
    "failed",
    "expired",
    "cancelled",
    "ended",
    "unknown",
]
ItemStatus: TypeAlias = Literal["succeeded", "errored", "canceled", "expired", "missing"]

#: States after which nothing changes any more.
TERMINAL_STATES = frozenset({"completed", "failed", "expired", "cancelled", "ended"})

#: Every status word seen in the docs (OpenAI batch statuses, the task statuses of the create
#: example, Anthropic's processing statuses) and common spellings, to the one vocabulary here.
_STATE_WORDS: dict[str, BatchState] = {
    "validating": "validating",
    "not_start": "validating",
    "queued": "validating",
    "pending": "validating",
    "in_progress": "in_progress",
    "running": "in_progress",
    "processing": "in_progress",
    "finalizing": "finalizing",
    "cancelling": "cancelling",
    "canceling": "cancelling",
    "completed": "completed",
    "succeeded": "completed",
    "success": "completed",
    "finished": "completed",
    "failed": "failed",
    "failure": "failed",
    "expired": "expired",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "ended": "ended",
}


def normalize_state(raw: Any) -> BatchState:
    """One of :data:`BatchState` for a status word as the gateway wrote it (``unknown`` if new)."""
    key = str(raw or "").strip().lower().replace("-", "_").replace(" ", "_")
    return _STATE_WORDS.get(key, "unknown")


# --- requests -----------------------------------------------------------------------------------


class ThinkingParam(_Strict):
    """``thinking`` of a Messages request."""

    type: Literal["enabled", "disabled", "adaptive"]
    budget_tokens: int | None = Field(default=None, gt=0, strict=True)

    @model_validator(mode="after")
    def _budget(self) -> ThinkingParam:
        if self.type == "enabled" and self.budget_tokens is None:
            raise ValueError("thinking type 'enabled' needs budget_tokens")
        return self


class MessageParam(_Strict):
    """One turn of ``messages``: ``role`` and a string or a list of content blocks."""

    role: Literal["user", "assistant"]
    content: str | list[dict[str, Any]]


class MessagesParams(_Strict):
    """The ``params`` of one batch request: a Messages-API body (docs: Batch; Messages API).

    The documented fields, plus Infron's ``provider`` and ``usage``; ``stream`` is refused
    (a batch request is never streamed).
    """

    model: str = Field(min_length=1)
    max_tokens: int = Field(gt=0, strict=True)
    messages: list[MessageParam] = Field(min_length=1)
    system: str | list[dict[str, Any]] | None = None
    metadata: dict[str, Any] | None = None
    stop_sequences: list[str] | None = None
    temperature: float | None = Field(default=None, ge=0)
    top_p: float | None = Field(default=None, ge=0, le=1)
    top_k: int | None = Field(default=None, gt=0)
    tools: list[dict[str, Any]] | None = None
    tool_choice: dict[str, Any] | None = None
    thinking: ThinkingParam | None = None
    service_tier: str | None = None
    output_config: dict[str, Any] | None = None
    cache_control: CacheControl | None = None
    context_management: dict[str, Any] | None = None
    provider: ProviderPreferences | None = None
    usage: UsageAccounting | None = None


class BatchRequest(_Strict):
    """One entry of ``requests``: a ``custom_id`` unique in its batch and the ``params``."""

    custom_id: str = Field(min_length=1, max_length=512)
    params: MessagesParams


def validate_requests(requests: Iterable[BatchRequest | Mapping[str, Any]]) -> list[BatchRequest]:
    """Validate every request before anything is sent.

    Raises:
        InfronConfigError: naming the request (index and ``custom_id``) and the bad field, e.g.
            ``requests[3] ('q-3'): params.max_tokenz: unknown field ... Did you mean
            'max_tokens'?``; or a repeated ``custom_id``; or an empty list.
    """
    out: list[BatchRequest] = []
    seen: dict[str, int] = {}
    for index, request in enumerate(requests):
        if not isinstance(request, BatchRequest):
            try:
                request = BatchRequest.model_validate(request)
            except ValidationError as exc:
                name = request.get("custom_id") if isinstance(request, Mapping) else None
                which = f" {name!r}" if name else ""
                raise InfronConfigError(
                    f"Invalid batch request{which}: "
                    f"{_format_validation(exc, f'requests[{index}]')} "
                    "(docs: Batch, Create a message batch)"
                ) from None
        first = seen.setdefault(request.custom_id, index)
        if first != index:
            raise InfronConfigError(
                f"custom_id {request.custom_id!r} is used by requests[{first}] and "
                f"requests[{index}]; every request of a batch needs its own custom_id."
            )
        out.append(request)
    if not out:
        raise InfronConfigError("A batch needs at least one request.")
    return out


# --- batch status -------------------------------------------------------------------------------


class _Wire(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, (float, str)):
        try:
            return int(float(value))
        except ValueError:
            return None
    return None


def _float(value: Any) -> float | None:
    # the status schema sends cost as a string; "" means not reported
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


class RequestCounts(_Wire):
    """How many requests there are and how many have ended (well or not)."""

    total: int = 0
    completed: int = 0
    failed: int = 0

    @property
    def done(self) -> int:
        return self.completed + self.failed


def _counts(flat: Mapping[str, Any]) -> dict[str, Any]:
    raw = flat.get("request_counts")
    if isinstance(raw, Mapping) and "succeeded" in raw:  # Anthropic's message_batch

        def n(key: str) -> int:
            return _int(raw.get(key)) or 0

        failed = n("errored") + n("canceled") + n("expired")
        total = n("processing") + n("succeeded") + failed
        return {**raw, "total": total, "completed": n("succeeded"), "failed": failed}
    if isinstance(raw, Mapping):
        return dict(raw)
    return {
        "total": _int(flat.get("total_requests")) or 0,
        "completed": _int(flat.get("completed_count")) or 0,
        "failed": _int(flat.get("failed_count")) or 0,
    }


class BatchInfo(_Wire):
    """A batch's status, whichever documented shape it came in; unknown fields are kept.

    Attributes:
        id: the batch id (``id`` or ``batch_id``).
        state: the status in one vocabulary (:data:`BatchState`); ``status`` keeps the
            gateway's own word, ``batch_status`` / ``processing_status`` too when sent.
        request_counts: total / completed / failed.
        cost: the batch's cost in USD when the gateway reports one (``None`` otherwise).
    """

    id: str
    state: BatchState = "unknown"
    status: str | None = None
    request_counts: RequestCounts = Field(default_factory=RequestCounts)
    cost: float | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None
    result_url: str | None = None
    errors: Any = None

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        inner = data.get("batch")
        flat: dict[str, Any] = dict(inner) if isinstance(inner, Mapping) else {}
        for key, value in data.items():
            if key != "batch" or not isinstance(inner, Mapping):
                flat.setdefault(key, value)  # the envelope's file / task_* fields are kept
        flat["id"] = flat.get("id") or flat.get("batch_id") or ""
        # the status schema has both: batch_status is the batch's, status may be the task's
        raw = flat.get("batch_status") or flat.get("processing_status") or flat.get("status")
        if "state" not in flat or not flat.get("state"):
            flat["state"] = normalize_state(raw)
        if flat.get("status") is not None and not isinstance(flat["status"], str):
            flat["status"] = str(flat["status"])
        flat["request_counts"] = _counts(flat)
        flat["cost"] = _float(flat.get("cost"))
        for key in ("prompt_tokens", "completion_tokens", "total_tokens"):
            flat[key] = _int(flat.get(key))
        url = flat.get("result_url") or flat.get("results_url")
        flat["result_url"] = url if isinstance(url, str) and url else None
        return flat

    @property
    def done(self) -> bool:
        """Whether the batch has reached a terminal state."""
        return self.state in TERMINAL_STATES

    @property
    def fraction(self) -> float:
        """Share of the requests that have ended, 0 to 1 (0 while the total is unknown)."""
        counts = self.request_counts
        return min(1.0, counts.done / counts.total) if counts.total else 0.0


# --- results ------------------------------------------------------------------------------------


def _inband_error(body: Mapping[str, Any]) -> dict[str, Any] | None:
    top = body.get("error")
    if isinstance(top, Mapping):
        return dict(top)
    if body.get("stop_reason") == "error":
        return {"message": "the model reported an error"}
    for choice in body.get("choices") or ():
        if isinstance(choice, Mapping) and (
            isinstance(choice.get("error"), Mapping) or choice.get("finish_reason") == "error"
        ):
            error = choice.get("error")
            return dict(error) if isinstance(error, Mapping) else {}
    return None


class BatchResultItem(_Wire):
    """The result of one request, read from an Anthropic or an OpenAI result line.

    Attributes:
        custom_id: which request it answers.
        status: ``succeeded``, ``errored``, ``canceled``, ``expired``, or ``missing`` (no line).
        body: the answer as sent (a Messages answer or a chat completion).
        error: the error object as sent.
        status_code: the HTTP status of the request, when the line says it.
        line: the whole line as received (nothing is dropped).
    """

    custom_id: str
    status: ItemStatus
    body: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    status_code: int | None = None
    request_id: str | None = None
    line: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def from_line(cls, line: Mapping[str, Any]) -> BatchResultItem:
        """Read one result line (see the module docstring for the shapes)."""
        status: ItemStatus = "errored"
        body: Any = None
        error: Any = None
        code: int | None = None
        request_id: Any = line.get("request_id")
        result = line.get("result")
        if isinstance(result, Mapping):  # Anthropic message-batch result
            kind = str(result.get("type") or "")
            body, error = result.get("message"), result.get("error")
            if kind == "succeeded":
                status = "succeeded"
            elif kind in ("canceled", "cancelled", "expired"):
                status = "expired" if kind == "expired" else "canceled"
            elif kind != "errored":
                error = {"message": f"unknown result type {kind!r}", "type": kind or None}
        elif "response" in line or "error" in line:  # OpenAI batch output line
            raw_response = line.get("response")
            response: Mapping[str, Any] = raw_response if isinstance(raw_response, Mapping) else {}
            body, error = response.get("body"), line.get("error")
            code = _int(response.get("status_code"))
            request_id = response.get("request_id") or request_id
            if isinstance(error, Mapping) and error:
                word = str(error.get("code") or "")
                if "expired" in word:
                    status = "expired"
                elif "cancel" in word:
                    status = "canceled"
            elif code is not None and code >= 400:
                inner = body.get("error") if isinstance(body, Mapping) else None
                error = inner if isinstance(inner, Mapping) else {"message": str(body)}
            else:
                status = "succeeded" if isinstance(body, Mapping) else "errored"
        elif "choices" in line or line.get("type") == "message":  # a bare answer
            status, body = "succeeded", {k: v for k, v in line.items() if k != "custom_id"}
        if status == "succeeded":
            inband = _inband_error(body) if isinstance(body, Mapping) else None
            if inband is not None:
                status, error = "errored", inband
        if status == "errored" and not isinstance(error, Mapping):
            error = {"message": "the result line carries neither an answer nor an error"}
        if isinstance(body, Mapping):
            request_id = request_id or body.get("request_id")
        return cls(
            custom_id=str(line.get("custom_id") or ""),
            status=status,
            body=dict(body) if isinstance(body, Mapping) else None,
            error=dict(error) if isinstance(error, Mapping) else None,
            status_code=code,
            request_id=request_id if isinstance(request_id, str) else None,
            line=dict(line),
        )

    @classmethod
    def missing(cls, custom_id: str) -> BatchResultItem:
        """The item for a request the results do not mention."""
        return cls(custom_id=custom_id, status="missing")

    def completion(self) -> dict[str, Any] | None:
        """The answer as a chat completion (a Messages answer is converted), or None."""
        if self.status != "succeeded" or self.body is None:
            return None
        from .messages_shape import chat_completion_from_message

        out = chat_completion_from_message(self.body)
        out["cost"] = _float(out.get("cost"))
        if self.request_id and not out.get("request_id"):
            out["request_id"] = self.request_id
        return out

    @property
    def cost(self) -> float | None:
        """The gateway's cost of this request (None when it reported none)."""
        if self.body is None:
            return None
        cost = _float(self.body.get("cost"))
        usage = self.body.get("usage")
        if cost is None and isinstance(usage, Mapping):
            cost = _float(usage.get("cost"))
        return cost

    def exception(self) -> InfronAPIError | None:
        """The error of a request that did not succeed, in the core hierarchy (None if it did).

        An error with an HTTP status goes through :func:`error_from_response`, one without
        through :func:`error_from_inband` (its ``code`` picks the class when it is a status);
        a canceled, expired or missing request is an :class:`InfronAPIError` whose ``type`` is
        that word.
        """
        if self.status == "succeeded":
            return None
        rid = self.request_id
        if self.status in ("canceled", "expired", "missing"):
            why = {
                "canceled": "the batch was cancelled before it ran",
                "expired": "the batch expired before it ran",
                "missing": "the results have no line for it",
            }[self.status]
            return InfronAPIError(
                f"request {self.custom_id!r} has no answer: {why}; submit it again",
                type=self.status,
                request_id=rid,
                body=self.line or None,
                in_band=True,
            )
        error = self.error or {}
        if self.status_code is not None and self.status_code >= 400:
            headers = {"x-request-id": rid} if rid else None
            return error_from_response(self.status_code, {"error": error}, headers)
        inner = error.get("error")  # Anthropic wraps it: {"type": "error", "error": {...}}
        found = inner if isinstance(inner, Mapping) else error
        rid = rid or (error.get("request_id") if isinstance(error.get("request_id"), str) else None)
        return error_from_inband(found, request_id=rid, body=self.line or None)

    def usage_record(self, *, framework: str | None = None) -> UsageRecord | None:
        """The usage and gateway cost of a succeeded request (``kind="batch"``)."""
        completion = self.completion()
        if completion is None:
            return None
        from .usage import UsageRecord

        return UsageRecord.from_response(completion, kind="batch", framework=framework)


def parse_result_lines(text: str) -> tuple[list[BatchResultItem], list[str]]:
    """Result items from a JSONL body (or a JSON array), and the lines that could not be read."""
    stripped = text.strip()
    rows: list[Any]
    if stripped.startswith("["):
        try:
            rows = list(json.loads(stripped))
        except ValueError:
            rows = stripped.splitlines()
    else:
        rows = stripped.splitlines()
    items: list[BatchResultItem] = []
    unreadable: list[str] = []
    for row in rows:
        value = row
        if isinstance(row, str):
            if not row.strip():
                continue
            try:
                value = json.loads(row)
            except ValueError:
                unreadable.append(row)
                continue
        if isinstance(value, Mapping) and value.get("custom_id"):
            items.append(BatchResultItem.from_line(value))
        else:
            unreadable.append(row if isinstance(row, str) else json.dumps(row))
    return items, unreadable


@dataclass
class BatchResults:
    """Every result of one batch: in input order when the ``custom_id``\\ s are known.

    Attributes:
        batch_id: the batch.
        items: one :class:`BatchResultItem` per request.
        info: the last status seen, if any (its ``cost`` is the batch-level figure).
        unreadable: result lines that were not JSON objects with a ``custom_id`` (kept verbatim).
    """

    batch_id: str
    items: list[BatchResultItem]
    info: BatchInfo | None = None
    unreadable: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[BatchResultItem]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def get(self, custom_id: str) -> BatchResultItem | None:
        """The item for ``custom_id``."""
        return next((item for item in self.items if item.custom_id == custom_id), None)

    def ordered(self, custom_ids: Sequence[str]) -> BatchResults:
        """The items in the order of ``custom_ids``; an id without a line gets a ``missing`` item.

        Lines for ids not in the list are kept after them (nothing the gateway sent is dropped).
        """
        by_id = {item.custom_id: item for item in self.items}
        items = [
            by_id.pop(cid) if cid in by_id else BatchResultItem.missing(cid) for cid in custom_ids
        ]
        return replace(self, items=[*items, *by_id.values()])

    @property
    def succeeded(self) -> list[BatchResultItem]:
        return [item for item in self.items if item.status == "succeeded"]

    @property
    def failed(self) -> list[BatchResultItem]:
        return [item for item in self.items if item.status != "succeeded"]

    @property
    def total_cost(self) -> float | None:
        """The gateway's cost of the batch in USD.

        The exact sum of the answers' costs when every answer reports one; else the batch-level
        ``cost`` of the status, when reported; else None (unknown, never estimated).
        """
        costs = [item.cost for item in self.succeeded]
        if costs and all(cost is not None for cost in costs):
            return float(sum((Decimal(repr(c)) for c in costs if c is not None), Decimal(0)))
        if self.info is not None and self.info.cost is not None:
            return self.info.cost
        return None if costs else 0.0

    def usage_records(self, *, framework: str | None = None) -> list[UsageRecord]:
        """What this batch adds to a usage tracker (see docs/batch.md, "Cost").

        One record per succeeded request, with its own cost. When no answer reports a cost but
        the batch status does, one record for the whole batch carries that figure instead (the
        gateway's total, with the summed tokens), so nothing is counted twice and nothing is
        estimated.
        """
        from .usage import UsageRecord

        records = [r for r in (i.usage_record(framework=framework) for i in self.succeeded) if r]
        batch_cost = self.info.cost if self.info is not None else None
        if batch_cost is None or any(r.cost is not None for r in records):
            return records
        total = sum(records[1:], records[0]) if records else UsageRecord(requests=0)
        return [
            replace(
                total,
                cost=batch_cost,
                kind="batch",
                framework=framework,
                request_id=None,
                unknown_cost_requests=0,
            )
        ]
