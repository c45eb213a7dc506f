"""Unified reasoning with the OpenAI Agents SDK on Infron: the thinking apart from the answer.

    python examples/agents_reasoning.py

``infron_settings(reasoning={"effort": ...})`` sends Infron's reasoning object (docs: Reasoning &
Thinking). The model's reasoning becomes a ``ReasoningItem`` in ``result.new_items`` (its text in
``raw_item.summary``), apart from the final output; the run's
``usage.output_tokens_details.reasoning_tokens`` counts it. A streamed run shows the reasoning
deltas before the answer. Without ``INFRON_API_KEY`` it runs against the built-in sandbox.
"""

from __future__ import annotations

import asyncio
import os

from agents import Agent, ReasoningItem, RunConfig, Runner, set_tracing_disabled
from openai.types.responses import ResponseReasoningSummaryTextDeltaEvent, ResponseTextDeltaEvent

from infron_integrations.gateway import live_or_sandbox
from infron_integrations.openai_agents import InfronProvider, infron_settings, run_cost

MODEL = os.environ.get("INFRON_REASONING_MODEL", "deepseek/deepseek-r1")
QUESTION = "Is 9.11 bigger than 9.9? Answer in one sentence."


async def main() -> None:
    set_tracing_disabled(True)  # keep this example self-contained
    with live_or_sandbox():
        config = RunConfig(model_provider=InfronProvider())
        agent = Agent(
            name="thinker",
            model=MODEL,
            model_settings=infron_settings(reasoning={"effort": "high"}),
        )
        result = await Runner.run(agent, QUESTION, run_config=config)
        for item in result.new_items:
            if isinstance(item, ReasoningItem):
                print(f"reasoning: {' '.join(part.text for part in item.raw_item.summary)}")
        print(f"answer: {result.final_output}")
        usage = result.context_wrapper.usage
        print(
            f"reasoning tokens: {usage.output_tokens_details.reasoning_tokens} "
            f"of {usage.output_tokens} output tokens"
        )
        print(f"cost: ${run_cost(result).total_cost:.8f}")

        # Streaming: the reasoning deltas arrive before the answer's.
        print("\nstreamed reasoning: ", end="")
        in_answer = False
        streamed = Runner.run_streamed(agent, QUESTION, run_config=config)
        async for event in streamed.stream_events():
            if event.type != "raw_response_event":
                continue
            if isinstance(event.data, ResponseReasoningSummaryTextDeltaEvent):
                print(event.data.delta, end="", flush=True)
            elif isinstance(event.data, ResponseTextDeltaEvent):
                if not in_answer:
                    print("\nstreamed answer: ", end="")
                    in_answer = True
                print(event.data.delta, end="", flush=True)
        print()


if __name__ == "__main__":
    asyncio.run(main())
