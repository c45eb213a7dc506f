"""Chat-completions bodies to Messages-API bodies, and Messages-API answers back to completions.

Docs: Batch (each request's ``params`` is "the standard Messages API parameters"), and the
Messages OpenAPI files (``messages-create-a-message.json``: ``system``, ``max_tokens``,
``stop_sequences``, ``tools`` with ``input_schema``, ``tool_choice``, ``thinking``,
``output_config``, ``provider``, ``usage``; ``messages-chat-with-web-search.json``:
``web_search_20250305`` in ``tools``; ``messages-chat-with-file-attachments.json``: ``source``
blocks). Both directions are pure functions on plain dicts (they never mutate their input), so
every adapter that already builds a chat-completions body can send it to the Batch API, and every
adapter that reads chat completions can read a Messages answer.

Where the docs say nothing, the choices are these (also listed in docs/batch.md): ``max_tokens``
(required by the Messages API) defaults to :data:`DEFAULT_MAX_TOKENS` plus any thinking budget;
Infron's ``reasoning.max_tokens`` becomes ``thinking.budget_tokens``, an ``effort`` alone becomes
``thinking: {"type": "adaptive"}`` with ``output_config.effort``, and ``effort: "none"`` becomes
``thinking: {"type": "disabled"}``; a ``json_schema`` response format becomes
``output_config.format``; an Anthropic answer's ``thinking`` blocks come back as
``reasoning_content`` plus ``reasoning_details`` entries in the ``anthropic-claude-v1`` format.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from .errors import InfronConfigError

__all__ = [
    "DEFAULT_MAX_TOKENS",
    "chat_completion_from_message",
    "chat_usage_from_messages_usage",
    "messages_params_from_chat",
]

#: ``max_tokens`` when the chat body sets none (the Messages API requires it).
DEFAULT_MAX_TOKENS = 4096
#: the ``reasoning_details`` format of Anthropic thinking (docs: Reasoning & Thinking)
_THINKING_FORMAT = "anthropic-claude-v1"
#: chat-completions knobs with no Messages-API counterpart: refused with a clear message
_NO_EQUIVALENT = frozenset(
    {
        "frequency_penalty",
        "presence_penalty",
        "logit_bias",
        "logprobs",
        "top_logprobs",
        "seed",
        "audio",
        "modalities",
        "prediction",
        "store",
        "verbosity",
        "prompt_cache_key",
        "functions",
        "function_call",
    }
)
#: chat-completions keys that mean nothing for one batch request (dropped)
_DROPPED = frozenset({"stream", "stream_options", "n", "messages", "max_completion_tokens"})
#: Messages API ``stop_reason`` -> chat ``finish_reason``
_FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}


def _error(message: str) -> InfronConfigError:
    return InfronConfigError(f"{message} (docs: Batch, Messages API parameters)")


# --- chat body -> Messages params ---------------------------------------------------------------


def _data_url(url: str) -> tuple[str, str] | None:
    """``data:<media type>;base64,<data>`` -> (media type, data)."""
    if not url.startswith("data:") or ";base64," not in url:
        return None
    head, _, data = url.partition(";base64,")
    return head[len("data:") :] or "application/octet-stream", data


def _source(url: str) -> dict[str, Any]:
    parsed = _data_url(url)
    if parsed is not None:
        return {"type": "base64", "media_type": parsed[0], "data": parsed[1]}
    return {"type": "url", "url": url}


def _part(part: Any, where: str) -> dict[str, Any]:
    if isinstance(part, str):
        return {"type": "text", "text": part}
    if not isinstance(part, Mapping):
        raise _error(f"{where}: a content part must be an object or a string, not {part!r}")
    kind = part.get("type")
    block: dict[str, Any]
    if kind == "text":
        block = {"type": "text", "text": str(part.get("text", ""))}
    elif kind == "image_url":
        image = part.get("image_url")
        url = image.get("url") if isinstance(image, Mapping) else image
        block = {"type": "image", "source": _source(str(url))}
    elif kind == "file":
        file = part.get("file")
        data = file.get("file_data") if isinstance(file, Mapping) else None
        if not isinstance(data, str):
            raise _error(
                f"{where}: a file part needs file_data (a URL or a data URL); file ids are not "
                "part of the Messages API"
            )
        block = {"type": "document", "source": _source(data)}
    elif kind == "input_audio":
        raise _error(f"{where}: the Messages API takes no audio input")
    else:  # already a Messages block (image, document, tool_result, thinking...)
        return dict(part)
    if part.get("cache_control") is not None:
        block["cache_control"] = part["cache_control"]
    return block


def _blocks(content: Any, where: str) -> list[dict[str, Any]]:
    if content is None:
        return []
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    if isinstance(content, Sequence):
        return [_part(p, f"{where}.content.{i}") for i, p in enumerate(content)]
    raise _error(f"{where}.content must be a string or a list of parts")


def _thinking_blocks(message: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Signed reasoning sent back (a replay): Anthropic checks the signature, so it goes whole."""
    out: list[dict[str, Any]] = []
    for entry in message.get("reasoning_details") or ():
        if not isinstance(entry, Mapping):
            continue
        if entry.get("type") == "reasoning.text" and entry.get("signature"):
            out.append(
                {
                    "type": "thinking",
                    "thinking": str(entry.get("text") or ""),
                    "signature": entry["signature"],
                }
            )
        elif entry.get("type") == "reasoning.encrypted" and entry.get("data"):
            out.append({"type": "redacted_thinking", "data": entry["data"]})
    return out


def _assistant_blocks(message: Mapping[str, Any], where: str) -> list[dict[str, Any]]:
    blocks = [*_thinking_blocks(message), *_blocks(message.get("content"), where)]
    for i, call in enumerate(message.get("tool_calls") or ()):
        function = call.get("function") or {}
        try:
            arguments = json.loads(function.get("arguments") or "{}")
        except ValueError:
            raise _error(f"{where}.tool_calls.{i}: the arguments are not JSON") from None
        blocks.append(
            {
                "type": "tool_use",
                "id": call.get("id"),
                "name": function.get("name"),
                "input": arguments,
            }
        )
    return blocks


def _system(parts: list[dict[str, Any]]) -> str | list[dict[str, Any]]:
    if any("cache_control" in p or p.get("type") != "text" for p in parts):
        return parts  # the list form keeps the cache breakpoints (docs: Prompt Caching)
    return "\n\n".join(str(p["text"]) for p in parts)


def _conversation(
    messages: Sequence[Mapping[str, Any]],
) -> tuple[str | list[dict[str, Any]] | None, list[dict[str, Any]]]:
    system: list[dict[str, Any]] = []
    turns: list[dict[str, Any]] = []
    for index, message in enumerate(messages):
        where = f"messages.{index}"
        role = message.get("role")
        if role in ("system", "developer"):
            system.extend(_blocks(message.get("content"), where))
            continue
        if role == "assistant":
            new_role, blocks = "assistant", _assistant_blocks(message, where)
        elif role == "tool":
            result: dict[str, Any] = {
                "type": "tool_result",
                "tool_use_id": message.get("tool_call_id"),
                "content": _blocks(message.get("content"), where) or "",
            }
            new_role, blocks = "user", [result]
        elif role == "user":
            new_role, blocks = "user", _blocks(message.get("content"), where)
        else:
            raise _error(f"{where}.role {role!r} has no Messages-API equivalent")
        if not blocks:
            continue
        # the Messages API alternates roles: consecutive turns of one role become one turn
        if turns and turns[-1]["role"] == new_role:
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": new_role, "content": blocks})
    for turn in turns:  # a lone text block reads best as a plain string
        content = turn["content"]
        if len(content) == 1 and content[0].get("type") == "text" and len(content[0]) == 2:
            turn["content"] = content[0]["text"]
    return (_system(system) if system else None), turns


def _tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    if tool.get("type") != "function":
        return dict(tool)  # already a Messages tool (web search, a custom tool with input_schema)
    function = tool.get("function") or {}
    out: dict[str, Any] = {
        "name": function.get("name"),
        "input_schema": function.get("parameters") or {"type": "object", "properties": {}},
    }
    if function.get("description"):
        out["description"] = function["description"]
    if tool.get("cache_control") is not None:
        out["cache_control"] = tool["cache_control"]
    return out


def _tool_choice(choice: Any, parallel: Any) -> dict[str, Any] | None:
    out: dict[str, Any] | None
    if choice is None:
        out = None
    elif choice == "auto":
        out = {"type": "auto"}
    elif choice in ("required", "any"):
        out = {"type": "any"}
    elif choice == "none":
        out = {"type": "none"}
    elif isinstance(choice, str):  # a tool name, as bind_tools accepts
        out = {"type": "tool", "name": choice}
    elif isinstance(choice, Mapping) and choice.get("type") == "function":
        out = {"type": "tool", "name": (choice.get("function") or {}).get("name")}
    elif isinstance(choice, Mapping):
        out = dict(choice)
    else:
        raise _error(f"tool_choice {choice!r} is not understood")
    if parallel is False:
        out = {**(out or {"type": "auto"}), "disable_parallel_tool_use": True}
    return out


def _reasoning(params: dict[str, Any], reasoning: Mapping[str, Any], effort: Any) -> None:
    effort = reasoning.get("effort", effort)
    budget = reasoning.get("max_tokens")
    if effort == "none":
        params.setdefault("thinking", {"type": "disabled"})
        return
    if budget is not None:
        params.setdefault("thinking", {"type": "enabled", "budget_tokens": budget})
    elif effort is not None:
        params.setdefault("thinking", {"type": "adaptive"})
    if effort is not None:
        params["output_config"] = {"effort": effort, **params.get("output_config", {})}


def _web_search_tool(options: Mapping[str, Any]) -> dict[str, Any]:
    tool: dict[str, Any] = {"type": "web_search_20250305", "name": "web_search"}
    location = options.get("user_location")
    if isinstance(location, Mapping) and isinstance(location.get("approximate"), Mapping):
        tool["user_location"] = {"type": "approximate", **location["approximate"]}
    return tool


def messages_params_from_chat(
    body: Mapping[str, Any], *, default_max_tokens: int = DEFAULT_MAX_TOKENS
) -> dict[str, Any]:
    """The Messages-API ``params`` of one batch request, from a chat-completions body.

    Args:
        body: a chat-completions request body (``model``, ``messages``, options...).
        default_max_tokens: ``max_tokens`` when the body sets none (a thinking budget is added).

    Raises:
        InfronConfigError: something the Messages API cannot express (``n`` > 1, audio input,
            ``seed``, ``logprobs``...), named with what to do.
    """
    if (body.get("n") or 1) != 1:
        raise _error("n > 1: a batch request has exactly one answer; repeat the input instead")
    refused = sorted(k for k in _NO_EQUIVALENT if body.get(k) is not None)
    if refused:
        raise _error(f"{', '.join(refused)} has no Messages-API equivalent; leave it unset")
    system, turns = _conversation(body.get("messages") or ())
    params: dict[str, Any] = {"model": body.get("model"), "messages": turns}
    if system is not None:
        params["system"] = system
    handled = {"model", "reasoning", "reasoning_effort", "max_tokens", "stop", "tools"}
    handled |= {"tool_choice", "parallel_tool_calls", "response_format", "web_search_options"}
    handled |= {"user"}
    for key, value in body.items():
        if key not in handled and key not in _DROPPED and value is not None:
            params[key] = value  # temperature, top_p, top_k, metadata, provider, usage, thinking..
    tools = [_tool(t) for t in body.get("tools") or ()]
    if body.get("web_search_options") is not None:
        tools.append(_web_search_tool(body["web_search_options"]))
    if tools:
        params["tools"] = tools
    choice = _tool_choice(body.get("tool_choice"), body.get("parallel_tool_calls"))
    if choice is not None:
        params["tool_choice"] = choice
    if body.get("stop") is not None:
        stop = body["stop"]
        params["stop_sequences"] = [stop] if isinstance(stop, str) else list(stop)
    reasoning = body.get("reasoning")
    if reasoning is not None or body.get("reasoning_effort") is not None:
        _reasoning(params, reasoning or {}, body.get("reasoning_effort"))
    response_format = body.get("response_format")
    if isinstance(response_format, Mapping) and response_format.get("type") == "json_schema":
        schema = (response_format.get("json_schema") or {}).get("schema")
        fmt = {"type": "json_schema", "schema": schema}
        params["output_config"] = {**params.get("output_config", {}), "format": fmt}
    elif isinstance(response_format, Mapping) and response_format.get("type") == "json_object":
        raise _error("response_format json_object has no Messages-API equivalent; give a schema")
    if body.get("user") is not None and not (params.get("metadata") or {}).get("user_id"):
        params["metadata"] = {**(params.get("metadata") or {}), "user_id": body["user"]}
    max_tokens = body.get("max_tokens") or body.get("max_completion_tokens")
    if max_tokens is None:
        thinking = params.get("thinking")
        budget = thinking.get("budget_tokens") if isinstance(thinking, Mapping) else None
        max_tokens = default_max_tokens + (budget if isinstance(budget, int) else 0)
    params["max_tokens"] = max_tokens
    return params


# --- Messages answer -> chat completion ---------------------------------------------------------


def chat_usage_from_messages_usage(usage: Any) -> dict[str, Any] | None:
    """A Messages ``usage`` (``input_tokens`` excludes cache reads and writes) in chat terms.

    ``prompt_tokens`` = input + cache read + cache write tokens, as the Billing Tracking docs
    define it; a usage that is already in chat terms is returned as it is.
    """
    if not isinstance(usage, Mapping):
        return None
    if "prompt_tokens" in usage:
        return dict(usage)

    def count(name: str) -> int:
        value = usage.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    read, write = count("cache_read_input_tokens"), count("cache_creation_input_tokens")
    prompt = count("input_tokens") + read + write
    out: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": count("output_tokens"),
        "total_tokens": prompt + count("output_tokens"),
        "prompt_tokens_details": {"cached_tokens": read, "cache_write_tokens": write},
    }
    for key in ("server_tool_use", "cost"):
        if usage.get(key) is not None:
            out[key] = usage[key]
    return out


def _citations(block: Mapping[str, Any], offset: int, text: str) -> list[dict[str, Any]]:
    out = []
    for citation in block.get("citations") or ():
        if isinstance(citation, Mapping) and citation.get("url"):
            out.append(
                {
                    "type": "url_citation",
                    "url_citation": {
                        "url": citation["url"],
                        "title": citation.get("title"),
                        "content": citation.get("cited_text"),
                        "start_index": offset,
                        "end_index": offset + len(text),
                    },
                }
            )
    return out


def chat_completion_from_message(message: Mapping[str, Any]) -> dict[str, Any]:
    """A Messages-API answer as a chat completion; a chat completion is returned as it is.

    Text blocks are joined into ``content``; ``thinking`` blocks become ``reasoning_content``
    and ``reasoning_details`` (signature kept, so a replay is accepted); ``tool_use`` blocks
    become ``tool_calls``; web-search citations become ``url_citation`` annotations;
    ``stop_reason`` is kept as ``native_finish_reason``. Every other top-level field (``cost``,
    ``cost_details``, ``request_id``, ``provider``, unknown ones) is kept.
    """
    if "choices" in message:
        return dict(message)
    text = ""
    thinking: list[str] = []
    details: list[dict[str, Any]] = []
    calls: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    for block in message.get("content") or ():
        if not isinstance(block, Mapping):
            continue
        kind = block.get("type")
        if kind == "text":
            piece = str(block.get("text") or "")
            annotations += _citations(block, len(text), piece)
            text += piece
        elif kind == "thinking":
            thinking.append(str(block.get("thinking") or ""))
            entry = {"type": "reasoning.text", "text": thinking[-1], "format": _THINKING_FORMAT}
            if block.get("signature"):
                entry["signature"] = block["signature"]
            details.append({**entry, "index": len(details)})
        elif kind == "redacted_thinking":
            details.append(
                {
                    "type": "reasoning.encrypted",
                    "data": block.get("data"),
                    "format": _THINKING_FORMAT,
                    "index": len(details),
                }
            )
        elif kind == "tool_use":
            arguments = json.dumps(block.get("input") or {}, ensure_ascii=False)
            calls.append(
                {
                    "id": block.get("id"),
                    "type": "function",
                    "function": {"name": block.get("name"), "arguments": arguments},
                }
            )
    reply: dict[str, Any] = {"role": "assistant", "content": text or (None if calls else "")}
    if thinking:
        reply["reasoning_content"] = "".join(thinking)
    if details:
        reply["reasoning_details"] = details
    if calls:
        reply["tool_calls"] = calls
    if annotations:
        reply["annotations"] = annotations
    stop_reason = message.get("stop_reason")
    choice: dict[str, Any] = {
        "index": 0,
        "message": reply,
        "finish_reason": _FINISH.get(str(stop_reason), "stop") if stop_reason else None,
    }
    if stop_reason is not None:
        choice["native_finish_reason"] = stop_reason
    skip = {"content", "usage", "role", "type", "stop_reason"}
    out = {k: v for k, v in message.items() if k not in skip and v is not None}
    out["object"] = "chat.completion"
    out["choices"] = [choice]
    usage = chat_usage_from_messages_usage(message.get("usage"))
    if usage is not None:
        out["usage"] = usage
    return out
