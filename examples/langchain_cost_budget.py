"""Cost tracking and a budget stop with LangChain's ``ChatInfron``.

    python examples/langchain_cost_budget.py

Every Infron answer carries its exact cost (docs: Billing Tracking); ``track_usage(budget=...)``
collects each request's usage and cost, and the request that crosses the budget completes, is
recorded, and then raises ``InfronBudgetExceededError``, which ends the loop below. Without
``INFRON_API_KEY`` it runs against the built-in sandbox (the sandbox's own prices).
"""

from __future__ import annotations

import os

from infron_integrations.core import InfronBudgetExceededError, track_usage
from infron_integrations.gateway import live_or_sandbox
from infron_integrations.langchain import ChatInfron

MODEL = os.environ.get("INFRON_CHAT_MODEL", "openai/gpt-4o-mini")
BUDGET = float(os.environ.get("INFRON_BUDGET_USD", "0.0001"))
MAX_REQUESTS = 50  # a hard stop too, whatever the prices


def main() -> None:
    with live_or_sandbox():
        llm = ChatInfron(model=MODEL)
        with track_usage(budget=BUDGET) as usage:
            try:
                for n in range(1, MAX_REQUESTS + 1):
                    reply = llm.invoke(f"Give me fun fact number {n} about octopuses.")
                    print(f"request {n}: ${reply.response_metadata.get('cost', 0):.8f}")
            except InfronBudgetExceededError as exc:
                print(f"budget stop: {exc}")

        costs = ["not reported" if r.cost is None else f"${r.cost:.8f}" for r in usage.records]
        print(f"\nper-request costs: {', '.join(costs)}")
        total = usage.total
        print(
            f"total: {total.requests} requests, {total.input_tokens} input + "
            f"{total.output_tokens} output tokens, ${usage.total_cost:.8f} "
            f"(budget ${BUDGET:.8f})"
        )


if __name__ == "__main__":
    main()
