"""Prompt caching: explicit breakpoints write then hit, TTL pricing, limits and implicit caching."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest
from sandbox_helpers import AUTH, HTTP, assert_cost_adds_up, dec

from infron_integrations.sandbox import SandboxConfig, count_tokens, create_app

CLAUDE = "anthropic/claude-sonnet-4.5"
BOOK = "The quick brown fox jumps over the lazy dog. " * 40
PRICE = Decimal("0.000003")


def _system(text: str = BOOK, **cache: Any) -> dict[str, Any]:
    return {
        "role": "system",
        "content": [
            {"type": "text", "text": "You know this book:"},
            {"type": "text", "text": text, "cache_control": {"type": "ephemeral", **cache}},
        ],
    }


def _body(question: str, *messages: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "model": CLAUDE,
        "messages": [*messages, {"role": "user", "content": question}],
        "usage": {"include": True},
        **extra,
    }


def _post(sb: Any, body: dict[str, Any], key: str = AUTH["Authorization"]) -> httpx.Response:
    return HTTP.post(
        sb.base_url + "/chat/completions", json=body, headers={"Authorization": key}, timeout=10
    )


PREFIX = 3 + count_tokens("You know this book:") + count_tokens(BOOK)


def test_cache_write_then_hit(infron_sandbox: Any) -> None:
    first = _post(infron_sandbox, _body("Who is quick?", _system())).json()
    details = first["usage"]["prompt_tokens_details"]
    assert details["cache_write_tokens"] == PREFIX
    assert details["cached_tokens"] == 0
    costs = first["cost_details"]
    assert dec(costs["prompt_cache_write_5_min"]) == PREFIX * PRICE * Decimal("1.25")
    assert costs["prompt_cache_write_1_h"] == 0
    input_tokens = first["usage"]["prompt_tokens"] - PREFIX
    assert dec(costs["prompt_cost"]) == input_tokens * PRICE
    assert_cost_adds_up(first)

    second = _post(infron_sandbox, _body("Who is lazy?", _system())).json()
    details = second["usage"]["prompt_tokens_details"]
    assert details["cached_tokens"] == PREFIX
    assert details["cache_write_tokens"] == 0
    assert dec(second["cost_details"]["prompt_cache_read_cost"]) == PREFIX * PRICE * Decimal("0.1")
    assert second["cost_details"]["prompt_cache_write_cost"] == 0
    assert second["cost"] < first["cost"]
    assert_cost_adds_up(second)


def test_changed_prefix_misses(infron_sandbox: Any) -> None:
    _post(infron_sandbox, _body("q", _system()))
    other = _post(infron_sandbox, _body("q", _system(BOOK + " Extra."))).json()
    assert other["usage"]["prompt_tokens_details"]["cached_tokens"] == 0
    assert other["usage"]["prompt_tokens_details"]["cache_write_tokens"] > 0


@pytest.mark.parametrize("ttl", ["1h", 3600])
def test_one_hour_ttl_is_priced_as_1h_write(infron_sandbox: Any, ttl: Any) -> None:
    body = _post(infron_sandbox, _body("q", _system(ttl=ttl))).json()
    costs = body["cost_details"]
    assert dec(costs["prompt_cache_write_1_h"]) == PREFIX * PRICE * 2
    assert costs["prompt_cache_write_5_min"] == 0
    assert costs["prompt_cache_write_cost"] == costs["prompt_cache_write_1_h"]
    assert_cost_adds_up(body)


def test_tool_definition_breakpoint_caches_tools(infron_sandbox: Any) -> None:
    tool = {
        "type": "function",
        "function": {"name": "get_time", "parameters": {"type": "object", "properties": {}}},
        "cache_control": {"type": "ephemeral"},
    }
    body = {
        "model": CLAUDE,
        "tools": [tool],
        "tool_choice": "none",
        "messages": [{"role": "user", "content": "hi"}],
    }
    first = _post(infron_sandbox, body).json()
    written = first["usage"]["prompt_tokens_details"]["cache_write_tokens"]
    assert 0 < written < first["usage"]["prompt_tokens"]
    body["messages"][0]["content"] = "something else"
    second = _post(infron_sandbox, body).json()
    assert second["usage"]["prompt_tokens_details"]["cached_tokens"] == written


def test_incremental_breakpoints_split_by_ttl(infron_sandbox: Any) -> None:
    first = _post(infron_sandbox, _body("q", _system(ttl="1h"))).json()
    assert first["usage"]["prompt_tokens_details"]["cache_write_tokens"] == PREFIX
    history = {
        "role": "user",
        "content": [
            {"type": "text", "text": "More context here.", "cache_control": {"type": "ephemeral"}}
        ],
    }
    second = _post(infron_sandbox, _body("q2", _system(ttl="1h"), history)).json()
    details = second["usage"]["prompt_tokens_details"]
    assert details["cached_tokens"] == PREFIX
    assert details["cache_write_tokens"] == 3 + count_tokens("More context here.")
    assert second["cost_details"]["prompt_cache_write_1_h"] == 0
    assert second["cost_details"]["prompt_cache_write_5_min"] > 0


def test_more_than_four_breakpoints_is_400(infron_sandbox: Any) -> None:
    parts = [
        {"type": "text", "text": f"part {i}", "cache_control": {"type": "ephemeral"}}
        for i in range(5)
    ]
    r = _post(infron_sandbox, {"model": CLAUDE, "messages": [{"role": "user", "content": parts}]})
    assert r.status_code == 400
    assert r.json()["error"]["param"] == "messages"
    four = _post(
        infron_sandbox, {"model": CLAUDE, "messages": [{"role": "user", "content": parts[:4]}]}
    )
    assert four.status_code == 200


async def test_cache_is_per_api_key_and_model() -> None:
    app = create_app(SandboxConfig(api_keys=("k1", "k2")))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox/v1") as client:

        async def cached(key: str, model: str = CLAUDE) -> int:
            body = {**_body("q", _system()), "model": model}
            r = await client.post(
                "/chat/completions", json=body, headers={"Authorization": f"Bearer {key}"}
            )
            return int(r.json()["usage"]["prompt_tokens_details"]["cached_tokens"])

        assert await cached("k1") == 0
        assert await cached("k1") == PREFIX
        assert await cached("k2") == 0
        assert await cached("k1", "anthropic/claude-haiku-4.5") == 0


async def test_min_cache_tokens_setting() -> None:
    app = create_app(SandboxConfig(min_cache_tokens=100_000))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox/v1") as client:
        for _ in range(2):
            r = await client.post("/chat/completions", json=_body("q", _system()), headers=AUTH)
            details = r.json()["usage"]["prompt_tokens_details"]
            assert details["cache_write_tokens"] == 0 and details["cached_tokens"] == 0


def test_implicit_caching_for_openai_models(infron_sandbox: Any) -> None:
    long_system = {"role": "system", "content": "Policy text. " * 400}
    assert count_tokens(long_system["content"]) >= 1024
    body = {
        "model": "openai/gpt-4o-mini",
        "usage": {"include": True},
        "messages": [long_system, {"role": "user", "content": "first"}],
    }
    first = _post(infron_sandbox, body).json()
    assert first["usage"]["prompt_tokens_details"]["cached_tokens"] == 0
    body["messages"][1]["content"] = "second question"
    second = _post(infron_sandbox, body).json()
    assert second["usage"]["prompt_tokens_details"]["cached_tokens"] == 3 + 1200
    assert second["usage"]["prompt_tokens_details"]["cache_write_tokens"] == 0
    assert second["cost_details"]["prompt_cache_read_cost"] > 0
    short = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
    _post(infron_sandbox, short)
    assert (
        _post(infron_sandbox, short).json()["usage"]["prompt_tokens_details"]["cached_tokens"] == 0
    )
    claude = {**body, "model": CLAUDE}
    _post(infron_sandbox, claude)
    assert (
        _post(infron_sandbox, claude).json()["usage"]["prompt_tokens_details"]["cached_tokens"] == 0
    )
