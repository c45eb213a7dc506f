"""OpenAI Agents SDK on Infron: a function tool, a handoff, and the run's exact cost.

Run it::

    python examples/agents_quickstart.py                 # offline: starts the local sandbox
    INFRON_API_KEY=sk-... python examples/agents_quickstart.py   # the real gateway

Without ``INFRON_API_KEY`` the script starts the Infron sandbox (a deterministic emulator of the
gateway) on 127.0.0.1 and talks to it; nothing leaves the machine. Tracing to OpenAI is off
unless you configure it (see ``infron_integrations.openai_agents.tracing``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator

from agents import Agent, RunConfig, Runner, function_tool, set_tracing_disabled

from infron_integrations.core import track_usage
from infron_integrations.gateway import live_or_sandbox
from infron_integrations.openai_agents import InfronProvider, infron_settings, run_cost

MODEL = os.environ.get("INFRON_MODEL", "openai/gpt-4o-mini")
SPANISH_MODEL = os.environ.get("INFRON_SPANISH_MODEL", "meta-llama/llama-3.3-70b-instruct")


@function_tool
def get_weather(city: str) -> str:
    """Today's weather in a city."""
    return f"sunny and 21 degrees C in {city}"


@contextlib.contextmanager
def gateway() -> Iterator[InfronProvider]:
    """The real gateway when INFRON_API_KEY is set, else the sandbox on loopback."""
    with live_or_sandbox():  # exports INFRON_API_KEY / INFRON_BASE_URL for the provider
        yield InfronProvider(provider={"sort": "price"})


async def main() -> None:
    set_tracing_disabled(True)  # keep this example self-contained
    with gateway() as provider:
        spanish = Agent(
            name="spanish_agent",
            instructions="You only speak Spanish.",
            model=SPANISH_MODEL,
        )
        assistant = Agent(
            name="assistant",
            instructions=(
                "Use get_weather for weather questions. If the user asks for Spanish, "
                "hand off to the spanish agent."
            ),
            model=MODEL,
            tools=[get_weather],
            handoffs=[spanish],
            # per-agent Infron options: merged over the provider's defaults
            model_settings=infron_settings(provider={"allow_fallbacks": True}),
        )
        config = RunConfig(model_provider=provider)

        with track_usage() as usage:
            weather = await Runner.run(
                assistant, "What is the get_weather in Lisbon?", run_config=config
            )
            print(f"\n[tool]     {weather.final_output}")
            print(f"           cost: ${run_cost(weather).total_cost:.8f}")

            streamed = Runner.run_streamed(
                assistant, "Please transfer to spanish agent: how are you?", run_config=config
            )
            async for _ in streamed.stream_events():
                pass
            cost = run_cost(streamed)
            print(f"[handoff]  {streamed.last_agent.name}: {streamed.final_output}")
            print(f"           cost per request: {', '.join(f'${c:.8f}' for c in cost.costs if c)}")

        print(
            f"\nTotal: {usage.total.requests} requests, {usage.total.input_tokens} input + "
            f"{usage.total.output_tokens} output tokens, ${usage.total_cost:.8f} (gateway-reported)"
        )


if __name__ == "__main__":
    asyncio.run(main())
