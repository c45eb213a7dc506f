"""Infron's Search APIs in ``litellm.search`` / ``asearch``, a Router and the proxy's ``/v1/search``.

``register()`` (in the proxy: the ``hooks`` callback) routes ``search_provider="infron/<engine>"``
(``tavily``, ``exa``, ``perplexity``, ``firecrawl``, ``cloudsway``; plain ``"infron"`` is Tavily)
to :class:`~infron_integrations.core.search.InfronSearch`, inside LiteLLM's own entry point
(``_compat.route_search``)::

    r = litellm.search("Who is Leo Messi?", search_provider="infron/exa", max_results=3)
    r.results[0].title, litellm.completion_cost(completion_response=r)   # the gateway's cost

LiteLLM's unified parameters map onto each engine's own fields (``search_domain_filter`` is
Tavily's ``include_domains``, Exa's ``includeDomains``...); a parameter the chosen engine does not
take is refused before sending, saying which engines take it. Any other keyword is one of the
engine's documented request fields, validated by the core (a typo reads "Did you mean ...").
``api_base`` is the Search APIs' base URL (default ``INFRON_SEARCH_URL``, else
``https://search.onerouter.pro/v1``), ``api_key`` the Infron key. The result is LiteLLM's
``SearchResponse`` (``title``, ``url``, ``snippet``, ``date`` per result); the gateway's cost, when
the engine reports one, is the response's cost for LiteLLM (callbacks, spend logs,
``completion_cost``) and is recorded in :func:`infron_integrations.core.track_usage`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..core.errors import InfronConfigError, InfronError
from ..core.search import InfronSearch
from ..core.search_models import SEARCH_ENGINES
from ..core.search_wire import SearchResponse
from . import _compat
from ._errors import to_litellm_error
from .rerank import timeout_seconds

__all__ = ["afrom_litellm", "from_litellm"]

#: LiteLLM's unified search parameters -> each engine's field for it
UNIFIED: dict[str, dict[str, str]] = {
    "search_domain_filter": {
        "tavily": "include_domains",
        "exa": "includeDomains",
        "perplexity": "search_domain_filter",
    },
    "country": {"tavily": "country", "perplexity": "country", "firecrawl": "country"},
    "max_tokens_per_page": {"perplexity": "max_tokens_per_page"},
}
#: the ``litellm.search`` arguments read here, not engine fields (``model`` is the Router's
#: and the proxy's name of the search tool, never the engine's own ``model`` field)
_CALL_KEYS = frozenset(
    {"query", "search_provider", "max_results", "api_key", "api_base", "timeout"}
    | {"extra_headers", "max_retries", "litellm_logging_obj", "model", "custom_llm_provider"}
)


def _engine(engine: str) -> str:
    if engine not in SEARCH_ENGINES:
        raise InfronConfigError(
            f"Unknown Infron search engine {engine!r} in search_provider='infron/{engine}'. Use "
            + ", ".join(f"'infron/{name}'" for name in SEARCH_ENGINES)
            + "."
        )
    return engine


def _fields(engine: str, call: Mapping[str, Any]) -> dict[str, Any]:
    """The engine's request fields named by a ``litellm.search`` call."""
    fields: dict[str, Any] = {}
    for unified, by_engine in UNIFIED.items():
        value = call.get(unified)
        if value is None:
            continue
        if engine not in by_engine:
            raise InfronConfigError(
                f"{unified}= is not available with Infron's {engine} search; engines that take "
                f"it: {', '.join(by_engine)}. Remove it or choose one of those engines."
            )
        fields[by_engine[engine]] = value
    rest = {k: v for k, v in call.items() if k not in _CALL_KEYS and k not in UNIFIED}
    owned = _compat.litellm_owned(rest)
    fields.update({k: v for k, v in rest.items() if k not in owned and v is not None})
    return fields


def _search_args(engine: str, call: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "engine": _engine(engine),
        "max_results": call.get("max_results"),
        **_fields(engine, call),
    }


def _query(query: Any) -> Any:
    if isinstance(query, list) and len(query) == 1:
        return query[0]
    return query  # a longer list is the engine's to take (Perplexity) or refuse (validated)


def _client(call: Mapping[str, Any]) -> InfronSearch:
    max_retries = call.get("max_retries")
    headers = call.get("extra_headers")
    return InfronSearch(
        api_key=call.get("api_key"),
        search_url=call.get("api_base"),
        timeout=timeout_seconds(call.get("timeout")),
        max_retries=None if max_retries is None else int(max_retries),
        default_headers={str(k): str(v) for k, v in headers.items()} if headers else None,
        framework="litellm",
    )


def _response(provider: str, engine: str, found: SearchResponse, api_base: Any) -> Any:
    results = [
        {
            "title": hit.title or "",
            "url": hit.url or "",
            "snippet": hit.content,
            "date": hit.published_date,
        }
        for hit in found.hits
    ]
    hidden = {
        "custom_llm_provider": provider,
        "model": f"{engine}/search",
        "api_base": api_base,
        "request_id": found.request_id,
    }
    response = _compat.search_response(results, hidden)
    if found.total_cost is not None:
        _compat.set_response_cost(response, found.total_cost)
    return response


def from_litellm(provider: str, engine: str, call: Mapping[str, Any]) -> Any:
    """``litellm.search(..., search_provider="infron/<engine>")``, routed here by ``register()``."""
    try:
        client = _client(call)
        found = client.search(_query(call["query"]), **_search_args(engine, call))
        return _response(provider, engine, found, client.settings.search_url)
    except InfronError as exc:
        raise to_litellm_error(exc, f"{provider}/{engine}") from exc


async def afrom_litellm(provider: str, engine: str, call: Mapping[str, Any]) -> Any:
    """``litellm.asearch(...)`` (also the Router's and the proxy's ``/v1/search``)."""
    try:
        client = _client(call)
        found = await client.asearch(_query(call["query"]), **_search_args(engine, call))
        return _response(provider, engine, found, client.settings.search_url)
    except InfronError as exc:
        raise to_litellm_error(exc, f"{provider}/{engine}") from exc
