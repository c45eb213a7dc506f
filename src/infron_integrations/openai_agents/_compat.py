"""Every private name of the Agents SDK and the OpenAI SDK that this adapter relies on.

Nothing else in ``openai_agents/`` touches a private name of either SDK: it subclasses the bases
below and implements their hooks (our own names), and reads and writes request ids and trace
exports through the functions below. Each entry says why no public route serves, and the versions
it was checked on: openai-agents 0.20.0 (with openai 2.45) and 0.24.0 (with openai 3.60), the ends
of the supported range (``scripts/lanes.py``: lanes ``oldest`` and ``newest``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from agents import ModelSettings, OpenAIChatCompletionsModel, OpenAIResponsesModel
from agents.tracing import GenerationSpanData, ResponseSpanData, get_current_span

__all__ = [
    "ChatCompletionsModelBase",
    "ExportSelector",
    "ResponsesModelBase",
    "Send",
    "add_cost_to_span",
    "filter_exports",
    "pin_export_key",
    "request_id_of",
    "set_request_id",
]

# -- request ids -----------------------------------------------------------------------------------

# The OpenAI SDK keeps the ``x-request-id`` header as the private pydantic attribute
# ``_request_id`` of every parsed response, and the Agents SDK copies it, with
# ``getattr(response, "_request_id", None)``, into ``ModelResponse.request_id``: the only way to
# give a response the id under which run_cost() finds its record (openai 2.45 / 3.60, agents
# 0.20.0 / 0.24.0). Written with setattr, i.e. through pydantic's __setattr__, which keeps it as a
# private attribute that survives model_copy() (the SDK copies a stream's placeholder response).
_REQUEST_ID = "_request_id"


def request_id_of(response: object) -> str | None:
    """The request id the OpenAI SDK recorded on a parsed response, if any."""
    value = getattr(response, _REQUEST_ID, None)
    return value if isinstance(value, str) and value else None


def set_request_id(response: object, request_id: str | None) -> None:
    """Record ``request_id`` where the Agents SDK reads it into ``ModelResponse.request_id``."""
    setattr(response, _REQUEST_ID, request_id)


# -- the request step of the SDK's models ----------------------------------------------------------

#: sends the request the SDK builds, with the given settings; returns what the SDK's step returns
Send = Callable[[ModelSettings], Awaitable[Any]]


class ChatCompletionsModelBase(OpenAIChatCompletionsModel):
    """``OpenAIChatCompletionsModel`` with its request step routed to :meth:`_infron_fetch`.

    ``_fetch_response`` is private: it builds and sends the request, and returns the completion,
    or, for a stream, the SDK's placeholder ``Response`` with the chunk stream. No public hook
    sees both the settings before the request is built and that placeholder (the stream's request
    id goes on it) (agents 0.20.0 / 0.24.0: same signature and return shapes).
    """

    async def _fetch_response(  # type: ignore[override]
        self,
        system_instructions: str | None,
        input: str | list[Any],
        model_settings: ModelSettings,
        tools: list[Any],
        output_schema: Any,
        handoffs: list[Any],
        span: Any,
        tracing: Any,
        stream: bool = False,
        prompt: Any = None,
    ) -> Any:
        async def send(settings: ModelSettings) -> Any:
            return await super(ChatCompletionsModelBase, self)._fetch_response(
                system_instructions,
                input,
                settings,
                tools,
                output_schema,
                handoffs,
                span,
                tracing,
                stream=stream,  # type: ignore[call-overload]
                prompt=prompt,
            )

        return await self._infron_fetch(send, input, model_settings, stream)

    async def _infron_fetch(
        self, send: Send, input: str | list[Any], model_settings: ModelSettings, stream: bool
    ) -> Any:
        """Send the request (subclasses adjust the settings and check the result)."""
        return await send(model_settings)


class ResponsesModelBase(OpenAIResponsesModel):
    """``OpenAIResponsesModel`` with its request step routed to :meth:`_infron_fetch`.

    ``_fetch_response`` is private: the only step that returns the API's own ``Response`` (with
    Infron's ``cost``) or raw event stream before the SDK converts them (agents 0.20.0 / 0.24.0:
    same signature and return shapes).
    """

    async def _fetch_response(  # type: ignore[override]
        self,
        system_instructions: str | None,
        input: str | list[Any],
        model_settings: ModelSettings,
        tools: list[Any],
        output_schema: Any,
        handoffs: list[Any],
        previous_response_id: str | None = None,
        conversation_id: str | None = None,
        stream: bool = False,
        prompt: Any = None,
    ) -> Any:
        async def send(settings: ModelSettings) -> Any:
            return await super(ResponsesModelBase, self)._fetch_response(
                system_instructions,
                input,
                settings,
                tools,
                output_schema,
                handoffs,
                previous_response_id=previous_response_id,
                conversation_id=conversation_id,
                stream=stream,  # type: ignore[call-overload]
                prompt=prompt,
            )

        return await self._infron_fetch(send, model_settings, stream)

    async def _infron_fetch(self, send: Send, model_settings: ModelSettings, stream: bool) -> Any:
        """Send the request (subclasses adjust the settings and check the result)."""
        return await send(model_settings)


# -- the cost on generation and response spans ----------------------------------------------------


class _PendingCost(dict[str, Any]):
    """The request's cost, kept in a span's ``usage`` slot until the SDK writes the usage."""


def _with_cost_on_write(base: type) -> type:
    """A subclass of ``base`` whose ``usage``, when the SDK assigns it, gets the pending cost.

    The SDK assigns ``span_data.usage`` a new dict after the model's request step returned and
    before the span ends, with nothing of ours running in between on the non-streamed paths; so
    the cost is parked in the instance's own ``usage`` slot (read back as None, as before) and
    merged into the dict the SDK assigns. Same slots, same name, same ``type``: processors and
    exporters see a ``GenerationSpanData`` / ``ResponseSpanData`` whose ``usage`` also has
    ``cost`` and ``cost_details``.
    """
    slot = base.__dict__["usage"]  # the slot descriptor of the SDK's class

    def get(self: Any) -> Any:
        value = slot.__get__(self, base)
        return None if isinstance(value, _PendingCost) else value

    def set_(self: Any, value: Any) -> None:
        pending = slot.__get__(self, base)
        if isinstance(pending, _PendingCost) and not isinstance(value, _PendingCost):
            if isinstance(value, dict):
                value = {**value, **pending}
            elif value is None:
                value = pending  # still waiting for the SDK's usage
        slot.__set__(self, value)

    namespace: dict[str, Any] = {"__slots__": (), "__module__": __name__, "__doc__": base.__doc__}
    namespace["usage"] = property(get, set_)
    return type(base.__name__, (base,), namespace)


_COSTED: dict[type, type] = {
    base: _with_cost_on_write(base) for base in (GenerationSpanData, ResponseSpanData)
}
_COSTED_CLASSES = frozenset(_COSTED.values())


def add_cost_to_span(cost: Mapping[str, Any]) -> bool:
    """Put ``cost`` (``cost`` / ``cost_details``) in the usage of the current model span.

    Called from the model's request step, inside the SDK's ``generation_span`` (chat
    completions) or ``response_span`` (Responses API), which the SDK makes the current span
    (``agents.tracing.get_current_span``, public). A usage the SDK already wrote gets the cost at
    once; otherwise the span data's class is switched to the subclass above, which adds it when
    the SDK writes the usage. Assigning ``__class__`` between classes with the same slots is
    plain Python; the slot descriptor read is the SDK class's own ``usage`` (agents 0.20.0 and
    0.24.0: ``GenerationSpanData`` and ``ResponseSpanData`` keep ``usage`` in ``__slots__`` and
    assign it after ``_fetch_response`` returns, or, streamed, when the terminal event arrives).

    Returns:
        True when the current span is a generation or response span and carries the cost.
    """
    span = get_current_span()
    data = getattr(span, "span_data", None)
    if not isinstance(data, (GenerationSpanData, ResponseSpanData)):
        return False
    usage = data.usage
    if isinstance(usage, dict):
        data.usage = {**usage, **cost}
        return True
    costed = _COSTED.get(type(data))
    if costed is not None:
        data.__class__ = costed
    elif type(data) not in _COSTED_CLASSES:
        return False  # an application's own subclass: left as it is
    data.usage = _PendingCost(cost)
    return True


# -- trace export ----------------------------------------------------------------------------------

#: ``(exporter, items) -> the items to export``; must not raise
ExportSelector = Callable[[Any, list[Any]], list[Any]]

# The exporter's private export step. 0.20.0's BatchTraceProcessor calls it directly when it
# drains the queue with a deadline (at shutdown), bypassing ``export``; in 0.20.0 and 0.24.0
# ``export`` itself calls it with ``deadline=None``.
_EXPORT_WITH_DEADLINE = "_export_with_deadline"


def filter_exports(exporter: Any, select: ExportSelector) -> None:
    """Make ``exporter`` pass every batch through ``select`` before it is sent.

    There is no public hook between the trace processor and the exporter's HTTP request, and the
    key is only known for certain there. So the exporter instance gets its own ``export`` (public;
    0.24.0's BatchTraceProcessor calls an application's override of it on every path, the
    shutdown drain included, without the deadline) and, where it exists, its own
    ``_export_with_deadline`` (0.20.0's processor calls that directly on the shutdown drain; the
    deadline is kept there). Instance attributes shadow the class's methods; other exporters and
    processors are untouched. A batch may pass ``select`` twice (``export`` -> the class's
    ``export`` -> ``_export_with_deadline``); ``select`` is idempotent. Checked on agents 0.20.0 and
    0.24.0 (``agents/tracing/processors.py``: ``BackendSpanExporter``, ``BatchTraceProcessor``).
    """
    state = vars(exporter)
    original_export = exporter.export

    def export(items: list[Any]) -> None:
        kept = select(exporter, items)
        if kept:
            original_export(kept)

    state["export"] = export
    original_with_deadline = getattr(exporter, _EXPORT_WITH_DEADLINE, None)
    if callable(original_with_deadline):

        def export_with_deadline(items: list[Any], deadline: float | None = None) -> None:
            kept = select(exporter, items)
            if kept:
                original_with_deadline(kept, deadline)

        state[_EXPORT_WITH_DEADLINE] = export_with_deadline


class _PinnedKey:
    """A queued trace or span as the exporter reads it, carrying the key it was checked with.

    The exporter authenticates each item with ``item.tracing_api_key or self.api_key`` and sends
    ``item.export()`` (0.20.0 / 0.24.0). Pinning the exporter's key on the item keeps a key that
    changes between the check and the request from being used unchecked. Any other attribute is
    the item's own.
    """

    __slots__ = ("_item", "tracing_api_key")

    def __init__(self, item: Any, key: str) -> None:
        self._item = item
        self.tracing_api_key = key

    def export(self) -> Any:
        return self._item.export()

    def __getattr__(self, name: str) -> Any:
        if name == "_item":  # not set yet (a copy being built): no recursion
            raise AttributeError(name)
        return getattr(self._item, name)

    def __repr__(self) -> str:
        return f"_PinnedKey({self._item!r})"


def pin_export_key(item: Any, key: str) -> Any:
    """``item``, to be exported with exactly ``key`` (the one it was checked with)."""
    return _PinnedKey(item, key)
