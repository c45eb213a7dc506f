"""``infron batch ...``, run as a real process against the loopback sandbox."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from infron_integrations.sandbox.batches import batch_store

INFRON = str(Path(sys.executable).parent / "infron")


@pytest.fixture(autouse=True)
def _frozen_clock(infron_sandbox: Any) -> Any:
    """Sandbox time moves only with ``advance`` or ``speed`` (process start-ups take real time)."""
    store = batch_store(infron_sandbox.state)
    store.speed = 0.0
    yield store
    store.speed = 1.0


def infron(sandbox: Any, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "INFRON_API_KEY": sandbox.api_key,
        "INFRON_BASE_URL": sandbox.base_url,
        "NO_COLOR": "1",
        "COLUMNS": "200",
    }
    return subprocess.run(
        [INFRON, "batch", *args], env=env, capture_output=True, text=True, timeout=60
    )


def requests_file(path: Path, count: int) -> Path:
    lines = [
        {
            "custom_id": f"row-{i}",
            "params": {
                "model": "openai/gpt-4o-mini",
                "max_tokens": 64,
                "usage": {"include": True},
                "messages": [{"role": "user", "content": f"label {i}"}],
            },
        }
        for i in range(count)
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def batch_id(result: subprocess.CompletedProcess[str]) -> str:
    found = re.search(r"submitted (batch_\S+)", result.stdout)
    assert found, result.stdout + result.stderr
    return found.group(1)


def test_submit_status_results_with_a_journal(infron_sandbox: Any, tmp_path: Path) -> None:
    journal = tmp_path / "labels.json"
    source = requests_file(tmp_path / "in.jsonl", 3)
    submitted = infron(infron_sandbox, "submit", str(source), "--journal", str(journal))
    assert submitted.returncode == 0, submitted.stderr
    sent = infron_sandbox.last_request("/v1/batches").body["requests"]
    assert sent == [json.loads(line) for line in source.read_text().splitlines()]
    bid = batch_id(submitted)
    status = infron(infron_sandbox, "status", bid)
    assert status.returncode == 0
    assert f"batch {bid}: validating · 0/3 done (0 ok, 0 failed)" in status.stdout
    early = infron(infron_sandbox, "results", str(journal))
    assert early.returncode == 6 and "pending:" in early.stderr and "Traceback" not in early.stderr
    batch_store(infron_sandbox.state).advance(60)
    out = tmp_path / "out.jsonl"
    fetched = infron(infron_sandbox, "results", str(journal), "-o", str(out))
    assert fetched.returncode == 0, fetched.stderr
    assert re.search(r"3 succeeded, 0 failed · cost \$0\.\d{6} · written to", fetched.stdout)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["custom_id"] for r in rows] == ["row-0", "row-1", "row-2"]
    assert rows[0]["result"]["message"]["cost_details"]["discount_rate"] == 0.5  # as received
    assert infron_sandbox.api_key not in journal.read_text()


def test_status_wait_shows_a_live_progress_bar(infron_sandbox: Any, tmp_path: Path) -> None:
    source = requests_file(tmp_path / "in.jsonl", 4)
    bid = batch_id(infron(infron_sandbox, "submit", str(source)))
    env = {**os.environ, "INFRON_API_KEY": infron_sandbox.api_key,
           "INFRON_BASE_URL": infron_sandbox.base_url, "NO_COLOR": "1", "COLUMNS": "200"}  # fmt: skip
    waiting = subprocess.Popen(
        [INFRON, "batch", "status", bid, "--wait", "--interval", "0.02"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while waiting.poll() is None and time.monotonic() < deadline:
        if any(r.method == "GET" for r in infron_sandbox.requests):  # it has started waiting
            batch_store(infron_sandbox.state).advance(0.25)  # the batch moves on meanwhile
        time.sleep(0.02)
    stdout, stderr = waiting.communicate(timeout=30)
    assert waiting.returncode == 0, stderr
    assert f"batch {bid}: completed · 4/4 done (4 ok, 0 failed)" in stdout
    assert re.search(r"completed .*4/4", stderr)  # the bar, drawn on stderr
    polls = [r for r in infron_sandbox.requests if r.method == "GET"]
    assert len(polls) >= 3  # it polled while the batch ran


def test_submit_wait_and_a_timeout_that_exits_pending(infron_sandbox: Any, tmp_path: Path) -> None:
    source = requests_file(tmp_path / "in.jsonl", 2)
    result = infron(
        infron_sandbox, "submit", str(source), "--wait", "--interval", "0.01", "--timeout", "0.2"
    )
    assert result.returncode == 6, result.stdout + result.stderr
    assert "still validating" in result.stderr and "goes on running" in result.stderr


def test_cancel_mid_flight(infron_sandbox: Any, tmp_path: Path) -> None:
    bid = batch_id(infron(infron_sandbox, "submit", str(requests_file(tmp_path / "i.jsonl", 4))))
    batch_store(infron_sandbox.state).advance(3.25)
    cancelled = infron(infron_sandbox, "cancel", bid)
    assert cancelled.returncode == 0, cancelled.stderr
    assert f"batch {bid}: cancelling · 2/4 done" in cancelled.stdout
    batch_store(infron_sandbox.state).advance(5)
    fetched = infron(infron_sandbox, "results", bid)
    assert "2 succeeded, 2 failed" in fetched.stderr
    kinds = [json.loads(line)["result"]["type"] for line in fetched.stdout.splitlines()]
    assert kinds == ["succeeded", "succeeded", "canceled", "canceled"]


@pytest.mark.parametrize(
    ("args", "content", "code", "needle"),
    [
        (("submit",), '{"custom_id": "a", "params": {}}\nnot json\n', 2, "in.jsonl:2 is not JSON"),
        (("submit",), '{"custom_id": "a", "params": {"model": "m"}}\n', 2, "requests[0].params"),
        (("status", "batch_nope"), None, 1, "404"),
        (("results", "nowhere/job.json"), None, 2, "Cannot read the batch journal"),
    ],
)
def test_errors_are_one_line(
    infron_sandbox: Any,
    tmp_path: Path,
    args: tuple[str, ...],
    content: str | None,
    code: int,
    needle: str,
) -> None:
    extra: tuple[str, ...] = ()
    if content is not None:
        (tmp_path / "in.jsonl").write_text(content)
        extra = (str(tmp_path / "in.jsonl"),)
    result = infron(infron_sandbox, *args, *extra)
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and needle in lines[0]
    if args[0] == "submit":
        assert infron_sandbox.last_request("/v1/batches") is None  # nothing was sent
