"""The core Batch API client, over real HTTP against the loopback sandbox.

The sandbox's batch clock is moved with ``batch_store(state).advance(seconds)`` (or sped up with
the ``speed=`` directive; otherwise it stands still), so every state is reached without waiting. Sandbox timings: 2 s
validating, 0.5 s per request, 1 s finalizing, 1 s cancelling.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from infron_integrations.core import (
    BatchPolling,
    InfronAPIError,
    InfronAuthenticationError,
    InfronBadGatewayError,
    InfronBadRequestError,
    InfronBatchError,
    InfronBatches,
    InfronBatchTimeoutError,
    InfronConfigError,
    InfronRateLimitError,
    InfronSettings,
    RetryPolicy,
    track_usage,
)
from infron_integrations.core.batch_jobs import BatchJob
from infron_integrations.sandbox import ScriptedError
from infron_integrations.sandbox.batches import batch_store

MODEL = "openai/gpt-4o-mini"


@pytest.fixture(autouse=True)
def _frozen_clock(infron_sandbox: Any) -> Any:
    """Sandbox time moves only with ``advance`` (or a batch's ``speed=`` directive)."""
    store = batch_store(infron_sandbox.state)
    store.speed = 0.0
    yield store
    store.speed = 1.0


def client(sandbox: Any, *, directives: str = "", timeout: float = 10) -> InfronBatches:
    headers = {"x-infron-sandbox-batch": directives} if directives else None
    settings = InfronSettings.resolve(
        api_key=sandbox.api_key, base_url=sandbox.base_url, default_headers=headers
    )
    polling = BatchPolling(interval=0.01, max_interval=0.05, timeout=timeout)
    return InfronBatches(settings, polling=polling, retry=RetryPolicy(2, base_delay=0.01))


def request(i: int, *, model: str = MODEL, **params: Any) -> dict[str, Any]:
    body = {
        "model": model,
        "max_tokens": 64,
        "usage": {"include": True},
        "messages": [{"role": "user", "content": f"question {i}"}],
        **params,
    }
    return {"custom_id": f"q-{i}", "params": body}


def posts(sandbox: Any, path: str = "/v1/batches") -> list[Any]:
    return [r for r in sandbox.requests if r.method == "POST" and r.path == path]


def test_invalid_requests_are_refused_before_anything_is_sent(infron_sandbox: Any) -> None:
    batches = client(infron_sandbox)
    bad = request(0)
    bad["params"]["max_tokenz"] = 10
    expected = (
        r"'q-0': requests\[0\]\.params: unknown field 'max_tokenz'.*Did you mean 'max_tokens'"
    )
    with pytest.raises(InfronConfigError, match=expected):
        batches.create([bad])
    with pytest.raises(InfronConfigError, match="custom_id 'q-1' is used by requests"):
        batches.create([request(1), request(1)])
    with pytest.raises(InfronConfigError, match="at least one request"):
        batches.create([])
    streamed = request(2, stream=True)
    with pytest.raises(InfronConfigError, match="stream"):
        batches.create([streamed])
    assert posts(infron_sandbox) == []


def test_every_state_in_order_with_the_wire_body(infron_sandbox: Any) -> None:
    batches = client(infron_sandbox)
    store = batch_store(infron_sandbox.state)
    job = batches.create([request(i) for i in range(4)])
    sent = posts(infron_sandbox)[0].body
    assert sent == {"requests": [request(i) for i in range(4)]}  # validated, sent as given
    assert job.info is not None and job.info.state == "validating"
    assert job.info.request_counts.total == 4
    assert batches.status(job).state == "validating"
    store.advance(3.25)  # 2 s validating + 2 requests of 0.5 s
    info = batches.status(job)
    assert (info.state, info.request_counts.completed, info.request_counts.total) == (
        "in_progress",
        2,
        4,
    )
    assert info.cost is not None and info.cost > 0  # the status schema's cost string, read
    store.advance(1.0)
    assert batches.status(job).state == "finalizing"
    with pytest.raises(InfronBatchError, match="has no results yet: it is finalizing"):
        batches.results(job)
    store.advance(1.0)
    results = batches.results(job)
    assert results.info is not None and results.info.state == "completed"
    assert [item.custom_id for item in results] == ["q-0", "q-1", "q-2", "q-3"]
    assert all(item.status == "succeeded" for item in results)
    reply = results.items[2].completion()
    assert reply is not None
    assert reply["choices"][0]["message"]["content"].startswith('You said: "question 2"')


def test_the_docs_create_example_goes_through_as_written(infron_sandbox: Any) -> None:
    docs_params = {  # the Batch section's example request, verbatim
        "model": "openai/gpt-4o-mini-batch",
        "max_tokens": 1024,
        "messages": [{"role": "user", "content": "How to learn nestjs?"}],
        "metadata": {"ANY_ADDITIONAL_PROPERTY": "text"},
        "stop_sequences": ["text"],
        "system": "text",
        "temperature": 1,
        "tool_choice": None,
        "tools": [],
        "top_k": 1,
        "top_p": 1,
        "thinking": {"budget_tokens": 1024, "type": "enabled"},
    }
    batches = client(infron_sandbox, directives="speed=1000")
    results = batches.run([{"custom_id": "my-request-01", "params": docs_params}])
    sent = posts(infron_sandbox)[0].body["requests"][0]["params"]
    assert sent == {k: v for k, v in docs_params.items() if v is not None}  # null means unset
    assert results.items[0].status == "succeeded"


def test_one_failed_request_loses_none_of_the_others(infron_sandbox: Any) -> None:
    batches = client(infron_sandbox, directives="speed=1000")
    invalid = request(3)
    invalid["params"]["messages"] = [{"role": "user", "content": [{"text": "no type"}]}]
    requests = [
        request(0),
        request(1, model="sandbox/fault-429"),
        request(2, model="sandbox/fault-502"),
        invalid,
        request(4),
    ]
    results = batches.run(requests)
    assert [i.status for i in results] == [
        "succeeded",
        "errored",
        "errored",
        "errored",
        "succeeded",
    ]
    errors = [item.exception() for item in results.failed]
    assert isinstance(errors[0], InfronRateLimitError) and errors[0].request_id
    assert isinstance(errors[1], InfronBadGatewayError)
    assert isinstance(errors[2], InfronBadRequestError)
    assert errors[2].param == "messages.0.content.0.type"  # the gateway's own check
    assert results.items[4].completion() is not None


def test_cost_per_request_and_in_total_is_the_gateways_at_half_price(
    infron_sandbox: Any,
) -> None:
    live = httpx.post(
        infron_sandbox.base_url + "/messages",
        json=request(0)["params"],
        headers={"Authorization": f"Bearer {infron_sandbox.api_key}"},
    ).json()
    live_cost = Decimal(repr(live["cost"]))
    batches = client(infron_sandbox, directives="speed=1000")
    with track_usage() as run:
        results = batches.run([request(0), request(1)])
    charges = infron_sandbox.state.charges()
    for item, record in zip(results, run.records, strict=True):
        assert item.cost is not None and item.request_id is not None
        assert Decimal(repr(item.cost)) == charges[item.request_id]  # what the gateway charged
        assert record.cost == item.cost and record.kind == "batch"
        assert record.request_id == item.request_id and record.framework == "core"
        assert item.body is not None and item.body["cost_details"]["discount_rate"] == 0.5
    assert Decimal(repr(results.items[0].cost)) == live_cost / 2
    assert results.total_cost == pytest.approx(float(sum(charges[i.request_id] for i in results)))
    assert run.total.requests == 2 and run.total.unknown_cost_requests == 0
    assert run.total_cost == results.total_cost


def test_a_batch_cost_without_per_request_costs_is_recorded_once(infron_sandbox: Any) -> None:
    batches = client(infron_sandbox, directives="results-url;speed=1000")
    plain = [request(i) for i in range(3)]
    for entry in plain:
        del entry["params"]["usage"]  # no usage accounting: the answers carry no cost
    with track_usage() as run:
        results = batches.run(plain)
    assert all(item.cost is None for item in results)
    assert results.info is not None and results.info.cost is not None  # the status's figure
    assert len(run.records) == 1 and run.records[0].requests == 3
    assert run.total_cost == results.total_cost == results.info.cost
    assert run.total.unknown_cost_requests == 0


def test_wait_polls_with_backoff_and_reports_progress(infron_sandbox: Any) -> None:
    batches = client(infron_sandbox)
    store = batch_store(infron_sandbox.state)
    job = batches.create([request(i) for i in range(6)])
    seen: list[str] = []

    def on_update(update: Any) -> None:  # the clock moves 1 s per poll: no phase is skipped
        seen.append(update.state)
        store.advance(1.0)

    info = batches.wait(job, on_update=on_update)
    assert info.state == "completed" and seen[-1] == "completed"
    order = ["validating", "in_progress", "finalizing", "completed"]
    assert "in_progress" in seen and [order.index(s) for s in seen] == sorted(
        order.index(s) for s in seen
    )  # never backwards
    gets = [r for r in infron_sandbox.requests if r.method == "GET"]
    assert 2 <= len(gets) <= 10  # (2 + 3 + 1) s at 1 s per poll
    assert job.results_text is not None  # the last poll brought the results: not asked twice
    batches.results(job)
    assert len([r for r in infron_sandbox.requests if r.method == "GET"]) == len(gets)


def test_a_timeout_stops_waiting_and_the_batch_goes_on(infron_sandbox: Any) -> None:
    batches = client(infron_sandbox, timeout=0.05)
    job = batches.create([request(0)])
    started = time.monotonic()
    with pytest.raises(InfronBatchTimeoutError, match=r"still validating \(0/1.*goes on") as exc:
        batches.wait(job)
    assert time.monotonic() - started < 2
    assert exc.value.batch_id == job.batch_id and exc.value.info is not None
    batch_store(infron_sandbox.state).advance(10)
    assert batches.results(job.batch_id).items[0].status == "succeeded"


def test_cancel_mid_flight_keeps_the_answers_already_made(infron_sandbox: Any) -> None:
    batches = client(infron_sandbox)
    store = batch_store(infron_sandbox.state)
    job = batches.create([request(i) for i in range(5)])
    store.advance(3.25)  # two requests done
    info = batches.cancel(job)
    assert info.state == "cancelling" and info.request_counts.completed == 2
    store.advance(0.5)
    assert batches.status(job).state == "cancelling"
    store.advance(1.0)
    results = batches.results(job)
    assert results.info is not None and results.info.state == "cancelled"
    assert [i.status for i in results] == ["succeeded"] * 2 + ["canceled"] * 3
    error = results.items[4].exception()
    assert isinstance(error, InfronAPIError) and error.type == "canceled"
    assert "'q-4'" in str(error) and "cancelled" in str(error)
    assert batches.cancel(job).state == "cancelled"  # cancelling again changes nothing


def test_a_batch_that_expires_keeps_what_ran(infron_sandbox: Any) -> None:
    batches = client(infron_sandbox, directives="expire-after=3.25")
    job = batches.create([request(i) for i in range(4)])
    batch_store(infron_sandbox.state).advance(60)
    results = batches.results(job)
    assert results.info is not None and results.info.state == "expired"
    assert [i.status for i in results] == ["succeeded", "succeeded", "expired", "expired"]
    assert results.items[3].exception().type == "expired"  # type: ignore[union-attr]


def test_a_failed_batch_says_why(infron_sandbox: Any) -> None:
    batches = client(infron_sandbox, directives="fail")
    job = batches.create([request(0)])
    batch_store(infron_sandbox.state).advance(5)
    info = batches.status(job)
    assert info.state == "failed"
    with pytest.raises(InfronBatchError, match=f"Batch {job.batch_id} failed: .*'fail'"):
        batches.results(job)


def test_a_results_fetch_that_fails_once_is_retried(infron_sandbox: Any) -> None:
    batches = client(infron_sandbox, directives="results-fail-once;speed=1000")
    results = batches.run([request(0), request(1)])
    assert [i.status for i in results] == ["succeeded", "succeeded"]
    statuses = [r.status for r in infron_sandbox.requests if r.method == "GET"]
    assert statuses[-2:] == [503, 200]


def test_results_from_a_result_url_and_openai_output_lines(infron_sandbox: Any) -> None:
    batches = client(infron_sandbox, directives="results-url;format=openai;speed=1000")
    results = batches.run([request(0), request(1, model="sandbox/fault-400")])
    fetched = infron_sandbox.last_request()
    assert fetched.path.endswith("/results") and fetched.headers["authorization"] == "***"
    assert results.items[0].line["response"]["status_code"] == 200  # the line, kept whole
    assert results.items[0].completion() is not None
    error = results.items[1].exception()
    assert isinstance(error, InfronBadRequestError) and error.status_code == 400


def test_the_key_never_goes_to_a_results_url_on_another_host(infron_sandbox: Any) -> None:
    batches = client(infron_sandbox)
    other_host = infron_sandbox.url.replace("127.0.0.1", "localhost")
    status = {"id": "batch_x", "status": "completed", "result_url": f"{other_host}/v1/elsewhere"}
    infron_sandbox.script(status, path="/v1/batches/batch_x")
    with pytest.raises(InfronAPIError):
        batches.results("batch_x")
    elsewhere = infron_sandbox.last_request("/v1/elsewhere")
    assert elsewhere is not None and "authorization" not in elsewhere.headers


def test_other_documented_shapes_are_read_and_unknown_fields_kept(infron_sandbox: Any) -> None:
    batches = client(infron_sandbox)
    flat = {  # the create schema's flat batch object
        "id": "batch_flat",
        "object": "batch",
        "status": "in_progress",
        "request_counts": {"total": 3, "completed": 1, "failed": 0},
        "novel_field": {"kept": True},
    }
    infron_sandbox.script(flat, path="/v1/batches/batch_flat")
    info = batches.status("batch_flat")
    assert (info.state, info.request_counts.done, info.fraction) == ("in_progress", 1, 1 / 3)
    assert info.model_extra is not None and info.model_extra["novel_field"] == {"kept": True}
    anthropic = {
        "id": "msgbatch_1",
        "type": "message_batch",
        "processing_status": "ended",
        "request_counts": {"processing": 0, "succeeded": 2, "errored": 1, "canceled": 0,
                           "expired": 0},
    }  # fmt: skip
    infron_sandbox.script(anthropic, path="/v1/batches/msgbatch_1")
    info = batches.status("msgbatch_1")
    assert info.state == "ended" and info.done
    assert (info.request_counts.total, info.request_counts.failed) == (3, 1)
    chat = {
        "object": "chat.completion",
        "model": MODEL,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
        "cost": "0.0000021",
    }  # fmt: skip
    lines = [
        {"custom_id": "b", "response": {"status_code": 200, "body": chat}, "error": None, "x": 1},
        {"custom_id": "a", "result": {"type": "succeeded", "message": {"content": []}}},
    ]
    infron_sandbox.script(lines, path="/v1/batches/batch_lines")
    results = batches.results(BatchJob("batch_lines", custom_ids=["a", "b", "c"]))
    assert [i.custom_id for i in results] == ["a", "b", "c"]  # input order; c has no line
    assert [i.status for i in results] == ["succeeded", "succeeded", "missing"]
    assert results.items[1].line["x"] == 1 and results.items[1].cost == 2.1e-06
    assert results.items[2].exception().type == "missing"  # type: ignore[union-attr]


def test_create_is_retried_only_when_the_gateway_says_it_was_not_taken(
    infron_sandbox: Any, tmp_path: Path
) -> None:
    batches = client(infron_sandbox)
    infron_sandbox.script(ScriptedError(503), path="/v1/batches")
    assert batches.create([request(0)]).batch_id
    assert [r.status for r in posts(infron_sandbox)] == [503, 200]
    infron_sandbox.reset()
    journal = tmp_path / "job.json"
    infron_sandbox.script(ScriptedError(502), path="/v1/batches")
    with pytest.raises(InfronBadGatewayError):
        batches.create([request(0)], journal=journal)
    assert [r.status for r in posts(infron_sandbox)] == [502]  # may have run: not sent twice
    with pytest.raises(InfronBatchError, match=r"has no batch id.*may or may not have it"):
        batches.results(journal)


def test_errors_use_the_core_hierarchy(infron_sandbox: Any) -> None:
    with pytest.raises(InfronAPIError, match=r"404.*Batch 'batch_nope' not found") as exc:
        client(infron_sandbox).status("batch_nope")
    assert exc.value.status_code == 404 and exc.value.request_id
    settings = InfronSettings.resolve(api_key="sk-wrong-key", base_url=infron_sandbox.base_url)
    batches = InfronBatches(settings)
    with pytest.raises(InfronAuthenticationError) as auth:
        batches.create([request(0)])
    job = client(infron_sandbox).create([request(0)])
    for text in (str(auth.value), repr(settings), repr(batches), repr(job)):
        assert "sk-wrong-key" not in text and infron_sandbox.api_key not in text


RESUME_SCRIPT = """
import sys
from infron_integrations.core import BatchPolling, InfronBatches, InfronSettings
settings = InfronSettings.resolve(api_key=sys.argv[1], base_url=sys.argv[2])
batches = InfronBatches(settings, polling=BatchPolling(interval=0.05, max_interval=0.05))
requests = [{"custom_id": f"q-{i}", "params": {"model": "openai/gpt-4o-mini", "max_tokens": 64,
             "usage": {"include": True}, "messages": [{"role": "user", "content": f"question {i}"}]}}
            for i in range(5)]
batches.run(requests, journal=sys.argv[3])
print("never: the batch does not end while this process lives")
"""


def test_resume_after_the_waiting_process_is_killed_loses_nothing(
    infron_sandbox: Any, tmp_path: Path
) -> None:
    journal = tmp_path / "labels.batch.json"
    proc = subprocess.Popen(
        [sys.executable, "-c", RESUME_SCRIPT, infron_sandbox.api_key, infron_sandbox.base_url,
         str(journal)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # killed while it polls: after its second status GET
            gets = [r for r in infron_sandbox.requests if r.method == "GET"]
            if journal.exists() and len(gets) >= 2:
                break
            time.sleep(0.02)
        else:
            pytest.fail("the waiting process never polled")
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    saved = json.loads(journal.read_text())
    assert saved["batch_id"].startswith("batch_") and saved["custom_ids"][0] == "q-0"
    assert infron_sandbox.api_key not in journal.read_text()  # never the key
    batch_store(infron_sandbox.state).advance(60)
    with track_usage() as run:
        results = client(infron_sandbox).results(journal)  # a new process would do the same
    assert [i.custom_id for i in results] == [f"q-{i}" for i in range(5)]
    assert all(i.status == "succeeded" for i in results) and run.total.requests == 5
    kept = journal.with_name(journal.name + ".results.jsonl")
    assert (
        len(kept.read_text().splitlines()) == 5 and infron_sandbox.api_key not in kept.read_text()
    )
    gets = len(infron_sandbox.requests)
    again = client(infron_sandbox).results(journal, record=False)  # read back from the file
    assert [i.line for i in again] == [i.line for i in results]
    assert len(infron_sandbox.requests) == gets  # without asking the gateway again
    by_id = client(infron_sandbox).results(saved["batch_id"], record=False)
    assert [i.request_id for i in by_id] == [i.request_id for i in results]


async def test_async_run_and_cancel(infron_sandbox: Any) -> None:
    batches = client(infron_sandbox, directives="speed=1000")
    results = await batches.arun([request(0), request(1)])
    assert [i.status for i in results] == ["succeeded", "succeeded"]
    slow = client(infron_sandbox)
    job = await slow.acreate([request(0)])
    assert (await slow.astatus(job)).state == "validating"
    assert (await slow.acancel(job)).state == "cancelling"
    batch_store(infron_sandbox.state).advance(5)
    info = await slow.await_batch(job)
    assert info.state == "cancelled"
    assert (await slow.aresults(job)).items[0].status == "canceled"


def test_the_batch_modules_import_no_framework() -> None:
    code = (
        "import sys, infron_integrations.core.batches, infron_integrations.core.messages_shape\n"
        "print(sorted({m.split('.')[0] for m in sys.modules}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stdout.replace("'", '"')))
    assert (
        loaded & {"langchain", "langchain_core", "langchain_openai", "litellm", "agents"} == set()
    )
