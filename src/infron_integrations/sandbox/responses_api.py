"""The OpenAI Responses-compatible ``/v1/responses`` endpoint.

Input may be a string or a list of items (messages with ``input_text``/``input_image``/
``input_file`` parts, ``function_call`` and ``function_call_output`` items); ``instructions`` is
the system prompt; function tools, ``web_search`` tools, ``text.format`` (``json_schema`` /
``json_object``), ``reasoning`` and ``max_output_tokens`` are honoured; ``include`` with
``reasoning.encrypted_content`` adds the reasoning item's opaque state, checked when the item is
sent back (see :mod:`.reasoning_details`). The event stream is
derived from the final response object: ``response.created``, ``response.in_progress``, then per
output item ``response.output_item.added`` ... ``response.output_item.done`` (reasoning summary,
``output_text`` and ``function_call_arguments`` deltas), then ``response.completed`` with usage.
"""

from __future__ import annotations

import copy
import json
import time
from typing import Any

from starlette.responses import Response

from .behaviours import GenResult, digest
from .caching import breakpoints
from .normalize import (
    GenRequest,
    Msg,
    Reasoning,
    Tool,
    ToolCallIn,
    ToolChoice,
    chat_content,
    obj,
    strip_cache_control,
    text_part,
    web_search_from,
)
from .pipeline import RESPONSES, Ctx, finish_json, run_model, scripted, stream
from .reasoning_details import INCLUDE_ENCRYPTED, check_responses_replay, encrypted_content
from .streaming import DROP, sse_event, with_keepalive
from .tokens import canonical_json, split_evenly, stream_pieces
from .validation import validate_responses


def _output_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n".join(
            str(p.get("text", "")) for p in value if isinstance(p, dict) and "text" in p
        )
    return json.dumps(value)


def from_responses(body: dict[str, Any]) -> GenRequest:
    """Normalize a (validated) Responses API body."""
    messages: list[Msg] = []
    if isinstance(body.get("instructions"), str) and body["instructions"]:
        messages.append(Msg("system", [text_part(body["instructions"])]))
    inp = body.get("input")
    items = [{"role": "user", "content": inp}] if isinstance(inp, str) else inp or []
    for item in items:
        typ = item.get("type", "message")
        if typ == "message" or (typ is None and "role" in item):
            role = item.get("role", "user")
            role = "system" if role == "developer" else role
            messages.append(Msg(role, chat_content(item.get("content"))))
        elif typ == "function_call":
            call = ToolCallIn(
                str(item.get("call_id") or item.get("id") or ""),
                str(item.get("name", "")),
                str(item.get("arguments", "")),
            )
            if messages and messages[-1].role == "assistant" and messages[-1].tool_calls:
                messages[-1].tool_calls.append(call)
            else:
                messages.append(Msg("assistant", [], tool_calls=[call]))
        elif typ == "function_call_output":
            messages.append(
                Msg(
                    "tool",
                    [text_part(_output_text(item.get("output")))],
                    tool_call_id=item.get("call_id"),
                )
            )
    tools: list[Tool] = []
    web = None
    for raw in body.get("tools") or []:
        typ = str(raw.get("type", ""))
        if typ.startswith("web_search"):
            web = web_search_from(raw)
        elif typ == "function":
            params = raw.get("parameters")
            tools.append(
                Tool(
                    name=str(raw.get("name", "")),
                    description=str(raw.get("description") or ""),
                    parameters=params if isinstance(params, dict) else {},
                    cache_control=raw.get("cache_control")
                    if isinstance(raw.get("cache_control"), dict)
                    else None,
                    canonical=canonical_json(strip_cache_control(raw)),
                )
            )
    raw_choice = body.get("tool_choice")
    choice = ToolChoice("auto")
    if raw_choice in ("auto", "none", "required"):
        choice = ToolChoice(str(raw_choice))
    elif isinstance(raw_choice, dict) and raw_choice.get("type") == "function":
        choice = ToolChoice("function", raw_choice.get("name"))
    fmt = (body.get("text") or {}).get("format") or {}
    response_format = None
    if fmt.get("type") == "json_schema":
        response_format = {
            "type": "json_schema",
            "schema": fmt.get("schema") or {},
            "name": fmt.get("name"),
        }
    elif fmt.get("type") == "json_object":
        response_format = {"type": "json_object"}
    reasoning = Reasoning()
    raw_reasoning = body.get("reasoning")
    if isinstance(raw_reasoning, dict):
        reasoning = Reasoning(True, raw_reasoning.get("effort"), raw_reasoning.get("max_tokens"))
    usage = body.get("usage")
    return GenRequest(
        model=str(body["model"]),
        messages=messages,
        tools=tools,
        tool_choice=choice,
        parallel_tool_calls=body.get("parallel_tool_calls") is not False,
        response_format=response_format,
        max_tokens=body.get("max_output_tokens"),
        reasoning=reasoning,
        web_search=web,
        usage_include=isinstance(usage, dict) and usage.get("include") is True,
        stream=body.get("stream") is True,
    )


def _usage(result: GenResult) -> dict[str, Any]:
    completion = result.completion_tokens
    return {
        "input_tokens": result.prompt_tokens,
        "input_tokens_details": {
            "cached_tokens": result.cache.cached_tokens,
            "cache_write_tokens": result.cache.write_tokens,
        },
        "output_tokens": completion,
        "output_tokens_details": {"reasoning_tokens": result.reasoning_tokens},
        "total_tokens": result.prompt_tokens + completion,
    }


def response_body(
    result: GenResult,
    envelope: dict[str, Any],
    request: dict[str, Any],
    *,
    include_cost: bool,
    mode: str | None = None,
) -> dict[str, Any]:
    choice = result.choices[0]
    key = digest(envelope["id"], length=16)
    output: list[dict[str, Any]] = []
    if choice.reasoning is not None:
        item: dict[str, Any] = {
            "type": "reasoning",
            "id": f"rs_{key}",
            "summary": [{"type": "summary_text", "text": choice.reasoning}],
            "content": [{"type": "reasoning_text", "text": choice.reasoning}],
            "status": "completed",
        }
        include = request.get("include")
        if isinstance(include, list) and INCLUDE_ENCRYPTED in include:
            # the opaque state a stateless client sends back (docs: Reasoning & Thinking)
            item["encrypted_content"] = encrypted_content(choice.reasoning)
        output.append(item)
    if result.web_search_requests:
        output.append(
            {
                "type": "web_search_call",
                "id": f"ws_{key}",
                "status": "completed",
                "action": {
                    "type": "search",
                    "query": " ".join(
                        str(a["url_citation"]["title"]) for a in choice.annotations[:1]
                    )
                    or "search",
                },
            }
        )
    if choice.content or not choice.tool_calls:
        annotations = [
            {
                "type": "url_citation",
                **{k: a["url_citation"][k] for k in ("url", "title", "start_index", "end_index")},
            }
            for a in choice.annotations
        ]
        output.append(
            {
                "type": "message",
                "id": f"msg_{key}",
                "status": "completed",
                "role": "assistant",
                "content": [
                    {
                        "type": "output_text",
                        "text": choice.content or "",
                        "annotations": annotations,
                        "logprobs": [],
                    }
                ],
            }
        )
    for i, call in enumerate(choice.tool_calls):
        output.append(
            {
                "type": "function_call",
                "id": f"fc_{key}_{i}",
                "call_id": call.id,
                "name": call.name,
                "arguments": call.arguments,
                "status": "completed",
            }
        )
    incomplete = choice.finish_reason == "length"
    reasoning = obj(request.get("reasoning"))
    body: dict[str, Any] = {
        **envelope,
        "object": "response",
        "status": "incomplete" if incomplete else "completed",
        "error": None,
        "incomplete_details": {"reason": "max_output_tokens"} if incomplete else None,
        "instructions": request.get("instructions"),
        "max_output_tokens": request.get("max_output_tokens"),
        "metadata": request.get("metadata") or {},
        "output": output,
        "parallel_tool_calls": request.get("parallel_tool_calls") is not False,
        "previous_response_id": request.get("previous_response_id"),
        "reasoning": {"effort": reasoning.get("effort"), "summary": reasoning.get("summary")},
        "store": False,
        "temperature": request.get("temperature", 1.0),
        "text": request.get("text") or {"format": {"type": "text"}},
        "tool_choice": request.get("tool_choice", "auto"),
        "tools": request.get("tools") or [],
        "top_p": request.get("top_p", 1.0),
        "truncation": "disabled",
        "usage": _usage(result),
    }
    if mode in ("error-in-200", "error-in-stream"):
        body.update(
            status="failed",
            output=[],
            error={"code": "server_error", "message": "Upstream provider error (sandbox fault)"},
        )
    if include_cost:
        body.update(result.cost().fields())
    return body


def _item_events(index: int, item: dict[str, Any]) -> list[dict[str, Any]]:
    typ = item.get("type")
    item_id = item.get("id")
    base = {"item_id": item_id, "output_index": index}
    events: list[dict[str, Any]] = []
    if typ == "reasoning":
        text = "".join(s.get("text", "") for s in item.get("summary") or [])
        part = {"type": "summary_text", "text": ""}
        events.append(
            {
                "type": "response.reasoning_summary_part.added",
                **base,
                "summary_index": 0,
                "part": part,
            }
        )
        events += [
            {
                "type": "response.reasoning_summary_text.delta",
                **base,
                "summary_index": 0,
                "delta": p,
            }
            for p in stream_pieces(text)
        ]
        events.append(
            {
                "type": "response.reasoning_summary_text.done",
                **base,
                "summary_index": 0,
                "text": text,
            }
        )
        events.append(
            {
                "type": "response.reasoning_summary_part.done",
                **base,
                "summary_index": 0,
                "part": {**part, "text": text},
            }
        )
    elif typ == "message":
        for ci, part in enumerate(item.get("content") or []):
            text = part.get("text", "")
            pbase = {**base, "content_index": ci}
            events.append(
                {
                    "type": "response.content_part.added",
                    **pbase,
                    "part": {**part, "text": "", "annotations": []},
                }
            )
            events += [
                {"type": "response.output_text.delta", **pbase, "delta": p, "logprobs": []}
                for p in stream_pieces(text)
            ]
            for ai, ann in enumerate(part.get("annotations") or []):
                events.append(
                    {
                        "type": "response.output_text.annotation.added",
                        **pbase,
                        "annotation_index": ai,
                        "annotation": ann,
                    }
                )
            events.append(
                {"type": "response.output_text.done", **pbase, "text": text, "logprobs": []}
            )
            events.append({"type": "response.content_part.done", **pbase, "part": part})
    elif typ == "function_call":
        args = item.get("arguments", "")
        events += [
            {"type": "response.function_call_arguments.delta", **base, "delta": p}
            for p in split_evenly(args, 4)
        ]
        events.append(
            {
                "type": "response.function_call_arguments.done",
                **base,
                "arguments": args,
                "name": item.get("name"),
            }
        )
    elif typ == "web_search_call":
        for stage in ("in_progress", "searching", "completed"):
            events.append({"type": f"response.web_search_call.{stage}", **base})
    return events


def _pending(item: dict[str, Any]) -> dict[str, Any]:
    pending = copy.deepcopy(item)
    pending["status"] = "in_progress"
    if pending.get("type") == "message":
        pending["content"] = []
    elif pending.get("type") == "function_call":
        pending["arguments"] = ""
    elif pending.get("type") == "reasoning":
        pending["summary"] = []
        pending.pop("content", None)
    return pending


def response_body_to_events(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The Responses event stream equivalent to a final response object."""
    snapshot = {k: v for k, v in body.items() if k not in ("cost", "cost_details")}
    snapshot.update(status="in_progress", output=[], usage=None)
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": snapshot},
        {"type": "response.in_progress", "response": snapshot},
    ]
    for index, item in enumerate(body.get("output") or []):
        events.append(
            {"type": "response.output_item.added", "output_index": index, "item": _pending(item)}
        )
        events += _item_events(index, item)
        events.append({"type": "response.output_item.done", "output_index": index, "item": item})
    final = "response.incomplete" if body.get("status") == "incomplete" else "response.completed"
    if body.get("status") == "failed":
        final = "response.failed"
    events.append({"type": final, "response": body})
    for seq, event in enumerate(events):
        event["sequence_number"] = seq
    return events


def responses_stream_frames(
    body: dict[str, Any], *, mode: str | None = None, keepalive_every: int = 5
) -> list[str]:
    frames: list[str] = []
    deltas = 0
    events = response_body_to_events(body)
    for event in events:
        if event["type"] == "response.output_text.delta":
            deltas += 1
            if mode == "malformed-sse" and deltas == 2:
                frames.append('event: response.output_text.delta\ndata: {"type": "resp\n\n')
            if mode in ("drop-mid-stream", "error-in-stream") and deltas > 3:
                break
        if mode in ("error-in-200", "error-in-stream") and event["type"] == "response.completed":
            break
        frames.append(sse_event(event["type"], event))
    if mode in ("error-in-200", "error-in-stream"):
        failed = {
            **body,
            "status": "failed",
            "error": {"code": "server_error", "message": "Upstream provider error (sandbox fault)"},
        }
        frames.append(
            sse_event(
                "response.failed",
                {"type": "response.failed", "response": failed, "sequence_number": len(frames)},
            )
        )
    framed = with_keepalive(frames, keepalive_every)
    return [*framed, DROP] if mode == "drop-mid-stream" else framed


def _responses_stream_of(body: dict[str, Any]) -> list[str]:
    return [sse_event(e["type"], e) for e in response_body_to_events(body)]


async def responses(ctx: Ctx) -> Response:
    """``POST /v1/responses`` (OpenAI Responses API)."""
    body = ctx.body
    validate_responses(body)
    check_responses_replay(body["input"], ctx.headers)
    req = from_responses(body)
    breakpoints(req, "")
    ctx.model(req.model)  # an unknown id is refused before anything is scripted or charged
    answer = scripted(ctx, RESPONSES, req.model, _responses_stream_of)
    if answer is not None:
        return answer
    result, mode = await run_model(ctx, RESPONSES, req, body.get("provider"))
    envelope = {
        "id": f"resp_{ctx.request_id[:24]}",
        "created_at": int(time.time()),
        "model": req.model,
        "provider": result.provider,
        "request_id": ctx.request_id,
    }
    if req.stream:
        out = response_body(result, envelope, body, include_cost=req.usage_include)
        return stream(
            ctx, responses_stream_frames(out, mode=mode, keepalive_every=ctx.config.keepalive_every)
        )
    return finish_json(
        response_body(result, envelope, body, include_cost=req.usage_include, mode=mode), mode
    )
