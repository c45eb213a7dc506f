"""The OpenAI Responses-compatible /v1/responses endpoint with the official ``openai`` client."""

from __future__ import annotations

import json
from typing import Any

import pydantic
from sandbox_helpers import AUTH, HTTP, assert_cost_adds_up, assert_valid, parse_sse

TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Weather for a city",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": False,
    },
    "strict": True,
}


def test_non_stream_text(infron_sandbox: Any) -> None:
    client = infron_sandbox.openai_client()
    r = client.responses.create(
        model="openai/gpt-4o", input="Hello there", instructions="Be brief."
    )
    assert r.object == "response" and r.status == "completed"
    assert (
        r.output_text
        == 'You said: "Hello there". This is a deterministic answer from the Infron sandbox.'
    )
    assert r.usage is not None and r.usage.input_tokens > 0 and r.usage.output_tokens > 0
    assert r.usage.total_tokens == r.usage.input_tokens + r.usage.output_tokens
    extra = r.model_extra or {}
    assert extra["provider"] == "openai" and extra["request_id"]


def test_input_items_and_cost(infron_sandbox: Any) -> None:
    client = infron_sandbox.openai_client()
    r = client.responses.create(
        model="anthropic/claude-sonnet-4.5",
        input=[
            {"role": "developer", "content": "Rules."},
            {
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "Look at this"},
                    {"type": "input_image", "image_url": "https://example.com/a.png"},
                ],
            },
        ],
        extra_body={"usage": {"include": True}},
    )
    assert "I see 1 image." in r.output_text
    assert_cost_adds_up(r.model_extra or {})


def test_stream_events(infron_sandbox: Any) -> None:
    client = infron_sandbox.openai_client()
    stream = client.responses.create(model="openai/o4-mini", input="Stream it", stream=True)
    events = list(stream)
    types = [e.type for e in events]
    assert types[0] == "response.created" and types[-1] == "response.completed"
    assert "response.output_item.added" in types
    assert "response.output_text.delta" in types
    assert "response.reasoning_summary_text.delta" in types
    first_text = types.index("response.output_text.delta")
    assert (
        max(i for i, t in enumerate(types) if t == "response.reasoning_summary_text.delta")
        < first_text
    )
    assert [e.sequence_number for e in events] == list(range(len(events)))
    completed = events[-1].response  # type: ignore[union-attr]
    assert completed.usage is not None
    assert completed.usage.output_tokens_details.reasoning_tokens > 0
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")  # type: ignore[union-attr]
    assert text == completed.output_text


def test_stream_helper_and_raw_frames(infron_sandbox: Any) -> None:
    client = infron_sandbox.openai_client()
    with client.responses.stream(model="openai/gpt-4o", input="Helper") as stream:
        final = stream.get_final_response()
    assert final.output_text.startswith('You said: "Helper"')
    with HTTP.stream(
        "POST",
        infron_sandbox.base_url + "/responses",
        headers=AUTH,
        json={"model": "openai/gpt-4o", "input": "raw", "stream": True},
    ) as r:
        frames = parse_sse(r.read().decode())
    assert frames[0][0] == ":"
    named = [(e, json.loads(d)) for e, d in frames if e != ":"]
    assert all(e == d["type"] for e, d in named)


def test_function_call_round_trip(infron_sandbox: Any) -> None:
    client = infron_sandbox.openai_client()
    first = client.responses.create(model="openai/gpt-4o", input="Weather in Lisbon?", tools=[TOOL])  # type: ignore[list-item]
    call = next(item for item in first.output if item.type == "function_call")
    assert call.name == "get_weather"
    args = json.loads(call.arguments)
    assert_valid(args, TOOL["parameters"])  # type: ignore[arg-type]
    assert args["city"] == "Lisbon"
    second = client.responses.create(
        model="openai/gpt-4o",
        tools=[TOOL],  # type: ignore[list-item]
        input=[
            {"role": "user", "content": "Weather in Lisbon?"},
            {
                "type": "function_call",
                "call_id": call.call_id,
                "name": call.name,
                "arguments": call.arguments,
            },
            {"type": "function_call_output", "call_id": call.call_id, "output": "19 C, windy"},
        ],
    )
    assert second.output_text == "Based on get_weather: 19 C, windy."


def test_streamed_function_call_arguments(infron_sandbox: Any) -> None:
    client = infron_sandbox.openai_client()
    stream = client.responses.create(
        model="openai/gpt-4o", input="get_weather for Quito", tools=[TOOL], stream=True
    )  # type: ignore[list-item]
    events = list(stream)
    deltas = [e.delta for e in events if e.type == "response.function_call_arguments.delta"]  # type: ignore[union-attr]
    assert len(deltas) >= 2
    done = next(e for e in events if e.type == "response.function_call_arguments.done")
    assert "".join(deltas) == done.arguments  # type: ignore[union-attr]
    assert json.loads(done.arguments)["city"] == "Quito"  # type: ignore[union-attr]


class Answer(pydantic.BaseModel):
    summary: str
    score: int


def test_structured_output_and_max_output_tokens(infron_sandbox: Any) -> None:
    client = infron_sandbox.openai_client()
    parsed = client.responses.parse(model="openai/gpt-4o", input="Rate this", text_format=Answer)
    assert isinstance(parsed.output_parsed, Answer)
    short = client.responses.create(
        model="openai/gpt-4o", input="long answer please", max_output_tokens=4
    )
    assert short.status == "incomplete"
    assert short.incomplete_details is not None
    assert short.incomplete_details.reason == "max_output_tokens"


def test_web_search_tool(infron_sandbox: Any) -> None:
    client = infron_sandbox.openai_client()
    r = client.responses.create(
        model="openai/gpt-4o", input="News today", tools=[{"type": "web_search"}]
    )  # type: ignore[list-item]
    assert [item.type for item in r.output] == ["web_search_call", "message"]
    message = r.output[1]
    annotations = message.content[0].annotations  # type: ignore[union-attr]
    text = r.output_text
    assert annotations and all(
        text[a.start_index : a.end_index] == a.title
        for a in annotations  # type: ignore[union-attr]
    )
