"""LangSmith shows the gateway's cost: ``ChatInfron(cost_in_usage_metadata=True)``.

LangSmith takes a provider's own cost from ``usage_metadata`` (``total_cost``, ``input_cost``,
``output_cost``, ``*_cost_details``). The runs LangChain's ``LangChainTracer`` would send are
captured here with a LangSmith ``Client`` whose HTTP session answers locally, and each carries the
cost the sandbox charged for its request, on every call path. langchain-core cannot add float
usage values (``add_usage`` raises): the same messages go through LangChain's own usage sums
(``get_usage_metadata_callback``, chunk merging) over several calls without an error.
"""

from __future__ import annotations

import asyncio
import json
import operator
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests
from langchain_core.callbacks import get_usage_metadata_callback
from langchain_core.messages import AIMessage
from langchain_core.tracers import LangChainTracer
from langchain_core.utils import usage as core_usage
from langsmith import Client
from requests.adapters import BaseAdapter

from infron_integrations.langchain import _compat

LANGSMITH_URL = "http://127.0.0.1:9"  # never reached: the session's adapter answers
COST_KEYS = {"total_cost", "input_cost", "output_cost", "input_cost_details", "output_cost_details"}


class _LocalLangSmith(BaseAdapter):
    """Answers every LangSmith API request with ``{}`` and keeps what was sent."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str, str, bytes]] = []

    def send(self, request: Any, **kwargs: Any) -> requests.Response:
        body = request.body or b""
        self.sent.append((request.method, request.url, body if isinstance(body, bytes) else b""))
        response = requests.Response()
        response.status_code = 200
        response._content = b"{}"
        response.headers["Content-Type"] = "application/json"
        response.request = request
        response.url = request.url
        return response

    def close(self) -> None:
        return None

    def llm_runs(self) -> list[dict[str, Any]]:
        """The finished chat-model runs (the PATCH that closes each run)."""
        runs = [json.loads(body) for method, _, body in self.sent if method == "PATCH"]
        return [run for run in runs if run.get("run_type") == "llm"]


@pytest.fixture
def langsmith() -> Iterator[tuple[LangChainTracer, _LocalLangSmith]]:
    adapter = _LocalLangSmith()
    session = requests.Session()
    session.mount(f"{LANGSMITH_URL}/", adapter)  # longer than the client's own http:// mount
    client = Client(
        api_url=LANGSMITH_URL, api_key="lsv2-test", session=session, auto_batch_tracing=False
    )
    tracer = LangChainTracer(client=client, project_name="infron-cost")
    yield tracer, adapter
    client.flush()


def _charge(sandbox: Any, request_id: str) -> Decimal:
    return sandbox.state.charges()[request_id]


def _request_id(run: dict[str, Any]) -> str:
    message = run["outputs"]["generations"][0][0]["message"]["kwargs"]
    return str(message["response_metadata"]["request_id"])


def _merge(chunks: list[Any]) -> Any:
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    return full


def _all_paths(llm: Any, config: dict[str, Any]) -> list[AIMessage]:
    async def more() -> list[AIMessage]:
        messages = [await llm.ainvoke("three", config=config)]
        messages.append(_merge([c async for c in llm.astream("four", config=config)]))
        return messages

    messages = [llm.invoke("one", config=config), _merge(list(llm.stream("two", config=config)))]
    messages += asyncio.run(more())
    messages += llm.batch(["five", "six"], config=config)
    return messages


@pytest.mark.parametrize("use_responses_api", [False, True])
def test_langsmith_runs_carry_the_charged_cost(
    chat_model_factory: Any, infron_sandbox: Any, langsmith: Any, use_responses_api: bool
) -> None:
    tracer, local = langsmith
    llm = chat_model_factory(cost_in_usage_metadata=True, use_responses_api=use_responses_api)
    messages = _all_paths(llm, {"callbacks": [tracer]})
    tracer.wait_for_futures()

    runs = local.llm_runs()
    assert len(runs) == len(messages) == 6
    for run in runs:
        charge = _charge(infron_sandbox, _request_id(run))
        # where LangChainTracer puts the run's usage for LangSmith ...
        usage = run["extra"]["metadata"]["usage_metadata"]
        assert Decimal(repr(usage["total_cost"])) == charge
        assert Decimal(repr(usage["input_cost"])) + Decimal(repr(usage["output_cost"])) == charge
        # ... and the message it sends as the run's output
        message = run["outputs"]["generations"][0][0]["message"]["kwargs"]
        assert message["usage_metadata"]["total_cost"] == usage["total_cost"]
        assert isinstance(usage["input_tokens"], int) and usage["input_tokens"] > 0
    assert {_request_id(run) for run in runs} == set(infron_sandbox.state.charges())


def test_stream_cost_is_on_the_one_chunk_with_usage(chat_model_factory: Any) -> None:
    llm = chat_model_factory(cost_in_usage_metadata=True)
    chunks = list(llm.stream("hi"))
    with_usage = [c for c in chunks if c.usage_metadata]
    assert len(with_usage) == 1
    assert with_usage[0].usage_metadata["total_cost"] == with_usage[0].response_metadata["cost"]
    assert _merge(chunks).usage_metadata == with_usage[0].usage_metadata


def test_off_by_default_usage_metadata_has_tokens_only(
    chat_model_factory: Any, langsmith: Any
) -> None:
    tracer, local = langsmith
    message = chat_model_factory().invoke("hi", config={"callbacks": [tracer]})
    tracer.wait_for_futures()
    assert message.usage_metadata is not None
    assert COST_KEYS.isdisjoint(message.usage_metadata)
    (run,) = local.llm_runs()
    assert COST_KEYS.isdisjoint(run["extra"]["metadata"]["usage_metadata"])


def test_langchain_usage_sums_keep_working_over_several_calls(
    chat_model_factory: Any, infron_sandbox: Any
) -> None:
    chat = chat_model_factory(cost_in_usage_metadata=True)
    responses = chat_model_factory(cost_in_usage_metadata=True, use_responses_api=True)
    with get_usage_metadata_callback() as cb:
        messages = _all_paths(chat, {}) + _all_paths(responses, {})
    assert len(messages) == 12

    (total,) = cb.usage_metadata.values()  # one model name
    charged = sum(infron_sandbox.state.charges().values(), Decimal(0))
    assert total["total_cost"] == pytest.approx(float(charged), rel=1e-12)
    assert total["input_tokens"] == sum(m.usage_metadata["input_tokens"] for m in messages)
    assert isinstance(total["input_tokens"], int)
    assert total["input_cost_details"].keys() >= {"cache_read"}


def test_langchain_core_rejects_float_usage_without_the_guard() -> None:
    # recorded fact (langchain-core 1.7.0 and 1.8.3): the combiner add_usage is built on raises
    # for a float, which is why the guard exists
    usage = {"input_tokens": 1, "output_tokens": 1, "total_tokens": 2, "total_cost": 0.25}
    with pytest.raises(ValueError, match="Only dict and int values"):
        core_usage._dict_int_op(usage, usage, operator.add)


@pytest.mark.parametrize(
    "op", [operator.add, lambda left, right: max(left - right, 0)], ids=["add", "subtract"]
)
def test_the_guard_combines_ints_exactly_as_langchain_core(op: Any) -> None:
    left = {"input_tokens": 5, "output_tokens": 7, "input_token_details": {"cache_read": 3}}
    right = {"input_tokens": 2, "total_tokens": 9, "output_token_details": {"reasoning": 4}}
    assert _compat._number_dict_op(left, right, op) == core_usage._dict_int_op(left, right, op)
    with pytest.raises(ValueError, match="Unknown value types"):
        _compat._number_dict_op({"a": "x"}, {"a": 1}, op)
    floats = _compat._number_dict_op(
        {"total_cost": 0.5, "input_cost_details": {"cache_read": 0.25}},
        {"total_cost": 0.25, "input_cost_details": {"cache_read": 0.25}},
        op,
    )
    assert floats == {
        "total_cost": op(0.5, 0.25),
        "input_cost_details": {"cache_read": op(0.25, 0.25)},
    }
