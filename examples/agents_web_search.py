"""Web search with the OpenAI Agents SDK on Infron: an answer with its citations.

    python examples/agents_web_search.py

``infron_settings(web_search={...})`` sends Infron's ``web_search_options`` (docs: Web Search).
The sources come back as ``url_citation`` annotations on the output message's text
(``MessageOutputItem.raw_item.content[i].annotations``, each with ``title`` and ``url``); the
search is billed in ``cost_details.native_web_search_cost``. Without ``INFRON_API_KEY`` it runs
against the built-in sandbox.
"""

from __future__ import annotations

import asyncio
import os

from agents import Agent, MessageOutputItem, RunConfig, Runner, set_tracing_disabled

from infron_integrations.gateway import live_or_sandbox
from infron_integrations.openai_agents import InfronProvider, infron_settings, run_cost

MODEL = os.environ.get("INFRON_CHAT_MODEL", "openai/gpt-4o-mini")


async def main() -> None:
    set_tracing_disabled(True)  # keep this example self-contained
    with live_or_sandbox():
        agent = Agent(
            name="researcher",
            model=MODEL,
            model_settings=infron_settings(web_search={"search_context_size": "low"}),
        )
        result = await Runner.run(
            agent,
            "What is new in Python 3.13?",
            run_config=RunConfig(model_provider=InfronProvider()),
        )
        print(f"answer: {result.final_output}\n")
        citations = [
            annotation
            for item in result.new_items
            if isinstance(item, MessageOutputItem)
            for part in item.raw_item.content
            if part.type == "output_text"
            for annotation in part.annotations
            if annotation.type == "url_citation"
        ]
        print(f"citations ({len(citations)}):")
        for citation in citations:
            print(f"  - {citation.title}: {citation.url}")
        record = run_cost(result).records[-1]
        costs = record.cost_details
        print(f"\nweb search cost: ${costs.native_web_search_cost if costs else 0:.8f}")
        print(f"total cost: ${record.cost or 0:.8f}")


if __name__ == "__main__":
    asyncio.run(main())
