"""A search agent with LiteLLM: a tool loop whose tool is Infron's web search.

    python examples/litellm_search_agent.py

LiteLLM has no tool runtime of its own, so the loop is the usual OpenAI-style one:
``search_tool_definition()`` is the tool's ``tools`` entry, and ``InfronSearch.run_tool`` (docs:
Search) runs each call the model makes with the engine you choose (Exa here) and returns the JSON
results to send back as the tool message. ``track_usage()`` totals the model's requests and the
searches: Exa reports what each search cost, and a search whose answer reports no cost would be
counted as unknown-cost, never estimated. Without ``INFRON_API_KEY`` it runs against the
built-in sandbox, which serves the Search APIs too.
"""

from __future__ import annotations

import json
import os
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no price-table download

import litellm

from infron_integrations.core import InfronSearch, search_tool_definition, track_usage
from infron_integrations.gateway import live_or_sandbox
from infron_integrations.litellm import register

MODEL = "infron/" + os.environ.get("INFRON_CHAT_MODEL", "openai/gpt-4o-mini")
QUESTION = "What is new in Python 3.13?"
MAX_TURNS = 4  # the model may search more than once; a hard stop all the same


def main() -> None:
    register()
    with live_or_sandbox(), track_usage() as usage:
        search = InfronSearch(framework="litellm")
        tools = [search_tool_definition()]
        messages: list[dict[str, Any]] = [{"role": "user", "content": QUESTION}]
        for _ in range(MAX_TURNS):
            response = litellm.completion(model=MODEL, messages=messages, tools=tools)
            reply = response.choices[0].message
            messages.append(reply.model_dump(exclude_none=True))
            if not reply.tool_calls:
                break
            for call in reply.tool_calls:
                output = search.run_tool(call.function.arguments, engine="exa", max_results=3)
                print(f"searched (exa): {json.loads(call.function.arguments)['query']}")
                for hit in json.loads(output)["results"]:
                    print(f"  - {hit['title']}: {hit['url']}")
                messages.append({"role": "tool", "tool_call_id": call.id, "content": output})
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
