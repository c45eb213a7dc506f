"""Web search with LangChain's ``ChatInfron``: an answer with its citations.

    python examples/langchain_web_search.py

``web_search={"search_context_size": ...}`` sends Infron's ``web_search_options`` (docs: Web
Search). The sources come back as ``url_citation`` annotations in
``response_metadata["annotations"]``; the search is billed in
``cost_details["native_web_search_cost"]``. Without ``INFRON_API_KEY`` it runs against the
built-in sandbox.
"""

from __future__ import annotations

import os

from infron_integrations.gateway import live_or_sandbox
from infron_integrations.langchain import ChatInfron

MODEL = os.environ.get("INFRON_CHAT_MODEL", "openai/gpt-4o-mini")


def main() -> None:
    with live_or_sandbox():
        llm = ChatInfron(model=MODEL, web_search={"search_context_size": "low"})
        reply = llm.invoke("What is new in Python 3.13?")
        print(f"answer: {reply.content}\n")
        annotations = reply.response_metadata.get("annotations") or []
        print(f"citations ({len(annotations)}):")
        for annotation in annotations:
            citation = annotation.get("url_citation", annotation)
            print(f"  - {citation.get('title')}: {citation.get('url')}")
        costs = reply.response_metadata.get("cost_details") or {}
        print(f"\nweb search cost: ${costs.get('native_web_search_cost', 0):.8f}")
        print(f"total cost: ${reply.response_metadata.get('cost', 0):.8f}")


if __name__ == "__main__":
    main()
