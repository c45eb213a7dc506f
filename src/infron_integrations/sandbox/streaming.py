"""Server-sent events: framing, the raw ASGI response that sends them, and chat chunks.

Chat completion streams look like the gateway's: ``data: {json}\\n\\n`` frames of
``chat.completion.chunk`` objects, the comment ``: INFRONAI PROCESSING`` before the first frame
and after every ``keepalive_every`` frames, the role in the first delta, reasoning deltas before
content deltas (``reasoning_details`` in fragments, see :mod:`.reasoning_details`), tool-call
arguments split over several deltas, a final chunk with ``finish_reason``, then (when usage is
requested) a chunk with ``"choices": []`` and ``usage``, then ``data: [DONE]``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .behaviours import GenChoice, GenResult
from .errors import SandboxConnectionDropped
from .reasoning_details import reasoning_deltas
from .tokens import split_evenly, stream_pieces

KEEPALIVE = ": INFRONAI PROCESSING\n\n"
DONE = "data: [DONE]\n\n"
DROP = "\x00drop\x00"
"""A frame marker: abort the connection here."""
MALFORMED = 'data: {"id": "malformed", "choices": [\n\n'
FAULT_AFTER_PIECES = 3


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def sse_data(obj: Any) -> str:
    return f"data: {dumps(obj)}\n\n"


def sse_event(event: str, obj: Any) -> str:
    return f"event: {event}\ndata: {dumps(obj)}\n\n"


def with_keepalive(frames: list[str], every: int) -> list[str]:
    """Insert the keep-alive comment before the first frame and after every ``every`` frames."""
    out = [KEEPALIVE]
    for i, frame in enumerate(frames, start=1):
        out.append(frame)
        if every > 0 and i % every == 0 and i < len(frames):
            out.append(KEEPALIVE)
    return out


class FrameResponse(Response):
    """A raw ASGI response sending pre-built frames; ``DROP`` aborts the connection."""

    media_type = "text/event-stream"

    def __init__(
        self,
        frames: list[str],
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        delay: float = 0.0,
    ) -> None:
        self.frames = frames
        self.status_code = status_code
        if media_type is not None:
            self.media_type = media_type
        self.delay = delay
        self.background = None
        self.init_headers({"cache-control": "no-cache", **(headers or {})})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        for frame in self.frames:
            if frame == DROP:
                raise SandboxConnectionDropped("sandbox fault drop-mid-stream")
            await send({"type": "http.response.body", "body": frame.encode(), "more_body": True})
            if self.delay:
                await asyncio.sleep(self.delay)
        await send({"type": "http.response.body", "body": b"", "more_body": False})


class DroppingJSONResponse(Response):
    """Announces a full JSON body, sends half of it, then aborts the connection."""

    media_type = "application/json"

    def __init__(self, content: Any, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(dumps(content).encode(), 200, headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        half = bytes(self.body[: max(1, len(self.body) // 2)])
        await send({"type": "http.response.body", "body": half, "more_body": True})
        raise SandboxConnectionDropped("sandbox fault drop-mid-stream")


def stream_error(provider: str) -> dict[str, Any]:
    return {
        "code": 502,
        "message": "Upstream provider error during generation (sandbox fault)",
        "metadata": {"provider_name": provider},
    }


def _choice(
    index: int, delta: dict[str, Any], finish: str | None = None, native: str | None = None
) -> dict[str, Any]:
    return {
        "index": index,
        "delta": delta,
        "finish_reason": finish,
        "native_finish_reason": native,
        "logprobs": None,
    }


def _choice_deltas(choice: GenChoice) -> list[dict[str, Any]]:
    """The deltas of one choice, without the final finish_reason delta."""
    deltas: list[dict[str, Any]] = [{"role": "assistant", "content": ""}]
    deltas += reasoning_deltas(choice.reasoning, choice.reasoning_details)
    for piece in stream_pieces(choice.content or ""):
        deltas.append({"content": piece})
    for j, call in enumerate(choice.tool_calls):
        head: dict[str, Any] = {
            "index": j,
            "id": call.id,
            "type": "function",
            "function": {"name": call.name, "arguments": ""},
        }
        if call.thought_signature:
            head["thought_signature"] = call.thought_signature
        deltas.append({"tool_calls": [head]})
        for piece in split_evenly(call.arguments, 4):
            deltas.append({"tool_calls": [{"index": j, "function": {"arguments": piece}}]})
    if choice.annotations:
        deltas.append({"content": "", "annotations": choice.annotations})
    if choice.thought_signature:
        deltas.append({"content": "", "thought_signature": choice.thought_signature})
    return deltas


def chat_stream_frames(
    result: GenResult,
    envelope: dict[str, Any],
    *,
    include_usage: bool,
    include_cost: bool,
    mode: str | None = None,
    keepalive_every: int = 5,
) -> list[str]:
    """All frames of a chat completion stream, faults included."""
    frames: list[str] = []

    def chunk(choices: list[dict[str, Any]], **extra: Any) -> str:
        return sse_data({**envelope, "choices": choices, **extra})

    for choice in result.choices:
        content_seen = 0
        for delta in _choice_deltas(choice):
            if delta.get("content"):
                content_seen += 1
                if mode == "error-in-200":
                    break
                if mode in ("error-in-stream", "drop-mid-stream") and (
                    content_seen > FAULT_AFTER_PIECES
                ):
                    break
                if mode == "malformed-sse" and content_seen == 2:
                    frames.append(MALFORMED)
            frames.append(chunk([_choice(choice.index, delta)]))
        if mode in ("error-in-stream", "error-in-200"):
            error_choice = _choice(choice.index, {}, "error", "error")
            error_choice["error"] = stream_error(result.provider)
            frames.append(chunk([error_choice]))
            frames.append(DONE)
            return with_keepalive(frames, keepalive_every)
        if mode == "drop-mid-stream":
            return [*with_keepalive(frames, keepalive_every), DROP]
        frames.append(
            chunk([_choice(choice.index, {}, choice.finish_reason, choice.native_finish_reason)])
        )
    if include_usage:
        extra = result.cost().fields() if include_cost else {}
        frames.append(chunk([], usage=result.chat_usage(), **extra))
    frames.append(DONE)
    return with_keepalive(frames, keepalive_every)


def chat_body_to_chunks(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Convert a (scripted) non-stream chat completion body into stream chunks."""
    envelope = {
        k: v for k, v in body.items() if k not in ("choices", "usage", "cost", "cost_details")
    }
    envelope["object"] = "chat.completion.chunk"
    chunks: list[dict[str, Any]] = []
    for raw in body.get("choices") or []:
        index = raw.get("index", 0)
        message = raw.get("message") or {}
        deltas: list[dict[str, Any]] = [{"role": message.get("role", "assistant"), "content": ""}]
        reasoning = message.get("reasoning_content") or message.get("reasoning")
        deltas += reasoning_deltas(reasoning, message.get("reasoning_details"))
        for piece in stream_pieces(message.get("content") or ""):
            deltas.append({"content": piece})
        for j, call in enumerate(message.get("tool_calls") or []):
            fn = call.get("function") or {}
            head: dict[str, Any] = {
                "index": j,
                "id": call.get("id"),
                "type": call.get("type", "function"),
                "function": {"name": fn.get("name"), "arguments": ""},
            }
            if call.get("thought_signature"):
                head["thought_signature"] = call["thought_signature"]
            deltas.append({"tool_calls": [head]})
            for piece in split_evenly(fn.get("arguments") or "", 4):
                deltas.append({"tool_calls": [{"index": j, "function": {"arguments": piece}}]})
        if message.get("annotations"):
            deltas.append({"content": "", "annotations": message["annotations"]})
        if message.get("thought_signature"):
            deltas.append({"content": "", "thought_signature": message["thought_signature"]})
        for delta in deltas:
            chunks.append({**envelope, "choices": [_choice(index, delta)]})
        finish = raw.get("finish_reason", "stop")
        native = raw.get("native_finish_reason", finish)
        final = _choice(index, {}, finish, native)
        if raw.get("error"):
            final["error"] = raw["error"]
        chunks.append({**envelope, "choices": [final]})
    if body.get("usage") is not None:
        extra: dict[str, Any] = {k: body[k] for k in ("cost", "cost_details") if k in body}
        chunks.append({**envelope, "choices": [], "usage": body["usage"], **extra})
    return chunks
