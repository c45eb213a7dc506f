"""``InfronProvider(api="responses")``: the same options and cost through ``/v1/responses``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from agents import Agent
from agents_runs import get_weather, run_agent

from infron_integrations.core.errors import InfronConfigError, InfronRateLimitError
from infron_integrations.openai_agents import infron_settings, run_cost


async def run(agent: Agent[Any], provider: Any, text: str, streamed: bool) -> Any:
    return await run_agent(agent, provider, text, streamed=streamed)


@pytest.mark.parametrize("streamed", [False, True])
async def test_tool_run_over_responses(
    make_provider: Any, bodies: Any, charged: Any, streamed: bool
) -> None:
    provider = make_provider(api="responses", provider={"order": ["openai"]})
    agent = Agent(
        name="w",
        model="openai/gpt-4o",
        tools=[get_weather],
        model_settings=infron_settings(reasoning={"effort": "low"}),
    )
    result = await run(agent, provider, "get_weather in Quito", streamed)
    assert result.final_output == "Based on get_weather: Sunny in Quito."
    assert bodies() == []
    first, second = bodies("/v1/responses")
    assert first["provider"] == {"order": ["openai"]}
    assert first["reasoning"] == {"effort": "low"}
    assert first["usage"] == {"include": True}
    assert first["tools"][0]["name"] == "get_weather"
    assert any(item.get("type") == "function_call_output" for item in second["input"])
    cost = run_cost(result)
    assert cost.requests == len(cost.records) == 2 and cost.unrecorded_responses == 0
    assert Decimal(repr(cost.total_cost)) == charged()


async def test_responses_errors_are_typed(make_provider: Any) -> None:
    provider = make_provider(api="responses")
    with pytest.raises(InfronRateLimitError):
        await run(Agent(name="f", model="sandbox/fault-429"), provider, "hi", False)


async def test_web_search_option_is_refused_before_sending(
    make_provider: Any, sandbox: Any
) -> None:
    provider = make_provider(api="responses")
    agent = Agent(
        name="w",
        model="openai/gpt-4o",
        model_settings=infron_settings(web_search={"search_context_size": "low"}),
    )
    with pytest.raises(InfronConfigError, match="WebSearchTool"):
        await run(agent, provider, "hi", False)
    assert sandbox.requests == []
