"""Transport helpers for ChatInfron: pooled clients, raw responses, the stream-chunk watchdog.

ChatInfron sends through the OpenAI SDK's client (for its retries, which honour ``Retry-After``
on 408/429/5xx, and its error types) but asks for the raw HTTP response (``httpx`` or ``httpx2``, whichever the SDK speaks): the JSON is read
straight into dicts and stream lines are parsed by the core SSE reader, skipping the SDK's
per-chunk model construction and ``model_dump`` that ``ChatOpenAI`` pays for.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from ..core.errors import InfronStreamError
from ..core.openai_compat import RawResponse
from ..core.settings import InfronSettings

__all__ = ["ChunkWatchdog", "LoopClient", "read_json"]


def read_json(response: RawResponse) -> dict[str, Any]:
    """The JSON body of a (non-streamed) 200 response.

    Raises:
        InfronStreamError: the body is not a JSON object (e.g. an HTML page from a proxy).
    """
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise InfronStreamError(
            "Infron answered 200 with a body that is not a JSON object "
            f"(content-type {response.headers.get('content-type')!r}, starts with "
            f"{response.text[:120]!r}). Check base_url: it should end in /v1.",
            request_id=response.headers.get("x-request-id"),
        )
    return body


class LoopClient:
    """Stands in for ``AsyncOpenAI`` (or one of its resources) on a model instance.

    The pooled async client is per event loop (a connection cannot outlive its loop), so
    the real client is looked up on each attribute access, inside the running loop. Building a
    model therefore never builds a client.
    """

    __slots__ = ("_max_retries", "_path", "_settings")

    def __init__(
        self,
        settings: InfronSettings,
        max_retries: int | None = None,
        path: tuple[str, ...] = (),
    ) -> None:
        self._settings = settings
        self._max_retries = max_retries
        self._path = path

    def resolve(self) -> Any:
        """The pooled ``AsyncOpenAI`` client (resource) for the running loop."""
        from ..core.http import async_openai_client  # loaded by the first call, not at import

        target: Any = async_openai_client(self._settings, max_retries=self._max_retries)
        for name in self._path:
            target = getattr(target, name)
        return target

    def __getattr__(self, name: str) -> Any:
        return getattr(self.resolve(), name)

    def __repr__(self) -> str:
        where = ".".join(("AsyncOpenAI", *self._path))
        return f"<pooled {where} for {self._settings.base_url}>"


class ChunkWatchdog:
    """``stream_chunk_timeout`` for async streams, at the cost of one timer per stream.

    Counts only the time spent waiting for the next SSE item (not the consumer's time between
    items) and cancels the streaming task when a wait exceeds ``timeout``; the caller turns that
    cancellation into ``StreamChunkTimeoutError``. ``asyncio.wait_for`` per chunk (what
    ``ChatOpenAI`` does) creates a task for every chunk on Python < 3.12.
    """

    __slots__ = ("_handle", "_loop", "_task", "chunks", "fired", "timeout", "waiting_since")

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        self.waiting_since: float | None = None
        self.fired = False
        self.chunks = 0
        self._handle = self._loop.call_later(timeout, self._check)

    def now(self) -> float:
        return self._loop.time()

    def _check(self) -> None:
        since = self.waiting_since
        delay = self.timeout
        if since is not None:
            elapsed = self._loop.time() - since
            if elapsed >= self.timeout:
                if self._task is not None:
                    self.fired = True
                    self._task.cancel()
                return
            delay = self.timeout - elapsed
        self._handle = self._loop.call_later(delay, self._check)

    def acknowledge(self) -> None:
        """After catching the cancellation this watchdog caused: let the task run on."""
        uncancel = getattr(self._task, "uncancel", None)
        if uncancel is not None:  # Python 3.11+
            uncancel()

    def close(self) -> None:
        self._handle.cancel()
