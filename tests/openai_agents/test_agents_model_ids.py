"""Model ids without surprises: ``infron_model`` needs no ``RunConfig``; ``infron_multi_provider``
states where ``openai/...`` goes and refuses ids it would misroute, before anything is sent."""

from __future__ import annotations

from typing import Any

import pytest
from agents import Agent, RunConfig, Runner
from agents.exceptions import UserError

from infron_integrations.core.errors import InfronConfigError
from infron_integrations.openai_agents import (
    InfronModel,
    InfronModelIdError,
    InfronProvider,
    infron_model,
    infron_multi_provider,
    run_cost,
)


@pytest.fixture
def infron_env(monkeypatch: pytest.MonkeyPatch, sandbox: Any) -> None:
    monkeypatch.setenv("INFRON_API_KEY", sandbox.api_key)
    monkeypatch.setenv("INFRON_BASE_URL", sandbox.base_url)


async def test_infron_model_runs_without_a_run_config(infron_env: None, bodies: Any) -> None:
    agent = Agent(name="a", model=infron_model("anthropic/claude-sonnet-4.5"))
    result = await Runner.run(agent, "hi")
    assert result.final_output.startswith('You said: "hi"')
    (body,) = bodies()
    assert body["model"] == "anthropic/claude-sonnet-4.5"
    assert body["usage"] == {"include": True}
    assert run_cost(result).requests == 1
    # one provider per environment, shared by every call: the model is cached by id
    assert infron_model("anthropic/claude-sonnet-4.5") is agent.model


async def test_infron_model_takes_the_openai_vendor_id_as_infron_s(
    infron_env: None, bodies: Any
) -> None:
    agent = Agent(name="a", model=infron_model("openai/gpt-4o-mini"))
    await Runner.run(agent, "hi")
    assert [b["model"] for b in bodies()] == ["openai/gpt-4o-mini"]


async def test_infron_model_with_provider_options(sandbox: Any, bodies: Any) -> None:
    model = infron_model(
        "openai/gpt-4o",
        api_key=sandbox.api_key,
        base_url=sandbox.base_url,
        provider={"sort": "price"},
    )
    await Runner.run(Agent(name="a", model=model), "hi")
    assert bodies()[0]["provider"] == {"sort": "price"}


def test_infron_model_refuses_bad_input_before_sending(
    provider: InfronProvider, sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(InfronConfigError, match="model_provider= and provider options"):
        infron_model("openai/gpt-4o", model_provider=provider, provider={"sort": "price"})
    with pytest.raises(InfronConfigError, match=r"provider.*'sortt'"):
        infron_model("openai/gpt-4o", api_key="k", base_url=sandbox.base_url, provider={"sortt": 1})
    monkeypatch.delenv("INFRON_API_KEY", raising=False)
    with pytest.raises(InfronConfigError, match="INFRON_API_KEY"):
        infron_model("openai/gpt-4o")
    assert infron_model("x/y", model_provider=provider) is provider.get_model("x/y")
    assert sandbox.requests == []


async def test_a_string_id_without_a_run_config_is_the_sdk_s_openai_route(
    infron_env: None,
) -> None:
    # the fact infron_model() exists for: the SDK's default provider knows no "infron/" prefix
    # (openai-agents 0.20.0 / 0.24.0)
    with pytest.raises(UserError, match="Unknown prefix: infron"):
        await Runner.run(Agent(name="a", model="infron/openai/gpt-4o-mini"), "hi")


async def test_openai_prefix_is_refused_by_default_with_both_spellings(
    provider: InfronProvider, sandbox: Any
) -> None:
    multi = infron_multi_provider(provider, openai_api_key="unused")
    agent = Agent(name="a", model="openai/gpt-4o-mini")
    with pytest.raises(InfronModelIdError) as info:
        await Runner.run(agent, "hi", run_config=RunConfig(model_provider=multi))
    message = str(info.value)
    assert "'infron/openai/gpt-4o-mini' for Infron" in message
    assert "'gpt-4o-mini' for OpenAI" in message
    assert "openai_prefix='infron'" in message and "openai_prefix='openai'" in message
    # both families of except clauses catch it
    assert isinstance(info.value, UserError) and isinstance(info.value, InfronConfigError)
    assert sandbox.requests == []


async def test_openai_prefix_rule_infron(provider: InfronProvider, bodies: Any) -> None:
    multi = infron_multi_provider(provider, openai_prefix="infron", openai_api_key="unused")
    agent = Agent(name="a", model="openai/gpt-4o-mini")
    result = await Runner.run(agent, "hi", run_config=RunConfig(model_provider=multi))
    assert result.final_output.startswith('You said: "hi"')
    assert [b["model"] for b in bodies()] == ["openai/gpt-4o-mini"]


def test_openai_prefix_rule_openai_and_plain_names_go_to_openai(provider: InfronProvider) -> None:
    multi = infron_multi_provider(provider, openai_prefix="openai", openai_api_key="unused")
    for name in ("openai/gpt-4o-mini", "gpt-4o-mini"):
        model = multi.get_model(name)
        assert not isinstance(model, InfronModel)
        assert getattr(model, "model", None) == "gpt-4o-mini"
    # the explicit Infron prefix still wins
    assert isinstance(multi.get_model("infron/openai/gpt-4o-mini"), InfronModel)


def test_unknown_prefix_names_the_infron_spelling(provider: InfronProvider, sandbox: Any) -> None:
    multi = infron_multi_provider(provider, openai_api_key="unused")
    with pytest.raises(InfronModelIdError, match=r"'infron/anthropic/claude-sonnet-4\.5'"):
        multi.get_model("anthropic/claude-sonnet-4.5")
    # the SDK's own prefixes and its unknown_prefix_mode are left alone
    passthrough = infron_multi_provider(
        provider, openai_api_key="unused", unknown_prefix_mode="model_id"
    )
    model = passthrough.get_model("anthropic/claude-sonnet-4.5")
    assert not isinstance(model, InfronModel)
    assert getattr(model, "model", None) == "anthropic/claude-sonnet-4.5"
    assert sandbox.requests == []


def test_multi_provider_options_are_checked(provider: InfronProvider) -> None:
    with pytest.raises(InfronConfigError, match="openai_prefix="):
        infron_multi_provider(provider, openai_prefix="auto")  # type: ignore[arg-type]
    with pytest.raises(InfronConfigError, match="prefix="):
        infron_multi_provider(provider, prefix="infron/ai")
