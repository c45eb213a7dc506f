"""Infron responses -> LiteLLM's native objects, with cost where LiteLLM keeps it.

Docs: Billing Tracking (``cost``, ``cost_details``), Reasoning & Thinking (``reasoning_content``),
Streaming, Errors code.

* Non-stream: LiteLLM's own converter builds the ``ModelResponse`` from the raw body, so
  ``reasoning_content``, tool calls (with ``thought_signature``), annotations and cached tokens
  survive; Infron's extras (``provider``, ``request_id``, ``cost``, ``cost_details``) stay as
  attributes. The gateway's ``cost`` goes to ``usage.cost`` and ``_hidden_params["response_cost"]``,
  which LiteLLM's cost callbacks, spend logs and the proxy's ``x-litellm-response-cost`` read.
* Stream: content, reasoning and tool-call deltas are yielded as ``ModelResponseStream`` (LiteLLM's
  ``GenericStreamingChunk`` cannot carry reasoning); each delta keeps its ``reasoning_details``
  fragments as sent. The finish reason and the final usage (with ``cost``) come last as one
  ``GenericStreamingChunk`` (a ``ModelResponseStream`` alone loses usage in LiteLLM's stream
  wrapper), carrying the merged ``reasoning_details`` (``core.reasoning``) and the message's
  ``thought_signature`` where ``stream_chunk_builder`` keeps them, in the message's
  ``provider_specific_fields`` as for a non-streamed message (a tool call's ``thought_signature``
  goes to the call's ``provider_specific_fields``). In-band errors raise as they arrive, and a
  stream that ends before a finish reason raises.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import litellm
from litellm.types.utils import GenericStreamingChunk

from ..core.errors import raise_for_inband_error
from ..core.stream import StreamAccumulator
from ..core.usage import UsageRecord, record_usage
from ._compat import (
    InfronStreamChunk,
    is_our_cache_hit,
    model_response_from_body,
    replace_hidden_params,
    set_response_cost,
    set_stream_message_fields,
    set_stream_tool_call_fields,
)

__all__ = [
    "FRAMEWORK",
    "InfronStreamChunk",
    "StreamState",
    "chat_response",
    "embedding_response",
    "rerank_response",
    "unbill_cache_hit",
    "unbill_cached_chunk",
]

FRAMEWORK = "litellm"
_EXTRA_KEYS = ("provider", "request_id")


def _drop_duplicate_reasoning(message: dict[str, Any]) -> None:
    # Infron sends the text twice (`reasoning_content` and `reasoning`); LiteLLM would keep the
    # second copy in provider_specific_fields. Keep one.
    if message.get("reasoning_content") is not None and "reasoning" in message:
        del message["reasoning"]


def _set_cost(response: Any, cost: Any) -> None:
    if cost is None:
        return
    usage = getattr(response, "usage", None)
    if usage is not None:
        usage.cost = cost
    set_response_cost(response, cost)


def chat_response(body: dict[str, Any], model_response: litellm.ModelResponse) -> Any:
    """The ``ModelResponse`` for a chat-completion body (raises on an in-band error)."""
    raise_for_inband_error(body)
    for choice in body.get("choices") or ():
        message = choice.get("message")
        if message:
            _drop_duplicate_reasoning(message)
    cost = body.get("cost")
    response = model_response_from_body(body, model_response)
    _set_cost(response, cost)
    record_usage(UsageRecord.from_response(body, framework=FRAMEWORK))
    return response


class StreamState:
    """Turns parsed SSE chunks into what LiteLLM's ``CustomStreamWrapper`` consumes."""

    __slots__ = ("acc", "signature")

    def __init__(self) -> None:
        self.acc = StreamAccumulator()
        #: the message-level thought_signature (a delta of its own, near the end of the stream)
        self.signature: str | None = None

    def convert(self, chunk: dict[str, Any]) -> InfronStreamChunk | None:
        """One chunk -> a ``ModelResponseStream`` with its deltas, or None when it carries none."""
        self.acc.feed(chunk)  # raises the typed error for an in-band error chunk
        choices = chunk.get("choices")
        if not choices:
            return None
        keep = []
        for choice in choices:
            # The finish reason is sent once, in the final chunk (LiteLLM stops reading a
            # custom provider's stream at the first finish reason and would lose the usage).
            choice["finish_reason"] = None
            delta = choice.get("delta")
            if delta:
                _drop_duplicate_reasoning(delta)
                if delta.get("thought_signature"):
                    self.signature = delta["thought_signature"]
                for call in delta.get("tool_calls") or ():
                    if call.get("thought_signature"):
                        signature = {"thought_signature": call["thought_signature"]}
                        set_stream_tool_call_fields(call, signature)
                keep.append(choice)
        if not keep:
            return None
        fields: dict[str, Any] = {
            "id": chunk.get("id"),
            "created": chunk.get("created"),
            "model": chunk.get("model"),
            "choices": keep,
        }
        return InfronStreamChunk(**fields)

    def final(self) -> GenericStreamingChunk:
        """The closing chunk: finish reason and usage with ``cost``; records the usage.

        Raises:
            InfronStreamError: the stream ended before any choice finished.
            InfronBudgetExceededError: a usage tracker's budget was crossed.
        """
        acc = self.acc
        acc.finish()
        usage_chunk = acc.usage_chunk
        usage: dict[str, Any] | None = None
        extras: dict[str, Any] = {}
        if usage_chunk is not None:
            usage = dict(usage_chunk.get("usage") or {})
            cost = usage_chunk.get("cost")
            if cost is not None:
                usage["cost"] = cost
            details = usage_chunk.get("cost_details")
            if details is not None:
                usage["cost_details"] = details
            extras = {k: usage_chunk[k] for k in _EXTRA_KEYS if usage_chunk.get(k) is not None}
            if cost is not None:
                # where a stream can say its cost whatever the client asked: the closing chunk's
                # provider fields, which the proxy forwards at the chunk's top level too (its
                # usage chunk exists only with stream_options.include_usage, and its cost header
                # is sent before the stream has a cost)
                extras["cost"] = cost
            record = acc.usage_record(framework=FRAMEWORK)
            if record is not None:
                record_usage(record)
        else:
            # usage accounting was turned off: the request still counts, at an unknown cost
            record_usage(
                UsageRecord(
                    model=acc.model,
                    request_id=acc.request_id,
                    provider=acc.provider,
                    framework=FRAMEWORK,
                    unknown_cost_requests=1,
                )
            )
        if acc.request_id and "request_id" not in extras:
            extras["request_id"] = acc.request_id
        if acc.provider and "provider" not in extras:
            extras["provider"] = acc.provider
        if acc.native_finish_reason is not None:
            extras["native_finish_reason"] = acc.native_finish_reason
        details = acc.reasoning_details()
        if details:
            extras["reasoning_details"] = details  # merged: the turn's replay needs them whole
        if self.signature:
            extras["thought_signature"] = self.signature
        chunk = GenericStreamingChunk(
            text="",
            tool_use=None,
            is_finished=True,
            finish_reason=acc.finish_reason or "stop",
            usage=usage,  # type: ignore[typeddict-item]
            index=0,
        )
        set_stream_message_fields(chunk, extras)
        return chunk


def unbill_cache_hit(response: Any, deployment: str | None = None) -> None:
    """Give a response LiteLLM's cache answered (for one of our providers) the cost it had: none.

    The cached body still carries the cost of the call that filled the cache; a client that adds
    up ``usage.cost`` would count it twice. The gateway was not called, so ``cost`` and
    ``usage.cost`` say 0.0 and the first call's ``cost_details`` go.
    """
    if not is_our_cache_hit(response, deployment):
        return
    usage = getattr(response, "usage", None)
    if usage is not None and getattr(usage, "cost", None) is not None:
        usage.cost = 0.0
    if getattr(response, "cost", None) is not None:
        response.cost = 0.0
    if getattr(response, "cost_details", None) is not None:
        delattr(response, "cost_details")


def unbill_cached_chunk(chunk: Any) -> None:
    """:func:`unbill_cache_hit` for a chunk of a stream LiteLLM's cache replays: its usage chunk
    says 0.0 (LiteLLM prices a replay's usage from its model map, here Infron's catalog)."""
    usage = getattr(chunk, "usage", None)
    if usage is not None and getattr(usage, "cost", None) is not None:
        usage.cost = 0.0
    if getattr(chunk, "cost", None) is not None:
        chunk.cost = 0.0


def embedding_response(body: Mapping[str, Any], model_response: Any) -> Any:
    """Fill LiteLLM's ``EmbeddingResponse`` from an embeddings body; records the usage."""
    raise_for_inband_error(body)
    model_response.model = body.get("model")
    model_response.data = body.get("data") or []
    raw_usage = body.get("usage") or {}
    usage = litellm.Usage(
        prompt_tokens=raw_usage.get("prompt_tokens") or 0,
        completion_tokens=raw_usage.get("completion_tokens") or 0,
        total_tokens=raw_usage.get("total_tokens") or 0,
    )
    model_response.usage = usage
    for key in ("provider", "request_id", "cost", "cost_details"):
        if body.get(key) is not None:
            setattr(model_response, key, body[key])
    _set_cost(model_response, body.get("cost"))
    record_usage(UsageRecord.from_response(body, kind="embeddings", framework=FRAMEWORK))
    return model_response


def rerank_response(body: Mapping[str, Any]) -> Any:
    """LiteLLM's ``RerankResponse`` for a rerank body, with ``response_cost``; records the usage."""
    from litellm.types.rerank import RerankResponse

    raise_for_inband_error(body)
    raw_usage = body.get("usage") or {}
    results: list[Any] = [
        {k: v for k, v in item.items() if k in ("index", "relevance_score", "document")}
        for item in body.get("results") or ()
    ]
    response = RerankResponse(
        id=body.get("id"),
        results=results,
        meta={
            "tokens": {
                "input_tokens": raw_usage.get("prompt_tokens") or 0,
                "output_tokens": raw_usage.get("completion_tokens") or 0,
            }
        },
    )
    hidden: dict[str, Any] = {"custom_llm_provider": "infron", "model": body.get("model")}
    for key in ("provider", "request_id", "cost", "cost_details", "usage"):
        if body.get(key) is not None:
            hidden[key] = body[key]
    replace_hidden_params(response, hidden)
    if body.get("cost") is not None:
        set_response_cost(response, body["cost"])
    record_usage(UsageRecord.from_response(body, kind="rerank", framework=FRAMEWORK))
    return response
