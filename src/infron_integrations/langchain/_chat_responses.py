"""The explicit opt-in route: ``ChatInfron(use_responses_api=True)`` talks to ``/v1/responses``.

Docs: the OpenResponses overview and ``openapi/responses-create-a-response.json`` (which accepts
``reasoning``, ``provider`` and ``usage``). langchain-openai's own Responses support does the work;
this module only adds Infron's options (in ``extra_body``, since the SDK's typed ``create`` does
not know them), typed errors and usage records. ``web_search`` is a chat-completions option; on
this route pass a ``web_search`` tool instead, so it is refused rather than dropped.

The Responses route is not the fast path: it goes through the SDK's typed models, and the
gateway's ``cost`` is not surfaced by langchain-openai's parser, so its usage records carry token
counts with an unknown cost.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_openai.chat_models.base import BaseChatOpenAI, _construct_responses_api_payload

from ..core.errors import InfronConfigError
from ..core.options import request_fragment
from ..core.usage import UsageRecord
from ._chat_payload import pop_call_options
from ._errors import to_langchain_error

if TYPE_CHECKING:
    from langchain_core.callbacks import (
        AsyncCallbackManagerForLLMRun,
        CallbackManagerForLLMRun,
    )
    from langchain_core.language_models import LanguageModelInput
    from langchain_core.messages import BaseMessage
    from langchain_core.messages.ai import UsageMetadata

    from .chat_models import ChatInfron

__all__ = ["agenerate", "astream", "generate", "payload", "stream"]


def payload(
    model: ChatInfron,
    input_: LanguageModelInput,
    stop: list[str] | None,
    kwargs: dict[str, Any],
) -> dict[str, Any]:
    """The ``/v1/responses`` body, Infron options in ``extra_body``."""
    layer = pop_call_options(kwargs)
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
    messages = model._convert_input(input_).to_messages()
    if stop is not None:
        kwargs["stop"] = stop
    body = {**model._default_params, **kwargs}
    fragment = request_fragment(options)
    extra_body = body.get("extra_body")
    body["extra_body"] = {**fragment, **(extra_body or {})}
    return _construct_responses_api_payload(messages, body)


def _usage_record(usage: UsageMetadata | None, model: str) -> UsageRecord:
    if usage is None:
        return UsageRecord(model=model, framework="langchain", unknown_cost_requests=1)
    details = usage.get("input_token_details") or {}
    out_details = usage.get("output_token_details") or {}
    return UsageRecord(
        model=model,
        input_tokens=usage["input_tokens"],
        output_tokens=usage["output_tokens"],
        total_tokens=usage["total_tokens"],
        cache_read_tokens=details.get("cache_read") or 0,
        reasoning_tokens=out_details.get("reasoning") or 0,
        framework="langchain",
        unknown_cost_requests=1,
    )


def generate(
    model: ChatInfron,
    messages: list[BaseMessage],
    stop: list[str] | None,
    run_manager: CallbackManagerForLLMRun | None,
    kwargs: dict[str, Any],
) -> ChatResult:
    try:
        result = BaseChatOpenAI._generate(model, messages, stop, run_manager, **kwargs)
    except Exception as exc:
        error = to_langchain_error(exc)
        if error is exc:
            raise
        raise error from exc
    message = result.generations[0].message
    usage = message.usage_metadata if isinstance(message, AIMessage) else None
    model._record(_usage_record(usage, model.model_name), model.model_name)
    return result


async def agenerate(
    model: ChatInfron,
    messages: list[BaseMessage],
    stop: list[str] | None,
    run_manager: AsyncCallbackManagerForLLMRun | None,
    kwargs: dict[str, Any],
) -> ChatResult:
    try:
        result = await BaseChatOpenAI._agenerate(model, messages, stop, run_manager, **kwargs)
    except Exception as exc:
        error = to_langchain_error(exc)
        if error is exc:
            raise
        raise error from exc
    message = result.generations[0].message
    usage = message.usage_metadata if isinstance(message, AIMessage) else None
    model._record(_usage_record(usage, model.model_name), model.model_name)
    return result


def stream(
    model: ChatInfron,
    messages: list[BaseMessage],
    stop: list[str] | None,
    run_manager: CallbackManagerForLLMRun | None,
    kwargs: dict[str, Any],
) -> Iterator[ChatGenerationChunk]:
    usage: UsageMetadata | None = None
    try:
        for chunk in model._stream_responses(messages, stop, run_manager, **kwargs):
            if isinstance(chunk.message, AIMessageChunk) and chunk.message.usage_metadata:
                usage = chunk.message.usage_metadata
            yield chunk
    except Exception as exc:
        error = to_langchain_error(exc)
        if error is exc:
            raise
        raise error from exc
    model._record(_usage_record(usage, model.model_name), model.model_name)


async def astream(
    model: ChatInfron,
    messages: list[BaseMessage],
    stop: list[str] | None,
    run_manager: AsyncCallbackManagerForLLMRun | None,
    kwargs: dict[str, Any],
) -> AsyncIterator[ChatGenerationChunk]:
    usage: UsageMetadata | None = None
    try:
        async for chunk in model._astream_responses(messages, stop, run_manager, **kwargs):
            if isinstance(chunk.message, AIMessageChunk) and chunk.message.usage_metadata:
                usage = chunk.message.usage_metadata
            yield chunk
    except Exception as exc:
        error = to_langchain_error(exc)
        if error is exc:
            raise
        raise error from exc
    model._record(_usage_record(usage, model.model_name), model.model_name)
