"""Cost and token totals for LangChain runs, from the gateway's own figures.

Docs: Billing Tracking. ``ChatInfron`` puts the gateway's ``cost`` and ``cost_details`` in each
message's ``response_metadata`` and the tokens in ``usage_metadata``;
:class:`InfronCallbackHandler` adds them up per model (exact decimal sums, nothing estimated from
a price table) and :func:`get_infron_callback` attaches one to every run in a block, the way
``get_openai_callback`` does for OpenAI::

    from infron_integrations.langchain import ChatInfron, get_infron_callback

    with get_infron_callback() as cb:
        llm.invoke("hi")
        llm.batch(["a", "b"])
        async for _ in llm.astream("c"):
            ...
    print(cb.total_cost, cb.total_tokens, cb.by_model)

It follows LangChain's callback propagation (threads of ``batch``, asyncio tasks, nested
chains and agents). For a framework-wide total that also covers LiteLLM and the Agents SDK, use
``infron_integrations.core.track_usage()``, which every ChatInfron call records into as well.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage
from langchain_core.outputs import LLMResult
from langchain_core.tracers.context import register_configure_hook

from ..core.usage import UsageRecord, UsageTotals, UsageTracker
from ..core.wire import CostDetails

__all__ = ["InfronCallbackHandler", "get_infron_callback"]


def record_from_message(message: AIMessage) -> UsageRecord | None:
    """The usage record of one ChatInfron answer, from its metadata (None for other providers).

    Shared by every handler that reads the gateway's cost off a finished run.
    """
    metadata = message.response_metadata
    if metadata.get("model_provider") != "infron" and metadata.get("gateway") != "infron":
        return None  # another provider (or another gateway)
    usage: Mapping[str, Any] = message.usage_metadata or {}
    input_details = usage.get("input_token_details") or {}
    output_details = usage.get("output_token_details") or {}
    cost = metadata.get("cost")
    raw_details = metadata.get("cost_details")
    provider = metadata.get("provider")
    return UsageRecord(
        model=metadata.get("model_name"),
        input_tokens=usage.get("input_tokens", 0),
        output_tokens=usage.get("output_tokens", 0),
        total_tokens=usage.get("total_tokens", 0),
        cache_read_tokens=input_details.get("cache_read") or 0,
        cache_write_tokens=input_details.get("cache_creation") or 0,
        reasoning_tokens=output_details.get("reasoning") or 0,
        audio_input_tokens=input_details.get("audio") or 0,
        audio_output_tokens=output_details.get("audio") or 0,
        cost=float(cost) if isinstance(cost, (int, float)) else None,
        cost_details=(
            CostDetails.model_validate(raw_details) if isinstance(raw_details, dict) else None
        ),
        request_id=metadata.get("request_id"),
        provider=provider if isinstance(provider, str) else None,
        framework="langchain",
        unknown_cost_requests=0 if isinstance(cost, (int, float)) else 1,
    )


class InfronCallbackHandler(BaseCallbackHandler):
    """Totals the gateway-reported cost and tokens of every ChatInfron run it sees.

    Pass it as a callback (``llm.invoke(..., config={"callbacks": [handler]})``) or get one from
    :func:`get_infron_callback`. Thread- and task-safe. Runs of other providers are ignored.

    Attributes:
        tracker: the underlying :class:`~infron_integrations.core.UsageTracker` (records, totals
            per model).
    """

    def __init__(self, *, parent: InfronCallbackHandler | None = None) -> None:
        super().__init__()
        self.tracker = UsageTracker()
        #: an enclosing get_infron_callback() handler that also receives every record
        self._parent = parent

    # totals --------------------------------------------------------------------------------

    @property
    def total_cost(self) -> float:
        """Total gateway-reported cost in USD."""
        return self.tracker.total_cost

    @property
    def total_tokens(self) -> int:
        return self.tracker.total.total_tokens

    @property
    def prompt_tokens(self) -> int:
        return self.tracker.total.input_tokens

    @property
    def completion_tokens(self) -> int:
        return self.tracker.total.output_tokens

    @property
    def cache_read_tokens(self) -> int:
        return self.tracker.total.cache_read_tokens

    @property
    def cache_write_tokens(self) -> int:
        return self.tracker.total.cache_write_tokens

    @property
    def reasoning_tokens(self) -> int:
        return self.tracker.total.reasoning_tokens

    @property
    def successful_requests(self) -> int:
        return self.tracker.total.requests

    @property
    def unknown_cost_requests(self) -> int:
        """Requests whose response carried no cost (e.g. a stream with ``stream_usage=False``)."""
        return self.tracker.total.unknown_cost_requests

    @property
    def by_model(self) -> dict[str, UsageTotals]:
        """Totals per model id as the gateway reported it."""
        return self.tracker.by_model

    @property
    def records(self) -> list[UsageRecord]:
        return self.tracker.records

    def __repr__(self) -> str:
        return (
            f"Tokens Used: {self.total_tokens}\n"
            f"\tPrompt Tokens: {self.prompt_tokens}\n"
            f"\t\tPrompt Tokens Cached: {self.cache_read_tokens}\n"
            f"\tCompletion Tokens: {self.completion_tokens}\n"
            f"\t\tReasoning Tokens: {self.reasoning_tokens}\n"
            f"Successful Requests: {self.successful_requests}\n"
            f"Total Cost (USD): ${self.total_cost:.6f}"
        )

    # callbacks -----------------------------------------------------------------------------

    @property
    def always_verbose(self) -> bool:
        return True

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        """Add the usage and cost of one finished run (one record per prompt's response)."""
        for generations in response.generations:
            if not generations:
                continue
            # every choice of one response carries the same usage: count it once
            message = getattr(generations[0], "message", None)
            if not isinstance(message, AIMessage):
                continue
            record = record_from_message(message)
            if record is not None:
                self._add(record)

    def _add(self, record: UsageRecord) -> None:
        self.tracker.add(record)
        if self._parent is not None:
            self._parent._add(record)

    def __copy__(self) -> InfronCallbackHandler:
        # LangChain copies handlers when it fans them out; the totals must stay shared.
        return self

    def __deepcopy__(self, memo: Any) -> InfronCallbackHandler:
        return self


_current: ContextVar[InfronCallbackHandler | None] = ContextVar("infron_callback", default=None)
register_configure_hook(_current, inheritable=True)


@contextmanager
def get_infron_callback() -> Iterator[InfronCallbackHandler]:
    """Total the gateway cost and tokens of every ChatInfron call made inside the block.

    Works for invoke, stream, batch, sync and async, in the threads and tasks LangChain starts.
    Blocks nest: an outer handler also counts what inner ones count.

    Yields:
        InfronCallbackHandler: ``total_cost``, ``total_tokens``, ``by_model`` ...
    """
    handler = InfronCallbackHandler(parent=_current.get())
    token = _current.set(handler)
    try:
        yield handler
    finally:
        _current.reset(token)
