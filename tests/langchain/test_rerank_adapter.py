"""InfronRerank against the sandbox over loopback HTTP, in the style of langchain-tests (there is no
standard compressor suite): sync, async, top_n, ordering, metadata, immutability, empty input,
structured documents, usage, errors. Asserts on the wire body and on what LangChain users get."""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import pytest
from langchain_core.documents import BaseDocumentCompressor, Document
from langchain_core.exceptions import (
    ModelAuthenticationError,
    ModelInvalidRequestError,
    ModelRateLimitError,
)

from infron_integrations.core import (
    InfronAPIError,
    InfronAuthenticationError,
    InfronBadRequestError,
    InfronRateLimitError,
    track_usage,
)
from infron_integrations.langchain import InfronRerank

MODEL = "qwen/qwen3-reranker-0.6b"
FAULT = "x-infron-sandbox-fault"
PATH = "/v1/rerank"
QUERY = "What is the capital of the United States?"
# the docs' Reranker quickstart documents
TEXTS = [
    "Carson City is the capital city of the American state of Nevada.",
    "The Commonwealth of the Northern Mariana Islands is a group of islands in the Pacific Ocean. "
    "Its capital is Saipan.",
    "Charlotte Amalie is the capital and largest city of the United States Virgin Islands.",
    "Washington, D.C. is the capital of the United States. It is a federal district.",
    "Capital punishment has existed in the United States since before it was a country.",
]


def _docs() -> list[Document]:
    return [
        Document(page_content=text, metadata={"source": f"doc-{i}", "tags": ["t"]}, id=f"id-{i}")
        for i, text in enumerate(TEXTS)
    ]


def _rr(sandbox: Any, **fields: Any) -> InfronRerank:
    fields.setdefault("model", MODEL)
    return InfronRerank(api_key=sandbox.api_key, base_url=sandbox.base_url, **fields)


def _calls(sandbox: Any) -> list[Any]:
    return [r for r in sandbox.requests if r.path.endswith(PATH)]


def _raw(sandbox: Any, body: dict[str, Any]) -> dict[str, Any]:
    """The sandbox's answer to a body, asked without our code (to compare against)."""
    response = httpx.post(
        f"{sandbox.base_url}/rerank",
        json=body,
        headers={"Authorization": f"Bearer {sandbox.api_key}"},
    )
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


@pytest.fixture(autouse=True)
def _fresh(infron_sandbox: Any) -> None:
    infron_sandbox.reset()


def test_is_a_document_compressor() -> None:
    assert issubclass(InfronRerank, BaseDocumentCompressor)
    rr = InfronRerank(model=MODEL, api_key="sk-secret-123")
    assert rr.top_n == 3
    assert "sk-secret-123" not in repr(rr) + str(rr) + str(rr.model_dump())


# --- sync, ordering, top_n, metadata ---------------------------------------------------------------


def test_compress_documents_wire_order_and_metadata(infron_sandbox: Any) -> None:
    docs = _docs()
    expected = _raw(
        infron_sandbox, {"model": MODEL, "query": QUERY, "documents": TEXTS, "top_n": 3}
    )
    infron_sandbox.reset()

    out = _rr(infron_sandbox).compress_documents(docs, QUERY)

    assert _calls(infron_sandbox)[-1].body == {
        "model": MODEL,
        "query": QUERY,
        "documents": TEXTS,
        "top_n": 3,
    }
    assert [d.page_content for d in out] == [TEXTS[r["index"]] for r in expected["results"]]
    assert out[0].page_content == TEXTS[3]  # Washington, D.C.
    assert [d.metadata["relevance_score"] for d in out] == [
        r["relevance_score"] for r in expected["results"]
    ]
    scores = [d.metadata["relevance_score"] for d in out]
    assert scores == sorted(scores, reverse=True)
    first = out[0]
    assert first.id == "id-3"
    assert first.metadata == {
        "source": "doc-3",
        "tags": ["t"],
        "relevance_score": expected["results"][0]["relevance_score"],
    }


def test_callers_documents_are_never_mutated(infron_sandbox: Any) -> None:
    docs = _docs()
    before = copy.deepcopy(docs)
    out = _rr(infron_sandbox, top_n=None).compress_documents(docs, QUERY)
    assert docs == before
    assert all("relevance_score" not in d.metadata for d in docs)
    assert all(o is not d for o in out for d in docs)
    assert all(o.metadata is not d.metadata for o in out for d in docs)
    # a second rerank of the results does not see the first score in the caller's objects either
    _rr(infron_sandbox, top_n=2).compress_documents(out, QUERY)
    assert docs == before


def test_top_n_none_returns_all_ranked_and_sends_no_top_n(infron_sandbox: Any) -> None:
    out = _rr(infron_sandbox, top_n=None).compress_documents(_docs(), QUERY)
    assert "top_n" not in _calls(infron_sandbox)[-1].body
    assert sorted(d.id for d in out) == sorted(f"id-{i}" for i in range(5))  # type: ignore[type-var]


def test_top_n_larger_than_the_list_is_clamped(infron_sandbox: Any) -> None:
    out = _rr(infron_sandbox, top_n=10).compress_documents(_docs()[:2], QUERY)
    assert _calls(infron_sandbox)[-1].body["top_n"] == 2
    assert len(out) == 2


def test_rerank_returns_index_and_score(infron_sandbox: Any) -> None:
    rr = _rr(infron_sandbox)
    results = rr.rerank(QUERY, TEXTS, top_n=2)
    assert [set(r) for r in results] == [{"index", "relevance_score"}] * 2
    assert results[0]["index"] == 3
    assert _calls(infron_sandbox)[-1].body["top_n"] == 2
    # top_n=None on the call overrides the instance's 3
    assert len(rr.rerank(QUERY, TEXTS, top_n=None)) == 5


def test_subclass_of_document_survives(infron_sandbox: Any) -> None:
    class MyDoc(Document):
        pass

    docs = [MyDoc(page_content=t, metadata={"n": i}) for i, t in enumerate(TEXTS)]
    out = _rr(infron_sandbox, top_n=1).compress_documents(docs, QUERY)
    assert type(out[0]) is MyDoc and out[0].metadata["n"] == 3


# --- empty input -----------------------------------------------------------------------------------


def test_empty_input_returns_empty_without_request(infron_sandbox: Any) -> None:
    rr = _rr(infron_sandbox)
    with track_usage() as run:
        assert rr.compress_documents([], QUERY) == []
        assert rr.rerank(QUERY, []) == []
    assert _calls(infron_sandbox) == []
    assert run.records == []


async def test_async_empty_input(infron_sandbox: Any) -> None:
    assert await _rr(infron_sandbox).acompress_documents([], QUERY) == []
    assert await _rr(infron_sandbox).arerank(QUERY, []) == []
    assert _calls(infron_sandbox) == []


# --- async -----------------------------------------------------------------------------------------


async def test_acompress_documents_matches_sync(infron_sandbox: Any) -> None:
    rr = _rr(infron_sandbox, top_n=2)
    sync = rr.compress_documents(_docs(), QUERY)
    with track_usage() as run:
        got = await rr.acompress_documents(_docs(), QUERY)
    assert got == sync
    assert [d.id for d in got] == ["id-3", sync[1].id]
    assert run.records[0].kind == "rerank"
    assert _calls(infron_sandbox)[-1].body == _calls(infron_sandbox)[-2].body


# --- structured documents --------------------------------------------------------------------------


def test_mappings_are_sent_as_sorted_json(infron_sandbox: Any) -> None:
    rows = [{"title": "Nevada", "text": TEXTS[0]}, {"text": TEXTS[3], "title": "D.C.", "n": 2}]
    _rr(infron_sandbox).rerank(QUERY, rows)
    sent = _calls(infron_sandbox)[-1].body["documents"]
    assert sent == [json.dumps(r, sort_keys=True, ensure_ascii=False) for r in rows]
    assert sent[1] == '{"n": 2, "text": "' + TEXTS[3] + '", "title": "D.C."}'


def test_text_key_selects_the_text(infron_sandbox: Any) -> None:
    rows = [{"title": "Nevada", "body": TEXTS[0]}, {"title": "D.C.", "body": TEXTS[3]}]
    results = _rr(infron_sandbox, text_key="body").rerank(QUERY, [*rows, "plain string"])
    assert _calls(infron_sandbox)[-1].body["documents"] == [TEXTS[0], TEXTS[3], "plain string"]
    assert results[0]["index"] == 1


def test_unsendable_documents_fail_before_sending(infron_sandbox: Any) -> None:
    rr = _rr(infron_sandbox)
    with pytest.raises(TypeError, match=r"documents\[0\] cannot be sent as JSON"):
        rr.rerank(QUERY, [{"when": object()}])
    with pytest.raises(TypeError, match=r"documents\[1\]\['body'\] must be a str"):
        _rr(infron_sandbox, text_key="body").rerank(QUERY, [{"body": "x"}, {"title": "no body"}])
    with pytest.raises(TypeError, match=r"documents\[0\] is a int"):
        rr.rerank(QUERY, [3])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="not a single document"):
        rr.rerank(QUERY, "just one string")
    with pytest.raises(TypeError, match="query must be a str"):
        rr.rerank(None, TEXTS)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="top_n must be a positive int"):
        rr.rerank(QUERY, TEXTS, top_n=0)
    assert _calls(infron_sandbox) == []


# --- routing and configuration ---------------------------------------------------------------------


def test_routing_fields_are_sent(infron_sandbox: Any) -> None:
    # an id the sandbox serves from two providers ("novita" first, then "deepinfra")
    rr = _rr(
        infron_sandbox,
        model="qwen/qwen3-reranker-0.6b",
        provider={"order": ["deepinfra"], "allow_fallbacks": False},
        model_kwargs={"return_documents": False},
    )
    with track_usage() as run:
        rr.rerank(QUERY, TEXTS)
    body = _calls(infron_sandbox)[-1].body
    assert body["provider"] == {"order": ["deepinfra"], "allow_fallbacks": False}
    assert body["return_documents"] is False
    assert run.records[0].provider == "deepinfra"


def test_bad_configuration_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INFRON_API_KEY", raising=False)
    with pytest.raises(ValueError, match="INFRON_API_KEY"):
        InfronRerank(model=MODEL)
    with pytest.raises(ValueError, match=r"options.provider.*Did you mean 'only'"):
        InfronRerank(model=MODEL, api_key="k", provider={"onl": ["x"]})
    with pytest.raises(ValueError, match="top_n"):
        InfronRerank(model=MODEL, api_key="k", top_n=0)
    with pytest.raises(ValueError, match=r"model_kwargs may not set \['top_n'\]"):
        InfronRerank(model=MODEL, api_key="k", model_kwargs={"top_n": 2})
    with pytest.raises(ValueError, match="topn"):
        InfronRerank(model=MODEL, api_key="k", topn=2)  # type: ignore[call-arg]


# --- usage -----------------------------------------------------------------------------------------


def test_usage_recorded_with_unknown_cost(infron_sandbox: Any) -> None:
    reported = _raw(infron_sandbox, {"model": MODEL, "query": QUERY, "documents": TEXTS})
    with track_usage() as run:
        _rr(infron_sandbox).compress_documents(_docs(), QUERY)
    (record,) = run.records
    assert (record.kind, record.framework, record.model) == ("rerank", "langchain", MODEL)
    assert record.input_tokens == reported["usage"]["prompt_tokens"] > 0
    assert record.total_tokens == reported["usage"]["total_tokens"]
    assert "cost" not in reported and record.cost is None
    assert run.total.unknown_cost_requests == 1


def test_usage_accounting_records_the_gateway_figure(infron_sandbox: Any) -> None:
    body = {"model": MODEL, "query": QUERY, "documents": TEXTS, "usage": {"include": True}}
    reported = _raw(infron_sandbox, body)
    reported_cost = reported.get("cost", reported["usage"].get("cost"))
    assert reported_cost is not None
    with track_usage() as run:
        _rr(infron_sandbox, usage_accounting=True, top_n=None).rerank(QUERY, TEXTS)
    assert _calls(infron_sandbox)[-1].body["usage"] == {"include": True}
    assert run.records[0].cost == reported_cost
    assert run.total_cost == reported_cost


# --- answers that cannot be trusted, and errors ------------------------------------------------------


def test_out_of_range_index_raises(infron_sandbox: Any) -> None:
    infron_sandbox.script(
        {"results": [{"index": 7, "relevance_score": 0.9}], "usage": {"prompt_tokens": 1}},
        path=PATH,
    )
    with pytest.raises(InfronAPIError, match="index 7 for 2 documents"):
        _rr(infron_sandbox).rerank(QUERY, ["a", "b"])


def test_unsorted_answer_is_sorted_and_cut(infron_sandbox: Any) -> None:
    infron_sandbox.script(
        {
            "results": [
                {"index": 0, "relevance_score": 0.1},
                {"index": 2, "relevance_score": 0.7},
                {"index": 1, "relevance_score": 0.4},
            ],
            "usage": {"prompt_tokens": 3, "total_tokens": 3},
            "cost": 0.000002,
        },
        path=PATH,
    )
    with track_usage() as run:
        out = _rr(infron_sandbox, top_n=2).rerank(QUERY, ["a", "b", "c"])
    assert out == [{"index": 2, "relevance_score": 0.7}, {"index": 1, "relevance_score": 0.4}]
    assert run.records[0].cost == 0.000002


@pytest.mark.parametrize(
    ("fault", "error", "langchain_error"),
    [
        ("401", InfronAuthenticationError, ModelAuthenticationError),
        ("400", InfronBadRequestError, ModelInvalidRequestError),
        ("429", InfronRateLimitError, ModelRateLimitError),
    ],
)
def test_http_errors_are_typed(
    infron_sandbox: Any, fault: str, error: type[Exception], langchain_error: type[Exception]
) -> None:
    rr = _rr(infron_sandbox, max_retries=0, default_headers={FAULT: fault})
    with track_usage() as run, pytest.raises(error) as info:
        rr.compress_documents(_docs(), QUERY)
    # the core's class and the one LangChain users catch across providers, at once
    assert isinstance(info.value, langchain_error)
    assert info.value.status_code == int(fault)  # type: ignore[attr-defined]
    assert infron_sandbox.api_key not in str(info.value)
    assert run.records == []


async def test_async_errors_are_typed(infron_sandbox: Any) -> None:
    rr = _rr(infron_sandbox, max_retries=0, default_headers={FAULT: "402"})
    with pytest.raises(InfronAPIError) as info:
        await rr.acompress_documents(_docs(), QUERY)
    assert info.value.status_code == 402


def test_transient_failure_is_retried(infron_sandbox: Any) -> None:
    rr = _rr(infron_sandbox, max_retries=2, default_headers={FAULT: "fail-once:502"})
    assert len(rr.compress_documents(_docs(), QUERY)) == 3
    assert [r.status for r in _calls(infron_sandbox)] == [502, 200]


# --- live -------------------------------------------------------------------------------------------


@pytest.mark.live
def test_live_rerank() -> None:
    with track_usage() as run:
        out = InfronRerank(model="voyage-rerank-2.5", top_n=2).compress_documents(_docs(), QUERY)
    assert len(out) == 2 and out[0].id == "id-3"
    assert run.records[0].kind == "rerank"
