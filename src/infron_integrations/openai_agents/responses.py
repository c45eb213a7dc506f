"""``InfronResponsesModel``: the Agents SDK's Responses-API model against Infron's ``/v1/responses``.

Chosen with ``InfronProvider(api="responses")``. Provider routing, reasoning and usage accounting
are merged and sent exactly as for chat completions; web search is a hosted tool on this API
(``agents.WebSearchTool()``), and prompt-cache breakpoints are not available here. The cost of
each response is recorded as for chat completions (``run_cost(result)``, ``track_usage()``), put
in the usage of its response span, and, with ``preserve_raw_usage=True``, in the SDK's raw usage
(the SDK dumps ``response.usage``, while Infron's ``cost`` sits at the top of the response).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

import openai
from agents import ModelSettings
from openai import AsyncOpenAI
from openai.types.responses import Response

from ..core.errors import InfronStreamError
from ..core.options import InfronOptions, parse_options
from ..core.usage import UsageRecord, record_usage
from ._compat import ResponsesModelBase, Send, add_cost_to_span, request_id_of
from ._errors import to_agents_error
from ._options import prepare_call
from ._stream import FRAMEWORK, convert_stream_error, cost_fields
from .cost import remember

__all__ = ["InfronResponsesModel", "record_from_response"]

_TERMINAL = frozenset({"response.completed", "response.failed", "response.incomplete"})
_ERRORS = frozenset({"error", "response.error"})


def record_from_response(response: Response) -> UsageRecord:
    """A usage record from a Responses-API response with Infron's ``cost`` extras."""
    extra = response.model_extra or {}
    usage = response.usage
    chat_usage: dict[str, Any] | None = None
    if usage is not None:
        inp = usage.input_tokens_details
        out = usage.output_tokens_details
        chat_usage = {
            "prompt_tokens": usage.input_tokens,
            "completion_tokens": usage.output_tokens,
            "total_tokens": usage.total_tokens,
            "prompt_tokens_details": {
                "cached_tokens": getattr(inp, "cached_tokens", 0) or 0,
                "cache_write_tokens": getattr(inp, "cache_write_tokens", 0) or 0,
            },
            "completion_tokens_details": {
                "reasoning_tokens": getattr(out, "reasoning_tokens", 0) or 0
            },
        }
    request_id = extra.get("request_id")
    if not isinstance(request_id, str) or not request_id:
        request_id = request_id_of(response) or response.id
    provider = extra.get("provider")
    return UsageRecord.from_usage(
        chat_usage,
        cost=extra.get("cost"),
        cost_details=extra.get("cost_details"),
        model=response.model,
        request_id=request_id,
        provider=provider if isinstance(provider, str) else None,
        kind="responses",
        framework=FRAMEWORK,
    )


def _finish(response: Response, preserve_raw_usage: bool) -> None:
    """Record a completed response's cost; put it on the response span (and raw usage)."""
    cost = cost_fields(response.model_extra)
    if cost:
        add_cost_to_span(cost)
        if preserve_raw_usage and response.usage is not None:
            # the SDK keeps a dump of response.usage as raw usage: a copy with the cost as
            # pydantic extras carries it there (the token fields are unchanged)
            response.usage = response.usage.model_copy(update=cost)
    record = record_from_response(response)
    remember(response.id, record)
    if record.request_id and record.request_id != response.id:
        remember(record.request_id, record)
    record_usage(record)


class _ResponsesEventStream:
    """Records the completed response's cost; raises when the stream ends without a terminal
    event, or breaks."""

    def __init__(self, stream: Any, preserve_raw_usage: bool = False) -> None:
        self._stream = stream
        self._iterator: AsyncIterator[Any] = stream.__aiter__()
        self._terminal = False
        self._preserve_raw_usage = preserve_raw_usage

    def __aiter__(self) -> _ResponsesEventStream:
        return self

    async def __anext__(self) -> Any:
        try:
            event = await self._iterator.__anext__()
        except StopAsyncIteration:
            if not self._terminal:
                self._terminal = True
                raise to_agents_error(
                    InfronStreamError(
                        "The Infron response stream ended without response.completed; the "
                        "connection may have dropped. Retry the request."
                    )
                ) from None
            raise
        except Exception as exc:
            converted = convert_stream_error(exc)
            if converted is exc:
                raise
            raise converted from exc
        kind = getattr(event, "type", None)
        if kind in _TERMINAL or kind in _ERRORS:
            self._terminal = True
            if kind == "response.completed":
                _finish(event.response, self._preserve_raw_usage)
        return event

    async def aclose(self) -> None:
        close = getattr(self._stream, "aclose", None) or getattr(self._stream, "close", None)
        if close is not None:
            await close()

    async def close(self) -> None:
        await self.aclose()


class InfronResponsesModel(ResponsesModelBase):
    """An Agents SDK ``Model`` that calls Infron's OpenAI Responses-compatible endpoint.

    Args:
        model: the Infron model id.
        openai_client: the ``AsyncOpenAI`` pointed at Infron.
        options: default Infron options for this model (below the agent's and the run's).
    """

    def __init__(
        self,
        model: str,
        openai_client: AsyncOpenAI,
        *,
        options: InfronOptions | Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(model, openai_client)
        self.options = parse_options(options)
        # validate the defaults now (no web search / prompt cache on this API)
        prepare_call(self.options, ModelSettings(), stream=False, api="responses")

    def __repr__(self) -> str:
        return f"InfronResponsesModel(model={self.model!r})"

    async def _infron_fetch(self, send: Send, model_settings: ModelSettings, stream: bool) -> Any:
        call = prepare_call(self.options, model_settings, stream=stream, api="responses")
        try:
            ret = await send(call.settings)
        except openai.APIError as exc:
            converted = convert_stream_error(exc)
            if converted is exc:
                raise
            raise converted from exc
        preserve_raw_usage = model_settings.preserve_raw_usage is True
        if isinstance(ret, Response):
            _finish(ret, preserve_raw_usage)
            return ret
        return _ResponsesEventStream(ret, preserve_raw_usage)
