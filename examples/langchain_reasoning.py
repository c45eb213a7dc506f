"""Unified reasoning with LangChain's ``ChatInfron``: the thinking apart from the answer.

    python examples/langchain_reasoning.py

``reasoning={"effort": ...}`` is Infron's reasoning object (docs: Reasoning & Thinking), sent on
chat completions. The reasoning text arrives in ``additional_kwargs["reasoning_content"]`` (and
in stream chunks before the answer); ``usage_metadata["output_token_details"]["reasoning"]``
counts its tokens. Without ``INFRON_API_KEY`` it runs against the built-in sandbox.
"""

from __future__ import annotations

import os

from infron_integrations.gateway import live_or_sandbox
from infron_integrations.langchain import ChatInfron

MODEL = os.environ.get("INFRON_REASONING_MODEL", "deepseek/deepseek-r1")
QUESTION = "Is 9.11 bigger than 9.9? Answer in one sentence."


def main() -> None:
    with live_or_sandbox():
        llm = ChatInfron(model=MODEL, reasoning={"effort": "high"})

        reply = llm.invoke(QUESTION)
        usage = reply.usage_metadata or {}
        details = usage.get("output_token_details", {})
        print(f"reasoning: {reply.additional_kwargs.get('reasoning_content')}")
        print(f"answer: {reply.content}")
        print(
            f"reasoning tokens: {details.get('reasoning', 0)} "
            f"of {usage.get('output_tokens', 0)} output tokens"
        )
        cost_details = reply.response_metadata.get("cost_details") or {}
        print(f"reasoning cost: ${cost_details.get('reasoning_cost', 0):.8f}")

        # Streaming: reasoning chunks come first, then the answer.
        print("\nstreamed reasoning: ", end="")
        in_answer = False
        for chunk in llm.stream(QUESTION, reasoning={"effort": "low"}):
            thought = chunk.additional_kwargs.get("reasoning_content")
            if thought:
                print(thought, end="", flush=True)
            if chunk.content:
                if not in_answer:
                    print("\nstreamed answer: ", end="")
                    in_answer = True
                print(chunk.text, end="", flush=True)
        print()


if __name__ == "__main__":
    main()
