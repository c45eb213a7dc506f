"""Usage and cost parsed from the docs' own examples; the run-level tracker."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from infron_integrations.core import (
    ChatCompletion,
    InfronBudgetExceededError,
    UsageRecord,
    record_usage,
    track_usage,
)
from infron_integrations.core.wire import COST_DETAIL_FIELDS, CostDetails

# Billing Tracking: the response shown when usage accounting is enabled.
BILLING_EXAMPLE = {
    "choices": [
        {
            "finish_reason": "stop",
            "index": 0,
            "logprobs": None,
            "message": {"content": "42.", "role": "assistant"},
        }
    ],
    "cost": 0.000235,
    "cost_details": {
        "audio_cost": 0,
        "byok_cost": 0,
        "completion_cost": 0.000225,
        "discount_rate": 1,
        "image_cost": 0,
        "is_byok": False,
        "native_web_search_cost": 0,
        "plugin_web_search_cost": 0,
        "prompt_cache_read_cost": 7.55e-06,
        "prompt_cache_write_1_h": 0,
        "prompt_cache_write_5_min": 0,
        "prompt_cache_write_cost": 0,
        "prompt_cost": 2.4e-06,
        "reasoning_cost": 0,
        "tools_cost": 0,
        "video_cost": 0,
    },
    "created": 1773372917,
    "id": "9ecbdbd4-3a3d-0030-bbd2-e325a04e45cf",
    "model": "x-ai/grok-4.1-fast-reasoning",
    "object": "chat.completion",
    "request_id": "2d1bb838663549eb9e004b2a64e4e981",
    "usage": {
        "completion_tokens": 450,
        "completion_tokens_details": {"reasoning_tokens": 218},
        "input_tokens": 0,
        "output_tokens": 0,
        "prompt_tokens": 163,
        "prompt_tokens_details": {"cached_tokens": 151, "text_tokens": 163},
        "total_tokens": 831,
        "ttft": 0,
    },
}

# Reasoning & Thinking: the response shape, with the docs' "" for web_search_requests.
REASONING_EXAMPLE = {
    "id": "chatcmpl-20251213055928959379058WiAGDQfk",
    "choices": [
        {
            "finish_reason": "stop",
            "index": 0,
            "message": {
                "content": "Building the world's tallest skyscraper...",
                "role": "assistant",
                "reasoning_content": "**Thinking Through Building the World's Tallest**",
                "tool_calls": None,
                "annotations": None,
            },
        }
    ],
    "created": 1765605586,
    "model": "gemini-2.5-flash-preview-09-2025",
    "object": "chat.completion",
    "usage": {
        "completion_tokens": 2734,
        "prompt_tokens": 12,
        "total_tokens": 2746,
        "completion_tokens_details": {
            "accepted_prediction_tokens": None,
            "audio_tokens": None,
            "reasoning_tokens": 960,
            "rejected_prediction_tokens": None,
        },
        "prompt_tokens_details": {"audio_tokens": None, "cached_tokens": None, "text_tokens": 12},
        "input_tokens": 0,
        "output_tokens": 0,
        "server_tool_use": {"web_search_requests": ""},
        "ttft": 0,
    },
    "request_id": "ddfd035d55b34cb69e2a00cc325230a1",
}

# Prompt Caching: "Inspecting Cache Usage".
CACHE_EXAMPLE = {
    "usage": {
        "prompt_tokens": 10339,
        "completion_tokens": 60,
        "total_tokens": 10399,
        "prompt_tokens_details": {"cached_tokens": 10318, "cache_write_tokens": 0},
    }
}


def test_billing_example() -> None:
    record = UsageRecord.from_response(BILLING_EXAMPLE)
    assert record.cost == 0.000235
    assert record.input_tokens == 163
    assert record.output_tokens == 450
    assert record.total_tokens == 831
    assert record.cache_read_tokens == 151
    assert record.reasoning_tokens == 218
    assert record.request_id == "2d1bb838663549eb9e004b2a64e4e981"
    assert record.model == "x-ai/grok-4.1-fast-reasoning"
    assert record.cost_details is not None
    assert record.cost_details.prompt_cache_read_cost == 7.55e-06
    assert record.cost_details.is_byok is False
    # The docs' parts add up to the docs' cost (to the 6 decimals the cost is given in).
    assert round(record.cost_details.parts_total(), 6) == 0.000235


def test_all_sixteen_cost_detail_fields_are_modelled() -> None:
    assert set(CostDetails.model_fields) == set(COST_DETAIL_FIELDS)
    assert len(COST_DETAIL_FIELDS) == 16
    assert set(BILLING_EXAMPLE["cost_details"]) == set(COST_DETAIL_FIELDS)


def test_reasoning_example() -> None:
    parsed = ChatCompletion.model_validate(REASONING_EXAMPLE)
    assert parsed.choices[0].message.reasoning_text == (
        "**Thinking Through Building the World's Tallest**"
    )
    record = UsageRecord.from_response(parsed)
    assert record.reasoning_tokens == 960
    assert record.web_search_requests == 0  # "" in the docs means none
    assert record.cost is None
    assert record.unknown_cost_requests == 1
    # unknown fields are kept, not dropped
    assert parsed.usage is not None and parsed.usage.model_extra == {
        "input_tokens": 0,
        "output_tokens": 0,
        "ttft": 0,
    }


def test_cache_example() -> None:
    record = UsageRecord.from_response(CACHE_EXAMPLE)
    assert record.cache_read_tokens == 10318
    assert record.cache_write_tokens == 0
    assert record.input_tokens == 10339


def test_stream_final_chunk_with_empty_choices() -> None:
    chunk = {
        "id": "x",
        "object": "chat.completion.chunk",
        "choices": [],
        "usage": BILLING_EXAMPLE["usage"],
        "cost": 0.000235,
        "cost_details": BILLING_EXAMPLE["cost_details"],
        "request_id": "r1",
        "provider": "xai",
    }
    record = UsageRecord.from_response(chunk)
    assert (record.cost, record.provider, record.request_id) == (0.000235, "xai", "r1")


def test_cost_inside_usage_is_used_when_top_level_is_absent() -> None:
    record = UsageRecord.from_response({"usage": {"prompt_tokens": 3, "cost": 0.5}})
    assert record.cost == 0.5


def test_records_add_up_exactly() -> None:
    a = UsageRecord.from_response(BILLING_EXAMPLE)
    b = UsageRecord.from_usage({"prompt_tokens": 10, "completion_tokens": 5}, cost=0.1)
    c = UsageRecord.from_usage({"prompt_tokens": 1, "completion_tokens": 1}, cost=0.2)
    total = a + b + c
    assert total.requests == 3
    assert total.input_tokens == 163 + 10 + 1
    assert total.cost == float(Decimal("0.000235") + Decimal("0.1") + Decimal("0.2"))
    assert (b + c).cost == 0.3  # not 0.30000000000000004
    none = UsageRecord.from_usage({"prompt_tokens": 1})
    assert (none + none).cost is None
    assert (none + b).cost == 0.1
    assert (none + b).unknown_cost_requests == 1


def test_tracker_totals_per_model_and_framework_and_nests() -> None:
    r1 = UsageRecord.from_usage({"prompt_tokens": 10}, cost=0.1, model="m1", framework="langchain")
    r2 = UsageRecord.from_usage({"prompt_tokens": 20}, cost=0.2, model="m2", framework="litellm")
    r3 = UsageRecord.from_usage({"prompt_tokens": 5}, model="emb", kind="embeddings")
    with track_usage() as outer:
        record_usage(r1)
        with track_usage() as inner:
            record_usage(r2)
            record_usage(r3)
    record_usage(r1)  # outside any tracker: no effect, no error
    assert outer.total.requests == 3
    assert outer.total_cost == 0.3
    assert outer.total.cost == Decimal("0.3")
    assert outer.total.unknown_cost_requests == 1
    assert inner.total.requests == 2
    assert inner.total_cost == 0.2
    assert set(outer.by_model) == {"m1", "m2", "emb"}
    assert outer.by_framework["litellm"].input_tokens == 20
    assert outer.summary()["cost"] == 0.3


def test_tracker_follows_threads_and_tasks() -> None:
    record = UsageRecord.from_usage({"prompt_tokens": 1}, cost=0.001)

    async def many() -> None:
        async def one() -> None:
            await asyncio.sleep(0)
            record_usage(record)

        await asyncio.gather(*(one() for _ in range(50)))

    with track_usage() as run:
        ctx = contextvars.copy_context()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda _: ctx.run(record_usage, record), range(100)))
        threads = [
            threading.Thread(target=contextvars.copy_context().run, args=(record_usage, record))
            for _ in range(20)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        asyncio.run(many())
    assert run.total.requests == 170
    assert run.total.cost == Decimal("0.170")


def test_budget_stop() -> None:
    record = UsageRecord.from_usage({"prompt_tokens": 1}, cost=0.4)
    with track_usage(budget=1.0) as run:
        record_usage(record)
        record_usage(record)
        with pytest.raises(InfronBudgetExceededError, match="budget exceeded") as info:
            record_usage(record)
    assert info.value.spent == pytest.approx(1.2)
    assert run.total.requests == 3  # the request that crossed the line is still counted


def test_cost_split_files_the_gateways_cost_by_side() -> None:
    from infron_integrations.core.usage import cost_split

    details = {
        "prompt_cost": 0.1,
        "prompt_cache_read_cost": 0.2,
        "prompt_cache_write_cost": 0.3,
        "completion_cost": 0.4,
        "reasoning_cost": 0.5,
        "native_web_search_cost": 0.7,
        "is_byok": False,
    }
    split = cost_split(2.2, details)
    assert split is not None
    # total is the gateway's figure, never the parts' sum; sides are exact decimal sums
    assert (split.total, split.input, split.output) == (2.2, 0.6, 0.9)
    assert (split.cache_read, split.cache_write, split.reasoning) == (0.2, 0.3, 0.5)
    assert cost_split(0.5, None) == type(split)(total=0.5)
    assert cost_split(None, details) is None
    assert cost_split(0.5, {"is_byok": True}).input is None  # type: ignore[union-attr]
