"""One validation story: Infron options are checked wherever a LangChain user can put them.

Fields, constructor keywords, call keywords, ``bind``, ``extra_body`` and ``model_kwargs``, on
chat completions and on the Responses route, for ChatInfron, InfronEmbeddings and InfronRerank:
a mistake raises ``InfronConfigError`` with the core's message (the one the LiteLLM and Agents
adapters raise) before anything reaches the gateway, and valid options still go out as given.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError

from infron_integrations.core import InfronConfigError, parse_options
from infron_integrations.core.options import check_option_spelling
from infron_integrations.langchain import ChatInfron, InfronEmbeddings, InfronRerank

CHAT = "/v1/chat/completions"
BAD_PROVIDER = {"sortt": "price"}


def _core_message(**options: Any) -> str:
    with pytest.raises(InfronConfigError) as info:
        parse_options(**options)
    return str(info.value)


def _near_miss_message(key: str) -> str:
    with pytest.raises(InfronConfigError) as info:
        check_option_spelling([key])
    return str(info.value)


CALLS: dict[str, Callable[[Any], Any]] = {
    "invoke": lambda llm: llm.invoke("hi"),
    "stream": lambda llm: list(llm.stream("hi")),
    "ainvoke": lambda llm: asyncio.run(llm.ainvoke("hi")),
    "batch": lambda llm: llm.batch(["hi", "there"]),
}


def test_constructor_errors_are_infron_config_errors_with_the_core_message() -> None:
    with pytest.raises(InfronConfigError) as info:
        ChatInfron(model="m", api_key="k", provider=BAD_PROVIDER)
    assert str(info.value) == _core_message(provider=BAD_PROVIDER)
    assert "Did you mean 'sort'?" in str(info.value)
    assert not isinstance(info.value, ValidationError)
    with pytest.raises(InfronConfigError, match=r"ChatInfron\.temperature"):
        ChatInfron(model="m", api_key="k", temperature="warm")
    with pytest.raises(InfronConfigError, match="INFRON_API_KEY"):
        ChatInfron(model="m", api_key=" ")


@pytest.mark.parametrize("keyword", ["provder", "reasonning", "web_serach"])
def test_a_near_miss_keyword_raises_at_once_without_the_model_kwargs_warning(keyword: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "transferred to model_kwargs" would fail here
        with pytest.raises(InfronConfigError) as info:
            ChatInfron(model="m", api_key="k", **{keyword: {"sort": "price"}})
    assert str(info.value) == _near_miss_message(keyword)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"provder": {"sort": "price"}}, "Did you mean 'provider'?"),
        ({"reasonning": {"effort": "low"}}, "Did you mean 'reasoning'?"),
        ({"provider": BAD_PROVIDER}, "Did you mean 'sort'?"),
        ({"reasoning": {"effort": "extreme"}}, "reasoning.effort"),
        ({"web_search_options": {"search_context_size": "huge"}}, "search_context_size"),
        ({"web_search": {"search_context_size": "low"}}, "'web_search_options'"),
        ({"prompt_cache": True}, "Pass prompt_cache=..."),
    ],
)
@pytest.mark.parametrize("where", ["field", "call", "bind", "model_kwargs"])
def test_extra_body_and_model_kwargs_are_checked_before_sending(
    infron_sandbox: Any,
    chat_model_factory: Any,
    extra: dict[str, Any],
    expected: str,
    where: str,
) -> None:
    with pytest.raises(InfronConfigError) as info:
        if where == "field":
            chat_model_factory(extra_body=extra)
        elif where == "model_kwargs":
            chat_model_factory(model_kwargs=extra)
        elif where == "call":
            chat_model_factory().invoke("hi", extra_body=extra)
        else:
            chat_model_factory().bind(extra_body=extra).invoke("hi")
    assert expected in str(info.value)
    prefix = "model_kwargs" if where == "model_kwargs" else "extra_body"
    assert str(info.value).startswith(f"In {prefix}: ")
    assert infron_sandbox.requests == []


@pytest.mark.parametrize("call", sorted(CALLS))
def test_bad_options_fail_before_sending_on_every_path(
    infron_sandbox: Any, chat_model_factory: Any, call: str
) -> None:
    llm = chat_model_factory()
    for bound in (
        llm.bind(provider=BAD_PROVIDER),
        llm.bind(provder={"sort": "price"}),
        llm.bind(extra_body={"provider": BAD_PROVIDER}),
    ):
        with pytest.raises(InfronConfigError):
            CALLS[call](bound)
    assert infron_sandbox.requests == []


def test_valid_extra_body_options_go_out_as_given(
    infron_sandbox: Any, chat_model_factory: Any
) -> None:
    llm = chat_model_factory(
        provider={"order": ["openai"]}, extra_body={"provider": {"sort": "price"}, "top_k": 3}
    )
    llm.invoke("hi")
    body = infron_sandbox.last_request(CHAT).body
    # extra_body is the raw escape hatch: it wins over the typed option, as with ChatOpenAI
    assert body["provider"] == {"sort": "price"} and body["top_k"] == 3
    llm.invoke("hi", extra_body={"reasoning": {"max_tokens": 64}, "web_search_options": {}})
    body = infron_sandbox.last_request(CHAT).body
    assert body["reasoning"] == {"max_tokens": 64} and body["web_search_options"] == {}


def test_the_responses_route_checks_the_same_way(
    infron_sandbox: Any, chat_model_factory: Any
) -> None:
    llm = chat_model_factory(use_responses_api=True)
    with pytest.raises(InfronConfigError, match="Did you mean 'provider'"):
        llm.invoke("hi", provder={"sort": "price"})
    with pytest.raises(InfronConfigError, match=r"In extra_body: .*Did you mean 'sort'"):
        list(llm.stream("hi", extra_body={"provider": BAD_PROVIDER}))
    assert infron_sandbox.requests == []
    llm.invoke("hi", extra_body={"provider": {"sort": "price"}})
    assert infron_sandbox.last_request("/v1/responses").body["provider"] == {"sort": "price"}


def test_previous_response_id_is_refused_with_the_reason(
    infron_sandbox: Any, chat_model_factory: Any
) -> None:
    with pytest.raises(InfronConfigError, match="does not keep responses") as info:
        chat_model_factory(use_responses_api=True, use_previous_response_id=True)
    assert "Leave it unset" in str(info.value)
    llm = chat_model_factory(use_responses_api=True)
    with pytest.raises(InfronConfigError, match="previous_response_id"):
        llm.invoke("hi", previous_response_id="resp_123")
    with pytest.raises(InfronConfigError, match="previous_response_id"):
        llm.model_copy(update={"use_previous_response_id": True})
    assert infron_sandbox.requests == []
    # the default: the whole conversation goes out with every call, and it works
    first = llm.invoke("my name is Ada")
    llm.invoke(["my name is Ada", first, "what is my name?"])
    body = infron_sandbox.last_request("/v1/responses").body
    assert "previous_response_id" not in body and len(body["input"]) == 3


@pytest.mark.parametrize("cls", [InfronEmbeddings, InfronRerank])
def test_embeddings_and_rerank_raise_the_same_class(cls: type) -> None:
    with pytest.raises(InfronConfigError) as info:
        cls(model="m", api_key="k", provider=BAD_PROVIDER)
    assert str(info.value) == _core_message(provider=BAD_PROVIDER)
    with pytest.raises(InfronConfigError, match="Did you mean 'provider'"):
        cls(model="m", api_key="k", provder={"sort": "price"})
    with pytest.raises(InfronConfigError, match=r"In model_kwargs: .*Did you mean 'provider'"):
        cls(model="m", api_key="k", model_kwargs={"provder": {}})
    with pytest.raises(InfronConfigError, match=rf"{cls.__name__}\.model"):
        cls(model="", api_key="k")
