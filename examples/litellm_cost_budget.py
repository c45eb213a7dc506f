"""Cost tracking and a budget stop with LiteLLM's ``infron/`` provider.

    python examples/litellm_cost_budget.py

Every Infron answer carries its exact cost (docs: Billing Tracking), which LiteLLM sees as
``_hidden_params["response_cost"]`` (and its callbacks and proxy spend logs as the response
cost). ``track_usage(budget=...)`` collects each request; the request that crosses the budget
completes, is recorded, and then raises ``InfronBudgetExceededError`` (as
``InfronLiteLLMBudgetExceededError``, also a ``litellm.BudgetExceededError``), which ends the loop
below. Without ``INFRON_API_KEY`` it runs against the built-in sandbox (its own prices).
"""

from __future__ import annotations

import os

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no price-table download

import litellm

from infron_integrations.core import InfronBudgetExceededError, track_usage
from infron_integrations.gateway import live_or_sandbox
from infron_integrations.litellm import register

MODEL = "infron/" + os.environ.get("INFRON_CHAT_MODEL", "openai/gpt-4o-mini")
BUDGET = float(os.environ.get("INFRON_BUDGET_USD", "0.0001"))
MAX_REQUESTS = 50  # a hard stop too, whatever the prices


def main() -> None:
    register()
    with live_or_sandbox(), track_usage(budget=BUDGET) as usage:
        try:
            for n in range(1, MAX_REQUESTS + 1):
                response = litellm.completion(
                    model=MODEL,
                    messages=[{"role": "user", "content": f"Fun fact {n} about octopuses?"}],
                )
                print(f"request {n}: ${response._hidden_params['response_cost']:.8f}")
        except InfronBudgetExceededError as exc:
            print(f"budget stop ({type(exc).__name__}): {exc}")

    costs = ["not reported" if r.cost is None else f"${r.cost:.8f}" for r in usage.records]
    print(f"\nper-request costs: {', '.join(costs)}")
    total = usage.total
    print(
        f"total: {total.requests} requests, {total.input_tokens} input + "
        f"{total.output_tokens} output tokens, ${usage.total_cost:.8f} (budget ${BUDGET:.8f})"
    )


if __name__ == "__main__":
    main()
