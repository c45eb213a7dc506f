"""``litellm.completion``/``acompletion`` with ``infron/<model>`` against the sandbox (non-stream).

Each test checks the wire body the sandbox received and what the LiteLLM user gets back.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import litellm
import pydantic
import pytest

from infron_integrations.core import track_usage

CHAT = "/v1/chat/completions"
USER = [{"role": "user", "content": "What is the capital of France?"}]
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "unit": {"enum": ["c", "f"]}},
            "required": ["city", "unit"],
        },
    },
}


def _spent(sb: Any) -> float:
    """What the sandbox charged the key so far (its own ledger of reported costs)."""
    return float(Decimal(repr(sb.state.config.initial_balance)) - sb.state.balance(sb.api_key))


def test_completion_wire_body_and_cost(infron_sandbox: Any, creds: dict[str, str]) -> None:
    response = litellm.completion(
        model="infron/openai/gpt-4o-mini", messages=USER, temperature=0.2, max_tokens=50, **creds
    )
    body = infron_sandbox.last_request(CHAT).body
    assert body == {
        "model": "openai/gpt-4o-mini",
        "messages": USER,
        "temperature": 0.2,
        "max_tokens": 50,
        "usage": {"include": True},
    }
    assert (
        infron_sandbox.last_request(CHAT).headers["user-agent"].startswith("infron-integrations/")
    )
    assert isinstance(response, litellm.ModelResponse)
    assert response.choices[0].message.content.startswith('You said: "What is the capital')
    assert response.choices[0].finish_reason == "stop"
    cost = _spent(infron_sandbox)
    assert cost > 0
    assert response.usage.cost == pytest.approx(cost)
    assert response._hidden_params["response_cost"] == pytest.approx(cost)
    assert response.provider == "openai"
    assert len(response.request_id) == 32
    assert set(response.cost_details) >= {"prompt_cost", "completion_cost", "reasoning_cost"}
    assert response.usage.prompt_tokens > 0 and response.usage.completion_tokens > 0


def test_cost_reaches_litellm_callbacks(
    infron_sandbox: Any, creds: dict[str, str], cost_logger: Any
) -> None:
    response = litellm.completion(model="infron/openai/gpt-4o-mini", messages=USER, **creds)
    event = cost_logger.wait(response.id)
    assert event["response_cost"] == pytest.approx(_spent(infron_sandbox))
    assert event["payload"]["response_cost"] == pytest.approx(_spent(infron_sandbox))


async def test_acompletion(infron_sandbox: Any, creds: dict[str, str]) -> None:
    response = await litellm.acompletion(
        model="infron/anthropic/claude-sonnet-4.5", messages=USER, **creds
    )
    assert response.choices[0].message.content.startswith("You said:")
    assert response.provider == "anthropic"
    assert response._hidden_params["response_cost"] == pytest.approx(_spent(infron_sandbox))
    assert infron_sandbox.last_request(CHAT).body["model"] == "anthropic/claude-sonnet-4.5"


def test_reasoning_content_and_tokens_survive(infron_sandbox: Any, creds: dict[str, str]) -> None:
    response = litellm.completion(model="infron/deepseek/deepseek-r1", messages=USER, **creds)
    message = response.choices[0].message
    assert message.reasoning_content and message.reasoning_content.startswith("The user wrote")
    # Infron sends the text twice (reasoning_content and reasoning); it is kept once.
    assert "reasoning" not in (message.provider_specific_fields or {})
    assert response.usage.completion_tokens_details.reasoning_tokens > 0
    assert response.cost_details["reasoning_cost"] > 0


def test_tool_calls(infron_sandbox: Any, creds: dict[str, str]) -> None:
    messages = [{"role": "user", "content": "What is the weather in Paris?"}]
    response = litellm.completion(
        model="infron/openai/gpt-4o", messages=messages, tools=[WEATHER_TOOL], **creds
    )
    assert infron_sandbox.last_request(CHAT).body["tools"] == [WEATHER_TOOL]
    choice = response.choices[0]
    assert choice.finish_reason == "tool_calls"
    call = choice.message.tool_calls[0]
    assert call.function.name == "get_weather"
    args = json.loads(call.function.arguments)
    assert set(args) == {"city", "unit"} and args["unit"] in ("c", "f")

    # the tool result goes back and the model answers from it
    follow_up = [
        *messages,
        choice.message,  # LiteLLM's own Message object, as users append it
        {"role": "tool", "tool_call_id": call.id, "content": "22 degrees"},
    ]
    answer = litellm.completion(
        model="infron/openai/gpt-4o", messages=follow_up, tools=[WEATHER_TOOL], **creds
    )
    assert answer.choices[0].message.content == "Based on get_weather: 22 degrees."
    sent = infron_sandbox.last_request(CHAT).body["messages"]
    assert sent[1]["tool_calls"][0]["id"] == call.id
    assert sent[2] == {"role": "tool", "tool_call_id": call.id, "content": "22 degrees"}


def test_replayed_assistant_message_keeps_thought_signatures(
    infron_sandbox: Any, creds: dict[str, str]
) -> None:
    """LiteLLM files Infron's message-level ``thought_signature`` under provider_specific_fields;
    replayed, it goes back to the top level and LiteLLM's container stays off the wire."""
    messages = [{"role": "user", "content": "What is the weather in Paris?"}]
    first = litellm.completion(
        model="infron/google/gemini-2.5-pro", messages=messages, tools=[WEATHER_TOOL], **creds
    )
    message = first.choices[0].message
    signature = message.provider_specific_fields["thought_signature"]
    call = message.tool_calls[0]
    follow_up = [
        *messages,
        message,
        {"role": "tool", "tool_call_id": call.id, "content": "sunny"},
    ]
    answer = litellm.completion(
        model="infron/google/gemini-2.5-pro", messages=follow_up, tools=[WEATHER_TOOL], **creds
    )
    assert answer.choices[0].message.content == "Based on get_weather: sunny."
    sent = infron_sandbox.last_request(CHAT).body["messages"][1]
    assert sent["thought_signature"] == signature
    assert sent["tool_calls"][0]["thought_signature"] == call.thought_signature
    assert "provider_specific_fields" not in sent


class City(pydantic.BaseModel):
    name: str
    population: int


def test_structured_output_with_a_pydantic_model(
    infron_sandbox: Any, creds: dict[str, str]
) -> None:
    response = litellm.completion(
        model="infron/openai/gpt-4o-mini", messages=USER, response_format=City, **creds
    )
    sent = infron_sandbox.last_request(CHAT).body["response_format"]
    assert sent["type"] == "json_schema"
    assert sent["json_schema"]["name"] == "City"
    city = City.model_validate_json(response.choices[0].message.content)
    assert isinstance(city.population, int)


def test_json_object_mode(infron_sandbox: Any, creds: dict[str, str]) -> None:
    response = litellm.completion(
        model="infron/openai/gpt-4o-mini",
        messages=USER,
        response_format={"type": "json_object"},
        **creds,
    )
    assert infron_sandbox.last_request(CHAT).body["response_format"] == {"type": "json_object"}
    assert "answer" in json.loads(response.choices[0].message.content)


def test_image_input_is_sent_as_given(infron_sandbox: Any, creds: dict[str, str]) -> None:
    image = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    messages = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Describe this"},
                {"type": "image_url", "image_url": {"url": image}},
            ],
        }
    ]
    response = litellm.completion(model="infron/openai/gpt-4o", messages=messages, **creds)
    assert infron_sandbox.last_request(CHAT).body["messages"] == messages
    assert "1 image" in response.choices[0].message.content


def test_provider_routing(infron_sandbox: Any, creds: dict[str, str]) -> None:
    response = litellm.completion(
        model="infron/anthropic/claude-sonnet-4.5",
        messages=USER,
        provider={"order": ["google-vertex"], "allow_fallbacks": False},
        **creds,
    )
    assert infron_sandbox.last_request(CHAT).body["provider"] == {
        "order": ["google-vertex"],
        "allow_fallbacks": False,
    }
    assert response.provider == "google-vertex"


def test_web_search_annotations(infron_sandbox: Any, creds: dict[str, str]) -> None:
    response = litellm.completion(
        model="infron/openai/gpt-4o",
        messages=USER,
        web_search_options={"search_context_size": "medium"},
        **creds,
    )
    assert infron_sandbox.last_request(CHAT).body["web_search_options"] == {
        "search_context_size": "medium"
    }
    annotations = response.choices[0].message.annotations
    assert len(annotations) == 2
    assert annotations[0]["type"] == "url_citation"
    assert annotations[0]["url_citation"]["url"].startswith("https://")
    assert response.usage.cost == pytest.approx(_spent(infron_sandbox))
    assert response.cost_details["native_web_search_cost"] > 0


def test_prompt_cache_breakpoints_give_cached_tokens(
    infron_sandbox: Any, creds: dict[str, str]
) -> None:
    system = "You are a careful assistant. " * 40
    messages = [{"role": "system", "content": system}, *USER]
    first = litellm.completion(
        model="infron/anthropic/claude-sonnet-4.5",
        messages=messages,
        prompt_cache={"system": True, "tools": False, "last_user": False},
        **creds,
    )
    sent = infron_sandbox.last_request(CHAT).body["messages"]
    assert sent[0]["content"] == [
        {"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}
    ]
    assert sent[1] == USER[0]
    assert messages[0]["content"] == system  # the caller's messages are not modified
    second = litellm.completion(
        model="infron/anthropic/claude-sonnet-4.5",
        messages=messages,
        prompt_cache={"system": True, "tools": False, "last_user": False},
        **creds,
    )
    written = first.usage.prompt_tokens_details.cache_write_tokens
    assert written > 0 and first.usage.prompt_tokens_details.cached_tokens == 0
    assert second.usage.prompt_tokens_details.cached_tokens == written
    assert second.cost_details["prompt_cache_read_cost"] > 0
    assert second.usage.cost < first.usage.cost


def test_explicit_cache_control_is_kept(infron_sandbox: Any, creds: dict[str, str]) -> None:
    part = {"type": "text", "text": "Long context " * 50, "cache_control": {"type": "ephemeral"}}
    messages = [{"role": "system", "content": [part]}, *USER]
    response = litellm.completion(
        model="infron/anthropic/claude-sonnet-4.5", messages=messages, **creds
    )
    assert infron_sandbox.last_request(CHAT).body["messages"][0]["content"] == [part]
    assert response.usage.prompt_tokens_details.cache_write_tokens > 0


def test_usage_is_recorded_once_per_request(infron_sandbox: Any, creds: dict[str, str]) -> None:
    with track_usage() as run:
        litellm.completion(model="infron/openai/gpt-4o-mini", messages=USER, **creds)
        litellm.completion(model="infron/deepseek/deepseek-r1", messages=USER, **creds)
    assert run.total.requests == 2
    assert run.by_framework["litellm"].requests == 2
    assert run.total_cost == pytest.approx(_spent(infron_sandbox))
    assert set(run.by_model) == {"openai/gpt-4o-mini", "deepseek/deepseek-r1"}
    assert run.total.reasoning_tokens > 0


def test_caller_optional_params_are_not_mutated(infron_sandbox: Any, creds: dict[str, str]) -> None:
    provider = {"order": ["anthropic"]}
    extra_body = {"transforms": []}
    litellm.completion(
        model="infron/anthropic/claude-sonnet-4.5",
        messages=USER,
        provider=provider,
        extra_body=extra_body,
        **creds,
    )
    assert provider == {"order": ["anthropic"]}
    assert extra_body == {"transforms": []}
    assert infron_sandbox.last_request(CHAT).body["transforms"] == []
