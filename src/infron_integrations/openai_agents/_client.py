"""The last step before the wire: edits the Agents SDK cannot express in ``ModelSettings``.

The SDK builds the chat-completions messages and tools itself and hands them to
``client.chat.completions.create(**kwargs)``. :class:`InfronModel` gives it this thin client
instead, which, for the call in progress, places prompt-cache breakpoints (docs: Prompt Caching),
puts ``thought_signature`` back on replayed assistant messages and tool calls in Infron's shape
(docs: the chat-completions OpenAPI schema) and ``reasoning_details`` back on the assistant
messages they came with (see ``_reasoning``), then calls the real ``AsyncOpenAI``.

A whole (non-streamed) completion is read from the raw response and built with pydantic's
compiled validator: the same ``ChatCompletion`` the SDK would build, extras kept, in about 15 us
instead of the SDK's 260 us type-hint walk (a tenth of an agent turn's own CPU time; P3 in
``bench/``). A body off the documented shape falls back to the SDK's lenient parse.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import pydantic
from openai import AsyncOpenAI
from openai.types.chat import ChatCompletion

from ..core.cache import apply_prompt_cache
from ..core.options import PromptCache
from ._compat import set_request_id
from ._reasoning import ReasoningReplay, text_of

__all__ = [
    "REQUEST_EDIT",
    "InfronChatClient",
    "RequestEdit",
    "collect_signatures",
    "completion_from_raw",
]


@dataclass(frozen=True)
class RequestEdit:
    """What to change in the messages and tools of the request being sent."""

    prompt_cache: PromptCache | None = None
    #: tool call id -> thought signature
    tool_signatures: Mapping[str, str] = field(default_factory=dict)
    #: assistant text -> thought signature (message-level signatures)
    message_signatures: Mapping[str, str] = field(default_factory=dict)
    #: the kept ``reasoning_details`` to put back on assistant messages
    reasoning: ReasoningReplay | None = None

    def is_noop(self) -> bool:
        return (
            self.prompt_cache is None
            and not self.tool_signatures
            and not self.message_signatures
            and not self.reasoning
        )

    def apply(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        messages = kwargs.get("messages")
        if not isinstance(messages, list):
            return kwargs
        if self.tool_signatures or self.message_signatures:
            for message in messages:
                if isinstance(message, dict) and message.get("role") == "assistant":
                    self._sign(message)
        if self.reasoning:
            self.reasoning.apply(messages)
        if self.prompt_cache is not None:
            tools = kwargs.get("tools")
            tool_list = tools if isinstance(tools, list) else None
            new_messages, new_tools = apply_prompt_cache(messages, tool_list, self.prompt_cache)
            kwargs["messages"] = new_messages
            if tool_list is not None:
                kwargs["tools"] = new_tools
        return kwargs

    def _sign(self, message: dict[str, Any]) -> None:
        for call in message.get("tool_calls") or ():
            if not isinstance(call, dict):
                continue
            signature = self.tool_signatures.get(call.get("id", ""))
            extra = call.get("extra_content")
            if isinstance(extra, dict) and set(extra) == {"google"}:
                # the SDK's Gemini form; Infron wants the signature on the tool call itself
                google = extra["google"]
                if isinstance(google, dict):
                    signature = signature or google.get("thought_signature")
                    call.pop("extra_content")
            if signature:
                call["thought_signature"] = signature
        if self.message_signatures and "thought_signature" not in message:
            signature = self.message_signatures.get(text_of(message.get("content")))
            if signature:
                message["thought_signature"] = signature


def collect_signatures(items: Any) -> tuple[dict[str, str], dict[str, str]]:
    """Thought signatures kept on input items: ``(by tool call id, by assistant text)``."""
    tools: dict[str, str] = {}
    messages: dict[str, str] = {}
    if not isinstance(items, list):
        return tools, messages
    for item in items:
        if not isinstance(item, dict):
            continue
        data = item.get("provider_data")
        if not isinstance(data, dict):
            continue
        signature = data.get("thought_signature")
        if not isinstance(signature, str) or not signature:
            continue
        kind = item.get("type")
        if kind == "function_call" and isinstance(item.get("call_id"), str):
            tools[item["call_id"]] = signature
        elif kind == "message" and item.get("role") == "assistant":
            messages[text_of(item.get("content"))] = signature
    return tools, messages


#: the edit for the request being built in this task (set around the SDK's request building)
REQUEST_EDIT: ContextVar[RequestEdit | None] = ContextVar("infron_request_edit", default=None)


def completion_from_raw(raw: Any) -> Any:
    """The ``ChatCompletion`` of a raw SDK response (``with_raw_response``), as the SDK builds it.

    Its request id is the ``x-request-id`` header, recorded where the SDK records it.
    """
    response = raw.http_response
    try:
        data = json.loads(response.content)
    except ValueError:
        # a 200 whose body is not JSON (cut short, or a proxy's HTML page): a typed error with
        # the request id, where the SDK's parse would raise a bare JSONDecodeError
        raise _not_json(response) from None
    try:
        completion = ChatCompletion.model_validate(data)
    except pydantic.ValidationError:
        # off the documented shape (e.g. finish_reason "error"): the SDK's own lenient parse
        return raw.parse()
    set_request_id(completion, response.headers.get("x-request-id"))
    return completion


def _not_json(response: Any) -> BaseException:
    from ..core.errors import InfronStreamError
    from ._errors import to_agents_error

    error = InfronStreamError(
        "Infron answered 200 with a body that is not a JSON object (content-type "
        f"{response.headers.get('content-type')!r}, starts with {response.text[:120]!r}). "
        "Retry the request; if it persists, check base_url (it should end in /v1).",
        request_id=response.headers.get("x-request-id"),
    )
    return to_agents_error(error, response=response)


class _Completions:
    __slots__ = ("_completions",)

    def __init__(self, completions: Any) -> None:
        self._completions = completions

    async def create(self, **kwargs: Any) -> Any:
        edit = REQUEST_EDIT.get()
        if edit is not None:
            kwargs = edit.apply(kwargs)
        if kwargs.get("stream") is True:
            return await self._completions.create(**kwargs)
        raw = await self._completions.with_raw_response.create(**kwargs)
        return completion_from_raw(raw)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._completions, name)


class _Chat:
    __slots__ = ("completions",)

    def __init__(self, chat: Any) -> None:
        self.completions = _Completions(chat.completions)


class InfronChatClient:
    """Looks like the wrapped ``AsyncOpenAI`` to the Agents SDK; edits chat requests."""

    def __init__(self, client: AsyncOpenAI) -> None:
        self._client = client
        self.chat = _Chat(client.chat)
        self._no_retry: InfronChatClient | None = None

    @property
    def base_url(self) -> Any:
        return self._client.base_url

    @property
    def wrapped(self) -> AsyncOpenAI:
        return self._client

    def with_options(self, **kwargs: Any) -> InfronChatClient:
        if kwargs == {"max_retries": 0}:
            # the Agents SDK asks for this copy on every request its own retry loop is in charge
            # of (three times a request); copying the OpenAI client each time is not free
            if self._no_retry is None:
                self._no_retry = InfronChatClient(self._client.with_options(max_retries=0))
            return self._no_retry
        return InfronChatClient(self._client.with_options(**kwargs))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)
