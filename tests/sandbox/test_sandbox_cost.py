"""Usage accounting: ``cost`` equals the sum of its parts, every documented field is present, and
the pure helper follows the documented convention."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sandbox_helpers import AUTH, COST_FIELDS, HTTP, assert_cost_adds_up, chat, data_chunks, dec

from infron_integrations.sandbox import compute_cost
from infron_integrations.sandbox.billing import SUMMED_FIELDS

CLAUDE = "anthropic/claude-sonnet-4.5"


def _post(sb: Any, body: dict[str, Any]) -> dict[str, Any]:
    r = HTTP.post(sb.base_url + "/chat/completions", json=body, headers=AUTH, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def test_cost_equals_sum_of_parts_with_all_fields(infron_sandbox: Any) -> None:
    body = _post(
        infron_sandbox, chat("What does this cost?", model=CLAUDE, usage={"include": True})
    )
    assert set(body["cost_details"]) == COST_FIELDS
    assert_cost_adds_up(body)
    usage = body["usage"]
    details = body["cost_details"]
    assert dec(details["prompt_cost"]) == usage["prompt_tokens"] * Decimal("0.000003")
    assert dec(details["completion_cost"]) == usage["completion_tokens"] * Decimal("0.000015")
    assert details["reasoning_cost"] == 0
    assert body["cost"] == pytest.approx(details["prompt_cost"] + details["completion_cost"])


def test_no_cost_fields_without_usage_include(infron_sandbox: Any) -> None:
    for extra in ({}, {"usage": {"include": False}}):
        body = _post(infron_sandbox, chat("x", **extra))
        assert "cost" not in body and "cost_details" not in body
        assert body["usage"]["total_tokens"] > 0


def test_reasoning_cost_and_openai_client_extras(infron_sandbox: Any) -> None:
    client = infron_sandbox.openai_client()
    r = client.chat.completions.create(
        model="deepseek/deepseek-r1",
        messages=[{"role": "user", "content": "Think first."}],
        extra_body={"usage": {"include": True}},
    )
    extra = r.model_extra or {}
    body = {"cost": extra["cost"], "cost_details": extra["cost_details"]}
    assert_cost_adds_up(body)
    assert r.usage is not None and r.usage.completion_tokens_details is not None
    reasoning = r.usage.completion_tokens_details.reasoning_tokens or 0
    assert reasoning > 0
    price = Decimal("0.00000219")  # deepseek/deepseek-r1 on the "deepseek" provider
    assert extra["provider"] == "deepseek"
    assert dec(extra["cost_details"]["reasoning_cost"]) == reasoning * price
    assert (
        dec(extra["cost_details"]["completion_cost"])
        == (r.usage.completion_tokens - reasoning) * price
    )


def test_price_follows_the_chosen_provider(infron_sandbox: Any) -> None:
    body = _post(
        infron_sandbox,
        chat("x", model=CLAUDE, usage={"include": True}, provider={"order": ["amazon-bedrock"]}),
    )
    assert body["provider"] == "amazon-bedrock"
    assert dec(body["cost_details"]["prompt_cost"]) == body["usage"]["prompt_tokens"] * Decimal(
        "0.0000033"
    )
    assert_cost_adds_up(body)


def test_stream_usage_chunk_cost_adds_up(infron_sandbox: Any) -> None:
    body = chat("stream cost", model="sandbox/reasoning", stream=True, usage={"include": True})
    with HTTP.stream(
        "POST", infron_sandbox.base_url + "/chat/completions", json=body, headers=AUTH
    ) as r:
        chunks = data_chunks(r.read().decode())
    assert_cost_adds_up(chunks[-1])
    assert chunks[-1]["cost_details"]["reasoning_cost"] > 0


def test_compute_cost_pure_helper_convention() -> None:
    breakdown = compute_cost(
        prompt_price=3e-6,
        completion_price=15e-6,
        prompt_tokens=1000,
        completion_tokens=300,
        reasoning_tokens=100,
        cached_tokens=400,
        cache_write_5m_tokens=200,
        cache_write_1h_tokens=100,
        web_search_requests=1,
        web_search_price=0.01,
    )
    fields = breakdown.fields()
    details = fields["cost_details"]
    assert set(details) == COST_FIELDS
    # input_tokens = prompt_tokens - cached_tokens - cache_write_tokens = 300
    assert dec(details["prompt_cost"]) == Decimal("0.0009")
    assert dec(details["prompt_cache_read_cost"]) == Decimal("400") * Decimal("3e-6") * Decimal(
        "0.1"
    )
    assert dec(details["prompt_cache_write_5_min"]) == Decimal("200") * Decimal("3e-6") * Decimal(
        "1.25"
    )
    assert dec(details["prompt_cache_write_1_h"]) == Decimal("100") * Decimal("3e-6") * 2
    assert dec(details["completion_cost"]) == 200 * Decimal("15e-6")
    assert dec(details["reasoning_cost"]) == 100 * Decimal("15e-6")
    assert details["native_web_search_cost"] == 0.01
    assert breakdown.cost == sum((breakdown.parts[k] for k in SUMMED_FIELDS), Decimal(0))
    assert_cost_adds_up(fields)


def test_compute_cost_rounds_parts_to_ten_places() -> None:
    breakdown = compute_cost(
        prompt_price=1 / 3 * 1e-6,
        completion_price=2 / 3 * 1e-6,
        prompt_tokens=7,
        completion_tokens=11,
    )
    for value in breakdown.parts.values():
        assert value == value.quantize(Decimal("1e-10"))
    assert_cost_adds_up(breakdown.fields())
