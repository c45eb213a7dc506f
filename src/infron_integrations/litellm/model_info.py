"""Infron's model catalog as LiteLLM's model info: ``get_model_info``, ``supports_*``, context
windows and the prices LiteLLM estimates with before a call.

Docs: the Models API the FAQ points to (``GET /v1/models``), Billing Tracking. The catalog comes
from ``infron_integrations.core.catalog``: one JSON file per base URL in the on-disk cache, fresh
for ``INFRON_CATALOG_TTL`` seconds (a day by default).

* Nothing is fetched at import, nor by :func:`~infron_integrations.litellm.register`, which only
  reads what the disk cache holds.
* Lazily: the first ``infron/`` call to a base URL (and the first after the TTL ran out) loads
  that URL's cached catalog, and when it is missing or stale fetches a new one in a background
  thread, so the call itself does not wait. Offline, a warning says what failed and what LiteLLM
  is left with; the next attempt comes after :data:`RETRY_AFTER` seconds.
* :func:`refresh_model_info` / :func:`arefresh_model_info` fetch now (raising on failure).

Each catalog entry becomes a LiteLLM model-map entry ``"infron/<id>"`` (``litellm.register_model``):
``max_input_tokens``, ``max_output_tokens``, per-token prices, ``mode`` and the ``supports_*``
flags the entry states (a flag the entry does not state is not set). The gateway's own ``cost``
stays the truth: ``litellm.completion_cost`` of a response that carries one returns it; catalog
prices only price what has no cost yet (estimates before a call, ``usage`` accounting turned off).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any

import litellm

from ..core.catalog import (
    CachedCatalog,
    afetch_catalog,
    cached_catalog,
    catalog_ttl,
    entry_limits,
    fetch_catalog,
    positive_int,
)
from ..core.errors import InfronError
from ..core.settings import DEFAULT_BASE_URL, ENV_BASE_URL, InfronSettings
from ._compat import claimed_providers
from ._transport import Endpoint

__all__ = [
    "RETRY_AFTER",
    "arefresh_model_info",
    "litellm_model_info",
    "load_cached_model_info",
    "refresh_model_info",
]

logger = logging.getLogger("infron_integrations.litellm")

#: seconds between two lazy attempts at a catalog that could not be fetched
RETRY_AFTER = 300.0

_MODES = {"chat": "chat", "embedding": "embedding", "rerank": "rerank"}
#: catalog input modality -> LiteLLM flag
_INPUT_FLAGS = {
    "image": "supports_vision",
    "file": "supports_pdf_input",
    "audio": "supports_audio_input",
    "video": "supports_video_input",
}
#: catalog parameter -> LiteLLM flag
_PARAMETER_FLAGS = {
    "tools": "supports_function_calling",
    "tool_choice": "supports_tool_choice",
    "structured_outputs": "supports_response_schema",
    "reasoning": "supports_reasoning",
    "web_search_options": "supports_web_search",
}
_PRICES = {
    "prompt": "input_cost_per_token",
    "completion": "output_cost_per_token",
    "input_cache_read": "cache_read_input_token_cost",
    "input_cache_write": "cache_creation_input_token_cost",
}


def _price(value: Any) -> float | None:
    # the catalog gives USD per token as decimal strings ("0.000003"); numbers are taken too
    if isinstance(value, bool):
        return None
    try:
        price = float(value)
    except (TypeError, ValueError):
        return None
    return price if price >= 0 else None


def litellm_model_info(entry: Mapping[str, Any], provider: str = "infron") -> dict[str, Any]:
    """LiteLLM's model-map entry for one ``/v1/models`` entry (a pure mapping)."""
    info: dict[str, Any] = {"litellm_provider": provider}
    kind = entry.get("type")
    mode = _MODES.get(kind if isinstance(kind, str) else "chat")
    if mode is not None:
        info["mode"] = mode
    context, max_output = entry_limits(entry)
    if context:
        info["max_input_tokens"] = context
    if max_output:
        info["max_output_tokens"] = max_output
    if max_output or context:
        info["max_tokens"] = max_output or context  # LiteLLM's older name, still read
    pricing = entry.get("pricing")
    if isinstance(pricing, Mapping):
        for key, name in _PRICES.items():
            price = _price(pricing.get(key))
            if price is not None:
                info[name] = price
        if "cache_read_input_token_cost" in info:
            info["supports_prompt_caching"] = True
    architecture = entry.get("architecture")
    if isinstance(architecture, Mapping):
        inputs = architecture.get("input_modalities")
        if isinstance(inputs, list):
            for modality, flag in _INPUT_FLAGS.items():
                info[flag] = modality in inputs
        outputs = architecture.get("output_modalities")
        if isinstance(outputs, list):
            info["supports_audio_output"] = "audio" in outputs
    parameters = entry.get("supported_parameters")
    if isinstance(parameters, list) and mode == "chat":
        for parameter, flag in _PARAMETER_FLAGS.items():
            info[flag] = parameter in parameters
        info["supports_system_messages"] = True
    if entry.get("supports_reasoning") is True:
        info["supports_reasoning"] = True
    dimensions = positive_int(entry.get("dimensions"))
    if dimensions and mode == "embedding":
        info["output_vector_size"] = dimensions
    return info


class _State:
    """What this process knows of one base URL's catalog."""

    __slots__ = ("fetched_at", "models", "next_attempt", "refreshing")

    def __init__(self) -> None:
        self.fetched_at = 0.0  # epoch seconds of the catalog LiteLLM has, 0.0: none
        self.models = 0
        self.next_attempt = 0.0  # monotonic time before which no lazy check runs
        self.refreshing = False


_lock = threading.Lock()
_states: dict[str, _State] = {}


def _providers() -> Iterable[str]:
    return claimed_providers() or ("infron",)


def _install(base_url: str, catalog: CachedCatalog) -> int:
    entries: dict[str, Any] = {}
    for provider in _providers():
        for model_id, entry in catalog.items():
            entries[f"{provider}/{model_id}"] = litellm_model_info(entry, provider)
    if entries:
        litellm.register_model(entries)
    with _lock:
        state = _states.setdefault(base_url, _State())
        state.fetched_at = catalog.fetched_at
        state.models = len(catalog)
        state.next_attempt = time.monotonic() + max(0.0, catalog_ttl() - catalog.age)
    return len(catalog)


def load_cached_model_info(base_url: str | None = None) -> int:
    """Give LiteLLM the on-disk cached catalog of ``base_url`` (default: the environment's), even a
    stale one; never touches the network. Returns the number of models (0: nothing cached)."""
    url = (base_url or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL).strip().rstrip("/")
    state = _states.get(url)
    if state is not None and state.fetched_at:
        return state.models  # this process has it already
    catalog = cached_catalog(url)
    return _install(url, catalog) if catalog is not None else 0


def _settings(api_key: str | None, base_url: str | None, timeout: float | None) -> InfronSettings:
    return InfronSettings.resolve(api_key=api_key, base_url=base_url, timeout=timeout)


def refresh_model_info(
    *, api_key: str | None = None, base_url: str | None = None, timeout: float | None = None
) -> int:
    """Fetch the gateway's catalog now (``GET /v1/models``), cache it on disk and give it to LiteLLM.

    Key and URL default to ``INFRON_API_KEY`` / ``INFRON_BASE_URL``.

    Returns:
        The number of models in the catalog.

    Raises:
        InfronConfigError: no API key, or a malformed base URL.
        InfronAPIError: the gateway answered with an error.
        InfronConnectionError: the gateway could not be reached (the message names the URL).
    """
    settings = _settings(api_key, base_url, timeout)
    return _install(settings.base_url, fetch_catalog(settings))


async def arefresh_model_info(
    *, api_key: str | None = None, base_url: str | None = None, timeout: float | None = None
) -> int:
    """Async :func:`refresh_model_info`."""
    settings = _settings(api_key, base_url, timeout)
    return _install(settings.base_url, await afetch_catalog(settings))


# --- lazily, from the handler --------------------------------------------------------------------


def ensure_fresh(target: Endpoint) -> None:
    """Called on every ``infron/`` call: loads or refreshes the target's catalog when due.

    The common case is one dictionary lookup and one clock read.
    """
    state = _states.get(target.base_url)
    if state is not None and time.monotonic() < state.next_attempt:
        return
    _check(target)


def _check(target: Endpoint) -> None:
    base_url = target.base_url
    with _lock:
        state = _states.setdefault(base_url, _State())
        if state.refreshing or time.monotonic() < state.next_attempt:
            return
        state.refreshing = True
        state.next_attempt = time.monotonic() + RETRY_AFTER
    try:
        if state.fetched_at == 0.0:  # first use in this process: the disk cache may do
            cached = cached_catalog(base_url)
            if cached is not None:
                _install(base_url, cached)
                if cached.is_fresh():
                    state.refreshing = False
                    return
        threading.Thread(
            target=_refresh_in_background,
            args=(target.settings, state),
            name="infron-model-catalog",
            daemon=True,
        ).start()
    except InfronError as exc:  # INFRON_CATALOG_TTL unreadable: say so, never fail the call
        logger.warning("Infron model catalog: %s", exc)
        state.refreshing = False


def _refresh_in_background(settings: InfronSettings, state: _State) -> None:
    base_url = settings.base_url
    try:
        _install(base_url, fetch_catalog(settings))
    except Exception as exc:
        with _lock:
            state.next_attempt = time.monotonic() + RETRY_AFTER
        have = (
            f"the catalog cached on {time.ctime(state.fetched_at)}"
            if state.fetched_at
            else "LiteLLM's own table only (get_model_info raises for the models it lacks)"
        )
        logger.warning(
            "Infron's model catalog could not be fetched from %s/models (%s: %s); LiteLLM's model "
            "info for infron/ models uses %s. Retrying in %d s, or call "
            "infron_integrations.litellm.refresh_model_info() once the gateway is reachable.",
            base_url,
            type(exc).__name__,
            exc,
            have,
            int(RETRY_AFTER),
        )
    finally:
        state.refreshing = False


def forget_model_info() -> None:
    """Forget what this process loaded (LiteLLM keeps the entries; the disk cache stays)."""
    with _lock:
        _states.clear()
