"""Reasoning items from ``reasoning_content``, the replay policy, and ``thought_signature``."""

from __future__ import annotations

from typing import Any

import pytest
from agents import Agent, RunConfig, Runner
from agents.items import ReasoningItem
from agents_runs import get_weather

from infron_integrations.openai_agents import InfronProvider


async def run(
    agent: Agent[Any], provider: InfronProvider, text: Any, streamed: bool
) -> tuple[Any, list[Any]]:
    config = RunConfig(model_provider=provider)
    if not streamed:
        return await Runner.run(agent, text, run_config=config), []
    result = Runner.run_streamed(agent, text, run_config=config)
    events = [e async for e in result.stream_events()]
    return result, events


@pytest.mark.parametrize("streamed", [False, True])
async def test_reasoning_item_and_same_model_replay(
    provider: InfronProvider, bodies: Any, streamed: bool
) -> None:
    agent = Agent(name="r1", model="deepseek/deepseek-r1", tools=[get_weather])
    result, events = await run(agent, provider, "get_weather in Lima", streamed)

    reasoning = [i for i in result.new_items if isinstance(i, ReasoningItem)]
    assert len(reasoning) == 2  # one per model call
    first = reasoning[0].raw_item
    text = first.summary[0].text
    assert text.startswith('The user wrote: "get_weather in Lima"')
    # one representation, not the same text twice (reasoning_content and reasoning both arrive)
    assert not first.content
    if streamed:
        kinds = [e.data.type for e in events if e.type == "raw_response_event"]
        assert "response.reasoning_text.delta" not in kinds
        assert "response.reasoning_summary_text.delta" in kinds

    # "auto": the model gets its own reasoning back on the next turn
    second = bodies()[1]
    assistant = next(m for m in second["messages"] if m["role"] == "assistant")
    assert assistant["reasoning_content"] == text


async def test_never_policy_does_not_replay(make_provider: Any, bodies: Any) -> None:
    provider = make_provider(replay_reasoning="never")
    agent = Agent(name="r1", model="deepseek/deepseek-r1", tools=[get_weather])
    await run(agent, provider, "get_weather in Lima", False)
    assistant = next(m for m in bodies()[1]["messages"] if m["role"] == "assistant")
    assert "reasoning_content" not in assistant


async def test_callable_policy_sees_models(make_provider: Any, bodies: Any) -> None:
    seen: list[tuple[str, str | None]] = []

    def policy(context: Any) -> bool:
        seen.append((context.model, context.reasoning.origin_model))
        return True

    provider = make_provider(replay_reasoning=policy)
    agent = Agent(name="r1", model="deepseek/deepseek-r1", tools=[get_weather])
    await run(agent, provider, "get_weather in Lima", False)
    assert seen == [("deepseek/deepseek-r1", "deepseek/deepseek-r1")]
    assistant = next(m for m in bodies()[1]["messages"] if m["role"] == "assistant")
    assert "reasoning_content" in assistant


async def test_auto_policy_keeps_reasoning_from_other_models(
    provider: InfronProvider, bodies: Any
) -> None:
    writer = Agent(name="writer", model="openai/gpt-4o")
    thinker = Agent(name="thinker", model="deepseek/deepseek-r1", handoffs=[writer])
    result, _ = await run(thinker, provider, "transfer to writer please", False)
    assert result.last_agent is writer
    second = bodies()[1]
    assert second["model"] == "openai/gpt-4o"
    assert all("reasoning_content" not in m for m in second["messages"])


@pytest.mark.parametrize("streamed", [False, True])
async def test_tool_call_thought_signature_is_kept_and_sent_back(
    provider: InfronProvider, bodies: Any, streamed: bool
) -> None:
    agent = Agent(name="g", model="google/gemini-2.5-pro", tools=[get_weather])
    result, _ = await run(agent, provider, "get_weather in Kyoto", streamed)

    call_item = next(i for i in result.new_items if i.type == "tool_call_item")
    signature = call_item.raw_item.provider_data["thought_signature"]
    assert signature.startswith("sandbox-sig-")

    sent = bodies()[1]
    call = next(m for m in sent["messages"] if m["role"] == "assistant")["tool_calls"][0]
    assert call["thought_signature"] == signature
    assert "extra_content" not in call


@pytest.mark.parametrize("streamed", [False, True])
async def test_message_thought_signature_is_kept_and_sent_back(
    provider: InfronProvider, bodies: Any, streamed: bool
) -> None:
    agent = Agent(name="g", model="google/gemini-2.5-pro")
    result, _ = await run(agent, provider, "hello there", streamed)
    message = next(i for i in result.new_items if i.type == "message_output_item")
    signature = message.raw_item.provider_data["thought_signature"]
    assert signature.startswith("sandbox-sig-")

    history = [*result.to_input_list(), {"role": "user", "content": "and again"}]
    await run(agent, provider, history, streamed)
    sent = bodies()[-1]
    assistant = next(m for m in sent["messages"] if m["role"] == "assistant")
    assert assistant["thought_signature"] == signature
