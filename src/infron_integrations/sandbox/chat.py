"""``POST /v1/chat/completions``: the handler and the rendering of non-stream bodies."""

from __future__ import annotations

import time
from typing import Any

from starlette.responses import Response

from .behaviours import GenChoice, GenResult
from .caching import breakpoints
from .normalize import from_chat
from .pipeline import CHAT, Ctx, finish_json, run_model, scripted, stream
from .reasoning_details import check_chat_replay
from .streaming import DONE, chat_body_to_chunks, chat_stream_frames, sse_data, stream_error
from .validation import validate_chat

SYSTEM_FINGERPRINT = "fp_infron_sandbox"


def chat_message(choice: GenChoice) -> dict[str, Any]:
    message: dict[str, Any] = {
        "role": "assistant",
        "content": choice.content,
        "refusal": None,
    }
    if choice.reasoning is not None:
        message["reasoning_content"] = choice.reasoning
        message["reasoning"] = choice.reasoning
    if choice.reasoning_details:
        message["reasoning_details"] = [dict(e) for e in choice.reasoning_details]
    if choice.tool_calls:
        calls = []
        for j, call in enumerate(choice.tool_calls):
            item: dict[str, Any] = {
                "index": j,
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
            if call.thought_signature:
                item["thought_signature"] = call.thought_signature
            calls.append(item)
        message["tool_calls"] = calls
    if choice.annotations:
        message["annotations"] = choice.annotations
    if choice.thought_signature:
        message["thought_signature"] = choice.thought_signature
    return message


def chat_body(
    result: GenResult, envelope: dict[str, Any], *, include_cost: bool, mode: str | None = None
) -> dict[str, Any]:
    """A ``chat.completion`` body; ``mode == "error-in-200"`` yields an error choice."""
    if mode in ("error-in-200", "error-in-stream"):
        choices: list[dict[str, Any]] = [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "", "refusal": None},
                "finish_reason": "error",
                "native_finish_reason": "error",
                "logprobs": None,
                "error": stream_error(result.provider),
            }
        ]
    else:
        choices = [
            {
                "index": c.index,
                "message": chat_message(c),
                "finish_reason": c.finish_reason,
                "native_finish_reason": c.native_finish_reason,
                "logprobs": None,
            }
            for c in result.choices
        ]
    body: dict[str, Any] = {**envelope, "choices": choices, "usage": result.chat_usage()}
    if include_cost:
        body.update(result.cost().fields())
    return body


def _chat_stream_of(body: dict[str, Any]) -> list[str]:
    return [*(sse_data(c) for c in chat_body_to_chunks(body)), DONE]


async def chat_completions(ctx: Ctx) -> Response:
    body = ctx.body
    validate_chat(body)
    check_chat_replay(body["messages"], ctx.headers)
    req = from_chat(body)
    breakpoints(req, "")  # more than 4 cache breakpoints is a 400
    ctx.model(req.model)  # an unknown id is refused before anything is scripted or charged
    answer = scripted(ctx, CHAT, req.model, _chat_stream_of)
    if answer is not None:
        return answer
    result, mode = await run_model(ctx, CHAT, req, body.get("provider"))
    envelope = {
        "id": f"gen-{ctx.request_id[:24]}",
        "object": "chat.completion.chunk" if req.stream else "chat.completion",
        "created": int(time.time()),
        "model": req.model,
        "provider": result.provider,
        "system_fingerprint": SYSTEM_FINGERPRINT,
        "request_id": ctx.request_id,
    }
    if req.stream:
        frames = chat_stream_frames(
            result,
            envelope,
            include_usage=req.include_usage_chunk,
            include_cost=req.usage_include,
            mode=mode,
            keepalive_every=ctx.config.keepalive_every,
        )
        return stream(ctx, frames)
    out = chat_body(result, envelope, include_cost=req.usage_include, mode=mode)
    return finish_json(out, mode)
