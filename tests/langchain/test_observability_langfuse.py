"""Langfuse records the gateway's cost: ``InfronLangfuseHandler``.

Langfuse's own LangChain handler sends token usage only and Langfuse prices it from its table.
The real ``langfuse`` client exports through OpenTelemetry; here its exporter is an in-memory one,
so the generation spans Langfuse would send are read back and carry ``cost_details`` equal to the
sandbox's charge, on every call path, with ``usage_details`` still token counts.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

pytest.importorskip("langfuse")

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langfuse import Langfuse
from langfuse.langchain import CallbackHandler
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from infron_integrations.langchain import _compat
from infron_integrations.langchain.langfuse import InfronLangfuseHandler

PUBLIC_KEY = "pk-lf-infron-test"
COST = "langfuse.observation.cost_details"
USAGE = "langfuse.observation.usage_details"


@pytest.fixture(scope="module")
def langfuse_export() -> Iterator[tuple[Langfuse, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    client = Langfuse(
        public_key=PUBLIC_KEY,
        secret_key="sk-lf-infron-test",
        base_url="http://127.0.0.1:9",  # never reached: spans go to the exporter above
        span_exporter=exporter,
    )
    yield client, exporter
    client.shutdown()


@pytest.fixture
def generations(langfuse_export: Any) -> Any:
    client, exporter = langfuse_export
    exporter.clear()

    def read() -> list[dict[str, Any]]:
        client.flush()
        spans = [dict(s.attributes or {}) for s in exporter.get_finished_spans()]
        return [a for a in spans if a.get("langfuse.observation.type") == "generation"]

    return read


def _merge(chunks: list[Any]) -> Any:
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    return full


def _every_path(llm: Any, config: dict[str, Any]) -> int:
    async def more() -> None:
        await llm.ainvoke("three", config=config)
        _merge([c async for c in llm.astream("four", config=config)])

    llm.invoke("one", config=config)
    _merge(list(llm.stream("two", config=config)))
    asyncio.run(more())
    llm.batch(["five", "six"], config=config)
    return 6


@pytest.mark.parametrize("cost_in_usage_metadata", [False, True])
@pytest.mark.parametrize("use_responses_api", [False, True])
def test_generations_carry_the_charged_cost(
    chat_model_factory: Any,
    infron_sandbox: Any,
    generations: Any,
    use_responses_api: bool,
    cost_in_usage_metadata: bool,
) -> None:
    llm = chat_model_factory(
        use_responses_api=use_responses_api, cost_in_usage_metadata=cost_in_usage_metadata
    )
    calls = _every_path(llm, {"callbacks": [InfronLangfuseHandler(public_key=PUBLIC_KEY)]})

    found = generations()
    assert len(found) == calls
    costs = sorted(Decimal(repr(json.loads(g[COST])["total"])) for g in found)
    assert costs == sorted(infron_sandbox.state.charges().values())
    for generation in found:
        cost = json.loads(generation[COST])
        assert Decimal(repr(cost["input"])) + Decimal(repr(cost["output"])) == Decimal(
            repr(cost["total"])
        )
        usage = json.loads(generation[USAGE])
        assert usage["input"] >= 0 and usage["output"] > 0
        # token counts only: the LangSmith cost keys never reach usage_details
        assert all(isinstance(value, int) for value in usage.values()), usage


def test_langfuse_alone_sends_tokens_only(chat_model_factory: Any, generations: Any) -> None:
    # the control: Langfuse's own handler, same model, no cost recorded (Langfuse would estimate)
    chat_model_factory().invoke(
        "hi", config={"callbacks": [CallbackHandler(public_key=PUBLIC_KEY)]}
    )
    (generation,) = generations()
    assert COST not in generation
    assert json.loads(generation[USAGE])["output"] > 0


def test_other_providers_are_left_as_langfuse_sends_them(generations: Any) -> None:
    other = GenericFakeChatModel(messages=iter([AIMessage(content="hello")]))
    other.invoke("hi", config={"callbacks": [InfronLangfuseHandler(public_key=PUBLIC_KEY)]})
    (generation,) = generations()
    assert COST not in generation


def test_the_handler_reads_langfuses_open_observations() -> None:
    # the one private name this handler relies on (langfuse 5.2.0), checked on the installed one
    handler = CallbackHandler(public_key=PUBLIC_KEY)
    assert isinstance(vars(handler)[_compat._LANGFUSE_RUNS], dict)
    assert _compat.langfuse_observation(handler, "no-such-run") is None
