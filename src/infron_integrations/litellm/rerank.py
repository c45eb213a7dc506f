"""Rerank through Infron, returning LiteLLM's ``RerankResponse`` with the gateway's cost.

No LiteLLM release (1.106.2 to 1.110.2) has a rerank route for custom providers, so this module
is both the helper (``rerank(model="infron/<model>", query=..., documents=[...])``) and what
:func:`~infron_integrations.litellm.register` routes ``litellm.rerank``/``arerank`` for ``infron/``
models to (``_compat.route_rerank``): in the SDK, in a Router and behind the proxy's ``/rerank``,
whose ``x-litellm-response-cost`` header is then Infron's cost.

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

__all__ = ["afrom_litellm", "arerank", "from_litellm", "rerank"]

_clients: dict[tuple[int, int, float | None], InfronHTTP] = {}


def _client(
    api_key: str | None, api_base: str | None, max_retries: int | None, timeout: Any = None
) -> InfronHTTP:
    target = http.endpoint(api_key, api_base)
    retries = target.settings.max_retries if max_retries is None else max_retries
    seconds = None if timeout is None else float(timeout)
    key = (id(target), retries, seconds)
    found = _clients.get(key)
    if found is None:
        settings = target.settings
        if seconds is not None:
            settings = settings.model_copy(update={"timeout": seconds})
        found = _clients.setdefault(key, InfronHTTP(settings, retry=RetryPolicy(retries)))
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
    timeout: float | None = None,
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
        timeout: seconds to wait for the answer (default: the settings' timeout).
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
        client = _client(api_key, api_base, max_retries, timeout)
        raw = client.request("POST", "/rerank", json=body)
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
    timeout: float | None = None,
    extra_body: Mapping[str, Any] | None = None,
) -> Any:
    """Async :func:`rerank`."""
    try:
        body = _body(model, query, documents, top_n, provider, include_cost, extra_body)
        client = _client(api_key, api_base, max_retries, timeout)
        raw = await client.arequest("POST", "/rerank", json=body)
        return rerank_response(raw)
    except InfronError as exc:
        raise to_litellm_error(exc, model) from exc


def timeout_seconds(timeout: Any) -> float | None:
    # LiteLLM passes a number, a numeric string (from a config file) or an httpx.Timeout
    if isinstance(timeout, (int, float, str)) and not isinstance(timeout, bool):
        return float(timeout)
    read = getattr(timeout, "read", None)
    return float(read) if isinstance(read, (int, float)) else None


def _litellm_kwargs(call: Mapping[str, Any]) -> dict[str, Any]:
    """What a ``litellm.rerank`` call (or a Router deployment's ``litellm_params``) says that this
    module understands; LiteLLM's own bookkeeping keys are left out."""
    usage = call.get("usage")
    max_retries = call.get("max_retries")
    return {
        "query": call["query"],
        "documents": call["documents"],
        "top_n": call.get("top_n"),
        "provider": call.get("provider"),
        # a deployment's `usage: {"include": false}` turns cost reporting off, as for chat
        "include_cost": usage.get("include") is not False if isinstance(usage, Mapping) else True,
        "api_key": call.get("api_key"),
        "api_base": call.get("api_base"),
        "max_retries": None if max_retries is None else int(max_retries),
        "timeout": timeout_seconds(call.get("timeout")),
        "extra_body": call.get("extra_body"),
    }


def from_litellm(model: str, call: Mapping[str, Any]) -> Any:
    """``litellm.rerank(model="infron/<model>", ...)``, routed here by ``register()``."""
    return rerank(model, **_litellm_kwargs(call))


async def afrom_litellm(model: str, call: Mapping[str, Any]) -> Any:
    """``litellm.arerank(model="infron/<model>", ...)`` (also the Router's and the proxy's)."""
    return await arerank(model, **_litellm_kwargs(call))
