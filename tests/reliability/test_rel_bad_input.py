"""R2: bad input gives a clear error naming the field, and no request reaches the gateway.

Invalid routing / reasoning / web search / cache / usage options (unknown fields, wrong types,
bad values), bad explicit ``cache_control`` markers, a missing key and malformed base URLs, for
every adapter and every place it takes options (construction, per call, per agent, per run).
The sandbox's request log must stay empty. (The LiteLLM proxy's cases are in
``test_rel_proxy_bad_input.py``.)
"""

from __future__ import annotations

import asyncio
from typing import Any

import litellm
import pytest
from agents import Agent, ModelSettings, RunConfig, Runner
from rel_bad_input import (
    MARKER_CASES,
    MARKER_IDS,
    OPTION_CASES,
    OPTION_IDS,
    URL_CASES,
    URL_IDS,
    assert_clear,
    renamed,
)

from infron_integrations.core.errors import InfronConfigError
from infron_integrations.langchain import ChatInfron
from infron_integrations.litellm import InfronLiteLLMConfigError
from infron_integrations.openai_agents import InfronModel, InfronProvider, infron_settings

LC_NAMES = {"usage": "usage_accounting"}
LITELLM_NAMES = {"web_search": "web_search_options"}
PROVIDER_NAMES = {"prompt_cache": "cache"}
BODY_NAMES = {"web_search": "web_search_options"}
USER = [{"role": "user", "content": "hi"}]


@pytest.fixture
def sandbox(infron_sandbox: Any) -> Any:
    yield infron_sandbox
    assert infron_sandbox.requests == [], "a request reached the gateway"


def _chat(sandbox: Any, **fields: Any) -> ChatInfron:
    return ChatInfron(
        model="openai/gpt-4o-mini", api_key=sandbox.api_key, base_url=sandbox.base_url, **fields
    )


def _litellm(sandbox: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("messages", USER)
    return litellm.completion(
        model="infron/openai/gpt-4o-mini",
        api_key=sandbox.api_key,
        api_base=sandbox.base_url,
        **kwargs,
    )


# --- options ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("case", "options", "words"), OPTION_CASES, ids=OPTION_IDS)
def test_langchain_construction(sandbox: Any, case: str, options: dict, words: list[str]) -> None:
    with pytest.raises(ValueError) as info:  # pydantic's ValidationError, naming the field
        _chat(sandbox, **renamed(options, LC_NAMES))
    assert_clear(info.value, words)


@pytest.mark.parametrize(("case", "options", "words"), OPTION_CASES, ids=OPTION_IDS)
@pytest.mark.parametrize("call", ["invoke", "stream", "ainvoke"])
def test_langchain_per_call(
    sandbox: Any, call: str, case: str, options: dict, words: list[str]
) -> None:
    llm = _chat(sandbox)
    kwargs = renamed(options, LC_NAMES)
    with pytest.raises(InfronConfigError) as info:
        if call == "invoke":
            llm.invoke("hi", **kwargs)
        elif call == "stream":
            list(llm.stream("hi", **kwargs))
        else:
            asyncio.run(llm.ainvoke("hi", **kwargs))
    assert_clear(info.value, words)


@pytest.mark.parametrize(("case", "options", "words"), OPTION_CASES, ids=OPTION_IDS)
@pytest.mark.parametrize("stream", [False, True], ids=["completion", "stream"])
def test_litellm_per_call(
    sandbox: Any, stream: bool, case: str, options: dict, words: list[str]
) -> None:
    with pytest.raises(InfronLiteLLMConfigError) as info:
        response = _litellm(sandbox, stream=stream, **renamed(options, LITELLM_NAMES))
        if stream:
            list(response)
    assert isinstance(info.value, litellm.BadRequestError)
    assert_clear(info.value, words)


@pytest.mark.parametrize(("case", "options", "words"), OPTION_CASES, ids=OPTION_IDS)
def test_agents_provider_defaults(sandbox: Any, case: str, options: dict, words: list[str]) -> None:
    with pytest.raises(InfronConfigError) as info:
        InfronProvider(
            api_key=sandbox.api_key, base_url=sandbox.base_url, **renamed(options, PROVIDER_NAMES)
        )
    assert_clear(info.value, words)


@pytest.mark.parametrize(("case", "options", "words"), OPTION_CASES, ids=OPTION_IDS)
def test_agents_agent_settings(sandbox: Any, case: str, options: dict, words: list[str]) -> None:
    with pytest.raises(InfronConfigError) as info:
        infron_settings(**options)
    assert_clear(info.value, words)


@pytest.mark.parametrize(
    ("case", "options", "words"),
    [c for c in OPTION_CASES if "prompt_cache" not in c[1]],  # not a request-body key
    ids=[c[0] for c in OPTION_CASES if "prompt_cache" not in c[1]],
)
@pytest.mark.parametrize("streamed", [False, True], ids=["run", "run_streamed"])
def test_agents_run_extra_body(
    sandbox: Any, streamed: bool, case: str, options: dict, words: list[str]
) -> None:
    provider = InfronProvider(api_key=sandbox.api_key, base_url=sandbox.base_url)
    settings = ModelSettings(extra_body=renamed(options, BODY_NAMES))
    config = RunConfig(model_provider=provider, model_settings=settings)
    agent = Agent(name="a", model="openai/gpt-4o-mini")

    async def run() -> None:
        if not streamed:
            await Runner.run(agent, "hi", run_config=config)
            return
        result = Runner.run_streamed(agent, "hi", run_config=config)
        async for _ in result.stream_events():
            pass

    with pytest.raises(InfronConfigError) as info:
        asyncio.run(run())
    assert_clear(info.value, words)
    assert "extra_body" in str(info.value)


@pytest.mark.parametrize("name", ["cache", "web_search_options", "temprature", "routing"])
def test_agents_unknown_setting_names_are_refused(sandbox: Any, name: str) -> None:
    # ModelSettings itself drops unknown keyword arguments without a word
    with pytest.raises(InfronConfigError, match=f"unknown setting '{name}'"):
        infron_settings(**{name: {"ttl": "1h"}})


# --- misspelled Infron keywords (the frameworks would send them as unknown body fields) -----

MISSPELLED = [
    ("reasonning", "reasoning"),
    ("providers", "provider"),
    ("prompt_cahce", "prompt_cache"),
]


@pytest.mark.parametrize(("typo", "meant"), MISSPELLED)
def test_langchain_misspelled_keyword(sandbox: Any, typo: str, meant: str) -> None:
    # at construction: refused before ChatOpenAI would move the keyword into model_kwargs
    with pytest.raises(InfronConfigError) as info:
        _chat(sandbox, **{typo: {"effort": "high"}})
    assert_clear(info.value, [typo, meant])
    llm = _chat(sandbox)
    with pytest.raises(InfronConfigError) as info:  # per call
        llm.invoke("hi", **{typo: {"effort": "high"}})
    assert_clear(info.value, [typo, meant])
    with pytest.raises(InfronConfigError):
        list(llm.stream("hi", **{typo: {"effort": "high"}}))


@pytest.mark.parametrize(("typo", "meant"), MISSPELLED)
@pytest.mark.parametrize("stream", [False, True], ids=["completion", "stream"])
def test_litellm_misspelled_keyword(sandbox: Any, stream: bool, typo: str, meant: str) -> None:
    with pytest.raises(InfronLiteLLMConfigError) as info:
        response = _litellm(sandbox, stream=stream, **{typo: {"effort": "high"}})
        if stream:
            list(response)
    assert_clear(info.value, [typo, meant])


@pytest.mark.parametrize(("typo", "meant"), MISSPELLED)
def test_agents_misspelled_extra_body_key(sandbox: Any, typo: str, meant: str) -> None:
    provider = InfronProvider(api_key=sandbox.api_key, base_url=sandbox.base_url)
    settings = ModelSettings(extra_body={typo: {"effort": "high"}})
    config = RunConfig(model_provider=provider, model_settings=settings)
    agent = Agent(name="a", model="openai/gpt-4o-mini")
    with pytest.raises(InfronConfigError) as info:
        asyncio.run(Runner.run(agent, "hi", run_config=config))
    assert_clear(info.value, [typo, meant])


def test_openai_parameters_that_look_alike_still_pass(sandbox: Any) -> None:
    """prompt_cache_key and reasoning_effort are OpenAI's own, not misspellings."""
    from infron_integrations.core.options import check_option_spelling

    check_option_spelling(["prompt_cache_key", "reasoning_effort", "web_search_options", "user"])


# --- explicit cache_control markers ---------------------------------------------------------


#: LangChain turns a dict message into its own message type, which has no message-level
#: cache_control: that case is LiteLLM's (raw OpenAI-style dicts) only
LC_MARKER_CASES = [c for c in MARKER_CASES if c[0] != "marker-on-the-message"]


@pytest.mark.parametrize(
    ("case", "messages", "words"), LC_MARKER_CASES, ids=[c[0] for c in LC_MARKER_CASES]
)
def test_langchain_cache_markers(sandbox: Any, case: str, messages: list, words: list[str]) -> None:
    with pytest.raises(InfronConfigError) as info:
        _chat(sandbox).invoke(messages)
    assert_clear(info.value, words)


@pytest.mark.parametrize(("case", "messages", "words"), MARKER_CASES, ids=MARKER_IDS)
def test_litellm_cache_markers(sandbox: Any, case: str, messages: list, words: list[str]) -> None:
    with pytest.raises(InfronLiteLLMConfigError) as info:
        _litellm(sandbox, messages=messages)
    assert_clear(info.value, words)


# --- missing key, malformed base URL --------------------------------------------------------


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INFRON_API_KEY", raising=False)
    monkeypatch.delenv("INFRON_BASE_URL", raising=False)


KEY_WORDS = ["No Infron API key", "api_key=", "INFRON_API_KEY"]


def test_missing_key_langchain(sandbox: Any, no_env: None) -> None:
    with pytest.raises(ValueError) as info:
        ChatInfron(model="openai/gpt-4o-mini", base_url=sandbox.base_url)
    assert all(w in str(info.value) for w in KEY_WORDS), str(info.value)


def test_missing_key_litellm(sandbox: Any, no_env: None) -> None:
    with pytest.raises(InfronLiteLLMConfigError) as info:
        litellm.completion(
            model="infron/openai/gpt-4o-mini", messages=USER, api_base=sandbox.base_url
        )
    assert all(w in str(info.value) for w in KEY_WORDS), str(info.value)


def test_missing_key_agents(sandbox: Any, no_env: None) -> None:
    with pytest.raises(InfronConfigError) as info:
        InfronProvider(base_url=sandbox.base_url)
    assert all(w in str(info.value) for w in KEY_WORDS)
    with pytest.raises(InfronConfigError):
        InfronModel("openai/gpt-4o-mini")  # its default client needs the key too


def test_blank_key_is_missing(sandbox: Any, no_env: None) -> None:
    with pytest.raises(InfronConfigError, match="No Infron API key"):
        InfronProvider(api_key="   ", base_url=sandbox.base_url)


@pytest.mark.parametrize(("case", "url", "words"), URL_CASES, ids=URL_IDS)
def test_malformed_base_url(sandbox: Any, case: str, url: str, words: list[str]) -> None:
    with pytest.raises(ValueError) as info:
        ChatInfron(model="openai/gpt-4o-mini", api_key=sandbox.api_key, base_url=url)
    assert_clear(info.value, words)
    with pytest.raises(InfronLiteLLMConfigError) as info2:
        litellm.completion(
            model="infron/openai/gpt-4o-mini", messages=USER, api_key=sandbox.api_key, api_base=url
        )
    assert_clear(info2.value, words)
    with pytest.raises(InfronConfigError) as info3:
        InfronProvider(api_key=sandbox.api_key, base_url=url)
    assert_clear(info3.value, words)


@pytest.mark.parametrize(("case", "url", "words"), URL_CASES, ids=URL_IDS)
def test_malformed_base_url_from_the_environment(
    sandbox: Any, monkeypatch: pytest.MonkeyPatch, case: str, url: str, words: list[str]
) -> None:
    monkeypatch.setenv("INFRON_API_KEY", sandbox.api_key)
    monkeypatch.setenv("INFRON_BASE_URL", url)
    with pytest.raises(ValueError) as info:
        ChatInfron(model="openai/gpt-4o-mini")
    assert_clear(info.value, [*words, "INFRON_BASE_URL"])
    with pytest.raises(InfronLiteLLMConfigError):
        litellm.completion(model="infron/openai/gpt-4o-mini", messages=USER)
    with pytest.raises(InfronConfigError):
        InfronProvider()
