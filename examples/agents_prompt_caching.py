"""Prompt caching with the OpenAI Agents SDK on Infron: the second run reads the cache.

    python examples/agents_prompt_caching.py

``infron_settings(prompt_cache=True)`` adds ``cache_control`` breakpoints to the tools, the
system prompt (the agent's instructions) and the last user turn (docs: Prompt Caching). Two runs
of the same agent share its long instructions: the first writes them to the cache, the second
reads them, which shows in the run's ``usage.input_tokens_details.cached_tokens`` and in the
cost (``prompt_cache_read_cost``). Without ``INFRON_API_KEY`` it runs against the built-in
sandbox.
"""

from __future__ import annotations

import asyncio
import os

from agents import Agent, RunConfig, Runner, set_tracing_disabled

from infron_integrations.gateway import live_or_sandbox
from infron_integrations.openai_agents import InfronProvider, infron_settings, run_cost

MODEL = os.environ.get("INFRON_CHAT_MODEL", "anthropic/claude-sonnet-4.5")
# Providers cache only long prefixes (e.g. 1024+ tokens on Claude): long, stable instructions.
HANDBOOK = "You are the support assistant of a bicycle shop. " + " ".join(
    f"Rule {n}: answer politely, cite the relevant policy section {n}, and keep it short."
    for n in range(1, 121)
)


async def main() -> None:
    set_tracing_disabled(True)  # keep this example self-contained
    with live_or_sandbox():
        config = RunConfig(model_provider=InfronProvider())
        agent = Agent(
            name="support",
            instructions=HANDBOOK,
            model=MODEL,
            model_settings=infron_settings(prompt_cache=True),
        )
        for n, question in enumerate(["Can I return a helmet?", "Do you repair e-bikes?"], 1):
            result = await Runner.run(agent, question, run_config=config)
            usage = result.context_wrapper.usage
            details = usage.input_tokens_details
            record = run_cost(result).records[-1]
            costs = record.cost_details
            print(
                f"call {n}: {usage.input_tokens} input tokens, "
                f"cache write tokens: {record.cache_write_tokens}, "
                f"cached tokens: {details.cached_tokens}"
            )
            print(
                f"        cost ${record.cost or 0:.8f} "
                f"(cache write ${costs.prompt_cache_write_5_min if costs else 0:.8f}, "
                f"cache read ${costs.prompt_cache_read_cost if costs else 0:.8f})"
            )


if __name__ == "__main__":
    asyncio.run(main())
