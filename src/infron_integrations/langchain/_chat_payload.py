"""LangChain messages and options -> the Infron chat-completions request body.

Docs: Inference Provider Routing, Reasoning & Thinking, Web Search, Prompt Caching, Billing
Tracking (the options fragment comes from :func:`infron_integrations.core.request_fragment`), PDF
Inputs (``file`` parts whose ``file_data`` is a URL or a data URL), and the chat-completion
OpenAPI schema (``thought_signature`` on assistant messages and their tool calls).

Message conversion reuses langchain-openai's (content blocks, tool calls, images, audio) and adds
what Infron needs on top: thought signatures sent back verbatim, past reasoning replayed by policy,
and PDF URLs, which OpenAI's own converter rejects but Infron accepts.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from typing import Any, Literal
from urllib.parse import urlsplit

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from ..core.errors import InfronConfigError
from ..core.options import option_layer
from ._chat_convert import SIGNATURES_KEY
from ._compat import message_to_dict, response_format_param, v1_to_chat_completions

__all__ = [
    "CALL_OPTION_NAMES",
    "ReasoningReplay",
    "message_dicts",
    "pop_call_options",
    "request_options",
    "structured_schema",
]

ReasoningReplay = Literal["none", "current_turn", "all"]

#: Per-call keyword arguments that are Infron options (``.invoke(..., provider=...)``/``.bind``).
CALL_OPTION_NAMES = (
    "provider",
    "reasoning",
    "web_search",
    "web_search_options",
    "prompt_cache",
    "usage_accounting",
)

#: Keyword arguments the OpenAI SDK takes as request options rather than body fields.
_REQUEST_OPTION_KEYS = {
    "extra_headers": "headers",
    "extra_query": "params",
    "extra_body": "extra_json",
    "timeout": "timeout",
}


def pop_call_options(kwargs: dict[str, Any]) -> dict[str, Any] | None:
    """Remove the Infron options from ``kwargs``; return them as an options layer (or None)."""
    layer = option_layer(kwargs, CALL_OPTION_NAMES)
    for name in CALL_OPTION_NAMES:
        kwargs.pop(name, None)
    return layer


def request_options(payload: dict[str, Any]) -> dict[str, Any]:
    """Move ``extra_headers``/``extra_query``/``extra_body``/``timeout`` out of the body.

    ``extra_body`` is merged over the body by the SDK, as with ``ChatOpenAI``: it is the raw
    escape hatch and wins over typed options.
    """
    options: dict[str, Any] = {}
    for key, option in _REQUEST_OPTION_KEYS.items():
        if key in payload:
            value = payload.pop(key)
            if value is not None:
                options[option] = value
    return options


def structured_schema(payload: dict[str, Any]) -> type | None:
    """Turn a pydantic ``response_format`` into its strict ``json_schema`` dict, in place.

    Returns the pydantic class, so the answer can be parsed into it (``additional_kwargs
    ["parsed"]``, which LangChain's structured-output parser reads).
    """
    response_format = payload.get("response_format")
    if not isinstance(response_format, type):
        return None
    payload["response_format"] = response_format_param(response_format)
    return response_format


def _file_url_part(block: Mapping[str, Any]) -> dict[str, Any]:
    url = block["url"]
    filename = block.get("filename")
    if not filename:
        extras = block.get("extras") or block.get("metadata") or {}
        filename = extras.get("filename") if isinstance(extras, Mapping) else None
    if not filename:
        filename = posixpath.basename(urlsplit(url).path) or "document.pdf"
    return {"type": "file", "file": {"filename": filename, "file_data": url}}


def _with_file_urls(message: BaseMessage) -> BaseMessage:
    """Rewrite standard ``{"type": "file", "url": ...}`` blocks into Infron's ``file`` parts."""
    content = message.content
    if not isinstance(content, list):
        return message
    if not any(
        isinstance(b, dict) and b.get("type") == "file" and "url" in b and "file" not in b
        for b in content
    ):
        return message
    new_content = [
        _file_url_part(b)
        if isinstance(b, dict) and b.get("type") == "file" and "url" in b and "file" not in b
        else b
        for b in content
    ]
    return message.model_copy(update={"content": new_content})


def _reasoning_of(message: AIMessage) -> str | None:
    text = message.additional_kwargs.get("reasoning_content")
    if isinstance(text, str) and text:
        return text
    if isinstance(message.content, list):
        parts = [
            b.get("reasoning") or ""
            for b in message.content
            if isinstance(b, dict) and b.get("type") == "reasoning"
        ]
        joined = "".join(p for p in parts if isinstance(p, str))
        return joined or None
    return None


def _ai_message_dict(message: AIMessage, *, replay_reasoning: bool) -> dict[str, Any]:
    wire = message_to_dict(v1_to_chat_completions(message))
    extra = message.additional_kwargs
    signature = extra.get("thought_signature")
    if signature:
        wire["thought_signature"] = signature
    signatures = extra.get(SIGNATURES_KEY)
    if signatures and wire.get("tool_calls"):
        for call in wire["tool_calls"]:
            call_signature = signatures.get(call.get("id"))
            if call_signature:
                call["thought_signature"] = call_signature
    if replay_reasoning:
        reasoning = _reasoning_of(message)
        if reasoning:
            wire["reasoning_content"] = reasoning
        details = extra.get("reasoning_details")
        if details:
            wire["reasoning_details"] = details
    return wire


def message_dicts(messages: Sequence[BaseMessage], replay: ReasoningReplay) -> list[dict[str, Any]]:
    """Chat-completions messages, with Infron's round-trip fields.

    Args:
        messages: the conversation.
        replay: which past assistant reasoning to send back: ``"none"``; ``"current_turn"``
            (the assistant messages after the last user message, i.e. an ongoing tool loop,
            which thinking models with tools need); or ``"all"``. Thought signatures are always
            sent back: they are opaque tokens the provider issued for exactly this purpose.
    """
    if replay not in ("none", "current_turn", "all"):
        raise InfronConfigError(
            f"reasoning_replay={replay!r} is not valid; use 'none', 'current_turn' or 'all'."
        )
    boundary = -1
    if replay == "current_turn":
        for index in range(len(messages) - 1, -1, -1):
            if isinstance(messages[index], HumanMessage):
                boundary = index
                break
    out: list[dict[str, Any]] = []
    for index, message in enumerate(messages):
        if isinstance(message, AIMessage):
            send = replay == "all" or (replay == "current_turn" and index > boundary)
            out.append(_ai_message_dict(message, replay_reasoning=send))
        else:
            out.append(message_to_dict(_with_file_urls(message)))
    return out
