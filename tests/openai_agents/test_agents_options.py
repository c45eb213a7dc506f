"""Infron options at three levels (provider, agent, run), merged deeply; checked on the wire."""

from __future__ import annotations

from typing import Any

import pytest
from agents import Agent, ModelSettings, RunConfig, Runner
from openai.types.shared import Reasoning as OpenAIReasoning

from infron_integrations.core.errors import InfronConfigError
from infron_integrations.openai_agents import InfronProvider, infron_settings


async def _run(agent: Agent[Any], provider: InfronProvider, text: str = "hi", **cfg: Any) -> Any:
    return await Runner.run(agent, text, run_config=RunConfig(model_provider=provider, **cfg))


async def _stream(agent: Agent[Any], provider: InfronProvider, text: str = "hi", **cfg: Any) -> Any:
    result = Runner.run_streamed(agent, text, run_config=RunConfig(model_provider=provider, **cfg))
    async for _ in result.stream_events():
        pass
    return result


@pytest.mark.parametrize("streamed", [False, True])
async def test_three_levels_merge_deeply(make_provider: Any, bodies: Any, streamed: bool) -> None:
    provider = make_provider(
        provider={"order": ["anthropic", "openai"], "allow_fallbacks": True},
        web_search={"search_context_size": "low"},
    )
    agent = Agent(
        name="a",
        model="anthropic/claude-sonnet-4.5",
        model_settings=infron_settings(
            provider={"only": ["anthropic", "openai"]},
            reasoning={"effort": "low"},
            temperature=0.3,
        ),
    )
    run_settings = infron_settings(
        provider={"sort": "price", "allow_fallbacks": False},
        web_search={"search_context_size": "high"},
    )
    result = await (_stream if streamed else _run)(
        agent, provider, "what is new?", model_settings=run_settings
    )
    (body,) = bodies()
    assert body["provider"] == {
        "order": ["anthropic", "openai"],
        "allow_fallbacks": False,
        "only": ["anthropic", "openai"],
        "sort": "price",
    }
    assert body["reasoning"] == {"effort": "low"}
    assert body["web_search_options"] == {"search_context_size": "high"}
    assert body["usage"] == {"include": True}
    assert body["temperature"] == 0.3
    assert "reasoning_effort" not in body
    assert not any(k.startswith("infron_options") for k in body)
    if streamed:
        assert body["stream_options"] == {"include_usage": True}
    # what the user sees: the web search citations (3 sources for "high") on the answer
    message = next(i for i in result.new_items if i.type == "message_output_item")
    annotations = message.raw_item.content[0].annotations
    assert [a.type for a in annotations] == ["url_citation"] * 3
    assert all(a.url.startswith("https://search.sandbox.invalid/") for a in annotations)


async def test_run_level_extra_body_keeps_agent_routing(
    provider: InfronProvider, bodies: Any
) -> None:
    agent = Agent(
        name="a",
        model="openai/gpt-4o",
        model_settings=infron_settings(provider={"order": ["openai"]}),
    )
    # the SDK replaces extra_body whole; the agent's routing must survive it
    await _run(agent, provider, model_settings=ModelSettings(extra_body={"seed_note": "x"}))
    (body,) = bodies()
    assert body["provider"] == {"order": ["openai"]}
    assert body["seed_note"] == "x"


async def test_sdk_reasoning_effort_becomes_reasoning_object(
    provider: InfronProvider, bodies: Any
) -> None:
    agent = Agent(
        name="a",
        model="deepseek/deepseek-r1",
        model_settings=ModelSettings(reasoning=OpenAIReasoning(effort="high")),
    )
    await _run(agent, provider, model_settings=infron_settings(reasoning={"max_tokens": 512}))
    (body,) = bodies()
    assert body["reasoning"] == {"effort": "high", "max_tokens": 512}
    assert "reasoning_effort" not in body


async def test_extra_body_infron_keys_are_validated_before_sending(
    provider: InfronProvider, sandbox: Any
) -> None:
    agent = Agent(
        name="a",
        model="openai/gpt-4o",
        model_settings=ModelSettings(extra_body={"provider": {"sortt": "price"}}),
    )
    with pytest.raises(InfronConfigError, match=r"extra_body.*'sortt'.*'sort'"):
        await _run(agent, provider)
    assert sandbox.requests == []


async def test_extra_body_infron_keys_are_merged(provider: InfronProvider, bodies: Any) -> None:
    agent = Agent(
        name="a",
        model="openai/gpt-4o",
        model_settings=ModelSettings(extra_body={"provider": {"order": ["azure"]}}),
    )
    await _run(agent, provider, model_settings=infron_settings(provider={"zdr": True}))
    assert bodies()[0]["provider"] == {"order": ["azure"], "zdr": True}


async def test_plain_extra_body_at_both_levels_keeps_the_run_s_only(
    provider: InfronProvider, bodies: Any
) -> None:
    # the documented limit: the SDK's ModelSettings.resolve replaces the agent's extra_body whole
    # with the run's, before any model sees the settings (openai-agents 0.20.0 / 0.24.0)
    agent = Agent(
        name="a",
        model="openai/gpt-4o",
        model_settings=ModelSettings(extra_body={"provider": {"order": ["openai", "azure"]}}),
    )
    run = ModelSettings(extra_body={"provider": {"sort": "price"}})
    await _run(agent, provider, model_settings=run)
    assert bodies()[0]["provider"] == {"sort": "price"}


@pytest.mark.parametrize("wrap", ["agent", "run", "both"])
async def test_infron_settings_base_makes_plain_extra_body_merge(
    provider: InfronProvider, bodies: Any, wrap: str
) -> None:
    agent_settings = ModelSettings(
        extra_body={"provider": {"order": ["openai", "azure"]}, "seed_note": "agent"},
        temperature=0.4,
    )
    run_settings = ModelSettings(extra_body={"provider": {"sort": "price"}})
    if wrap in ("agent", "both"):
        agent_settings = infron_settings(base=agent_settings)
    if wrap in ("run", "both"):
        run_settings = infron_settings(base=run_settings)
    agent = Agent(name="a", model="openai/gpt-4o", model_settings=agent_settings)
    await _run(agent, provider, model_settings=run_settings)
    (body,) = bodies()
    assert body["provider"] == {"order": ["openai", "azure"], "sort": "price"}
    assert body["temperature"] == 0.4
    # the rest of an extra_body stays in extra_body and follows the SDK's rule: a run-level
    # extra_body (here the unwrapped run's) replaces the agent's
    assert body.get("seed_note") == (None if wrap == "agent" else "agent")


def test_infron_settings_moves_infron_keys_out_of_extra_body() -> None:
    settings = infron_settings(
        extra_body={"provider": {"order": ["azure"], "sort": "price"}, "seed_note": "x"},
        provider={"sort": "latency"},
    )
    assert settings.extra_body == {"seed_note": "x"}
    assert settings.extra_args is not None
    (layer,) = [v for k, v in settings.extra_args.items() if k.startswith("infron_options:")]
    # keyword options win over the extra_body ones, field by field
    assert layer == {"provider": {"order": ["azure"], "sort": "latency"}}
    with pytest.raises(InfronConfigError, match=r"In extra_body.*'sortt'"):
        infron_settings(extra_body={"provider": {"sortt": "price"}})


async def test_plain_extra_body_ranks_below_infron_settings_layers(
    provider: InfronProvider, bodies: Any
) -> None:
    # the documented order: a plain extra_body's Infron keys lose to every infron_settings()
    # layer, whichever level either came from (the model only sees the merged settings)
    agent = Agent(
        name="a",
        model="openai/gpt-4o",
        model_settings=infron_settings(provider={"sort": "throughput", "order": ["groq"]}),
    )
    run = ModelSettings(extra_body={"provider": {"sort": "price", "zdr": True}})
    await _run(agent, provider, model_settings=run)
    assert bodies()[0]["provider"] == {"sort": "throughput", "order": ["groq"], "zdr": True}


async def test_other_extra_args_still_reach_create(provider: InfronProvider, bodies: Any) -> None:
    agent = Agent(
        name="a",
        model="openai/gpt-4o",
        model_settings=infron_settings(extra_args={"seed": 7}, provider={"sort": "latency"}),
    )
    await _run(agent, provider)
    body = bodies()[0]
    assert body["seed"] == 7
    assert body["provider"] == {"sort": "latency"}


def test_infron_settings_validates_now() -> None:
    with pytest.raises(InfronConfigError, match=r"options\.reasoning"):
        infron_settings(reasoning={"effort": "extreme"})
    with pytest.raises(InfronConfigError, match="quantizations"):
        infron_settings(provider={"quantizations": ["fp3"]})


def test_infron_settings_extends_base_without_mutating() -> None:
    base = ModelSettings(temperature=0.1, extra_args={"seed": 1})
    settings = infron_settings(provider={"sort": "price"}, base=base, top_p=0.5)
    assert base.extra_args == {"seed": 1}
    assert settings.temperature == 0.1 and settings.top_p == 0.5
    assert settings.extra_args is not None and settings.extra_args["seed"] == 1
    (layer,) = [v for k, v in settings.extra_args.items() if k.startswith("infron_options:")]
    assert layer == {"provider": {"sort": "price"}}


async def test_max_effort_is_refused_with_a_fix(provider: InfronProvider, sandbox: Any) -> None:
    agent = Agent(
        name="a",
        model="openai/gpt-4o",
        model_settings=ModelSettings(reasoning=OpenAIReasoning(effort="max")),
    )
    with pytest.raises(InfronConfigError, match="xhigh"):
        await _run(agent, provider)
    assert sandbox.requests == []


async def test_usage_accounting_can_be_turned_off(provider: InfronProvider, bodies: Any) -> None:
    agent = Agent(name="a", model="openai/gpt-4o", model_settings=infron_settings(usage=False))
    await _run(agent, provider)
    assert "usage" not in bodies()[0]


@pytest.mark.parametrize("streamed", [False, True])
async def test_prompt_cache_breakpoints(make_provider: Any, bodies: Any, streamed: bool) -> None:
    from agents import function_tool

    @function_tool
    def lookup(term: str) -> str:
        """Look a term up."""
        return f"{term}: found"

    provider = make_provider(cache=True)
    agent = Agent(
        name="a",
        model="anthropic/claude-sonnet-4.5",
        instructions="You are a careful assistant. " * 20,
        tools=[lookup],
    )
    await (_stream if streamed else _run)(agent, provider, "lookup cats")
    first, second = bodies()
    # tools -> system -> last user turn, as the docs' explicit caching shows
    assert first["tools"][-1]["cache_control"] == {"type": "ephemeral"}
    system = first["messages"][0]
    assert system["role"] == "system"
    assert system["content"][-1]["cache_control"] == {"type": "ephemeral"}
    user = first["messages"][1]
    assert user["content"][-1] == {
        "type": "text",
        "text": "lookup cats",
        "cache_control": {"type": "ephemeral"},
    }
    assert second["tools"][-1]["cache_control"] == {"type": "ephemeral"}


_OPTIONS = {
    "provider": ({"provider": {"sort": "throughput"}}, "provider", {"sort": "throughput"}),
    "reasoning": ({"reasoning": {"max_tokens": 256}}, "reasoning", {"max_tokens": 256}),
    "web_search": (
        {"web_search": {"search_context_size": "medium"}},
        "web_search_options",
        {"search_context_size": "medium"},
    ),
}


@pytest.mark.parametrize("level", ["provider", "agent", "run"])
@pytest.mark.parametrize("option", sorted(_OPTIONS))
async def test_each_option_at_each_level(
    make_provider: Any, bodies: Any, level: str, option: str
) -> None:
    kwargs, wire_key, wire_value = _OPTIONS[option]
    provider = make_provider(**(kwargs if level == "provider" else {}))
    agent_settings = infron_settings(**kwargs) if level == "agent" else None
    run_settings = infron_settings(**kwargs) if level == "run" else None
    agent = Agent(name="a", model="openai/gpt-4o", model_settings=agent_settings or ModelSettings())
    await _run(agent, provider, model_settings=run_settings)
    (body,) = bodies()
    assert body[wire_key] == wire_value
    assert body["usage"] == {"include": True}


async def test_reasoning_at_three_levels_merges_field_by_field(
    make_provider: Any, bodies: Any
) -> None:
    provider = make_provider(reasoning={"effort": "low", "max_tokens": 100})
    agent = Agent(
        name="a",
        model="deepseek/deepseek-r1",
        model_settings=infron_settings(reasoning={"max_tokens": 300}),
    )
    await _run(agent, provider, model_settings=infron_settings(reasoning={"effort": "high"}))
    assert bodies()[0]["reasoning"] == {"effort": "high", "max_tokens": 300}
