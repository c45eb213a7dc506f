"""InfronProvider: models by id (slashes kept), the ``infron/`` prefix, configuration errors."""

from __future__ import annotations

from typing import Any

import pytest
from agents import Agent, MultiProvider, RunConfig, Runner
from agents.exceptions import UserError

from infron_integrations.core.errors import InfronConfigError
from infron_integrations.openai_agents import (
    InfronModel,
    InfronProvider,
    InfronResponsesModel,
    infron_multi_provider,
)


def test_get_model_keeps_slashes_and_caches(provider: InfronProvider) -> None:
    model = provider.get_model("anthropic/claude-sonnet-4")
    assert isinstance(model, InfronModel)
    assert model.model == "anthropic/claude-sonnet-4"
    # the runner asks on every turn: the same object, no new client
    assert provider.get_model("anthropic/claude-sonnet-4") is model
    assert provider.get_model("infron/anthropic/claude-sonnet-4") is model
    assert model.openai_client is provider.openai_client


def test_default_model_and_missing_model(make_provider: Any) -> None:
    assert make_provider(default_model="openai/gpt-4o").get_model(None).model == "openai/gpt-4o"
    with pytest.raises(InfronConfigError, match="default_model"):
        make_provider().get_model(None)


def test_missing_key_says_how_to_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INFRON_API_KEY", raising=False)
    with pytest.raises(InfronConfigError, match="INFRON_API_KEY"):
        InfronProvider()


def test_bad_default_options_fail_at_construction(sandbox: Any) -> None:
    with pytest.raises(
        InfronConfigError, match=r"options\.provider: unknown field 'sortt'.*Did you mean 'sort'"
    ):
        InfronProvider(api_key="k", base_url=sandbox.base_url, provider={"sortt": "price"})
    with pytest.raises(InfronConfigError, match="reasoning"):
        InfronProvider(api_key="k", base_url=sandbox.base_url, reasoning={"effort": "huge"})
    assert sandbox.requests == []


def test_repr_hides_the_key(sandbox: Any) -> None:
    provider = InfronProvider(api_key="sk-secret-value", base_url=sandbox.base_url)
    text = repr(provider) + repr(provider.settings) + repr(provider.get_model("a/b"))
    assert "sk-secret-value" not in text


def test_default_multi_provider_rejects_vendor_prefixes() -> None:
    # the fact that makes a provider map necessary (openai-agents 0.20.0)
    with pytest.raises(UserError, match="Unknown prefix"):
        MultiProvider(openai_api_key="unused").get_model("anthropic/claude-sonnet-4")


async def test_multi_provider_prefix_routes_to_infron(
    provider: InfronProvider, bodies: Any
) -> None:
    multi = infron_multi_provider(provider, openai_api_key="unused")
    model = multi.get_model("infron/anthropic/claude-sonnet-4")
    assert isinstance(model, InfronModel)
    assert model.model == "anthropic/claude-sonnet-4"

    agent = Agent(name="a", model="infron/meta-llama/llama-3.3-70b-instruct")
    result = await Runner.run(agent, "hi", run_config=RunConfig(model_provider=multi))
    assert result.final_output.startswith('You said: "hi"')
    assert [b["model"] for b in bodies()] == ["meta-llama/llama-3.3-70b-instruct"]


def test_responses_api_option(make_provider: Any) -> None:
    provider = make_provider(api="responses")
    assert isinstance(provider.get_model("openai/gpt-4o"), InfronResponsesModel)
    with pytest.raises(InfronConfigError, match="WebSearchTool"):
        make_provider(api="responses", web_search={"search_context_size": "low"})
    with pytest.raises(InfronConfigError, match="api="):
        make_provider(api="completions")


def test_standalone_model_from_environment(monkeypatch: pytest.MonkeyPatch, sandbox: Any) -> None:
    monkeypatch.setenv("INFRON_API_KEY", sandbox.api_key)
    monkeypatch.setenv("INFRON_BASE_URL", sandbox.base_url)
    model = InfronModel("openai/gpt-4o")
    assert str(model.openai_client.base_url).rstrip("/") == sandbox.base_url
    with pytest.raises(InfronConfigError):
        InfronModel("")
