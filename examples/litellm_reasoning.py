"""Unified reasoning with LiteLLM's ``infron/`` provider: the thinking apart from the answer.

    python examples/litellm_reasoning.py

``reasoning={"effort": ...}`` is sent as Infron's reasoning object (docs: Reasoning & Thinking).
The reasoning text is ``message.reasoning_content`` (``delta.reasoning_content`` when streaming,
before the answer) and its tokens are
``usage.completion_tokens_details.reasoning_tokens``. Without ``INFRON_API_KEY`` it runs against
the built-in sandbox.
"""

from __future__ import annotations

import os

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no price-table download

import litellm

from infron_integrations.gateway import live_or_sandbox
from infron_integrations.litellm import register

MODEL = "infron/" + os.environ.get("INFRON_REASONING_MODEL", "deepseek/deepseek-r1")
MESSAGES = [{"role": "user", "content": "Is 9.11 bigger than 9.9? Answer in one sentence."}]


def main() -> None:
    register()
    with live_or_sandbox():
        response = litellm.completion(model=MODEL, messages=MESSAGES, reasoning={"effort": "high"})
        message = response.choices[0].message
        details = response.usage.completion_tokens_details
        print(f"reasoning: {message.reasoning_content}")
        print(f"answer: {message.content}")
        print(
            f"reasoning tokens: {details.reasoning_tokens if details else 0} "
            f"of {response.usage.completion_tokens} output tokens"
        )
        print(f"cost: ${response._hidden_params['response_cost']:.8f}")

        # Streaming: reasoning deltas come first, then the answer.
        print("\nstreamed reasoning: ", end="")
        in_answer = False
        stream = litellm.completion(
            model=MODEL, messages=MESSAGES, reasoning={"effort": "low"}, stream=True
        )
        for chunk in stream:
            if not chunk.choices:
                continue
            delta = chunk.choices[0].delta
            if getattr(delta, "reasoning_content", None):
                print(delta.reasoning_content, end="", flush=True)
            if delta.content:
                if not in_answer:
                    print("\nstreamed answer: ", end="")
                    in_answer = True
                print(delta.content, end="", flush=True)
        print()


if __name__ == "__main__":
    main()
