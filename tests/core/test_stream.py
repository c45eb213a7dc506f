"""The SSE reader and the stream accumulator."""

from __future__ import annotations

import pytest

from infron_integrations.core import (
    InfronBadGatewayError,
    InfronStreamError,
    StreamAccumulator,
    iter_sse_json,
    response_extras,
)

LINES = [
    ": INFRONAI PROCESSING",
    "",
    'data: {"id":"c1","request_id":"r1","provider":"anthropic","model":"m",'
    '"choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"}}]}',
    "",
    ": INFRONAI PROCESSING",
    'data: {"id":"c1","choices":[{"index":0,"delta":{"content":"lo"}}]}',
    'data: {"id":"c1","choices":[{"index":0,"delta":{},"finish_reason":"stop",'
    '"native_finish_reason":"end_turn"}]}',
    'data: {"id":"c1","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,'
    '"total_tokens":5},"cost":0.0001,"cost_details":{"prompt_cost":0.00004,'
    '"completion_cost":0.00006}}',
    "data: [DONE]",
    'data: {"never": "read"}',
]


def test_reader_and_accumulator() -> None:
    acc = StreamAccumulator()
    chunks = list(iter_sse_json(LINES))
    assert len(chunks) == 4
    for chunk in chunks:
        acc.feed(chunk)
    acc.finish()
    assert acc.partial_text == "Hello"
    assert (acc.finish_reason, acc.native_finish_reason) == ("stop", "end_turn")
    assert (acc.request_id, acc.provider) == ("r1", "anthropic")
    record = acc.usage_record(framework="core")
    assert record is not None
    assert (record.cost, record.input_tokens, record.output_tokens) == (0.0001, 3, 2)
    assert record.framework == "core"


def test_malformed_frame_raises() -> None:
    with pytest.raises(InfronStreamError, match="Malformed SSE frame"):
        list(iter_sse_json(["data: {not json"]))


def test_inband_error_mid_stream_raises() -> None:
    acc = StreamAccumulator()
    acc.feed({"choices": [{"index": 0, "delta": {"content": "partial"}}]})
    with pytest.raises(InfronBadGatewayError) as info:
        acc.feed(
            {
                "request_id": "r2",
                "choices": [
                    {"index": 0, "delta": {}, "finish_reason": "error", "error": {"code": 502}}
                ],
            }
        )
    assert info.value.in_band


def test_stream_that_ends_early_raises_and_keeps_partial_text() -> None:
    acc = StreamAccumulator()
    acc.feed({"request_id": "r3", "choices": [{"index": 0, "delta": {"content": "half an"}}]})
    with pytest.raises(InfronStreamError) as info:
        acc.finish()
    assert info.value.partial_text == "half an"
    assert info.value.request_id == "r3"


def test_response_extras() -> None:
    body = {
        "request_id": "r",
        "provider": "openai",
        "cost": 0.1,
        "cost_details": {"prompt_cost": 0.1},
        "choices": [
            {
                "native_finish_reason": "end_turn",
                "message": {
                    "annotations": [{"type": "url_citation", "url_citation": {"url": "u"}}]
                },
            }
        ],
    }
    assert response_extras(body) == {
        "request_id": "r",
        "provider": "openai",
        "cost": 0.1,
        "cost_details": {"prompt_cost": 0.1},
        "native_finish_reason": "end_turn",
        "annotations": [{"type": "url_citation", "url_citation": {"url": "u"}}],
    }
    assert response_extras({"choices": []}) == {}
