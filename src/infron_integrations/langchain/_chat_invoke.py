"""Non-streamed chat completions for ChatInfron (``invoke``/``batch``; sync and async).

Docs: Create a chat completion, Billing Tracking, Errors code (an error inside a 200 body raises).
The body is sent through the pooled OpenAI SDK client (its retries honour ``Retry-After``) and read
raw: one JSON parse, Infron's extras kept, one usage record per completed call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.openai_compat import RawResponse, raw_response_type
from ._chat_convert import chat_result
from ._chat_transport import read_json
from ._errors import to_langchain_error

if TYPE_CHECKING:
    from langchain_core.messages import BaseMessage
    from langchain_core.outputs import ChatResult

    from .chat_models import ChatInfron

__all__ = ["agenerate", "generate"]

_PATH = "/chat/completions"
FRAMEWORK = "langchain"


def _request(
    model: ChatInfron, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any]
) -> tuple[dict[str, Any], type | None, dict[str, Any]]:
    payload, schema, options = model._prepare(messages, stop, kwargs)
    payload["stream"] = False  # e.g. streaming=True with disable_streaming: still one body
    return payload, schema, options


def _finish(
    model: ChatInfron, response: RawResponse, payload: dict[str, Any], schema: type | None
) -> tuple[ChatResult, dict[str, Any]]:
    body = read_json(response)
    result = chat_result(
        body,
        model_name=payload["model"],
        schema=schema,
        generation_info=model._headers_info(response),
        cost_in_usage=model.cost_in_usage_metadata,
    )
    return result, body


def _record(model: ChatInfron, body: dict[str, Any], model_id: str) -> None:
    from ..core.usage import UsageRecord  # loaded by the first call, not with ChatInfron

    model._record(UsageRecord.from_response(body, framework=FRAMEWORK), model_id)


def _raise(exc: Exception, response: RawResponse | None) -> None:
    error = to_langchain_error(exc, response=response)
    if error is exc:
        raise exc
    raise error from exc


def generate(
    model: ChatInfron, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any]
) -> ChatResult:
    """``ChatInfron._generate`` on chat completions."""
    payload, schema, options = _request(model, messages, stop, kwargs)
    response: RawResponse | None = None
    try:
        response = model.root_client.post(
            _PATH, body=payload, cast_to=raw_response_type(), options=options
        )
        result, body = _finish(model, response, payload, schema)
    except Exception as exc:
        _raise(exc, response)
        raise  # unreachable: _raise always raises
    _record(model, body, payload["model"])
    return result


async def agenerate(
    model: ChatInfron, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any]
) -> ChatResult:
    """``ChatInfron._agenerate`` on chat completions."""
    payload, schema, options = _request(model, messages, stop, kwargs)
    response: RawResponse | None = None
    try:
        response = await model._async_root().post(
            _PATH, body=payload, cast_to=raw_response_type(), options=options
        )
        result, body = _finish(model, response, payload, schema)
    except Exception as exc:
        _raise(exc, response)
        raise  # unreachable: _raise always raises
    _record(model, body, payload["model"])
    return result
