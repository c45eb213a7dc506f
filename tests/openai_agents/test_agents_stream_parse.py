"""InfronModel parses chat completions itself (whole and streamed): the same objects the OpenAI SDK
would build (extras kept), the SDK's parse for bodies off the documented shape, typed errors for
error payloads, and a long stream read whole."""

from __future__ import annotations

from typing import Any

import pytest
from agents import ModelSettings, ModelTracing
from openai.types.chat import ChatCompletionChunk

from infron_integrations.core.errors import InfronRateLimitError, InfronStreamError
from infron_integrations.openai_agents import InfronProvider
from infron_integrations.openai_agents._client import completion_from_raw
from infron_integrations.openai_agents._stream import chunk_from_json

CHUNK = {
    "id": "gen-1",
    "object": "chat.completion.chunk",
    "created": 1700000000,
    "model": "google/gemini-2.5-pro",
    "provider": "google-vertex",
    "request_id": "0123456789abcdef0123456789abcdef",
    "choices": [
        {
            "index": 0,
            "delta": {
                "role": "assistant",
                "content": "Hi",
                "reasoning_content": "thinking",
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city":'},
                        "thought_signature": "sig-1",
                    }
                ],
            },
            "finish_reason": None,
            "native_finish_reason": None,
        }
    ],
    "usage": {
        "prompt_tokens": 10,
        "completion_tokens": 2,
        "total_tokens": 12,
        "prompt_tokens_details": {"cached_tokens": 4, "cache_write_tokens": 3},
    },
    "cost": 0.00012,
}


def test_chunk_matches_the_sdk_construction_with_extras() -> None:
    ours = chunk_from_json(CHUNK)
    sdk = ChatCompletionChunk.model_construct(**CHUNK)
    assert type(ours) is ChatCompletionChunk
    assert ours.model_dump() == sdk.model_dump()
    assert ours.model_extra == {
        "provider": "google-vertex",
        "request_id": "0123456789abcdef0123456789abcdef",
        "cost": 0.00012,
    }
    delta = ours.choices[0].delta
    assert delta.content == "Hi"
    assert (delta.model_extra or {})["reasoning_content"] == "thinking"
    call = (delta.tool_calls or [])[0]
    assert call.function is not None and call.function.arguments == '{"city":'
    assert (call.model_extra or {})["thought_signature"] == "sig-1"
    assert ours.usage is not None and ours.usage.prompt_tokens_details is not None
    assert ours.usage.prompt_tokens_details.cached_tokens == 4
    assert ours.usage.prompt_tokens_details.cache_write_tokens == 3


def test_off_shape_chunk_is_kept_as_the_sdk_would() -> None:
    # "error" is no finish_reason the SDK's types know: constructed, not rejected
    chunk = {**CHUNK, "choices": [{"index": 0, "delta": {}, "finish_reason": "error"}]}
    assert chunk_from_json(chunk).choices[0].finish_reason == "error"


def test_error_payloads_raise_typed_errors() -> None:
    with pytest.raises(InfronRateLimitError):
        chunk_from_json({"error": {"code": 429, "message": "slow down"}})
    with pytest.raises(InfronStreamError, match="error in the stream"):
        chunk_from_json({"error": "overloaded"})


async def test_long_stream_is_read_whole(provider: InfronProvider, sandbox: Any) -> None:
    words = " ".join(f"w{i}" for i in range(600))
    items: list[Any] = [
        {"role": "user", "content": "Call get_data."},
        {"type": "function_call", "call_id": "call_1", "name": "get_data", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "call_1", "output": words},
    ]
    model = provider.get_model("openai/gpt-4o-mini")
    deltas: list[str] = []
    completed: Any = None
    async for event in model.stream_response(
        None,
        items,
        ModelSettings(),
        [],
        None,
        [],
        ModelTracing.DISABLED,
        previous_response_id=None,
        conversation_id=None,
        prompt=None,
    ):
        if event.type == "response.output_text.delta":
            deltas.append(event.delta)
        elif event.type == "response.completed":
            completed = event.response
    assert "".join(deltas) == f"Based on get_data: {words}."
    assert len(deltas) == 603  # one delta per word ("Based on get_data:" and 600 words)
    assert completed is not None and completed.usage.output_tokens > 600
    wire = sandbox.last_request("/v1/chat/completions")
    assert wire.body["stream"] is True and wire.body["usage"] == {"include": True}


async def test_whole_completion_matches_the_sdk_parse(sandbox: Any) -> None:
    client = sandbox.async_openai_client()
    raw = await client.chat.completions.with_raw_response.create(
        model="openai/gpt-4o-mini",
        messages=[{"role": "user", "content": "hello"}],
        extra_body={"usage": {"include": True}},
    )
    ours, sdk = completion_from_raw(raw), raw.parse()
    assert type(ours) is type(sdk)
    assert ours.model_dump() == sdk.model_dump()
    assert ours.model_extra is not None and ours.model_extra["cost"] > 0
    assert ours._request_id == sdk._request_id == raw.http_response.headers["x-request-id"]


async def test_whole_completion_off_shape_uses_the_sdk_parse(sandbox: Any) -> None:
    body = {
        "id": "gen-1",
        "object": "chat.completion",
        "created": 1,
        "model": "openai/gpt-4o-mini",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "x"}, "finish_reason": "odd"}
        ],
    }
    sandbox.script(body)
    client = sandbox.async_openai_client()
    raw = await client.chat.completions.with_raw_response.create(
        model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "hello"}]
    )
    completion = completion_from_raw(raw)
    assert completion.choices[0].finish_reason == "odd"
    assert completion.choices[0].message.content == "x"
