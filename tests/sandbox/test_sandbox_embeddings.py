"""Embeddings (deterministic, float/base64, similarity, dimensions) and rerank."""

from __future__ import annotations

import base64
import math
import struct
from typing import Any

import pytest
from sandbox_helpers import AUTH, HTTP, assert_cost_adds_up


def _cos(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


def _embed(sb: Any, **body: Any) -> dict[str, Any]:
    r = HTTP.post(
        sb.base_url + "/embeddings",
        json={"model": "sandbox/embedding", **body},
        headers=AUTH,
        timeout=10,
    )
    assert r.status_code == 200, r.text
    return r.json()


def test_float_embeddings_shape_and_determinism(infron_sandbox: Any) -> None:
    body = _embed(infron_sandbox, input=["cats are pets", "dogs are pets"], encoding_format="float")
    assert body["object"] == "list" and body["model"] == "sandbox/embedding"
    assert [d["index"] for d in body["data"]] == [0, 1]
    assert all(d["object"] == "embedding" for d in body["data"])
    vector = body["data"][0]["embedding"]
    assert len(vector) == 256
    assert math.isclose(math.sqrt(sum(v * v for v in vector)), 1.0, rel_tol=1e-9)
    again = _embed(infron_sandbox, input="cats are pets", encoding_format="float")
    assert again["data"][0]["embedding"] == vector
    assert body["usage"] == {"prompt_tokens": 6, "completion_tokens": 0, "total_tokens": 6}


def test_openai_sdk_base64_default_matches_floats(infron_sandbox: Any) -> None:
    client = infron_sandbox.openai_client()
    r = client.embeddings.create(model="openai/text-embedding-3-small", input="hello world")
    decoded = list(r.data[0].embedding)
    assert len(decoded) == 1536
    floats = (
        client.embeddings.create(
            model="openai/text-embedding-3-small", input="hello world", encoding_format="float"
        )
        .data[0]
        .embedding
    )
    assert decoded == pytest.approx(floats, abs=1e-6)
    raw = _embed(infron_sandbox, input="hello", encoding_format="base64")["data"][0]["embedding"]
    values = struct.unpack("<256f", base64.b64decode(raw))
    plain = _embed(infron_sandbox, input="hello")["data"][0]["embedding"]
    assert list(values) == pytest.approx(plain, abs=1e-6)


def test_shared_words_are_closer(infron_sandbox: Any) -> None:
    texts = ["the cat sat on the mat", "a cat sat on a mat", "quarterly revenue grew sharply"]
    a, b, c = (d["embedding"] for d in _embed(infron_sandbox, input=texts)["data"])
    assert _cos(a, b) > 0.5
    assert _cos(a, b) > _cos(a, c) + 0.3
    assert _cos(a, a) == pytest.approx(1.0)


def test_dimensions_and_token_inputs(infron_sandbox: Any) -> None:
    body = _embed(infron_sandbox, input="x", dimensions=64)
    assert len(body["data"][0]["embedding"]) == 64
    tokens = _embed(infron_sandbox, input=[[1, 2, 3], [4, 5]])
    assert len(tokens["data"]) == 2
    single = _embed(infron_sandbox, input=[1, 2, 3])
    assert single["data"][0]["embedding"] == tokens["data"][0]["embedding"]
    cost = _embed(infron_sandbox, input="x y z", usage={"include": True})
    assert_cost_adds_up(cost)
    assert cost["provider"] == "sandbox"


def _rerank(sb: Any, **body: Any) -> dict[str, Any]:
    r = HTTP.post(
        sb.base_url + "/rerank",
        json={"model": "qwen/qwen3-reranker-0.6b", **body},
        headers=AUTH,
        timeout=10,
    )
    assert r.status_code == 200, r.text
    return r.json()


DOCS = [
    "Carson City is the capital city of the American state of Nevada.",
    "The Commonwealth of the Northern Mariana Islands is a group of islands in the Pacific.",
    "Washington, D.C. is the capital of the United States. It is a federal district.",
    "Capital punishment has existed in the United States since before it was a country.",
]


def test_rerank_orders_by_relevance_and_honours_top_n(infron_sandbox: Any) -> None:
    query = "What is the capital of the United States?"
    body = _rerank(infron_sandbox, query=query, documents=DOCS)
    results = body["results"]
    scores = [r["relevance_score"] for r in results]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s < 1 for s in scores)
    assert results[0]["index"] == 2
    assert results[-1]["index"] == 1
    assert sorted(r["index"] for r in results) == [0, 1, 2, 3]
    assert body["usage"]["prompt_tokens"] > 0 and body["usage"]["completion_tokens"] == 0
    top = _rerank(infron_sandbox, query=query, documents=DOCS, top_n=2, return_documents=True)
    assert [r["index"] for r in top["results"]] == [r["index"] for r in results[:2]]
    assert top["results"][0]["document"]["text"] == DOCS[2]
    assert _rerank(infron_sandbox, query=query, documents=DOCS)["results"] == results
    objects = _rerank(infron_sandbox, query=query, documents=[{"text": d} for d in DOCS])
    assert objects["results"] == results
