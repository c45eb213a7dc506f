"""Gateway errors become exceptions that are both LiteLLM's type and the core's Infron type."""

from __future__ import annotations

import pickle
import socket
from typing import Any

import litellm
import pytest
from litellm.exceptions import MidStreamFallbackError

from infron_integrations import core
from infron_integrations.litellm import (
    InfronLiteLLMBudgetExceededError,
    InfronLiteLLMRateLimitError,
    to_litellm_error,
)
from infron_integrations.litellm._compat import router_reads_first_chunk

USER = [{"role": "user", "content": "hello"}]

STATUS_TYPES = [
    (400, litellm.BadRequestError, core.InfronBadRequestError),
    (401, litellm.AuthenticationError, core.InfronAuthenticationError),
    (402, litellm.BadRequestError, core.InfronInsufficientCreditsError),
    (403, litellm.PermissionDeniedError, core.InfronPermissionDeniedError),
    (408, litellm.Timeout, core.InfronRequestTimeoutError),
    (429, litellm.RateLimitError, core.InfronRateLimitError),
    (502, litellm.BadGatewayError, core.InfronBadGatewayError),
    (503, litellm.ServiceUnavailableError, core.InfronServiceUnavailableError),
]


@pytest.mark.parametrize(("status", "litellm_type", "infron_type"), STATUS_TYPES)
def test_status_errors_are_both_types(
    infron_sandbox: Any,
    creds: dict[str, str],
    status: int,
    litellm_type: type[Exception],
    infron_type: type[Exception],
) -> None:
    with pytest.raises(litellm_type) as info:
        litellm.completion(
            model=f"infron/sandbox/fault-{status}", messages=USER, max_retries=0, **creds
        )
    error: Any = info.value
    assert isinstance(error, infron_type)
    assert error.status_code == status
    assert error.request_id == infron_sandbox.last_request().request_id
    assert error.llm_provider == "infron"
    assert f"Infron {status}" in str(error)
    assert creds["api_key"] not in str(error) and creds["api_key"] not in repr(error)
    assert len(infron_sandbox.requests) == 1


def test_402_is_litellm_payment_required(creds: dict[str, str]) -> None:
    with pytest.raises(litellm.exceptions.PaymentRequiredError):
        litellm.completion(model="infron/sandbox/fault-402", messages=USER, **creds)


def test_rate_limit_keeps_retry_after(infron_sandbox: Any, creds: dict[str, str]) -> None:
    with pytest.raises(InfronLiteLLMRateLimitError) as info:
        litellm.completion(model="infron/sandbox/fault-429", messages=USER, max_retries=0, **creds)
    assert info.value.retry_after == 1.0
    assert info.value.response.headers["retry-after"] == "1"
    assert info.value.retryable


def test_transient_errors_are_retried(infron_sandbox: Any, creds: dict[str, str]) -> None:
    response = litellm.completion(
        model="infron/openai/gpt-4o",
        messages=USER,
        max_retries=2,
        extra_headers={
            "x-infron-sandbox-fault": "fail-twice:429",
            "x-infron-sandbox-retry-after": "0",
        },
        **creds,
    )
    assert response.choices[0].message.content
    assert [r.status for r in infron_sandbox.requests] == [429, 429, 200]


def test_client_errors_are_not_retried(infron_sandbox: Any, creds: dict[str, str]) -> None:
    with pytest.raises(litellm.BadRequestError):
        litellm.completion(model="infron/sandbox/fault-400", messages=USER, max_retries=3, **creds)
    assert len(infron_sandbox.requests) == 1


def test_gateway_validation_error_names_the_param(
    infron_sandbox: Any, creds: dict[str, str]
) -> None:
    # stream_options is validated by the gateway (strictly, in the sandbox), not by us
    with pytest.raises(core.InfronBadRequestError) as info:
        list(
            litellm.completion(
                model="infron/openai/gpt-4o",
                messages=USER,
                stream=True,
                stream_options={"include_usage": True, "bogus": 1},
                **creds,
            )
        )
    assert info.value.param == "stream_options.bogus"


def test_error_in_200_raises(infron_sandbox: Any, creds: dict[str, str]) -> None:
    with pytest.raises(litellm.BadGatewayError) as info:
        litellm.completion(model="infron/sandbox/fault-error-in-200", messages=USER, **creds)
    assert isinstance(info.value, core.InfronAPIError)
    assert info.value.in_band


def test_stream_http_errors_are_raised_by_completion_itself(
    infron_sandbox: Any, creds: dict[str, str]
) -> None:
    """The sync stream is opened before LiteLLM wraps it, like LiteLLM's own OpenAI route."""
    with pytest.raises(litellm.RateLimitError):
        litellm.completion(
            model="infron/sandbox/fault-429", messages=USER, stream=True, max_retries=0, **creds
        )


async def test_async_stream_http_errors(infron_sandbox: Any, creds: dict[str, str]) -> None:
    """LiteLLM iterates a custom provider's async stream lazily: 4xx arrive as is, 429/5xx wrapped
    in MidStreamFallbackError (for its router) with the typed error as original_exception."""
    stream = await litellm.acompletion(
        model="infron/sandbox/fault-401", messages=USER, stream=True, **creds
    )
    with pytest.raises(litellm.AuthenticationError):
        async for _ in stream:
            pass
    stream = await litellm.acompletion(
        model="infron/sandbox/fault-503", messages=USER, stream=True, max_retries=0, **creds
    )
    with pytest.raises(MidStreamFallbackError) as info:
        async for _ in stream:
            pass
    assert isinstance(info.value.original_exception, core.InfronServiceUnavailableError)
    assert info.value.is_pre_first_chunk


def _router(creds: dict[str, str], num_retries: int) -> litellm.Router:
    deployment = {"model": "infron/openai/gpt-4o", **creds}
    return litellm.Router(
        model_list=[{"model_name": "chat", "litellm_params": deployment}],
        num_retries=num_retries,
        retry_after=0,
    )


async def test_router_async_stream_opening_is_retried(
    infron_sandbox: Any, creds: dict[str, str]
) -> None:
    """An async stream that fails before its first token is retried within the Router's
    num_retries: by the Router itself where it reads the first chunk inside its retry loop
    (LiteLLM >= 1.108.0), by the handler where the Router returned before the stream opened."""
    router = _router(creds, num_retries=2)
    stream = await router.acompletion(
        model="chat",
        messages=USER,
        stream=True,
        extra_headers={
            "x-infron-sandbox-fault": "fail-twice:503",
            "x-infron-sandbox-retry-after": "0",
        },
    )
    text = "".join([chunk.choices[0].delta.content or "" async for chunk in stream])
    assert text
    assert [r.status for r in infron_sandbox.requests] == [503, 503, 200]


async def test_router_without_retries_opens_a_stream_once(
    infron_sandbox: Any, creds: dict[str, str]
) -> None:
    """Where the failure surfaces depends on the Router: one that reads the first chunk inside
    its retry loop raises from ``await router.acompletion(...)``; an older one returns the stream,
    which raises while it is iterated. Either way it is the typed 503, after one request; and the
    adapter's detection matches what this LiteLLM does."""
    router = _router(creds, num_retries=0)
    returned = False
    with pytest.raises(Exception) as info:
        stream = await router.acompletion(
            model="chat",
            messages=USER,
            stream=True,
            extra_headers={"x-infron-sandbox-fault": "fail-once:503"},
        )
        returned = True
        async for _ in stream:
            pass
    assert returned is not router_reads_first_chunk()
    error = info.value
    original = getattr(error, "original_exception", error)  # a MidStreamFallbackError's cause
    assert isinstance(original, core.InfronServiceUnavailableError)
    assert isinstance(original, litellm.ServiceUnavailableError)
    assert len(infron_sandbox.requests) == 1


@pytest.mark.parametrize("num_retries", [1, 2])
async def test_router_async_stream_retries_are_not_doubled(
    infron_sandbox: Any, creds: dict[str, str], num_retries: int
) -> None:
    """A persistent 503 on opening is tried 1 + num_retries times in all: the Router and the
    handler never both retry it."""
    router = _router(creds, num_retries=num_retries)
    with pytest.raises(Exception) as info:
        stream = await router.acompletion(
            model="chat",
            messages=USER,
            stream=True,
            extra_headers={
                "x-infron-sandbox-fault": "503",
                "x-infron-sandbox-retry-after": "0",
            },
        )
        async for _ in stream:
            pass
    original = getattr(info.value, "original_exception", info.value)
    assert isinstance(original, core.InfronServiceUnavailableError)
    assert [r.status for r in infron_sandbox.requests] == [503] * (1 + num_retries)


async def test_async_errors(infron_sandbox: Any, creds: dict[str, str]) -> None:
    with pytest.raises(litellm.ServiceUnavailableError) as info:
        await litellm.acompletion(
            model="infron/sandbox/fault-503", messages=USER, max_retries=0, **creds
        )
    assert isinstance(info.value, core.InfronServiceUnavailableError)


def test_client_timeout(infron_sandbox: Any, creds: dict[str, str]) -> None:
    with pytest.raises(litellm.Timeout) as info:
        litellm.completion(
            model="infron/sandbox/fault-slow:3", messages=USER, timeout=0.3, max_retries=0, **creds
        )
    assert isinstance(info.value, core.InfronTimeoutError)


def test_unreachable_gateway(creds: dict[str, str]) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(litellm.APIConnectionError) as info:
        litellm.completion(
            model="infron/openai/gpt-4o",
            messages=USER,
            api_key=creds["api_key"],
            api_base=f"http://127.0.0.1:{port}/v1",
            max_retries=0,
        )
    assert isinstance(info.value, core.InfronConnectionError)


def test_missing_key_says_how_to_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INFRON_API_KEY", raising=False)
    with pytest.raises(core.InfronConfigError, match="INFRON_API_KEY"):
        litellm.completion(model="infron/openai/gpt-4o", messages=USER)


def test_key_and_base_url_from_the_environment(
    infron_sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INFRON_API_KEY", infron_sandbox.api_key)
    monkeypatch.setenv("INFRON_BASE_URL", infron_sandbox.base_url)
    response = litellm.completion(model="infron/openai/gpt-4o", messages=USER)
    assert response.choices[0].message.content


def test_budget_exceeded_propagates(infron_sandbox: Any, creds: dict[str, str]) -> None:
    with core.track_usage(budget=1e-9) as run, pytest.raises(litellm.BudgetExceededError) as info:
        litellm.completion(model="infron/openai/gpt-4o", messages=USER, **creds)
    assert isinstance(info.value, core.InfronBudgetExceededError)
    assert isinstance(info.value, InfronLiteLLMBudgetExceededError)
    assert run.total.requests == 1  # the request that crossed the budget was recorded


def test_budget_exceeded_in_a_stream(infron_sandbox: Any, creds: dict[str, str]) -> None:
    with core.track_usage(budget=1e-9), pytest.raises(core.InfronBudgetExceededError):
        list(litellm.completion(model="infron/openai/gpt-4o", messages=USER, stream=True, **creds))


@pytest.mark.parametrize(
    "error",
    [
        core.error_from_response(429, {"error": {"message": "slow"}}, {"retry-after": "3"}),
        core.error_from_response(503, {"error": {"message": "down", "code": 503}}),
        core.InfronStreamError("broke", partial_text="par"),
        core.InfronConfigError("bad option"),
        core.InfronBudgetExceededError("over", spent=2.0, budget=1.0),
        core.InfronTimeoutError("slow"),
    ],
)
def test_mapped_errors_pickle_and_pass_litellm_mapping(error: Exception) -> None:
    mapped = to_litellm_error(error, model="m")
    assert isinstance(mapped, type(error))
    again = pickle.loads(pickle.dumps(mapped))
    assert type(again) is type(mapped)
    assert str(again) == str(mapped)
    # LiteLLM's own mapper returns them unchanged instead of re-wrapping them
    again_mapped = litellm.exception_type(
        model="m", original_exception=mapped, custom_llm_provider="infron"
    )
    assert again_mapped is mapped
