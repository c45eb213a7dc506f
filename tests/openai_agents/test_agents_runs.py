"""Whole runs against the sandbox: tools, handoffs, structured output, cost, streamed or not."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from agents import Agent, RunConfig, Runner
from agents_runs import get_weather, run_agent
from pydantic import BaseModel

from infron_integrations.core.usage import track_usage
from infron_integrations.openai_agents import InfronProvider, infron_settings, run_cost


async def run(agent: Agent[Any], provider: InfronProvider, text: str, streamed: bool) -> Any:
    return await run_agent(agent, provider, text, streamed=streamed)


@pytest.mark.parametrize("streamed", [False, True])
async def test_function_tool_call_then_answer(
    provider: InfronProvider, bodies: Any, charged: Any, streamed: bool
) -> None:
    agent = Agent(name="weather", model="openai/gpt-4o", tools=[get_weather])
    with track_usage() as tracker:
        result = await run(agent, provider, "What is the get_weather in Paris?", streamed)

    # the user sees the tool call, its output and the answer built from it
    assert result.final_output == "Based on get_weather: Sunny in Paris."
    kinds = [item.type for item in result.new_items]
    assert kinds == ["tool_call_item", "tool_call_output_item", "message_output_item"]

    # on the wire: the tool schema, then the assistant tool call and the tool result sent back
    first, second = bodies()
    assert first["tools"][0]["function"]["name"] == "get_weather"
    assistant, tool = second["messages"][-2:]
    call = assistant["tool_calls"][0]
    assert call["function"]["name"] == "get_weather"
    assert tool == {"role": "tool", "tool_call_id": call["id"], "content": "Sunny in Paris"}

    # cost: per request and in total, exactly what the sandbox charged
    cost = run_cost(result)
    assert cost.requests == len(cost.records) == 2 and cost.unrecorded_responses == 0
    assert all(c is not None and c > 0 for c in cost.costs)
    assert Decimal(repr(cost.total_cost)) == charged()
    assert tracker.total.cost == charged()
    assert tracker.by_framework["openai-agents"].requests == 2
    assert cost.total.input_tokens == result.context_wrapper.usage.input_tokens > 0
    assert cost.total.output_tokens == result.context_wrapper.usage.output_tokens > 0


@pytest.mark.parametrize("streamed", [False, True])
async def test_handoff_between_two_agents(
    provider: InfronProvider, bodies: Any, charged: Any, streamed: bool
) -> None:
    spanish = Agent(
        name="spanish_agent",
        model="meta-llama/llama-3.3-70b-instruct",
        instructions="Only Spanish.",
    )
    triage = Agent(
        name="triage",
        model="openai/gpt-4o",
        instructions="Hand off by language.",
        handoffs=[spanish],
    )
    result = await run(triage, provider, "Please transfer to spanish agent: hola", streamed)

    assert result.last_agent is spanish
    # the new agent sees the handoff call and its result, and answers from them
    assert (
        result.final_output == 'Based on transfer_to_spanish_agent: {"assistant": "spanish_agent"}.'
    )
    first, second = bodies()
    assert first["model"] == "openai/gpt-4o"
    assert first["tools"][0]["function"]["name"] == "transfer_to_spanish_agent"
    assert second["model"] == "meta-llama/llama-3.3-70b-instruct"
    assert second["messages"][0] == {"role": "system", "content": "Only Spanish."}
    assert second["messages"][-1]["role"] == "tool"
    assert "tools" not in second
    cost = run_cost(result)
    assert [r.model for r in cost.records] == ["openai/gpt-4o", "meta-llama/llama-3.3-70b-instruct"]
    assert Decimal(repr(cost.total_cost)) == charged()


class Forecast(BaseModel):
    city: str
    temperature_c: int
    sunny: bool


@pytest.mark.parametrize("streamed", [False, True])
async def test_structured_output(provider: InfronProvider, bodies: Any, streamed: bool) -> None:
    agent = Agent(name="f", model="openai/gpt-4o", output_type=Forecast)
    result = await run(agent, provider, "Forecast for Rome", streamed)
    assert isinstance(result.final_output, Forecast)
    (body,) = bodies()
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"]["required"] == [
        "city",
        "temperature_c",
        "sunny",
    ]


@pytest.mark.parametrize("streamed", [False, True])
async def test_routing_reaches_the_provider(
    make_provider: Any, bodies: Any, streamed: bool
) -> None:
    provider = make_provider(provider={"order": ["together"]})
    agent = Agent(
        name="a",
        model="meta-llama/llama-3.3-70b-instruct",
        model_settings=infron_settings(provider={"order": ["groq"], "allow_fallbacks": False}),
    )
    result = await run(agent, provider, "hello", streamed)
    (body,) = bodies()
    assert body["provider"] == {"order": ["groq"], "allow_fallbacks": False}
    # the gateway's choice of upstream provider is kept with the request's cost record
    assert run_cost(result).records[0].provider == "groq"


@pytest.mark.parametrize("streamed", [False, True])
async def test_prompt_cache_hits_on_the_next_turn(make_provider: Any, streamed: bool) -> None:
    provider = make_provider(cache=True)
    agent = Agent(
        name="a",
        model="anthropic/claude-sonnet-4.5",
        instructions="You are a careful assistant. " * 40,
        tools=[get_weather],
    )
    result = await run(agent, provider, "get_weather in Oslo", streamed)
    first, second = run_cost(result).records
    assert first.cache_write_tokens > 0 and first.cache_read_tokens == 0
    assert second.cache_read_tokens > 0


async def test_run_sync_works_across_event_loops(provider: InfronProvider) -> None:
    # Runner.run_sync makes its own loop; the pooled client follows the running loop
    import asyncio

    agent = Agent(name="a", model="openai/gpt-4o")

    def twice() -> list[str]:
        return [
            Runner.run_sync(
                agent, f"n{i}", run_config=RunConfig(model_provider=provider)
            ).final_output
            for i in range(2)
        ]

    outputs = await asyncio.to_thread(twice)
    assert [o.split('"')[1] for o in outputs] == ["n0", "n1"]


@pytest.mark.parametrize("streamed", [False, True])
async def test_preserved_raw_usage_carries_the_cost(
    provider: InfronProvider, charged: Any, streamed: bool
) -> None:
    from agents import ModelSettings

    agent = Agent(name="a", model="openai/gpt-4o")
    config = RunConfig(
        model_provider=provider, model_settings=ModelSettings(preserve_raw_usage=True)
    )
    if streamed:
        result = Runner.run_streamed(agent, "hi", run_config=config)
        async for _ in result.stream_events():
            pass
    else:
        result = await Runner.run(agent, "hi", run_config=config)
    (response,) = result.raw_responses
    assert response.raw_usage is not None
    assert Decimal(repr(response.raw_usage["cost"])) == charged()
    assert set(response.raw_usage["cost_details"]) >= {"prompt_cost", "completion_cost"}
    assert response.raw_usage["prompt_tokens"] == response.usage.input_tokens


async def test_without_preservation_raw_usage_stays_empty(provider: InfronProvider) -> None:
    result = await Runner.run(
        Agent(name="a", model="openai/gpt-4o"), "hi", run_config=RunConfig(model_provider=provider)
    )
    assert result.raw_responses[0].raw_usage is None
    assert run_cost(result).total_cost > 0
