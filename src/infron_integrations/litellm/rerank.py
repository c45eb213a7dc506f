"""Rerank through Infron, returning LiteLLM's ``RerankResponse`` with the gateway's cost.

LiteLLM has no rerank hook for custom providers (``litellm.rerank`` only knows its built-in
providers), so this is a helper with LiteLLM's shape: ``rerank(model="infron/<model>", query=...,
documents=[...])``. For the LiteLLM *proxy*, ``/rerank`` is routed with LiteLLM's built-in
OpenAI-compatible rerank provider pointed at Infron (see ``examples/litellm_proxy/README.md``).

Docs: Rerank (``POST /v1/rerank``), Billing Tracking (``usage: {"include": true}`` -> ``cost``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..core.errors import InfronError
from ..core.http import InfronHTTP, RetryPolicy
from ..core.options import parse_options, request_fragment
from . import _transport as http
from ._errors import to_litellm_error
from ._response import rerank_response

__all__ = ["arerank", "rerank"]

_clients: dict[tuple[int, int], InfronHTTP] = {}


def _client(api_key: str | None, api_base: str | None, max_retries: int | None) -> InfronHTTP:
    target = http.endpoint(api_key, api_base)
    retries = target.settings.max_retries if max_retries is None else max_retries
    key = (id(target), retries)
    found = _clients.get(key)
    if found is None:
        found = _clients.setdefault(key, InfronHTTP(target.settings, retry=RetryPolicy(retries)))
    return found


def _body(
    model: str,
    query: str,
    documents: Sequence[Any],
    top_n: int | None,
    provider: Any,
    include_cost: bool,
    extra_body: Mapping[str, Any] | None,
) -> dict[str, Any]:
    name = model.removeprefix("infron/")
    body: dict[str, Any] = {"model": name, "query": query, "documents": list(documents)}
    if top_n is not None:
        body["top_n"] = top_n
    fields: dict[str, Any] = {"usage": include_cost}
    if provider is not None:
        fields["provider"] = provider
    body.update(request_fragment(parse_options(fields)))
    if extra_body:
        body.update(extra_body)
    return body


def rerank(
    model: str,
    query: str,
    documents: Sequence[Any],
    *,
    top_n: int | None = None,
    provider: Mapping[str, Any] | None = None,
    include_cost: bool = True,
    api_key: str | None = None,
    api_base: str | None = None,
    max_retries: int | None = None,
    extra_body: Mapping[str, Any] | None = None,
) -> Any:
    """Rank ``documents`` by relevance to ``query`` (docs: Rerank).

    Args:
        model: ``"infron/<model>"`` or the bare Infron model id, e.g. ``"qwen/qwen3-reranker-0.6b"``.
        query: the search query.
        documents: the texts to rank (sent as given; the response refers to them by index).
        top_n: return only the best ``top_n`` results.
        provider: provider routing preferences (docs: Inference Provider Routing), validated.
        include_cost: send ``usage: {"include": true}`` so the gateway reports ``cost``.
        api_key: the Infron key (default ``INFRON_API_KEY``).
        api_base: the base URL (default ``INFRON_BASE_URL`` or ``https://llm.onerouter.pro/v1``).
        max_retries: retries on 408/429/502/503 and connection errors (default 2).
        extra_body: more body keys, sent as given.

    Returns:
        ``litellm.RerankResponse`` (``results`` with ``index``/``relevance_score``, ``meta.tokens``);
        ``_hidden_params["response_cost"]`` is the gateway's ``cost`` when it reported one. The
        usage is recorded into :func:`infron_integrations.core.track_usage`.

    Raises:
        litellm.BadRequestError, litellm.RateLimitError, ...: the dual LiteLLM/Infron exceptions
            of :mod:`infron_integrations.litellm`, by status.
    """
    try:
        body = _body(model, query, documents, top_n, provider, include_cost, extra_body)
        raw = _client(api_key, api_base, max_retries).request("POST", "/rerank", json=body)
        return rerank_response(raw)
    except InfronError as exc:
        raise to_litellm_error(exc, model) from exc


async def arerank(
    model: str,
    query: str,
    documents: Sequence[Any],
    *,
    top_n: int | None = None,
    provider: Mapping[str, Any] | None = None,
    include_cost: bool = True,
    api_key: str | None = None,
    api_base: str | None = None,
    max_retries: int | None = None,
    extra_body: Mapping[str, Any] | None = None,
) -> Any:
    """Async :func:`rerank`."""
    try:
        body = _body(model, query, documents, top_n, provider, include_cost, extra_body)
        client = _client(api_key, api_base, max_retries)
        raw = await client.arequest("POST", "/rerank", json=body)
        return rerank_response(raw)
    except InfronError as exc:
        raise to_litellm_error(exc, model) from exc
