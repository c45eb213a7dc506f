"""LiteLLM's ``optional_params`` -> an Infron request body.

What arrives from LiteLLM (``litellm.main.completion`` -> ``get_optional_params``) for a custom
provider: the OpenAI parameters it mapped (``temperature``, ``max_tokens``, ``tools``,
``response_format``...), its own internals (``max_retries``, ``stream``, ``extra_body``,
``extra_headers``), every non-OpenAI keyword verbatim (``provider``, ``reasoning``, ``usage``,
``prompt_cache``...), and the OpenAI parameters the caller allowed with ``allowed_openai_params``
(``reasoning_effort``, ``thinking``).

This module strips the internals, merges ``extra_body`` at the top level (as the OpenAI SDK does),
maps ``reasoning_effort``/``thinking`` onto Infron's ``reasoning`` object (docs: Reasoning &
Thinking), validates ``provider``/``reasoning``/``web_search_options``/``usage`` with the core's
option models before anything is sent, and places prompt-cache breakpoints (docs: Prompt Caching).
``optional_params`` and ``messages`` are never mutated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..core.cache import apply_prompt_cache, validate_cache_markers
from ..core.errors import InfronConfigError
from ..core.options import (
    BODY_OPTION_KEYS,
    InfronOptions,
    check_option_spelling,
    merge_options,
    option_layer,
    parse_options,
    request_fragment,
)
from ..core.reasoning import merge_reasoning_details

__all__ = ["ChatRequest", "build_chat_request", "build_embedding_request", "wire_messages"]

#: LiteLLM internals that must not reach the wire.
_INTERNAL = frozenset({"max_retries", "stream", "extra_body", "extra_headers", "prompt_cache"})
#: Body keys the core options own (validated, then re-emitted by ``request_fragment``).
_OPTION_KEYS = frozenset(BODY_OPTION_KEYS)
#: Keyword arguments taken as options as they are (``reasoning`` also merges LiteLLM's knobs).
_LAYER_KEYS = ("provider", "web_search_options", "usage", "prompt_cache")
#: LiteLLM's reasoning knobs, mapped onto ``reasoning``.
_REASONING_KNOBS = frozenset({"reasoning_effort", "thinking"})
_SPECIAL = _INTERNAL | _OPTION_KEYS | _REASONING_KNOBS

# LiteLLM accepts efforts Infron does not name; map them to the closest documented one.
_EFFORT_ALIASES = {"max": "xhigh"}
_DEFAULT_USAGE = {"include": True}
# LiteLLM keeps message fields it does not model (Infron's message-level `thought_signature`,
# `reasoning_details`) in `provider_specific_fields`, and a streamed tool call's `thought_signature`
# in the call's own; a replayed assistant message must carry them at the top level again (of the
# message, of the call), and LiteLLM's containers must not reach the wire.
_PSF = "provider_specific_fields"
_DETAILS = "reasoning_details"
_LIFTED = ("thought_signature", _DETAILS)


class ChatRequest:
    """A built request: the body, per-call headers and the retry budget."""

    __slots__ = ("body", "headers", "max_retries")

    def __init__(self, body: dict[str, Any], headers: dict[str, str], max_retries: int | None):
        self.body = body
        self.headers = headers
        self.max_retries = max_retries


def _reasoning_from_knobs(effort: Any, thinking: Any) -> dict[str, Any]:
    reasoning: dict[str, Any] = {}
    if effort is not None and effort != "default":
        reasoning["effort"] = _EFFORT_ALIASES.get(effort, effort)
    if thinking is not None:
        if not isinstance(thinking, Mapping):
            raise InfronConfigError(
                "thinking must be an object such as {'type': 'enabled', 'budget_tokens': 2048}; "
                f"got {thinking!r}."
            )
        kind = thinking.get("type")
        budget = thinking.get("budget_tokens")
        if kind == "disabled":
            reasoning = {"effort": "none"}
        elif kind in ("enabled", "adaptive"):
            if budget is not None:
                reasoning["max_tokens"] = budget
            elif "effort" not in reasoning:
                reasoning["effort"] = "medium"
        else:
            raise InfronConfigError(
                f"thinking.type {kind!r} is not understood; use 'enabled' (with budget_tokens), "
                "'adaptive' or 'disabled' (or pass reasoning={'effort': ...} directly)."
            )
    return reasoning


def _merged_details(message: Mapping[str, Any]) -> list[Any] | None:
    """The message's ``reasoning_details`` merged (docs: Reasoning & Thinking), or None when
    they are already whole: a user who gathered a stream's deltas by hand sends fragments, which
    signing providers reject."""
    details = message.get(_DETAILS)
    if not isinstance(details, list) or len(details) < 2:
        return None
    merged = merge_reasoning_details(details)
    return merged if merged != details else None


def _replayable(message: Any) -> Any:
    if not isinstance(message, Mapping):
        dump = getattr(message, "model_dump", None)
        if not callable(dump):
            return message
        message = dump(exclude_none=True)
    clean = message
    if _PSF in message:
        clean = {k: v for k, v in message.items() if k != _PSF}
        extras = message.get(_PSF) or {}
        for key in _LIFTED:
            if extras.get(key) is not None and key not in clean:
                clean[key] = extras[key]
    merged = _merged_details(clean)
    if merged is not None:
        clean = {**clean, _DETAILS: merged}
    calls = clean.get("tool_calls")
    if isinstance(calls, list) and _calls_carry_fields(calls):
        clean = {**clean, "tool_calls": [_replayable_call(call) for call in calls]}
    return clean


def _calls_carry_fields(calls: list[Any]) -> bool:
    return any(isinstance(call, Mapping) and _PSF in call for call in calls)


def _carries_fields(message: Mapping[str, Any]) -> bool:
    """Whether a dict message needs :func:`_replayable` (most do not: they are sent as they are)."""
    if _PSF in message or _DETAILS in message:
        return True
    calls = message.get("tool_calls")
    return isinstance(calls, list) and _calls_carry_fields(calls)


def _replayable_call(call: Any) -> Any:
    if not isinstance(call, Mapping) or _PSF not in call:
        return call
    clean = {k: v for k, v in call.items() if k != _PSF}
    signature = (call.get(_PSF) or {}).get("thought_signature")
    if signature is not None and "thought_signature" not in clean:
        clean["thought_signature"] = signature
    return clean


def wire_messages(messages: list[Any]) -> list[Any]:
    """``messages`` as sent: LiteLLM's ``provider_specific_fields`` unpacked and streamed
    ``reasoning_details`` fragments merged; copies only if needed."""
    out: list[Any] | None = None
    for index, message in enumerate(messages):
        if isinstance(message, Mapping) and not _carries_fields(message):
            continue
        fixed = _replayable(message)
        if fixed is not message:
            if out is None:
                out = list(messages)
            out[index] = fixed
    return out if out is not None else messages


def _options(
    params: Mapping[str, Any], defaults: InfronOptions | None
) -> tuple[dict[str, Any], Any]:
    """Validate the Infron option keys; return the body fragment and the prompt-cache setting."""
    fields = option_layer(params, _LAYER_KEYS) or {}
    knobs = _reasoning_from_knobs(params.get("reasoning_effort"), params.get("thinking"))
    explicit = params.get("reasoning")
    if explicit is not None:
        if hasattr(explicit, "model_dump"):  # a core Reasoning instance
            explicit = explicit.model_dump(exclude_none=True)
        elif not isinstance(explicit, Mapping):
            raise InfronConfigError(
                f"reasoning must be an object such as {{'effort': 'high'}}; got {explicit!r}."
            )
    if knobs or explicit is not None:
        # the explicit `reasoning` object wins field by field over reasoning_effort/thinking
        fields["reasoning"] = {**knobs, **(explicit or {})}
    if defaults is None and not fields:
        return {"usage": dict(_DEFAULT_USAGE)}, None
    options = parse_options(fields)
    if defaults is not None:
        options = merge_options(defaults, options)
    return request_fragment(options), options.prompt_cache


def build_chat_request(
    model: str,
    messages: list[Any],
    optional_params: Mapping[str, Any],
    headers: Mapping[str, str] | None,
    *,
    stream: bool,
    defaults: InfronOptions | None = None,
) -> ChatRequest:
    """The chat-completions body for ``model`` and LiteLLM's ``optional_params``.

    Raises:
        InfronConfigError: an invalid Infron option or cache marker, naming the field.
    """
    params: dict[str, Any] = dict(optional_params)
    extra_body = params.get("extra_body")
    if extra_body:
        if not isinstance(extra_body, Mapping):
            raise InfronConfigError(f"extra_body must be a dict; got {type(extra_body).__name__}.")
        params.update(extra_body)
    messages = wire_messages(messages)
    body: dict[str, Any] = {"model": model, "messages": messages}
    for key, value in params.items():
        if key not in _SPECIAL and value is not None:
            body[key] = value
    check_option_spelling(body)
    fragment, prompt_cache = _options(params, defaults)
    body.update(fragment)
    tools = body.get("tools")
    if prompt_cache is not None:
        body["messages"], new_tools = apply_prompt_cache(messages, tools, prompt_cache)
        if new_tools is not None:
            body["tools"] = new_tools
    else:
        validate_cache_markers(messages, tools)
    if stream:
        body["stream"] = True
    else:
        body.pop("stream_options", None)
    extra_headers = params.get("extra_headers")
    merged = dict(headers) if headers else {}
    if extra_headers:
        merged.update(extra_headers)
    return ChatRequest(body, merged, params.get("max_retries"))


def build_embedding_request(
    model: str, inputs: Any, optional_params: Mapping[str, Any]
) -> ChatRequest:
    """The embeddings body. ``provider`` is validated; ``usage`` (cost) is sent only when asked.

    The Infron docs show ``usage: {"include": true}`` for chat only, so embeddings ask for cost
    only when the caller passes ``usage={"include": True}``; the gateway's ``cost`` is then
    surfaced as LiteLLM's ``response_cost``.
    """
    params: dict[str, Any] = dict(optional_params)
    extra_body = params.get("extra_body")
    if extra_body:
        params.update(extra_body)
    body: dict[str, Any] = {"model": model, "input": inputs}
    for key, value in params.items():
        if key not in _SPECIAL and value is not None:
            body[key] = value
    if "provider" in params or "usage" in params:
        fields: dict[str, Any] = {k: params[k] for k in ("provider", "usage") if k in params}
        fragment = request_fragment(parse_options(fields))
        if "provider" in fragment:
            body["provider"] = fragment["provider"]
        if "usage" in params and "usage" in fragment:
            body["usage"] = fragment["usage"]
    extra_headers = params.get("extra_headers")
    return ChatRequest(body, dict(extra_headers or {}), params.get("max_retries"))
