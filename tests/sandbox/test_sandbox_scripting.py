"""Scripted responses for users' own tests: exact JSON bodies, stream chunk lists, errors."""

from __future__ import annotations

from typing import Any

import anthropic
import openai
import pytest
from sandbox_helpers import AUTH, HTTP, chat, data_chunks

from infron_integrations.sandbox import ScriptedError

BODY = {
    "id": "chatcmpl-scripted",
    "object": "chat.completion",
    "created": 1,
    "model": "scripted/model",
    "choices": [
        {
            "index": 0,
            "finish_reason": "stop",
            "message": {"role": "assistant", "content": "Scripted hello world"},
        }
    ],
    "usage": {"prompt_tokens": 1, "completion_tokens": 3, "total_tokens": 4},
}


def test_script_json_body(infron_sandbox: Any) -> None:
    infron_sandbox.script(BODY)
    client = infron_sandbox.openai_client()
    r = client.chat.completions.create(
        model="sandbox/echo", messages=[{"role": "user", "content": "x"}]
    )
    assert r.id == "chatcmpl-scripted"
    assert r.choices[0].message.content == "Scripted hello world"
    again = client.chat.completions.create(
        model="sandbox/echo", messages=[{"role": "user", "content": "x"}]
    )
    assert again.choices[0].message.content.startswith("You said:")  # script consumed


def test_script_body_is_streamed_when_requested(infron_sandbox: Any) -> None:
    infron_sandbox.script(BODY)
    client = infron_sandbox.openai_client()
    chunks = list(
        client.chat.completions.create(
            model="sandbox/echo", messages=[{"role": "user", "content": "x"}], stream=True
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Scripted hello world"
    assert chunks[-1].usage is not None and chunks[-1].usage.total_tokens == 4
    assert all(c.id == "chatcmpl-scripted" for c in chunks)


def test_scripted_body_keeps_thought_signatures_when_streamed(infron_sandbox: Any) -> None:
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
        "thought_signature": "sig-call",
    }
    message = {"role": "assistant", "content": "", "tool_calls": [call], "thought_signature": "sig"}
    infron_sandbox.script(
        {**BODY, "choices": [{"index": 0, "finish_reason": "tool_calls", "message": message}]}
    )
    client = infron_sandbox.openai_client()
    chunks = list(
        client.chat.completions.create(
            model="sandbox/echo", messages=[{"role": "user", "content": "x"}], stream=True
        )
    )
    deltas = [c.choices[0].delta.model_dump() for c in chunks if c.choices]
    assert [d["thought_signature"] for d in deltas if d.get("thought_signature")] == ["sig"]
    heads = [t for d in deltas for t in d.get("tool_calls") or [] if t.get("id")]
    assert heads[0]["thought_signature"] == "sig-call"


def test_script_chunk_list_sent_as_is(infron_sandbox: Any) -> None:
    base = {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m"}
    chunks = [
        {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": "A"}}]},
        {**base, "choices": [{"index": 0, "delta": {"content": "B"}, "finish_reason": "stop"}]},
    ]
    infron_sandbox.script(chunks)
    r = HTTP.post(
        infron_sandbox.base_url + "/chat/completions", headers=AUTH, json=chat(stream=True)
    )
    assert data_chunks(r.text) == chunks
    assert r.text.rstrip().endswith("data: [DONE]")


def test_script_error(infron_sandbox: Any) -> None:
    infron_sandbox.script(ScriptedError(429, "slow down", headers={"Retry-After": "3"}), times=2)
    client = infron_sandbox.openai_client()
    for _ in range(2):
        with pytest.raises(openai.RateLimitError) as info:
            client.chat.completions.create(
                model="sandbox/echo", messages=[{"role": "user", "content": "x"}]
            )
        assert info.value.message == "slow down" or "slow down" in str(info.value)
        assert info.value.response.headers["retry-after"] == "3"
        assert info.value.response.json()["error"]["code"] == 429
    assert client.chat.completions.create(
        model="sandbox/echo", messages=[{"role": "user", "content": "x"}]
    )


def test_script_matches_path_and_model(infron_sandbox: Any) -> None:
    infron_sandbox.script(ScriptedError(500, "boom"), model="openai/gpt-4o-mini")
    infron_sandbox.script(
        {
            "object": "list",
            "data": [],
            "model": "e",
            "usage": {"prompt_tokens": 0, "total_tokens": 0},
        },
        path="/embeddings",
    )
    client = infron_sandbox.openai_client()
    assert client.chat.completions.create(
        model="sandbox/echo", messages=[{"role": "user", "content": "x"}]
    )
    with pytest.raises(openai.InternalServerError):
        client.chat.completions.create(
            model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "x"}]
        )
    r = HTTP.post(
        infron_sandbox.base_url + "/embeddings",
        headers=AUTH,
        json={"model": "sandbox/embedding", "input": "x"},
    )
    assert r.json()["data"] == [] and r.headers["x-request-id"] == r.json()["request_id"]


def test_reset_clears_scripts(infron_sandbox: Any) -> None:
    infron_sandbox.script(ScriptedError(500, "boom"), times=5)
    assert infron_sandbox.state.pending_scripts == 5
    infron_sandbox.reset()
    assert infron_sandbox.state.pending_scripts == 0


def test_script_messages_and_responses(infron_sandbox: Any) -> None:
    message = {
        "id": "msg_scripted",
        "type": "message",
        "role": "assistant",
        "model": "m",
        "content": [{"type": "text", "text": "scripted anthropic"}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 1, "output_tokens": 2},
    }
    infron_sandbox.script(message, path="/v1/messages", times=2)
    client = anthropic.Anthropic(
        base_url=infron_sandbox.url, api_key=infron_sandbox.api_key, max_retries=0
    )
    msg = client.messages.create(
        model="sandbox/echo", max_tokens=5, messages=[{"role": "user", "content": "x"}]
    )
    assert msg.id == "msg_scripted"
    with client.messages.stream(
        model="sandbox/echo", max_tokens=5, messages=[{"role": "user", "content": "x"}]
    ) as stream:
        assert stream.get_final_message().content[0].text == "scripted anthropic"  # type: ignore[union-attr]
    response = {
        "id": "resp_scripted",
        "object": "response",
        "created_at": 1,
        "model": "m",
        "status": "completed",
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "output": [
            {
                "type": "message",
                "id": "msg_1",
                "role": "assistant",
                "status": "completed",
                "content": [
                    {"type": "output_text", "text": "scripted responses", "annotations": []}
                ],
            }
        ],
    }
    infron_sandbox.script(response, path="/responses", times=2)
    oa = infron_sandbox.openai_client()
    assert oa.responses.create(model="sandbox/echo", input="x").output_text == "scripted responses"
    events = list(oa.responses.create(model="sandbox/echo", input="x", stream=True))
    assert events[-1].type == "response.completed"
