"""InfronEmbeddings against the sandbox over loopback HTTP: the wire body, what LangChain users get,
the usage records, errors and bad input. No mocks of our own client."""

from __future__ import annotations

import asyncio
import base64
import math
import struct
from typing import Any

import httpx
import pytest
from langchain_core.exceptions import (
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelInvalidRequestError,
    ModelRateLimitError,
)

from infron_integrations.core import (
    InfronAPIError,
    InfronAuthenticationError,
    InfronBadRequestError,
    InfronBudgetExceededError,
    InfronConfigError,
    InfronRateLimitError,
    InfronServiceUnavailableError,
    track_usage,
)
from infron_integrations.langchain import InfronEmbeddings

MODEL = "qwen/qwen3-embedding-0.6b"
FAULT = "x-infron-sandbox-fault"
PATH = "/v1/embeddings"


def _emb(sandbox: Any, **fields: Any) -> InfronEmbeddings:
    fields.setdefault("model", MODEL)
    return InfronEmbeddings(api_key=sandbox.api_key, base_url=sandbox.base_url, **fields)


def _calls(sandbox: Any) -> list[Any]:
    return [r for r in sandbox.requests if r.path.endswith(PATH)]


def _raw(sandbox: Any, body: dict[str, Any]) -> dict[str, Any]:
    """What the sandbox answers to a body, asked without our code (to compare against)."""
    response = httpx.post(
        f"{sandbox.base_url}/embeddings",
        json=body,
        headers={"Authorization": f"Bearer {sandbox.api_key}"},
    )
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


def _cos(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


@pytest.fixture(autouse=True)
def _fresh(infron_sandbox: Any) -> None:
    infron_sandbox.reset()


# --- the wire and the result ---------------------------------------------------------------------


def test_embed_documents_wire_body_and_floats(infron_sandbox: Any) -> None:
    emb = _emb(infron_sandbox)
    vectors = emb.embed_documents(["cats are pets", "dogs are pets", "stock markets fell"])

    assert _calls(infron_sandbox)[-1].body == {
        "model": MODEL,
        "input": ["cats are pets", "dogs are pets", "stock markets fell"],
        "encoding_format": "base64",
    }
    assert len(vectors) == 3
    assert all(type(x) is float for v in vectors for x in v)
    assert {len(v) for v in vectors} == {len(vectors[0])}
    # texts sharing words are closer than unrelated ones: vectors are in input order
    assert _cos(vectors[0], vectors[1]) > _cos(vectors[0], vectors[2])
    # the decoded base64 equals the float answer of the same request (float32 precision)
    floats = _raw(infron_sandbox, {"model": MODEL, "input": ["cats are pets"]})["data"][0]
    assert vectors[0] == pytest.approx(floats["embedding"], abs=1e-6)


def test_float_format_and_dimensions_are_sent_and_honoured(infron_sandbox: Any) -> None:
    emb = _emb(infron_sandbox, encoding_format="float", dimensions=64)
    vector = emb.embed_query("hello world")
    assert _calls(infron_sandbox)[-1].body == {
        "model": MODEL,
        "input": ["hello world"],
        "encoding_format": "float",
        "dimensions": 64,
    }
    assert len(vector) == 64 and all(type(x) is float for x in vector)


def test_query_equals_document_embedding(infron_sandbox: Any) -> None:
    emb = _emb(infron_sandbox)
    assert emb.embed_query("same text") == emb.embed_documents(["same text"])[0]


def test_chunking_keeps_order_and_sends_one_request_per_chunk(infron_sandbox: Any) -> None:
    texts = [f"text number {i}" for i in range(7)]
    whole = _emb(infron_sandbox).embed_documents(texts)
    infron_sandbox.reset()

    chunked = _emb(infron_sandbox, chunk_size=3).embed_documents(texts)
    inputs = [r.body["input"] for r in _calls(infron_sandbox)]
    assert inputs == [texts[0:3], texts[3:6], texts[6:7]]
    assert chunked == whole


async def test_async_chunks_run_concurrently_and_keep_order(infron_sandbox: Any) -> None:
    texts = [f"async text {i}" for i in range(10)]
    expected = _emb(infron_sandbox).embed_documents(texts)
    infron_sandbox.reset()

    emb = _emb(infron_sandbox, chunk_size=2, max_concurrency=3)
    with track_usage() as run:
        got = await emb.aembed_documents(texts)
    assert got == expected
    assert sorted(tuple(r.body["input"]) for r in _calls(infron_sandbox)) == sorted(
        tuple(texts[i : i + 2]) for i in range(0, 10, 2)
    )
    assert run.total.requests == 5
    assert await emb.aembed_query("async text 3") == expected[3]


def test_empty_input_sends_nothing(infron_sandbox: Any) -> None:
    with track_usage() as run:
        assert _emb(infron_sandbox).embed_documents([]) == []
    assert _calls(infron_sandbox) == []
    assert run.records == []


async def test_async_empty_input_sends_nothing(infron_sandbox: Any) -> None:
    assert await _emb(infron_sandbox).aembed_documents([]) == []
    assert _calls(infron_sandbox) == []


def test_routing_and_model_kwargs_reach_the_body(infron_sandbox: Any) -> None:
    emb = _emb(
        infron_sandbox,
        provider={"order": ["deepinfra"], "allow_fallbacks": False},
        model_kwargs={"user": "user-42"},
    )
    with track_usage() as run:
        emb.embed_query("route me")
    body = _calls(infron_sandbox)[-1].body
    assert body["provider"] == {"order": ["deepinfra"], "allow_fallbacks": False}
    assert body["user"] == "user-42"
    assert run.records[0].provider == "deepinfra"


def test_user_agent_and_no_key_in_repr(infron_sandbox: Any) -> None:
    emb = _emb(infron_sandbox)
    emb.embed_query("x")
    assert _calls(infron_sandbox)[-1].headers["user-agent"].startswith("infron-integrations/")
    assert infron_sandbox.api_key not in repr(emb)
    assert infron_sandbox.api_key not in str(emb.settings)


# --- usage and cost -------------------------------------------------------------------------------


def test_usage_recorded_per_request_without_inventing_cost(infron_sandbox: Any) -> None:
    texts = ["alpha beta", "gamma delta epsilon", "zeta"]
    reported = _raw(infron_sandbox, {"model": MODEL, "input": texts[:2]})["usage"]
    reported_last = _raw(infron_sandbox, {"model": MODEL, "input": texts[2:]})["usage"]

    with track_usage() as run:
        _emb(infron_sandbox, chunk_size=2).embed_documents(texts)

    assert [r.kind for r in run.records] == ["embeddings", "embeddings"]
    assert {r.framework for r in run.records} == {"langchain"}
    assert [r.input_tokens for r in run.records] == [
        reported["prompt_tokens"],
        reported_last["prompt_tokens"],
    ]
    assert run.total.input_tokens == reported["prompt_tokens"] + reported_last["prompt_tokens"]
    # the docs' embeddings response has no cost: it stays unknown, never a made-up price
    assert "cost" not in reported
    assert [r.cost for r in run.records] == [None, None]
    assert run.total.unknown_cost_requests == 2
    assert run.total_cost == 0.0
    assert run.by_model[MODEL].requests == 2


def test_usage_accounting_asks_for_it_and_records_the_gateway_figure(infron_sandbox: Any) -> None:
    body = {"model": MODEL, "input": ["what does it cost"], "usage": {"include": True}}
    reported = _raw(infron_sandbox, body)
    assert reported.get("cost") is not None or reported["usage"].get("cost") is not None
    reported_cost = reported.get("cost", reported["usage"].get("cost"))

    with track_usage() as run:
        _emb(infron_sandbox, usage_accounting=True, encoding_format="float").embed_query(
            "what does it cost"
        )
    assert _calls(infron_sandbox)[-1].body["usage"] == {"include": True}
    assert run.records[0].cost == reported_cost
    assert run.total.unknown_cost_requests == 0


def test_cost_in_a_response_is_recorded_exactly(infron_sandbox: Any) -> None:
    infron_sandbox.script(
        {
            "object": "list",
            "model": MODEL,
            "data": [{"object": "embedding", "index": 0, "embedding": [0.5, 0.25]}],
            "usage": {"prompt_tokens": 7, "total_tokens": 7},
            "cost": 0.0000123,
            "provider": "qwen",
            "request_id": "req-emb-1",
        },
        path=PATH,
    )
    with track_usage() as run:
        assert _emb(infron_sandbox).embed_query("scripted") == [0.5, 0.25]
    record = run.records[0]
    assert (record.cost, record.input_tokens, record.provider, record.request_id) == (
        0.0000123,
        7,
        "qwen",
        "req-emb-1",
    )


def test_budget_exceeded_propagates_after_the_request(infron_sandbox: Any) -> None:
    infron_sandbox.script(
        {
            "model": MODEL,
            "data": [{"index": 0, "embedding": [1.0]}],
            "usage": {"prompt_tokens": 1, "total_tokens": 1},
            "cost": 0.5,
        },
        path=PATH,
    )
    with track_usage(budget=0.1) as run, pytest.raises(InfronBudgetExceededError):
        _emb(infron_sandbox).embed_query("expensive")
    assert run.total_cost == 0.5


# --- answers that cannot be trusted ---------------------------------------------------------------


def test_integer_components_become_floats(infron_sandbox: Any) -> None:
    infron_sandbox.script(
        {"model": MODEL, "data": [{"index": 0, "embedding": [0, 1, 0.5]}], "usage": {}},
        path=PATH,
    )
    vector = _emb(infron_sandbox, encoding_format="float").embed_query("ints")
    assert vector == [0.0, 1.0, 0.5] and all(type(x) is float for x in vector)


def test_base64_requested_but_floats_answered_is_fine(infron_sandbox: Any) -> None:
    packed = base64.b64encode(struct.pack("<2f", 0.5, -2.0)).decode()
    infron_sandbox.script(
        {
            "model": MODEL,
            "data": [{"index": 1, "embedding": [0.25]}, {"index": 0, "embedding": packed}],
            "usage": {},
        },
        path=PATH,
    )
    # out-of-order data is put back in input order by `index`
    assert _emb(infron_sandbox).embed_documents(["a", "b"]) == [[0.5, -2.0], [0.25]]


def test_missing_vectors_raise_instead_of_misaligning(infron_sandbox: Any) -> None:
    infron_sandbox.script(
        {"model": MODEL, "data": [{"index": 0, "embedding": [1.0]}], "usage": {}}, path=PATH
    )
    with pytest.raises(InfronAPIError, match="1 embeddings for 2 inputs"):
        _emb(infron_sandbox).embed_documents(["a", "b"])


def test_dimensions_ignored_by_the_model_raises(infron_sandbox: Any) -> None:
    infron_sandbox.script(
        {"model": MODEL, "data": [{"index": 0, "embedding": [1.0, 0.0, 0.0]}], "usage": {}},
        path=PATH,
    )
    with pytest.raises(InfronAPIError, match="3-dimensional vectors, not the 8"):
        _emb(infron_sandbox, dimensions=8).embed_query("x")


# --- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "error", "langchain_error"),
    [
        ("401", InfronAuthenticationError, ModelAuthenticationError),
        ("400", InfronBadRequestError, ModelInvalidRequestError),
        ("429", InfronRateLimitError, ModelRateLimitError),
        ("503", InfronServiceUnavailableError, ModelAPIError),
    ],
)
def test_http_errors_are_typed(
    infron_sandbox: Any, fault: str, error: type[Exception], langchain_error: type[Exception]
) -> None:
    emb = _emb(infron_sandbox, max_retries=0, default_headers={FAULT: fault})
    with track_usage() as run, pytest.raises(error) as info:
        emb.embed_query("x")
    # the core's class and the one LangChain users catch across providers, at once
    assert isinstance(info.value, langchain_error)
    assert info.value.status_code == int(fault)  # type: ignore[attr-defined]
    assert info.value.request_id  # type: ignore[attr-defined]
    assert infron_sandbox.api_key not in str(info.value)
    assert run.records == []


async def test_async_http_error_is_typed(infron_sandbox: Any) -> None:
    emb = _emb(infron_sandbox, max_retries=0, default_headers={FAULT: "402"})
    with pytest.raises(InfronAPIError) as info:
        await emb.aembed_documents(["x", "y"])
    assert info.value.status_code == 402


def test_transient_failure_is_retried_by_the_sdk(infron_sandbox: Any) -> None:
    emb = _emb(infron_sandbox, max_retries=2, default_headers={FAULT: "fail-once:503"})
    with track_usage() as run:
        vector = emb.embed_query("retry me")
    assert len(vector) > 0
    assert [r.status for r in _calls(infron_sandbox)] == [503, 200]
    assert run.total.requests == 1  # one completed request, one record


def test_error_inside_a_200_raises(infron_sandbox: Any) -> None:
    emb = _emb(infron_sandbox, default_headers={FAULT: "error-in-200"})
    with pytest.raises(InfronAPIError) as info:
        emb.embed_query("x")
    assert info.value.in_band


async def test_first_failing_chunk_fails_the_whole_async_call(infron_sandbox: Any) -> None:
    emb = _emb(infron_sandbox, chunk_size=1, max_retries=0, default_headers={FAULT: "429"})
    with pytest.raises(InfronRateLimitError):
        await emb.aembed_documents(["a", "b", "c"])
    await asyncio.sleep(0)


def test_unreachable_gateway_is_a_connection_error() -> None:
    from infron_integrations.core import InfronConnectionError

    emb = InfronEmbeddings(
        model=MODEL, api_key="k", base_url="http://127.0.0.1:9/v1", max_retries=0
    )
    with pytest.raises(InfronConnectionError) as info:
        emb.embed_query("x")
    assert isinstance(info.value, ModelConnectionError)


# --- bad input, before anything is sent -----------------------------------------------------------


def test_bad_input_fails_before_sending(infron_sandbox: Any) -> None:
    emb = _emb(infron_sandbox)
    with pytest.raises(TypeError, match="not a string; use embed_query"):
        emb.embed_documents("one string")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"texts\[1\] is a int"):
        emb.embed_documents(["ok", 3])  # type: ignore[list-item]
    assert _calls(infron_sandbox) == []


def test_bad_configuration_names_the_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INFRON_API_KEY", raising=False)
    with pytest.raises(ValueError, match="INFRON_API_KEY"):
        InfronEmbeddings(model=MODEL)
    with pytest.raises(ValueError, match=r"options.provider.*Did you mean 'sort'"):
        InfronEmbeddings(model=MODEL, api_key="k", provider={"sortt": "price"})
    with pytest.raises(ValueError, match="chunksize"):
        InfronEmbeddings(model=MODEL, api_key="k", chunksize=10)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match=r"model_kwargs may not set \['dimensions'\]"):
        InfronEmbeddings(model=MODEL, api_key="k", model_kwargs={"dimensions": 3})
    with pytest.raises(ValueError, match="encoding_format"):
        InfronEmbeddings(model=MODEL, api_key="k", encoding_format="int8")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="base_url"):
        InfronEmbeddings(model=MODEL, api_key="k", base_url="llm.onerouter.pro")
    assert issubclass(InfronConfigError, ValueError)


# --- live -----------------------------------------------------------------------------------------


@pytest.mark.live
def test_live_embeddings_record_usage() -> None:
    with track_usage() as run:
        vectors = InfronEmbeddings(model=MODEL).embed_documents(["hello", "world"])
    assert len(vectors) == 2 and len(vectors[0]) == len(vectors[1]) > 0
    assert run.records[0].kind == "embeddings" and run.records[0].input_tokens > 0
