"""Web search with LiteLLM's ``infron/`` provider: an answer with its citations.

    python examples/litellm_web_search.py

``web_search_options={...}`` is sent as Infron's ``web_search_options`` (docs: Web Search). The
sources come back as ``url_citation`` annotations on ``message.annotations``; the search is billed
in ``cost_details["native_web_search_cost"]``. Without ``INFRON_API_KEY`` it runs against the
built-in sandbox.
"""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no price-table download

import litellm

from infron_integrations.gateway import live_or_sandbox
from infron_integrations.litellm import register

MODEL = "infron/" + os.environ.get("INFRON_CHAT_MODEL", "openai/gpt-4o-mini")


def field(item: Any, name: str) -> Any:
    """Annotations may be dicts or LiteLLM objects, depending on the LiteLLM version."""
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


def main() -> None:
    register()
    with live_or_sandbox():
        response = litellm.completion(
            model=MODEL,
            messages=[{"role": "user", "content": "What is new in Python 3.13?"}],
            web_search_options={"search_context_size": "low"},
        )
        message = response.choices[0].message
        print(f"answer: {message.content}\n")
        annotations = getattr(message, "annotations", None) or []
        print(f"citations ({len(annotations)}):")
        for annotation in annotations:
            citation = field(annotation, "url_citation") or annotation
            print(f"  - {field(citation, 'title')}: {field(citation, 'url')}")
        costs: dict[str, Any] = getattr(response, "cost_details", None) or {}
        print(f"\nweb search cost: ${costs.get('native_web_search_cost', 0):.8f}")
        print(f"total cost: ${response._hidden_params['response_cost']:.8f}")


if __name__ == "__main__":
    main()
