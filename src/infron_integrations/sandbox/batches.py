"""The sandbox's Batch API: the lifecycle on a clock a test can speed up, 50% prices, faults.

Docs: Batch. Routes: ``POST /v1/batches`` (answers with the docs' create example: a ``batch``
object inside an envelope with ``file`` and ``task_*`` fields), ``GET /v1/batches/{id}`` (while
the batch runs, or when it failed: the status schema of
``batches-batch-id-get-batch-status-or-results.json``, ``cost`` as a string; once it has ended:
the results as JSONL, one line per request in input order), ``POST /v1/batches/{id}/cancel``
(the ``batch`` object; an empty body is accepted, as in the docs' example) and
``GET /v1/batches/{id}/results`` (the JSONL, for the ``results-url`` directive). Each route
answers what ``state.script(response, path=<its path>)`` queued first, if anything (a dict as
JSON, a list of dicts as JSONL lines), so tests can replay other documented shapes.

Lifecycle, in sandbox seconds since creation: ``validating`` for :data:`VALIDATE_SECONDS`, then
``in_progress`` while the requests run one after another (:data:`ITEM_SECONDS` each), then
``finalizing`` for :data:`FINALIZE_SECONDS`, then ``completed``. A cancel moves it to
``cancelling`` for :data:`CANCEL_SECONDS`, then ``cancelled``: answers produced before the cancel
are kept, the rest are ``canceled`` lines. A batch still running at the end of its 24-hour window
(or of ``expire-after``) is ``expired`` the same way. A batch whose every request is invalid (or
with the ``fail`` directive) is ``failed`` after validation, with ``errors``.

Each request runs like ``POST /v1/messages`` at 50% of the standard price (:mod:`.batch_requests`).
A request that fails (invalid params, a ``sandbox/fault-<status>`` model, no provider) becomes an
``errored`` line with the documented error object; the other requests are unaffected. A model id
ending in ``-batch`` (the docs' ``openai/gpt-4o-mini-batch``) is priced as the model without it.

The clock: ``batch_store(state).advance(seconds)`` moves every batch forward at once, and
``speed`` (store-wide, or per batch with the ``speed=`` directive) makes sandbox time run faster
than real time. Directives, in the ``x-infron-sandbox-batch`` header of the create request,
separated by ``;``: ``speed=<factor>``, ``expire-after=<seconds>``, ``fail``,
``results-fail-once[=<status>]`` (the first results fetch answers that status, default 503),
``format=openai`` (OpenAI batch output lines instead of Anthropic result lines), ``results-url``
(the status carries ``result_url`` and GET keeps answering JSON).
"""

from __future__ import annotations

import math
import threading
import time
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .batch_requests import result_line, run_request
from .errors import SandboxError, bad_request
from .faults import status_error
from .state import SandboxState, ScriptedError
from .streaming import dumps
from .validation import expect_object, validate_messages_api

if TYPE_CHECKING:
    from .pipeline import Ctx

__all__ = ["BatchStore", "SandboxBatch", "batch_routes", "batch_store"]

DIRECTIVE_HEADER = "x-infron-sandbox-batch"
VALIDATE_SECONDS = 2.0
ITEM_SECONDS = 0.5
FINALIZE_SECONDS = 1.0
CANCEL_SECONDS = 1.0
WINDOW_SECONDS = 24 * 3600.0
MAX_REQUESTS = 10_000


class JSONL(Response):
    media_type = "application/x-ndjson"


def _json(body: Any, status: int = 200) -> Response:
    return Response(dumps(body), status, media_type="application/json")


@dataclass
class Directives:
    speed: float | None = None
    expire_after: float | None = None
    fail: bool = False
    results_fail_status: int | None = None
    line_format: str = "anthropic"
    results_url: bool = False

    @classmethod
    def parse(cls, header: str) -> Directives:
        out = cls()
        for raw in header.split(";"):
            name, _, value = raw.strip().partition("=")
            name = name.strip().lower()
            try:
                if name == "speed":
                    out.speed = max(1e-6, float(value))
                elif name == "expire-after":
                    out.expire_after = max(0.0, float(value))
                elif name == "fail":
                    out.fail = True
                elif name == "results-fail-once":
                    out.results_fail_status = int(value or 503)
                elif name == "format" and value in ("openai", "anthropic"):
                    out.line_format = value
                elif name == "results-url":
                    out.results_url = True
                elif name:
                    raise ValueError(name)
            except ValueError:
                raise bad_request(
                    f"Unknown batch directive {raw.strip()!r}.", DIRECTIVE_HEADER
                ) from None
        return out


@dataclass
class SandboxBatch:
    """One batch: its requests, its clock, and the answers produced so far (by index)."""

    id: str
    api_key: str
    requests: list[dict[str, Any]]
    directives: Directives
    speed: float
    real_t0: float
    advanced_t0: float
    created_at: int
    task_id: int
    lines: dict[int, dict[str, Any]] = field(default_factory=dict)
    ok: int = 0
    errored: int = 0
    spent: Decimal = Decimal(0)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cancel_at: float | None = None
    invalid: list[dict[str, Any]] = field(default_factory=list)
    results_fetches: int = 0

    @property
    def expire_at(self) -> float:
        after = self.directives.expire_after
        return WINDOW_SECONDS if after is None else after

    @property
    def run_end(self) -> float:
        return VALIDATE_SECONDS + len(self.requests) * ITEM_SECONDS

    @property
    def failed(self) -> bool:
        return self.directives.fail or len(self.invalid) == len(self.requests)

    def state(self, t: float) -> str:
        """The status at sandbox time ``t`` (seconds since creation)."""
        done = self.run_end + FINALIZE_SECONDS
        if self.failed:
            return "validating" if t < VALIDATE_SECONDS else "failed"
        if self.cancel_at is not None and self.cancel_at < done:
            return "cancelling" if t < self.cancel_at + CANCEL_SECONDS else "cancelled"
        if self.expire_at < done and t >= self.expire_at:
            return "expired"
        if t < VALIDATE_SECONDS:
            return "validating"
        if t < self.run_end:
            return "in_progress"
        return "finalizing" if t < done else "completed"

    def processed_by(self, t: float) -> int:
        """How many requests have run by time ``t`` (a cancel or the expiry stops the rest)."""
        stop = min(t, self.expire_at, self.cancel_at if self.cancel_at is not None else math.inf)
        if self.failed or stop < VALIDATE_SECONDS:
            return 0
        return min(len(self.requests), int((stop - VALIDATE_SECONDS) / ITEM_SECONDS + 1e-9))


class BatchStore:
    """Every batch of one sandbox, and the clock they run on (thread-safe).

    Attributes:
        speed: how many sandbox seconds pass per real second for batches created from now on
            (unless their ``speed=`` directive says otherwise); 0 stops real time, so only
            :meth:`advance` moves them (what step-by-step tests want).
    """

    def __init__(self) -> None:
        self.speed = 1.0
        self.batches: dict[str, SandboxBatch] = {}
        self._advanced = 0.0
        self._tasks = 0
        self.lock = threading.RLock()

    def advance(self, seconds: float) -> None:
        """Move every batch's clock forward by ``seconds`` sandbox seconds."""
        with self.lock:
            self._advanced += seconds

    def elapsed(self, batch: SandboxBatch) -> float:
        """Sandbox seconds since ``batch`` was created."""
        real = (time.monotonic() - batch.real_t0) * batch.speed
        return real + (self._advanced - batch.advanced_t0)

    def new(
        self, api_key: str, requests: list[dict[str, Any]], directives: Directives
    ) -> SandboxBatch:
        with self.lock:
            self._tasks += 1
            batch = SandboxBatch(
                id=f"batch_{uuid.uuid4()}",
                api_key=api_key,
                requests=requests,
                directives=directives,
                speed=directives.speed or self.speed,
                real_t0=time.monotonic(),
                advanced_t0=self._advanced,
                created_at=int(time.time()),
                task_id=self._tasks,
            )
            self.batches[batch.id] = batch
            return batch


_stores: weakref.WeakKeyDictionary[SandboxState, BatchStore] = weakref.WeakKeyDictionary()
_stores_lock = threading.Lock()


def batch_store(state: SandboxState) -> BatchStore:
    """The batches of the sandbox whose state is ``state`` (they outlive ``state.reset()``,
    as a real gateway's batches outlive a client)."""
    with _stores_lock:
        store = _stores.get(state)
        if store is None:
            store = _stores[state] = BatchStore()
        return store


def _catch_up(store: BatchStore, batch: SandboxBatch, state: SandboxState) -> tuple[str, float]:
    """Run the requests whose time has come; the batch's state and clock reading."""
    with store.lock:
        t = store.elapsed(batch)
        for index in range(len(batch.lines), batch.processed_by(t)):
            run_request(batch, index, state)
        return batch.state(t), t


# --- bodies -------------------------------------------------------------------------------------


def _at(batch: SandboxBatch, offset: float | None) -> int | None:
    return None if offset is None else batch.created_at + int(offset)


def _openai_batch(batch: SandboxBatch, status: str) -> dict[str, Any]:
    running = status not in ("validating", "failed")
    ended = status in ("completed", "cancelled", "expired")
    return {
        "id": batch.id,
        "object": "batch",
        "endpoint": "/v1/messages",
        "errors": {"object": "list", "data": batch.invalid} if status == "failed" else None,
        "input_file_id": f"file-{batch.id[6:].replace('-', '')}",
        "completion_window": "24h",
        "status": status,
        "output_file_id": f"file-out-{batch.task_id}" if ended else "",
        "error_file_id": "",
        "created_at": batch.created_at,
        "in_progress_at": _at(batch, VALIDATE_SECONDS) if running else None,
        "expires_at": _at(batch, batch.expire_at),
        "finalizing_at": _at(batch, batch.run_end)
        if status in ("finalizing", "completed")
        else None,
        "completed_at": _at(batch, batch.run_end + FINALIZE_SECONDS)
        if status == "completed"
        else None,
        "failed_at": _at(batch, VALIDATE_SECONDS) if status == "failed" else None,
        "expired_at": _at(batch, batch.expire_at) if status == "expired" else None,
        "cancelling_at": _at(batch, batch.cancel_at) if batch.cancel_at is not None else None,
        "cancelled_at": _at(batch, (batch.cancel_at or 0) + CANCEL_SECONDS)
        if status == "cancelled"
        else None,
        "request_counts": {
            "total": len(batch.requests),
            "completed": batch.ok,
            "failed": batch.errored,
        },
        "metadata": None,
    }


def _end_offset(batch: SandboxBatch, status: str) -> float | None:
    if status == "completed":
        return batch.run_end + FINALIZE_SECONDS
    if status == "cancelled":
        return (batch.cancel_at or 0.0) + CANCEL_SECONDS
    if status == "expired":
        return batch.expire_at
    return VALIDATE_SECONDS if status == "failed" else None


def _status_body(batch: SandboxBatch, status: str, ctx: Ctx) -> dict[str, Any]:
    total = len(batch.requests)
    done = batch.ok + batch.errored
    url = ""
    if batch.directives.results_url and status in ("completed", "cancelled", "expired"):
        url = f"{str(ctx.request.base_url).rstrip('/')}/v1/batches/{batch.id}/results"
    reasons = "; ".join(str(e["message"]) for e in batch.invalid[:3]) if status == "failed" else ""
    return {
        "batch_id": batch.id,
        "batch_status": status,
        "status": status,
        "task_id": batch.task_id,
        "completed_count": batch.ok,
        "failed_count": batch.errored,
        "total_requests": total,
        "progress": f"{100 * done // total}%",
        "cost": format(batch.spent.normalize(), "f"),
        "prompt_tokens": batch.prompt_tokens,
        "completion_tokens": batch.completion_tokens,
        "total_tokens": batch.prompt_tokens + batch.completion_tokens,
        "error": reasons,
        "fail_reason": reasons
        or ("forced by the sandbox directive 'fail'" if status == "failed" else ""),
        "errors": {"object": "list", "data": batch.invalid} if status == "failed" else None,
        "result_url": url,
        "submit_time": batch.created_at,
        "start_time": _at(batch, VALIDATE_SECONDS) if status not in ("validating", "failed") else 0,
        "finish_time": _at(batch, _end_offset(batch, status)) or 0,
        "model": batch.requests[0]["params"].get("model", ""),
        "request_id": ctx.request_id,
    }


def _results(batch: SandboxBatch, status: str) -> Response:
    """Every request's line, in input order; those that never ran say why."""
    if batch.directives.results_fail_status is not None:
        batch.results_fetches += 1
        if batch.results_fetches == 1:
            raise status_error(
                batch.directives.results_fail_status, {}, " [results fetch 1 of 1 failing]"
            )
    kind = "canceled" if status == "cancelled" else "expired"
    lines = [
        batch.lines.get(i) or result_line(batch, entry["custom_id"], uuid.uuid4().hex, kind, None)
        for i, entry in enumerate(batch.requests)
    ]
    return JSONL("".join(dumps(line) + "\n" for line in lines))


# --- endpoints ----------------------------------------------------------------------------------


def _scripted(ctx: Ctx) -> Response | None:
    """A response queued with ``state.script(..., path=<this path>)``: a dict is sent as JSON, a
    list of dicts as JSONL result lines, a ``ScriptedError`` as that error."""
    scripted = ctx.state.take_script(ctx.request.url.path, None)
    if scripted is None:
        return None
    if isinstance(scripted, ScriptedError):
        raise SandboxError(
            scripted.status, scripted.message, param=scripted.param, headers=scripted.headers
        )
    if isinstance(scripted, list):
        return JSONL("".join(dumps(line) + "\n" for line in scripted))
    return _json({**scripted, "request_id": scripted.get("request_id", ctx.request_id)})


def _store_and_batch(ctx: Ctx) -> tuple[BatchStore, SandboxBatch]:
    store = batch_store(ctx.state)
    batch = store.batches.get(ctx.request.path_params["batch_id"])
    if batch is None or batch.api_key != ctx.api_key:
        raise SandboxError(
            404, f"Batch '{ctx.request.path_params['batch_id']}' not found.", param="batch_id"
        )
    return store, batch


async def create(ctx: Ctx) -> Response:
    if (scripted := _scripted(ctx)) is not None:
        return scripted
    if ctx.state.balance(ctx.api_key) <= 0:
        raise SandboxError(402)
    requests = ctx.body.get("requests")
    if not isinstance(requests, list) or not requests:
        raise bad_request("'requests' must be a non-empty array.", "requests")
    if len(requests) > MAX_REQUESTS:
        raise bad_request(f"At most {MAX_REQUESTS} requests per batch.", "requests")
    seen: set[str] = set()
    invalid: list[dict[str, Any]] = []
    for i, entry in enumerate(requests):
        entry = expect_object(entry, f"requests.{i}")
        custom_id = entry.get("custom_id")
        if not isinstance(custom_id, str) or not custom_id:
            raise bad_request("Missing or empty 'custom_id'.", f"requests.{i}.custom_id")
        if custom_id in seen:
            raise bad_request(f"Duplicate custom_id '{custom_id}'.", f"requests.{i}.custom_id")
        seen.add(custom_id)
        expect_object(entry.get("params"), f"requests.{i}.params")
        try:
            validate_messages_api(entry["params"])
        except SandboxError as err:
            invalid.append(
                {
                    "code": "invalid_request",
                    "message": err.message,
                    "line": i + 1,
                    "param": err.param,
                }
            )
    directives = Directives.parse(ctx.headers.get(DIRECTIVE_HEADER, ""))
    batch = batch_store(ctx.state).new(ctx.api_key, requests, directives)
    batch.invalid = invalid
    file_id = f"file-{batch.id[6:].replace('-', '')}"
    return _json(
        {
            "batch": _openai_batch(batch, "validating"),
            "batch_id": batch.id,
            "file": {
                "bytes": len(ctx.raw),
                "created_at": batch.created_at,
                "filename": "batch.jsonl",
                "id": file_id,
                "object": "file",
                "purpose": "batch",
                "status": "processed",
            },
            "file_id": file_id,
            "task_id": batch.task_id,
            "task_status": "NOT_START",
            "request_id": ctx.request_id,
        }
    )


async def retrieve(ctx: Ctx) -> Response:
    if (scripted := _scripted(ctx)) is not None:
        return scripted
    store, batch = _store_and_batch(ctx)
    status, _ = _catch_up(store, batch, ctx.state)
    if status in ("completed", "cancelled", "expired") and not batch.directives.results_url:
        return _results(batch, status)
    return _json(_status_body(batch, status, ctx))


async def results(ctx: Ctx) -> Response:
    if (scripted := _scripted(ctx)) is not None:
        return scripted
    store, batch = _store_and_batch(ctx)
    status, _ = _catch_up(store, batch, ctx.state)
    if status not in ("completed", "cancelled", "expired"):
        raise bad_request(f"Batch '{batch.id}' has no results: it is {status}.", "batch_id")
    return _results(batch, status)


async def cancel(ctx: Ctx) -> Response:
    if (scripted := _scripted(ctx)) is not None:
        return scripted
    store, batch = _store_and_batch(ctx)
    with store.lock:
        status, t = _catch_up(store, batch, ctx.state)
        if status in ("validating", "in_progress"):
            batch.cancel_at = t
            status = batch.state(t)
        elif status not in ("cancelling", "cancelled"):
            raise bad_request(
                f"Batch '{batch.id}' is {status} and cannot be cancelled.", "batch_id"
            )
    return _json(
        {**_openai_batch(batch, status), "batch_id": batch.id, "request_id": ctx.request_id}
    )


def _empty_body_as_object(run: Callable[[Request], Any]) -> Callable[[Request], Any]:
    """The docs' cancel example posts no body: read it as ``{}``."""

    async def endpoint(request: Request) -> Any:
        if (
            request.headers.get("content-length", "0") == "0"
            and "transfer-encoding" not in request.headers
        ):
            headers = [(k, v) for k, v in request.scope["headers"] if k.lower() != b"content-type"]
            scope = {**request.scope, "headers": [*headers, (b"content-type", b"application/json")]}

            async def receive() -> dict[str, Any]:
                return {"type": "http.request", "body": b"{}", "more_body": False}

            request = Request(scope, receive)
        return await run(request)

    return endpoint


def batch_routes(endpoint: Callable[..., Any]) -> list[Route]:
    """The Batch API routes, each wrapped by the app's request pipeline ``endpoint``."""
    return [
        Route("/v1/batches", endpoint(create), methods=["POST"]),
        Route("/v1/batches/{batch_id}", endpoint(retrieve), methods=["GET"]),
        Route("/v1/batches/{batch_id}/results", endpoint(results), methods=["GET"]),
        Route(
            "/v1/batches/{batch_id}/cancel",
            _empty_body_as_object(endpoint(cancel)),
            methods=["POST"],
        ),
    ]
