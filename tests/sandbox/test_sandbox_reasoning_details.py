"""``reasoning_details``: issued like the docs' example, streamed in fragments, and checked when a
tool loop sends them back (docs: Reasoning & Thinking; the structured-output response example)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from sandbox_helpers import AUTH, HTTP, chat, data_chunks

from infron_integrations.core import merge_reasoning_details

TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
QUESTION = {"role": "user", "content": "What is the weather in Paris?"}
FIRST = {
    "model": "anthropic/claude-sonnet-4.5",
    "messages": [QUESTION],
    "tools": [TOOL],
    "reasoning": {"effort": "low"},
}


def _post(sb: Any, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    return HTTP.post(
        sb.base_url + "/chat/completions", json=body, headers={**AUTH, **(headers or {})}
    )


def _first_turn(sb: Any) -> dict[str, Any]:
    r = _post(sb, FIRST)
    assert r.status_code == 200, r.text
    return r.json()["choices"][0]["message"]  # type: ignore[no-any-return]


def _streamed_fragments(sb: Any, body: dict[str, Any]) -> list[dict[str, Any]]:
    with HTTP.stream(
        "POST", sb.base_url + "/chat/completions", json={**body, "stream": True}, headers=AUTH
    ) as r:
        chunks = data_chunks(r.read().decode())
    return [
        entry
        for chunk in chunks
        for choice in chunk["choices"]
        for entry in choice["delta"].get("reasoning_details") or []
    ]


def _second_turn(
    sb: Any, message: dict[str, Any], details: Any, headers: dict[str, str] | None = None
) -> Any:
    assistant = {k: v for k, v in message.items() if k != "reasoning_details"}
    if details is not None:
        assistant["reasoning_details"] = details
    call = message["tool_calls"][0]
    result = {"role": "tool", "tool_call_id": call["id"], "content": "sunny"}
    return _post(sb, {**FIRST, "messages": [QUESTION, assistant, result]}, headers)


def _error(r: Any) -> dict[str, Any]:
    assert r.status_code == 400, r.text
    return r.json()["error"]  # type: ignore[no-any-return]


def test_issued_like_the_docs_example(infron_sandbox: Any) -> None:
    message = _first_turn(infron_sandbox)
    text, encrypted = message["reasoning_details"]
    assert text == {
        "type": "reasoning.text",
        "text": message["reasoning_content"],
        "signature": text["signature"],
        "format": "anthropic-claude-v1",
        "index": 0,
    }
    assert text["signature"].startswith("sandbox-rsig-")
    assert set(encrypted) == {"type", "id", "data", "format", "index"}
    assert encrypted["type"] == "reasoning.encrypted" and encrypted["index"] == 0
    assert encrypted["id"].startswith("rs_sandbox_") and encrypted["data"].startswith("sandbox-enc")
    # deterministic, and the format follows the model family
    assert _first_turn(infron_sandbox)["reasoning_details"] == message["reasoning_details"]
    gemini = _post(infron_sandbox, chat("x", model="google/gemini-2.5-pro")).json()
    assert gemini["choices"][0]["message"]["reasoning_details"][0]["format"] == "google-gemini-v1"
    openai_model = _post(infron_sandbox, chat("x", model="openai/o4-mini")).json()
    details = openai_model["choices"][0]["message"]["reasoning_details"]
    assert {e["format"] for e in details} == {"openai-responses-v1"}


def test_no_reasoning_no_details(infron_sandbox: Any) -> None:
    plain = _post(infron_sandbox, chat("x", model="openai/gpt-4o-mini")).json()
    assert "reasoning_details" not in plain["choices"][0]["message"]
    off = _post(
        infron_sandbox, chat("x", model="deepseek/deepseek-r1", reasoning={"effort": "none"})
    ).json()
    assert "reasoning_details" not in off["choices"][0]["message"]
    assert _streamed_fragments(infron_sandbox, chat("x", model="openai/gpt-4o-mini")) == []


def test_stream_sends_fragments_that_merge_into_the_issued_entries(infron_sandbox: Any) -> None:
    issued = _first_turn(infron_sandbox)["reasoning_details"]
    fragments = _streamed_fragments(infron_sandbox, FIRST)
    texts = [f for f in fragments if f["type"] == "reasoning.text"]
    assert len(texts) > 3
    # every text fragment repeats type, format and index; only the last carries the signature
    assert {(f["format"], f["index"]) for f in texts} == {("anthropic-claude-v1", 0)}
    assert [("signature" in f) for f in texts] == [False] * (len(texts) - 1) + [True]
    assert fragments[-1] == issued[1]  # the encrypted entry arrives whole, after the text
    assert merge_reasoning_details(fragments) == issued


def test_stream_pairs_each_fragment_with_its_reasoning_delta(infron_sandbox: Any) -> None:
    with HTTP.stream(
        "POST",
        infron_sandbox.base_url + "/chat/completions",
        json={**FIRST, "stream": True},
        headers=AUTH,
    ) as r:
        chunks = data_chunks(r.read().decode())
    deltas = [c["choices"][0]["delta"] for c in chunks if c["choices"]]
    for delta in deltas:
        if delta.get("reasoning_content"):
            (fragment,) = delta["reasoning_details"]
            assert fragment["text"] == delta["reasoning_content"]


def test_replay_of_the_issued_details_is_accepted(infron_sandbox: Any) -> None:
    message = _first_turn(infron_sandbox)
    r = _second_turn(infron_sandbox, message, message["reasoning_details"])
    assert r.status_code == 200, r.text
    assert r.json()["choices"][0]["message"]["content"] == "Based on get_weather: sunny."
    merged = merge_reasoning_details(_streamed_fragments(infron_sandbox, FIRST))
    assert _second_turn(infron_sandbox, message, merged).status_code == 200


def test_unmerged_fragments_are_rejected(infron_sandbox: Any) -> None:
    message = _first_turn(infron_sandbox)
    fragments = _streamed_fragments(infron_sandbox, FIRST)
    error = _error(_second_turn(infron_sandbox, message, fragments))
    assert error["param"] == "messages.1.reasoning_details"
    assert "unmerged stream fragments" in error["message"]


def _altered(details: list[dict[str, Any]], index: int, key: str, value: Any) -> Any:
    changed = copy.deepcopy(details)
    changed[index][key] = value
    return changed


@pytest.mark.parametrize(
    ("index", "key", "change"),
    [
        (0, "text", lambda v: v + " "),
        (0, "signature", lambda v: v[:-1] + ("0" if v[-1] != "0" else "1")),
        (0, "format", lambda v: v + v),  # what LangChain's chunk merge does to a repeated format
        (1, "data", lambda v: v[:-2]),
        (1, "data", lambda v: v[:-1] + "\u00e9"),
        (1, "id", lambda v: v + "x"),
        (1, "format", lambda v: "openai-responses-v1"),
    ],
)
def test_altered_entries_are_rejected(
    infron_sandbox: Any, index: int, key: str, change: Any
) -> None:
    message = _first_turn(infron_sandbox)
    details = message["reasoning_details"]
    changed = _altered(details, index, key, change(details[index][key]))
    error = _error(_second_turn(infron_sandbox, message, changed))
    assert error["param"] == f"messages.1.reasoning_details.{index}"
    assert "exactly as received" in error["message"]


def test_entries_folded_into_one_are_rejected(infron_sandbox: Any) -> None:
    # LangChain's chunk merge folds same-index entries of different types into the first one
    message = _first_turn(infron_sandbox)
    text, encrypted = message["reasoning_details"]
    folded = [{**text, "id": encrypted["id"], "data": encrypted["data"]}]
    error = _error(_second_turn(infron_sandbox, message, folded))
    assert error["param"] == "messages.1.reasoning_details.0"


def test_an_incomplete_replay_is_rejected(infron_sandbox: Any) -> None:
    message = _first_turn(infron_sandbox)
    text, encrypted = message["reasoning_details"]
    assert _error(_second_turn(infron_sandbox, message, [text]))["param"] == (
        "messages.1.reasoning_details"
    )
    assert _error(_second_turn(infron_sandbox, message, [encrypted]))["param"] == (
        "messages.1.reasoning_details.0"
    )
    assert _error(_second_turn(infron_sandbox, message, {"not": "a list"}))["param"] == (
        "messages.1.reasoning_details"
    )


def test_foreign_or_missing_details_are_accepted_by_default(infron_sandbox: Any) -> None:
    message = _first_turn(infron_sandbox)
    foreign = [{"type": "reasoning.encrypted", "data": "opaque"}]
    assert _second_turn(infron_sandbox, message, foreign).status_code == 200
    assert _second_turn(infron_sandbox, message, None).status_code == 200


def test_required_mode_rejects_a_tool_turn_without_details(infron_sandbox: Any) -> None:
    message = _first_turn(infron_sandbox)
    strict = {"x-infron-sandbox-reasoning-replay": "required"}
    error = _error(_second_turn(infron_sandbox, message, None, strict))
    assert error["param"] == "messages.1.reasoning_details"
    assert "missing" in error["message"]
    assert _error(_second_turn(infron_sandbox, message, [{"type": "x"}], strict))
    ok = _second_turn(infron_sandbox, message, message["reasoning_details"], strict)
    assert ok.status_code == 200, ok.text
    # earlier user turns are not the current tool loop: they may omit details
    later = {**FIRST, "messages": [QUESTION, message, {"role": "user", "content": "thanks"}]}
    assert _post(infron_sandbox, later, strict).status_code == 200


def test_scripted_bodies_stream_their_details_in_fragments(infron_sandbox: Any) -> None:
    details = [
        {"type": "reasoning.summary", "summary": "First I look. Then I answer.", "index": 0},
        {"type": "reasoning.encrypted", "data": "opaque", "index": 0},
        {"type": "reasoning.text", "text": "No index: sent whole."},
    ]
    message = {"role": "assistant", "content": "ok", "reasoning_details": details}
    infron_sandbox.script({"choices": [{"index": 0, "message": message, "finish_reason": "stop"}]})
    fragments = _streamed_fragments(infron_sandbox, chat("x"))
    assert len(fragments) > 3 and fragments[-1] == details[-1]
    assert merge_reasoning_details(fragments) == details


def test_faulted_answers_carry_no_details(infron_sandbox: Any) -> None:
    r = _post(infron_sandbox, FIRST, {"x-infron-sandbox-fault": "empty-200"})
    assert "reasoning_details" not in r.json()["choices"][0]["message"]


def test_responses_encrypted_content_round_trip(infron_sandbox: Any) -> None:
    url = infron_sandbox.base_url + "/responses"
    body = {"model": "openai/o4-mini", "input": "Why is the sea salty?"}
    plain = HTTP.post(url, json=body, headers=AUTH).json()
    assert "encrypted_content" not in plain["output"][0]
    asked = HTTP.post(
        url, json={**body, "include": ["reasoning.encrypted_content"]}, headers=AUTH
    ).json()
    item = asked["output"][0]
    assert item["type"] == "reasoning" and item["encrypted_content"].startswith("sandbox-enc-")

    def replay(reasoning_item: dict[str, Any]) -> Any:
        items = [{"role": "user", "content": "Why is the sea salty?"}, reasoning_item]
        follow_up = [*items, {"role": "user", "content": "And the Dead Sea?"}]
        return HTTP.post(url, json={**body, "input": follow_up}, headers=AUTH)

    assert replay(item).status_code == 200
    broken = {**item, "encrypted_content": item["encrypted_content"][:-3]}
    error = _error(replay(broken))
    assert error["param"] == "input.1.encrypted_content"
    assert json.dumps(item["encrypted_content"]) not in json.dumps(error)


def test_responses_required_mode_rejects_a_current_item_without_encrypted_content(
    infron_sandbox: Any,
) -> None:
    url = infron_sandbox.base_url + "/responses"
    body = {"model": "openai/o4-mini", "include": ["reasoning.encrypted_content"]}
    question = {"role": "user", "content": "Why is the sea salty?"}
    item = HTTP.post(url, json={**body, "input": [question]}, headers=AUTH).json()["output"][0]
    strict = {**AUTH, "x-infron-sandbox-reasoning-replay": "required"}
    bare = {k: v for k, v in item.items() if k != "encrypted_content"}

    def send(*items: Any) -> Any:
        return HTTP.post(url, json={**body, "input": [question, *items]}, headers=strict)

    error = _error(send(bare))
    assert error["param"] == "input.1.encrypted_content" and "missing" in error["message"]
    assert send(item).status_code == 200
    # an earlier user turn's reasoning may go back without it
    assert send(bare, {"role": "user", "content": "And the Dead Sea?"}).status_code == 200
