"""``reasoning_details`` survive LiteLLM's tool loop: stream, ``stream_chunk_builder``, append the
message and the tool result, call again; or append the non-streamed message. Sync and async.

Docs: Reasoning & Thinking (signed and encrypted reasoning goes back unchanged with the tool
results). The sandbox issues a signed text entry and an encrypted entry, streams the text in
fragments and answers 400 to a replay that is unmerged or altered, so a 200 on the second turn is
the gateway's own check; the tests also compare what it received with what it issued.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import litellm
import pytest

from infron_integrations.core import merge_reasoning_details

CHAT = "/v1/chat/completions"
MODEL = "infron/anthropic/claude-sonnet-4.5"
REASONING = {"effort": "low"}
QUESTION = [{"role": "user", "content": "What is the weather in Paris? Use get_weather."}]
TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
ANSWER = "Based on get_weather: sunny."


def _issued_message(sb: Any) -> dict[str, Any]:
    """The message the gateway issued for the first turn: the sandbox is deterministic, so the
    same request sent again, unstreamed, returns the same message."""
    first = next(r for r in sb.requests if r.path == CHAT)
    body = {k: v for k, v in first.body.items() if k not in ("stream", "stream_options")}
    r = httpx.post(
        sb.base_url + "/chat/completions",
        json=body,
        headers={"Authorization": f"Bearer {sb.api_key}"},
        timeout=10,
    )
    return r.json()["choices"][0]["message"]  # type: ignore[no-any-return]


def _issued(sb: Any) -> list[dict[str, Any]]:
    """The ``reasoning_details`` the gateway issued for the first turn."""
    details = _issued_message(sb)["reasoning_details"]
    assert [e["type"] for e in details] == ["reasoning.text", "reasoning.encrypted"]
    return details  # type: ignore[no-any-return]


def _fragments(chunks: list[Any]) -> list[Any]:
    return [
        entry
        for chunk in chunks
        if chunk.choices
        for entry in getattr(chunk.choices[0].delta, "reasoning_details", None) or []
    ]


def _follow_up(message: Any) -> list[Any]:
    call = message.tool_calls[0]
    return [*QUESTION, message, {"role": "tool", "tool_call_id": call.id, "content": "sunny"}]


def _check_replay(sb: Any, issued: list[dict[str, Any]], answer: Any) -> None:
    assert answer.choices[0].message.content == ANSWER  # the sandbox accepted the details
    sent = sb.last_request(CHAT).body["messages"][1]
    assert sent["role"] == "assistant"
    assert sent["reasoning_details"] == issued
    assert json.dumps(sent["reasoning_details"], sort_keys=True) == json.dumps(
        issued, sort_keys=True
    )
    assert "provider_specific_fields" not in sent
    assert sent["reasoning_content"] == issued[0]["text"]


def _first_message(sb: Any, message: Any, chunks: list[Any] | None) -> list[dict[str, Any]]:
    """Checks what the user holds after the first turn; returns what the gateway issued."""
    issued = _issued(sb)
    # where LiteLLM keeps message fields it does not model, streamed or not
    assert message.provider_specific_fields["reasoning_details"] == issued
    if chunks is not None:
        fragments = _fragments(chunks)
        assert len(fragments) > len(issued)  # the deltas carry the fragments as sent
        assert merge_reasoning_details(fragments) == issued
    return issued


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_sync_tool_loop_sends_the_details_back(
    infron_sandbox: Any, creds: dict[str, str], stream: bool
) -> None:
    kwargs: dict[str, Any] = {"model": MODEL, "tools": [TOOL], "reasoning": REASONING, **creds}
    chunks = None
    if stream:
        chunks = list(litellm.completion(messages=QUESTION, stream=True, **kwargs))
        message = litellm.stream_chunk_builder(chunks, messages=QUESTION).choices[0].message
    else:
        message = litellm.completion(messages=QUESTION, **kwargs).choices[0].message
    issued = _first_message(infron_sandbox, message, chunks)

    if stream:
        again = list(litellm.completion(messages=_follow_up(message), stream=True, **kwargs))
        answer = litellm.stream_chunk_builder(again)
    else:
        answer = litellm.completion(messages=_follow_up(message), **kwargs)
    _check_replay(infron_sandbox, issued, answer)


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
async def test_async_tool_loop_sends_the_details_back(
    infron_sandbox: Any, creds: dict[str, str], stream: bool
) -> None:
    kwargs: dict[str, Any] = {"model": MODEL, "tools": [TOOL], "reasoning": REASONING, **creds}
    chunks = None
    if stream:
        response = await litellm.acompletion(messages=QUESTION, stream=True, **kwargs)
        chunks = [chunk async for chunk in response]
        message = litellm.stream_chunk_builder(chunks, messages=QUESTION).choices[0].message
    else:
        message = (await litellm.acompletion(messages=QUESTION, **kwargs)).choices[0].message
    issued = _first_message(infron_sandbox, message, chunks)

    if stream:
        response = await litellm.acompletion(messages=_follow_up(message), stream=True, **kwargs)
        answer = litellm.stream_chunk_builder([chunk async for chunk in response])
    else:
        answer = await litellm.acompletion(messages=_follow_up(message), **kwargs)
    _check_replay(infron_sandbox, issued, answer)


def test_fragments_gathered_by_hand_are_merged_before_sending(
    infron_sandbox: Any, creds: dict[str, str]
) -> None:
    """A user who collects the deltas' ``reasoning_details`` instead of using the builder."""
    kwargs: dict[str, Any] = {"model": MODEL, "tools": [TOOL], "reasoning": REASONING, **creds}
    chunks = list(litellm.completion(messages=QUESTION, stream=True, **kwargs))
    built = litellm.stream_chunk_builder(chunks, messages=QUESTION).choices[0].message
    call = built.tool_calls[0]
    assistant = {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": call.id, "type": "function", "function": call.function.model_dump()}],
        "reasoning_details": _fragments(chunks),
    }
    result = {"role": "tool", "tool_call_id": call.id, "content": "sunny"}
    answer = litellm.completion(messages=[*QUESTION, assistant, result], **kwargs)
    assert answer.choices[0].message.content == ANSWER
    sent = infron_sandbox.last_request(CHAT).body["messages"][1]
    assert sent["reasoning_details"] == _issued(infron_sandbox)
    assert len(assistant["reasoning_details"]) > 2  # the user's message is left as it was


def test_altered_details_are_refused_by_the_gateway(
    infron_sandbox: Any, creds: dict[str, str]
) -> None:
    """The guard the tests above rely on: an altered replay is a 400 naming the entry."""
    kwargs: dict[str, Any] = {"model": MODEL, "tools": [TOOL], "reasoning": REASONING, **creds}
    message = litellm.completion(messages=QUESTION, **kwargs).choices[0].message
    details = copy.deepcopy(message.provider_specific_fields["reasoning_details"])
    details[0]["text"] += " (edited)"
    message.provider_specific_fields["reasoning_details"] = details
    with pytest.raises(litellm.BadRequestError, match=r"messages\.1\.reasoning_details\.0"):
        litellm.completion(messages=_follow_up(message), max_retries=0, **kwargs)


def test_a_plain_turn_has_no_details(infron_sandbox: Any, creds: dict[str, str]) -> None:
    chunks = list(
        litellm.completion(
            model="infron/openai/gpt-4o-mini", messages=QUESTION, stream=True, **creds
        )
    )
    message = litellm.stream_chunk_builder(chunks).choices[0].message
    assert "reasoning_details" not in (message.provider_specific_fields or {})
    assert _fragments(chunks) == []


GEMINI: dict[str, Any] = {"model": "infron/google/gemini-2.5-pro", "tools": [TOOL]}


def _check_gemini(sb: Any, message: Any, answer: Any) -> None:
    """Gemini's signatures (message and tool call) ride through the stream builder too."""
    sent = sb.last_request(CHAT).body["messages"][1]
    issued = _issued_message(sb)
    assert message.provider_specific_fields["thought_signature"] == issued["thought_signature"]
    assert answer.choices[0].message.content == ANSWER
    assert sent["thought_signature"] == issued["thought_signature"]
    call = sent["tool_calls"][0]
    assert call["thought_signature"] == issued["tool_calls"][0]["thought_signature"]
    assert "provider_specific_fields" not in call
    assert sent["reasoning_details"] == issued["reasoning_details"]


def test_streamed_gemini_turn_keeps_its_thought_signatures(
    infron_sandbox: Any, creds: dict[str, str]
) -> None:
    chunks = list(litellm.completion(messages=QUESTION, stream=True, **GEMINI, **creds))
    message = litellm.stream_chunk_builder(chunks, messages=QUESTION).choices[0].message
    answer = litellm.completion(messages=_follow_up(message), **GEMINI, **creds)
    _check_gemini(infron_sandbox, message, answer)


async def test_async_streamed_gemini_turn_keeps_its_thought_signatures(
    infron_sandbox: Any, creds: dict[str, str]
) -> None:
    response = await litellm.acompletion(messages=QUESTION, stream=True, **GEMINI, **creds)
    chunks = [chunk async for chunk in response]
    message = litellm.stream_chunk_builder(chunks, messages=QUESTION).choices[0].message
    answer = await litellm.acompletion(messages=_follow_up(message), **GEMINI, **creds)
    _check_gemini(infron_sandbox, message, answer)
