"""A search agent with LangChain: ``ChatInfron`` calls Infron's web search as a tool.

    python examples/langchain_search_agent.py

``InfronSearchTool`` (docs: Search) runs a web search with the engine you choose (Exa here): the
model sends one argument, ``query``, and reads the results as JSON; the ``ToolMessage`` keeps the
engine's whole typed answer as its ``artifact``. ``track_usage()`` totals the model's requests and
the searches: Exa reports what each search cost, and a search whose answer reports no cost would
be counted as unknown-cost, never estimated. Without ``INFRON_API_KEY`` it runs against the
built-in sandbox, which serves the Search APIs too.
"""

from __future__ import annotations

import os
from typing import Any

from langchain_core.messages import HumanMessage

from infron_integrations.core import track_usage
from infron_integrations.gateway import live_or_sandbox
from infron_integrations.langchain import ChatInfron, InfronSearchTool

MODEL = os.environ.get("INFRON_CHAT_MODEL", "openai/gpt-4o-mini")
QUESTION = "What is new in Python 3.13?"
MAX_TURNS = 4  # the model may search more than once; a hard stop all the same


def main() -> None:
    with live_or_sandbox(), track_usage() as usage:
        search = InfronSearchTool(engine="exa", max_results=3)
        llm = ChatInfron(model=MODEL).bind_tools([search])
        messages: list[Any] = [HumanMessage(QUESTION)]
        for _ in range(MAX_TURNS):
            reply = llm.invoke(messages)
            messages.append(reply)
            if not reply.tool_calls:
                break
            for call in reply.tool_calls:
                result = search.invoke(call)  # a ToolMessage; .artifact is the Exa answer
                print(f"searched (exa): {call['args']['query']}")
                for hit in result.artifact.hits:
                    print(f"  - {hit.title}: {hit.url}")
                messages.append(result)
        print(f"\nanswer: {reply.content}\n")

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
    main()
