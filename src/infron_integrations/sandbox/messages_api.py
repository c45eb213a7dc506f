"""The Anthropic-compatible ``/v1/messages`` endpoint: request conversion, body and event stream.

The stream is derived from the final body: ``message_start``, ``ping``, then for every content
block ``content_block_start`` / ``content_block_delta`` (``thinking_delta`` + ``signature_delta``,
``text_delta`` + ``citations_delta``, ``input_json_delta``) / ``content_block_stop``, then
``message_delta`` (stop reason and usage, plus ``cost``/``cost_details`` when usage is included)
and ``message_stop``.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from .behaviours import GenResult
from .caching import breakpoints
from .normalize import (
    GenRequest,
    Msg,
    Part,
    Reasoning,
    Tool,
    ToolCallIn,
    ToolChoice,
    WebSearch,
    chat_part,
    strip_cache_control,
    text_part,
)
from .pipeline import MESSAGES, Ctx, finish_json, run_model, scripted, stream
from .streaming import DROP, sse_event, with_keepalive
from .tokens import canonical_json, split_evenly, stream_pieces
from .validation import validate_messages_api

STOP_REASONS = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use"}


def _blocks(content: Any) -> list[Any]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return content if isinstance(content, list) else []


def _block_part(block: dict[str, Any]) -> Part:
    if block.get("type") == "text":
        return text_part(str(block.get("text", "")), block.get("cache_control"), block)
    part = chat_part(block)
    if part.kind == "other" and isinstance(block.get("cache_control"), dict):
        part.cache_control = block["cache_control"]
    return part


def from_messages(body: dict[str, Any]) -> GenRequest:
    """Normalize a (validated) Anthropic Messages body."""
    messages: list[Msg] = []
    system = body.get("system")
    if system:
        messages.append(Msg("system", [_block_part(b) for b in _blocks(system)]))
    for raw in body.get("messages") or []:
        role = raw.get("role", "user")
        parts: list[Part] = []
        calls: list[ToolCallIn] = []
        for block in _blocks(raw.get("content")):
            if not isinstance(block, dict):
                continue
            typ = block.get("type")
            if typ == "tool_result":
                result_parts = [_block_part(b) for b in _blocks(block.get("content"))]
                if not result_parts:
                    result_parts = [text_part("")]
                if isinstance(block.get("cache_control"), dict):
                    result_parts[-1].cache_control = block["cache_control"]
                messages.append(Msg("tool", result_parts, tool_call_id=block.get("tool_use_id")))
            elif typ in ("tool_use", "server_tool_use"):
                calls.append(
                    ToolCallIn(
                        str(block.get("id", "")),
                        str(block.get("name", "")),
                        json.dumps(block.get("input", {}), sort_keys=True),
                    )
                )
            elif typ in ("thinking", "redacted_thinking"):
                continue
            else:
                parts.append(_block_part(block))
        if parts or calls:
            messages.append(Msg(role, parts, tool_calls=calls))
    tools: list[Tool] = []
    web: WebSearch | None = None
    for raw_tool in body.get("tools") or []:
        if str(raw_tool.get("type", "")).startswith("web_search"):
            web = WebSearch()
            continue
        schema = raw_tool.get("input_schema")
        cc = raw_tool.get("cache_control")
        tools.append(
            Tool(
                name=str(raw_tool.get("name", "")),
                description=str(raw_tool.get("description") or ""),
                parameters=schema if isinstance(schema, dict) else {},
                cache_control=cc if isinstance(cc, dict) else None,
                canonical=canonical_json(strip_cache_control(raw_tool)),
            )
        )
    choice = ToolChoice("auto")
    parallel = True
    raw_choice = body.get("tool_choice")
    if isinstance(raw_choice, dict):
        typ = raw_choice.get("type")
        if typ == "any":
            choice = ToolChoice("required")
        elif typ == "none":
            choice = ToolChoice("none")
        elif typ == "tool" and isinstance(raw_choice.get("name"), str):
            choice = ToolChoice("function", raw_choice["name"])
        parallel = raw_choice.get("disable_parallel_tool_use") is not True
    reasoning = Reasoning()
    thinking = body.get("thinking")
    if isinstance(thinking, dict):
        if thinking.get("type") == "enabled":
            reasoning = Reasoning(True, None, thinking.get("budget_tokens"))
        elif thinking.get("type") == "adaptive":
            reasoning = Reasoning(True)
        else:
            reasoning = Reasoning(False, "none")
    usage = body.get("usage")
    return GenRequest(
        model=str(body["model"]),
        messages=messages,
        tools=tools,
        tool_choice=choice,
        parallel_tool_calls=parallel,
        max_tokens=body.get("max_tokens"),
        stop=list(body.get("stop_sequences") or []),
        reasoning=reasoning,
        web_search=web,
        usage_include=isinstance(usage, dict) and usage.get("include") is True,
        stream=body.get("stream") is True,
    )


def _usage(result: GenResult) -> dict[str, Any]:
    cache = result.cache
    usage: dict[str, Any] = {
        "input_tokens": max(0, result.prompt_tokens - cache.cached_tokens - cache.write_tokens),
        "output_tokens": result.completion_tokens,
        "cache_creation_input_tokens": cache.write_tokens,
        "cache_read_input_tokens": cache.cached_tokens,
        "cache_creation": {
            "ephemeral_5m_input_tokens": cache.write_5m_tokens,
            "ephemeral_1h_input_tokens": cache.write_1h_tokens,
        },
    }
    if result.web_search_requests:
        usage["server_tool_use"] = {"web_search_requests": result.web_search_requests}
    return usage


def messages_body(
    result: GenResult, envelope: dict[str, Any], *, include_cost: bool, mode: str | None = None
) -> dict[str, Any]:
    choice = result.choices[0]
    content: list[dict[str, Any]] = []
    if mode in ("error-in-200", "error-in-stream"):
        stop_reason = "error"
    else:
        if choice.reasoning is not None:
            signature = choice.thought_signature or f"sandbox-sig-{envelope['id'][-16:]}"
            content.append(
                {"type": "thinking", "thinking": choice.reasoning, "signature": signature}
            )
        if choice.content or not choice.tool_calls:
            block: dict[str, Any] = {"type": "text", "text": choice.content or ""}
            if choice.annotations:
                block["citations"] = [
                    {
                        "type": "web_search_result_location",
                        "url": a["url_citation"]["url"],
                        "title": a["url_citation"]["title"],
                        "cited_text": a["url_citation"]["content"],
                        "encrypted_index": f"idx-{i}",
                    }
                    for i, a in enumerate(choice.annotations)
                ]
            content.append(block)
        for call in choice.tool_calls:
            content.append(
                {
                    "type": "tool_use",
                    "id": "toolu_" + call.id.removeprefix("call_"),
                    "name": call.name,
                    "input": json.loads(call.arguments),
                }
            )
        stop_reason = STOP_REASONS.get(choice.finish_reason, "end_turn")
        if choice.stop_sequence is not None:
            stop_reason = "stop_sequence"
    body: dict[str, Any] = {
        **envelope,
        "type": "message",
        "role": "assistant",
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": choice.stop_sequence,
        "usage": _usage(result),
    }
    if mode in ("error-in-200", "error-in-stream"):
        body["error"] = {"type": "api_error", "message": "Upstream provider error (sandbox fault)"}
    if include_cost:
        body.update(result.cost().fields())
    return body


def messages_body_to_events(body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The Anthropic event stream equivalent to a message body."""
    usage = dict(body.get("usage") or {})
    start_message = {
        k: v for k, v in body.items() if k not in ("content", "usage", "cost", "cost_details")
    }
    start_message.update(
        content=[],
        stop_reason=None,
        stop_sequence=None,
        usage={**usage, "output_tokens": 1 if usage.get("output_tokens") else 0},
    )
    events: list[tuple[str, dict[str, Any]]] = [
        ("message_start", {"type": "message_start", "message": start_message}),
        ("ping", {"type": "ping"}),
    ]
    for index, block in enumerate(body.get("content") or []):
        typ = block.get("type")
        deltas: list[dict[str, Any]] = []
        start: dict[str, Any]
        if typ == "thinking":
            start = {"type": "thinking", "thinking": "", "signature": ""}
            deltas = [
                {"type": "thinking_delta", "thinking": p}
                for p in stream_pieces(block.get("thinking", ""))
            ]
            deltas.append({"type": "signature_delta", "signature": block.get("signature", "")})
        elif typ == "text":
            start = {"type": "text", "text": ""}
            deltas = [{"type": "text_delta", "text": p} for p in stream_pieces(block["text"])]
            deltas += [
                {"type": "citations_delta", "citation": c} for c in block.get("citations") or []
            ]
        elif typ == "tool_use":
            start = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
            arguments = json.dumps(block.get("input", {}))
            deltas = [
                {"type": "input_json_delta", "partial_json": p} for p in split_evenly(arguments, 4)
            ]
        else:
            start = block
        events.append(
            (
                "content_block_start",
                {"type": "content_block_start", "index": index, "content_block": start},
            )
        )
        events += [
            ("content_block_delta", {"type": "content_block_delta", "index": index, "delta": d})
            for d in deltas
        ]
        events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    delta_event: dict[str, Any] = {
        "type": "message_delta",
        "delta": {
            "stop_reason": body.get("stop_reason"),
            "stop_sequence": body.get("stop_sequence"),
        },
        "usage": usage,
    }
    for key in ("cost", "cost_details"):
        if key in body:
            delta_event[key] = body[key]
    events.append(("message_delta", delta_event))
    events.append(("message_stop", {"type": "message_stop"}))
    return events


def messages_stream_frames(
    body: dict[str, Any], *, mode: str | None = None, keepalive_every: int = 5
) -> list[str]:
    frames: list[str] = []
    text_deltas = 0
    for name, data in messages_body_to_events(body):
        delta = data.get("delta") if name == "content_block_delta" else None
        if isinstance(delta, dict) and delta.get("type") == "text_delta":
            text_deltas += 1
            if mode == "malformed-sse" and text_deltas == 2:
                frames.append('event: content_block_delta\ndata: {"type": "content_blo\n\n')
            if mode in ("drop-mid-stream", "error-in-stream") and text_deltas > 3:
                break
        if mode in ("error-in-200", "error-in-stream") and name == "message_delta":
            break
        frames.append(sse_event(name, data))
    if mode in ("error-in-200", "error-in-stream"):
        error = {
            "type": "error",
            "error": {"type": "api_error", "message": "Upstream provider error (sandbox fault)"},
        }
        frames.append(sse_event("error", error))
    framed = with_keepalive(frames, keepalive_every)
    return [*framed, DROP] if mode == "drop-mid-stream" else framed


def _messages_stream_of(body: dict[str, Any]) -> list[str]:
    return [sse_event(name, data) for name, data in messages_body_to_events(body)]


async def messages(ctx: Ctx) -> Response:
    """``POST /v1/messages`` (Anthropic Messages API); cache breakpoints on any part."""
    body = ctx.body
    validate_messages_api(body)
    req = from_messages(body)
    breakpoints(req, "", any_part=True)
    ctx.model(req.model)  # an unknown id is refused before anything is scripted or charged
    answer = scripted(ctx, MESSAGES, req.model, _messages_stream_of)
    if answer is not None:
        return answer
    result, mode = await run_model(ctx, MESSAGES, req, body.get("provider"), any_part_cache=True)
    envelope = {
        "id": f"msg_{ctx.request_id[:24]}",
        "model": req.model,
        "provider": result.provider,
        "request_id": ctx.request_id,
    }
    if req.stream:
        out = messages_body(result, envelope, include_cost=req.usage_include)
        return stream(
            ctx, messages_stream_frames(out, mode=mode, keepalive_every=ctx.config.keepalive_every)
        )
    return finish_json(
        messages_body(result, envelope, include_cost=req.usage_include, mode=mode), mode
    )
