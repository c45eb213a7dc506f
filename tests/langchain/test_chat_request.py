"""ChatInfron requests: every Infron option reaches the wire exactly as the docs show it.

Each test asserts on the body the sandbox received (its request log) and on what the LangChain
user sees. Docs sections: Inference Provider Routing, Reasoning & Thinking, Web Search, Prompt
Caching, Billing Tracking.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.tools import tool
from pydantic import ValidationError

from infron_integrations.core import InfronConfigError, ProviderPreferences, Reasoning
from infron_integrations.langchain import ChatInfron

CHAT = "/v1/chat/completions"


def _body(sandbox: Any) -> dict[str, Any]:
    request = sandbox.last_request(CHAT)
    assert request is not None, "no chat request reached the sandbox"
    assert request.status == 200, request.status
    return request.body  # type: ignore[no-any-return]


@tool
def get_weather(city: str) -> str:
    """Weather for a city."""
    return f"sunny in {city}"


def test_constructor_options_are_sent_as_documented(
    infron_sandbox: Any, chat_model_factory: Any
) -> None:
    llm = chat_model_factory(
        model="anthropic/claude-sonnet-4.5",
        provider={
            "order": ["anthropic", "amazon-bedrock"],
            "allow_fallbacks": False,
            "sort": "price",
            "data_collection": "deny",
            "preferred_max_latency": {"p90": 3},
            "quantizations": ["fp16"],
        },
        reasoning={"effort": "high"},
        web_search={
            "search_context_size": "high",
            "user_location": {
                "approximate": {"timezone": "Asia/Shanghai", "country": "CN", "city": "Beijing"}
            },
        },
        temperature=0.2,
        max_tokens=300,
    )
    message = llm.invoke("How is the weather in Beijing today?")

    body = _body(infron_sandbox)
    assert body["provider"] == {
        "order": ["anthropic", "amazon-bedrock"],
        "allow_fallbacks": False,
        "sort": "price",
        "data_collection": "deny",
        "preferred_max_latency": {"p90": 3},
        "quantizations": ["fp16"],
    }
    assert body["reasoning"] == {"effort": "high"}
    assert body["web_search_options"] == {
        "search_context_size": "high",
        "user_location": {
            "approximate": {"timezone": "Asia/Shanghai", "country": "CN", "city": "Beijing"}
        },
    }
    assert body["usage"] == {"include": True}
    assert body["temperature"] == 0.2
    assert body["max_tokens"] == 300
    assert body["stream"] is False
    assert body["messages"] == [{"role": "user", "content": "How is the weather in Beijing today?"}]
    # what the user sees: routed provider, reasoning, citations, exact cost
    assert message.response_metadata["provider"] == "anthropic"
    assert message.additional_kwargs["reasoning_content"]
    assert message.response_metadata["annotations"][0]["type"] == "url_citation"
    assert message.response_metadata["cost"] > 0


def test_typed_models_are_accepted_as_well_as_dicts(
    infron_sandbox: Any, chat_model_factory: Any
) -> None:
    llm = chat_model_factory(
        provider=ProviderPreferences(only=["openai"]), reasoning=Reasoning(max_tokens=64)
    )
    llm.invoke("hi")
    body = _body(infron_sandbox)
    assert body["provider"] == {"only": ["openai"]}
    assert body["reasoning"] == {"max_tokens": 64}


def test_reasoning_stays_on_chat_completions(infron_sandbox: Any, chat_model_factory: Any) -> None:
    # ChatOpenAI(reasoning=...) silently switches to the Responses API; ChatInfron must not.
    llm = chat_model_factory(reasoning={"effort": "low", "max_tokens": 50})
    llm.invoke("hi")
    list(llm.stream("hi"))
    paths = [r.path for r in infron_sandbox.requests]
    assert paths == [CHAT, CHAT]
    assert _body(infron_sandbox)["reasoning"] == {"effort": "low", "max_tokens": 50}


def test_reasoning_effort_becomes_the_reasoning_object(
    infron_sandbox: Any, chat_model_factory: Any
) -> None:
    """ChatOpenAI's reasoning_effort (field or call keyword) is sent as Infron's reasoning.effort."""
    llm = chat_model_factory(reasoning_effort="high")
    llm.invoke("hi")
    body = _body(infron_sandbox)
    assert body["reasoning"] == {"effort": "high"}
    assert "reasoning_effort" not in body
    llm.invoke("hi", reasoning_effort="low", reasoning={"max_tokens": 30})
    body = _body(infron_sandbox)
    assert body["reasoning"] == {"effort": "low", "max_tokens": 30}
    assert "reasoning_effort" not in body
    # the explicit reasoning object wins over reasoning_effort
    chat_model_factory(reasoning_effort="high", reasoning={"effort": "minimal"}).invoke("hi")
    assert _body(infron_sandbox)["reasoning"] == {"effort": "minimal"}
    with pytest.raises(InfronConfigError, match="effort"):
        llm.invoke("hi", reasoning_effort="extreme")


def test_responses_api_is_an_explicit_opt_in(infron_sandbox: Any, chat_model_factory: Any) -> None:
    llm = chat_model_factory(
        use_responses_api=True, reasoning={"effort": "low"}, provider={"sort": "latency"}
    )
    message = llm.invoke("hello responses")
    request = infron_sandbox.last_request()
    assert request.path == "/v1/responses"
    assert request.status == 200
    assert request.body["reasoning"] == {"effort": "low"}
    assert request.body["provider"] == {"sort": "latency"}
    assert request.body["usage"] == {"include": True}
    assert "hello responses" in message.text
    with pytest.raises(InfronConfigError, match="web_search"):
        llm.invoke("x", web_search={"search_context_size": "low"})


def test_per_call_options_merge_with_the_instance(
    infron_sandbox: Any, chat_model_factory: Any
) -> None:
    llm = chat_model_factory(provider={"order": ["openai"]}, reasoning={"effort": "low"})

    llm.invoke("a", provider={"sort": "price"})
    body = _body(infron_sandbox)
    assert body["provider"] == {"order": ["openai"], "sort": "price"}  # deep merge
    assert body["reasoning"] == {"effort": "low"}

    llm.invoke("b", reasoning=None, web_search_options={"search_context_size": "low"})
    body = _body(infron_sandbox)
    assert "reasoning" not in body  # None clears the instance's value for this call
    assert body["web_search_options"] == {"search_context_size": "low"}

    bound = llm.bind(provider={"ignore": ["azure"]}, usage_accounting=False)
    bound.invoke("c")
    body = _body(infron_sandbox)
    assert body["provider"] == {"order": ["openai"], "ignore": ["azure"]}
    assert "usage" not in body

    # the instance itself is untouched
    llm.invoke("d")
    body = _body(infron_sandbox)
    assert body["provider"] == {"order": ["openai"]}
    assert body["usage"] == {"include": True}


async def test_per_call_options_async_and_stream(
    infron_sandbox: Any, chat_model_factory: Any
) -> None:
    llm = chat_model_factory()
    await llm.ainvoke("a", provider={"only": ["openai"]})
    assert _body(infron_sandbox)["provider"] == {"only": ["openai"]}
    async for _ in llm.astream("b", reasoning={"max_tokens": 32}):
        pass
    body = _body(infron_sandbox)
    assert body["reasoning"] == {"max_tokens": 32}
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}


def test_bad_per_call_options_fail_before_sending(
    infron_sandbox: Any, chat_model_factory: Any
) -> None:
    llm = chat_model_factory()
    with pytest.raises(InfronConfigError) as info:
        llm.invoke("hi", provider={"sortt": "price"})
    assert "provider" in str(info.value) and "'sort'" in str(info.value)
    with pytest.raises(InfronConfigError, match="effort"):
        list(llm.stream("hi", reasoning={"effort": "extreme"}))
    with pytest.raises(InfronConfigError, match="web_search"):
        asyncio.run(llm.ainvoke("hi", web_search={"context": "low"}))
    assert infron_sandbox.requests == []


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("provider", {"sortt": "price"}, "Did you mean 'sort'"),
        ("provider", {"only": ["openai"], "ignore": ["openai"]}, "both 'only' and 'ignore'"),
        ("reasoning", {"effort": "extreme"}, "reasoning.effort"),
        ("reasoning", {}, "set effort"),
        ("web_search", {"search_context_size": "huge"}, "web_search.search_context_size"),
        ("prompt_cache", {"ttl": "2h"}, "prompt_cache"),
        ("reasoning_replay", "sometimes", "reasoning_replay"),
    ],
)
def test_bad_constructor_options_name_the_field(field: str, value: Any, expected: str) -> None:
    # the class the README promises (a ValueError, like pydantic's ValidationError was)
    with pytest.raises(InfronConfigError) as info:
        ChatInfron(model="m", api_key="k", **{field: value})
    assert expected in str(info.value)
    assert not isinstance(info.value, ValidationError)


def test_missing_key_says_how_to_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INFRON_API_KEY", raising=False)
    with pytest.raises(ValueError, match="INFRON_API_KEY"):
        ChatInfron(model="openai/gpt-4o-mini")


def test_key_and_url_from_the_environment(
    infron_sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INFRON_API_KEY", infron_sandbox.api_key)
    monkeypatch.setenv("INFRON_BASE_URL", infron_sandbox.base_url)
    llm = ChatInfron(model="openai/gpt-4o-mini", default_headers={"X-Title": "my-app"})
    llm.invoke("hi")
    request = infron_sandbox.last_request(CHAT)
    assert request.status == 200
    assert request.headers["authorization"] == "***"  # sent (and redacted in the log)
    assert request.headers["x-title"] == "my-app"
    assert request.headers["user-agent"].startswith("infron-integrations/")


def test_usage_accounting_can_be_turned_off(infron_sandbox: Any, chat_model_factory: Any) -> None:
    llm = chat_model_factory(usage_accounting=False)
    message = llm.invoke("hi")
    assert "usage" not in _body(infron_sandbox)
    assert "cost" not in message.response_metadata
    assert message.usage_metadata is not None  # tokens are still reported


def test_stream_usage_is_on_by_default(infron_sandbox: Any, chat_model_factory: Any) -> None:
    llm = chat_model_factory()
    list(llm.stream("hi"))
    assert _body(infron_sandbox)["stream_options"] == {"include_usage": True}
    list(llm.stream("hi", stream_usage=False))
    assert "stream_options" not in _body(infron_sandbox)


def test_extra_body_model_kwargs_and_overrides_pass_through(
    infron_sandbox: Any, chat_model_factory: Any
) -> None:
    # langchain-openrouter rejects extra_body and drops reasoning.max_tokens; here both go out
    llm = chat_model_factory(
        extra_body={"reasoning": {"max_tokens": 2000}}, model_kwargs={"top_k": 20}, stop=["END"]
    )
    llm.invoke("hi", model="openai/gpt-4o", max_tokens=50)
    body = _body(infron_sandbox)
    assert body["reasoning"] == {"max_tokens": 2000}
    assert body["top_k"] == 20
    assert body["stop"] == ["END"]
    assert body["model"] == "openai/gpt-4o"
    assert body["max_tokens"] == 50


def test_prompt_cache_places_breakpoints_and_reads_back(
    infron_sandbox: Any, chat_model_factory: Any
) -> None:
    llm = chat_model_factory(model="anthropic/claude-haiku-4.5", prompt_cache={"ttl": "1h"})
    bound = llm.bind_tools([get_weather], tool_choice="none")
    messages = [SystemMessage("You are a careful assistant. " * 40), HumanMessage("Hello")]

    first = bound.invoke(messages)
    body = _body(infron_sandbox)
    marker = {"type": "ephemeral", "ttl": "1h"}
    assert body["tools"][-1]["cache_control"] == marker
    assert body["messages"][0]["content"][-1]["cache_control"] == marker
    assert body["messages"][1]["content"] == [
        {"type": "text", "text": "Hello", "cache_control": marker}
    ]
    second = bound.invoke(messages)
    written = first.usage_metadata["input_token_details"]["cache_creation"]
    assert written > 0
    assert second.usage_metadata["input_token_details"]["cache_read"] == written
    # the caller's messages were not modified
    assert messages[1].content == "Hello"


def test_explicit_cache_markers_are_kept_and_checked(
    infron_sandbox: Any, chat_model_factory: Any
) -> None:
    llm = chat_model_factory(model="anthropic/claude-haiku-4.5", prompt_cache=True)
    explicit = HumanMessage(
        [
            {"type": "text", "text": "Long context " * 30, "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": "Question?"},
        ]
    )
    llm.invoke([explicit])
    content = _body(infron_sandbox)["messages"][0]["content"]
    assert content[0]["cache_control"] == {"type": "ephemeral"}
    assert content[1]["cache_control"] == {"type": "ephemeral"}  # automatic last_user marker

    bad = HumanMessage(
        [
            {
                "type": "image_url",
                "image_url": {"url": "https://example.invalid/cat.png"},
                "cache_control": {"type": "ephemeral"},
            }
        ]
    )
    before = len(infron_sandbox.requests)
    with pytest.raises(InfronConfigError, match="only allowed on text parts"):
        llm.invoke([bad])
    assert len(infron_sandbox.requests) == before


def test_prompt_cache_does_not_collide_with_langchain_cache(chat_model_factory: Any) -> None:
    # `cache` stays LangChain's response cache; prompt caching has its own name
    llm = chat_model_factory(prompt_cache=True, cache=False)
    assert llm.cache is False
    assert llm.prompt_cache is not None and llm.prompt_cache.system is True


def test_default_query_and_extra_headers(infron_sandbox: Any, chat_model_factory: Any) -> None:
    llm = chat_model_factory(default_query={"trace": "1"})
    llm.invoke("hi", extra_headers={"X-Request-Tag": "t1"})
    request = infron_sandbox.last_request(CHAT)
    assert request.query == "trace=1"
    assert request.headers["x-request-tag"] == "t1"
    assert "extra_headers" not in request.body
