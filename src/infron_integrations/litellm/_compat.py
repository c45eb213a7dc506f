"""Every private name, version switch and workaround of LiteLLM that the adapter relies on.

The rest of the adapter uses LiteLLM's public API only and imports what it needs of LiteLLM's
internals from here, so a LiteLLM release that moves one of them is fixed in this file alone. Each
entry says why it is needed and the LiteLLM versions it was checked on: 1.106.2 (lane ``oldest``),
1.108.7 (lane ``newest``, with the proxy) and 1.110.2 (lane ``newest-litellm-sdk``).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import re
from collections.abc import Callable, Mapping, Sequence
from importlib import metadata
from typing import Any

# LiteLLM's converter from an OpenAI-shaped body to its ModelResponse, with reasoning, tool calls,
# annotations and cached tokens (no public equivalent). Checked: 1.106.2, 1.108.7, 1.110.2.
from litellm.litellm_core_utils.llm_response_utils.convert_dict_to_response import (
    convert_to_model_response_object as _convert_to_model_response_object,
)
from litellm.types.utils import ModelResponseStream

__all__ = [
    "CHECKED_VERSIONS",
    "OPENAI_CHAT_PARAMS",
    "OPENAI_EMBEDDING_PARAMS",
    "InfronStreamChunk",
    "RerankImpl",
    "accept_openai_params",
    "claim_provider",
    "claimed_providers",
    "gateway_cost",
    "litellm_owned",
    "model_response_from_body",
    "price_from_gateway",
    "replace_hidden_params",
    "route_rerank",
    "route_search",
    "router_reads_first_chunk",
    "router_stream_retry_budget",
    "search_response",
    "set_response_cost",
    "set_stream_message_fields",
    "set_stream_tool_call_fields",
]

#: The LiteLLM releases every entry of this module was checked on.
CHECKED_VERSIONS = ("1.106.2", "1.108.7", "1.110.2")


# --- responses ----------------------------------------------------------------------------------


def model_response_from_body(body: dict[str, Any], model_response: Any) -> Any:
    """LiteLLM's ``ModelResponse`` for a chat-completion body, filled by LiteLLM's own converter."""
    return _convert_to_model_response_object(
        response_object=body, model_response_object=model_response, hidden_params={}
    )


# LiteLLM documents a response's cost as `response._hidden_params["response_cost"]`; its callbacks
# and the proxy's x-litellm-response-cost header read it there. Checked: 1.106.2, 1.108.7, 1.110.2.
_COST_KEY = "response_cost"
# LiteLLM's cost calculator prefers this provider-header entry to its own price table, so the
# gateway's cost is what callbacks and spend logs get. Checked: 1.106.2, 1.108.7, 1.110.2.
_COST_HEADER = "llm_provider-x-litellm-response-cost"


def set_response_cost(response: Any, cost: Any) -> None:
    """Put the gateway's ``cost`` where LiteLLM keeps a response's cost (``_hidden_params``)."""
    hidden = response._hidden_params
    hidden[_COST_KEY] = cost
    hidden.setdefault("additional_headers", {})[_COST_HEADER] = cost


def replace_hidden_params(response: Any, values: Mapping[str, Any]) -> None:
    """Give a response LiteLLM did not build (our ``RerankResponse``) its ``_hidden_params``."""
    # LiteLLM's own rerank route fills these (provider, model, cost); ours is built by hand.
    # Checked: 1.106.2, 1.108.7, 1.110.2.
    response._hidden_params = dict(values)


class InfronStreamChunk(ModelResponseStream):  # type: ignore[misc]
    """LiteLLM's ``ModelResponseStream``, with a short ``format(chunk)``.

    LiteLLM's stream wrapper (``CustomStreamWrapper``) formats every chunk twice into debug
    f-strings, even when debug logging is off; for a pydantic chunk that costs more than building
    it (about 0.2 ms each, a third of the wrapper's time per chunk). ``str()`` and ``repr()`` are
    unchanged; only formatting with an empty spec (``f"{chunk}"``) gives the short form. Checked:
    1.106.2, 1.108.7, 1.110.2 (the f-strings are still there).
    """

    def __format__(self, format_spec: str) -> str:
        if format_spec:
            return super().__format__(format_spec)  # type: ignore[no-any-return]
        return f"ModelResponseStream(id={self.id!r}, choices={len(self.choices)})"


def set_stream_message_fields(chunk: Any, fields: Mapping[str, Any]) -> None:
    """Put message fields LiteLLM does not model on a stream's closing chunk, so that
    ``litellm.stream_chunk_builder`` files them in ``message.provider_specific_fields``.

    That is where LiteLLM's non-stream converter files the same fields (Infron's
    ``reasoning_details``, ``thought_signature``), so a message rebuilt from a stream replays like
    a non-streamed one. Why the closing chunk: the builder drops delta keys it does not know (the
    ``reasoning_details`` fragments of the deltas are lost) and merges the deltas'
    ``provider_specific_fields`` key by key with the last value winning, so a list sent in
    fragments there would keep only its last fragment. A handler's closing
    ``GenericStreamingChunk["provider_specific_fields"]`` becomes the last delta's
    ``provider_specific_fields`` (``CustomStreamWrapper``), and a value carried once, whole, there
    survives the builder. Checked: 1.106.2, 1.108.7, 1.110.2 (sync and async streams).
    """
    if fields:
        chunk["provider_specific_fields"] = dict(fields)


def set_stream_tool_call_fields(call: dict[str, Any], fields: Mapping[str, Any]) -> None:
    """Put tool-call fields LiteLLM does not model (Infron's per-call ``thought_signature``) where
    ``litellm.stream_chunk_builder`` keeps them: the tool call's ``provider_specific_fields``.

    The builder assembles a tool call from its deltas' id, name and arguments only, and carries a
    delta tool call's ``provider_specific_fields`` over to the built call (LiteLLM does this for
    its own Gemini thought signatures). Checked: 1.106.2, 1.108.7, 1.110.2.
    """
    if fields:
        call["provider_specific_fields"] = {
            **(call.get("provider_specific_fields") or {}),
            **fields,
        }


# --- the Router and async streams ---------------------------------------------------------------

# Where LiteLLM's Router keeps the helper that reads a stream's first chunk inside its retry loop:
# litellm.router (1.108.x), litellm.router_python_core (1.109.x) and
# litellm.router_rust.invoke.streaming (1.110.x). Checked: absent on 1.106.2 and 1.106.12;
# present on 1.108.0, 1.108.7, 1.109.0, 1.109.3, 1.110.0 and 1.110.2.
_FIRST_CHUNK_READER = "_aread_first_chunk"
_FIRST_CHUNK_HOMES = (
    "litellm.router",
    "litellm.router_python_core",
    "litellm.router_rust.invoke.streaming",
)
# The first release whose Router reads the first chunk in its retry loop (the release before it
# on the package index, 1.106.12, does not); used only when a later release has moved the helper
# out of the homes above.
_FIRST_CHUNK_SINCE = (1, 108, 0)


def _litellm_version() -> tuple[int, ...]:
    try:
        raw = metadata.version("litellm")
    except metadata.PackageNotFoundError:  # pragma: no cover - litellm is imported above
        return ()
    return tuple(int(part) for part in re.findall(r"\d+", raw)[:3])


@functools.cache
def router_reads_first_chunk() -> bool:
    """Whether LiteLLM's Router reads an async stream's first chunk inside its retry loop.

    LiteLLM opens a custom provider's async stream on its first ``__anext__``. Since 1.108.0 the
    Router reads that first chunk inside ``acompletion`` (within its retries and fallbacks), so a
    stream that fails before its first token is retried by the Router. Older Routers return the
    stream first, so such a failure came after their retry loop and was never retried.
    """
    for home in _FIRST_CHUNK_HOMES:
        try:
            module = importlib.import_module(home)
        except ImportError:
            continue
        if hasattr(module, _FIRST_CHUNK_READER):
            return True
    return _litellm_version() >= _FIRST_CHUNK_SINCE


def router_stream_retry_budget(litellm_params: Any) -> int | None:
    """The retries the handler owes the opening of a Router call's async stream, or None.

    None when the call is not a Router's, or when the Router reads the first chunk inside its own
    retry loop (:func:`router_reads_first_chunk`) and so retries the opening itself. Otherwise the
    Router's ``num_retries``: the Router passes ``max_retries=0`` to the handler and returns the
    stream before it is opened, so nobody else would retry a 429/5xx there.
    """
    if not isinstance(litellm_params, Mapping):
        return None
    # A Router call's litellm_params["metadata"] carries its model group and num_retries (as
    # "model_group" and "max_retries"), undocumented keys. Checked: 1.106.2, 1.108.7, 1.110.2.
    meta = litellm_params.get("metadata")
    if not isinstance(meta, Mapping) or not meta.get("model_group"):
        return None
    if router_reads_first_chunk():
        return None
    budget = meta.get("max_retries")
    if isinstance(budget, bool) or not isinstance(budget, (int, str)):
        return 0
    return max(0, int(budget)) if str(budget).isdigit() else 0


# --- the providers this adapter answers for ---------------------------------------------------

#: The model prefixes routed to our handler (``infron`` and any name given to ``register()``).
#: Every seam below acts only on calls, responses and models of these providers.
_providers: set[str] = set()
#: Set on a LiteLLM function this module wrapped, so installing twice wraps once.
_WRAPPED = "__infron_wrapped__"


def claim_provider(name: str) -> None:
    """Mark ``name`` (a ``custom_provider_map`` entry of ours) for the seams of this module."""
    _providers.add(name)


def claimed_providers() -> frozenset[str]:
    return frozenset(_providers)


def _wrap_once(module: Any, name: str, wrap: Callable[[Any], Any]) -> None:
    current = getattr(module, name)
    if not getattr(current, _WRAPPED, False):
        wrapped = wrap(current)
        setattr(wrapped, _WRAPPED, True)
        setattr(module, name, wrapped)


# --- OpenAI parameters LiteLLM refuses for custom providers -------------------------------------

#: OpenAI chat parameters Infron takes that LiteLLM refuses for every custom provider: LiteLLM
#: checks a custom provider's parameters against its generic OpenAI-compatible list
#: (``OpenAILikeChatConfig``), which lacks these three, before any handler runs. Checked: 1.106.2,
#: 1.108.7, 1.110.2 (``get_supported_openai_params`` has no entry for custom providers).
OPENAI_CHAT_PARAMS = ("reasoning_effort", "thinking", "verbosity")
#: OpenAI embeddings parameters LiteLLM refuses for custom providers whatever
#: ``allowed_openai_params`` says (its embeddings check has no custom-provider branch). Checked:
#: 1.106.2, 1.108.7, 1.110.2.
OPENAI_EMBEDDING_PARAMS = ("dimensions", "encoding_format", "user")


def _chat_params_accepted(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def get_optional_params(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("custom_llm_provider") in _providers:
            wanted = [name for name in OPENAI_CHAT_PARAMS if kwargs.get(name) is not None]
            if wanted:
                # LiteLLM's own per-call opt-in: these names pass its check and are copied
                # into optional_params unchanged, where the handler maps them onto `reasoning`
                allowed = list(kwargs.get("allowed_openai_params") or ())
                allowed += [name for name in wanted if name not in allowed]
                kwargs["allowed_openai_params"] = allowed
        return original(*args, **kwargs)

    return get_optional_params


def _embedding_params_accepted(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def get_optional_params_embeddings(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("custom_llm_provider") not in _providers:
            return original(*args, **kwargs)
        moved = {}
        for name in OPENAI_EMBEDDING_PARAMS:
            if kwargs.get(name) is not None:
                moved[name] = kwargs[name]
                kwargs[name] = None  # LiteLLM's check sees nothing to refuse
        params = original(*args, **kwargs)
        return {**params, **moved} if moved else params

    return get_optional_params_embeddings


def accept_openai_params() -> None:
    """Let the OpenAI parameters Infron takes through LiteLLM's parameter check, for our
    providers only, on every path: sync and async calls, streams, the Router and the proxy.

    LiteLLM has no public hook for a custom provider's supported parameters, and its one
    request hook (``async_pre_call_deployment_hook``) runs on async calls only. Both checks live
    in the two functions ``litellm.main.completion``/``embedding`` call for every call, sync or
    async (``acompletion`` runs ``completion`` in a worker), through ``litellm.main``'s module
    globals. The wrappers change a call's arguments only when its ``custom_llm_provider`` is ours:
    for chat they add what is present of :data:`OPENAI_CHAT_PARAMS` to ``allowed_openai_params``
    (LiteLLM's own per-call opt-in, so the handler gets them in ``optional_params``); for
    embeddings they hold :data:`OPENAI_EMBEDDING_PARAMS` back from the check and put them in the
    returned ``optional_params``. Checked: 1.106.2, 1.108.7, 1.110.2 (``get_optional_params`` and
    ``get_optional_params_embeddings`` imported into ``litellm.main`` from ``litellm.utils``).
    """
    main = importlib.import_module("litellm.main")
    _wrap_once(main, "get_optional_params", _chat_params_accepted)
    _wrap_once(main, "get_optional_params_embeddings", _embedding_params_accepted)


# --- cost: the gateway's figure in litellm.completion_cost ------------------------------------

#: completion_cost() arguments by which a caller asks for a price-table figure instead
_CALLER_PRICING = (
    "custom_cost_per_token",
    "custom_cost_per_second",
    "custom_pricing",
    "base_model",
)


def _number(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def _ours(hidden: Mapping[str, Any]) -> bool:
    if hidden.get("custom_llm_provider") in _providers:
        return True
    # a response from LiteLLM's cache has no provider entry, only the model it was asked for
    name = hidden.get("litellm_model_name")
    return isinstance(name, str) and name.split("/", 1)[0] in _providers


def gateway_cost(response: Any, provider: Any = None) -> float | None:
    """The gateway's cost of one of our responses (0.0 for a LiteLLM cache hit), else None.

    Ours: LiteLLM files the provider in ``_hidden_params["custom_llm_provider"]`` (a cached
    response: the model asked for, ``"infron/..."``, in ``litellm_model_name``; a Router's cached
    response neither, but LiteLLM's own cost calculation passes ``provider``). The cost is
    ``usage.cost`` (chat, stream-built and embedding responses) or the cost-header entry
    :func:`set_response_cost` puts in ``_hidden_params`` (rerank responses have no usage).
    Checked: 1.106.2, 1.108.7, 1.110.2.
    """
    hidden = getattr(response, "_hidden_params", None)
    if not isinstance(hidden, Mapping) or not (_ours(hidden) or provider in _providers):
        return None
    if hidden.get("cache_hit") is True:
        return 0.0  # LiteLLM's cache answered: the gateway was not called, nothing was charged
    usage = getattr(response, "usage", None)
    cost = _number(getattr(usage, "cost", None)) if usage is not None else None
    if cost is None:
        headers = hidden.get("additional_headers")
        cost = _number(headers.get(_COST_HEADER)) if isinstance(headers, Mapping) else None
    return cost


def is_our_cache_hit(response: Any, deployment: str | None = None) -> bool:
    """Whether LiteLLM's response cache answered this call of one of our providers.

    LiteLLM marks such a response ``_hidden_params["cache_hit"]``; a Router's cached response
    names the model without its provider prefix, so the Router's ``deployment`` (the
    deployment's ``model``, e.g. ``"infron/openai/gpt-4o-mini"``) may say whose it is. Checked:
    1.106.2, 1.108.7, 1.110.2.
    """
    hidden = getattr(response, "_hidden_params", None)
    if not isinstance(hidden, Mapping) or hidden.get("cache_hit") is not True:
        return False
    if _ours(hidden):
        return True
    return isinstance(deployment, str) and deployment.split("/", 1)[0] in _providers


def router_deployment(request_data: Mapping[str, Any]) -> str | None:
    """The ``model`` of the deployment the Router chose for a proxy request, if it says.

    The Router files it in the request's ``metadata["deployment"]`` (``litellm_metadata`` on
    some routes), undocumented keys. Checked: 1.106.2, 1.108.7.
    """
    for key in ("metadata", "litellm_metadata"):
        meta = request_data.get(key)
        if isinstance(meta, Mapping) and isinstance(meta.get("deployment"), str):
            return str(meta["deployment"])
    return None


def _gateway_priced(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def completion_cost(completion_response: Any = None, *args: Any, **kwargs: Any) -> Any:
        if not args and not any(kwargs.get(name) for name in _CALLER_PRICING):
            cost = gateway_cost(completion_response, kwargs.get("custom_llm_provider"))
            if cost is not None:
                return cost
        return original(completion_response, *args, **kwargs)

    return completion_cost


def price_from_gateway() -> None:
    """Make ``litellm.completion_cost(completion_response=r)`` return the gateway's cost of our
    responses.

    LiteLLM 1.106.2 and 1.108.7 price every response from their table (an Infron response of a
    model the table lacks raises ``ModelNotMappedError``; one it has gets the upstream vendor's
    list price, not what Infron charged). 1.110.2 reads ``usage.cost`` for chat and embeddings but
    not for rerank. The wrapper answers for our providers' responses that carry a gateway cost,
    unless the caller passes prices of its own; everything else goes to LiteLLM unchanged. It
    replaces ``completion_cost`` in ``litellm.cost_calculator`` (whose ``response_cost_calculator``
    calls it) and on the ``litellm`` module (a lazily exported name there). Checked: 1.106.2,
    1.108.7, 1.110.2.
    """
    module = importlib.import_module("litellm.cost_calculator")
    _wrap_once(module, "completion_cost", _gateway_priced)
    import litellm

    litellm.completion_cost = module.completion_cost


# --- rerank: infron/ models in litellm.rerank and the proxy's /rerank --------------------------

#: An ``infron/`` rerank: ``impl(model, call)`` with the model id without its prefix and every
#: keyword argument of the ``litellm.rerank`` call (the implementation picks what it knows)
RerankImpl = Callable[[str, Mapping[str, Any]], Any]
_rerank_impls: dict[str, RerankImpl] = {}


def _infron_rerank(provider: str, call: dict[str, Any], is_async: bool) -> Any:
    name = str(call["model"]).removeprefix(f"{provider}/")
    logging_obj = call.get("litellm_logging_obj")
    if logging_obj is not None:
        # what LiteLLM's own rerank routes record before sending, so that its success logging
        # (callbacks, the proxy's spend tracking) knows the model and the provider. Checked:
        # 1.106.2, 1.108.7, 1.110.2 (Logging.update_from_kwargs).
        logging_obj.update_from_kwargs(
            kwargs=call,
            model=name,
            user=call.get("user"),
            optional_params={"top_n": call.get("top_n")},
            litellm_params={"api_base": call.get("api_base")},
            custom_llm_provider=provider,
        )
    return _rerank_impls["async" if is_async else "sync"](name, call)


def _routed(
    original: Callable[..., Any],
    provider_of: Callable[[Mapping[str, Any]], Any],
    async_flag: str,
    dispatch: Callable[[str, dict[str, Any], bool], Any],
) -> Callable[..., Any]:
    """LiteLLM's ``original`` entry point (decorated with its ``client``), with calls whose
    provider (``provider_of(call)``) is ours sent to ``dispatch(provider, call, is_async)``.

    The undecorated body is wrapped and decorated again with LiteLLM's ``client`` (logging,
    callbacks, cost, the proxy's ``x-litellm-response-cost``), so our calls run inside LiteLLM's
    own entry point; any other call goes to LiteLLM's body unchanged. The async twin
    (``arerank``, ``asearch``) runs the sync body in a worker with ``async_flag`` set and awaits
    the coroutine it returns. Checked: 1.106.2, 1.108.7, 1.110.2.
    """
    inner = original.__wrapped__  # type: ignore[attr-defined]  # the body under @client
    signature = inspect.signature(inner)

    @functools.wraps(inner)
    def routed(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        call = dict(bound.arguments)
        call.update(call.pop("kwargs", None) or {})
        provider = provider_of(call)
        if provider not in _providers:
            return inner(*args, **kwargs)
        is_async = call.pop(async_flag, False) is True
        return dispatch(str(provider), call, is_async)

    client = importlib.import_module("litellm.utils").client
    return client(routed)  # type: ignore[no-any-return]


def _rerank_provider(call: Mapping[str, Any]) -> Any:
    model = call.get("model")
    provider = call.get("custom_llm_provider")
    if provider is None and isinstance(model, str) and "/" in model:
        provider = model.split("/", 1)[0]
    return provider


def route_rerank(sync_impl: RerankImpl, async_impl: RerankImpl) -> None:
    """Route ``litellm.rerank``/``arerank`` for our providers' models to the given functions.

    No LiteLLM release in the supported range has a rerank route for custom providers:
    ``CustomLLM`` has no rerank method, and ``litellm.rerank`` resolves the provider with
    ``litellm.LlmProviders(name)``, which raises for any name outside LiteLLM's own list (checked:
    1.106.2, 1.108.7, 1.110.2). So the undecorated body of ``litellm.rerank_api.main.rerank`` is
    wrapped: a call whose provider is ours goes to ``sync_impl``/``async_impl`` (the latter
    returns the coroutine ``arerank`` awaits), any other goes to LiteLLM's body unchanged; the
    wrapper is decorated again with LiteLLM's ``client`` (logging, callbacks, cost from the
    response's cost header, the proxy's ``x-litellm-response-cost``). ``arerank`` calls the
    module's ``rerank`` by name, and the Router and the proxy's ``/rerank`` call ``arerank``.
    """
    _rerank_impls["sync"] = sync_impl
    _rerank_impls["async"] = async_impl
    module = importlib.import_module("litellm.rerank_api.main")
    _wrap_once(
        module,
        "rerank",
        lambda original: _routed(original, _rerank_provider, "arerank", _infron_rerank),
    )
    import litellm

    litellm.rerank = module.rerank


# --- search: Infron's Search APIs in litellm.search and the proxy's /v1/search ----------------

#: An Infron search: ``impl(provider, engine, call)`` with the engine named by ``search_provider``
#: (``"infron/exa"``) and every keyword argument of the ``litellm.search`` call
SearchImpl = Callable[[str, str, Mapping[str, Any]], Any]
_search_impls: dict[str, SearchImpl] = {}


def _search_provider(call: Mapping[str, Any]) -> Any:
    name = call.get("search_provider")
    return name.split("/", 1)[0] if isinstance(name, str) else None


def _infron_search(provider: str, call: dict[str, Any], is_async: bool) -> Any:
    name = str(call["search_provider"])
    engine = name.split("/", 1)[1] if "/" in name else "tavily"
    logging_obj = call.get("litellm_logging_obj")
    if logging_obj is not None:
        # what LiteLLM's own search route records before sending (Logging.update_from_kwargs),
        # so that its success logging knows the model and the provider
        logging_obj.update_from_kwargs(
            kwargs=call,
            model=f"{engine}/search",
            optional_params={"max_results": call.get("max_results")},
            litellm_params={"api_base": call.get("api_base")},
            custom_llm_provider=provider,
        )
    return _search_impls["async" if is_async else "sync"](provider, engine, call)


def route_search(sync_impl: SearchImpl, async_impl: SearchImpl) -> None:
    """Route ``litellm.search``/``asearch`` with ``search_provider="infron/<engine>"`` (or
    ``"infron"``: Tavily) to the given functions.

    LiteLLM resolves ``search_provider`` with ``SearchProviders(name)``, which raises for any name
    outside its own list, and its own providers refuse an ``api_base`` on another host than theirs
    (1.108+), so Infron's search host cannot be reached through them. So the undecorated body of
    ``litellm.search.main.search`` is wrapped as for rerank (:func:`_routed`); ``asearch`` calls
    the module's ``search`` by name, and the Router and the proxy's ``/v1/search`` call
    ``asearch``. Checked: 1.106.2, 1.108.7, 1.110.2.
    """
    _search_impls["sync"] = sync_impl
    _search_impls["async"] = async_impl
    module = importlib.import_module("litellm.search.main")
    _wrap_once(
        module,
        "search",
        lambda original: _routed(original, _search_provider, "asearch", _infron_search),
    )
    import litellm

    litellm.search = module.search


def search_response(results: Sequence[Mapping[str, Any]], hidden: Mapping[str, Any]) -> Any:
    """LiteLLM's ``SearchResponse`` of ``results`` (title, url, snippet, date), with
    ``_hidden_params``. Checked: 1.106.2, 1.108.7, 1.110.2
    (``litellm.llms.base_llm.search.transformation``)."""
    module = importlib.import_module("litellm.llms.base_llm.search.transformation")
    response = module.SearchResponse(results=[module.SearchResult(**r) for r in results])
    replace_hidden_params(response, hidden)
    return response


def litellm_owned(kwargs: Mapping[str, Any]) -> set[str]:
    """The keys of a call's keyword arguments that are LiteLLM's own bookkeeping."""
    utils = importlib.import_module("litellm.utils")
    kept = utils.filter_out_litellm_params(kwargs=dict(kwargs))
    return {key for key in kwargs if key not in kept}
