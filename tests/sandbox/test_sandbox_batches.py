"""The sandbox's Batch API, spoken to with plain HTTP: shapes from the docs, lifecycle, faults."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sandbox_helpers import AUTH, HEX32, HTTP

from infron_integrations.sandbox import create_app
from infron_integrations.sandbox.batches import batch_store

MODEL = "openai/gpt-4o-mini"
#: the required fields of the docs' status schema (batches-batch-id-get-batch-status-or-results)
STATUS_FIELDS = {
    "batch_id", "batch_status", "completed_count", "completion_tokens", "cost", "error",
    "fail_reason", "failed_count", "finish_time", "model", "progress", "prompt_tokens",
    "result_url", "start_time", "status", "submit_time", "task_id", "total_requests",
    "total_tokens",
}  # fmt: skip
#: the required fields of the docs' batch object (batches-create-a-message-batch.json)
BATCH_FIELDS = {
    "id", "object", "endpoint", "errors", "input_file_id", "completion_window", "status",
    "output_file_id", "error_file_id", "created_at", "in_progress_at", "expires_at",
    "finalizing_at", "completed_at", "failed_at", "expired_at", "cancelling_at", "cancelled_at",
    "request_counts", "metadata",
}  # fmt: skip


@pytest.fixture(autouse=True)
def _frozen_clock(infron_sandbox: Any) -> Any:
    """Sandbox time moves only with ``advance`` (or a batch's ``speed=`` directive)."""
    store = batch_store(infron_sandbox.state)
    store.speed = 0.0
    yield store
    store.speed = 1.0


def params(text: str = "hello", **extra: Any) -> dict[str, Any]:
    return {
        "model": MODEL,
        "max_tokens": 64,
        "messages": [{"role": "user", "content": text}],
        "usage": {"include": True},
        **extra,
    }


def create(sandbox: Any, requests: list[dict[str, Any]], directives: str = "") -> httpx.Response:
    headers = {**AUTH, "x-infron-sandbox-batch": directives} if directives else AUTH
    return HTTP.post(f"{sandbox.base_url}/batches", json={"requests": requests}, headers=headers)


def get(sandbox: Any, batch_id: str) -> httpx.Response:
    return HTTP.get(f"{sandbox.base_url}/batches/{batch_id}", headers=AUTH)


def lines(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.headers["content-type"].startswith("application/x-ndjson"), response.text
    return [json.loads(line) for line in response.text.splitlines()]


def test_create_answers_with_the_docs_envelope(infron_sandbox: Any) -> None:
    r = create(infron_sandbox, [{"custom_id": "a", "params": params()}])
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"batch", "batch_id", "file", "file_id", "task_id", "task_status",
                         "request_id"}  # fmt: skip
    assert set(body["batch"]) == BATCH_FIELDS
    batch = body["batch"]
    assert batch["id"] == body["batch_id"] and batch["id"].startswith("batch_")
    assert (batch["status"], batch["object"], batch["completion_window"]) == (
        "validating",
        "batch",
        "24h",
    )
    assert batch["request_counts"] == {"total": 1, "completed": 0, "failed": 0}
    assert batch["expires_at"] - batch["created_at"] == 24 * 3600
    assert body["file"]["purpose"] == "batch" and body["file_id"] == batch["input_file_id"]
    assert body["task_status"] == "NOT_START"
    assert HEX32.match(body["request_id"]) and r.headers["x-request-id"] == body["request_id"]


def test_status_follows_the_clock_then_results_come_as_jsonl(infron_sandbox: Any) -> None:
    requests = [{"custom_id": f"r{i}", "params": params(f"text {i}")} for i in range(3)]
    batch_id = create(infron_sandbox, requests).json()["batch_id"]
    store = batch_store(infron_sandbox.state)
    status = get(infron_sandbox, batch_id).json()
    assert set(status) >= STATUS_FIELDS
    assert (status["batch_status"], status["progress"], status["cost"]) == ("validating", "0%", "0")
    store.advance(2.75)  # 2 s validating, one request of 0.5 s
    status = get(infron_sandbox, batch_id).json()
    assert (status["batch_status"], status["completed_count"], status["total_requests"]) == (
        "in_progress",
        1,
        3,
    )
    assert (
        isinstance(status["cost"], str) and Decimal(status["cost"]) > 0
    )  # a string, as documented
    store.advance(1.0)
    assert get(infron_sandbox, batch_id).json()["status"] == "finalizing"
    store.advance(1.0)
    found = lines(get(infron_sandbox, batch_id))
    assert [line["custom_id"] for line in found] == ["r0", "r1", "r2"]
    message = found[1]["result"]["message"]
    assert found[1]["result"]["type"] == "succeeded"
    assert message["type"] == "message" and message["content"][0]["text"].startswith(
        'You said: "text 1"'
    )
    assert HEX32.match(message["request_id"]) and message["provider"] == "openai"


def test_every_request_costs_half_of_the_live_price(infron_sandbox: Any) -> None:
    live = HTTP.post(f"{infron_sandbox.base_url}/messages", json=params(), headers=AUTH).json()
    batch_id = create(infron_sandbox, [{"custom_id": "a", "params": params()}], "speed=1000")
    batch_store(infron_sandbox.state).advance(10)
    answer = lines(get(infron_sandbox, batch_id.json()["batch_id"]))[0]["result"]["message"]
    assert answer["usage"] == live["usage"]
    assert Decimal(repr(answer["cost"])) == Decimal(repr(live["cost"])) / 2
    for name, value in answer["cost_details"].items():
        if name not in ("discount_rate", "is_byok"):
            assert Decimal(repr(value)) == Decimal(repr(live["cost_details"][name])) / 2, name
    assert answer["cost_details"]["discount_rate"] == 0.5
    assert infron_sandbox.state.charges()[answer["request_id"]] == Decimal(repr(answer["cost"]))


def test_a_batch_model_id_is_priced_as_its_base_model(infron_sandbox: Any) -> None:
    base = create(infron_sandbox, [{"custom_id": "a", "params": params()}]).json()["batch_id"]
    batch = params(model="openai/gpt-4o-mini-batch")
    suffixed = create(infron_sandbox, [{"custom_id": "a", "params": batch}]).json()["batch_id"]
    batch_store(infron_sandbox.state).advance(10)
    costs = [
        lines(get(infron_sandbox, b))[0]["result"]["message"]["cost"] for b in (base, suffixed)
    ]
    assert costs[0] == costs[1]


def test_per_request_errors_leave_the_others_alone(infron_sandbox: Any) -> None:
    requests = [
        {"custom_id": "ok", "params": params()},
        {"custom_id": "bad", "params": params(thinking={"type": "sometimes"})},
        {"custom_id": "fault", "params": params(model="sandbox/fault-402")},
        {"custom_id": "typo", "params": params(model="openai/gpt-4o-mni")},
    ]
    batch_id = create(infron_sandbox, requests, "format=openai").json()["batch_id"]
    batch_store(infron_sandbox.state).advance(10)
    ok, bad, fault, typo = lines(get(infron_sandbox, batch_id))
    assert ok["response"]["status_code"] == 200 and ok["error"] is None
    assert ok["id"].startswith("batch_req_")
    assert bad["response"]["status_code"] == 400
    assert bad["response"]["body"]["error"]["param"] == "thinking.type"
    assert fault["response"]["status_code"] == 402
    assert fault["response"]["body"]["error"]["code"] == 402
    assert typo["response"]["status_code"] == 400  # an id outside the catalog, as live
    assert typo["response"]["body"]["error"]["param"] == "model"
    assert "'openai/gpt-4o-mni'" in typo["response"]["body"]["error"]["message"]


def test_cancel_accepts_the_docs_empty_body_and_keeps_partial_results(
    infron_sandbox: Any,
) -> None:
    requests = [{"custom_id": f"r{i}", "params": params()} for i in range(4)]
    batch_id = create(infron_sandbox, requests).json()["batch_id"]
    batch_store(infron_sandbox.state).advance(3.25)  # two requests done
    r = HTTP.post(  # exactly what the docs' example sends: no body
        f"{infron_sandbox.base_url}/batches/{batch_id}/cancel",
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelling" and r.json()["cancelling_at"] is not None
    assert set(r.json()) >= BATCH_FIELDS
    batch_store(infron_sandbox.state).advance(5)
    found = lines(get(infron_sandbox, batch_id))
    assert [line["result"]["type"] for line in found] == ["succeeded"] * 2 + ["canceled"] * 2
    again = HTTP.post(f"{infron_sandbox.base_url}/batches/{batch_id}/cancel", headers=AUTH)
    assert again.json()["status"] == "cancelled"
    done = create(infron_sandbox, [{"custom_id": "a", "params": params()}]).json()["batch_id"]
    batch_store(infron_sandbox.state).advance(10)
    late = HTTP.post(f"{infron_sandbox.base_url}/batches/{done}/cancel", json={}, headers=AUTH)
    assert late.status_code == 400 and "completed and cannot be cancelled" in late.text


def test_expiry_and_failure(infron_sandbox: Any) -> None:
    requests = [{"custom_id": f"r{i}", "params": params()} for i in range(3)]
    expiring = create(infron_sandbox, requests, "expire-after=2.75").json()["batch_id"]
    all_bad = [{"custom_id": "x", "params": {"model": MODEL, "messages": []}}]
    failing = create(infron_sandbox, all_bad).json()["batch_id"]
    batch_store(infron_sandbox.state).advance(100)
    found = lines(get(infron_sandbox, expiring))
    assert [line["result"]["type"] for line in found] == ["succeeded", "expired", "expired"]
    failed = get(infron_sandbox, failing).json()
    assert failed["batch_status"] == "failed" and "max_tokens" in failed["fail_reason"]
    assert failed["errors"]["data"][0]["line"] == 1


def test_results_fetch_fails_once_then_succeeds(infron_sandbox: Any) -> None:
    batch = create(infron_sandbox, [{"custom_id": "a", "params": params()}], "results-fail-once")
    batch_id = batch.json()["batch_id"]
    batch_store(infron_sandbox.state).advance(10)
    first = get(infron_sandbox, batch_id)
    assert first.status_code == 503 and first.json()["error"]["code"] == 503
    assert lines(get(infron_sandbox, batch_id))[0]["result"]["type"] == "succeeded"


def test_results_url_directive(infron_sandbox: Any) -> None:
    batch = create(infron_sandbox, [{"custom_id": "a", "params": params()}], "results-url")
    batch_id = batch.json()["batch_id"]
    batch_store(infron_sandbox.state).advance(10)
    status = get(infron_sandbox, batch_id).json()
    assert status["status"] == "completed"
    assert status["result_url"] == f"{infron_sandbox.base_url}/batches/{batch_id}/results"
    assert len(lines(HTTP.get(status["result_url"], headers=AUTH))) == 1


@pytest.mark.parametrize(
    ("body", "directives", "status", "param"),
    [
        ({"requests": []}, "", 400, "requests"),
        ({"requests": [{"params": {}}]}, "", 400, "requests.0.custom_id"),
        (
            {"requests": [{"custom_id": "a", "params": {}}, {"custom_id": "a", "params": {}}]},
            "",
            400,
            "requests.1.custom_id",
        ),
        ({"requests": [{"custom_id": "a", "params": params()}]}, "warp=9", 400, None),
    ],
)
def test_bad_batches_are_refused_in_the_documented_error_shape(
    infron_sandbox: Any, body: dict[str, Any], directives: str, status: int, param: str | None
) -> None:
    headers = {**AUTH, "x-infron-sandbox-batch": directives} if directives else AUTH
    r = HTTP.post(f"{infron_sandbox.base_url}/batches", json=body, headers=headers)
    assert r.status_code == status and r.json()["error"]["code"] == status
    if param is not None:
        assert r.json()["error"]["param"] == param


def test_batches_belong_to_their_key_and_need_credit(infron_sandbox: Any) -> None:
    assert get(infron_sandbox, "batch_missing").status_code == 404
    no_credit = {"Authorization": "Bearer sk-infron-sandbox-no-credits"}
    body = {"requests": [{"custom_id": "a", "params": params()}]}
    r = HTTP.post(f"{infron_sandbox.base_url}/batches", json=body, headers=no_credit)
    assert r.status_code == 402
    batch_id = create(infron_sandbox, body["requests"]).json()["batch_id"]
    other = HTTP.get(f"{infron_sandbox.base_url}/batches/{batch_id}", headers=no_credit)
    assert other.status_code == 404  # another key's batch does not exist for it


async def test_in_process_and_the_store_speed() -> None:
    app = create_app()
    batch_store(app.state.sandbox).speed = 1e6  # a whole batch in microseconds of real time
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox/v1") as client:
        body = {"requests": [{"custom_id": "a", "params": params()}]}
        batch_id = (await client.post("/batches", json=body, headers=AUTH)).json()["batch_id"]
        r = await client.get(f"/batches/{batch_id}", headers=AUTH)
    assert json.loads(r.text)["result"]["type"] == "succeeded"
