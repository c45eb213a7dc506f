"""``reasoning_details`` and ``encrypted_content`` go back with the tool results, merged and unchanged.

Docs: Reasoning & Thinking (signed and encrypted reasoning goes back unchanged with the tool
results). The sandbox issues a signed text entry and an encrypted entry at the same index, streams
the text in fragments, and answers 400 to a replay that is unmerged or altered; with the header
``x-infron-sandbox-reasoning-replay: required`` a tool-call turn of the current user turn that
comes back without them is a 400 too (on ``/v1/responses``: a reasoning item without its
``encrypted_content``). So a finished run is the gateway's own check; the tests also compare what
the sandbox received with what it issued (the deterministic sandbox, asked again unstreamed).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from agents import Agent, ModelSettings, RunConfig, Runner
from agents.items import ReasoningItem
from agents_runs import get_weather, run_agent
from openai.types.shared import Reasoning

from infron_integrations.core import merge_reasoning_details
from infron_integrations.openai_agents import InfronProvider

CHAT = "/v1/chat/completions"
RESPONSES = "/v1/responses"
MODEL = "anthropic/claude-sonnet-4.5"
STRICT = {"x-infron-sandbox-reasoning-replay": "required"}
SETTINGS = ModelSettings(reasoning=Reasoning(effort="low"), extra_headers=STRICT)


AGENT = Agent(name="w", model=MODEL, tools=[get_weather], model_settings=SETTINGS)


async def run(provider: InfronProvider, text: Any, mode: str, agent: Agent[Any] = AGENT) -> Any:
    return await run_agent(agent, provider, text, streamed=mode != "run")


def _repost(sb: Any, path: str, request: dict[str, Any], stream: bool = False) -> Any:
    """The deterministic sandbox's answer to ``request`` sent again (streamed or not)."""
    body = {k: v for k, v in request.items() if k not in ("stream", "stream_options")}
    url = sb.base_url + path.removeprefix("/v1")
    headers = {"Authorization": f"Bearer {sb.api_key}"}
    if not stream:
        return httpx.post(url, json=body, headers=headers, timeout=10).json()
    r = httpx.post(url, json={**body, "stream": True}, headers=headers, timeout=10)
    lines = [line[6:] for line in r.text.splitlines() if line.startswith("data: {")]
    return [json.loads(line) for line in lines]


def _issued(sb: Any, request: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``reasoning_details`` the gateway issued for a chat request."""
    details = _repost(sb, CHAT, request)["choices"][0]["message"]["reasoning_details"]
    assert [(e["type"], e["index"]) for e in details] == [
        ("reasoning.text", 0),
        ("reasoning.encrypted", 0),
    ]
    return details  # type: ignore[no-any-return]


def _same(sent: Any, issued: Any) -> None:
    assert sent == issued
    assert json.dumps(sent, sort_keys=True) == json.dumps(issued, sort_keys=True)


def _check_chat_loop(sb: Any, result: Any, streamed: bool) -> None:
    assert result.final_output == "Based on get_weather: Sunny in Lima."  # the replay was accepted
    first, second = [r.body for r in sb.requests if r.path == CHAT]
    assert bool(first.get("stream")) is streamed
    issued = _issued(sb, first)
    if streamed:
        # the stream delivered fragments: the replay below only matches once they are merged
        chunks = _repost(sb, CHAT, first, stream=True)
        fragments = [
            e
            for c in chunks
            for ch in c["choices"]
            for e in ch["delta"].get("reasoning_details") or []
        ]
        assert len(fragments) > len(issued)
        assert merge_reasoning_details(fragments) == issued

    # the reasoning item of the first turn keeps them, where to_input_list() carries them
    item = next(i for i in result.new_items if isinstance(i, ReasoningItem))
    _same(item.raw_item.provider_data["reasoning_details"], issued)
    assert item.to_input_item()["provider_data"]["reasoning_details"] == issued

    assistant = second["messages"][1]
    assert assistant["role"] == "assistant" and assistant["tool_calls"]
    _same(assistant["reasoning_details"], issued)
    assert assistant["reasoning_content"] == issued[0]["text"]


@pytest.mark.parametrize("mode", ["run", "run_streamed"])
async def test_chat_tool_loop_sends_the_details_back(
    provider: InfronProvider, sandbox: Any, mode: str
) -> None:
    result = await run(provider, "get_weather in Lima", mode)
    _check_chat_loop(sandbox, result, streamed=mode == "run_streamed")


def test_chat_tool_loop_sends_the_details_back_with_run_sync(
    thread_loop: asyncio.AbstractEventLoop, provider: InfronProvider, sandbox: Any
) -> None:
    config = RunConfig(model_provider=provider)
    result = Runner.run_sync(AGENT, "get_weather in Lima", run_config=config)
    _check_chat_loop(sandbox, result, streamed=False)


@pytest.mark.parametrize("mode", ["run", "run_streamed"])
async def test_responses_tool_loop_sends_the_encrypted_content_back(
    make_provider: Any, sandbox: Any, mode: str
) -> None:
    provider = make_provider(api="responses")
    result = await run(provider, "get_weather in Lima", mode)
    assert result.final_output == "Based on get_weather: Sunny in Lima."
    first, second = [r.body for r in sandbox.requests if r.path == RESPONSES]
    # asked for by default when the reasoning is on
    assert first["include"] == ["reasoning.encrypted_content"]
    issued = _repost(sandbox, RESPONSES, first)["output"][0]
    assert issued["type"] == "reasoning"
    assert issued["encrypted_content"].startswith("sandbox-enc-")

    sent = next(i for i in second["input"] if i.get("type") == "reasoning")
    _same(sent["encrypted_content"], issued["encrypted_content"])
    assert second["input"].index(sent) == 1  # before the tool call it led to


async def test_responses_include_is_kept_and_not_asked_without_reasoning(
    make_provider: Any, sandbox: Any
) -> None:
    provider = make_provider(api="responses")
    settings = ModelSettings(
        reasoning=Reasoning(effort="low"), response_include=["file_search_call.results"]
    )
    await run(provider, "hi", "run", Agent(name="a", model=MODEL, model_settings=settings))
    assert sorted(sandbox.last_request(RESPONSES).body["include"]) == [
        "file_search_call.results",
        "reasoning.encrypted_content",
    ]
    await run(provider, "hi", "run", Agent(name="b", model="openai/gpt-4o"))
    assert sandbox.last_request(RESPONSES).body["include"] == []
    off = ModelSettings(reasoning=Reasoning(effort="none"))
    await run(provider, "hi", "run", Agent(name="c", model=MODEL, model_settings=off))
    assert sandbox.last_request(RESPONSES).body["include"] == []


@pytest.mark.parametrize("mode", ["run", "run_streamed"])
async def test_details_without_reasoning_text_get_a_reasoning_item(
    provider: InfronProvider, sandbox: Any, mode: str
) -> None:
    details = [{"type": "reasoning.encrypted", "data": "opaque-state", "format": "x", "index": 0}]
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "get_weather", "arguments": '{"city": "Lima"}'},
    }
    message = {
        "role": "assistant",
        "content": None,
        "tool_calls": [call],
        "reasoning_details": details,
    }
    sandbox.script({"choices": [{"index": 0, "message": message, "finish_reason": "tool_calls"}]})
    # no strict header: it wants sandbox-issued values, and these entries come from elsewhere
    agent = AGENT.clone(model_settings=ModelSettings(reasoning=Reasoning(effort="low")))
    result = await run(provider, "get_weather in Lima", mode, agent)

    item = next(i for i in result.new_items if isinstance(i, ReasoningItem))
    assert item.raw_item.summary == []
    data = item.raw_item.provider_data
    assert data["model"] == MODEL and data["reasoning_details"] == details
    assistant = [r.body for r in sandbox.requests if r.path == CHAT][1]["messages"][1]
    assert assistant["tool_calls"][0]["id"] == "call_1"
    assert assistant["reasoning_details"] == details
    assert "reasoning_content" not in assistant


@pytest.mark.parametrize(("policy", "earlier"), [("auto", True), ("never", False)])
async def test_policy_decides_for_earlier_user_turns_only(
    make_provider: Any, sandbox: Any, policy: str, earlier: bool
) -> None:
    provider = make_provider(replay_reasoning=policy)
    first = await run(provider, "get_weather in Lima", "run")
    history = [*first.to_input_list(), {"role": "user", "content": "get_weather in Quito"}]
    await run(provider, history, "run")

    messages = sandbox.last_request(CHAT).body["messages"]
    assistants = [m for m in messages if m["role"] == "assistant"]
    # turn 1: the tool call and the answer (matched by its text); turn 2: the tool call
    assert [bool(m.get("tool_calls")) for m in assistants] == [True, False, True]
    assert [("reasoning_details" in m) for m in assistants] == [earlier, earlier, True]
    assert [("reasoning_content" in m) for m in assistants] == [earlier, earlier, earlier]
    kept = [i for i in first.new_items if isinstance(i, ReasoningItem)]
    if earlier:
        for message, item in zip(assistants[:2], kept, strict=True):
            assert message["reasoning_details"] == item.raw_item.provider_data["reasoning_details"]


async def test_earlier_turns_with_the_same_text_keep_their_own_details(
    provider: InfronProvider, sandbox: Any
) -> None:
    """Assistant messages are found by text when they made no tool call: two turns that answered
    alike still get each its own details (or none, where the policy does not replay them)."""

    def turn(question: str, origin: str, data: str) -> list[dict[str, Any]]:
        details = [{"type": "reasoning.encrypted", "data": data, "format": "x", "index": 0}]
        answer = {"type": "output_text", "text": "Same answer.", "annotations": []}
        return [
            {"role": "user", "content": question},
            {
                "type": "reasoning",
                "id": "__fake_id__",
                "summary": [],
                "provider_data": {"model": origin, "reasoning_details": details},
            },
            {
                "type": "message",
                "id": "m",
                "role": "assistant",
                "status": "completed",
                "content": [answer],
            },
        ]

    history = [
        *turn("q1", MODEL, "first"),
        *turn("q2", "openai/gpt-4o", "another model's"),  # "auto" keeps it to its own model
        *turn("q3", MODEL, "third"),
        {"role": "user", "content": "q4"},
    ]
    await run(provider, history, "run", Agent(name="a", model=MODEL))
    messages = sandbox.last_request(CHAT).body["messages"]
    sent = [m.get("reasoning_details") for m in messages if m["role"] == "assistant"]
    assert [d and d[0]["data"] for d in sent] == ["first", None, "third"]
