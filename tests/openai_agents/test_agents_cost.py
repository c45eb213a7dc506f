"""``run_cost`` bookkeeping: lazy records, the bounded registry, the raw-usage fallback, names."""

from __future__ import annotations

from types import SimpleNamespace

from infron_integrations.core.usage import UsageRecord, record_usage, track_usage
from infron_integrations.openai_agents import cost as cost_module
from infron_integrations.openai_agents import run_cost


def _response(request_id: str | None, raw_usage: dict[str, object] | None = None) -> object:
    return SimpleNamespace(request_id=request_id, response_id=None, raw_usage=raw_usage)


def test_pending_records_are_built_once_on_first_read() -> None:
    calls: list[int] = []

    def build() -> UsageRecord:
        calls.append(1)
        return UsageRecord(model="m", input_tokens=3, cost=0.25, request_id="req-lazy")

    cost_module.remember("req-lazy", cost_module.PendingRecord(build))
    assert calls == []
    first = run_cost([_response("req-lazy")])
    second = run_cost([_response("req-lazy")])
    assert calls == [1]
    assert first.total_cost == second.total_cost == 0.25


def test_registry_is_bounded_oldest_first() -> None:
    registry = cost_module._Registry(2)
    for i in range(3):
        registry.put(f"r{i}", UsageRecord(cost=float(i)))
    assert registry.get("r0") is None
    assert registry.get("r1") is not None and registry.get("r2") is not None


def test_unrecorded_responses_are_counted_and_raw_usage_is_a_fallback() -> None:
    raw = {"prompt_tokens": 4, "completion_tokens": 2, "total_tokens": 6, "cost": 0.5}
    result = SimpleNamespace(
        raw_responses=[_response("never-seen"), _response("restored", raw_usage=raw)]
    )
    cost = run_cost(result)
    assert cost.unrecorded_responses == 1
    assert cost.costs == [0.5]
    assert cost.total.input_tokens == 4
    assert repr(cost) == "RunCost(requests=1, total_cost=0.5, unrecorded_responses=1)"


def test_empty_run() -> None:
    cost = run_cost([])
    assert cost.total_cost == 0.0 and cost.records == () and cost.requests == 0
    assert cost.total.requests == 0


def test_names_say_count_or_records_as_the_core_tracker_does() -> None:
    # requests is a count everywhere (RunCost, UsageRecord, the tracker's summary); the
    # per-request UsageRecord objects are records, as UsageTracker.records
    records = [
        UsageRecord(model="m", input_tokens=3, output_tokens=1, cost=0.25, request_id="a"),
        UsageRecord(model="m", input_tokens=5, output_tokens=2, cost=0.5, request_id="b"),
    ]
    for record in records:
        cost_module.remember(record.request_id, record)
    cost = run_cost([_response("a"), _response("b"), _response("gone")])
    assert cost.requests == 2 == cost.total.requests
    assert cost.records == tuple(records)
    with track_usage() as tracker:
        for record in records:
            record_usage(record)
    assert cost.summary() == {**tracker.summary(), "unrecorded_responses": 1}
    assert cost.summary()["requests"] == 2 and cost.summary()["cost"] == 0.75
    assert repr(cost) == "RunCost(requests=2, total_cost=0.75, unrecorded_responses=1)"
