"""Pooled HTTP, retries and Retry-After, against the sandbox over loopback (no mocks)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from infron_integrations.core import (
    InfronAuthenticationError,
    InfronBadRequestError,
    InfronConfigError,
    InfronConnectionError,
    InfronHTTP,
    InfronRateLimitError,
    InfronServiceUnavailableError,
    InfronSettings,
    RetryPolicy,
    async_openai_client,
    openai_client,
)
from infron_integrations.core.http import shared_httpx_client, shared_sdk_client
from infron_integrations.core.openai_compat import (
    is_http_response,
    is_transport_error,
    raw_response_type,
    sdk_http,
)

FAULT = "x-infron-sandbox-fault"


def _http(sandbox: Any, *, fault: str | None = None, retries: int = 2, **policy: Any) -> InfronHTTP:
    headers = {FAULT: fault} if fault else {}
    settings = InfronSettings.resolve(
        api_key=sandbox.api_key, base_url=sandbox.base_url, default_headers=headers
    )
    return InfronHTTP(settings, retry=RetryPolicy(retries, base_delay=0.01, **policy))


def _count(sandbox: Any, path: str) -> int:
    return sum(1 for r in sandbox.requests if r.path.endswith(path))


def test_rerank_models_balance(infron_sandbox: Any) -> None:
    http = _http(infron_sandbox)
    ranked = http.rerank(
        "qwen/qwen3-reranker-0.6b", "pets", ["cars and roads", "cats and dogs are pets"]
    )
    assert ranked.results[0].index == 1
    assert ranked.usage is not None and ranked.usage.total_tokens > 0
    sent = infron_sandbox.last_request("/v1/rerank").body
    assert sent == {
        "model": "qwen/qwen3-reranker-0.6b",
        "query": "pets",
        "documents": ["cars and roads", "cats and dogs are pets"],
    }
    catalog = http.models()
    assert len(catalog.data) > 0
    assert http.balance().credit_balance > 0
    # every request carried our User-Agent and the key, and the log redacts the key
    request = infron_sandbox.last_request()
    assert request.headers["user-agent"].startswith("infron-integrations/")
    assert infron_sandbox.api_key not in str(request.headers)


def test_429_retry_after_is_honoured(infron_sandbox: Any) -> None:
    http = _http(infron_sandbox, fault="fail-once:429")
    started = time.monotonic()
    result = http.rerank("qwen/qwen3-reranker-0.6b", "q", ["a", "b"])
    elapsed = time.monotonic() - started
    assert len(result.results) == 2
    assert _count(infron_sandbox, "/rerank") == 2
    assert elapsed >= 0.9  # the sandbox says Retry-After: 1; the backoff alone is 10 ms


def test_retries_stop_at_the_bound(infron_sandbox: Any) -> None:
    http = _http(infron_sandbox, fault="503", retries=2)
    with pytest.raises(InfronServiceUnavailableError) as info:
        http.rerank("qwen/qwen3-reranker-0.6b", "q", ["a"])
    assert _count(infron_sandbox, "/rerank") == 3
    assert info.value.status_code == 503
    assert info.value.request_id


def test_long_retry_after_is_not_waited_for(infron_sandbox: Any) -> None:
    http = _http(infron_sandbox, fault="429", retries=3, max_retry_after=0.5)
    started = time.monotonic()
    with pytest.raises(InfronRateLimitError) as info:
        http.rerank("qwen/qwen3-reranker-0.6b", "q", ["a"])
    assert time.monotonic() - started < 0.9
    assert info.value.retry_after == 1.0
    assert _count(infron_sandbox, "/rerank") == 1


@pytest.mark.parametrize(
    ("fault", "cls"), [("400", InfronBadRequestError), ("401", InfronAuthenticationError)]
)
def test_non_retryable_errors_are_sent_once(infron_sandbox: Any, fault: str, cls: type) -> None:
    http = _http(infron_sandbox, fault=fault)
    with pytest.raises(cls):
        http.rerank("qwen/qwen3-reranker-0.6b", "q", ["a"])
    assert _count(infron_sandbox, "/rerank") == 1


def test_wrong_key_is_401(infron_sandbox: Any) -> None:
    settings = InfronSettings.resolve(api_key="sk-wrong", base_url=infron_sandbox.base_url)
    with pytest.raises(InfronAuthenticationError, match="INFRON_API_KEY") as info:
        InfronHTTP(settings).models()
    assert "sk-wrong" not in str(info.value)


async def test_async_retry_and_pooling(infron_sandbox: Any) -> None:
    http = _http(infron_sandbox, fault="fail-once:503")
    result = await http.arerank("qwen/qwen3-reranker-0.6b", "q", ["a", "b", "c"], top_n=2)
    assert len(result.results) == 2
    assert _count(infron_sandbox, "/rerank") == 2


def test_unreachable_server_is_a_connection_error() -> None:
    settings = InfronSettings.resolve(api_key="k", base_url="http://127.0.0.1:9/v1", timeout=2)
    with pytest.raises(InfronConnectionError, match="Could not reach"):
        InfronHTTP(settings, retry=RetryPolicy(1, base_delay=0.01)).models()


def test_bad_settings_fail_before_anything_is_sent(infron_sandbox: Any) -> None:
    with pytest.raises(InfronConfigError):
        InfronSettings.resolve(api_key=infron_sandbox.api_key, base_url="127.0.0.1/v1")
    assert infron_sandbox.requests == []


def test_clients_are_pooled(infron_sandbox: Any) -> None:
    a = InfronSettings.resolve(api_key=infron_sandbox.api_key, base_url=infron_sandbox.base_url)
    b = InfronSettings.resolve(api_key=infron_sandbox.api_key, base_url=infron_sandbox.base_url)
    assert openai_client(a) is openai_client(b)
    assert shared_httpx_client(a.timeout) is shared_httpx_client(b.timeout)
    reply = openai_client(a).chat.completions.create(
        model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "ping"}]
    )
    assert reply.choices[0].message.content


async def test_async_openai_client_is_per_loop(infron_sandbox: Any) -> None:
    settings = InfronSettings.resolve(
        api_key=infron_sandbox.api_key, base_url=infron_sandbox.base_url
    )
    client = async_openai_client(settings)
    assert async_openai_client(settings) is client
    reply = await client.chat.completions.create(
        model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "ping"}]
    )
    assert reply.choices[0].message.content


def test_pooled_clients_speak_the_sdks_own_http_library(infron_sandbox: Any) -> None:
    # openai 3 sends through httpx2 and runs plain httpx clients only in a legacy mode
    import importlib.metadata

    import openai

    major = int(importlib.metadata.version("openai").split(".")[0])
    assert sdk_http().__name__ == ("httpx2" if major >= 3 else "httpx")
    settings = InfronSettings.resolve(infron_sandbox.api_key, infron_sandbox.base_url)
    client = openai_client(settings)
    assert isinstance(client._client, sdk_http().Client)
    raw = client.get("/models", cast_to=raw_response_type())
    assert isinstance(raw, sdk_http().Response) and is_http_response(raw)
    assert raw.json()["data"]
    # InfronHTTP shares the SDK's pool (one pool per timeout, not one per library)
    pool = shared_sdk_client(settings.timeout)
    assert isinstance(pool, sdk_http().Client)
    before = len(infron_sandbox.requests)
    InfronHTTP(settings).models()
    assert len(infron_sandbox.requests) == before + 1
    assert openai.__version__.startswith(str(major))


def test_transport_errors_of_either_library_are_recognised() -> None:
    import httpx

    assert is_transport_error(httpx.ConnectError("x"))
    assert not is_transport_error(ValueError("x"))
    assert not is_http_response(object())
    http2 = pytest.importorskip("httpx2")  # installed beside openai 3
    assert is_transport_error(http2.ReadError("x"))
    assert is_http_response(http2.Response(200))
