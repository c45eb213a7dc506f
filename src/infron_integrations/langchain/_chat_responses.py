"""The explicit opt-in route: ``ChatInfron(use_responses_api=True)`` talks to ``/v1/responses``.

Docs: the OpenResponses overview and ``openapi/responses-create-a-response.json`` (which accepts
``reasoning``, ``provider`` and ``usage``). langchain-openai's own Responses support does the work;
this module only adds Infron's options (in ``extra_body``, since the SDK's typed ``create`` does
not know them), typed errors and usage records. ``web_search`` is a chat-completions option; on
this route pass a ``web_search`` tool instead, so it is refused rather than dropped.

The Responses route is not the fast path: it goes through the SDK's typed models. Messages keep
langchain-openai's Responses format (``model_provider="openai"``, so LangChain's OpenAI block
translator reads their content); Infron's ``cost``, ``cost_details``, ``request_id`` and
``provider`` are added to ``response_metadata`` and the usage record for invoke. Streams on this
route get the cost from the final ``response.completed`` event, which langchain-openai's stream
parser drops: for a stream, the model's client is wrapped (:class:`_Peek`) so the events are seen
on their way to the parser. (With ``include_response_headers=True`` langchain-openai reads the raw
response instead and the cost stays unknown.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from pydantic import BaseModel

from ..core.errors import InfronConfigError
from ..core.openai_compat import INFRON_EXTRA_KEYS
from ..core.options import check_option_spelling, request_fragment
from ..core.usage import UsageRecord
from ._chat_convert import with_cost
from ._chat_payload import pop_call_options
from ._compat import (
    astream_responses,
    construct_responses_payload,
    construct_responses_result,
    convert_input,
    default_params,
    request_payload,
    should_stream_usage,
    stream_responses,
)
from ._errors import to_langchain_error
from ._validation import NO_PREVIOUS_RESPONSE, check_body_extras

if TYPE_CHECKING:
    from langchain_core.callbacks import (
        AsyncCallbackManagerForLLMRun,
        CallbackManagerForLLMRun,
    )
    from langchain_core.language_models import LanguageModelInput
    from langchain_core.messages import BaseMessage
    from langchain_core.messages.ai import UsageMetadata

    from .chat_models import ChatInfron

__all__ = ["GATEWAY_KEY", "agenerate", "astream", "generate", "payload", "stream"]

#: response_metadata key marking Responses-route messages as Infron's (their model_provider stays
#: "openai" so LangChain's OpenAI translator reads their Responses-format content)
GATEWAY_KEY = "gateway"


def payload(
    model: ChatInfron,
    input_: LanguageModelInput,
    stop: list[str] | None,
    kwargs: dict[str, Any],
) -> dict[str, Any]:
    """The ``/v1/responses`` body, Infron options in ``extra_body``."""
    layer = pop_call_options(kwargs)
    check_option_spelling(kwargs)
    if "extra_body" in kwargs:
        check_body_extras(kwargs["extra_body"])
    if kwargs.get("previous_response_id") is not None:
        raise InfronConfigError(NO_PREVIOUS_RESPONSE)
    options = model._call_options(layer)
    if options.web_search is not None:
        raise InfronConfigError(
            "web_search is a chat-completions option (web_search_options); with "
            "use_responses_api=True add a web search tool instead, e.g. "
            "tools=[{'type': 'web_search'}], or leave use_responses_api unset."
        )
    if options.prompt_cache is not None:
        raise InfronConfigError(
            "prompt_cache places cache_control markers on chat-completions messages; it is not "
            "available with use_responses_api=True."
        )
    messages = convert_input(model, input_).to_messages()
    if stop is not None:
        kwargs["stop"] = stop
    body = {**default_params(model), **kwargs}
    fragment = request_fragment(options)
    extra_body = body.get("extra_body")
    body["extra_body"] = {**fragment, **(extra_body or {})}
    return construct_responses_payload(messages, body)


def _usage_record(
    usage: UsageMetadata | None, model: str, extras: dict[str, Any] | None = None
) -> UsageRecord:
    extras = extras or {}
    cost = extras.get("cost")
    if usage is None:
        return UsageRecord(
            model=model,
            cost=cost,
            framework="langchain",
            unknown_cost_requests=0 if cost is not None else 1,
        )
    details = usage.get("input_token_details") or {}
    out_details = usage.get("output_token_details") or {}
    return UsageRecord(
        model=model,
        input_tokens=usage["input_tokens"],
        output_tokens=usage["output_tokens"],
        total_tokens=usage["total_tokens"],
        cache_read_tokens=details.get("cache_read") or 0,
        reasoning_tokens=out_details.get("reasoning") or 0,
        cost=cost,
        request_id=extras.get("request_id"),
        provider=extras.get("provider") if isinstance(extras.get("provider"), str) else None,
        framework="langchain",
        unknown_cost_requests=0 if cost is not None else 1,
    )


def _extras(response: Any) -> dict[str, Any]:
    """Infron's additions to a Responses body (cost, cost_details, request_id, provider)."""
    extra = getattr(response, "model_extra", None) or {}
    return {k: extra[k] for k in INFRON_EXTRA_KEYS if extra.get(k) is not None}


_FINAL_EVENTS = ("response.completed", "response.incomplete")


class _Peek:
    """Infron's extras of a stream's final response, read as the events go past."""

    __slots__ = ("extras",)

    def __init__(self) -> None:
        self.extras: dict[str, Any] = {}

    def see(self, event: Any) -> None:
        if getattr(event, "type", None) in _FINAL_EVENTS:
            self.extras = _extras(getattr(event, "response", None))


class _PeekStream:
    """The SDK's (sync or async) event stream, every event shown to a :class:`_Peek` first."""

    __slots__ = ("_peek", "_stream")

    def __init__(self, stream: Any, peek: _Peek) -> None:
        self._stream = stream
        self._peek = peek

    def __enter__(self) -> _PeekStream:
        self._stream.__enter__()
        return self

    def __exit__(self, *exc: Any) -> Any:
        return self._stream.__exit__(*exc)

    def __iter__(self) -> Iterator[Any]:
        for event in self._stream:
            self._peek.see(event)
            yield event

    async def __aenter__(self) -> _PeekStream:
        await self._stream.__aenter__()
        return self

    async def __aexit__(self, *exc: Any) -> Any:
        return await self._stream.__aexit__(*exc)

    async def __aiter__(self) -> AsyncIterator[Any]:
        async for event in self._stream:
            self._peek.see(event)
            yield event


class _PeekResponses:
    __slots__ = ("_async", "_peek", "_responses")

    def __init__(self, responses: Any, peek: _Peek, is_async: bool) -> None:
        self._responses = responses
        self._peek = peek
        self._async = is_async

    def create(self, **kwargs: Any) -> Any:
        if self._async:
            return self._acreate(**kwargs)
        result = self._responses.create(**kwargs)
        return _PeekStream(result, self._peek) if kwargs.get("stream") else result

    async def _acreate(self, **kwargs: Any) -> Any:
        result = await self._responses.create(**kwargs)
        return _PeekStream(result, self._peek) if kwargs.get("stream") else result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._responses, name)


class _PeekClient:
    """Stands in for the model's ``OpenAI``/``AsyncOpenAI`` client for one streamed call."""

    __slots__ = ("_client", "responses")

    def __init__(self, client: Any, peek: _Peek, is_async: bool) -> None:
        self._client = client
        self.responses = _PeekResponses(client.responses, peek, is_async)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def _peeking(model: ChatInfron, is_async: bool) -> tuple[ChatInfron, _Peek]:
    """A shallow copy of ``model`` whose client shows the stream's events to a :class:`_Peek`."""
    peek = _Peek()
    if is_async:
        client = _PeekClient(model._async_root(), peek, True)
        return model.model_copy(update={"root_async_client": client}), peek
    client = _PeekClient(model.root_client, peek, False)
    return model.model_copy(update={"root_client": client}), peek


def _result(model: ChatInfron, response: Any, schema: Any) -> ChatResult:
    extras = _extras(response)
    extras[GATEWAY_KEY] = "infron"
    result = construct_responses_result(
        response, schema=schema, metadata=extras, output_version=model.output_version
    )
    message = result.generations[0].message
    usage = message.usage_metadata if isinstance(message, AIMessage) else None
    model._record(_usage_record(usage, model.model_name, extras), model.model_name)
    if usage is not None and model.cost_in_usage_metadata:
        for generation in result.generations:
            if isinstance(generation.message, AIMessage):
                generation.message.usage_metadata = with_cost(usage, extras)
    return result


def _attach(model: ChatInfron, chunk: ChatGenerationChunk, extras: dict[str, Any]) -> None:
    """Infron's extras on the closing chunk (the one with ``usage_metadata``, if reported)."""
    message = chunk.message
    message.response_metadata.update(extras)
    if (
        model.cost_in_usage_metadata
        and isinstance(message, AIMessageChunk)
        and message.usage_metadata
    ):
        message.usage_metadata = with_cost(message.usage_metadata, extras)


def _parse_call(schema: Any) -> bool:
    return isinstance(schema, type) and issubclass(schema, BaseModel)


def generate(
    model: ChatInfron,
    messages: list[BaseMessage],
    stop: list[str] | None,
    run_manager: CallbackManagerForLLMRun | None,
    kwargs: dict[str, Any],
) -> ChatResult:
    schema = kwargs.get("response_format")
    payload_ = request_payload(model, messages, stop, kwargs)
    responses = model.root_client.responses.with_raw_response
    try:
        call = responses.parse if _parse_call(schema) else responses.create
        response = call(**payload_).parse()
    except Exception as exc:
        error = to_langchain_error(exc)
        if error is exc:
            raise
        raise error from exc
    return _result(model, response, schema)


async def agenerate(
    model: ChatInfron,
    messages: list[BaseMessage],
    stop: list[str] | None,
    run_manager: AsyncCallbackManagerForLLMRun | None,
    kwargs: dict[str, Any],
) -> ChatResult:
    schema = kwargs.get("response_format")
    payload_ = request_payload(model, messages, stop, kwargs)
    responses = model._async_root().responses.with_raw_response
    try:
        call = responses.parse if _parse_call(schema) else responses.create
        response = (await call(**payload_)).parse()
    except Exception as exc:
        error = to_langchain_error(exc)
        if error is exc:
            raise
        raise error from exc
    return _result(model, response, schema)


def stream(
    model: ChatInfron,
    messages: list[BaseMessage],
    stop: list[str] | None,
    run_manager: CallbackManagerForLLMRun | None,
    kwargs: dict[str, Any],
    stream_usage: bool | None = None,
) -> Iterator[ChatGenerationChunk]:
    usage: UsageMetadata | None = None
    report = should_stream_usage(model, stream_usage, kwargs)
    first = True
    peeking, peek = _peeking(model, is_async=False)
    attached = False
    try:
        for chunk in stream_responses(peeking, messages, stop, run_manager, kwargs):
            if isinstance(chunk.message, AIMessageChunk) and chunk.message.usage_metadata:
                usage = chunk.message.usage_metadata
                if not report:  # stream_usage=False: counted for cost, not shown
                    chunk.message.usage_metadata = None
            if first:  # once: LangChain concatenates repeated strings when merging chunks
                chunk.message.response_metadata[GATEWAY_KEY] = "infron"
                first = False
            if peek.extras and not attached:  # the final event's chunk: Infron's cost with it
                _attach(model, chunk, peek.extras)
                attached = True
            yield chunk
    except Exception as exc:
        error = to_langchain_error(exc)
        if error is exc:
            raise
        raise error from exc
    model._record(_usage_record(usage, model.model_name, peek.extras), model.model_name)


async def astream(
    model: ChatInfron,
    messages: list[BaseMessage],
    stop: list[str] | None,
    run_manager: AsyncCallbackManagerForLLMRun | None,
    kwargs: dict[str, Any],
    stream_usage: bool | None = None,
) -> AsyncIterator[ChatGenerationChunk]:
    usage: UsageMetadata | None = None
    report = should_stream_usage(model, stream_usage, kwargs)
    first = True
    peeking, peek = _peeking(model, is_async=True)
    attached = False
    try:
        async for chunk in astream_responses(peeking, messages, stop, run_manager, kwargs):
            if isinstance(chunk.message, AIMessageChunk) and chunk.message.usage_metadata:
                usage = chunk.message.usage_metadata
                if not report:  # stream_usage=False: counted for cost, not shown
                    chunk.message.usage_metadata = None
            if first:
                chunk.message.response_metadata[GATEWAY_KEY] = "infron"
                first = False
            if peek.extras and not attached:  # the final event's chunk: Infron's cost with it
                _attach(model, chunk, peek.extras)
                attached = True
            yield chunk
    except Exception as exc:
        error = to_langchain_error(exc)
        if error is exc:
            raise
        raise error from exc
    model._record(_usage_record(usage, model.model_name, peek.extras), model.model_name)
