"""A search agent with the OpenAI Agents SDK: the agent calls Infron's web search as a tool.

    python examples/agents_search_agent.py

``infron_search_tool("exa")`` (docs: Search) is a ``FunctionTool`` the agent calls with one
argument, ``query``; it answers with JSON results (title, url, content). ``run_cost(result)`` and
``track_usage()`` both count the model's requests and the searches together: Exa reports
what each search cost, and a search whose answer reports no cost would be counted as
unknown-cost, never estimated. Without ``INFRON_API_KEY`` it runs against the built-in sandbox,
which serves the Search APIs too.
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

from agents import Agent, RunConfig, Runner, ToolCallOutputItem, set_tracing_disabled

from infron_integrations.core import track_usage
from infron_integrations.gateway import live_or_sandbox
from infron_integrations.openai_agents import InfronProvider, infron_search_tool

MODEL = os.environ.get("INFRON_CHAT_MODEL", "openai/gpt-4o-mini")
QUESTION = "What is new in Python 3.13?"


async def main() -> None:
    set_tracing_disabled(True)  # keep this example self-contained
    with live_or_sandbox(), track_usage() as usage:
        agent = Agent(
            name="researcher",
            model=MODEL,
            instructions="Search the web before answering, and cite the URLs you used.",
            tools=[infron_search_tool("exa", max_results=3)],
        )
        result = await Runner.run(
            agent, QUESTION, run_config=RunConfig(model_provider=InfronProvider())
        )
        for item in result.new_items:
            if isinstance(item, ToolCallOutputItem):
                print("searched (exa):")
                for hit in json.loads(item.output)["results"]:
                    print(f"  - {hit['title']}: {hit['url']}")
        print(f"\nanswer: {result.final_output}\n")

    report(usage)


def report(usage: Any) -> None:
    """What the run cost: the model's requests and the searches, from one tracker."""
    kinds: dict[str, int] = {}
    for record in usage.records:
        kinds[record.kind] = kinds.get(record.kind, 0) + 1
    print("requests: " + ", ".join(f"{kind} {n}" for kind, n in kinds.items()))
    search_cost = sum(r.cost or 0 for r in usage.records if r.kind == "search")
    print(f"search cost: ${search_cost:.8f}")
    unknown = usage.total.unknown_cost_requests
    print(f"total cost: ${usage.total_cost:.8f} ({unknown} request(s) reported no cost)")


if __name__ == "__main__":
    asyncio.run(main())
