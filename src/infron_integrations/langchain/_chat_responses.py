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
route report tokens but not the cost (langchain-openai's stream parser does not pass the final
response's extra fields on).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_openai.chat_models.base import (
    _construct_lc_result_from_responses_api,
    _construct_responses_api_payload,
)
from pydantic import BaseModel

from ..core.errors import InfronConfigError
from ..core.openai_compat import INFRON_EXTRA_KEYS
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


def _result(model: ChatInfron, response: Any, schema: Any) -> ChatResult:
    extras = _extras(response)
    extras[GATEWAY_KEY] = "infron"
    result = _construct_lc_result_from_responses_api(
        response, schema=schema, metadata=extras, output_version=model.output_version
    )
    message = result.generations[0].message
    usage = message.usage_metadata if isinstance(message, AIMessage) else None
    model._record(_usage_record(usage, model.model_name, extras), model.model_name)
    return result


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
    payload_ = model._get_request_payload(messages, stop=stop, **kwargs)
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
    payload_ = model._get_request_payload(messages, stop=stop, **kwargs)
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
) -> Iterator[ChatGenerationChunk]:
    usage: UsageMetadata | None = None
    first = True
    try:
        for chunk in model._stream_responses(messages, stop, run_manager, **kwargs):
            if isinstance(chunk.message, AIMessageChunk) and chunk.message.usage_metadata:
                usage = chunk.message.usage_metadata
            if first:  # once: LangChain concatenates repeated strings when merging chunks
                chunk.message.response_metadata[GATEWAY_KEY] = "infron"
                first = False
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
    first = True
    try:
        async for chunk in model._astream_responses(messages, stop, run_manager, **kwargs):
            if isinstance(chunk.message, AIMessageChunk) and chunk.message.usage_metadata:
                usage = chunk.message.usage_metadata
            if first:
                chunk.message.response_metadata[GATEWAY_KEY] = "infron"
                first = False
            yield chunk
    except Exception as exc:
        error = to_langchain_error(exc)
        if error is exc:
            raise
        raise error from exc
    model._record(_usage_record(usage, model.model_name), model.model_name)
