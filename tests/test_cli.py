"""The `infron` command, run as a real process against the loopback sandbox."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

INFRON = str(Path(sys.executable).parent / "infron")


def _run(sandbox: Any, *args: str, key: str | None = None, stdin: str | None = None) -> Any:
    env = {
        **os.environ,
        "INFRON_API_KEY": key or sandbox.api_key,
        "INFRON_BASE_URL": sandbox.base_url,
        "NO_COLOR": "1",
        "COLUMNS": "200",
    }
    return subprocess.run(
        [INFRON, *args], env=env, capture_output=True, text=True, timeout=60, input=stdin
    )


def test_models_lists_and_filters(infron_sandbox: Any) -> None:
    result = _run(infron_sandbox, "models")
    assert result.returncode == 0, result.stderr
    assert "anthropic/claude-sonnet-4.5" in result.stdout
    filtered = _run(infron_sandbox, "models", "deepseek")
    assert "deepseek" in filtered.stdout
    assert "anthropic/claude-sonnet-4.5" not in filtered.stdout


def test_balance(infron_sandbox: Any) -> None:
    result = _run(infron_sandbox, "balance")
    assert result.returncode == 0, result.stderr
    assert re.search(r"credit balance.*\$[\d,]+\.\d{4}", result.stdout)


def test_one_shot_chat_streams_reasoning_and_prints_cost(infron_sandbox: Any) -> None:
    result = _run(
        infron_sandbox,
        "chat",
        "Why is the sky blue?",
        "--model",
        "deepseek/deepseek-r1",
        "--reasoning",
        "high",
        "--provider-order",
        "deepseek,together",
    )
    assert result.returncode == 0, result.stderr
    assert "cost $" in result.stdout
    assert "reasoning" in result.stdout
    body = infron_sandbox.last_request("/v1/chat/completions").body
    assert body["stream"] is True
    assert body["reasoning"] == {"effort": "high"}
    assert body["provider"] == {"order": ["deepseek", "together"]}
    assert body["usage"] == {"include": True}
    assert body["stream_options"] == {"include_usage": True}


def test_interactive_chat_keeps_history(infron_sandbox: Any) -> None:
    result = _run(infron_sandbox, "chat", stdin="first question\nsecond question\n\n")
    assert result.returncode == 0, result.stderr
    assert "session cost: $" in result.stdout
    bodies = [r.body for r in infron_sandbox.requests if r.path.endswith("/chat/completions")]
    assert len(bodies) == 2
    assert [m["role"] for m in bodies[1]["messages"]] == ["user", "assistant", "user"]


@pytest.mark.parametrize(
    ("args", "key", "code", "needle"),
    [
        (("models",), "sk-wrong", 3, "INFRON_API_KEY"),
        (("chat", "hi", "--model", "sandbox/fault-402"), None, 4, "credits"),
        (("chat", "hi", "--model", "sandbox/fault-400"), None, 1, "400"),
        (("chat", "hi", "--reasoning", "extreme"), None, 2, "reasoning.effort"),
    ],
)
def test_errors_are_one_line_without_traceback(
    infron_sandbox: Any, args: tuple[str, ...], key: str | None, code: int, needle: str
) -> None:
    result = _run(infron_sandbox, *args, key=key)
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and needle in lines[0]
    assert "sk-wrong" not in result.stderr


def test_missing_key_is_a_clear_config_error(infron_sandbox: Any) -> None:
    env = {k: v for k, v in os.environ.items() if k != "INFRON_API_KEY"}
    result = subprocess.run(
        [INFRON, "balance"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "INFRON_API_KEY" in result.stderr and "Traceback" not in result.stderr


def test_sandbox_command_serves_on_loopback() -> None:
    proc = subprocess.Popen(
        [INFRON, "sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = None
        deadline = time.monotonic() + 30
        assert proc.stdout is not None
        while time.monotonic() < deadline and url is None:
            line = proc.stdout.readline()
            match = re.search(r"http://127\.0\.0\.1:\d+", line)
            if match:
                url = match.group(0)
        assert url, "the sandbox did not print its URL"
        assert httpx.get(f"{url}/health", timeout=5).status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
