"""``InfronModel``: the Agents SDK's chat-completions model, speaking Infron.

It subclasses ``OpenAIChatCompletionsModel`` (through ``_compat.ChatCompletionsModelBase``, which
hands the SDK's request step to :meth:`InfronModel._infron_fetch`) and translates only what
differs:

* Infron options (provider routing, reasoning, web search, usage accounting; docs sections
  "Inference Provider Routing", "Reasoning & Thinking", "Web Search", "Billing Tracking") are
  merged from the provider's defaults, the agent's and the run's settings into the request body;
  ``reasoning.effort`` goes in the ``reasoning`` object, never as ``reasoning_effort``;
* prompt-cache breakpoints and ``thought_signature`` replay are applied to the built request
  (docs: Prompt Caching);
* streamed calls ask for the final usage chunk; every finished request's usage and cost are
  recorded (``run_cost(result)``, and the core's ``track_usage()`` trackers);
* gateway errors, in-band errors (HTTP 200 with an ``error``) and broken streams raise classes
  that are both the core's typed exceptions and the OpenAI SDK's (``openai.RateLimitError`` ...,
  see ``_errors``), chained to the SDK's original error, so the Agents SDK's retry advice and an
  ``except openai.APIStatusError`` see the status, headers and request id (docs: Errors code);
* ``reasoning_content`` becomes a reasoning item, replayed to the next turn by a policy;
  ``reasoning_details`` are kept on that item and sent back with the tool results (see
  ``_reasoning``; docs: Reasoning & Thinking).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextvars import ContextVar
from typing import Any, Literal, cast

import openai
from agents import ModelResponse, ModelSettings, ModelTracing
from agents.models.reasoning_content_replay import (
    ReasoningContentReplayContext,
    ReasoningContentSource,
    ShouldReplayReasoningContent,
    default_should_replay_reasoning_content,
)
from openai import AsyncOpenAI
from openai.types.chat import ChatCompletion
from openai.types.responses import ResponseOutputMessage

from ..core.errors import InfronAPIError, InfronConfigError, raise_for_inband_error
from ..core.options import InfronOptions, parse_options
from ..core.usage import UsageRecord, record_usage, tracking_active
from ._client import REQUEST_EDIT, InfronChatClient, RequestEdit, collect_signatures
from ._compat import (
    ChatCompletionsModelBase,
    Send,
    add_cost_to_span,
    request_id_of,
    set_request_id,
)
from ._errors import to_agents_error
from ._options import prepare_call
from ._reasoning import collect_replay, keep_details, message_details
from ._stream import (
    InfronChunkStream,
    cost_fields,
    normalize_message,
    raw_usage,
    record_builder,
)
from .cost import PendingRecord, remember

__all__ = ["InfronModel", "ReplayPolicy", "replay_policy"]

ReplayPolicy = Literal["auto", "always", "never"] | ShouldReplayReasoningContent


def replay_policy(policy: ReplayPolicy) -> ShouldReplayReasoningContent:
    """The SDK hook for a reasoning replay policy.

    * ``"auto"``: replay a reasoning item (as ``reasoning_content`` on the next assistant message)
      when it came from the model being called now, so a model sees its own reasoning back but
      never another model's after a handoff;
    * ``"always"`` / ``"never"``;
    * a callable ``(ReasoningContentReplayContext) -> bool``, used as is.
    """
    if callable(policy):
        return policy
    if policy == "always":
        return _always
    if policy == "never":
        return _never
    if policy == "auto":
        return _same_model
    raise InfronConfigError(
        f"replay_reasoning={policy!r}: use 'auto', 'always', 'never' or a callable."
    )


def _always(context: ReasoningContentReplayContext) -> bool:
    return True


def _never(context: ReasoningContentReplayContext) -> bool:
    return False


def _same_model(context: ReasoningContentReplayContext) -> bool:
    return context.reasoning.origin_model == context.model


class _CallSlot:
    """Filled while the request of the surrounding call is sent (see ``InfronModel``)."""

    __slots__ = ("message_signature", "preserve_raw_usage", "raw_usage", "reasoning", "stream")

    def __init__(self, preserve_raw_usage: bool = False) -> None:
        self.preserve_raw_usage = preserve_raw_usage
        self.message_signature: str | None = None
        self.reasoning: list[Any] | None = None
        self.raw_usage: dict[str, Any] | None = None
        self.stream: InfronChunkStream | None = None


_CALL: ContextVar[_CallSlot | None] = ContextVar("infron_agents_call", default=None)


def _raise_converted(exc: BaseException) -> None:
    # the combined core + OpenAI SDK error (see ._errors), chained to the original
    converted = to_agents_error(exc)
    if converted is not exc:
        raise converted from exc


def _sign_output(items: list[Any], signature: str | None) -> None:
    if not signature:
        return
    for item in items:
        if isinstance(item, ResponseOutputMessage):
            data = dict(getattr(item, "provider_data", None) or {})
            data["thought_signature"] = signature
            item.provider_data = data  # type: ignore[attr-defined]


class InfronModel(ChatCompletionsModelBase):
    """An Agents SDK ``Model`` for one Infron model id (``"anthropic/claude-sonnet-4"``, ...).

    Usually obtained from :class:`InfronProvider.get_model`; can also be put on an agent directly:
    ``Agent(model=InfronModel("openai/gpt-4o", client))``.

    Args:
        model: the Infron model id, slashes included.
        openai_client: the ``AsyncOpenAI`` pointed at Infron (the provider passes its pooled one).
            Without it, one is taken from the core pool for ``INFRON_API_KEY``/``INFRON_BASE_URL``.
        options: default Infron options for this model (below the agent's and the run's).
        replay_reasoning: when ``reasoning_content`` is sent back on the next turn (see
            :func:`replay_policy`), and the ``reasoning_details`` of earlier user turns (those of
            the current user turn always go back with its tool results).
        strict_feature_validation: passed to the SDK's model (raise on Responses-only features).
        buffer_streamed_tool_calls: passed to the SDK's model.
    """

    def __init__(
        self,
        model: str,
        openai_client: AsyncOpenAI | None = None,
        *,
        options: InfronOptions | Mapping[str, Any] | None = None,
        replay_reasoning: ReplayPolicy = "auto",
        strict_feature_validation: bool = False,
        buffer_streamed_tool_calls: bool = False,
    ) -> None:
        if not isinstance(model, str) or not model.strip():
            raise InfronConfigError("InfronModel needs a model id such as 'openai/gpt-4o'.")
        if openai_client is None:
            from ..core.http import async_openai_client
            from ..core.settings import InfronSettings

            openai_client = async_openai_client(InfronSettings.resolve())
        self._infron_client = openai_client
        # The SDK sends through the client it is given: ours edits each chat request on its way
        # (see ._client). It looks like an AsyncOpenAI to the SDK, base_url and with_options
        # included (the SDK asks for a no-retry copy when its own retry loop is in charge).
        super().__init__(
            model,
            cast(AsyncOpenAI, InfronChatClient(openai_client)),
            should_replay_reasoning_content=replay_policy(replay_reasoning),
            strict_feature_validation=strict_feature_validation,
            buffer_streamed_tool_calls=buffer_streamed_tool_calls,
        )
        self.options = parse_options(options)

    @property
    def openai_client(self) -> AsyncOpenAI:
        """The ``AsyncOpenAI`` this model sends through."""
        return self._infron_client

    def __repr__(self) -> str:
        base_url = str(self._infron_client.base_url)
        return f"InfronModel(model={self.model!r}, base_url={base_url!r})"

    # -- the two entry points --------------------------------------------------------------------

    async def get_response(
        self,
        system_instructions: str | None,
        input: str | list[Any],
        model_settings: ModelSettings,
        tools: list[Any],
        output_schema: Any,
        handoffs: list[Any],
        tracing: ModelTracing,
        previous_response_id: str | None = None,
        conversation_id: str | None = None,
        prompt: Any = None,
    ) -> ModelResponse:
        slot = _CallSlot(model_settings.preserve_raw_usage is True)
        token = _CALL.set(slot)
        try:
            response = await super().get_response(
                system_instructions,
                input,
                model_settings,
                tools,
                output_schema,
                handoffs,
                tracing,
                previous_response_id=previous_response_id,
                conversation_id=conversation_id,
                prompt=prompt,
            )
        finally:
            _CALL.reset(token)
        if slot.raw_usage is not None:
            # the run asked for the raw usage: the gateway's cost goes with the tokens
            response.raw_usage = slot.raw_usage
        _sign_output(response.output, slot.message_signature)
        keep_details(response.output, slot.reasoning, self.model)
        return response

    async def stream_response(  # type: ignore[override]
        self,
        system_instructions: str | None,
        input: str | list[Any],
        model_settings: ModelSettings,
        tools: list[Any],
        output_schema: Any,
        handoffs: list[Any],
        tracing: ModelTracing,
        previous_response_id: str | None = None,
        conversation_id: str | None = None,
        prompt: Any = None,
    ) -> AsyncIterator[Any]:
        slot = _CallSlot()
        inner: Any = super().stream_response(
            system_instructions,
            input,
            model_settings,
            tools,
            output_schema,
            handoffs,
            tracing,
            previous_response_id=previous_response_id,
            conversation_id=conversation_id,
            prompt=prompt,
        )
        try:
            # the request is built and sent during the first step; the slot is only visible to it
            token = _CALL.set(slot)
            try:
                event: Any = await inner.__anext__()
            finally:
                _CALL.reset(token)
            while True:
                stream = slot.stream
                if stream is not None:
                    kind = event.type
                    if kind == "response.output_item.done":
                        _sign_output([event.item], stream.message_signature)
                    elif kind == "response.completed":
                        # the SDK's ModelResponse is built from this event's output
                        _sign_output(event.response.output, stream.message_signature)
                        keep_details(event.response.output, stream.reasoning_details(), self.model)
                yield event
                event = await inner.__anext__()
        except StopAsyncIteration:
            return
        finally:
            await inner.aclose()

    # -- request building and response checks ----------------------------------------------------

    async def _infron_fetch(
        self, send: Send, input: str | list[Any], model_settings: ModelSettings, stream: bool
    ) -> Any:
        call = prepare_call(self.options, model_settings, stream=stream)
        tool_sigs, message_sigs = collect_signatures(input)
        reasoning = collect_replay(input, self._replays_earlier)
        edit = (
            RequestEdit(call.options.prompt_cache, tool_sigs, message_sigs, reasoning or None)
            if call.options.prompt_cache is not None or tool_sigs or message_sigs or reasoning
            else None
        )
        token = REQUEST_EDIT.set(edit)
        try:
            ret = await send(call.settings)
        except (openai.APIError, InfronAPIError) as exc:
            _raise_converted(exc)
            raise
        finally:
            REQUEST_EDIT.reset(token)
        slot = _CALL.get()
        if isinstance(ret, ChatCompletion):
            self._check_completion(ret, slot)
            return ret
        response, chunks = ret
        wrapped = InfronChunkStream(
            chunks,
            on_finish=lambda s: self._stream_finished(s, response),
            preserve_raw_usage=model_settings.preserve_raw_usage is True,
        )
        if slot is not None:
            slot.stream = wrapped
        return response, wrapped

    def _replays_earlier(self, item: Mapping[str, Any]) -> bool:
        """The replay policy's answer for a reasoning item of an earlier user turn."""
        data = item.get("provider_data")
        provider_data: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
        origin = provider_data.get("model")
        context = ReasoningContentReplayContext(
            model=self.model,
            base_url=str(self._infron_client.base_url).rstrip("/"),
            reasoning=ReasoningContentSource(
                item=item,
                origin_model=origin if isinstance(origin, str) and origin else None,
                provider_data=provider_data,
            ),
        )
        policy = self.should_replay_reasoning_content or default_should_replay_reasoning_content
        return bool(policy(context))

    def _check_completion(self, completion: ChatCompletion, slot: _CallSlot | None) -> None:
        extra = completion.model_extra or {}
        if extra.get("error") is not None or any(
            c.finish_reason == "error" or (c.model_extra or {}).get("error")  # type: ignore[comparison-overlap]
            for c in completion.choices or ()
        ):
            try:
                raise_for_inband_error(completion.model_dump())
            except InfronAPIError as exc:
                raise to_agents_error(exc) from None
        signature = None
        details = None
        if completion.choices:
            signature = normalize_message(completion.choices[0].message)
            details = message_details(completion.choices[0].message)
        request_id = extra.get("request_id")
        if not isinstance(request_id, str) or not request_id:
            request_id = request_id_of(completion) or completion.id
        # the SDK puts this on the ModelResponse, where run_cost() finds the record
        set_request_id(completion, request_id)
        if slot is not None:
            slot.message_signature = signature
            slot.reasoning = details
            if slot.preserve_raw_usage:
                slot.raw_usage = raw_usage(completion.usage, extra)
        build = record_builder(
            completion.usage,
            extra,
            model=completion.model,
            request_id=request_id,
            provider=None,
        )
        _record(request_id, build)
        _cost_on_span(cost_fields(extra))

    @staticmethod
    def _stream_finished(stream: InfronChunkStream, response: Any) -> None:
        request_id = stream.request_id or request_id_of(response) or stream.chunk_id
        if request_id:
            # the SDK copies the terminal response from this object, request id included
            set_request_id(response, request_id)
        _record(request_id, stream.record_builder(request_id))
        _cost_on_span(stream.cost())


def _cost_on_span(cost: dict[str, Any]) -> None:
    """The request's cost in the usage of its generation span (``_compat.add_cost_to_span``)."""
    if cost:
        add_cost_to_span(cost)


def _record(request_id: str | None, build: Callable[[], UsageRecord]) -> None:
    """Keep the request's record for run_cost(); give it to the active trackers, if any.

    The record is only built when something wants it: at once for a ``track_usage()`` block,
    otherwise when ``run_cost()`` first reads it.
    """
    if tracking_active():
        record = build()
        remember(request_id, record)
        record_usage(record)
    else:
        remember(request_id, PendingRecord(build))
