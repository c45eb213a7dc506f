"""``merge_reasoning_details``: streamed fragments -> the entries a replay carries, and the stream
accumulator that collects them (docs: Reasoning & Thinking; the structured-output response example).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx

from infron_integrations.core import merge_reasoning_details
from infron_integrations.core.stream import StreamAccumulator, iter_sse_json

FMT = "anthropic-claude-v1"

# What a signing provider streams: a text entry in three deltas (format and index repeated, the
# signature on the last), then an encrypted entry whole at the same index, another type.
FRAGMENTS: list[dict[str, Any]] = [
    {"type": "reasoning.text", "text": "Let me ", "format": FMT, "index": 0},
    {"type": "reasoning.text", "text": "think ", "format": FMT, "index": 0, "signature": None},
    {"type": "reasoning.text", "text": "it over.", "format": FMT, "index": 0, "signature": "s1"},
    {"type": "reasoning.encrypted", "id": "rs_1", "data": "opaque==", "format": FMT, "index": 0},
]
MERGED = [
    {
        "type": "reasoning.text",
        "text": "Let me think it over.",
        "format": FMT,
        "index": 0,
        "signature": "s1",
    },
    {"type": "reasoning.encrypted", "id": "rs_1", "data": "opaque==", "format": FMT, "index": 0},
]


def test_fragments_merge_by_type_and_index() -> None:
    merged = merge_reasoning_details(FRAGMENTS)
    assert merged == MERGED
    # format and id are repeated by the fragments, never concatenated
    assert [e["format"] for e in merged] == [FMT, FMT]


def test_merging_is_idempotent_and_never_mutates() -> None:
    before = copy.deepcopy(FRAGMENTS)
    once = merge_reasoning_details(FRAGMENTS)
    assert before == FRAGMENTS
    again = merge_reasoning_details(once)
    assert again == once and again is not once
    assert all(a is not b for a, b in zip(again, once, strict=True))


def test_the_docs_example_is_already_whole() -> None:
    # the structured-output response example: a summary and an encrypted entry, both index 0
    docs = [
        {
            "id": "",
            "format": "openai-responses-v1",
            "index": 0,
            "type": "reasoning.summary",
            "data": "",
        },
        {
            "id": "rs_0ae9",
            "format": "openai-responses-v1",
            "index": 0,
            "type": "reasoning.encrypted",
            "data": "gAAAAABpSoRo",
        },
    ]
    assert merge_reasoning_details(docs) == docs


def test_summaries_concatenate_and_opaque_fields_are_taken_whole() -> None:
    fragments = [
        {"type": "reasoning.summary", "summary": "Step one. ", "index": 1},
        {"type": "reasoning.summary", "summary": "Step two.", "index": 1},
        {"type": "reasoning.encrypted", "data": "", "index": 2},
        {"type": "reasoning.encrypted", "data": "AAAA", "index": 2},
        {"type": "reasoning.encrypted", "data": "", "index": 2},
    ]
    assert merge_reasoning_details(fragments) == [
        {"type": "reasoning.summary", "summary": "Step one. Step two.", "index": 1},
        {"type": "reasoning.encrypted", "data": "AAAA", "index": 2},
    ]


def test_entries_without_index_or_type_are_kept_as_they_are() -> None:
    details: list[Any] = [
        {"type": "reasoning.text", "text": "a"},
        {"type": "reasoning.text", "text": "b"},
        {"text": "c", "index": 0},
        {"type": "reasoning.text", "text": "d", "index": True},  # a bool is not an index
        "not an object",
    ]
    assert merge_reasoning_details(details) == details
    assert merge_reasoning_details(None) == []


def test_nulls_never_hide_a_value() -> None:
    fragments = [
        {"type": "reasoning.text", "text": "x", "signature": None, "id": None, "index": 0},
        {"type": "reasoning.text", "text": None, "signature": "sig", "id": "t1", "index": 0},
    ]
    assert merge_reasoning_details(fragments) == [
        {"type": "reasoning.text", "text": "x", "signature": "sig", "id": "t1", "index": 0}
    ]


def test_stream_accumulator_merges_what_the_sandbox_streams(infron_sandbox: Any) -> None:
    body = {
        "model": "anthropic/claude-sonnet-4.5",
        "messages": [{"role": "user", "content": "Why is the sea salty?"}],
        "reasoning": {"effort": "high"},
    }
    headers = {"Authorization": f"Bearer {infron_sandbox.api_key}"}
    url = infron_sandbox.base_url + "/chat/completions"
    whole = httpx.post(url, json=body, headers=headers, timeout=10).json()
    issued = whole["choices"][0]["message"]["reasoning_details"]

    acc = StreamAccumulator()
    fragments: list[Any] = []
    with httpx.stream("POST", url, json={**body, "stream": True}, headers=headers) as response:
        for chunk in iter_sse_json(response.iter_lines()):
            acc.feed(chunk)
            for choice in chunk.get("choices") or ():
                fragments += choice["delta"].get("reasoning_details") or []
    assert len(fragments) > len(issued)  # really streamed in fragments
    assert acc.reasoning_details() == issued
    assert json.dumps(acc.reasoning_details(), sort_keys=True) == json.dumps(issued, sort_keys=True)
    assert acc.reasoning_details(1) is None
