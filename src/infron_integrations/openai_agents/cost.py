"""The gateway's cost of an Agents SDK run: ``run_cost(result)``.

Docs: Billing Tracking. The SDK's ``Usage`` has no cost field, and it keeps the raw provider usage
only when the *run's* settings ask for it, so the cost of each request is kept here as the
:class:`~infron_integrations.core.usage.UsageRecord` the model built from the gateway's answer,
under the request id that the SDK stores on every ``ModelResponse`` (streamed or not). Every
record also goes to the core's run-level trackers (``track_usage()``) with
``framework="openai-agents"``.

Usage::

    result = await Runner.run(agent, "...", run_config=RunConfig(model_provider=InfronProvider()))
    cost = run_cost(result)
    print(cost.requests, cost.total_cost, [r.cost for r in cost.records])

The searches of this package's search tools (:mod:`.tools`) are kept under their tool call's id
and counted too (``cost.tool_records``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import reduce
from typing import Any

from ..core.usage import UsageRecord, UsageTracker

__all__ = ["RunCost", "cost_of_response", "run_cost"]

#: how many request records stay reachable by request id (a bounded LRU, ~0.5 KB each)
REGISTRY_SIZE = 20_000


class PendingRecord:
    """A usage record built on first access (when no tracker wants it at once)."""

    __slots__ = ("_build", "_record")

    def __init__(self, build: Callable[[], UsageRecord]) -> None:
        self._build: Callable[[], UsageRecord] | None = build
        self._record: UsageRecord | None = None

    def get(self) -> UsageRecord:
        if self._record is None:
            assert self._build is not None
            self._record = self._build()
            self._build = None
        return self._record


class _Registry:
    def __init__(self, size: int) -> None:
        self._size = size
        self._data: OrderedDict[str, UsageRecord | PendingRecord] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, key: str, record: UsageRecord | PendingRecord) -> None:
        # request ids are new keys: insertion order is age order, the oldest go first
        with self._lock:
            self._data[key] = record
            if len(self._data) > self._size:
                self._data.popitem(last=False)

    def get(self, key: str | None) -> UsageRecord | None:
        if not key:
            return None
        with self._lock:
            entry = self._data.get(key)
        return entry.get() if isinstance(entry, PendingRecord) else entry


_registry = _Registry(REGISTRY_SIZE)


def remember(key: str | None, record: UsageRecord | PendingRecord) -> None:
    """Keep ``record`` reachable from the ``ModelResponse`` whose request id is ``key``."""
    if key:
        _registry.put(key, record)


def tool_key(call_id: str) -> str:
    """The registry key of the usage a tool call caused (its searches), by the call's id."""
    return f"tool:{call_id}"


def remember_tool_usage(call_id: str | None, records: Iterable[UsageRecord]) -> None:
    """Keep the usage one tool call caused (e.g. an Infron search) for :func:`run_cost`."""
    if call_id:
        records = tuple(records)
        if records:
            _registry.put(tool_key(call_id), reduce(lambda a, b: a + b, records))


def _from_raw_usage(raw: Mapping[str, Any], model: str | None) -> UsageRecord | None:
    if raw.get("cost") is None:
        return None
    return UsageRecord.from_usage(
        {k: v for k, v in raw.items() if k not in ("cost", "cost_details")},
        cost=raw.get("cost"),
        cost_details=raw.get("cost_details"),
        model=model,
        framework="openai-agents",
    )


def cost_of_response(response: Any) -> UsageRecord | None:
    """The usage record (with the gateway's cost) of one ``ModelResponse``, if known.

    Looks the response up by its request id (and response id), then falls back to a ``cost`` in
    ``ModelResponse.raw_usage`` (present for results restored from a saved run state).
    """
    for key in (getattr(response, "request_id", None), getattr(response, "response_id", None)):
        record = _registry.get(key) if isinstance(key, str) else None
        if record is not None:
            return record
    raw = getattr(response, "raw_usage", None)
    if isinstance(raw, Mapping):
        return _from_raw_usage(raw, None)
    return None


@dataclass(frozen=True)
class RunCost:
    """Tokens and cost of every model request of one run, as the gateway reported them.

    Named as in the core's usage tracker: ``records`` are the per-request
    :class:`~infron_integrations.core.usage.UsageRecord` objects, ``requests`` is how many there
    are, and :meth:`summary` has the keys of ``UsageTracker.summary()``.

    Attributes:
        records: one record per model request of the run that has a usage record, in run order.
        unrecorded_responses: how many of the run's model responses have no record here (another
            provider's model, or a response older than the registry keeps).
        tool_records: one record per tool call that used Infron (the search tools of
            :mod:`.tools`: its searches' cost, or unknown where the engine reports none), in run
            order. :attr:`total`, :attr:`total_cost` and :meth:`summary` include them.
    """

    records: tuple[UsageRecord, ...]
    unrecorded_responses: int = 0
    tool_records: tuple[UsageRecord, ...] = ()

    @property
    def requests(self) -> int:
        """How many model requests have a record (``len(records)``)."""
        return len(self.records)

    @property
    def total(self) -> UsageRecord:
        """The sum of all records, model requests and tool calls (cost as an exact decimal sum)."""
        every = self.records + self.tool_records
        if not every:
            return UsageRecord(requests=0, framework="openai-agents")
        return reduce(lambda a, b: a + b, every)

    @property
    def total_cost(self) -> float:
        """Total gateway-reported cost in USD (0.0 when nothing was reported)."""
        return self.total.cost or 0.0

    @property
    def costs(self) -> list[float | None]:
        """The cost of each request, in run order."""
        return [r.cost for r in self.records]

    def summary(self) -> dict[str, Any]:
        """``UsageTracker.summary()``'s plain dict for this run, plus ``unrecorded_responses``."""
        tracker = UsageTracker()
        for record in self.records + self.tool_records:
            tracker.add(record)
        return {**tracker.summary(), "unrecorded_responses": self.unrecorded_responses}

    def __repr__(self) -> str:
        tools = f"tool_calls={len(self.tool_records)}, " if self.tool_records else ""
        return (
            f"RunCost(requests={self.requests}, {tools}total_cost={self.total_cost!r}, "
            f"unrecorded_responses={self.unrecorded_responses})"
        )


def run_cost(result: Any) -> RunCost:
    """The gateway's cost of a run: ``run_cost(result).total_cost`` and per-request records.

    Works for ``Runner.run`` / ``Runner.run_sync`` results and for ``Runner.run_streamed`` results
    once their events have been consumed (before that, it covers the requests finished so far).

    Args:
        result: a ``RunResult``, ``RunResultStreaming``, or an iterable of ``ModelResponse``.
    """
    responses: Iterable[Any] = getattr(result, "raw_responses", result)
    records: list[UsageRecord] = []
    unrecorded = 0
    for response in responses:
        record = cost_of_response(response)
        if record is None:
            unrecorded += 1
        else:
            records.append(record)
    tools = [_tool_record(item) for item in getattr(result, "new_items", ())]
    return RunCost(
        records=tuple(records),
        unrecorded_responses=unrecorded,
        tool_records=tuple(r for r in tools if r is not None),
    )


def _tool_record(item: Any) -> UsageRecord | None:
    if getattr(item, "type", None) != "tool_call_output_item":
        return None
    raw = getattr(item, "raw_item", None)
    call_id = raw.get("call_id") if isinstance(raw, Mapping) else getattr(raw, "call_id", None)
    return _registry.get(tool_key(call_id)) if isinstance(call_id, str) else None
