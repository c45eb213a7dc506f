"""Provider routing and fallbacks with the OpenAI Agents SDK on Infron.

    python examples/agents_routing.py

``InfronProvider(provider={"order": [...], "allow_fallbacks": True})`` sends Infron's routing
preferences with every request (docs: Inference Provider Routing); an agent's
``model_settings=infron_settings(provider=...)`` merges over them field by field. The upstream
that served each request is in ``run_cost(result).records[i].provider``. Without
``INFRON_API_KEY`` the script runs against the built-in sandbox, where it also simulates an outage
of the first provider (the sandbox's ``x-infron-sandbox-down`` test header) so you can watch the
fallback happen.
"""

from __future__ import annotations

import asyncio
import os

from agents import Agent, RunConfig, Runner, set_tracing_disabled

from infron_integrations.gateway import live_or_sandbox
from infron_integrations.openai_agents import InfronProvider, infron_settings, run_cost

MODEL = os.environ.get("INFRON_CHAT_MODEL", "anthropic/claude-sonnet-4.5")
ORDER = ["anthropic", "amazon-bedrock", "google-vertex"]


async def ask(agent: Agent, provider: InfronProvider, label: str) -> None:
    result = await Runner.run(
        agent, "Name one city in Portugal.", run_config=RunConfig(model_provider=provider)
    )
    request = run_cost(result).records[-1]
    print(f"[{label}] served by: {request.provider}  (cost ${request.cost or 0:.8f})")
    print(f"[{label}] answer: {result.final_output}")


async def main() -> None:
    set_tracing_disabled(True)  # keep this example self-contained
    with live_or_sandbox() as gw:
        routing = {"order": ORDER, "allow_fallbacks": True}
        print(f"Routing preferences: {routing}")
        agent = Agent(name="assistant", instructions="Be brief.", model=MODEL)
        await ask(agent, InfronProvider(provider=routing), "normal")

        if gw.is_sandbox:
            # Only the sandbox understands this header: it pretends the first provider is down.
            down = InfronProvider(
                provider=routing, default_headers={"x-infron-sandbox-down": ORDER[0]}
            )
            print(f"\nSimulating an outage of {ORDER[0]!r}:")
            await ask(agent, down, "fallback")

        # The agent's own settings win over the provider's defaults, field by field.
        vertex_first = agent.clone(
            model_settings=infron_settings(provider={"order": ["google-vertex"]})
        )
        await ask(vertex_first, InfronProvider(provider=routing), "agent order")


if __name__ == "__main__":
    asyncio.run(main())
