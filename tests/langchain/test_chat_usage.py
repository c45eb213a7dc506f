"""Cost across a run: ``get_infron_callback()`` and the core tracker, over every call path.

Docs: Billing Tracking. Totals are the sum of the gateway's own ``cost`` figures (exact
decimals), per model, over invoke/stream/batch, sync and async, threads and tasks.
"""

from __future__ import annotations

import asyncio
import contextvars
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

from langchain_core.messages import AIMessage

from infron_integrations.core import track_usage
from infron_integrations.langchain import InfronCallbackHandler, get_infron_callback


def _cost(message: AIMessage) -> Decimal:
    return Decimal(repr(message.response_metadata["cost"]))


def _merge(chunks: list[Any]) -> Any:
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    return full


async def _async_calls(llm: Any) -> list[AIMessage]:
    results = [await llm.ainvoke("async one")]
    results.append(_merge([c async for c in llm.astream("async two")]))
    results += await llm.abatch(["async three", "async four"])
    results += await asyncio.gather(llm.ainvoke("task five"), llm.ainvoke("task six"))
    return results


def test_every_call_path_is_counted_once_per_model(chat_model_factory: Any) -> None:
    mini = chat_model_factory(model="openai/gpt-4o-mini")
    sonnet = chat_model_factory(model="anthropic/claude-sonnet-4.5", reasoning={"effort": "low"})
    with track_usage() as run, get_infron_callback() as cb:
        messages = [mini.invoke("one"), _merge(list(mini.stream("two")))]
        messages += mini.batch(["three", "four", "five"])
        messages += asyncio.run(_async_calls(sonnet))
    assert len(messages) == 11

    expected = sum((_cost(m) for m in messages), Decimal(0))
    assert Decimal(str(cb.total_cost)) == expected
    assert Decimal(str(run.total_cost)) == expected
    assert cb.successful_requests == run.total.requests == 11
    assert set(cb.by_model) == {"openai/gpt-4o-mini", "anthropic/claude-sonnet-4.5"}
    assert cb.by_model["openai/gpt-4o-mini"].requests == 5
    assert cb.by_model["anthropic/claude-sonnet-4.5"].requests == 6
    assert cb.total_tokens == sum(m.usage_metadata["total_tokens"] for m in messages)
    assert cb.reasoning_tokens == run.total.reasoning_tokens > 0
    assert {r.framework for r in run.records} == {"langchain"}
    assert {r.request_id for r in run.records} == {
        m.response_metadata["request_id"] for m in messages
    }
    assert "Total Cost (USD)" in repr(cb)


def test_threads_that_copy_the_context_are_counted(chat_model_factory: Any) -> None:
    llm = chat_model_factory()
    with get_infron_callback() as cb, track_usage() as run, ThreadPoolExecutor(3) as pool:
        futures = [
            pool.submit(contextvars.copy_context().run, llm.invoke, f"thread {i}") for i in range(3)
        ]
        results = [f.result() for f in futures]
    assert cb.successful_requests == run.total.requests == 3
    assert Decimal(str(cb.total_cost)) == sum((_cost(m) for m in results), Decimal(0))


def test_nested_blocks_and_an_explicit_handler(chat_model_factory: Any) -> None:
    llm = chat_model_factory()
    explicit = InfronCallbackHandler()
    with get_infron_callback() as outer:
        llm.invoke("outer")
        with get_infron_callback() as inner:
            llm.invoke("inner", config={"callbacks": [explicit]})
    llm.invoke("after the blocks")  # counted by nobody
    assert inner.successful_requests == 1
    assert outer.successful_requests == 2
    assert explicit.successful_requests == 1
    assert explicit.total_cost == inner.total_cost


def test_a_stream_without_usage_is_counted_with_unknown_cost(chat_model_factory: Any) -> None:
    # usage accounting alone already brings a usage chunk (docs: Billing Tracking, streaming)
    llm = chat_model_factory(usage_accounting=False, stream_usage=False)
    with track_usage() as run, get_infron_callback() as cb:
        list(llm.stream("no usage please"))
    assert run.total.requests == 1
    assert run.total.unknown_cost_requests == 1
    assert cb.unknown_cost_requests == 1 and cb.total_cost == 0


def test_other_providers_are_ignored_by_the_handler() -> None:
    from langchain_core.outputs import ChatGeneration, LLMResult

    handler = InfronCallbackHandler()
    foreign = AIMessage("x", response_metadata={"model_provider": "openai", "cost": 1.0})
    handler.on_llm_end(LLMResult(generations=[[ChatGeneration(message=foreign)]]))
    assert handler.successful_requests == 0


def test_the_responses_route_is_counted_with_its_cost(
    infron_sandbox: Any, chat_model_factory: Any
) -> None:
    llm = chat_model_factory(use_responses_api=True)

    async def astreamed() -> Any:
        return _merge([chunk async for chunk in llm.astream("astreamed via responses")])

    with track_usage() as run, get_infron_callback() as cb:
        message = llm.invoke("via responses")
        streamed = _merge(list(llm.stream("streamed via responses")))
        astream_message = asyncio.run(astreamed())
    assert infron_sandbox.last_request().path == "/v1/responses"
    assert message.response_metadata["cost"] > 0
    assert message.response_metadata["request_id"]
    # the streams' cost comes from their final response.completed event
    for chunked in (streamed, astream_message):
        assert chunked.response_metadata["cost"] > 0
        assert chunked.response_metadata["request_id"]
        assert chunked.usage_metadata["total_tokens"] > 0
    costs = [_cost(m) for m in (message, streamed, astream_message)]
    assert run.total.requests == cb.successful_requests == 3
    assert run.total.unknown_cost_requests == cb.unknown_cost_requests == 0
    assert Decimal(str(run.total_cost)) == sum(costs)
    assert [r.status for r in infron_sandbox.requests] == [200, 200, 200]


def test_stream_usage_false_keeps_usage_off_the_chunks(
    infron_sandbox: Any, chat_model_factory: Any
) -> None:
    """``stream_usage=False``: no ``stream_options`` and no chunk with ``usage_metadata``.

    The gateway still sends a usage chunk while usage accounting asks for cost (docs: Billing
    Tracking, streaming); it is counted for cost and not shown.
    """
    with track_usage() as run:
        chunks = list(chat_model_factory().stream("hi", stream_usage=False))
        field_off = list(chat_model_factory(stream_usage=False).stream("hi"))
    body = infron_sandbox.last_request("/v1/chat/completions").body
    assert "stream_options" not in body and body["usage"] == {"include": True}
    for stream in (chunks, field_off):
        assert [c for c in stream if c.usage_metadata] == []
        assert all("token_usage" not in c.response_metadata for c in stream)
        assert _merge(stream).response_metadata["cost"] > 0  # the cost still arrives
    assert run.total.requests == 2 and run.total.input_tokens > 0
    assert run.total.unknown_cost_requests == 0
    # the default still carries exactly one usage chunk
    default = list(chat_model_factory().stream("hi"))
    assert sum(1 for c in default if c.usage_metadata) == 1


async def test_stream_usage_false_on_the_responses_route(
    infron_sandbox: Any, chat_model_factory: Any
) -> None:
    llm = chat_model_factory(use_responses_api=True)
    with track_usage() as run:
        chunks = [c async for c in llm.astream("hi", stream_usage=False)]
        synced = list(llm.stream("hi", stream_usage=False))
    assert infron_sandbox.last_request().path == "/v1/responses"
    assert [c for c in chunks + synced if c.usage_metadata] == []
    assert run.total.requests == 2 and run.total.input_tokens > 0
    assert sum(1 for c in llm.stream("hi") if c.usage_metadata) == 1
