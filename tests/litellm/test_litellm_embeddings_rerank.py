"""``litellm.embedding``/``aembedding`` through ``infron/<model>``, and the rerank helpers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import litellm
import pytest
from litellm.types.rerank import RerankResponse

from infron_integrations.core import InfronConfigError, track_usage
from infron_integrations.litellm import arerank, rerank

EMBEDDINGS = "/v1/embeddings"
RERANK = "/v1/rerank"
MODEL = "qwen/qwen3-embedding-0.6b"
RERANKER = "qwen/qwen3-reranker-0.6b"
DOCS = ["A cat is a small domesticated animal.", "Paris is the capital of France."]


def _spent(sb: Any) -> float:
    return float(Decimal(repr(sb.state.config.initial_balance)) - sb.state.balance(sb.api_key))


def test_embedding_with_cost(infron_sandbox: Any, creds: dict[str, str], cost_logger: Any) -> None:
    response = litellm.embedding(
        model=f"infron/{MODEL}", input=["hello", "world"], usage={"include": True}, **creds
    )
    assert infron_sandbox.last_request(EMBEDDINGS).body == {
        "model": MODEL,
        "input": ["hello", "world"],
        "usage": {"include": True},
    }
    assert isinstance(response, litellm.EmbeddingResponse)
    assert [d["index"] for d in response.data] == [0, 1]
    assert len(response.data[0]["embedding"]) == 1024
    assert response.usage.prompt_tokens == 2
    cost = _spent(infron_sandbox)
    assert cost > 0
    assert response._hidden_params["response_cost"] == pytest.approx(cost)
    assert response.usage.cost == pytest.approx(cost)
    assert response.provider == "novita"
    event = cost_logger.wait(lambda r: isinstance(r, litellm.EmbeddingResponse))
    assert event["response_cost"] == pytest.approx(cost)


def test_embedding_asks_for_cost_only_when_told(infron_sandbox: Any, creds: dict[str, str]) -> None:
    """The docs show ``usage`` for chat only, so embeddings send it only when asked."""
    response = litellm.embedding(model=f"infron/{MODEL}", input=["hello"], **creds)
    assert infron_sandbox.last_request(EMBEDDINGS).body == {"model": MODEL, "input": ["hello"]}
    assert getattr(response, "cost", None) is None
    assert response.usage.prompt_tokens == 1


async def test_aembedding(infron_sandbox: Any, creds: dict[str, str]) -> None:
    with track_usage() as run:
        response = await litellm.aembedding(
            model=f"infron/{MODEL}",
            input=["hello"],
            usage={"include": True},
            provider={"order": ["novita"]},
            **creds,
        )
    assert infron_sandbox.last_request(EMBEDDINGS).body["provider"] == {"order": ["novita"]}
    assert len(response.data) == 1
    assert run.total.requests == 1
    assert run.by_framework["litellm"].requests == 1
    assert run.total_cost == pytest.approx(_spent(infron_sandbox))
    assert run.records[0].kind == "embeddings"


def test_embedding_dimensions_sync_and_through_extra_body(
    infron_sandbox: Any, creds: dict[str, str]
) -> None:
    """LiteLLM (1.106.2 to 1.110.2) refuses ``dimensions`` for custom providers whatever
    ``allowed_openai_params`` says; register() lets it through on the sync path too, and
    ``extra_body`` still carries it."""
    response = litellm.embedding(model=f"infron/{MODEL}", input=["x"], dimensions=8, **creds)
    assert infron_sandbox.last_request(EMBEDDINGS).body == {
        "model": MODEL,
        "input": ["x"],
        "dimensions": 8,
    }
    assert len(response.data[0]["embedding"]) == 8
    response = litellm.embedding(
        model=f"infron/{MODEL}", input=["x"], extra_body={"dimensions": 6}, **creds
    )
    assert infron_sandbox.last_request(EMBEDDINGS).body["dimensions"] == 6
    assert len(response.data[0]["embedding"]) == 6


def test_embedding_invalid_provider_fails_before_sending(
    infron_sandbox: Any, creds: dict[str, str]
) -> None:
    with pytest.raises(InfronConfigError, match=r"options\.provider"):
        litellm.embedding(model=f"infron/{MODEL}", input=["x"], provider={"odrer": []}, **creds)
    assert infron_sandbox.requests == []


def test_embedding_errors_are_typed(infron_sandbox: Any, creds: dict[str, str]) -> None:
    with pytest.raises(litellm.AuthenticationError):
        litellm.embedding(
            model=f"infron/{MODEL}", input=["x"], api_key="sk-wrong", api_base=creds["api_base"]
        )


def test_rerank(infron_sandbox: Any, creds: dict[str, str]) -> None:
    with track_usage() as run:
        response = rerank(f"infron/{RERANKER}", "what is a cat", DOCS, top_n=2, **creds)
    assert infron_sandbox.last_request(RERANK).body == {
        "model": RERANKER,
        "query": "what is a cat",
        "documents": DOCS,
        "top_n": 2,
        "usage": {"include": True},
    }
    assert isinstance(response, RerankResponse)
    assert [r["index"] for r in response.results] == [0, 1]
    assert response.results[0]["relevance_score"] > response.results[1]["relevance_score"]
    assert response.meta["tokens"]["input_tokens"] > 0
    cost = _spent(infron_sandbox)
    assert response._hidden_params["response_cost"] == pytest.approx(cost)
    assert run.total_cost == pytest.approx(cost)
    assert run.records[0].kind == "rerank"


async def test_arerank(infron_sandbox: Any, creds: dict[str, str]) -> None:
    response = await arerank(
        RERANKER, "capital of France", DOCS, provider={"sort": "price"}, include_cost=False, **creds
    )
    body = infron_sandbox.last_request(RERANK).body
    assert body["provider"] == {"sort": "price"}
    assert "usage" not in body
    assert response.results[0]["index"] == 1
    assert "response_cost" not in response._hidden_params


def test_rerank_errors(infron_sandbox: Any, creds: dict[str, str]) -> None:
    with pytest.raises(litellm.RateLimitError) as info:
        rerank("infron/sandbox/fault-429", "q", DOCS, max_retries=0, **creds)
    assert info.value.retry_after == 1.0
    with pytest.raises(litellm.AuthenticationError):
        rerank(RERANKER, "q", DOCS, api_key="sk-wrong", api_base=creds["api_base"])
    with pytest.raises(InfronConfigError):
        rerank(RERANKER, "q", DOCS, provider={"sortt": "price"}, **creds)


async def test_aembedding_dimensions_and_base64(infron_sandbox: Any, creds: dict[str, str]) -> None:
    """Async calls pass dimensions/encoding_format through, as sync ones do."""
    import base64
    import struct

    response = await litellm.aembedding(
        model=f"infron/{MODEL}", input=["x"], dimensions=4, encoding_format="base64", **creds
    )
    body = infron_sandbox.last_request(EMBEDDINGS).body
    assert body == {"model": MODEL, "input": ["x"], "dimensions": 4, "encoding_format": "base64"}
    raw = base64.b64decode(response.data[0]["embedding"])
    assert len(struct.unpack("<4f", raw)) == 4


# --- litellm.rerank / arerank with infron/ (routed by register()) -----------------------------


def test_litellm_rerank_with_infron_models(
    infron_sandbox: Any, creds: dict[str, str], cost_logger: Any
) -> None:
    """No LiteLLM release routes rerank to a custom provider (``'infron' is not a valid
    LlmProviders`` before register()); now it is LiteLLM's own entry point, with its callbacks
    and its cost API, and the gateway's cost."""
    with track_usage() as run:
        response = litellm.rerank(
            model=f"infron/{RERANKER}", query="what is a cat", documents=DOCS, top_n=1, **creds
        )
    assert infron_sandbox.last_request(RERANK).body == {
        "model": RERANKER,
        "query": "what is a cat",
        "documents": DOCS,
        "top_n": 1,
        "usage": {"include": True},
    }
    assert isinstance(response, RerankResponse)
    assert [r["index"] for r in response.results] == [0]
    cost = _spent(infron_sandbox)
    assert cost > 0
    assert response._hidden_params["response_cost"] == pytest.approx(cost)
    assert litellm.completion_cost(completion_response=response) == pytest.approx(cost)
    assert run.total_cost == pytest.approx(cost)
    event = cost_logger.wait(lambda r: isinstance(r, RerankResponse))
    assert event["response_cost"] == pytest.approx(cost)
    assert event["payload"]["custom_llm_provider"] == "infron"


async def test_litellm_arerank_and_the_router(infron_sandbox: Any, creds: dict[str, str]) -> None:
    response = await litellm.arerank(
        model=f"infron/{RERANKER}",
        query="capital of France",
        documents=DOCS,
        provider={"sort": "price"},
        **creds,
    )
    assert response.results[0]["index"] == 1
    assert infron_sandbox.last_request(RERANK).body["provider"] == {"sort": "price"}
    first = _spent(infron_sandbox)
    assert response._hidden_params["response_cost"] == pytest.approx(first)
    deployment = {"model": f"infron/{RERANKER}", "usage": {"include": False}, **creds}
    router = litellm.Router(model_list=[{"model_name": "r", "litellm_params": deployment}])
    routed = await router.arerank(model="r", query="what is a cat", documents=DOCS)
    assert routed.results[0]["index"] == 0
    assert "usage" not in infron_sandbox.last_request(RERANK).body
    # the gateway was told not to report a cost, and none is made up
    assert routed._hidden_params.get("response_cost") is None


def test_litellm_rerank_errors_are_typed(infron_sandbox: Any, creds: dict[str, str]) -> None:
    with pytest.raises(litellm.RateLimitError):
        litellm.rerank(
            model="infron/sandbox/fault-429",
            query="q",
            documents=DOCS,
            max_retries=0,
            **creds,
        )
    with pytest.raises(litellm.BadRequestError, match=r"options\.provider"):
        litellm.rerank(
            model=f"infron/{RERANKER}", query="q", documents=DOCS, provider={"x": 1}, **creds
        )


def test_other_rerank_providers_are_litellms(infron_sandbox: Any, creds: dict[str, str]) -> None:
    """``hosted_vllm/`` (LiteLLM's own client) against the same server: LiteLLM's body, no
    Infron options, and LiteLLM's own cost figure."""
    response = litellm.rerank(
        model=f"hosted_vllm/{RERANKER}", query="what is a cat", documents=DOCS, top_n=1, **creds
    )
    body = infron_sandbox.last_request(RERANK).body
    assert "usage" not in body and body["model"] == RERANKER
    assert [r["index"] for r in response.results] == [0]
    assert response._hidden_params.get("custom_llm_provider") != "infron"
