"""Rendering of ``/v1/chat/completions`` responses (non-stream bodies)."""

from __future__ import annotations

from typing import Any

from .behaviours import GenChoice, GenResult
from .streaming import stream_error


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


def blank(result: GenResult) -> None:
    """Turn a result into the ``empty-200`` fault: no text, no reasoning, no tool calls."""
    for choice in result.choices:
        choice.content = ""
        choice.reasoning = None
        choice.reasoning_details = None
        choice.tool_calls = []
        choice.annotations = []
        choice.finish_reason = "stop"
        choice.native_finish_reason = "stop"
