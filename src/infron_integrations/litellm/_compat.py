"""Every private name, version switch and workaround of LiteLLM that the adapter relies on.

The rest of the adapter uses LiteLLM's public API only and imports what it needs of LiteLLM's
internals from here, so a LiteLLM release that moves one of them is fixed in this file alone. Each
entry says why it is needed and the LiteLLM versions it was checked on: 1.106.2 (lane ``oldest``),
1.108.7 (lane ``newest``, with the proxy) and 1.110.2 (lane ``newest-litellm-sdk``).
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Mapping
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
    "InfronStreamChunk",
    "model_response_from_body",
    "replace_hidden_params",
    "router_reads_first_chunk",
    "router_stream_retry_budget",
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
