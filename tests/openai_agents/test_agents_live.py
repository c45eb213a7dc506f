"""Against the real gateway (runs only with INFRON_API_KEY set): a tool run, streamed, with cost."""

from __future__ import annotations

import os

import pytest
from agents import Agent, RunConfig, Runner
from agents_runs import get_weather

from infron_integrations.openai_agents import InfronProvider, run_cost

pytestmark = pytest.mark.live

MODEL = os.environ.get("INFRON_TEST_MODEL", "openai/gpt-4o-mini")


@pytest.mark.parametrize("streamed", [False, True])
async def test_live_tool_run_reports_cost(streamed: bool) -> None:
    provider = InfronProvider()
    agent = Agent(
        name="live",
        model=MODEL,
        instructions="Use get_weather, then answer in one short sentence.",
        tools=[get_weather],
    )
    config = RunConfig(model_provider=provider)
    if streamed:
        result = Runner.run_streamed(agent, "Weather in Paris?", run_config=config)
        async for _ in result.stream_events():
            pass
    else:
        result = await Runner.run(agent, "Weather in Paris?", run_config=config)
    assert "Paris" in str(result.final_output)
    cost = run_cost(result)
    assert cost.unrecorded_responses == 0
    assert cost.total_cost > 0
    assert all(r.request_id for r in cost.records)
