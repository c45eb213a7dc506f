"""Gateway errors become the core's typed exceptions, still visible to the SDK's retry logic."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from agents import Agent, ModelSettings
from agents.retry import ModelRetryAdviceRequest
from agents_runs import run_agent

from infron_integrations.core.errors import (
    InfronAPIError,
    InfronAuthenticationError,
    InfronBadGatewayError,
    InfronBudgetExceededError,
    InfronConnectionError,
    InfronInsufficientCreditsError,
    InfronRateLimitError,
    InfronStreamError,
)
from infron_integrations.core.usage import track_usage
from infron_integrations.openai_agents import InfronProvider, run_cost
from infron_integrations.sandbox.faults import FAULT_KEY_HEADER


def faulty(kind: str, **settings: Any) -> Agent[Any]:
    return Agent(
        name="f",
        model="openai/gpt-4o",
        model_settings=ModelSettings(extra_headers={"x-infron-sandbox-fault": kind}, **settings),
    )


async def run(agent: Agent[Any], provider: InfronProvider, streamed: bool) -> Any:
    return await run_agent(agent, provider, streamed=streamed)


@pytest.mark.parametrize("streamed", [False, True])
async def test_rate_limit_is_typed_and_retry_advice_still_works(
    provider: InfronProvider, streamed: bool
) -> None:
    with pytest.raises(InfronRateLimitError) as info:
        await run(faulty("429"), provider, streamed)
    error = info.value
    assert error.status_code == 429
    assert error.retry_after == 1.0
    assert error.request_id
    # the OpenAI SDK's error is the cause, so the Agents SDK's retry advice reads it as usual
    assert isinstance(error.__cause__, openai.RateLimitError)
    model = provider.get_model("openai/gpt-4o")
    advice = model.get_retry_advice(
        ModelRetryAdviceRequest(error=error, attempt=1, stream=streamed)
    )
    assert advice is not None and advice.suggested is True
    assert advice.retry_after == 1.0


@pytest.mark.parametrize(
    ("kind", "error_type"),
    [
        ("401", InfronAuthenticationError),
        ("402", InfronInsufficientCreditsError),
        ("502", InfronBadGatewayError),
    ],
)
async def test_statuses_map_to_typed_errors(
    provider: InfronProvider, kind: str, error_type: type[InfronAPIError]
) -> None:
    with pytest.raises(error_type, match=f"Infron {kind}"):
        await run(faulty(kind), provider, False)


async def test_error_inside_a_200_body_raises(provider: InfronProvider) -> None:
    with pytest.raises(InfronAPIError) as info:
        await run(faulty("error-in-200"), provider, False)
    assert info.value.in_band


async def test_error_inside_a_stream_raises(provider: InfronProvider) -> None:
    with pytest.raises(InfronAPIError) as info:
        await run(faulty("error-in-stream"), provider, True)
    assert info.value.in_band


async def test_dropped_stream_raises(provider: InfronProvider) -> None:
    with pytest.raises((InfronConnectionError, InfronStreamError)):
        await run(faulty("drop-mid-stream"), provider, True)


async def test_malformed_stream_raises(provider: InfronProvider) -> None:
    with pytest.raises(InfronStreamError, match="Malformed"):
        await run(faulty("malformed-sse"), provider, True)


async def test_stream_without_finish_raises(provider: InfronProvider, sandbox: Any) -> None:
    chunk = {
        "id": "gen-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "openai/gpt-4o",
        "choices": [{"index": 0, "delta": {"role": "assistant", "content": "partial"}}],
    }
    sandbox.script([chunk])
    with pytest.raises(InfronStreamError, match="no finish_reason"):
        await run(Agent(name="a", model="openai/gpt-4o"), provider, True)


async def test_sdk_retry_settings_retry_a_transient_failure(provider: InfronProvider) -> None:
    from agents.retry import ModelRetrySettings, retry_policies

    agent = faulty(
        "fail-once:503",
        retry=ModelRetrySettings(max_retries=1, policy=retry_policies.provider_suggested()),
    )
    result = await run(agent, provider, False)
    assert result.final_output.startswith('You said: "hi"')
    # one failed attempt, one success; only the success has a cost
    assert run_cost(result).requests == 1


@pytest.mark.parametrize("streamed", [False, True])
async def test_sdk_no_retry_budget_also_stops_the_openai_clients_retries(
    make_provider: Any, bodies: Any, streamed: bool
) -> None:
    # max_retries=0 tells the SDK to switch hidden provider retries off: the OpenAI client the
    # model sends through must then try once, although the provider allows it two retries
    from agents.retry import ModelRetrySettings

    def agent(fault_key: str, **settings: Any) -> Agent[Any]:
        headers = {"x-infron-sandbox-fault": "fail-once:503", FAULT_KEY_HEADER: fault_key}
        return Agent(
            name="f",
            model="openai/gpt-4o",
            model_settings=ModelSettings(extra_headers=headers, **settings),
        )

    provider = make_provider(max_retries=2)
    with pytest.raises(openai.InternalServerError) as info:
        await run(agent("no-retry", retry=ModelRetrySettings(max_retries=0)), provider, streamed)
    assert isinstance(info.value, InfronAPIError) and info.value.status_code == 503
    assert len(bodies()) == 1
    # without the SDK's switch the same provider retries, and the second attempt succeeds
    result = await run(agent("retried"), provider, streamed)
    assert result.final_output.startswith('You said: "hi"')
    assert len(bodies()) == 3


@pytest.mark.parametrize("streamed", [False, True])
async def test_budget_error_propagates_after_the_request(
    provider: InfronProvider, streamed: bool
) -> None:
    with track_usage(budget=1e-9) as tracker, pytest.raises(InfronBudgetExceededError):
        await run(Agent(name="a", model="openai/gpt-4o"), provider, streamed)
    assert tracker.total.requests == 1
    assert tracker.total_cost > 0
