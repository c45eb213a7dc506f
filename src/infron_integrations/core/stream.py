"""Streaming: an SSE reader and an accumulator shared by every adapter.

Docs: Streaming (``data:`` frames, ``: INFRONAI PROCESSING`` comments, ``data: [DONE]``) and Errors
code (an error mid-stream arrives as a chunk whose choice has ``finish_reason: "error"``).

The accumulator enforces the house rule that a broken stream raises: an in-band error, a malformed
frame, or a stream that ends before any choice finished all raise, and the partial text is kept
only on the exception for diagnostics.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from typing import Any

from .errors import InfronStreamError, raise_for_inband_error
from .reasoning import merge_reasoning_details
from .usage import UsageRecord

__all__ = ["StreamAccumulator", "aiter_sse_json", "iter_sse_json", "parse_sse_line"]

_DONE = object()


def parse_sse_line(line: str) -> Any:
    """One SSE line: None for blanks/comments/other fields, ``_DONE`` sentinel, or the JSON."""
    if not line or line.startswith(":"):
        return None
    if not line.startswith("data:"):
        return None  # event:, id:, retry: carry nothing we need
    data = line[5:].lstrip(" ")
    if data == "[DONE]":
        return _DONE
    try:
        return json.loads(data)
    except ValueError as exc:
        raise InfronStreamError(f"Malformed SSE frame from Infron: {data[:200]!r}") from exc


def iter_sse_json(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Yield each JSON ``data:`` payload until ``[DONE]``; comments are skipped."""
    for line in lines:
        item = parse_sse_line(line)
        if item is None:
            continue
        if item is _DONE:
            return
        yield item


async def aiter_sse_json(lines: AsyncIterator[str]) -> AsyncIterator[dict[str, Any]]:
    """Async :func:`iter_sse_json`."""
    async for line in lines:
        item = parse_sse_line(line)
        if item is None:
            continue
        if item is _DONE:
            return
        yield item


class StreamAccumulator:
    """Feed it every chunk (as a dict) of a chat-completions stream.

    It raises on in-band errors as they arrive, remembers the final usage chunk (with ``cost``),
    the request id and upstream provider, collects each choice's ``reasoning_details`` fragments
    (:meth:`reasoning_details` merges them), and :meth:`finish` raises if the stream ended before
    any choice reported a ``finish_reason``.
    """

    __slots__ = (
        "_details",
        "_text",
        "finish_reason",
        "model",
        "native_finish_reason",
        "provider",
        "request_id",
        "usage_chunk",
    )

    def __init__(self) -> None:
        self._text: list[str] = []
        self._details: dict[int, list[Any]] = {}
        self.finish_reason: str | None = None
        self.native_finish_reason: str | None = None
        self.usage_chunk: Mapping[str, Any] | None = None
        self.request_id: str | None = None
        self.provider: str | None = None
        self.model: str | None = None

    def feed(self, chunk: Mapping[str, Any]) -> None:
        """Inspect one chunk. Raises the typed error for an in-band error chunk."""
        choices = chunk.get("choices")
        if self.request_id is None:
            self.request_id = chunk.get("request_id")
            provider = chunk.get("provider")
            self.provider = provider if isinstance(provider, str) else None
            self.model = chunk.get("model")
        if choices:
            for choice in choices:
                if choice.get("finish_reason") == "error" or choice.get("error"):
                    raise_for_inband_error(chunk)
                delta = choice.get("delta")
                if delta:
                    content = delta.get("content")
                    if content:
                        self._text.append(content)
                    details = delta.get("reasoning_details")
                    if details and isinstance(details, list):
                        self._details.setdefault(choice.get("index") or 0, []).extend(details)
                reason = choice.get("finish_reason")
                if reason:
                    self.finish_reason = reason
                    self.native_finish_reason = choice.get("native_finish_reason")
        elif chunk.get("error"):
            raise_for_inband_error(chunk)
        if chunk.get("usage"):
            self.usage_chunk = chunk

    def reasoning_details(self, index: int = 0) -> list[Any] | None:
        """Choice ``index``'s ``reasoning_details``, merged (None when the stream had none)."""
        fragments = self._details.get(index)
        return merge_reasoning_details(fragments) if fragments else None

    @property
    def partial_text(self) -> str:
        return "".join(self._text)

    def finish(self) -> None:
        """Call when the stream ended (``[DONE]`` or end of body)."""
        if self.finish_reason is None:
            raise InfronStreamError(
                "The Infron stream ended before the model finished (no finish_reason); the "
                "connection may have dropped. The partial answer was not returned; retry the "
                "request.",
                partial_text=self.partial_text,
                request_id=self.request_id,
            )

    def usage_record(self, *, framework: str | None = None) -> UsageRecord | None:
        """The usage of the whole stream, from its final usage chunk (None if there was none)."""
        if self.usage_chunk is None:
            return None
        record = UsageRecord.from_response(self.usage_chunk, framework=framework)
        return record
