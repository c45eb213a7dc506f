"""Pydantic models of what Infron sends back beyond plain OpenAI.

Docs: Billing Tracking (``usage``, ``cost``, ``cost_details``), Reasoning & Thinking
(``reasoning_content``), Web Search (``annotations``, ``server_tool_use``), and the per-endpoint
OpenAPI response schemas (``request_id``, ``provider``, ``native_finish_reason``,
``thought_signature``). Every model keeps unknown fields (``extra="allow"``) so nothing the gateway
adds later is lost; adapters put the extras where their framework exposes provider metadata.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "COST_DETAIL_FIELDS",
    "COST_PART_FIELDS",
    "Annotation",
    "Balance",
    "ChatCompletion",
    "ChatCompletionChunk",
    "Choice",
    "ChunkChoice",
    "CompletionTokensDetails",
    "CostDetails",
    "Delta",
    "EmbeddingResponse",
    "ErrorObject",
    "Message",
    "ModelInfo",
    "ModelList",
    "PromptTokensDetails",
    "RerankResponse",
    "RerankResult",
    "ServerToolUse",
    "ToolCall",
    "ToolCallFunction",
    "UrlCitation",
    "Usage",
]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


def _int_or_none(value: Any) -> Any:
    # The docs' own examples send "" for counters that did not happen (server_tool_use).
    if value == "" or value is None:
        return None
    if isinstance(value, str):
        try:
            return int(float(value))
        except ValueError:
            return None
    return value


class PromptTokensDetails(_Wire):
    cached_tokens: int | None = None
    cache_write_tokens: int | None = None
    audio_tokens: int | None = None
    video_tokens: int | None = None
    text_tokens: int | None = None
    image_tokens: int | None = None

    _ints = field_validator("*", mode="before")(_int_or_none)


class CompletionTokensDetails(_Wire):
    reasoning_tokens: int | None = None
    image_tokens: int | None = None
    audio_tokens: int | None = None
    accepted_prediction_tokens: int | None = None
    rejected_prediction_tokens: int | None = None

    _ints = field_validator("*", mode="before")(_int_or_none)


class ServerToolUse(_Wire):
    web_search_requests: int | None = None
    web_fetch_requests: int | None = None

    _ints = field_validator("*", mode="before")(_int_or_none)


class Usage(_Wire):
    """``usage`` as Infron returns it (chat, embeddings and rerank share the token fields)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    prompt_tokens_details: PromptTokensDetails | None = None
    completion_tokens_details: CompletionTokensDetails | None = None
    server_tool_use: ServerToolUse | None = None
    #: some responses carry the cost inside usage as well as at the top level
    cost: float | None = None

    @field_validator("prompt_tokens", "completion_tokens", "total_tokens", mode="before")
    @classmethod
    def _zero(cls, value: Any) -> Any:
        value = _int_or_none(value)
        return 0 if value is None else value


#: The 16 documented ``cost_details`` fields (docs: Billing Tracking).
COST_DETAIL_FIELDS: tuple[str, ...] = (
    "prompt_cost",
    "completion_cost",
    "image_cost",
    "video_cost",
    "audio_cost",
    "native_web_search_cost",
    "plugin_web_search_cost",
    "tools_cost",
    "prompt_cache_read_cost",
    "prompt_cache_write_cost",
    "prompt_cache_write_5_min",
    "prompt_cache_write_1_h",
    "reasoning_cost",
    "discount_rate",
    "is_byok",
    "byok_cost",
)

#: The additive parts of ``cost``. ``prompt_cache_write_5_min`` and ``prompt_cache_write_1_h`` are a
#: breakdown of ``prompt_cache_write_cost``; ``discount_rate``/``is_byok``/``byok_cost`` describe
#: billing, not a part of the charge.
COST_PART_FIELDS: tuple[str, ...] = (
    "prompt_cost",
    "completion_cost",
    "reasoning_cost",
    "prompt_cache_read_cost",
    "prompt_cache_write_cost",
    "image_cost",
    "video_cost",
    "audio_cost",
    "native_web_search_cost",
    "plugin_web_search_cost",
    "tools_cost",
)


class CostDetails(_Wire):
    """``cost_details``: the breakdown of ``cost`` in USD (all 16 documented fields)."""

    prompt_cost: float | None = None
    completion_cost: float | None = None
    image_cost: float | None = None
    video_cost: float | None = None
    audio_cost: float | None = None
    native_web_search_cost: float | None = None
    plugin_web_search_cost: float | None = None
    tools_cost: float | None = None
    prompt_cache_read_cost: float | None = None
    prompt_cache_write_cost: float | None = None
    prompt_cache_write_5_min: float | None = None
    prompt_cache_write_1_h: float | None = None
    reasoning_cost: float | None = None
    discount_rate: float | None = None
    is_byok: bool | None = None
    byok_cost: float | None = None

    def parts_total(self) -> float:
        """The sum of the additive parts (see ``COST_PART_FIELDS``)."""
        from decimal import Decimal

        total = sum(
            (Decimal(repr(getattr(self, name) or 0.0)) for name in COST_PART_FIELDS), Decimal(0)
        )
        return float(total)


class UrlCitation(_Wire):
    url: str
    title: str | None = None
    start_index: int | None = None
    end_index: int | None = None
    content: str | None = None


class Annotation(_Wire):
    type: str
    url_citation: UrlCitation | None = None


class ErrorObject(_Wire):
    """The ``error`` object of an HTTP error body or an in-band error."""

    code: int | str | None = None
    message: str = ""
    type: str | None = None
    param: str | None = None
    metadata: dict[str, Any] | None = None


class ToolCallFunction(_Wire):
    name: str | None = None
    arguments: str | None = None


class ToolCall(_Wire):
    id: str | None = None
    type: str | None = None
    index: int | None = None
    function: ToolCallFunction | None = None
    thought_signature: str | None = None


class Message(_Wire):
    role: str | None = None
    content: str | None = None
    refusal: str | None = None
    reasoning_content: str | None = None
    reasoning: str | None = None
    reasoning_details: list[Any] | None = None
    thought_signature: str | None = None
    tool_calls: list[ToolCall] | None = None
    annotations: list[Annotation] | None = None

    @property
    def reasoning_text(self) -> str | None:
        """``reasoning_content`` or, failing that, ``reasoning``."""
        return self.reasoning_content or self.reasoning


class Choice(_Wire):
    index: int = 0
    message: Message = Field(default_factory=Message)
    finish_reason: str | None = None
    native_finish_reason: str | None = None
    error: ErrorObject | None = None


class _HasCost(_Wire):
    id: str | None = None
    model: str | None = None
    created: int | None = None
    object: str | None = None
    usage: Usage | None = None
    cost: float | None = None
    cost_details: CostDetails | None = None
    request_id: str | None = None
    provider: str | None = None
    system_fingerprint: str | None = None

    @property
    def total_cost(self) -> float | None:
        """Top-level ``cost``, else ``usage.cost``; None when the gateway reported none."""
        if self.cost is not None:
            return self.cost
        return self.usage.cost if self.usage is not None else None


class ChatCompletion(_HasCost):
    """A non-streamed chat completion with Infron's extras."""

    choices: list[Choice] = Field(default_factory=list)


class Delta(Message):
    pass


class ChunkChoice(_Wire):
    index: int = 0
    delta: Delta = Field(default_factory=Delta)
    finish_reason: str | None = None
    native_finish_reason: str | None = None
    error: ErrorObject | None = None


class ChatCompletionChunk(_HasCost):
    """One SSE chunk; the last one (empty ``choices``) carries usage and cost."""

    choices: list[ChunkChoice] = Field(default_factory=list)


class EmbeddingResponse(_HasCost):
    data: list[dict[str, Any]] = Field(default_factory=list)


class RerankResult(_Wire):
    index: int
    relevance_score: float
    document: Any = None


class RerankResponse(_HasCost):
    results: list[RerankResult] = Field(default_factory=list)


class Balance(_Wire):
    account_name: str | None = None
    credit_balance: float


class ModelInfo(_Wire):
    """One ``GET /models`` entry; fields beyond these are kept as extras."""

    id: str
    object: str | None = None
    created: int | None = None
    owned_by: str | None = None
    name: str | None = None
    context_length: int | None = None
    pricing: dict[str, Any] | None = None
    type: str | None = None
    """``chat``, ``embedding`` or ``rerank``."""
    architecture: dict[str, Any] | None = None
    top_provider: dict[str, Any] | None = None
    supported_parameters: list[str] | None = None


class ModelList(_Wire):
    object: str | None = None
    data: list[ModelInfo] = Field(default_factory=list)
