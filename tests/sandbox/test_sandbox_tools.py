"""Tool calling like a test model, schema-valid arguments, streamed tool-call deltas, answers
after tool results, and structured output."""

from __future__ import annotations

import json
from typing import Any

import pydantic
import pytest
from sandbox_helpers import AUTH, HTTP, assert_valid, data_chunks

from infron_integrations.sandbox.schema_gen import generate_instance

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer", "minimum": 1, "maximum": 7},
            },
            "required": ["city"],
            "additionalProperties": False,
        },
    },
}
TIME = {
    "type": "function",
    "function": {
        "name": "get_time",
        "parameters": {
            "type": "object",
            "properties": {"timezone": {"type": "string"}},
            "required": ["timezone"],
        },
    },
}
COMPLEX_SCHEMA: dict[str, Any] = {
    "type": "object",
    "$defs": {
        "Address": {
            "type": "object",
            "properties": {
                "street": {"type": "string", "minLength": 3},
                "zip": {"type": "string", "maxLength": 5},
            },
            "required": ["street", "zip"],
        }
    },
    "properties": {
        "query": {"type": "string"},
        "limit": {"type": "integer", "minimum": 10, "maximum": 20},
        "ratio": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
        "flag": {"type": "boolean"},
        "mode": {"enum": ["fast", "slow"]},
        "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2},
        "address": {"$ref": "#/$defs/Address"},
        "maybe": {"anyOf": [{"type": "null"}, {"type": "integer"}]},
        "choice": {"oneOf": [{"type": "string", "const": "a"}, {"type": "number"}]},
        "nested": {
            "type": "object",
            "properties": {
                "deep": {
                    "type": "object",
                    "properties": {"value": {"type": ["number", "null"]}},
                    "required": ["value"],
                }
            },
        },
        "items": {"type": "array", "items": {"$ref": "#/$defs/Address"}},
        "when": {"type": "string", "format": "date-time"},
        "both": {
            "allOf": [
                {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]},
                {"properties": {"b": {"type": "string"}}, "required": ["b"]},
            ]
        },
    },
    "required": ["query", "limit", "address", "tags"],
    "additionalProperties": False,
}


def _post(sb: Any, body: dict[str, Any]) -> dict[str, Any]:
    r = HTTP.post(sb.base_url + "/chat/completions", json=body, headers=AUTH, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def _ask(text: str, tools: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "model": "openai/gpt-4o",
        "messages": [{"role": "user", "content": text}],
        "tools": tools,
        **extra,
    }


def _calls(body: dict[str, Any]) -> list[dict[str, Any]]:
    return list(body["choices"][0]["message"].get("tool_calls") or [])


def test_tool_named_in_user_text_is_called_with_schema_valid_arguments(infron_sandbox: Any) -> None:
    body = _post(infron_sandbox, _ask("Use get_weather for Paris please", [TIME, WEATHER]))
    choice = body["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["native_finish_reason"] == "tool_calls"
    assert choice["message"]["content"] is None
    (call,) = _calls(body)
    assert call["type"] == "function" and call["id"].startswith("call_")
    assert call["function"]["name"] == "get_weather"
    args = json.loads(call["function"]["arguments"])
    assert_valid(args, WEATHER["function"]["parameters"])
    assert args["city"] == "Paris"
    assert set(args) == {"city", "unit", "days"}  # optional properties too


def test_complex_schema_arguments_are_valid(infron_sandbox: Any) -> None:
    tool = {"type": "function", "function": {"name": "search", "parameters": COMPLEX_SCHEMA}}
    body = _post(infron_sandbox, _ask("Search the archive for Mars rovers", [tool]))
    args = json.loads(_calls(body)[0]["function"]["arguments"])
    assert_valid(args, COMPLEX_SCHEMA)
    assert args["query"] == "Search the archive for Mars rovers"
    assert len(args["tags"]) >= 2 and 10 <= args["limit"] <= 20


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "string", "minLength": 50},
        {"type": "integer", "exclusiveMinimum": 5, "multipleOf": 4},
        {"type": "number", "minimum": 2.5, "maximum": 2.5},
        {
            "type": "array",
            "prefixItems": [{"type": "integer"}, {"type": "boolean"}],
            "items": False,
        },
        {"type": "object", "additionalProperties": {"type": "integer"}, "minProperties": 2},
        {
            "oneOf": [{"type": "null"}, {"$ref": "#/definitions/X"}],
            "definitions": {"X": {"type": "object", "properties": {"y": {"const": 3}}}},
        },
        {"type": "object", "properties": {"self": {"$ref": "#"}}},
        {"type": ["null", "string"], "format": "email"},
        {},
    ],
)
def test_schema_generator(schema: dict[str, Any]) -> None:
    value = generate_instance(schema, "Book a table for 4 at Chez Panisse")
    assert generate_instance(schema, "Book a table for 4 at Chez Panisse") == value
    try:
        import jsonschema
    except ImportError:  # pragma: no cover
        pytest.skip("jsonschema not installed")
    jsonschema.validate(value, schema)


def test_parallel_calls_for_every_named_tool(infron_sandbox: Any) -> None:
    text = "Call get_time and get_weather for Tokyo"
    body = _post(infron_sandbox, _ask(text, [WEATHER, TIME]))
    assert [c["function"]["name"] for c in _calls(body)] == ["get_weather", "get_time"]
    assert len({c["id"] for c in _calls(body)}) == 2
    single = _post(infron_sandbox, _ask(text, [WEATHER, TIME], parallel_tool_calls=False))
    assert [c["function"]["name"] for c in _calls(single)] == ["get_weather"]
    again = _post(infron_sandbox, _ask(text, [WEATHER, TIME]))
    assert _calls(again) == _calls(body)  # deterministic ids and arguments


def test_tool_choice_rules(infron_sandbox: Any) -> None:
    unnamed = _post(infron_sandbox, _ask("What now?", [TIME, WEATHER]))
    assert [c["function"]["name"] for c in _calls(unnamed)] == ["get_time"]
    forced = _post(
        infron_sandbox,
        _ask(
            "What now?",
            [TIME, WEATHER],
            tool_choice={"type": "function", "function": {"name": "get_weather"}},
        ),
    )
    assert [c["function"]["name"] for c in _calls(forced)] == ["get_weather"]
    none = _post(infron_sandbox, _ask("Use get_weather", [WEATHER], tool_choice="none"))
    assert not _calls(none) and none["choices"][0]["finish_reason"] == "stop"
    required = _post(infron_sandbox, _ask("x", [WEATHER], tool_choice="required"))
    assert _calls(required)


def test_answer_after_tool_results(infron_sandbox: Any) -> None:
    client = infron_sandbox.openai_client()
    messages: list[Any] = [{"role": "user", "content": "What's the weather in Paris?"}]
    first = client.chat.completions.create(
        model="openai/gpt-4o", messages=messages, tools=[WEATHER]
    )  # type: ignore[list-item]
    call = first.choices[0].message.tool_calls[0]  # type: ignore[index]
    messages += [
        first.choices[0].message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": "22 C and sunny"},
    ]
    second = client.chat.completions.create(
        model="openai/gpt-4o", messages=messages, tools=[WEATHER]
    )  # type: ignore[list-item]
    assert second.choices[0].finish_reason == "stop"
    assert second.choices[0].message.content == "Based on get_weather: 22 C and sunny."
    assert not second.choices[0].message.tool_calls


def test_streamed_tool_call_deltas(infron_sandbox: Any) -> None:
    body = _ask("Call get_weather and get_time for Rome", [WEATHER, TIME], stream=True)
    with HTTP.stream(
        "POST", infron_sandbox.base_url + "/chat/completions", json=body, headers=AUTH
    ) as r:
        chunks = data_chunks(r.read().decode())
    deltas = [d for c in chunks for d in c["choices"][0]["delta"].get("tool_calls") or []]
    whole = _post(infron_sandbox, {**body, "stream": False})
    for index, expected in enumerate(_calls(whole)):
        mine = [d for d in deltas if d["index"] == index]
        assert mine[0]["id"] == expected["id"] and mine[0]["type"] == "function"
        assert mine[0]["function"]["name"] == expected["function"]["name"]
        assert len(mine) >= 3  # head + several argument pieces
        assert all("id" not in d for d in mine[1:])
        args = "".join(d["function"].get("arguments", "") for d in mine)
        assert args == expected["function"]["arguments"]
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_openai_client_accumulates_streamed_tool_calls(infron_sandbox: Any) -> None:
    client = infron_sandbox.openai_client()
    with client.chat.completions.stream(
        model="openai/gpt-4o",
        messages=[{"role": "user", "content": "Use get_weather in Oslo"}],
        tools=[WEATHER],  # type: ignore[list-item]
    ) as stream:
        final = stream.get_final_completion()
    call = final.choices[0].message.tool_calls[0]  # type: ignore[index]
    assert call.function.name == "get_weather"  # type: ignore[union-attr]
    assert json.loads(call.function.arguments)["city"] == "Oslo"  # type: ignore[union-attr]


def test_gemini_tool_calls_carry_thought_signatures(infron_sandbox: Any) -> None:
    body = _post(
        infron_sandbox,
        {**_ask("get_weather in Lima", [WEATHER]), "model": "google/gemini-2.5-flash"},
    )
    assert _calls(body)[0]["thought_signature"]


def test_structured_output_json_schema(infron_sandbox: Any) -> None:
    rf = {
        "type": "json_schema",
        "json_schema": {"name": "search", "schema": COMPLEX_SCHEMA, "strict": True},
    }
    body = _post(
        infron_sandbox,
        {
            "model": "openai/gpt-4o",
            "response_format": rf,
            "messages": [{"role": "user", "content": "Find Mars data"}],
        },
    )
    assert_valid(json.loads(body["choices"][0]["message"]["content"]), COMPLEX_SCHEMA)
    obj = _post(
        infron_sandbox,
        {
            "model": "openai/gpt-4o",
            "response_format": {"type": "json_object"},
            "messages": [{"role": "user", "content": "json please"}],
        },
    )
    assert isinstance(json.loads(obj["choices"][0]["message"]["content"]), dict)


def test_structured_output_wins_over_unforced_tools(infron_sandbox: Any) -> None:
    rf = {"type": "json_object"}
    auto = _post(infron_sandbox, _ask("Use get_weather", [WEATHER], response_format=rf))
    assert not _calls(auto)
    json.loads(auto["choices"][0]["message"]["content"])
    forced = _post(infron_sandbox, _ask("x", [WEATHER], response_format=rf, tool_choice="required"))
    assert _calls(forced)


class Person(pydantic.BaseModel):
    name: str
    age: int
    emails: list[str]


def test_openai_parse_helper(infron_sandbox: Any) -> None:
    client = infron_sandbox.openai_client()
    completion = client.chat.completions.parse(
        model="openai/gpt-4o",
        messages=[{"role": "user", "content": "Describe Ada Lovelace"}],
        response_format=Person,
    )
    parsed = completion.choices[0].message.parsed
    assert isinstance(parsed, Person)
    assert parsed.name == "Ada Lovelace"
