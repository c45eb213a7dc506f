"""The Anthropic-compatible /v1/messages endpoint with the official ``anthropic`` client."""

from __future__ import annotations

import json
from typing import Any

import anthropic
import pytest
from sandbox_helpers import AUTH, HTTP, KEY, assert_cost_adds_up, assert_valid, parse_sse

CLAUDE = "anthropic/claude-sonnet-4.5"
WEATHER_TOOL = {
    "name": "get_weather",
    "description": "Weather for a city",
    "input_schema": {
        "type": "object",
        "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1}},
        "required": ["city"],
    },
}


def _client(sb: Any, **kw: Any) -> anthropic.Anthropic:
    client = sb.anthropic_client(**kw)
    assert isinstance(client, anthropic.Anthropic)
    return client


def test_non_stream_with_x_api_key(infron_sandbox: Any) -> None:
    # Anthropic's own API takes ``x-api-key``; this SDK build sends ``Authorization: Bearer``,
    # so drop that header and send the key as ``x-api-key``.
    headers = {"x-api-key": KEY, "Authorization": anthropic.omit}
    msg = _client(infron_sandbox, default_headers=headers).messages.create(
        model=CLAUDE,
        max_tokens=200,
        system="Be kind.",
        messages=[{"role": "user", "content": "Why is the ocean salty?"}],
    )
    headers = infron_sandbox.last_request().headers
    assert headers["x-api-key"] == "***" and "authorization" not in headers
    assert msg.type == "message" and msg.role == "assistant"
    assert msg.stop_reason == "end_turn"
    assert len(msg.content) == 1 and msg.content[0].type == "text"
    assert msg.content[0].text.startswith('You said: "Why is the ocean salty?"')
    assert msg.usage.input_tokens > 0 and msg.usage.output_tokens > 0
    extra = msg.model_extra or {}
    assert extra["provider"] == "anthropic" and extra["request_id"]


def test_bearer_auth_also_works(infron_sandbox: Any) -> None:
    client = anthropic.Anthropic(base_url=infron_sandbox.url, auth_token=KEY, max_retries=0)
    msg = client.messages.create(
        model=CLAUDE, max_tokens=50, messages=[{"role": "user", "content": "hi"}]
    )
    assert msg.content


def test_bad_key_is_authentication_error(infron_sandbox: Any) -> None:
    client = anthropic.Anthropic(base_url=infron_sandbox.url, api_key="nope", max_retries=0)
    with pytest.raises(anthropic.AuthenticationError):
        client.messages.create(
            model=CLAUDE, max_tokens=5, messages=[{"role": "user", "content": "hi"}]
        )


def test_thinking_blocks(infron_sandbox: Any) -> None:
    msg = _client(infron_sandbox).messages.create(
        model=CLAUDE,
        max_tokens=2000,
        thinking={"type": "enabled", "budget_tokens": 1024},
        messages=[{"role": "user", "content": "Solve it"}],
    )
    assert [b.type for b in msg.content] == ["thinking", "text"]
    thinking = msg.content[0]
    assert thinking.type == "thinking" and thinking.thinking and thinking.signature
    budget = _client(infron_sandbox).messages.create(
        model=CLAUDE,
        max_tokens=2000,
        thinking={"type": "enabled", "budget_tokens": 5},
        messages=[{"role": "user", "content": "Solve it"}],
    )
    assert budget.content[0].type == "thinking"
    disabled = _client(infron_sandbox).messages.create(
        model="deepseek/deepseek-r1",
        max_tokens=200,
        thinking={"type": "disabled"},
        messages=[{"role": "user", "content": "x"}],
    )
    assert [b.type for b in disabled.content] == ["text"]


def test_stream_events_and_accumulated_message(infron_sandbox: Any) -> None:
    client = _client(infron_sandbox)
    with client.messages.stream(
        model=CLAUDE,
        max_tokens=2000,
        thinking={"type": "enabled", "budget_tokens": 1024},
        messages=[{"role": "user", "content": "Stream please"}],
    ) as stream:
        types = [event.type for event in stream]
        final = stream.get_final_message()
    assert types[0] == "message_start"
    assert types[-1] == "message_stop"
    assert "message_delta" in types
    assert types.count("content_block_start") == 2 == types.count("content_block_stop")
    assert [b.type for b in final.content] == ["thinking", "text"]
    full = client.messages.create(
        model=CLAUDE,
        max_tokens=2000,
        thinking={"type": "enabled", "budget_tokens": 1024},
        messages=[{"role": "user", "content": "Stream please"}],
    )
    assert final.content[1].text == full.content[1].text  # type: ignore[union-attr]
    assert final.usage.output_tokens == full.usage.output_tokens


def test_raw_stream_event_names(infron_sandbox: Any) -> None:
    body = {
        "model": CLAUDE,
        "max_tokens": 100,
        "stream": True,
        "messages": [{"role": "user", "content": "hi"}],
    }
    with HTTP.stream("POST", infron_sandbox.base_url + "/messages", json=body, headers=AUTH) as r:
        events = [e for e, _ in parse_sse(r.read().decode()) if e != ":"]
    assert events[:3] == ["message_start", "ping", "content_block_start"]
    assert "content_block_delta" in events
    assert events[-3:] == ["content_block_stop", "message_delta", "message_stop"]


def test_tool_use_round_trip(infron_sandbox: Any) -> None:
    client = _client(infron_sandbox)
    messages: list[Any] = [{"role": "user", "content": "What's the weather in Madrid?"}]
    first = client.messages.create(
        model=CLAUDE, max_tokens=500, tools=[WEATHER_TOOL], messages=messages
    )
    assert first.stop_reason == "tool_use"
    tool_use = next(b for b in first.content if b.type == "tool_use")
    assert tool_use.id.startswith("toolu_") and tool_use.name == "get_weather"
    assert_valid(tool_use.input, WEATHER_TOOL["input_schema"])
    assert tool_use.input["city"] == "Madrid"  # type: ignore[index]
    messages += [
        {"role": "assistant", "content": [b.model_dump() for b in first.content]},
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": tool_use.id, "content": "31 C"}],
        },
    ]
    second = client.messages.create(
        model=CLAUDE, max_tokens=500, tools=[WEATHER_TOOL], messages=messages
    )
    assert second.stop_reason == "end_turn"
    assert second.content[0].text == "Based on get_weather: 31 C."  # type: ignore[union-attr]
    with client.messages.stream(
        model=CLAUDE, max_tokens=500, tools=[WEATHER_TOOL], messages=messages[:1]
    ) as stream:
        streamed = stream.get_final_message()
    block = next(b for b in streamed.content if b.type == "tool_use")
    assert block.input == tool_use.input


def test_tool_choice_none_and_specific(infron_sandbox: Any) -> None:
    client = _client(infron_sandbox)
    other = {**WEATHER_TOOL, "name": "get_time"}
    none = client.messages.create(
        model=CLAUDE,
        max_tokens=100,
        tools=[WEATHER_TOOL],
        tool_choice={"type": "none"},
        messages=[{"role": "user", "content": "get_weather"}],
    )
    assert none.stop_reason == "end_turn"
    chosen = client.messages.create(
        model=CLAUDE,
        max_tokens=100,
        tools=[WEATHER_TOOL, other],
        tool_choice={"type": "tool", "name": "get_time"},
        messages=[{"role": "user", "content": "x"}],
    )
    assert [b.name for b in chosen.content if b.type == "tool_use"] == ["get_time"]


def test_stop_sequences_and_max_tokens(infron_sandbox: Any) -> None:
    client = _client(infron_sandbox)
    stopped = client.messages.create(
        model=CLAUDE,
        max_tokens=100,
        stop_sequences=["answer"],
        messages=[{"role": "user", "content": "x"}],
    )
    assert stopped.stop_reason == "stop_sequence" and stopped.stop_sequence == "answer"
    short = client.messages.create(
        model=CLAUDE, max_tokens=3, messages=[{"role": "user", "content": "x"}]
    )
    assert short.stop_reason == "max_tokens" and short.usage.output_tokens == 3


def test_cost_and_prompt_caching(infron_sandbox: Any) -> None:
    client = _client(infron_sandbox)
    system = [
        {"type": "text", "text": "Long reference. " * 100, "cache_control": {"type": "ephemeral"}}
    ]
    first = client.messages.create(
        model=CLAUDE,
        max_tokens=50,
        system=system,  # type: ignore[arg-type]
        messages=[{"role": "user", "content": "q1"}],
        extra_body={"usage": {"include": True}},
    )
    written = first.usage.cache_creation_input_tokens
    assert written and written > 0 and first.usage.cache_read_input_tokens == 0
    second = client.messages.create(
        model=CLAUDE,
        max_tokens=50,
        system=system,  # type: ignore[arg-type]
        messages=[{"role": "user", "content": "q2"}],
        extra_body={"usage": {"include": True}},
    )
    assert second.usage.cache_read_input_tokens == written
    assert second.usage.cache_creation_input_tokens == 0
    extra = second.model_extra or {}
    assert_cost_adds_up(extra)
    assert extra["cost_details"]["prompt_cache_read_cost"] > 0


def test_web_search_tool_citations(infron_sandbox: Any) -> None:
    msg = _client(infron_sandbox).messages.create(
        model=CLAUDE,
        max_tokens=300,
        tools=[{"type": "web_search_20250305", "name": "web_search", "max_uses": 1}],
        messages=[{"role": "user", "content": "Latest Mars news"}],
    )
    text = msg.content[0]
    assert text.type == "text" and text.citations
    assert msg.usage.server_tool_use is not None
    assert msg.usage.server_tool_use.web_search_requests == 1


def test_images_and_documents_accepted(infron_sandbox: Any) -> None:
    content = [
        {
            "type": "image",
            "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="},
        },
        {
            "type": "document",
            "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0="},
        },
        {"type": "text", "text": "What are these?"},
    ]
    msg = _client(infron_sandbox).messages.create(
        model=CLAUDE, max_tokens=100, messages=[{"role": "user", "content": content}]
    )
    assert "I see 1 image and 1 file." in msg.content[0].text  # type: ignore[union-attr]
    assert json.dumps(msg.model_dump())
