"""Streaming through ``infron/<model>``: deltas, reasoning, tool calls, usage and cost, broken streams."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import litellm
import pytest
from litellm.exceptions import MidStreamFallbackError

from infron_integrations.core import InfronAPIError, InfronStreamError, track_usage
from infron_integrations.litellm import InfronLiteLLMStreamError

CHAT = "/v1/chat/completions"
USER = [{"role": "user", "content": "Tell me about streams"}]
TOOL = {
    "type": "function",
    "function": {
        "name": "lookup",
        "parameters": {
            "type": "object",
            "properties": {"query": {"type": "string"}, "limit": {"type": "integer"}},
            "required": ["query", "limit"],
        },
    },
}


def _spent(sb: Any) -> float:
    return float(Decimal(repr(sb.state.config.initial_balance)) - sb.state.balance(sb.api_key))


def _text(chunks: list[Any], field: str = "content") -> str:
    return "".join(getattr(c.choices[0].delta, field, None) or "" for c in chunks if c.choices)


def test_stream_wire_body_text_and_usage_with_cost(
    infron_sandbox: Any, creds: dict[str, str]
) -> None:
    stream = litellm.completion(
        model="infron/openai/gpt-4o-mini",
        messages=USER,
        stream=True,
        stream_options={"include_usage": True},
        **creds,
    )
    chunks = list(stream)
    body = infron_sandbox.last_request(CHAT).body
    assert body["stream"] is True
    assert body["usage"] == {"include": True}
    assert body["stream_options"] == {"include_usage": True}
    assert _text(chunks) == 'You said: "Tell me about streams". ' + (
        "This is a deterministic answer from the Infron sandbox."
    )
    finishes = [
        c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason
    ]
    assert finishes == ["stop"]
    usage = chunks[-1].usage
    assert usage.completion_tokens > 0
    assert usage.cost == pytest.approx(_spent(infron_sandbox))
    # stream_chunk_builder (what LiteLLM logs) gets the same usage and cost
    built = litellm.stream_chunk_builder(chunks)
    assert built.usage.cost == pytest.approx(_spent(infron_sandbox))


def test_stream_cost_reaches_callbacks_without_stream_options(
    infron_sandbox: Any, creds: dict[str, str], cost_logger: Any
) -> None:
    chunks = list(
        litellm.completion(model="infron/openai/gpt-4o-mini", messages=USER, stream=True, **creds)
    )
    assert _text(chunks).startswith("You said:")
    event = cost_logger.wait(chunks[0].id)
    assert event["response_cost"] == pytest.approx(_spent(infron_sandbox))


def test_stream_reasoning_comes_before_content(infron_sandbox: Any, creds: dict[str, str]) -> None:
    chunks = list(
        litellm.completion(
            model="infron/deepseek/deepseek-r1",
            messages=USER,
            stream=True,
            stream_options={"include_usage": True},
            **creds,
        )
    )
    kinds = []
    for chunk in chunks:
        if not chunk.choices:
            continue
        delta = chunk.choices[0].delta
        if getattr(delta, "reasoning_content", None):
            kinds.append("reasoning")
        elif getattr(delta, "content", None):
            kinds.append("content")
    assert kinds[0] == "reasoning" and kinds[-1] == "content"
    assert kinds.index("content") > max(i for i, k in enumerate(kinds) if k == "reasoning")
    assert _text(chunks, "reasoning_content").startswith("The user wrote")
    assert chunks[-1].usage.completion_tokens_details.reasoning_tokens > 0
    built = litellm.stream_chunk_builder(chunks)
    assert built.choices[0].message.reasoning_content.startswith("The user wrote")


def test_stream_tool_call_deltas_assemble(infron_sandbox: Any, creds: dict[str, str]) -> None:
    chunks = list(
        litellm.completion(
            model="infron/openai/gpt-4o",
            messages=[{"role": "user", "content": "lookup cats"}],
            tools=[TOOL],
            stream=True,
            **creds,
        )
    )
    pieces = [c for c in chunks if c.choices and getattr(c.choices[0].delta, "tool_calls", None)]
    assert len(pieces) > 1  # the arguments arrive over several deltas
    built = litellm.stream_chunk_builder(chunks)
    call = built.choices[0].message.tool_calls[0]
    assert call.function.name == "lookup"
    assert set(json.loads(call.function.arguments)) == {"query", "limit"}
    assert built.choices[0].finish_reason == "tool_calls"


async def test_astream(infron_sandbox: Any, creds: dict[str, str], cost_logger: Any) -> None:
    stream = await litellm.acompletion(
        model="infron/deepseek/deepseek-r1",
        messages=USER,
        stream=True,
        stream_options={"include_usage": True},
        **creds,
    )
    chunks = [chunk async for chunk in stream]
    assert _text(chunks).startswith("You said:")
    assert _text(chunks, "reasoning_content").startswith("The user wrote")
    assert chunks[-1].usage.cost == pytest.approx(_spent(infron_sandbox))
    event = await cost_logger.await_event(chunks[0].id)
    assert event["response_cost"] == pytest.approx(_spent(infron_sandbox))


async def test_astream_tool_calls(infron_sandbox: Any, creds: dict[str, str]) -> None:
    stream = await litellm.acompletion(
        model="infron/openai/gpt-4o",
        messages=[{"role": "user", "content": "lookup dogs"}],
        tools=[TOOL],
        stream=True,
        **creds,
    )
    chunks = [chunk async for chunk in stream]
    call = litellm.stream_chunk_builder(chunks).choices[0].message.tool_calls[0]
    assert call.function.name == "lookup"


def test_stream_usage_is_recorded_once(infron_sandbox: Any, creds: dict[str, str]) -> None:
    with track_usage() as run:
        list(litellm.completion(model="infron/openai/gpt-4o", messages=USER, stream=True, **creds))
    assert run.total.requests == 1
    assert run.total_cost == pytest.approx(_spent(infron_sandbox))


def test_stream_without_usage_accounting_still_counts(
    infron_sandbox: Any, creds: dict[str, str]
) -> None:
    with track_usage() as run:
        chunks = list(
            litellm.completion(
                model="infron/openai/gpt-4o",
                messages=USER,
                stream=True,
                usage={"include": False},
                **creds,
            )
        )
    assert "usage" not in infron_sandbox.last_request(CHAT).body
    assert _text(chunks).startswith("You said:")
    assert run.total.requests == 1
    assert run.total.unknown_cost_requests == 1


def _broken(exc: BaseException) -> BaseException:
    """LiteLLM's stream wrapper may wrap a mid-stream error for its router; unwrap it."""
    if isinstance(exc, MidStreamFallbackError):
        return exc.original_exception  # type: ignore[no-any-return]
    return exc


def test_error_in_stream_raises(infron_sandbox: Any, creds: dict[str, str]) -> None:
    seen: list[Any] = []
    with pytest.raises(Exception) as info:
        for chunk in litellm.completion(
            model="infron/sandbox/fault-error-in-stream", messages=USER, stream=True, **creds
        ):
            seen.append(chunk)
    error = _broken(info.value)
    assert isinstance(error, InfronAPIError) and isinstance(error, litellm.BadGatewayError)
    assert error.in_band and error.status_code == 502
    assert _text(seen)  # content arrived before the error, and was not returned as an answer


@pytest.mark.parametrize("kind", ["drop-mid-stream", "malformed-sse"])
def test_broken_stream_raises(infron_sandbox: Any, creds: dict[str, str], kind: str) -> None:
    with pytest.raises(Exception) as info:
        list(
            litellm.completion(
                model=f"infron/sandbox/fault-{kind}",
                messages=USER,
                stream=True,
                max_retries=0,
                **creds,
            )
        )
    error = _broken(info.value)
    assert isinstance(error, InfronStreamError)
    assert isinstance(error, InfronLiteLLMStreamError)
    assert isinstance(error, litellm.APIConnectionError)


async def test_async_broken_stream_raises(infron_sandbox: Any, creds: dict[str, str]) -> None:
    stream = await litellm.acompletion(
        model="infron/sandbox/fault-drop-mid-stream", messages=USER, stream=True, **creds
    )
    with pytest.raises(Exception) as info:
        async for _ in stream:
            pass
    assert isinstance(_broken(info.value), InfronStreamError)


def test_stream_without_finish_reason_raises(infron_sandbox: Any, creds: dict[str, str]) -> None:
    infron_sandbox.script(
        [
            {
                "id": "x",
                "object": "chat.completion.chunk",
                "created": 1,
                "model": "openai/gpt-4o",
                "choices": [{"index": 0, "delta": {"content": "half an ans"}}],
            }
        ]
    )
    with pytest.raises(Exception) as info:
        list(litellm.completion(model="infron/openai/gpt-4o", messages=USER, stream=True, **creds))
    error = _broken(info.value)
    assert isinstance(error, InfronStreamError)
    assert error.partial_text == "half an ans"


def _idle(port: int) -> int:
    from infron_integrations.litellm import _http1

    pool = _http1._sync_pools.get((False, "127.0.0.1", port))
    return len(pool.idle) if pool is not None else 0


def test_connection_is_reused_after_a_stream(infron_sandbox: Any, creds: dict[str, str]) -> None:
    """The stream is read to its end before the last chunk is handed over, so the pooled
    connection goes back to the pool instead of being dropped; one is enough for three."""
    port = int(creds["api_base"].split(":")[2].split("/")[0])
    before = _idle(port)
    for _ in range(3):
        list(litellm.completion(model="infron/openai/gpt-4o", messages=USER, stream=True, **creds))
    assert _idle(port) == max(before, 1)


async def test_async_connection_is_reused_after_a_stream(
    infron_sandbox: Any, creds: dict[str, str]
) -> None:
    from infron_integrations.litellm import _http1_async

    for _ in range(3):
        stream = await litellm.acompletion(
            model="infron/openai/gpt-4o", messages=USER, stream=True, **creds
        )
        async for _chunk in stream:
            pass
    pool = await _http1_async._loop_pool()
    port = int(creds["api_base"].split(":")[2].split("/")[0])
    assert len(pool.idle[(False, "127.0.0.1", port)]) == 1


def test_chunks_are_litellm_chunks_with_a_cheap_format(
    infron_sandbox: Any, creds: dict[str, str]
) -> None:
    from litellm.types.utils import ModelResponseStream

    chunks = list(
        litellm.completion(model="infron/openai/gpt-4o-mini", messages=USER, stream=True, **creds)
    )
    first = chunks[1]
    assert isinstance(first, ModelResponseStream)
    assert "delta=Delta(" in str(first) and "delta=Delta(" in repr(first)
    assert f"{first}" == f"ModelResponseStream(id={first.id!r}, choices=1)"
