"""Prompt-cache breakpoints: explicit ``cache_control`` parts and automatic placement.

Docs: Prompt Caching. A breakpoint is a ``cache_control`` object on a *text* content part or on a
tool definition; the cached prefix runs tools -> system -> messages up to the breakpoint. Providers
allow at most 4 breakpoints per request.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from .errors import InfronConfigError
from .options import CacheControl, PromptCache

__all__ = [
    "MAX_BREAKPOINTS",
    "apply_prompt_cache",
    "cache_text",
    "count_breakpoints",
    "validate_cache_markers",
]

MAX_BREAKPOINTS = 4


def _marker(ttl: str | None) -> dict[str, Any]:
    return CacheControl(ttl=ttl).to_wire()  # type: ignore[arg-type]


def cache_text(text: str, *, ttl: str | None = None) -> dict[str, Any]:
    """A text content part carrying a cache breakpoint: ``{"type": "text", "text", "cache_control"}``."""
    return {"type": "text", "text": text, "cache_control": _marker(ttl)}


def _parts(message: Mapping[str, Any]) -> Sequence[Any]:
    content = message.get("content")
    return content if isinstance(content, list) else ()


def validate_cache_markers(
    messages: Sequence[Mapping[str, Any]], tools: Sequence[Mapping[str, Any]] | None = None
) -> int:
    """Check every explicit marker and return how many there are.

    Raises:
        InfronConfigError: a marker outside a text part or a tool definition, a malformed marker,
            or more than 4 in one request.
    """
    count = 0
    for t_index, tool in enumerate(tools or ()):
        if isinstance(tool, Mapping) and "cache_control" in tool:
            _check_marker(tool["cache_control"], f"tools[{t_index}].cache_control")
            count += 1
    for m_index, message in enumerate(messages):
        if not isinstance(message, Mapping):
            continue
        if "cache_control" in message:
            raise InfronConfigError(
                f"messages[{m_index}].cache_control: cache_control goes on a text content part, not "
                "on the message; use content=[{'type': 'text', 'text': ..., 'cache_control': "
                "{'type': 'ephemeral'}}] (infron_integrations.core.cache.cache_text builds one)."
            )
        for p_index, part in enumerate(_parts(message)):
            if isinstance(part, Mapping) and "cache_control" in part:
                where = f"messages[{m_index}].content[{p_index}]"
                if part.get("type") != "text":
                    raise InfronConfigError(
                        f"{where}.cache_control: breakpoints are only allowed on text parts "
                        f"(this part is {part.get('type')!r}); move it to a text part."
                    )
                _check_marker(part["cache_control"], f"{where}.cache_control")
                count += 1
    if count > MAX_BREAKPOINTS:
        raise InfronConfigError(
            f"{count} cache_control breakpoints in one request; providers allow at most "
            f"{MAX_BREAKPOINTS}. Keep the ones after the largest stable blocks."
        )
    return count


def _check_marker(marker: Any, where: str) -> None:
    if not isinstance(marker, Mapping) or "type" not in marker:
        raise InfronConfigError(
            f"{where}: a cache_control marker needs a type; use {{'type': 'ephemeral'}}."
        )
    try:
        CacheControl.model_validate(marker)
    except ValueError as exc:
        raise InfronConfigError(
            f"{where}: {exc}. Use {{'type': 'ephemeral'}} or {{'type': 'ephemeral', 'ttl': '1h'}}."
        ) from None


def count_breakpoints(
    messages: Sequence[Mapping[str, Any]], tools: Sequence[Mapping[str, Any]] | None = None
) -> int:
    """How many explicit breakpoints a request carries (validating them)."""
    return validate_cache_markers(messages, tools)


def _mark_last_text(message: dict[str, Any], ttl: str | None) -> bool:
    content = message.get("content")
    if isinstance(content, str):
        if not content:
            return False
        message["content"] = [cache_text(content, ttl=ttl)]
        return True
    if isinstance(content, list):
        for index in range(len(content) - 1, -1, -1):
            part = content[index]
            if isinstance(part, Mapping) and part.get("type") == "text":
                if "cache_control" in part:
                    return False  # already marked explicitly
                new_part = dict(part)
                new_part["cache_control"] = _marker(ttl)
                content = list(content)
                content[index] = new_part
                message["content"] = content
                return True
    return False


def apply_prompt_cache(
    messages: Sequence[Mapping[str, Any]],
    tools: Sequence[Mapping[str, Any]] | None,
    cache: PromptCache | None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]] | None]:
    """Place automatic breakpoints on OpenAI-shaped messages and tools.

    Pure: the inputs are not mutated; only the messages and tools that gain a marker are copied.
    Explicit markers are validated and kept; automatic ones are added in the order tools, system,
    last user turn while the total stays within 4.

    Returns:
        ``(messages, tools)`` to send.
    """
    out_messages = [m if isinstance(m, dict) else dict(m) for m in messages]
    out_tools = (
        [t if isinstance(t, dict) else dict(t) for t in tools] if tools is not None else None
    )
    used = validate_cache_markers(out_messages, out_tools)
    if cache is None:
        return out_messages, out_tools
    budget = MAX_BREAKPOINTS - used
    ttl = cache.ttl

    if (
        cache.tools
        and out_tools
        and budget > 0
        and not any("cache_control" in t for t in out_tools)
    ):
        last = copy.copy(out_tools[-1])
        last["cache_control"] = _marker(ttl)
        out_tools[-1] = last
        budget -= 1

    if cache.system and budget > 0:
        system_indexes = [
            i for i, m in enumerate(out_messages) if m.get("role") in ("system", "developer")
        ]
        if system_indexes:
            index = system_indexes[-1]
            candidate = dict(out_messages[index])
            if _mark_last_text(candidate, ttl):
                out_messages[index] = candidate
                budget -= 1

    if cache.last_user and budget > 0:
        user_indexes = [i for i, m in enumerate(out_messages) if m.get("role") == "user"]
        if user_indexes:
            index = user_indexes[-1]
            candidate = dict(out_messages[index])
            if _mark_last_text(candidate, ttl):
                out_messages[index] = candidate
                budget -= 1
    return out_messages, out_tools
