"""ChatInfron errors: typed, catchable three ways, raised for in-band and broken streams.

Docs: Errors code (statuses 400/401/402/403/408/429/502/503 in the documented body; errors
during generation arrive in a 200 body or as an SSE chunk with ``finish_reason: "error"``).
Faults come from the sandbox (``x-infron-sandbox-fault`` header).
"""

from __future__ import annotations

import asyncio
import pickle
import time
from typing import Any

import httpx
import openai
import pytest
from langchain_core import exceptions as lc
from langchain_core.load import dumpd

from infron_integrations.core import errors as core
from infron_integrations.langchain import ChatInfron
from infron_integrations.sandbox.config import SandboxConfig
from infron_integrations.sandbox.server import run_sandbox

CHAT = "/v1/chat/completions"
FAULT = "x-infron-sandbox-fault"

# status -> (core class, langchain-core class, openai SDK class)
_EXPECTED: dict[int, tuple[type, type, type]] = {
    400: (core.InfronBadRequestError, lc.ModelInvalidRequestError, openai.BadRequestError),
    401: (
        core.InfronAuthenticationError,
        lc.ModelAuthenticationError,
        openai.AuthenticationError,
    ),
    402: (core.InfronInsufficientCreditsError, lc.ModelError, openai.APIStatusError),
    403: (
        core.InfronPermissionDeniedError,
        lc.ModelPermissionDeniedError,
        openai.PermissionDeniedError,
    ),
    408: (core.InfronRequestTimeoutError, lc.ModelTimeoutError, openai.APIStatusError),
    429: (core.InfronRateLimitError, lc.ModelRateLimitError, openai.RateLimitError),
    500: (core.InfronServerError, lc.ModelAPIError, openai.InternalServerError),
    502: (core.InfronBadGatewayError, lc.ModelAPIError, openai.InternalServerError),
    503: (core.InfronServiceUnavailableError, lc.ModelAPIError, openai.InternalServerError),
}


def _faulty(factory: Any, fault: str, **fields: Any) -> ChatInfron:
    fields.setdefault("max_retries", 0)
    return factory(default_headers={FAULT: fault}, **fields)  # type: ignore[no-any-return]


@pytest.mark.parametrize("status", sorted(_EXPECTED))
@pytest.mark.parametrize("mode", ["invoke", "stream", "ainvoke", "astream"])
def test_http_errors_are_typed_three_ways(
    infron_sandbox: Any, chat_model_factory: Any, status: int, mode: str
) -> None:
    llm = _faulty(chat_model_factory, str(status))
    with pytest.raises(Exception) as info:
        if mode == "invoke":
            llm.invoke("hi")
        elif mode == "stream":
            list(llm.stream("hi"))
        elif mode == "ainvoke":
            asyncio.run(llm.ainvoke("hi"))
        else:

            async def consume() -> None:
                async for _ in llm.astream("hi"):
                    pass

            asyncio.run(consume())
    error = info.value
    for cls in _EXPECTED[status]:
        assert isinstance(error, cls), (type(error).__mro__, cls)
    assert error.status_code == status
    assert f"sandbox fault {status}" in error.message
    assert error.request_id == infron_sandbox.last_request(CHAT).request_id
    assert isinstance(error.response.status_code, int)
    assert infron_sandbox.api_key not in str(error)
    assert len(infron_sandbox.requests) == 1  # max_retries=0


def test_rate_limit_carries_retry_after_and_pickles(chat_model_factory: Any) -> None:
    llm = chat_model_factory(
        max_retries=0,
        default_headers={FAULT: "429", "x-infron-sandbox-retry-after": "7"},
    )
    with pytest.raises(lc.ModelRateLimitError) as info:
        llm.invoke("hi")
    error = info.value
    assert error.retry_after == 7.0
    assert error.is_retryable and error.retryable
    copy = pickle.loads(pickle.dumps(error))
    assert isinstance(copy, core.InfronRateLimitError) and copy.retry_after == 7.0


@pytest.mark.parametrize("use_async", [False, True])
def test_429_retry_honours_retry_after(
    infron_sandbox: Any, chat_model_factory: Any, use_async: bool
) -> None:
    llm = chat_model_factory(
        max_retries=1,
        default_headers={FAULT: "fail-once:429", "x-infron-sandbox-retry-after": "1"},
    )
    start = time.monotonic()
    if use_async:
        message = asyncio.run(llm.ainvoke(f"retry me {use_async}"))
    else:
        message = llm.invoke(f"retry me {use_async}")
    elapsed = time.monotonic() - start
    assert message.content.startswith('You said: "retry me')
    assert [r.status for r in infron_sandbox.requests] == [429, 200]
    assert elapsed >= 0.95  # waited the gateway's Retry-After, not the SDK's ~0.5 s backoff


def test_fail_once_502_is_retried_for_streams_too(
    infron_sandbox: Any, chat_model_factory: Any
) -> None:
    llm = chat_model_factory(max_retries=2, default_headers={FAULT: "fail-once:502"})
    text = "".join(str(c.content) for c in llm.stream("stream after a 502"))
    assert text.startswith('You said: "stream after a 502"')
    assert [r.status for r in infron_sandbox.requests] == [502, 200]


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_error_inside_a_200_body_raises(chat_model_factory: Any, mode: str) -> None:
    llm = _faulty(chat_model_factory, "error-in-200")
    with pytest.raises(core.InfronBadGatewayError) as info:
        if mode == "invoke":
            llm.invoke("hi")
        else:
            asyncio.run(llm.ainvoke("hi"))
    assert info.value.in_band
    assert isinstance(info.value, lc.ModelAPIError)
    assert isinstance(info.value, openai.APIStatusError)
    assert info.value.response.status_code == 200


def _collect(llm: ChatInfron, use_async: bool) -> list[Any]:
    seen: list[Any] = []
    if not use_async:
        for chunk in llm.stream("tell me a long story about streams"):
            seen.append(chunk)
        return seen

    async def consume() -> None:
        async for chunk in llm.astream("tell me a long story about streams"):
            seen.append(chunk)

    asyncio.run(consume())
    return seen


@pytest.mark.parametrize("use_async", [False, True])
def test_error_inside_a_stream_raises_after_partial_output(
    chat_model_factory: Any, use_async: bool
) -> None:
    llm = _faulty(chat_model_factory, "error-in-stream")
    seen: list[Any] = []
    with pytest.raises(core.InfronBadGatewayError) as info:
        seen.extend(_collect(llm, use_async))
    assert info.value.in_band
    assert isinstance(info.value, lc.ModelAPIError)


@pytest.mark.parametrize("fault", ["drop-mid-stream", "malformed-sse"])
@pytest.mark.parametrize("use_async", [False, True])
def test_broken_streams_raise_stream_errors(
    chat_model_factory: Any, fault: str, use_async: bool
) -> None:
    llm = _faulty(chat_model_factory, fault)
    with pytest.raises(core.InfronStreamError) as info:
        _collect(llm, use_async)
    assert isinstance(info.value, lc.ModelAPIError)
    if fault == "drop-mid-stream":
        assert info.value.partial_text  # kept for diagnostics, never returned as the answer


def test_a_stream_that_ends_without_finishing_raises(
    infron_sandbox: Any, chat_model_factory: Any
) -> None:
    chunks = [
        {
            "id": "c",
            "object": "chat.completion.chunk",
            "model": "m",
            "choices": [{"index": 0, "delta": {"role": "assistant", "content": "half an"}}],
        }
    ]
    infron_sandbox.script(chunks)
    with pytest.raises(core.InfronStreamError, match="before the model finished") as info:
        list(chat_model_factory().stream("hi"))
    assert info.value.partial_text == "half an"


def test_async_stream_chunk_timeout() -> None:
    from langchain_openai.chat_models._client_utils import StreamChunkTimeoutError

    with run_sandbox(SandboxConfig(stream_delay=0.6)) as sandbox:
        llm = ChatInfron(
            model="openai/gpt-4o-mini",
            api_key=sandbox.api_key,
            base_url=sandbox.base_url,
            stream_chunk_timeout=0.2,
        )

        async def consume() -> None:
            async for _ in llm.astream("hi"):
                pass

        with pytest.raises(StreamChunkTimeoutError) as info:
            asyncio.run(consume())
        assert info.value.timeout_s == 0.2


def test_a_slow_consumer_is_not_a_stalled_stream(chat_model_factory: Any) -> None:
    # only the time spent waiting for the gateway counts towards stream_chunk_timeout
    llm = chat_model_factory(stream_chunk_timeout=0.1)

    async def slow_consumer() -> int:
        count = 0
        async for _ in llm.astream("hi"):
            count += 1
            await asyncio.sleep(0.15)
            if count == 4:
                break
        return count

    assert asyncio.run(slow_consumer()) == 4


def test_connection_errors_are_typed() -> None:
    llm = ChatInfron(model="m", api_key="k", base_url="http://127.0.0.1:9/v1", max_retries=0)
    with pytest.raises(core.InfronConnectionError) as info:
        llm.invoke("hi")
    assert isinstance(info.value, lc.ModelConnectionError)
    assert isinstance(info.value, openai.APIConnectionError)


@pytest.mark.parametrize("mode", ["invoke", "stream", "ainvoke", "astream", "responses"])
def test_network_errors_name_the_url_and_the_setting(
    monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    monkeypatch.setenv("INFRON_BASE_URL", "http://127.0.0.1:9/v1")
    llm = ChatInfron(model="m", api_key="k", max_retries=0, default_query={"tag": "secret-ish"})
    calls = {
        "invoke": lambda: llm.invoke("hi"),
        "stream": lambda: list(llm.stream("hi")),
        "ainvoke": lambda: asyncio.run(llm.ainvoke("hi")),
        "astream": lambda: asyncio.run(_drain(llm.astream("hi"))),
        "responses": lambda: llm.model_copy(update={"use_responses_api": True}).invoke("hi"),
    }
    with pytest.raises(core.InfronConnectionError) as info:
        calls[mode]()
    text = str(info.value)
    path = "responses" if mode == "responses" else "chat/completions"
    assert f"Could not reach Infron at http://127.0.0.1:9/v1/{path} " in text
    assert "INFRON_BASE_URL" in text and "base_url=" in text
    assert "secret-ish" not in text  # the query is left out of the URL shown


async def _drain(stream: Any) -> None:
    async for _ in stream:
        pass


def test_the_key_never_leaks(infron_sandbox: Any, chat_model_factory: Any) -> None:
    secret = "sk-infron-very-secret-value"
    llm = chat_model_factory(api_key=secret, max_retries=0)
    assert secret not in repr(llm)
    assert secret not in str(dumpd(llm))
    with pytest.raises(core.InfronAuthenticationError) as info:
        llm.invoke("hi")  # the sandbox rejects an unknown key with 401
    assert secret not in str(info.value)
    assert secret not in repr(info.value.body)


def test_budget_exceeded_is_raised_after_the_call_is_recorded(chat_model_factory: Any) -> None:
    from infron_integrations.core import track_usage

    llm = chat_model_factory()
    with track_usage(budget=1e-9) as run, pytest.raises(core.InfronBudgetExceededError):
        llm.invoke("spend")
    assert run.total.requests == 1 and run.total_cost > 0


@pytest.mark.parametrize("timeout", [0.3, httpx.Timeout(0.3), (5.0, 0.3)])
def test_timeouts_are_typed(infron_sandbox: Any, chat_model_factory: Any, timeout: Any) -> None:
    llm = _faulty(chat_model_factory, "slow:2", timeout=timeout)
    start = time.monotonic()
    with pytest.raises(core.InfronTimeoutError) as info:
        llm.invoke("hi")
    assert time.monotonic() - start < 1.5
    assert isinstance(info.value, lc.ModelTimeoutError)
    assert isinstance(info.value, openai.APITimeoutError)


def test_a_200_body_without_choices_raises(infron_sandbox: Any, chat_model_factory: Any) -> None:
    infron_sandbox.script({"id": "x", "object": "chat.completion", "request_id": "rid-1"})
    with pytest.raises(core.InfronAPIError, match="no choices") as info:
        chat_model_factory().invoke("hi")
    assert isinstance(info.value, lc.ModelAPIError)
    assert info.value.request_id == "rid-1"
