"""``ChatInfron.batch_api``: ``batch`` through Infron's Batch API, over HTTP against the sandbox."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from langchain_core.exceptions import ModelAPIError
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_core.tools import tool
from pydantic import BaseModel

from infron_integrations.core import (
    BatchPolling,
    InfronAPIError,
    InfronBudgetExceededError,
    InfronConfigError,
    track_usage,
)
from infron_integrations.langchain import ChatInfron, get_infron_callback
from infron_integrations.sandbox.batches import batch_store

MODEL = "openai/gpt-4o-mini"
FAST = BatchPolling(interval=0.01, max_interval=0.05, timeout=20)


@tool
def get_weather(city: str) -> str:
    """Weather for a city."""
    return "sunny"


class City(BaseModel):
    name: str
    country: str


def chat(sandbox: Any, **kwargs: Any) -> ChatInfron:
    return ChatInfron(model=MODEL, api_key=sandbox.api_key, base_url=sandbox.base_url, **kwargs)


def sent(sandbox: Any) -> list[dict[str, Any]]:
    entry = sandbox.last_request("/v1/batches")
    assert entry is not None and entry.method == "POST"
    return [r["params"] for r in entry.body["requests"]]


@pytest.fixture(autouse=True)
def _frozen_clock(infron_sandbox: Any) -> Any:
    """Sandbox time moves only with ``advance`` (or ``speed``)."""
    batch_store(infron_sandbox.state).speed = 0.0
    yield
    batch_store(infron_sandbox.state).speed = 1.0


@pytest.fixture
def fast(infron_sandbox: Any) -> Any:
    """The sandbox with its batch clock 10^5 times faster than real time."""
    batch_store(infron_sandbox.state).speed = 1e5
    return infron_sandbox


def test_batch_api_returns_what_invoke_returns_at_half_the_cost(fast: Any) -> None:
    llm = chat(fast)
    live = llm.invoke("Why is the sea salty?")
    with track_usage() as run:
        (reply,) = llm.batch_api(["Why is the sea salty?"], polling=FAST)
    assert sent(fast) == [
        {
            "model": MODEL,
            "max_tokens": 4096,
            "messages": [{"role": "user", "content": "Why is the sea salty?"}],
            "usage": {"include": True},
        }
    ]
    assert isinstance(reply, AIMessage)
    assert reply.content == live.content
    assert reply.usage_metadata is not None and live.usage_metadata is not None
    for key in ("input_tokens", "output_tokens", "total_tokens"):  # the Messages API reports no
        assert reply.usage_metadata[key] == live.usage_metadata[key]  # audio/reasoning split
    meta = reply.response_metadata
    assert Decimal(repr(meta["cost"])) == Decimal(repr(live.response_metadata["cost"])) / 2
    assert meta["cost_details"]["discount_rate"] == 0.5
    assert re.fullmatch(r"[0-9a-f]{32}", meta["request_id"])
    assert meta["request_id"] != live.response_metadata["request_id"]
    assert (meta["model_provider"], meta["model_name"], meta["provider"]) == (
        "infron",
        MODEL,
        "openai",
    )
    assert (meta["finish_reason"], meta["native_finish_reason"]) == ("stop", "end_turn")
    assert meta["batch_custom_id"] == "lc-0" and reply.id and reply.id.startswith("lc_run-")
    assert run.records[0].cost == meta["cost"] and run.records[0].framework == "langchain"
    assert run.records[0].kind == "batch"


def test_options_tools_and_structured_output_reach_the_params(fast: Any) -> None:
    llm = chat(fast, provider={"sort": "price"}, max_tokens=200)
    conversation = [SystemMessage("Answer briefly."), HumanMessage("Weather in Paris?")]
    replies = llm.batch_api(
        [conversation, "And Lisbon?"],
        polling=FAST,
        tools=[get_weather],
        tool_choice="get_weather",
        reasoning={"max_tokens": 50},
        stop=["END"],
    )
    first, second = sent(fast)
    assert first["system"] == "Answer briefly."
    assert first["messages"] == [{"role": "user", "content": "Weather in Paris?"}]
    assert first["tools"] == [
        {
            "name": "get_weather",
            "description": "Weather for a city.",
            "input_schema": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        }
    ]
    assert first["tool_choice"] == {"type": "tool", "name": "get_weather"}
    assert first["thinking"] == {"type": "enabled", "budget_tokens": 50}
    assert (first["provider"], first["stop_sequences"], first["max_tokens"]) == (
        {"sort": "price"},
        ["END"],
        200,
    )
    assert "system" not in second
    for reply in replies:
        assert reply.tool_calls and reply.tool_calls[0]["name"] == "get_weather"
        assert reply.additional_kwargs["reasoning_content"]  # thinking, as invoke shows it
        assert reply.additional_kwargs["reasoning_details"][0]["signature"]
    (parsed,) = llm.batch_api(["Name a city."], polling=FAST, response_format=City)
    assert sent(fast)[0]["output_config"]["format"]["type"] == "json_schema"
    assert isinstance(parsed.additional_kwargs["parsed"], City)


def test_answers_stay_in_input_order_and_one_failure_loses_nothing(infron_sandbox: Any) -> None:
    llm = chat(infron_sandbox)
    job = llm.submit_batch_api([f"question {i}" for i in range(5)], polling=FAST)
    assert [r["messages"][0]["content"] for r in sent(infron_sandbox)] == [
        f"question {i}" for i in range(5)
    ]
    store = batch_store(infron_sandbox.state)
    store.advance(3.25)  # two of the five have run
    assert job.cancel().state == "cancelling"
    store.advance(5)
    with pytest.raises(InfronAPIError, match=r"'lc-2' has no answer: the batch was cancelled"):
        job.collect()
    outputs = job.collect(return_exceptions=True)
    assert [type(o).__name__ for o in outputs] == ["AIMessage"] * 2 + ["InfronAPIError"] * 3
    assert outputs[1].content.startswith('You said: "question 1"')
    assert isinstance(outputs[4], ModelAPIError)  # also LangChain's own error type


def test_submit_now_collect_later_from_another_process(fast: Any, tmp_path: Path) -> None:
    batch_store(fast.state).speed = 0.0  # the batch must still be running when "we" stop
    journal = tmp_path / "job.json"
    job = chat(fast).submit_batch_api(["a", "b", "c"], journal=journal)
    assert job.status().state == "validating"
    batch_store(fast.state).advance(60)
    later = chat(fast)  # as a new process would build it
    with track_usage() as run, get_infron_callback() as callback:
        by_journal = later.batch_api_job(journal, polling=FAST).collect()
        by_id = later.batch_api_job(job.id, polling=FAST)
        again = by_id.collect()
        assert by_id.collect() == again  # collected once: reported once
    assert [m.content for m in by_journal] == [m.content for m in again]
    assert [m.response_metadata["batch_custom_id"] for m in again] == ["lc-0", "lc-1", "lc-2"]
    assert run.total.requests == 6 and callback.successful_requests == 6
    assert callback.total_cost == pytest.approx(run.total_cost)
    assert fast.api_key not in journal.read_text()


async def test_async_batch_api(fast: Any) -> None:
    llm = chat(fast)
    with get_infron_callback() as callback:
        replies = await llm.abatch_api(["one", "two"], polling=FAST)
    assert [r.content.split('"')[1] for r in replies] == ["one", "two"]
    assert callback.successful_requests == 2 and callback.total_cost > 0
    job = await llm.asubmit_batch_api(["three"], polling=FAST)
    assert (await job.astatus()).request_counts.total == 1
    (reply,) = await job.acollect()
    assert reply.content.startswith('You said: "three"')


def test_over_budget_after_every_answer_is_recorded(fast: Any) -> None:
    llm = chat(fast)
    job = llm.submit_batch_api(["a", "b", "c"], polling=FAST)
    with track_usage(budget=1e-9) as run, pytest.raises(InfronBudgetExceededError):
        job.collect()
    assert run.total.requests == 3  # all recorded, then the budget error
    assert len(job.collect()) == 3  # and the answers are still there


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"n": 2}, "n > 1"),
        ({"seed": 7}, "seed has no Messages-API equivalent"),
        ({"extra_headers": {"x-a": "1"}}, "apply to a whole batch"),
        ({"reasonning": {"effort": "low"}}, "Did you mean 'reasoning'"),
    ],
)
def test_what_a_batch_cannot_carry_is_refused_before_sending(
    infron_sandbox: Any, kwargs: dict[str, Any], needle: str
) -> None:
    with pytest.raises(InfronConfigError, match=needle):
        chat(infron_sandbox).batch_api(["hi"], polling=FAST, **kwargs)
    assert infron_sandbox.last_request("/v1/batches") is None
