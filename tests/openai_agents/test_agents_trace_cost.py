"""The gateway's cost on the Agents SDK's generation and response spans, and in raw usage.

What a tracing tool gets is what a ``TracingProcessor`` sees when a span ends: ``span.export()``
(the dict every exporter sends) and ``span.span_data.usage``. Both carry the gateway's ``cost``
and ``cost_details`` next to the tokens, equal to what the sandbox charged, on the four model
paths (chat completions / Responses API, streamed or not). The SDK's own OpenAI exporter moves
the extra keys under ``usage.details``; that step is checked too.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from agents import (
    Agent,
    ModelSettings,
    set_trace_processors,
    set_tracing_disabled,
)
from agents.tracing import Span, Trace, TracingProcessor
from agents.tracing.processors import default_exporter, default_processor
from agents_runs import run_agent

from infron_integrations.openai_agents import InfronProvider, run_cost

PATHS = [
    ("chat_completions", False),
    ("chat_completions", True),
    ("responses", False),
    ("responses", True),
]


class _Collector(TracingProcessor):
    """A custom processor, as an application writes one: keeps what each span exports."""

    def __init__(self) -> None:
        self.exports: list[dict[str, Any]] = []
        self.usages: list[Any] = []

    def on_trace_start(self, trace: Trace) -> None:
        return None

    def on_trace_end(self, trace: Trace) -> None:
        return None

    def on_span_start(self, span: Span[Any]) -> None:
        return None

    def on_span_end(self, span: Span[Any]) -> None:
        exported = span.export()
        if exported and exported["span_data"]["type"] in ("generation", "response"):
            self.exports.append(exported)
            self.usages.append(span.span_data.usage)

    def shutdown(self) -> None:
        return None

    def force_flush(self) -> None:
        return None


@pytest.fixture
def collector() -> Iterator[_Collector]:
    found = _Collector()
    set_tracing_disabled(False)
    set_trace_processors([found])
    try:
        yield found
    finally:
        set_trace_processors([default_processor()])
        set_tracing_disabled(True)


async def _run(provider: InfronProvider, streamed: bool, settings: ModelSettings) -> Any:
    agent = Agent(name="a", model="openai/gpt-4o")
    return await run_agent(agent, provider, streamed=streamed, model_settings=settings)


def _charges(sandbox: Any) -> list[Decimal]:
    return list(sandbox.state.charges().values())


@pytest.mark.parametrize(("api", "streamed"), PATHS)
async def test_model_spans_carry_the_charged_cost(
    make_provider: Any, sandbox: Any, collector: _Collector, api: str, streamed: bool
) -> None:
    result = await _run(make_provider(api=api), streamed, ModelSettings())

    (exported,) = collector.exports
    assert exported["span_data"]["type"] == (
        "generation" if api == "chat_completions" else "response"
    )
    usage = exported["span_data"]["usage"]
    (charge,) = _charges(sandbox)
    assert Decimal(repr(usage["cost"])) == charge
    assert set(usage["cost_details"]) >= {"prompt_cost", "completion_cost"}
    # the SDK's token counts are all still there, and the span data is the same object
    assert usage["input_tokens"] == result.raw_responses[0].usage.input_tokens
    assert usage["output_tokens"] == result.raw_responses[0].usage.output_tokens
    assert collector.usages == [usage]
    assert Decimal(repr(run_cost(result).total_cost)) == charge


@pytest.mark.parametrize("api", ["chat_completions", "responses"])
async def test_each_turn_has_its_own_cost(
    make_provider: Any, sandbox: Any, collector: _Collector, api: str
) -> None:
    provider = make_provider(api=api)
    for _ in range(3):
        await _run(provider, False, ModelSettings())
    costs = [Decimal(repr(e["span_data"]["usage"]["cost"])) for e in collector.exports]
    assert costs == _charges(sandbox)
    assert len(costs) == 3


async def test_openai_exporter_sends_the_cost_under_usage_details(
    make_provider: Any, sandbox: Any, collector: _Collector
) -> None:
    await _run(make_provider(), False, ModelSettings())
    (exported,) = collector.exports
    # the payload the SDK's own exporter builds for OpenAI's trace ingest (no request is sent)
    sanitize = default_exporter()._sanitize_for_openai_tracing_api
    usage = sanitize(exported)["span_data"]["usage"]
    (charge,) = _charges(sandbox)
    assert Decimal(repr(usage["details"]["cost"])) == charge
    assert {"input_tokens", "output_tokens"} <= set(usage)


async def test_without_a_trace_the_spans_are_untouched(make_provider: Any, sandbox: Any) -> None:
    # tracing disabled (the suite's default): the run works and still reports its cost
    result = await _run(make_provider(), False, ModelSettings())
    assert Decimal(repr(run_cost(result).total_cost)) == _charges(sandbox)[0]


@pytest.mark.parametrize(("api", "streamed"), PATHS)
async def test_preserved_raw_usage_carries_the_cost_on_every_path(
    make_provider: Any, sandbox: Any, api: str, streamed: bool
) -> None:
    result = await _run(make_provider(api=api), streamed, ModelSettings(preserve_raw_usage=True))
    (response,) = result.raw_responses
    assert response.raw_usage is not None
    (charge,) = _charges(sandbox)
    assert Decimal(repr(response.raw_usage["cost"])) == charge
    assert set(response.raw_usage["cost_details"]) >= {"prompt_cost", "completion_cost"}
