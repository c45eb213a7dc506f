"""Streaming chat completions for ChatInfron (sync and async).

Docs: Streaming (SSE ``data:`` frames, ``: INFRONAI PROCESSING`` comments, ``[DONE]``, the final
``choices: []`` chunk with usage and cost) and Errors code (an error mid-stream arrives as a chunk
whose choice has ``finish_reason: "error"``).

A broken stream raises: an in-band error, a malformed frame, a dropped connection or a stream that
ends without a ``finish_reason`` all become typed errors (the partial text is kept on the error,
never returned as an answer). A completed stream records one usage record and ends with one
closing chunk that carries the usage, cost and ids.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, cast

from langchain_core.outputs import ChatGenerationChunk

from ..core.openai_compat import RawResponse, raw_response_type
from ..core.stream import StreamAccumulator, aiter_sse_json, iter_sse_json
from ._chat_convert import StreamConverter
from ._chat_transport import ChunkWatchdog
from ._compat import StreamChunkTimeoutError, should_stream_usage
from ._errors import to_langchain_error

if TYPE_CHECKING:
    from langchain_core.callbacks import (
        AsyncCallbackManagerForLLMRun,
        CallbackManagerForLLMRun,
    )
    from langchain_core.messages import BaseMessage

    from .chat_models import ChatInfron

__all__ = ["astream", "stream"]

_PATH = "/chat/completions"


def _request(
    model: ChatInfron,
    messages: list[BaseMessage],
    stop: list[str] | None,
    stream_usage: bool | None,
    kwargs: dict[str, Any],
) -> tuple[dict[str, Any], StreamConverter, dict[str, Any]]:
    kwargs["stream"] = True
    report = should_stream_usage(model, stream_usage, kwargs)
    if report:
        kwargs["stream_options"] = {"include_usage": True}
    payload, schema, options = model._prepare(messages, stop, kwargs)
    # usage still reaches the trackers (for cost); it is only kept off the chunks
    converter = StreamConverter(
        payload["model"],
        schema,
        report_usage=report,
        cost_in_usage=model.cost_in_usage_metadata,
    )
    return payload, converter, options


def _raise(exc: Exception, response: RawResponse | None, acc: StreamAccumulator) -> None:
    request_id = acc.request_id or (
        response.headers.get("x-request-id") if response is not None else None
    )
    error = to_langchain_error(
        exc, response=response, partial_text=acc.partial_text, request_id=request_id
    )
    if error is exc:
        raise exc
    raise error from exc


def stream(
    model: ChatInfron,
    messages: list[BaseMessage],
    stop: list[str] | None,
    run_manager: CallbackManagerForLLMRun | None,
    stream_usage: bool | None,
    kwargs: dict[str, Any],
) -> Iterator[ChatGenerationChunk]:
    """``ChatInfron._stream``: chat completions over SSE."""
    payload, converter, options = _request(model, messages, stop, stream_usage, kwargs)
    acc = StreamAccumulator()
    response: RawResponse | None = None
    try:
        response = model.root_client.post(
            _PATH, body=payload, cast_to=raw_response_type(), options=options, stream=True
        )
    except Exception as exc:
        _raise(exc, response, acc)
    assert response is not None
    headers = model._headers_info(response)
    lines = response.iter_lines()
    try:
        for data in iter_sse_json(lines):
            acc.feed(data)
            chunk = converter.chunk(data)
            if chunk is None:
                continue
            if headers is not None:
                chunk.generation_info = {**(chunk.generation_info or {}), **headers}
                headers = None
            if run_manager is not None:
                info = chunk.generation_info
                run_manager.on_llm_new_token(
                    chunk.text, chunk=chunk, logprobs=info.get("logprobs") if info else None
                )
            yield chunk
        acc.finish()
        for _ in lines:  # read past [DONE] so the connection goes back to the pool
            pass
    except Exception as exc:
        _raise(exc, response, acc)
    finally:
        response.close()
    model._record(acc.usage_record(framework="langchain"), payload["model"])
    final = converter.final_chunk(acc.partial_text)
    if run_manager is not None:
        run_manager.on_llm_new_token("", chunk=final)
    yield final


async def astream(
    model: ChatInfron,
    messages: list[BaseMessage],
    stop: list[str] | None,
    run_manager: AsyncCallbackManagerForLLMRun | None,
    stream_usage: bool | None,
    kwargs: dict[str, Any],
) -> AsyncIterator[ChatGenerationChunk]:
    """``ChatInfron._astream``: chat completions over SSE, with ``stream_chunk_timeout``."""
    payload, converter, options = _request(model, messages, stop, stream_usage, kwargs)
    acc = StreamAccumulator()
    response: RawResponse | None = None
    try:
        response = await model._async_root().post(
            _PATH, body=payload, cast_to=raw_response_type(), options=options, stream=True
        )
    except Exception as exc:
        _raise(exc, response, acc)
    assert response is not None
    headers = model._headers_info(response)
    timeout = model.stream_chunk_timeout
    watchdog = ChunkWatchdog(timeout) if timeout and timeout > 0 else None
    lines = response.aiter_lines()
    items = cast(AsyncGenerator[dict[str, Any], None], aiter_sse_json(lines))
    try:
        while True:
            if watchdog is not None:
                watchdog.waiting_since = watchdog.now()
            try:
                data = await items.__anext__()
            except StopAsyncIteration:
                break
            except asyncio.CancelledError:
                if watchdog is None or not watchdog.fired:
                    raise
                watchdog.acknowledge()
                raise _chunk_timeout(model, watchdog) from None
            if watchdog is not None:
                watchdog.waiting_since = None
                watchdog.chunks += 1
            acc.feed(data)
            chunk = converter.chunk(data)
            if chunk is None:
                continue
            if headers is not None:
                chunk.generation_info = {**(chunk.generation_info or {}), **headers}
                headers = None
            if run_manager is not None:
                info = chunk.generation_info
                await run_manager.on_llm_new_token(
                    chunk.text, chunk=chunk, logprobs=info.get("logprobs") if info else None
                )
            yield chunk
        acc.finish()
        async for _ in lines:  # read past [DONE] so the connection goes back to the pool
            pass
    except Exception as exc:
        if isinstance(exc, asyncio.TimeoutError):
            raise
        _raise(exc, response, acc)
    finally:
        if watchdog is not None:
            watchdog.close()
        await items.aclose()
        await response.aclose()
    model._record(acc.usage_record(framework="langchain"), payload["model"])
    final = converter.final_chunk(acc.partial_text)
    if run_manager is not None:
        await run_manager.on_llm_new_token("", chunk=final)
    yield final


def _chunk_timeout(model: ChatInfron, watchdog: ChunkWatchdog) -> BaseException:
    return StreamChunkTimeoutError(
        watchdog.timeout, model_name=model.model_name, chunks_received=watchdog.chunks
    )
