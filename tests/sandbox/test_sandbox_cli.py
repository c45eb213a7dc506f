"""``python -m infron_integrations.sandbox`` in a subprocess."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import httpx
import pytest
from sandbox_helpers import HTTP


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "infron_integrations.sandbox", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _read_url(proc: subprocess.Popen[str], timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+/v1)", line)
        if match:
            return match.group(1)
        if proc.poll() is not None:
            break
    raise AssertionError("the sandbox did not print its URL")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_module_runs_and_stops_by_pid(sig: signal.Signals) -> None:
    proc = _start("--port", "0", "--api-key", "cli-key")
    try:
        url = _read_url(proc)
        health = httpx.get(url.removesuffix("/v1") + "/health", timeout=5)
        assert health.status_code == 200
        r = HTTP.post(
            url + "/chat/completions",
            headers={"Authorization": "Bearer cli-key"},
            json={"model": "sandbox/echo", "messages": [{"role": "user", "content": "x"}]},
            timeout=5,
        )
        assert r.status_code == 200
    finally:
        os.kill(proc.pid, sig)
        proc.wait(timeout=15)
    assert proc.returncode == 0


def test_module_refuses_non_loopback_host() -> None:
    proc = _start("--host", "0.0.0.0", "--port", "0")
    _, err = proc.communicate(timeout=20)
    assert proc.returncode != 0
    assert "non-loopback" in err or "refusing" in err
