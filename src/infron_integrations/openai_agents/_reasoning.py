"""``reasoning_details`` through the Agents SDK's chat-completions model.

Docs: Reasoning & Thinking, and the structured-output response example. With the reasoning,
Infron returns ``reasoning_details``: typed entries with ``format`` and ``index`` (signed text,
encrypted data). In a tool loop, a provider that signs or encrypts its reasoning needs them back,
unchanged, on the assistant message that made the tool calls. The SDK's converters do not know
them: they build a reasoning item from ``reasoning_content`` and send back only that text. So:

* the details of a response (a stream's fragments merged by the core rule) are kept in the
  ``provider_data`` of the response's reasoning item, where they survive ``to_input_list()`` and
  sessions; a response with details but no reasoning text gets a reasoning item with no text;
* when the SDK has built the next request, each kept list goes on the assistant message built from
  the items that follow its reasoning item (found by tool call id, else by text): always in the
  current user turn (the tool loop being run), and in earlier user turns when the model's replay
  policy replays that reasoning item.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from agents.models.fake_id import FAKE_RESPONSES_ID
from openai.types.responses import ResponseReasoningItem

from ..core.reasoning import merge_reasoning_details

__all__ = [
    "DETAILS_KEY",
    "ReasoningReplay",
    "collect_replay",
    "keep_details",
    "message_details",
    "text_of",
]

#: where a reasoning item keeps its response's details (``provider_data``), and the wire field
DETAILS_KEY = "reasoning_details"


def text_of(content: Any) -> str:
    """The text of a message's content (a string or a list of text parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            str(part.get("text", ""))
            for part in content
            if isinstance(part, dict) and part.get("type") in ("text", "output_text")
        )
    return ""


def message_details(message: Any) -> list[Any] | None:
    """The ``reasoning_details`` of a whole (non-streamed) message, if any."""
    extra = message.model_extra
    details = extra.get(DETAILS_KEY) if extra else None
    return merge_reasoning_details(details) if isinstance(details, list) and details else None


def keep_details(output: list[Any], details: list[Any] | None, model: str) -> None:
    """Keep a response's ``details`` on its reasoning item (added when it has none)."""
    if not details:
        return
    item = next((i for i in output if isinstance(i, ResponseReasoningItem)), None)
    if item is None:
        # e.g. encrypted entries only: the SDK makes no reasoning item without reasoning text, and
        # the reasoning item is what carries the turn's reasoning through the history
        item = ResponseReasoningItem(id=FAKE_RESPONSES_ID, summary=[], type="reasoning")
        origin = next(
            (data for i in output if isinstance(data := getattr(i, "provider_data", None), dict)),
            None,
        )
        base = {k: origin[k] for k in ("model", "response_id") if k in origin} if origin else {}
        item.provider_data = base or {"model": model}  # type: ignore[attr-defined]
        output.insert(0, item)
    data = dict(getattr(item, "provider_data", None) or {})
    data[DETAILS_KEY] = details
    item.provider_data = data  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ReasoningReplay:
    """The kept details to put back on the assistant messages of the request being built."""

    #: tool call id -> the details of the reasoning that preceded the call
    by_call: Mapping[str, list[Any]] = field(default_factory=dict)
    #: assistant text -> for each message item with that text, in order: its details or None
    by_text: Mapping[str, tuple[list[Any] | None, ...]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.by_call) or any(any(v) for v in self.by_text.values())

    def apply(self, messages: list[Any]) -> None:
        """Set ``reasoning_details`` on the built assistant messages (idempotent)."""
        # one queue per text, consumed in message order: the SDK builds one assistant message
        # per message item, so equal texts in different turns keep their own details
        queues = {text: deque(values) for text, values in self.by_text.items()}
        for message in messages:
            if not isinstance(message, dict) or message.get("role") != "assistant":
                continue
            details = None
            text = text_of(message.get("content"))
            queue = queues.get(text) if text else None
            if queue:
                details = queue.popleft()
            for call in message.get("tool_calls") or ():
                if isinstance(call, dict) and call.get("id") in self.by_call:
                    details = self.by_call[call["id"]]
                    break
            if details and DETAILS_KEY not in message:
                # merged again (a no-op on merged lists) and copied: sent exactly as received
                message[DETAILS_KEY] = merge_reasoning_details(details)


def collect_replay(
    items: Any, replays_earlier: Callable[[Mapping[str, Any]], bool]
) -> ReasoningReplay:
    """The kept details of ``items`` to send back, with what each one goes on.

    Args:
        items: the SDK's input items for the request.
        replays_earlier: whether a reasoning item of an earlier user turn is replayed (the
            model's replay policy); the current user turn's details are always sent back.
    """
    if not isinstance(items, list):
        return ReasoningReplay()
    last_user = max(
        (
            i
            for i, item in enumerate(items)
            if isinstance(item, dict) and item.get("role") == "user"
        ),
        default=-1,
    )
    by_call: dict[str, list[Any]] = {}
    by_text: dict[str, list[list[Any] | None]] = {}
    pending: list[Any] | None = None  # the details waiting for their assistant message
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            pending = None
            continue
        kind = item.get("type")
        if kind == "reasoning":
            data = item.get("provider_data")
            details = data.get(DETAILS_KEY) if isinstance(data, dict) else None
            wanted = isinstance(details, list) and bool(details)
            pending = details if wanted and (i > last_user or replays_earlier(item)) else None
        elif kind == "function_call":
            call_id = item.get("call_id")
            if pending is not None and isinstance(call_id, str):
                by_call[call_id] = pending
            pending = None
        elif item.get("role") == "assistant" and kind in (None, "message"):
            text = text_of(item.get("content"))
            if text:
                by_text.setdefault(text, []).append(pending)
                pending = None
            # without text, the message's tool calls (next) are the anchor: the SDK joins them
        else:
            pending = None
    return ReasoningReplay(by_call, {text: tuple(v) for text, v in by_text.items()})
