"""A framework-neutral usage record, and a run-level tracker every adapter records into.

Docs: Billing Tracking. The gateway's own ``cost`` is the truth: a record carries it exactly as
reported (``None`` when the response carried no cost, e.g. embeddings or rerank today) and nothing
here estimates a price. Costs are summed as decimals of the reported figures, so totals are exact.

Usage::

    from infron_integrations.core import track_usage

    with track_usage() as run:
        ...  # LangChain, LiteLLM and Agents SDK calls through this package
    print(run.total.cost, run.total.input_tokens, run.by_model)

Trackers live in a context variable: they nest, follow asyncio tasks, and follow threads that copy
the context (LangChain's executors do; for your own threads use ``contextvars.copy_context().run``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .errors import InfronBudgetExceededError

if TYPE_CHECKING:
    # imported when a record is first built: the response models cost more to import than the
    # rest of the core, and an adapter's import should not pay for them (P4 in bench/)
    from .wire import ChatCompletion, CostDetails, Usage

__all__ = [
    "CostSplit",
    "UsageRecord",
    "UsageTotals",
    "UsageTracker",
    "cost_split",
    "record_usage",
    "track_usage",
    "tracking_active",
]


def _dec(value: float | None) -> Decimal:
    return Decimal(repr(value)) if value is not None else Decimal(0)


#: the ``cost_details`` parts billed for the prompt (input) side of a request
INPUT_COST_PARTS = ("prompt_cost", "prompt_cache_read_cost", "prompt_cache_write_cost")
#: the ``cost_details`` parts billed for the completion (output) side
OUTPUT_COST_PARTS = ("completion_cost", "reasoning_cost")


@dataclass(frozen=True)
class CostSplit:
    """The gateway's ``cost`` with its input and output sides, as observability tools file cost.

    ``total`` is the gateway's ``cost`` itself, never a sum of the parts: parts that are neither
    side (web search, tools, media) count in ``total`` only. A side is None when the response
    carried no ``cost_details``.
    """

    total: float
    input: float | None = None
    output: float | None = None
    cache_read: float | None = None
    cache_write: float | None = None
    reasoning: float | None = None


def _part_sum(details: Mapping[str, Any], names: tuple[str, ...]) -> float | None:
    values = [details.get(name) for name in names]
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if not numbers:
        return None
    return float(sum((_dec(v) for v in numbers), Decimal(0)))


def _part(details: Mapping[str, Any], name: str) -> float | None:
    value = details.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def cost_split(
    cost: float | None, cost_details: CostDetails | Mapping[str, Any] | None = None
) -> CostSplit | None:
    """Split a response's ``cost`` / ``cost_details`` (docs: Billing Tracking) into sides.

    Every adapter that hands the cost to a tracing tool (LangSmith's ``input_cost`` /
    ``output_cost``, Langfuse's ``cost_details``) reads this one split, so the tools agree.

    Returns:
        None when the response reported no cost.
    """
    if isinstance(cost, bool) or not isinstance(cost, (int, float)):
        return None
    if cost_details is None:
        return CostSplit(total=float(cost))
    details: Mapping[str, Any] = (
        cost_details
        if isinstance(cost_details, Mapping)
        else cost_details.model_dump(exclude_none=True)
    )
    return CostSplit(
        total=float(cost),
        input=_part_sum(details, INPUT_COST_PARTS),
        output=_part_sum(details, OUTPUT_COST_PARTS),
        cache_read=_part(details, "prompt_cache_read_cost"),
        cache_write=_part(details, "prompt_cache_write_cost"),
        reasoning=_part(details, "reasoning_cost"),
    )


@dataclass(frozen=True)
class UsageRecord:
    """Tokens and cost of one request (or, after ``+``, of several).

    ``input_tokens`` is ``prompt_tokens`` and includes cached and cache-write tokens, as the docs
    define it; ``cost`` is the gateway's figure in USD or None when it reported none.
    """

    model: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0
    audio_input_tokens: int = 0
    video_input_tokens: int = 0
    image_output_tokens: int = 0
    audio_output_tokens: int = 0
    web_search_requests: int = 0
    cost: float | None = None
    cost_details: CostDetails | None = None
    request_id: str | None = None
    provider: str | None = None
    #: what produced it: "chat", "embeddings", "rerank", ...
    kind: str = "chat"
    #: which adapter recorded it: "langchain", "litellm", "openai-agents", "core"
    framework: str | None = None
    requests: int = 1
    #: how many of ``requests`` reported no cost
    unknown_cost_requests: int = 0

    @classmethod
    def from_usage(
        cls,
        usage: Usage | Mapping[str, Any] | None,
        *,
        cost: float | None = None,
        cost_details: CostDetails | Mapping[str, Any] | None = None,
        model: str | None = None,
        request_id: str | None = None,
        provider: str | None = None,
        kind: str = "chat",
        framework: str | None = None,
    ) -> UsageRecord:
        """Build a record from a ``usage`` object and the top-level cost fields."""
        from .wire import CostDetails, Usage

        parsed = usage if isinstance(usage, Usage) else Usage.model_validate(usage or {})
        details = (
            cost_details
            if isinstance(cost_details, CostDetails) or cost_details is None
            else CostDetails.model_validate(cost_details)
        )
        if cost is None:
            cost = parsed.cost
        ptd = parsed.prompt_tokens_details
        ctd = parsed.completion_tokens_details
        stu = parsed.server_tool_use
        total = parsed.total_tokens or parsed.prompt_tokens + parsed.completion_tokens
        return cls(
            model=model,
            input_tokens=parsed.prompt_tokens,
            output_tokens=parsed.completion_tokens,
            total_tokens=total,
            cache_read_tokens=(ptd.cached_tokens or 0) if ptd else 0,
            cache_write_tokens=(ptd.cache_write_tokens or 0) if ptd else 0,
            audio_input_tokens=(ptd.audio_tokens or 0) if ptd else 0,
            video_input_tokens=(ptd.video_tokens or 0) if ptd else 0,
            reasoning_tokens=(ctd.reasoning_tokens or 0) if ctd else 0,
            image_output_tokens=(ctd.image_tokens or 0) if ctd else 0,
            audio_output_tokens=(ctd.audio_tokens or 0) if ctd else 0,
            web_search_requests=(stu.web_search_requests or 0) if stu else 0,
            cost=cost,
            cost_details=details,
            request_id=request_id,
            provider=provider,
            kind=kind,
            framework=framework,
            unknown_cost_requests=0 if cost is not None else 1,
        )

    @classmethod
    def from_response(
        cls,
        body: ChatCompletion | Mapping[str, Any],
        *,
        kind: str = "chat",
        framework: str | None = None,
    ) -> UsageRecord:
        """Build a record from a whole response body or a stream's final usage chunk."""
        if isinstance(body, Mapping):
            get = body.get
            usage = get("usage")
            return cls.from_usage(
                usage,
                cost=get("cost"),
                cost_details=get("cost_details"),
                model=get("model"),
                request_id=get("request_id"),
                provider=get("provider") if isinstance(get("provider"), str) else None,
                kind=kind,
                framework=framework,
            )
        return cls.from_usage(
            body.usage,
            cost=body.cost,
            cost_details=body.cost_details,
            model=body.model,
            request_id=body.request_id,
            provider=body.provider,
            kind=kind,
            framework=framework,
        )

    def __add__(self, other: UsageRecord) -> UsageRecord:
        if not isinstance(other, UsageRecord):
            return NotImplemented
        if self.cost is None and other.cost is None:
            cost: float | None = None
        else:
            cost = float(_dec(self.cost) + _dec(other.cost))
        return UsageRecord(
            model=self.model if self.model == other.model else None,
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
            cache_read_tokens=self.cache_read_tokens + other.cache_read_tokens,
            cache_write_tokens=self.cache_write_tokens + other.cache_write_tokens,
            reasoning_tokens=self.reasoning_tokens + other.reasoning_tokens,
            audio_input_tokens=self.audio_input_tokens + other.audio_input_tokens,
            video_input_tokens=self.video_input_tokens + other.video_input_tokens,
            image_output_tokens=self.image_output_tokens + other.image_output_tokens,
            audio_output_tokens=self.audio_output_tokens + other.audio_output_tokens,
            web_search_requests=self.web_search_requests + other.web_search_requests,
            cost=cost,
            cost_details=None,
            request_id=None,
            provider=self.provider if self.provider == other.provider else None,
            kind=self.kind if self.kind == other.kind else "mixed",
            framework=self.framework if self.framework == other.framework else None,
            requests=self.requests + other.requests,
            unknown_cost_requests=self.unknown_cost_requests + other.unknown_cost_requests,
        )


@dataclass
class UsageTotals:
    """Running totals; ``cost`` is an exact Decimal sum of the reported costs."""

    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0
    web_search_requests: int = 0
    cost: Decimal = field(default_factory=Decimal)
    unknown_cost_requests: int = 0

    def add(self, record: UsageRecord) -> None:
        self.requests += record.requests
        self.input_tokens += record.input_tokens
        self.output_tokens += record.output_tokens
        self.total_tokens += record.total_tokens
        self.cache_read_tokens += record.cache_read_tokens
        self.cache_write_tokens += record.cache_write_tokens
        self.reasoning_tokens += record.reasoning_tokens
        self.web_search_requests += record.web_search_requests
        self.cost += _dec(record.cost)
        self.unknown_cost_requests += record.unknown_cost_requests

    @property
    def cost_usd(self) -> float:
        return float(self.cost)


class UsageTracker:
    """Collects every :class:`UsageRecord` recorded while it is active.

    Args:
        budget: optional USD ceiling; the request that crosses it completes, is recorded, and then
            :class:`InfronBudgetExceededError` is raised from the adapter call that recorded it.
    """

    def __init__(self, *, budget: float | None = None) -> None:
        self.budget = budget
        self.records: list[UsageRecord] = []
        self.total = UsageTotals()
        self.by_model: dict[str, UsageTotals] = {}
        self.by_framework: dict[str, UsageTotals] = {}
        self._lock = threading.Lock()

    def add(self, record: UsageRecord) -> None:
        with self._lock:
            self.records.append(record)
            self.total.add(record)
            self.by_model.setdefault(record.model or "unknown", UsageTotals()).add(record)
            self.by_framework.setdefault(record.framework or "unknown", UsageTotals()).add(record)
            over = self.budget is not None and self.total.cost > _dec(self.budget)
            spent = float(self.total.cost)
        if over:
            assert self.budget is not None
            raise InfronBudgetExceededError(
                f"Infron budget exceeded: spent ${spent:.6f} of ${self.budget:.6f}. "
                "Raise the tracker's budget or stop the run.",
                spent=spent,
                budget=self.budget,
            )

    @property
    def total_cost(self) -> float:
        """Total gateway-reported cost in USD."""
        return float(self.total.cost)

    def summary(self) -> dict[str, Any]:
        """A plain-dict view, for printing or logging."""
        return {
            "requests": self.total.requests,
            "input_tokens": self.total.input_tokens,
            "output_tokens": self.total.output_tokens,
            "cache_read_tokens": self.total.cache_read_tokens,
            "cache_write_tokens": self.total.cache_write_tokens,
            "reasoning_tokens": self.total.reasoning_tokens,
            "cost": float(self.total.cost),
            "unknown_cost_requests": self.total.unknown_cost_requests,
        }

    def __repr__(self) -> str:
        return f"UsageTracker({self.summary()})"


_active: ContextVar[tuple[UsageTracker, ...]] = ContextVar("infron_usage_trackers", default=())


@contextmanager
def track_usage(*, budget: float | None = None) -> Iterator[UsageTracker]:
    """Collect the usage and cost of every Infron request made inside the block."""
    tracker = UsageTracker(budget=budget)
    token = _active.set((*_active.get(), tracker))
    try:
        yield tracker
    finally:
        _active.reset(token)


def tracking_active() -> bool:
    """Whether any tracker is active here (adapters may skip building records nobody collects)."""
    return bool(_active.get())


def record_usage(record: UsageRecord, **overrides: Any) -> UsageRecord:
    """Record into every active tracker (adapters call this once per completed request).

    Raises:
        InfronBudgetExceededError: a tracker's budget was crossed by this record.
    """
    if overrides:
        record = replace(record, **overrides)
    error: InfronBudgetExceededError | None = None
    for tracker in _active.get():
        try:
            tracker.add(record)
        except InfronBudgetExceededError as exc:
            error = error or exc
    if error is not None:
        raise error
    return record
