"""Cost tracking and a budget stop with the OpenAI Agents SDK on Infron.

    python examples/agents_cost_budget.py

Every Infron answer carries its exact cost (docs: Billing Tracking): ``run_cost(result)`` gives a
run's per-request costs, and ``track_usage(budget=...)`` collects every request of every run. The
request that crosses the budget completes, is recorded, and then raises
``InfronBudgetExceededError`` out of ``Runner.run``, which ends the loop below. Without
``INFRON_API_KEY`` it runs against the built-in sandbox (the sandbox's own prices).
"""

from __future__ import annotations

import asyncio
import os

from agents import Agent, RunConfig, Runner, set_tracing_disabled

from infron_integrations.core import InfronBudgetExceededError, track_usage
from infron_integrations.gateway import live_or_sandbox
from infron_integrations.openai_agents import InfronProvider, run_cost

MODEL = os.environ.get("INFRON_CHAT_MODEL", "openai/gpt-4o-mini")
BUDGET = float(os.environ.get("INFRON_BUDGET_USD", "0.0001"))
MAX_RUNS = 50  # a hard stop too, whatever the prices


async def main() -> None:
    set_tracing_disabled(True)  # keep this example self-contained
    with live_or_sandbox():
        agent = Agent(name="assistant", instructions="Be brief.", model=MODEL)
        config = RunConfig(model_provider=InfronProvider())
        with track_usage(budget=BUDGET) as usage:
            try:
                for n in range(1, MAX_RUNS + 1):
                    result = await Runner.run(
                        agent, f"Fun fact {n} about octopuses?", run_config=config
                    )
                    print(f"request {n}: ${run_cost(result).total_cost:.8f}")
            except InfronBudgetExceededError as exc:
                print(f"budget stop: {exc}")

    costs = ["not reported" if r.cost is None else f"${r.cost:.8f}" for r in usage.records]
    print(f"\nper-request costs: {', '.join(costs)}")
    total = usage.total
    print(
        f"total: {total.requests} requests, {total.input_tokens} input + "
        f"{total.output_tokens} output tokens, ${usage.total_cost:.8f} (budget ${BUDGET:.8f})"
    )


if __name__ == "__main__":
    asyncio.run(main())
