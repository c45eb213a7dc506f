"""Structured output with the OpenAI Agents SDK on Infron: a pydantic object from the agent.

    python examples/agents_structured_output.py

``Agent(output_type=City)`` makes the SDK send the class's JSON schema as a ``json_schema``
response format (the Infron docs' "Structured Outputs") and parse the answer, so
``result.final_output`` is a ``City``. Without ``INFRON_API_KEY`` it runs against the built-in
sandbox.
"""

from __future__ import annotations

import asyncio
import os

from agents import Agent, RunConfig, Runner, set_tracing_disabled
from pydantic import BaseModel, Field

from infron_integrations.gateway import live_or_sandbox
from infron_integrations.openai_agents import InfronProvider, run_cost

MODEL = os.environ.get("INFRON_CHAT_MODEL", "openai/gpt-4o-mini")


class City(BaseModel):
    """A city and a few facts about it."""

    name: str = Field(description="The city's name")
    country: str = Field(description="The country it is in")
    population: int = Field(description="Approximate number of inhabitants")
    landmarks: list[str] = Field(description="Two or three famous landmarks")


async def main() -> None:
    set_tracing_disabled(True)  # keep this example self-contained
    with live_or_sandbox():
        agent = Agent(
            name="geographer",
            instructions="Answer with facts about the city the user names.",
            model=MODEL,
            output_type=City,
        )
        result = await Runner.run(
            agent, "Tell me about Lisbon.", run_config=RunConfig(model_provider=InfronProvider())
        )
        city = result.final_output_as(City, raise_if_incorrect_type=True)
        print(f"parsed: {city!r}")
        print(f"type: {type(city).__name__}, name={city.name!r}, population={city.population}")
        print(f"cost: ${run_cost(result).total_cost:.8f}")


if __name__ == "__main__":
    asyncio.run(main())
