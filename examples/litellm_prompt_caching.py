"""Prompt caching with LiteLLM's ``infron/`` provider: the second call reads the cache.

    python examples/litellm_prompt_caching.py

``prompt_cache=True`` adds ``cache_control`` breakpoints to the tools, the system prompt and the
last user turn (docs: Prompt Caching). Two calls share the same long system prompt: the first
writes it to the cache, the second reads it, which shows in
``usage.prompt_tokens_details`` (``cache_creation_tokens``, ``cached_tokens``) and in the cost (``prompt_cache_read_cost`` is a
fraction of the input price). Without ``INFRON_API_KEY`` it runs against the built-in sandbox.
"""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no price-table download

import litellm

from infron_integrations.gateway import live_or_sandbox
from infron_integrations.litellm import register

MODEL = "infron/" + os.environ.get("INFRON_CHAT_MODEL", "anthropic/claude-sonnet-4.5")
# Providers cache only long prefixes (e.g. 1024+ tokens on Claude): a long, stable system prompt.
HANDBOOK = "You are the support assistant of a bicycle shop. " + " ".join(
    f"Rule {n}: answer politely, cite the relevant policy section {n}, and keep it short."
    for n in range(1, 121)
)


def main() -> None:
    register()
    with live_or_sandbox():
        for n, question in enumerate(["Can I return a helmet?", "Do you repair e-bikes?"], 1):
            response = litellm.completion(
                model=MODEL,
                messages=[
                    {"role": "system", "content": HANDBOOK},
                    {"role": "user", "content": question},
                ],
                prompt_cache=True,
            )
            usage = response.usage
            details = usage.prompt_tokens_details
            costs: dict[str, Any] = getattr(response, "cost_details", None) or {}
            print(
                f"call {n}: {usage.prompt_tokens} prompt tokens, "
                f"cache write tokens: {getattr(details, 'cache_creation_tokens', 0) or 0}, "
                f"cached tokens: {getattr(details, 'cached_tokens', 0) or 0}"
            )
            print(
                f"        cost ${response._hidden_params['response_cost']:.8f} "
                f"(cache write ${costs.get('prompt_cache_write_5_min', 0):.8f}, "
                f"cache read ${costs.get('prompt_cache_read_cost', 0):.8f})"
            )


if __name__ == "__main__":
    main()
