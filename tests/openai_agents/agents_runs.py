"""Running an agent to its end, the one way the Agents tests do it (streamed or not), and the
function tool the runs call."""

from __future__ import annotations

from typing import Any

from agents import Agent, RunConfig, Runner, function_tool


@function_tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"Sunny in {city}"


async def run_agent(
    agent: Agent[Any], provider: Any, text: Any = "hi", *, streamed: bool = False, **config: Any
) -> Any:
    """The run's result; a streamed run has consumed every event first.

    ``config`` goes to ``RunConfig`` next to ``model_provider=provider``.
    """
    run_config = RunConfig(model_provider=provider, **config)
    if not streamed:
        return await Runner.run(agent, text, run_config=run_config)
    result = Runner.run_streamed(agent, text, run_config=run_config)
    async for _ in result.stream_events():
        pass
    return result
