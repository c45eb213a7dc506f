"""Provider routing and fallbacks with LiteLLM's ``infron/`` provider.

    python examples/litellm_routing.py

``provider={"order": [...], "allow_fallbacks": True}`` is a LiteLLM keyword argument sent as
Infron's ``provider`` object (docs: Inference Provider Routing); the response's ``provider``
names the upstream that served it. Without ``INFRON_API_KEY`` the script runs against the
built-in sandbox, where it also simulates an outage of the first provider (the sandbox's
``x-infron-sandbox-down`` test header) so you can watch the fallback happen.
"""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no price-table download

import litellm

from infron_integrations.gateway import live_or_sandbox
from infron_integrations.litellm import register

MODEL = "infron/" + os.environ.get("INFRON_CHAT_MODEL", "anthropic/claude-sonnet-4.5")
ORDER = ["anthropic", "amazon-bedrock", "google-vertex"]


def ask(label: str, **kwargs: Any) -> None:
    response = litellm.completion(
        model=MODEL,
        messages=[{"role": "user", "content": "Name one city in Portugal."}],
        **kwargs,
    )
    cost = response._hidden_params["response_cost"]
    print(f"[{label}] served by: {getattr(response, 'provider', None)}  (cost ${cost:.8f})")
    print(f"[{label}] answer: {response.choices[0].message.content}")


def main() -> None:
    register()
    with live_or_sandbox() as gw:
        routing = {"order": ORDER, "allow_fallbacks": True}
        print(f"Routing preferences: {routing}")
        ask("normal", provider=routing)

        if gw.is_sandbox:
            # Only the sandbox understands this header: it pretends the first provider is down.
            print(f"\nSimulating an outage of {ORDER[0]!r}:")
            ask("fallback", provider=routing, extra_headers={"x-infron-sandbox-down": ORDER[0]})

        # Cheapest first instead of a fixed order.
        ask("sort=price", provider={"sort": "price"})


if __name__ == "__main__":
    main()
