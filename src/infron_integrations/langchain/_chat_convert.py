"""Infron chat-completion responses and stream chunks -> LangChain messages.

Docs: Reasoning & Thinking (``reasoning_content`` / ``reasoning`` / ``reasoning_details``),
Billing Tracking (``usage``, ``cost``, ``cost_details``), Web Search (``annotations``), Streaming
(the final ``choices: []`` chunk with usage), and the chat-completion OpenAPI schema
(``thought_signature`` on messages and tool calls, ``request_id``, ``provider``,
``native_finish_reason``).

The functions work on the parsed JSON dicts directly (no SDK models, no per-chunk pydantic
validation): this is the hot path of every call. Where each Infron extra lands:

* reasoning text -> ``additional_kwargs["reasoning_content"]`` (LangChain turns it into a standard
  ``reasoning`` content block); ``reasoning_details`` -> ``additional_kwargs`` as sent (a
  stream's fragments merged by type and index, in the closing chunk);
* ``thought_signature`` -> ``additional_kwargs["thought_signature"]``; tool-call signatures ->
  ``additional_kwargs["tool_call_thought_signatures"]`` keyed by tool-call id (LangChain's tool
  calls cannot carry extra keys);
* usage -> ``usage_metadata`` (cache read/creation, reasoning, audio details); with
  ``cost_in_usage=True`` also the cost keys LangSmith reads (:func:`with_cost`);
* ``cost``, ``cost_details``, ``request_id``, ``provider``, ``native_finish_reason``,
  ``annotations`` and any other top-level key -> ``response_metadata`` with
  ``model_provider="infron"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.messages.ai import InputTokenDetails, OutputTokenDetails, UsageMetadata
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.output_parsers.openai_tools import make_invalid_tool_call, parse_tool_call
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from ..core.errors import InfronAPIError, raise_for_inband_error
from ..core.reasoning import merge_reasoning_details
from ..core.usage import cost_split
from ._compat import allow_cost_in_usage

__all__ = [
    "PROVIDER",
    "SIGNATURES_KEY",
    "StreamConverter",
    "ai_message",
    "chat_result",
    "parse_structured",
    "usage_metadata",
    "with_cost",
]

PROVIDER = "infron"
SIGNATURES_KEY = "tool_call_thought_signatures"

# Message keys that map onto LangChain fields; any other non-null key is kept in additional_kwargs.
_MESSAGE_KEYS = frozenset(
    {
        "role",
        "content",
        "tool_calls",
        "reasoning_content",
        "reasoning",
        "annotations",
        "refusal",
    }
)
# Top-level keys that are not response metadata (they become messages or usage_metadata).
_BODY_SKIP = frozenset({"choices", "usage", "model", "object"})


def _int(value: Any) -> int | None:
    # The docs' own examples send "" or null for counters that did not happen.
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str) and value.strip():
        try:
            return int(float(value))
        except ValueError:
            return None
    return None


def usage_metadata(usage: Mapping[str, Any]) -> UsageMetadata:
    """LangChain usage from Infron's ``usage`` (``prompt_tokens`` includes cached tokens)."""
    input_tokens = _int(usage.get("prompt_tokens")) or 0
    output_tokens = _int(usage.get("completion_tokens")) or 0
    total = _int(usage.get("total_tokens")) or input_tokens + output_tokens
    result = UsageMetadata(
        input_tokens=input_tokens, output_tokens=output_tokens, total_tokens=total
    )
    ptd = usage.get("prompt_tokens_details")
    if isinstance(ptd, Mapping):
        details = InputTokenDetails()
        for wire, name in (
            ("cached_tokens", "cache_read"),
            ("cache_write_tokens", "cache_creation"),
            ("audio_tokens", "audio"),
        ):
            value = _int(ptd.get(wire))
            if value is not None:
                details[name] = value  # type: ignore[literal-required]
        if details:
            result["input_token_details"] = details
    ctd = usage.get("completion_tokens_details")
    if isinstance(ctd, Mapping):
        out_details = OutputTokenDetails()
        for wire, name in (("reasoning_tokens", "reasoning"), ("audio_tokens", "audio")):
            value = _int(ctd.get(wire))
            if value is not None:
                out_details[name] = value  # type: ignore[literal-required]
        if out_details:
            result["output_token_details"] = out_details
    return result


def with_cost(usage: UsageMetadata, body: Mapping[str, Any]) -> UsageMetadata:
    """``usage`` plus the gateway's cost under the keys LangSmith reads from ``usage_metadata``.

    LangSmith takes a provider's own cost from ``total_cost``, ``input_cost`` / ``output_cost``
    and ``input_cost_details`` / ``output_cost_details`` (langsmith's ``UsageMetadata``) instead
    of estimating it. ``total_cost`` is the gateway's ``cost``; the sides come from
    ``cost_details`` (``core.usage.cost_split``). A body without cost leaves ``usage`` as it is.
    langchain-core cannot add float usage values: the first cost put here makes it able to
    (``_compat.allow_cost_in_usage``), so LangChain's own usage sums keep working.
    """
    split = cost_split(body.get("cost"), body.get("cost_details"))
    if split is None:
        return usage
    allow_cost_in_usage()
    result: dict[str, Any] = {**usage, "total_cost": split.total}
    if split.input is not None:
        result["input_cost"] = split.input
    if split.output is not None:
        result["output_cost"] = split.output
    input_details = {
        name: value
        for name, value in (("cache_read", split.cache_read), ("cache_creation", split.cache_write))
        if value is not None
    }
    if input_details:
        result["input_cost_details"] = input_details
    if split.reasoning is not None:
        result["output_cost_details"] = {"reasoning": split.reasoning}
    return result  # type: ignore[return-value]


def parse_structured(schema: type | None, content: str | None) -> Any:
    """The ``parsed`` value for a pydantic ``response_format`` (None when it does not validate).

    On failure LangChain's structured-output parser raises with the raw message shown.
    """
    if schema is None or not content:
        return None
    validate = getattr(schema, "model_validate_json", None)
    if validate is None:
        return None
    try:
        return validate(content)
    except ValueError:
        return None


def _reasoning_text(message: Mapping[str, Any]) -> str | None:
    # The gateway may send the same text as both `reasoning_content` and `reasoning`.
    text = message.get("reasoning_content")
    if not text:
        text = message.get("reasoning")
    return text if isinstance(text, str) and text else None


def ai_message(message: Mapping[str, Any], *, schema: type | None = None) -> AIMessage:
    """One ``choices[i].message`` as an ``AIMessage`` (no usage or metadata yet)."""
    additional_kwargs: dict[str, Any] = {}
    reasoning = _reasoning_text(message)
    if reasoning is not None:
        additional_kwargs["reasoning_content"] = reasoning
    tool_calls = []
    invalid_tool_calls = []
    raw_calls = message.get("tool_calls")
    if raw_calls:
        signatures: dict[str, str] = {}
        for raw in raw_calls:
            try:
                tool_calls.append(parse_tool_call(raw, return_id=True))
            except Exception as exc:  # langchain reports unparsable arguments this way
                invalid_tool_calls.append(make_invalid_tool_call(raw, str(exc)))
            signature = raw.get("thought_signature")
            if signature and raw.get("id"):
                signatures[raw["id"]] = signature
        if signatures:
            additional_kwargs[SIGNATURES_KEY] = signatures
    refusal = message.get("refusal")
    if refusal:
        additional_kwargs["refusal"] = refusal
    for key, value in message.items():
        if key not in _MESSAGE_KEYS and value is not None:
            additional_kwargs[key] = value  # thought_signature, reasoning_details, audio, ...
    content = message.get("content") or ""
    if schema is not None:
        parsed = parse_structured(schema, content)
        if parsed is not None:
            additional_kwargs["parsed"] = parsed
    response_metadata: dict[str, Any] = {"model_provider": PROVIDER}
    annotations = message.get("annotations")
    if annotations:
        response_metadata["annotations"] = annotations
    return AIMessage(
        content=content,
        additional_kwargs=additional_kwargs,
        tool_calls=tool_calls,
        invalid_tool_calls=invalid_tool_calls,
        response_metadata=response_metadata,
    )


def chat_result(
    body: Mapping[str, Any],
    *,
    model_name: str,
    schema: type | None = None,
    generation_info: Mapping[str, Any] | None = None,
    cost_in_usage: bool = False,
) -> ChatResult:
    """A whole (non-streamed) response as a ``ChatResult``.

    With ``cost_in_usage`` the ``usage_metadata`` also carries the cost (:func:`with_cost`).

    Raises:
        InfronAPIError: the body carries an error (HTTP 200 with ``error`` or a choice that
            finished with ``"error"``), or has no choices at all.
    """
    raise_for_inband_error(body)
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices:
        raise InfronAPIError(
            f"the response has no choices (keys: {sorted(body)!r}); retry the request, or "
            "report it with its request_id",
            request_id=body.get("request_id"),
            body=body,
            in_band=True,
        )
    usage = body.get("usage")
    usage_md = usage_metadata(usage) if isinstance(usage, Mapping) else None
    if usage_md is not None and cost_in_usage:
        usage_md = with_cost(usage_md, body)
    generations = []
    for choice in choices:
        message = ai_message(choice.get("message") or {}, schema=schema)
        if usage_md is not None:
            message.usage_metadata = usage_md
        info: dict[str, Any] = dict(generation_info) if generation_info else {}
        info["finish_reason"] = choice.get("finish_reason")
        native = choice.get("native_finish_reason")
        if native is not None:
            info["native_finish_reason"] = native
        if choice.get("logprobs") is not None:
            info["logprobs"] = choice["logprobs"]
        generations.append(ChatGeneration(message=message, generation_info=info))
    llm_output: dict[str, Any] = {
        key: value for key, value in body.items() if key not in _BODY_SKIP and value is not None
    }
    llm_output["model_name"] = body.get("model") or model_name
    llm_output["model_provider"] = PROVIDER
    if isinstance(usage, Mapping):
        llm_output["token_usage"] = usage
    return ChatResult(generations=generations, llm_output=llm_output)


class StreamConverter:
    """Turns the chunks of one stream into ``ChatGenerationChunk``s.

    Strings that LangChain would concatenate when merging chunks (model name, request id,
    provider) and numbers it cannot merge (cost) are emitted exactly once, in the closing chunk
    built by :meth:`final_chunk`, together with the usage, so exactly one chunk carries
    ``usage_metadata``. With ``report_usage=False`` (``stream_usage=False``) no chunk carries it,
    even when the gateway sends usage anyway (it does whenever usage accounting asks for cost).
    ``reasoning_details`` fragments are collected and emitted there too, merged by type and index
    (``core.reasoning``): LangChain's chunk merge would concatenate their repeated ``format`` and
    fold entries of different types that share an index into one, and a replay must carry them
    whole and unchanged (docs: Reasoning & Thinking).
    """

    __slots__ = (
        "_details",
        "_ids",
        "_meta",
        "_usage",
        "cost_in_usage",
        "model_name",
        "report_usage",
        "schema",
    )

    def __init__(
        self,
        model_name: str,
        schema: type | None = None,
        *,
        report_usage: bool = True,
        cost_in_usage: bool = False,
    ) -> None:
        self.model_name = model_name
        self.schema = schema
        self.report_usage = report_usage
        self.cost_in_usage = cost_in_usage
        self._meta: dict[str, Any] = {}
        self._usage: Mapping[str, Any] | None = None
        #: tool-call index -> id, for signatures that arrive after the call's first delta
        self._ids: dict[int, str] = {}
        self._details: list[Any] = []

    def _remember(self, chunk: Mapping[str, Any]) -> None:
        meta = self._meta
        for key, value in chunk.items():
            if value is None or key in ("choices", "usage", "object", "created"):
                continue
            meta[key] = value  # later chunks win: the final one carries cost/cost_details

    def chunk(self, data: Mapping[str, Any]) -> ChatGenerationChunk | None:
        """Convert one chunk; None when it carries nothing to yield (e.g. the usage chunk)."""
        if data.get("usage"):
            self._usage = data["usage"]
        self._remember(data)
        choices = data.get("choices")
        if not choices:
            return None
        choice = choices[0]
        delta = choice.get("delta") or {}
        additional_kwargs: dict[str, Any] = {}
        reasoning = _reasoning_text(delta)
        if reasoning is not None:
            additional_kwargs["reasoning_content"] = reasoning
        refusal = delta.get("refusal")
        if refusal:
            additional_kwargs["refusal"] = refusal
        tool_call_chunks = []
        raw_calls = delta.get("tool_calls")
        if raw_calls:
            signatures: dict[str, str] = {}
            for raw in raw_calls:
                index = raw.get("index", 0)
                call_id = raw.get("id")
                if call_id:
                    self._ids[index] = call_id
                function = raw.get("function") or {}
                tool_call_chunks.append(
                    tool_call_chunk(
                        name=function.get("name"),
                        args=function.get("arguments"),
                        id=call_id,
                        index=index,
                    )
                )
                signature = raw.get("thought_signature")
                known_id = call_id or self._ids.get(index)
                if signature and known_id:
                    signatures[known_id] = signature
            if signatures:
                additional_kwargs[SIGNATURES_KEY] = signatures
        for key, value in delta.items():
            if key == "reasoning_details" and isinstance(value, list):
                self._details.extend(value)  # emitted merged by final_chunk
            elif key not in _MESSAGE_KEYS and value is not None:
                additional_kwargs[key] = value  # thought_signature, audio, ...
        response_metadata: dict[str, Any] = {"model_provider": PROVIDER}
        annotations = delta.get("annotations")
        if annotations:
            response_metadata["annotations"] = annotations
        message = AIMessageChunk(
            content=delta.get("content") or "",
            additional_kwargs=additional_kwargs,
            tool_call_chunks=tool_call_chunks,
            response_metadata=response_metadata,
        )
        info: dict[str, Any] | None = None
        finish = choice.get("finish_reason")
        if finish:
            info = {"finish_reason": finish}
            native = choice.get("native_finish_reason")
            if native is not None:
                info["native_finish_reason"] = native
        if choice.get("logprobs"):
            info = info or {}
            info["logprobs"] = choice["logprobs"]
        return ChatGenerationChunk(message=message, generation_info=info)

    def final_chunk(self, text: str = "") -> ChatGenerationChunk:
        """The closing chunk: usage, cost, ids, model name (and ``parsed`` for schemas)."""
        meta = self._meta
        response_metadata = {key: value for key, value in meta.items() if key != "model"}
        response_metadata["model_name"] = meta.get("model") or self.model_name
        response_metadata["model_provider"] = PROVIDER
        usage = self._usage if self.report_usage else None
        if usage is not None:
            response_metadata["token_usage"] = usage
        additional_kwargs: dict[str, Any] = {}
        if self._details:
            additional_kwargs["reasoning_details"] = merge_reasoning_details(self._details)
        if self.schema is not None:
            parsed = parse_structured(self.schema, text)
            if parsed is not None:
                additional_kwargs["parsed"] = parsed
        usage_md = usage_metadata(usage) if usage is not None else None
        if usage_md is not None and self.cost_in_usage:
            usage_md = with_cost(usage_md, meta)
        message = AIMessageChunk(
            content="",
            additional_kwargs=additional_kwargs,
            response_metadata=response_metadata,
            usage_metadata=usage_md,
            chunk_position="last",
        )
        return ChatGenerationChunk(message=message)
