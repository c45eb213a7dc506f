"""Strict validation of the Infron-specific request objects, and robustness against malformed
requests (always a 400 in the documented shape, never a 500, and the server keeps serving)."""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlsplit

import httpx
import openai
import pytest
from sandbox_helpers import AUTH, HTTP, chat

IMAGE = {"type": "image_url", "image_url": {"url": "https://example.com/x.png"}}
TOOL = {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}


def _post(sb: Any, body: Any, **kw: Any) -> httpx.Response:
    return HTTP.post(sb.base_url + "/chat/completions", json=body, headers=AUTH, timeout=10, **kw)


def _text(cc: Any) -> dict[str, Any]:
    return {"type": "text", "text": "hello", "cache_control": cc}


INVALID = [
    ({"provider": {"sortt": "price"}}, "provider.sortt"),
    ({"provider": "anthropic"}, "provider"),
    ({"provider": {"order": "anthropic"}}, "provider.order"),
    ({"provider": {"order": [1, 2]}}, "provider.order"),
    ({"provider": {"only": "anthropic"}}, "provider.only"),
    ({"provider": {"ignore": [None]}}, "provider.ignore"),
    ({"provider": {"allow_fallbacks": "no"}}, "provider.allow_fallbacks"),
    ({"provider": {"require_parameters": 1}}, "provider.require_parameters"),
    ({"provider": {"zdr": "true"}}, "provider.zdr"),
    ({"provider": {"enforce_distillable_text": None}}, "provider.enforce_distillable_text"),
    ({"provider": {"data_collection": "maybe"}}, "provider.data_collection"),
    ({"provider": {"sort": "cheapest"}}, "provider.sort"),
    ({"provider": {"sort": {"by": "price", "partitio": "model"}}}, "provider.sort.partitio"),
    ({"provider": {"sort": {"by": "speed"}}}, "provider.sort.by"),
    ({"provider": {"quantizations": ["fp3"]}}, "provider.quantizations.0"),
    ({"provider": {"quantizations": "fp8"}}, "provider.quantizations"),
    ({"provider": {"preferred_max_latency": {"p95": 1}}}, "provider.preferred_max_latency.p95"),
    ({"provider": {"preferred_max_latency": {"p90": "1"}}}, "provider.preferred_max_latency.p90"),
    ({"provider": {"preferred_min_throughput": "fast"}}, "provider.preferred_min_throughput"),
    ({"provider": {"preferred_min_throughput": True}}, "provider.preferred_min_throughput"),
    ({"reasoning": {"effort": "extreme"}}, "reasoning.effort"),
    ({"reasoning": {"max_tokens": 0}}, "reasoning.max_tokens"),
    ({"reasoning": {"max_tokens": "100"}}, "reasoning.max_tokens"),
    ({"reasoning": {"budget": 100}}, "reasoning.budget"),
    ({"reasoning": "high"}, "reasoning"),
    ({"usage": {"include": "yes"}}, "usage.include"),
    ({"usage": {"include": True, "details": True}}, "usage.details"),
    ({"usage": True}, "usage"),
    (
        {"web_search_options": {"search_context_size": "huge"}},
        "web_search_options.search_context_size",
    ),
    ({"web_search_options": {"max_results": 3}}, "web_search_options.max_results"),
    (
        {"web_search_options": {"user_location": {"type": "exact"}}},
        "web_search_options.user_location.type",
    ),
    (
        {"web_search_options": {"user_location": {"approximate": {"planet": "Mars"}}}},
        "web_search_options.user_location.approximate.planet",
    ),
    (
        {"web_search_options": {"user_location": {"approximate": {"city": 5}}}},
        "web_search_options.user_location.approximate.city",
    ),
    ({"stream": True, "stream_options": {"include_usage": "yes"}}, "stream_options.include_usage"),
    ({"stream": True, "stream_options": {"include_cost": True}}, "stream_options.include_cost"),
    (
        {
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "x"},
                        {**IMAGE, "cache_control": {"type": "ephemeral"}},
                    ],
                }
            ]
        },
        "messages.0.content.1.cache_control",
    ),
    (
        {"messages": [{"role": "user", "content": "x", "cache_control": {"type": "ephemeral"}}]},
        "messages.0.cache_control",
    ),
    (
        {"messages": [{"role": "user", "content": [_text({"type": "persistent"})]}]},
        "messages.0.content.0.cache_control.type",
    ),
    (
        {"messages": [{"role": "user", "content": [_text({"type": "ephemeral", "scope": "x"})]}]},
        "messages.0.content.0.cache_control.scope",
    ),
    (
        {"messages": [{"role": "user", "content": [_text({"type": "ephemeral", "ttl": "2h"})]}]},
        "messages.0.content.0.cache_control.ttl",
    ),
    (
        {"messages": [{"role": "user", "content": [_text("ephemeral")]}]},
        "messages.0.content.0.cache_control",
    ),
    ({"cache_control": {"type": "ephemeral"}}, "cache_control"),
    (
        {
            "tools": [
                {**TOOL, "function": {**TOOL["function"], "cache_control": {"type": "ephemeral"}}}
            ]
        },
        "tools.0.function.cache_control",
    ),
    (
        {"tools": [{**TOOL, "cache_control": {"type": "ephemeral", "ttl": -1}}]},
        "tools.0.cache_control.ttl",
    ),
    ({"tools": [{"type": "function", "function": {"parameters": {}}}]}, "tools.0.function.name"),
    (
        {"tools": [TOOL], "tool_choice": {"type": "function", "function": {"name": "g"}}},
        "tool_choice.function.name",
    ),
    ({"tool_choice": "sometimes"}, "tool_choice"),
    ({"messages": []}, "messages"),
    ({"messages": "hello"}, "messages"),
    ({"messages": [{"content": "x"}]}, "messages.0.role"),
    ({"messages": [{"role": "wizard", "content": "x"}]}, "messages.0.role"),
    ({"messages": [{"role": "user", "content": 5}]}, "messages.0.content"),
    (
        {"messages": [{"role": "user", "content": [{"text": "no type"}]}]},
        "messages.0.content.0.type",
    ),
    ({"model": ""}, "model"),
    ({"model": 3}, "model"),
    ({"max_tokens": 0}, "max_tokens"),
    ({"max_completion_tokens": "5"}, "max_completion_tokens"),
    ({"n": 0}, "n"),
    ({"stop": [1]}, "stop"),
    ({"stream": "yes"}, "stream"),
    ({"response_format": {"type": "xml"}}, "response_format.type"),
]


@pytest.mark.parametrize(("patch", "param"), INVALID, ids=[p for _, p in INVALID])
def test_invalid_fields_name_their_param(
    infron_sandbox: Any, patch: dict[str, Any], param: str
) -> None:
    r = _post(infron_sandbox, {**chat("x"), **patch})
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error == {
        "message": error["message"],
        "type": "invalid_request_error",
        "param": param,
        "code": 400,
    }
    assert error["message"]


def test_missing_model_and_messages(infron_sandbox: Any) -> None:
    r = _post(infron_sandbox, {"messages": [{"role": "user", "content": "x"}]})
    assert (r.status_code, r.json()["error"]["param"]) == (400, "model")
    r = _post(infron_sandbox, {"model": "sandbox/echo"})
    assert (r.status_code, r.json()["error"]["param"]) == (400, "messages")


def test_openai_client_sees_bad_request_with_param(infron_sandbox: Any) -> None:
    client = infron_sandbox.openai_client()
    with pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(
            model="sandbox/echo",
            messages=[{"role": "user", "content": "x"}],
            extra_body={"provider": {"sortt": "price"}},
        )
    assert info.value.param == "provider.sortt"
    assert info.value.status_code == 400


VALID = [
    {
        "provider": {
            "order": ["anthropic"],
            "allow_fallbacks": True,
            "sort": "price",
            "preferred_min_throughput": {"p50": 10, "p75": 5.5, "p90": 1, "p99": 0},
            "preferred_max_latency": 30,
            "require_parameters": False,
            "data_collection": "allow",
            "zdr": False,
            "enforce_distillable_text": False,
            "only": ["anthropic", "openai"],
            "ignore": ["azure"],
            "quantizations": ["fp8", "fp16", "int4", "int8", "none"],
        }
    },
    {"provider": {"sort": {"by": "throughput", "partition": "none"}}},
    {"reasoning": {"effort": "xhigh", "max_tokens": 100}},
    {"reasoning": {"effort": "minimal"}},
    {"usage": {"include": True}},
    {"usage": {}},
    {
        "web_search_options": {
            "search_context_size": "low",
            "user_location": {
                "type": "approximate",
                "approximate": {
                    "country": "CN",
                    "city": "Beijing",
                    "region": "BJ",
                    "timezone": "Asia/Shanghai",
                },
            },
        }
    },
    {"web_search_options": {}},
    {"stream": True, "stream_options": {"include_usage": True, "include_obfuscation": False}},
    {
        "tools": [{**TOOL, "cache_control": {"type": "ephemeral", "ttl": "5m"}}],
        "tool_choice": {"type": "function", "function": {"name": "f"}},
    },
    {"some_future_top_level_field": {"anything": [1, 2]}, "transforms": ["x"], "models": []},
    {"reasoning_effort": "low", "verbosity": "low", "logprobs": False, "metadata": {"a": "b"}},
    {"stop": "x", "n": 2, "max_tokens": 50, "response_format": {"type": "text"}},
]


@pytest.mark.parametrize("patch", VALID)
def test_documented_fields_are_accepted(infron_sandbox: Any, patch: dict[str, Any]) -> None:
    r = _post(infron_sandbox, {**chat("x", model="anthropic/claude-sonnet-4.5"), **patch})
    assert r.status_code == 200, r.text


def test_openai_sdk_stream_options_are_accepted(infron_sandbox: Any) -> None:
    client = infron_sandbox.openai_client()
    stream = client.chat.completions.create(
        model="sandbox/echo",
        messages=[{"role": "user", "content": "x"}],
        stream=True,
        stream_options={"include_usage": True, "include_obfuscation": True},
    )
    assert list(stream)[-1].usage is not None


def _raw_http(sb: Any, payload: bytes, *, read: bool = True) -> bytes:
    parts = urlsplit(sb.base_url)
    data = b""
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        sock.sendall(payload)
        if read:
            while chunk := sock.recv(65536):
                data += chunk
    return data


MALFORMED = [
    (b"{not json", "application/json"),
    (b"", "application/json"),
    (b'["a", "list"]', "application/json"),
    (b"null", "application/json"),
    (b'{"model": "m", "messages": [{"role": "user", "content": "x"}]}', "text/plain"),
    (b'{"model": "m", "messages": [{"role": "user", "content": "x"}]}', ""),
    (b"\xff\xfe\x00garbage", "application/json"),
    (b"[" * 100_000 + b"]" * 100_000, "application/json"),
    (b'{"a":' * 500 + b"1" + b"}" * 500, "application/json"),
    (
        b'{"model": "m", "messages": [{"role": "user", "content": "x"}], "provider": '
        + b'{"order": '
        + b"[" * 5000
        + b"]" * 5000
        + b"}}",
        "application/json",
    ),
]


@pytest.mark.parametrize(("payload", "content_type"), MALFORMED)
def test_malformed_requests_get_400_and_server_survives(
    infron_sandbox: Any, payload: bytes, content_type: str
) -> None:
    headers = {**AUTH}
    if content_type:
        headers["Content-Type"] = content_type
    r = HTTP.post(
        infron_sandbox.base_url + "/chat/completions", content=payload, headers=headers, timeout=10
    )
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == 400
    assert _post(infron_sandbox, chat("still alive")).status_code == 200
    assert infron_sandbox.last_request("/v1/chat/completions").status == 200


def test_garbage_http_does_not_break_the_server(infron_sandbox: Any) -> None:
    assert b" 400 " in _raw_http(infron_sandbox, b"NOT-HTTP garbage\r\n\r\n")
    _raw_http(
        infron_sandbox,
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{",
        read=False,
    )
    assert _post(infron_sandbox, chat("still alive")).status_code == 200


async def test_body_size_limit() -> None:
    from infron_integrations.sandbox import SandboxConfig, create_app

    app = create_app(SandboxConfig(max_body_bytes=1000))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox/v1") as client:
        r = await client.post("/chat/completions", json=chat("x" * 2000), headers=AUTH)
    assert r.status_code == 413 and r.json()["error"]["code"] == 413


def test_other_endpoints_validate_too(infron_sandbox: Any) -> None:
    base = infron_sandbox.base_url
    cases = [
        ("/embeddings", {"model": "sandbox/embedding"}, "input"),
        ("/embeddings", {"input": "x"}, "model"),
        (
            "/embeddings",
            {"model": "sandbox/embedding", "input": "x", "provider": {"x": 1}},
            "provider.x",
        ),
        (
            "/rerank",
            {
                "model": "sandbox/rerank",
                "query": "q",
                "documents": ["a"],
                "usage": {"include": "y"},
            },
            "usage.include",
        ),
        (
            "/embeddings",
            {"model": "sandbox/embedding", "input": "x", "dimensions": 0},
            "dimensions",
        ),
        (
            "/embeddings",
            {"model": "sandbox/embedding", "input": "x", "encoding_format": "hex"},
            "encoding_format",
        ),
        ("/embeddings", {"model": "sandbox/embedding", "input": [{"x": 1}]}, "input.0"),
        ("/rerank", {"model": "sandbox/rerank", "documents": ["a"]}, "query"),
        ("/rerank", {"model": "sandbox/rerank", "query": "q", "documents": []}, "documents"),
        (
            "/rerank",
            {"model": "sandbox/rerank", "query": "q", "documents": ["a"], "top_n": 0},
            "top_n",
        ),
        ("/messages", {"model": "m", "messages": [{"role": "user", "content": "x"}]}, "max_tokens"),
        (
            "/messages",
            {
                "model": "m",
                "max_tokens": 5,
                "messages": [{"role": "user", "content": "x"}],
                "thinking": {"type": "enabled"},
            },
            "thinking.budget_tokens",
        ),
        (
            "/messages",
            {
                "model": "m",
                "max_tokens": 5,
                "messages": [{"role": "user", "content": "x"}],
                "provider": {"sortt": 1},
            },
            "provider.sortt",
        ),
        ("/responses", {"model": "m"}, "input"),
        (
            "/responses",
            {"model": "m", "input": "x", "reasoning": {"effort": "max"}},
            "reasoning.effort",
        ),
        ("/responses", {"model": "m", "input": "x", "usage": {"include": 1}}, "usage.include"),
        (
            "/responses",
            {"model": "m", "input": "x", "text": {"format": {"type": "yaml"}}},
            "text.format.type",
        ),
    ]
    for path, body, param in cases:
        r = HTTP.post(base + path, json=body, headers=AUTH, timeout=10)
        assert r.status_code == 400, (path, r.text)
        assert r.json()["error"]["param"] == param, (path, r.text)
