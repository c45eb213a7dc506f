"""Infron options through LiteLLM's keyword arguments: mapping, validation before sending, purity."""

from __future__ import annotations

import copy
from typing import Any

import litellm
import pytest
from litellm.constants import DEFAULT_REASONING_EFFORT_MEDIUM_THINKING_BUDGET

from infron_integrations.core import InfronConfigError, Reasoning
from infron_integrations.litellm import InfronLiteLLMConfigError, InfronLLM, register
from infron_integrations.litellm._request import build_chat_request

CHAT = "/v1/chat/completions"
USER = [{"role": "user", "content": "Think about it"}]
REASONING_PARAMS = ["reasoning_effort", "thinking"]
MEDIUM_BUDGET = DEFAULT_REASONING_EFFORT_MEDIUM_THINKING_BUDGET


def _body(sb: Any) -> dict[str, Any]:
    return sb.last_request(CHAT).body  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("effort", "wire"),
    [
        ("high", {"effort": "high"}),
        ("minimal", {"effort": "minimal"}),
        ("max", {"effort": "xhigh"}),
    ],
)
def test_reasoning_effort_maps_to_reasoning(
    infron_sandbox: Any, creds: dict[str, str], effort: str, wire: dict[str, Any]
) -> None:
    response = litellm.completion(
        model="infron/openai/gpt-4o",
        messages=USER,
        reasoning_effort=effort,
        allowed_openai_params=REASONING_PARAMS,
        **creds,
    )
    body = _body(infron_sandbox)
    assert body["reasoning"] == wire
    assert "reasoning_effort" not in body
    # the sandbox reasons for any model given `reasoning`; LiteLLM keeps it
    assert response.choices[0].message.reasoning_content


@pytest.mark.parametrize(
    ("thinking", "wire"),
    [
        ({"type": "enabled", "budget_tokens": 1024}, {"max_tokens": 1024}),
        ({"type": "disabled"}, {"effort": "none"}),
        ({"type": "adaptive"}, {"effort": "medium"}),
        (True, {"max_tokens": MEDIUM_BUDGET}),
    ],
)
def test_thinking_maps_to_reasoning(
    infron_sandbox: Any, creds: dict[str, str], thinking: Any, wire: dict[str, Any]
) -> None:
    litellm.completion(
        model="infron/anthropic/claude-sonnet-4.5",
        messages=USER,
        thinking=thinking,
        allowed_openai_params=REASONING_PARAMS,
        **creds,
    )
    body = _body(infron_sandbox)
    assert body["reasoning"] == wire
    assert "thinking" not in body


def test_reasoning_object_wins_over_the_knobs(infron_sandbox: Any, creds: dict[str, str]) -> None:
    litellm.completion(
        model="infron/openai/gpt-4o",
        messages=USER,
        reasoning={"effort": "low", "max_tokens": 300},
        reasoning_effort="high",
        allowed_openai_params=REASONING_PARAMS,
        **creds,
    )
    assert _body(infron_sandbox)["reasoning"] == {"effort": "low", "max_tokens": 300}


def test_reasoning_object_needs_no_allowlist(infron_sandbox: Any, creds: dict[str, str]) -> None:
    litellm.completion(
        model="infron/openai/gpt-4o", messages=USER, reasoning={"effort": "none"}, **creds
    )
    assert _body(infron_sandbox)["reasoning"] == {"effort": "none"}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"provider": {"sortt": "price"}}, "options.provider"),
        ({"provider": {"order": "anthropic"}}, "options.provider.order"),
        ({"reasoning": {"effort": "extreme"}}, "options.reasoning.effort"),
        ({"web_search_options": {"search_context_size": "huge"}}, "options.web_search"),
        ({"usage": {"include": "yes"}}, "options.usage.include"),
        ({"prompt_cache": {"ttl": "2h"}}, "options.prompt_cache.ttl"),
        ({"thinking": {"type": "sometimes"}}, "thinking.type"),
    ],
)
def test_invalid_options_fail_before_sending(
    infron_sandbox: Any, creds: dict[str, str], kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(InfronConfigError) as info:
        litellm.completion(
            model="infron/openai/gpt-4o",
            messages=USER,
            allowed_openai_params=REASONING_PARAMS,
            **kwargs,
            **creds,
        )
    assert field in str(info.value)
    assert isinstance(info.value, litellm.BadRequestError)
    assert isinstance(info.value, InfronLiteLLMConfigError)
    assert infron_sandbox.requests == []  # nothing was sent


def test_unknown_provider_field_names_the_closest_one(creds: dict[str, str]) -> None:
    with pytest.raises(InfronConfigError) as info:
        litellm.completion(
            model="infron/openai/gpt-4o", messages=USER, provider={"sortt": "price"}, **creds
        )
    assert "Did you mean 'sort'?" in str(info.value)


@pytest.mark.parametrize(
    "messages",
    [
        [{"role": "user", "content": "x", "cache_control": {"type": "ephemeral"}}],
        [
            {
                "role": "user",
                "content": [
                    {
                        "type": "image_url",
                        "image_url": {"url": "data:image/png;base64,AA"},
                        "cache_control": {"type": "ephemeral"},
                    }
                ],
            }
        ],
        [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": str(i), "cache_control": {"type": "ephemeral"}}
                    for i in range(5)
                ],
            }
        ],
    ],
    ids=["on-message", "on-image", "five-breakpoints"],
)
def test_bad_cache_markers_fail_before_sending(
    infron_sandbox: Any, creds: dict[str, str], messages: list[dict[str, Any]]
) -> None:
    with pytest.raises(InfronConfigError, match=r"cache_control|breakpoints"):
        litellm.completion(model="infron/anthropic/claude-sonnet-4.5", messages=messages, **creds)
    assert infron_sandbox.requests == []


def test_usage_accounting_can_be_turned_off(infron_sandbox: Any, creds: dict[str, str]) -> None:
    response = litellm.completion(
        model="infron/openai/gpt-4o", messages=USER, usage={"include": False}, **creds
    )
    assert "usage" not in _body(infron_sandbox)
    assert getattr(response, "cost", None) is None
    assert response.usage.prompt_tokens > 0


def test_extra_body_is_merged_at_the_top_level(infron_sandbox: Any, creds: dict[str, str]) -> None:
    litellm.completion(
        model="infron/openai/gpt-4o",
        messages=USER,
        extra_body={"provider": {"only": ["openai"]}, "models": ["openai/gpt-4o-mini"]},
        **creds,
    )
    body = _body(infron_sandbox)
    assert body["provider"] == {"only": ["openai"]}  # validated like the keyword form
    assert body["models"] == ["openai/gpt-4o-mini"]
    assert "extra_body" not in body


def test_litellm_internals_do_not_reach_the_wire(
    infron_sandbox: Any, creds: dict[str, str]
) -> None:
    litellm.completion(
        model="infron/openai/gpt-4o",
        messages=USER,
        max_retries=1,
        stream_options={"include_usage": True},
        extra_headers={"X-Title": "my-app"},
        **creds,
    )
    request = infron_sandbox.last_request(CHAT)
    assert set(request.body) == {"model", "messages", "usage"}
    assert request.headers["x-title"] == "my-app"
    assert request.headers["authorization"] == "***"  # the sandbox redacts it in its log


def test_max_completion_tokens_is_sent_as_max_tokens(
    infron_sandbox: Any, creds: dict[str, str]
) -> None:
    litellm.completion(
        model="infron/openai/gpt-4o", messages=USER, max_completion_tokens=7, **creds
    )
    assert _body(infron_sandbox)["max_tokens"] == 7


def test_handler_defaults_merge_under_call_options(
    infron_sandbox: Any, creds: dict[str, str]
) -> None:
    register(
        InfronLLM(
            options={"provider": {"order": ["amazon-bedrock"]}, "reasoning": {"effort": "low"}}
        )
    )
    litellm.completion(
        model="infron/anthropic/claude-sonnet-4.5",
        messages=USER,
        provider={"allow_fallbacks": False},
        **creds,
    )
    body = _body(infron_sandbox)
    assert body["provider"] == {"order": ["amazon-bedrock"], "allow_fallbacks": False}
    assert body["reasoning"] == {"effort": "low"}
    assert body["usage"] == {"include": True}


def test_build_chat_request_is_pure() -> None:
    messages = [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": [{"type": "text", "text": "hi"}]},
    ]
    tools = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]
    params = {
        "tools": tools,
        "prompt_cache": True,
        "provider": {"order": ["a"]},
        "extra_body": {"x": 1},
        "reasoning": Reasoning(effort="high"),
    }
    before = (copy.deepcopy(messages), copy.deepcopy(params))
    request = build_chat_request("m", messages, params, None, stream=False)
    assert (messages, params) == before
    assert request.body["messages"][0]["content"][0]["cache_control"] == {"type": "ephemeral"}
    assert request.body["tools"][-1]["cache_control"] == {"type": "ephemeral"}
    assert request.body["reasoning"] == {"effort": "high"}
    assert request.body["x"] == 1


async def test_async_reasoning_effort_needs_no_allowlist(
    infron_sandbox: Any, creds: dict[str, str]
) -> None:
    """register() lets reasoning_effort through LiteLLM's check (on sync calls too)."""
    response = await litellm.acompletion(
        model="infron/openai/gpt-4o", messages=USER, reasoning_effort="low", **creds
    )
    assert _body(infron_sandbox)["reasoning"] == {"effort": "low"}
    assert response.choices[0].message.reasoning_content


async def test_async_thinking_needs_no_allowlist(
    infron_sandbox: Any, creds: dict[str, str]
) -> None:
    await litellm.acompletion(
        model="infron/anthropic/claude-sonnet-4.5",
        messages=USER,
        thinking={"type": "enabled", "budget_tokens": 2000},
        **creds,
    )
    assert _body(infron_sandbox)["reasoning"] == {"max_tokens": 2000}


async def test_hooks_change_no_request() -> None:
    """The proxy's callback only installs what register() installs; the seams themselves act on
    our providers' calls (tests/litellm/test_litellm_sync_async.py)."""
    from infron_integrations.litellm import hooks

    for model in ("openai/gpt-4o", "infron/openai/gpt-4o"):
        kwargs = {"model": model, "reasoning_effort": "high", "dimensions": 3}
        assert await hooks.async_pre_call_deployment_hook(dict(kwargs), "acompletion") is None
        assert await hooks.async_pre_call_deployment_hook(dict(kwargs), "aembedding") is None
