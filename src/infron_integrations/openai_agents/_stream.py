"""Checks and bookkeeping on Infron's chat-completion chunks, between the OpenAI SDK and the Agents
SDK's stream handler.

Docs: Streaming and Errors code. The Agents SDK's handler ends a stream quietly when the connection
drops, ignores a choice with ``finish_reason: "error"``, reads the final usage chunk without its
``cost``, and shows reasoning twice when a delta carries both ``reasoning_content`` and
``reasoning``. This wrapper raises the typed errors instead, normalizes the reasoning field,
turns Infron's per-tool-call ``thought_signature`` into the form the handler keeps, collects the
``reasoning_details`` fragments (which the handler drops), and records the request's usage and
cost once the stream has finished.

When the SDK hands over an ``openai.AsyncStream`` of chat-completion chunks, the wrapper reads
the SSE lines itself (the core reader) and builds each ``ChatCompletionChunk`` with pydantic's
compiled validator, falling back to the SDK's lenient construction for a chunk off the documented
shape. The SDK's own per-chunk construction walks the type hints in Python (about 160 us a chunk
against 4 us), which made a long stream through the Agents SDK slower than the raw SDK (P7 in
``bench/``). The chunks are the same class with the same fields either way, so the SDK's handler
sees no difference. Otherwise the wrapper inspects chunks with attribute reads only (the usage
chunk is dumped once).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

import openai
import pydantic
from openai.types.chat import ChatCompletionChunk

from ..core.errors import InfronError, InfronStreamError, InfronTimeoutError, raise_for_inband_error
from ..core.openai_compat import RawResponse, is_http_response, is_timeout_error, is_transport_error
from ..core.reasoning import merge_reasoning_details
from ..core.stream import aiter_sse_json
from ..core.usage import UsageRecord
from ._errors import to_agents_error

__all__ = [
    "InfronChunkStream",
    "convert_stream_error",
    "cost_fields",
    "normalize_message",
    "raw_usage",
    "record_builder",
    "signature_extra",
]

FRAMEWORK = "openai-agents"


def _usage_dict(usage: Any) -> dict[str, Any] | None:
    return usage.model_dump(mode="json", exclude_unset=True) if usage is not None else None


def record_builder(
    usage: Any,
    extra: Mapping[str, Any] | None,
    *,
    model: str | None,
    request_id: str | None,
    provider: str | None,
) -> Callable[[], UsageRecord]:
    """A function that builds the request's usage record from the SDK's parsed ``usage`` object
    and the body's extras (``cost``, ``cost_details``), when it is first needed."""
    cost = extra.get("cost") if extra else None
    details = extra.get("cost_details") if extra else None
    if provider is None and extra:
        value = extra.get("provider")
        provider = value if isinstance(value, str) else None

    def build() -> UsageRecord:
        return UsageRecord.from_usage(
            _usage_dict(usage),
            cost=cost,
            cost_details=details,
            model=model,
            request_id=request_id,
            provider=provider,
            framework=FRAMEWORK,
        )

    return build


def cost_fields(extra: Mapping[str, Any] | None) -> dict[str, Any]:
    """The gateway's ``cost`` and ``cost_details`` from a body's extras (empty when absent).

    What goes next to the token counts wherever the Agents SDK keeps usage: raw usage, and the
    ``usage`` of generation and response spans.
    """
    if not extra:
        return {}
    return {key: extra[key] for key in ("cost", "cost_details") if extra.get(key) is not None}


def raw_usage(usage: Any, extra: Mapping[str, Any] | None) -> dict[str, Any]:
    """The provider's usage as JSON, with the gateway's ``cost`` and ``cost_details`` added."""
    return {**(_usage_dict(usage) or {}), **cost_fields(extra)}


def signature_extra(signature: str) -> dict[str, Any]:
    """The ``extra_content`` shape under which the Agents SDK keeps a tool call's signature."""
    return {"google": {"thought_signature": signature}}


def convert_stream_error(
    exc: BaseException,
    *,
    response: RawResponse | None = None,
    request_id: str | None = None,
) -> BaseException:
    """The typed error for a failure while reading a stream (make it the new error's cause).

    It is both the core's error and the OpenAI SDK's (see :mod:`._errors`). A connection that
    breaks after the stream started is a broken stream (:class:`InfronStreamError`, not retried by
    the Agents SDK's retry advice: part of the answer was already handed on), with the request id.
    """
    if is_timeout_error(exc):
        exc = InfronTimeoutError(
            f"Timed out reading the Infron stream: {exc!r}; retry the request."
        )
    elif is_transport_error(exc):
        exc = InfronStreamError(
            f"The connection to Infron broke mid-stream ({type(exc).__name__}: {exc}); the "
            "partial answer was not returned. Retry the request."
        )
    elif isinstance(exc, json.JSONDecodeError):
        exc = InfronStreamError(f"Malformed SSE frame from Infron: {exc}")
    return to_agents_error(exc, response=response, request_id=request_id)


def normalize_message(message: Any) -> str | None:
    """Prepare a non-streamed message for the SDK's converter; return its thought signature.

    ``reasoning`` (OpenRouter-style) becomes ``reasoning_content`` when only it is present, and
    each tool call's ``thought_signature`` is kept where the converter stores it.
    """
    extra = message.model_extra
    if extra and not extra.get("reasoning_content") and extra.get("reasoning"):
        message.reasoning_content = extra["reasoning"]
    for call in message.tool_calls or ():
        call_extra = call.model_extra
        signature = call_extra.get("thought_signature") if call_extra else None
        if signature and not getattr(call, "extra_content", None):
            call.extra_content = signature_extra(signature)
    return extra.get("thought_signature") if extra else None


def chunk_from_json(data: dict[str, Any]) -> ChatCompletionChunk:
    """A parsed SSE payload as the SDK's ``ChatCompletionChunk`` (extras kept, as the SDK does).

    Raises:
        InfronAPIError: the payload is an error (the typed error for its code).
        InfronStreamError: the payload's ``error`` is not an error object.
    """
    error = data.get("error")
    if error:
        # the SDK raises for a payload with a top-level error; so do we, with the typed error
        raise_for_inband_error(data)
        raise InfronStreamError(f"Infron sent an error in the stream: {str(error)[:300]}")
    try:
        return ChatCompletionChunk.model_validate(data)
    except pydantic.ValidationError:
        # e.g. a finish_reason outside the SDK's literals ("error"): construct as the SDK does
        return ChatCompletionChunk.model_construct(**data)


#: what a stream step may fail with besides an httpx/httpx2 transport error
_STREAM_FAILURES = (InfronError, openai.APIError, json.JSONDecodeError)


async def _read_chunks(response: RawResponse) -> AsyncIterator[ChatCompletionChunk]:
    lines = response.aiter_lines()
    async for data in aiter_sse_json(lines):
        yield chunk_from_json(data)
    async for _ in lines:  # read past [DONE], so the connection goes back to the pool
        pass


class InfronChunkStream:
    """An async iterator over an ``openai.AsyncStream`` of chat-completion chunks.

    ``response`` is the HTTP response (the Agents SDK reads its ``x-request-id``). When the
    stream has ended properly, ``on_finish(self)`` runs (see :meth:`record_builder`).
    """

    __slots__ = (
        "_finished",
        "_iterator",
        "_on_finish",
        "_preserve_raw",
        "_reasoning_fragments",
        "_stream",
        "_usage",
        "_usage_extra",
        "chunk_id",
        "message_signature",
        "model",
        "provider",
        "request_id",
        "response",
    )

    def __init__(
        self,
        stream: Any,
        *,
        on_finish: Callable[[InfronChunkStream], None],
        preserve_raw_usage: bool = False,
    ) -> None:
        self._stream = stream
        self.response = getattr(stream, "response", None)
        self._iterator: AsyncIterator[Any]
        if isinstance(stream, openai.AsyncStream) and is_http_response(self.response):
            # the SDK's stream is left unstarted: its body is read here (see the module doc)
            self._iterator = _read_chunks(self.response)
        else:
            self._iterator = stream.__aiter__()
        self._on_finish = on_finish
        self._preserve_raw = preserve_raw_usage
        self._finished: bool | None = False  # None once finish ran
        self._usage: Any = None
        self._usage_extra: Mapping[str, Any] | None = None
        self.request_id: str | None = None
        self.chunk_id: str | None = None
        self.provider: str | None = None
        self.model: str | None = None
        self.message_signature: str | None = None
        self._reasoning_fragments: list[Any] = []

    def __aiter__(self) -> InfronChunkStream:
        return self

    async def __anext__(self) -> Any:
        # one try around the whole step (no extra coroutine per chunk): every failure leaves as
        # the combined error, with the request id
        try:
            try:
                chunk = await self._iterator.__anext__()
            except StopAsyncIteration:
                self._finish()
                raise
            if self.chunk_id is None:
                self.chunk_id = chunk.id
                self.model = chunk.model
                extra = chunk.model_extra
                if extra:
                    rid = extra.get("request_id")
                    self.request_id = rid if isinstance(rid, str) else None
                    provider = extra.get("provider")
                    self.provider = provider if isinstance(provider, str) else None
            choices = chunk.choices
            if choices:
                for choice in choices:
                    reason = choice.finish_reason
                    if reason is not None:
                        if reason == "error":
                            raise_for_inband_error(chunk.model_dump())
                        self._finished = True
                    choice_extra = choice.model_extra
                    if choice_extra and choice_extra.get("error"):
                        raise_for_inband_error(chunk.model_dump())
                    delta = choice.delta
                    if delta is not None:
                        self._delta(delta)
            else:
                extra = chunk.model_extra
                if extra and extra.get("error"):
                    raise_for_inband_error(chunk.model_dump())
            if chunk.usage is not None:
                self._usage_chunk(chunk)
            return chunk
        except Exception as exc:
            if not (isinstance(exc, _STREAM_FAILURES) or is_transport_error(exc)):
                raise
            converted = convert_stream_error(
                exc, response=self.response, request_id=self._request_id_hint()
            )
            if converted is exc:
                raise
            raise converted from exc

    def _request_id_hint(self) -> str | None:
        if self.request_id:
            return self.request_id
        response = self.response
        return response.headers.get("x-request-id") if is_http_response(response) else None

    def _delta(self, delta: Any) -> None:
        extra = delta.model_extra
        if extra:
            reasoning = extra.get("reasoning")
            if reasoning is not None:
                # one field, so the handler builds one reasoning item (as for whole responses)
                if not extra.get("reasoning_content") and reasoning:
                    extra["reasoning_content"] = reasoning
                del extra["reasoning"]
            signature = extra.get("thought_signature")
            if signature:
                self.message_signature = signature
            details = extra.get("reasoning_details")
            if isinstance(details, list):
                # the SDK reads one choice (n=1): every fragment belongs to it
                self._reasoning_fragments += details
        calls = delta.tool_calls
        if calls:
            for call in calls:
                call_extra = call.model_extra
                signature = call_extra.get("thought_signature") if call_extra else None
                if signature and not getattr(call, "extra_content", None):
                    call.extra_content = signature_extra(signature)

    def _usage_chunk(self, chunk: Any) -> None:
        self._usage = chunk.usage
        self._usage_extra = chunk.model_extra
        if self._preserve_raw:
            # when the run asks for raw usage, the Agents SDK keeps the JSON dump of this chunk's
            # `usage`: a copy carrying the gateway's cost (pydantic extras, dumped with the
            # tokens) puts the cost there. The original stays in self._usage for the record.
            cost = cost_fields(chunk.model_extra)
            if cost:
                chunk.usage = chunk.usage.model_copy(update=cost)

    def reasoning_details(self) -> list[Any] | None:
        """The stream's ``reasoning_details`` so far, merged by type and index (None if none)."""
        fragments = self._reasoning_fragments
        return merge_reasoning_details(fragments) if fragments else None

    def cost(self) -> dict[str, Any]:
        """The gateway's ``cost`` / ``cost_details`` from the usage chunk (empty without one)."""
        return cost_fields(self._usage_extra)

    def record_builder(self, request_id: str | None) -> Callable[[], UsageRecord]:
        """Builds the stream's usage record (without a usage chunk, because the run set
        ``include_usage=False``, the request still counts, with an unknown cost)."""
        return record_builder(
            self._usage,
            self._usage_extra,
            model=self.model,
            request_id=request_id,
            provider=self.provider,
        )

    def _finish(self) -> None:
        if self._finished is None:
            return
        finished = self._finished
        self._finished = None
        if not finished:
            raise InfronStreamError(
                "The Infron stream ended before the model finished (no finish_reason); the "
                "connection may have dropped. The partial answer was not returned; retry the "
                "request.",
                request_id=self.request_id,
            )
        self._on_finish(self)

    async def aclose(self) -> None:
        close_reader = getattr(self._iterator, "aclose", None)
        if close_reader is not None:
            await close_reader()
        close = getattr(self._stream, "close", None)
        if close is not None:
            result = close()
            if hasattr(result, "__await__"):
                await result

    async def close(self) -> None:
        await self.aclose()
