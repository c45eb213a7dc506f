"""The Batch API client: submit, poll with backoff, fetch results, cancel; sync and async.

Docs: Batch ("All usage is charged at 50% of the standard API prices"; ``POST /batches``,
``GET /batches/{batch_id}`` "status if in progress, or ... results if completed in JSONL format",
``POST /batches/{batch_id}/cancel``). Request and response models are in :mod:`.batch_wire`.

Usage::

    from infron_integrations.core import InfronBatches, track_usage

    batches = InfronBatches()                      # INFRON_API_KEY / INFRON_BASE_URL
    requests = [{"custom_id": f"q-{i}", "params": {"model": "openai/gpt-4o-mini",
                 "max_tokens": 256, "messages": [{"role": "user", "content": q}]}}
                for i, q in enumerate(questions)]
    with track_usage() as run:
        results = batches.run(requests, journal="labels.batch.json")
    for item in results:                           # in the order of `requests`
        print(item.custom_id, item.status, item.completion() or item.exception())
    print(results.total_cost, run.total_cost)

Nothing is lost when the caller dies while waiting: the batch runs on the gateway, and
``batches.results("batch_...")`` (or ``batches.results("labels.batch.json")``) collects it from
another process later. A journal file, when given, is written before the batch is sent and again
once its id is known, and keeps the results as received (never the API key).

Sync and async share every step: each operation is a generator of HTTP calls and sleeps, which
:meth:`InfronBatches._drive` runs with blocking I/O and :meth:`InfronBatches._adrive` with
``await``. Polling is bounded: a backoff between polls and a timeout the caller sets.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from .batch_jobs import (
    BatchJob,
    BatchPolling,
    InfronBatchError,
    InfronBatchTimeoutError,
    OnUpdate,
)
from .batch_wire import (
    BatchInfo,
    BatchRequest,
    BatchResultItem,
    BatchResults,
    parse_result_lines,
    validate_requests,
)
from .errors import (
    InfronAPIError,
    InfronBudgetExceededError,
    error_from_inband,
    error_from_response,
)
from .http import RetryPolicy, shared_async_sdk_client, shared_sdk_client, transport_error
from .openai_compat import is_transport_error
from .settings import InfronSettings

__all__ = [
    "BatchJob",
    "BatchPolling",
    "InfronBatchError",
    "InfronBatchTimeoutError",
    "InfronBatches",
    "OnUpdate",
    "record_batch_usage",
]

logger = logging.getLogger("infron_integrations.batches")

_T = TypeVar("_T")


# --- the steps, shared by sync and async -------------------------------------------------------


@dataclass(frozen=True)
class _Call:
    method: str
    url: str
    body: Any = None
    auth: bool = True
    create: bool = False


@dataclass(frozen=True)
class _Sleep:
    seconds: float


@dataclass(frozen=True)
class _Reply:
    text: str
    content_type: str


_Step = Generator["_Call | _Sleep", Any, _T]


class _CreateRetry(RetryPolicy):
    """Retries of the create request: only answers that say it was not taken (429, 503).

    A timeout or a 502 may come after the gateway created the batch; sending it again could run
    (and charge) it twice, so those are raised for the caller to check.
    """

    def delay(self, attempt: int, error: BaseException) -> float | None:
        if not isinstance(error, InfronAPIError) or error.status_code not in (429, 503):
            return None
        return super().delay(attempt, error)


def _results_info(batch_id: str, items: Sequence[BatchResultItem]) -> BatchInfo:
    """A status for a batch whose GET answered with its results (the docs' "completed" case)."""
    statuses = {item.status for item in items}
    state = "cancelled" if "canceled" in statuses else "expired" if "expired" in statuses else None
    ok = sum(1 for item in items if item.status == "succeeded")
    return BatchInfo.model_validate(
        {
            "id": batch_id,
            "state": state or "completed",
            "request_counts": {"total": len(items), "completed": ok, "failed": len(items) - ok},
        }
    )


_STATUS_KEYS = frozenset({"status", "batch_status", "processing_status", "batch", "state"})


def _info(value: Mapping[str, Any], batch_id: str) -> BatchInfo:
    data = dict(value)
    if (
        not data.get("id")
        and not data.get("batch_id")
        and not isinstance(data.get("batch"), Mapping)
    ):
        data["id"] = batch_id
    return BatchInfo.model_validate(data)


def _is_results(text: str, content_type: str) -> bool:
    if "jsonl" in content_type or "ndjson" in content_type:
        return True
    try:
        value = json.loads(text)
    except ValueError:
        return bool(text.strip())  # several JSON lines (an empty body is no results)
    return isinstance(value, list) or (isinstance(value, Mapping) and "custom_id" in value)


def _object(reply: _Reply, what: str) -> dict[str, Any]:
    """The JSON object of a 200 answer (anything else is reported, never guessed at)."""
    try:
        value = json.loads(reply.text)
    except ValueError:
        value = None
    if not isinstance(value, Mapping):
        raise InfronAPIError(
            f"the {what} answer is not a JSON object ({reply.content_type or 'no content type'}, "
            f"starts with {reply.text[:80]!r}); check base_url (it should end in /v1)",
            body=reply.text[:2000],
            in_band=True,
        )
    return dict(value)


class InfronBatches:
    """A framework-free client of Infron's Batch API (docs: Batch).

    Args:
        settings: where and how to connect (default: from ``INFRON_API_KEY``/``INFRON_BASE_URL``).
        retry: retries of each HTTP call (default: ``settings.max_retries``, honouring
            ``Retry-After``). The create request is retried only on 429 and 503.
        polling: how :meth:`wait` polls by default.

    Every method that takes ``batch`` accepts a batch id, a :class:`BatchJob` or the path of a
    journal file.
    """

    def __init__(
        self,
        settings: InfronSettings | None = None,
        *,
        retry: RetryPolicy | None = None,
        polling: BatchPolling | None = None,
    ) -> None:
        self.settings = settings or InfronSettings.resolve()
        self.retry = retry or RetryPolicy(self.settings.max_retries)
        self.polling = polling or BatchPolling()

    def __repr__(self) -> str:
        return f"InfronBatches(base_url={self.settings.base_url!r})"

    # -- building blocks (generators) ------------------------------------------------------------

    def job(self, batch: str | os.PathLike[str] | BatchJob) -> BatchJob:
        """A :class:`BatchJob` for a batch id, a journal path or a job (returned as it is)."""
        if isinstance(batch, BatchJob):
            return batch
        text = os.fspath(batch)
        if not text.strip():
            raise InfronBatchError("A batch id is needed (it was empty).", batch_id="")
        if text.endswith(".json") or os.path.sep in text or Path(text).is_file():
            return BatchJob.load(text)
        return BatchJob(batch_id=text, base_url=self.settings.base_url)

    def _url(self, path: str) -> str:
        return f"{self.settings.base_url}/{path.lstrip('/')}"

    def _create(
        self, requests: Iterable[BatchRequest | Mapping[str, Any]], journal: Any
    ) -> _Step[BatchJob]:
        checked = validate_requests(requests)
        job = BatchJob(
            batch_id="",
            custom_ids=[r.custom_id for r in checked],
            journal=Path(journal) if journal is not None else None,
            base_url=self.settings.base_url,
        )
        job.save()  # before sending: a crash mid-request leaves a trace
        body = {
            "requests": [{"custom_id": r.custom_id, "params": r.params.to_wire()} for r in checked]
        }
        reply = yield _Call("POST", self._url("/batches"), body, create=True)
        info = BatchInfo.model_validate(_object(reply, "create"))
        if not info.id:
            raise InfronAPIError(
                "the create answer carries no batch id; report it with the body",
                body=reply.text[:2000],
                in_band=True,
            )
        job.batch_id, job.info = info.id, info
        job.save()
        logger.info("submitted batch %s (%d requests)", info.id, len(checked))
        return job

    def _fetch(self, job: BatchJob) -> _Step[BatchInfo]:
        """One look at the batch: its status, or (once it has ended) its results."""
        if job.results_text is not None:  # kept from an earlier look (or the journal's file)
            if job.info is None or not job.info.done:
                job.info = _results_info(job.batch_id, parse_result_lines(job.results_text)[0])
            return job.info
        reply = yield _Call("GET", self._url(f"/batches/{job.batch_id}"))
        if _is_results(reply.text, reply.content_type):
            job.keep_results(reply.text)
            items, _ = parse_result_lines(reply.text)
            job.info = _results_info(job.batch_id, items)
            return job.info
        value = _object(reply, "status")
        if isinstance(value.get("error"), Mapping):
            raise error_from_inband(value["error"], request_id=value.get("request_id"), body=value)
        info = job.info = _info(value, job.batch_id)
        if info.done and info.result_url and job.results_text is None:
            same_host = urlsplit(info.result_url).netloc == urlsplit(self.settings.base_url).netloc
            # a results URL on another host (a signed storage link) must never get the API key
            reply = yield _Call("GET", info.result_url, auth=same_host)
            job.keep_results(reply.text)
        return info

    def _wait(
        self, job: BatchJob, polling: BatchPolling, timeout: float | None, on_update: Any
    ) -> _Step[BatchInfo]:
        limit = polling.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        delays = polling.delays()
        while True:
            info = yield from self._fetch(job)
            if on_update is not None:
                on_update(info)
            if info.done:
                return info
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                counts = info.request_counts
                raise InfronBatchTimeoutError(
                    f"Batch {job.batch_id} is still {info.state} ({counts.done}/{counts.total} "
                    f"requests done) after {limit:g} s. It goes on running on the gateway: "
                    "collect it later with its id (or journal), or wait longer (timeout=...).",
                    batch_id=job.batch_id,
                    info=info,
                )
            yield _Sleep(min(next(delays), remaining))

    def _results(self, job: BatchJob, record: bool, framework: str | None) -> _Step[BatchResults]:
        info = yield from self._fetch(job)
        if job.results_text is None:
            if info.state == "failed":
                detail = _failure(info)
                raise InfronBatchError(
                    f"Batch {job.batch_id} failed: {detail}. Fix the requests and submit again.",
                    batch_id=job.batch_id,
                    info=info,
                )
            counts = info.request_counts
            raise InfronBatchError(
                f"Batch {job.batch_id} has no results yet: it is {info.state} "
                f"({counts.done}/{counts.total} done). Wait for it first (wait()), or collect "
                "it later with its id.",
                batch_id=job.batch_id,
                info=info,
            )
        items, unreadable = parse_result_lines(job.results_text)
        results = BatchResults(job.batch_id, items, info, unreadable)
        if job.custom_ids:
            results = results.ordered(job.custom_ids)
        if unreadable:
            logger.warning("batch %s: %d unreadable result lines", job.batch_id, len(unreadable))
        if record:
            record_batch_usage(results, framework=framework)
        return results

    # -- drivers ---------------------------------------------------------------------------------

    def _policy(self, call: _Call) -> RetryPolicy:
        if not call.create:
            return self.retry
        retry = self.retry
        return _CreateRetry(
            retry.max_retries,
            base_delay=retry.base_delay,
            max_delay=retry.max_delay,
            max_retry_after=retry.max_retry_after,
        )

    def _send(self, call: _Call) -> _Reply:
        client = shared_sdk_client(self.settings.timeout)
        headers = self.settings.headers() if call.auth else self.settings.public_headers()

        def once() -> _Reply:
            try:
                response = client.request(call.method, call.url, json=call.body, headers=headers)
            except Exception as exc:
                if is_transport_error(exc):
                    raise transport_error(exc, call.url) from exc
                raise
            return _reply(response)

        return self._policy(call).call(once)

    async def _asend(self, call: _Call) -> _Reply:
        client = shared_async_sdk_client(self.settings.timeout)
        headers = self.settings.headers() if call.auth else self.settings.public_headers()

        async def once() -> _Reply:
            try:
                response = await client.request(
                    call.method, call.url, json=call.body, headers=headers
                )
            except Exception as exc:
                if is_transport_error(exc):
                    raise transport_error(exc, call.url) from exc
                raise
            return _reply(response)

        return await self._policy(call).acall(once)

    def _drive(self, steps: _Step[_T]) -> _T:
        value: Any = None
        while True:
            try:
                step = steps.send(value)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]
            if isinstance(step, _Sleep):
                time.sleep(step.seconds)
                value = None
            else:
                value = self._send(step)

    async def _adrive(self, steps: _Step[_T]) -> _T:
        value: Any = None
        while True:
            try:
                step = steps.send(value)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]
            if isinstance(step, _Sleep):
                await asyncio.sleep(step.seconds)
                value = None
            else:
                value = await self._asend(step)

    # -- public API ------------------------------------------------------------------------------

    def create(
        self,
        requests: Iterable[BatchRequest | Mapping[str, Any]],
        *,
        journal: str | os.PathLike[str] | None = None,
    ) -> BatchJob:
        """``POST /batches``: validate every request, then submit them as one batch.

        Args:
            requests: :class:`BatchRequest` objects or dicts ``{"custom_id", "params"}``.
            journal: a file to record the job in (written before sending and once the id is
                known; :meth:`results` and :meth:`wait` accept its path).

        Raises:
            InfronConfigError: a request is invalid (nothing was sent).
        """
        return self._drive(self._create(requests, journal))

    async def acreate(
        self,
        requests: Iterable[BatchRequest | Mapping[str, Any]],
        *,
        journal: str | os.PathLike[str] | None = None,
    ) -> BatchJob:
        """Async :meth:`create`."""
        return await self._adrive(self._create(requests, journal))

    def status(self, batch: str | os.PathLike[str] | BatchJob) -> BatchInfo:
        """``GET /batches/{id}``: the batch's status (once it has ended, its results are kept)."""
        return self._drive(self._fetch(self.job(batch)))

    async def astatus(self, batch: str | os.PathLike[str] | BatchJob) -> BatchInfo:
        """Async :meth:`status`."""
        return await self._adrive(self._fetch(self.job(batch)))

    def wait(
        self,
        batch: str | os.PathLike[str] | BatchJob,
        *,
        polling: BatchPolling | None = None,
        timeout: float | None = None,
        on_update: OnUpdate | None = None,
    ) -> BatchInfo:
        """Poll until the batch ends, with backoff; ``on_update`` sees every status.

        Raises:
            InfronBatchTimeoutError: ``timeout`` (default ``polling.timeout``) passed first.
        """
        job = self.job(batch)
        return self._drive(self._wait(job, polling or self.polling, timeout, on_update))

    async def await_batch(
        self,
        batch: str | os.PathLike[str] | BatchJob,
        *,
        polling: BatchPolling | None = None,
        timeout: float | None = None,
        on_update: OnUpdate | None = None,
    ) -> BatchInfo:
        """Async :meth:`wait`."""
        job = self.job(batch)
        return await self._adrive(self._wait(job, polling or self.polling, timeout, on_update))

    def results(
        self,
        batch: str | os.PathLike[str] | BatchJob,
        *,
        record: bool = True,
        framework: str | None = "core",
    ) -> BatchResults:
        """The results of an ended batch, mapped to the requests by ``custom_id``.

        Args:
            batch: the batch id, job or journal path.
            record: record each answer's usage and cost into the active ``track_usage()``
                trackers (see docs/batch.md, "Cost"); every record is made before an
                over-budget error is raised.
            framework: the ``framework`` of those records.

        Raises:
            InfronBatchError: the batch failed, or has not ended yet.
        """
        return self._drive(self._results(self.job(batch), record, framework))

    async def aresults(
        self,
        batch: str | os.PathLike[str] | BatchJob,
        *,
        record: bool = True,
        framework: str | None = "core",
    ) -> BatchResults:
        """Async :meth:`results`."""
        return await self._adrive(self._results(self.job(batch), record, framework))

    def cancel(self, batch: str | os.PathLike[str] | BatchJob) -> BatchInfo:
        """``POST /batches/{id}/cancel``; answers already produced stay in the results."""
        return self._drive(self._cancel(self.job(batch)))

    async def acancel(self, batch: str | os.PathLike[str] | BatchJob) -> BatchInfo:
        """Async :meth:`cancel`."""
        return await self._adrive(self._cancel(self.job(batch)))

    def _cancel(self, job: BatchJob) -> _Step[BatchInfo]:
        reply = yield _Call("POST", self._url(f"/batches/{job.batch_id}/cancel"), {})
        data = _object(reply, "cancel") if reply.text.strip() else {}
        if not _STATUS_KEYS.intersection(data):
            # the docs' cancel schema is an empty object: the state is then what the docs say
            # follows a cancel ("Immediately after cancellation ... canceling")
            data["state"] = "cancelling"
        job.info = _info(data, job.batch_id)
        job.save()
        return job.info

    def run(
        self,
        requests: Iterable[BatchRequest | Mapping[str, Any]],
        *,
        journal: str | os.PathLike[str] | None = None,
        polling: BatchPolling | None = None,
        timeout: float | None = None,
        on_update: OnUpdate | None = None,
        record: bool = True,
        framework: str | None = "core",
    ) -> BatchResults:
        """Submit, wait and collect: :meth:`create`, :meth:`wait`, :meth:`results` in one call."""
        return self._drive(
            self._run(requests, journal, polling, timeout, on_update, record, framework)
        )

    async def arun(
        self,
        requests: Iterable[BatchRequest | Mapping[str, Any]],
        *,
        journal: str | os.PathLike[str] | None = None,
        polling: BatchPolling | None = None,
        timeout: float | None = None,
        on_update: OnUpdate | None = None,
        record: bool = True,
        framework: str | None = "core",
    ) -> BatchResults:
        """Async :meth:`run`."""
        return await self._adrive(
            self._run(requests, journal, polling, timeout, on_update, record, framework)
        )

    def _run(
        self,
        requests: Iterable[BatchRequest | Mapping[str, Any]],
        journal: Any,
        polling: BatchPolling | None,
        timeout: float | None,
        on_update: OnUpdate | None,
        record: bool,
        framework: str | None,
    ) -> _Step[BatchResults]:
        job = yield from self._create(requests, journal)
        yield from self._wait(job, polling or self.polling, timeout, on_update)
        return (yield from self._results(job, record, framework))


def _failure(info: BatchInfo) -> str:
    """Why a batch failed, from whichever field the gateway filled."""
    extra = info.model_extra or {}
    for key in ("fail_reason", "error"):
        if isinstance(extra.get(key), str) and extra[key]:
            return str(extra[key])
    errors = info.errors.get("data") if isinstance(info.errors, Mapping) else info.errors
    if isinstance(errors, list) and errors:
        return "; ".join(
            str(e.get("message", e)) if isinstance(e, Mapping) else str(e) for e in errors
        )
    return "no reason given"


def _reply(response: Any) -> _Reply:
    text = response.text
    if response.status_code >= 400:
        try:
            body: Any = json.loads(text)
        except ValueError:
            body = text
        raise error_from_response(response.status_code, body, response.headers)
    return _Reply(text, str(response.headers.get("content-type", "")).lower())


def record_batch_usage(results: BatchResults, *, framework: str | None = "core") -> None:
    """Record a batch's usage into the active trackers (see ``BatchResults.usage_records``).

    Every record is made first; then the first over-budget error, if any, is raised (the batch
    has run: its cost is spent either way).
    """
    from .usage import record_usage

    first: InfronBudgetExceededError | None = None
    for record in results.usage_records(framework=framework):
        try:
            record_usage(record)
        except InfronBudgetExceededError as exc:
            first = first or exc
    if first is not None:
        raise first
