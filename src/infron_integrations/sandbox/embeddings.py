"""``POST /v1/embeddings`` and ``POST /v1/rerank``: deterministic embeddings and rerank.

Embeddings: a hashed bag of words. Every lower-cased word (regex ``\\w+``) maps to a fixed
pseudo-random vector derived from SHA-256/SHAKE-256 of the word and the dimension; a text's
embedding is the normalized sum of its words' vectors (a text without words uses the vector of
the whole string). Texts sharing words are therefore closer (cosine) than unrelated ones, and the
same text always gives the same vector. ``dimensions`` sets the size (default: the
catalog's). ``encoding_format: "base64"`` returns little-endian float32 bytes in base64
(what the OpenAI SDK decodes by default).

Rerank: the score of a document is ``0.05 + 0.9 * cosine`` of the query's and the document's
word-count vectors, common English stop words left out (so it lies in [0.05, 0.95]); results are
sorted by score, descending (ties by index), and cut to ``top_n``.
"""

from __future__ import annotations

import base64
import hashlib
import math
import struct
from collections import Counter
from functools import lru_cache
from typing import Any

from starlette.responses import Response

from .billing import compute_cost
from .catalog import ModelInfo, ProviderEndpoint
from .errors import bad_request
from .faults import apply_fault, fault_from_request
from .pipeline import (
    EMBEDDINGS,
    RERANK,
    Ctx,
    ensure_credit,
    finish_json,
    scripted,
)
from .routing import choose_provider
from .tokens import count_tokens, words
from .validation import (
    expect_positive_int,
    is_int,
    validate_model,
    validate_provider,
    validate_usage,
)

MAX_DIMENSIONS = 8192
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "do",
        "does",
        "for",
        "from",
        "has",
        "have",
        "how",
        "i",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
    ]
)


@lru_cache(maxsize=8192)
def _word_vector(word: str, dimensions: int) -> tuple[float, ...]:
    raw = hashlib.shake_256(f"{dimensions}:{word}".encode()).digest(dimensions * 2)
    values = struct.unpack(f"<{dimensions}H", raw)
    return tuple(v / 32767.5 - 1.0 for v in values)


def embed(text: str, dimensions: int) -> list[float]:
    tokens = words(text) or [text]
    acc = [0.0] * dimensions
    for word in tokens:
        for i, v in enumerate(_word_vector(word, dimensions)):
            acc[i] += v
    norm = math.sqrt(sum(v * v for v in acc)) or 1.0
    return [v / norm for v in acc]


def encode_base64(vector: list[float]) -> str:
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()


def embedding_inputs(value: Any) -> list[str]:
    """Texts of an embeddings ``input`` (string, strings, token ids, or lists of token ids)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value:
        if all(is_int(v) for v in value):
            return [" ".join(f"tok{v}" for v in value)]
        out = []
        for i, item in enumerate(value):
            if isinstance(item, str):
                out.append(item)
            elif isinstance(item, list) and all(is_int(v) for v in item):
                out.append(" ".join(f"tok{v}" for v in item))
            elif isinstance(item, dict) and isinstance(item.get("text"), str):
                out.append(item["text"])
            else:
                raise bad_request(f"Invalid type for 'input.{i}'.", f"input.{i}")
        return out
    raise bad_request(
        "'input' must be a non-empty string, array of strings or array of token arrays.", "input"
    )


def validate_embeddings(body: dict[str, Any]) -> None:
    if "input" not in body:
        raise bad_request("Missing required parameter: 'input'.", "input")
    fmt = body.get("encoding_format")
    if fmt is not None and fmt not in ("float", "base64"):
        raise bad_request("'encoding_format' must be 'float' or 'base64'.", "encoding_format")
    if body.get("dimensions") is not None:
        expect_positive_int(body["dimensions"], "dimensions")
        if body["dimensions"] > MAX_DIMENSIONS:
            raise bad_request(f"'dimensions' must be <= {MAX_DIMENSIONS}.", "dimensions")


def embeddings_data(texts: list[str], dimensions: int, fmt: str) -> list[dict[str, Any]]:
    data = []
    for i, text in enumerate(texts):
        vector = embed(text, dimensions)
        value: Any = encode_base64(vector) if fmt == "base64" else vector
        data.append({"object": "embedding", "index": i, "embedding": value})
    return data


def prompt_tokens(texts: list[str]) -> int:
    return sum(max(1, count_tokens(t)) for t in texts)


def validate_rerank(body: dict[str, Any]) -> list[str]:
    if not isinstance(body.get("query"), str):
        raise bad_request("Missing or invalid required parameter: 'query'.", "query")
    docs = body.get("documents")
    if not isinstance(docs, list) or not docs:
        raise bad_request("'documents' must be a non-empty array.", "documents")
    texts = []
    for i, doc in enumerate(docs):
        if isinstance(doc, str):
            texts.append(doc)
        elif isinstance(doc, dict) and isinstance(doc.get("text"), str):
            texts.append(doc["text"])
        else:
            raise bad_request(f"Invalid type for 'documents.{i}'.", f"documents.{i}")
    if body.get("top_n") is not None:
        expect_positive_int(body["top_n"], "top_n")
    return texts


def _bag(text: str) -> Counter[str]:
    return Counter(w for w in words(text) if w not in STOPWORDS)


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    dot = sum(v * b.get(k, 0) for k, v in a.items())
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def rerank_results(
    query: str, documents: list[str], top_n: int | None, return_documents: bool
) -> list[dict[str, Any]]:
    q = _bag(query)
    scored = []
    for i, doc in enumerate(documents):
        score = round(0.05 + 0.9 * _cosine(q, _bag(doc)), 8)
        scored.append((-score, i, doc))
    scored.sort()
    results = []
    for neg, i, doc in scored[: top_n or len(scored)]:
        item: dict[str, Any] = {"index": i, "relevance_score": -neg}
        if return_documents:
            item["document"] = {"text": doc}
        results.append(item)
    return results


# -- the handlers ------------------------------------------------------------------------------
FAILED_MODES = ("empty-200", "error-in-200", "error-in-stream")
"""Fault modes whose answer carries no data (the in-band error ones also carry ``error``)."""


def _validate_common(body: dict[str, Any]) -> None:
    validate_model(body)
    if body.get("provider") is not None:
        validate_provider(body["provider"])
    if body.get("usage") is not None:
        validate_usage(body["usage"])


async def _serve(ctx: Ctx, path: str, model: ModelInfo) -> tuple[str | None, ProviderEndpoint]:
    """Credit, fault and routing of one embeddings or rerank request (already validated)."""
    ensure_credit(ctx)
    mode = await apply_fault(
        fault_from_request(ctx.headers, model.id), ctx.state, ctx.headers, ctx.raw, path
    )
    prefs = ctx.body.get("provider")
    route = choose_provider(model, prefs if isinstance(prefs, dict) else None, ctx.down())
    return mode, route


def _answer(
    ctx: Ctx, route: ProviderEndpoint, tokens: int, mode: str | None, fields: dict[str, Any]
) -> Response:
    """Charge the request and render the shared envelope (usage, cost, in-band fault)."""
    cost = compute_cost(
        prompt_price=route.prompt_price,
        completion_price=0.0,
        prompt_tokens=tokens,
        completion_tokens=0,
        request_price=route.request_price,
    )
    ctx.state.charge(ctx.api_key, cost.cost, ctx.request_id)
    usage = ctx.body.get("usage")
    out: dict[str, Any] = {
        **fields,
        "provider": route.slug,
        "usage": {"prompt_tokens": tokens, "completion_tokens": 0, "total_tokens": tokens},
        "request_id": ctx.request_id,
        **(cost.fields() if isinstance(usage, dict) and usage.get("include") is True else {}),
    }
    if mode in ("error-in-200", "error-in-stream"):
        out["error"] = {"code": 502, "message": "Upstream provider error (sandbox fault)"}
    return finish_json(out, mode)


async def embeddings(ctx: Ctx) -> Response:
    body = ctx.body
    _validate_common(body)
    validate_embeddings(body)
    texts = embedding_inputs(body["input"])
    model = ctx.model(body["model"], "embedding")
    answer = scripted(ctx, EMBEDDINGS, body["model"])
    if answer is not None:
        return answer
    mode, route = await _serve(ctx, EMBEDDINGS, model)
    dims = body.get("dimensions") or model.dimensions
    data = (
        []
        if mode in FAILED_MODES
        else embeddings_data(texts, dims, body.get("encoding_format") or "float")
    )
    fields = {"id": f"emb-{ctx.request_id[:24]}", "object": "list", "data": data, "model": model.id}
    return _answer(ctx, route, prompt_tokens(texts), mode, fields)


async def rerank(ctx: Ctx) -> Response:
    body = ctx.body
    _validate_common(body)
    docs = validate_rerank(body)
    model = ctx.model(body["model"], "rerank")
    answer = scripted(ctx, RERANK, body["model"])
    if answer is not None:
        return answer
    mode, route = await _serve(ctx, RERANK, model)
    results = (
        []
        if mode in FAILED_MODES
        else rerank_results(
            body["query"], docs, body.get("top_n"), body.get("return_documents") is True
        )
    )
    fields = {"id": f"rerank-{ctx.request_id[:24]}", "model": model.id, "results": results}
    tokens = prompt_tokens([body["query"], *docs])
    return _answer(ctx, route, tokens, mode, fields)
