"""ChatInfron keeps ``reasoning_details`` whole through a tool loop: invoke or stream, sync or async.

Docs: Reasoning & Thinking (signed and encrypted reasoning goes back unchanged with the tool
results). The sandbox issues a signed text entry and an encrypted entry at the same index, streams
the text in fragments that repeat ``format`` and ``index``, and answers 400 to an unmerged or
altered replay. LangChain's own chunk merge would concatenate the repeated ``format`` and fold the
two entries into one, so the stream converter emits the details merged, once, in the closing
chunk.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.tools import tool

CHAT = "/v1/chat/completions"
MODEL = "anthropic/claude-sonnet-4.5"


@tool
def get_weather(city: str) -> str:
    """Weather for a city."""
    return f"sunny in {city}"


QUESTION = HumanMessage("What is the weather in Paris? Use get_weather.")


def _issued(sb: Any) -> list[dict[str, Any]]:
    """What the gateway issued for the first turn (the deterministic sandbox, asked again)."""
    first = next(r for r in sb.requests if r.path == CHAT)
    body = {k: v for k, v in first.body.items() if k not in ("stream", "stream_options")}
    r = httpx.post(
        sb.base_url + "/chat/completions",
        json=body,
        headers={"Authorization": f"Bearer {sb.api_key}"},
        timeout=10,
    )
    details = r.json()["choices"][0]["message"]["reasoning_details"]
    assert [(e["type"], e["index"]) for e in details] == [
        ("reasoning.text", 0),
        ("reasoning.encrypted", 0),
    ]
    return details  # type: ignore[no-any-return]


def _merge(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    return full


def _check(sb: Any, first: AIMessage, answer: AIMessage, chunks: list[AIMessageChunk]) -> None:
    sent = sb.last_request(CHAT).body["messages"][1]
    issued = _issued(sb)
    assert first.additional_kwargs["reasoning_details"] == issued
    if chunks:
        carriers = [c for c in chunks if "reasoning_details" in c.additional_kwargs]
        assert len(carriers) == 1 and carriers[0].chunk_position == "last"
    assert answer.content == "Based on get_weather: sunny in Paris."  # the sandbox accepted them
    assert sent["role"] == "assistant" and sent["tool_calls"]
    assert sent["reasoning_details"] == issued
    assert json.dumps(sent["reasoning_details"], sort_keys=True) == json.dumps(
        issued, sort_keys=True
    )


def _tool_result(first: AIMessage) -> ToolMessage:
    call = first.tool_calls[0]
    return ToolMessage(get_weather.invoke(call["args"]), tool_call_id=call["id"])


@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_sync_tool_loop_sends_the_details_back(
    infron_sandbox: Any, chat_model_factory: Any, stream: bool
) -> None:
    llm = chat_model_factory(model=MODEL, reasoning={"effort": "low"}).bind_tools([get_weather])
    chunks: list[AIMessageChunk] = []
    if stream:
        chunks = list(llm.stream([QUESTION]))
        first: AIMessage = _merge(chunks)
    else:
        first = llm.invoke([QUESTION])
    follow_up = [QUESTION, first, _tool_result(first)]
    answer = _merge(list(llm.stream(follow_up))) if stream else llm.invoke(follow_up)
    _check(infron_sandbox, first, answer, chunks)


@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
async def test_async_tool_loop_sends_the_details_back(
    infron_sandbox: Any, chat_model_factory: Any, stream: bool
) -> None:
    llm = chat_model_factory(model=MODEL, reasoning={"effort": "low"}).bind_tools([get_weather])
    chunks: list[AIMessageChunk] = []
    if stream:
        chunks = [chunk async for chunk in llm.astream([QUESTION])]
        first: AIMessage = _merge(chunks)
    else:
        first = await llm.ainvoke([QUESTION])
    follow_up = [QUESTION, first, _tool_result(first)]
    if stream:
        answer = _merge([chunk async for chunk in llm.astream(follow_up)])
    else:
        answer = await llm.ainvoke(follow_up)
    _check(infron_sandbox, first, answer, chunks)


def test_earlier_turns_follow_the_replay_policy(
    infron_sandbox: Any, chat_model_factory: Any
) -> None:
    """Only the current user turn's details go back by default (``reasoning_replay``)."""
    llm = chat_model_factory(model=MODEL, reasoning={"effort": "low"}).bind_tools([get_weather])
    first = _merge(list(llm.stream([QUESTION])))
    done = llm.invoke([QUESTION, first, _tool_result(first)])
    llm.invoke([QUESTION, first, _tool_result(first), done, HumanMessage("Thanks!")])
    sent = [
        m for m in infron_sandbox.last_request(CHAT).body["messages"] if m["role"] == "assistant"
    ]
    assert [("reasoning_details" in m) for m in sent] == [False, False]
