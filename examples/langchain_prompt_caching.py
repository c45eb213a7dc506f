"""Prompt caching with LangChain's ``ChatInfron``: the second call reads the cache.

    python examples/langchain_prompt_caching.py

``prompt_cache=True`` puts ``cache_control`` breakpoints on the tools, the system prompt and the
last user turn (docs: Prompt Caching). Two calls share the same long system prompt: the first
writes it to the cache, the second reads it back, which shows in
``usage_metadata["input_token_details"]`` (``cache_creation`` / ``cache_read``) and in the cost
(``prompt_cache_read_cost`` is a fraction of the input price). Without ``INFRON_API_KEY`` it
runs against the built-in sandbox.
"""

from __future__ import annotations

import os

from langchain_core.messages import HumanMessage, SystemMessage

from infron_integrations.gateway import live_or_sandbox
from infron_integrations.langchain import ChatInfron

MODEL = os.environ.get("INFRON_CHAT_MODEL", "anthropic/claude-sonnet-4.5")
# Providers cache only long prefixes (e.g. 1024+ tokens on Claude): a long, stable system prompt.
HANDBOOK = "You are the support assistant of a bicycle shop. " + " ".join(
    f"Rule {n}: answer politely, cite the relevant policy section {n}, and keep it short."
    for n in range(1, 121)
)


def main() -> None:
    with live_or_sandbox():
        llm = ChatInfron(model=MODEL, prompt_cache=True)
        for n, question in enumerate(["Can I return a helmet?", "Do you repair e-bikes?"], 1):
            reply = llm.invoke([SystemMessage(HANDBOOK), HumanMessage(question)])
            usage = reply.usage_metadata or {}
            tokens = usage.get("input_token_details", {})
            costs = reply.response_metadata.get("cost_details") or {}
            print(
                f"call {n}: {usage.get('input_tokens', 0)} input tokens, "
                f"cache write tokens: {tokens.get('cache_creation', 0)}, "
                f"cached tokens: {tokens.get('cache_read', 0)}"
            )
            print(
                f"        cost ${reply.response_metadata.get('cost', 0):.8f} "
                f"(cache write ${costs.get('prompt_cache_write_5_min', 0):.8f}, "
                f"cache read ${costs.get('prompt_cache_read_cost', 0):.8f})"
            )


if __name__ == "__main__":
    main()
