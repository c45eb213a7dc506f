"""Provider routing and fallbacks with LangChain's ``ChatInfron``.

    python examples/langchain_routing.py

``provider={"order": [...], "allow_fallbacks": True}`` asks Infron to try the upstream providers
in that order (docs: Inference Provider Routing); ``response_metadata["provider"]`` names the one
that served the answer. Without ``INFRON_API_KEY`` the script runs against the built-in sandbox,
where it also simulates an outage of the first provider (the sandbox's
``x-infron-sandbox-down`` test header) so you can watch the fallback happen.
"""

from __future__ import annotations

import os

from infron_integrations.gateway import live_or_sandbox
from infron_integrations.langchain import ChatInfron

MODEL = os.environ.get("INFRON_CHAT_MODEL", "anthropic/claude-sonnet-4.5")
ORDER = ["anthropic", "amazon-bedrock", "google-vertex"]


def ask(llm: ChatInfron, label: str) -> None:
    reply = llm.invoke("Name one city in Portugal.")
    meta = reply.response_metadata
    print(f"[{label}] served by: {meta.get('provider')}  (cost ${meta.get('cost', 0):.8f})")
    print(f"[{label}] answer: {reply.content}")


def main() -> None:
    with live_or_sandbox() as gw:
        routing = {"order": ORDER, "allow_fallbacks": True}
        print(f"Routing preferences: {routing}")
        ask(ChatInfron(model=MODEL, provider=routing), "normal")

        if gw.is_sandbox:
            # Only the sandbox understands this header: it pretends the first provider is down.
            down = ChatInfron(
                model=MODEL,
                provider=routing,
                default_headers={"x-infron-sandbox-down": ORDER[0]},
            )
            print(f"\nSimulating an outage of {ORDER[0]!r}:")
            ask(down, "fallback")

        # Per call: a different order for this request only, merged over the instance's options.
        reply = ChatInfron(model=MODEL, provider=routing).invoke(
            "Name one river in Spain.", provider={"order": ["google-vertex"]}
        )
        print(f"\n[per-call order] served by: {reply.response_metadata.get('provider')}")


if __name__ == "__main__":
    main()
