"""The `infron` command, run as a real process against the loopback sandbox."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
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
    # the options python -m infron_integrations.sandbox has always taken, accepted here too
    argv = ["--port", "0", "--allow-non-loopback", "--down", "anthropic", "--api-key", "k2"]
    proc = subprocess.Popen(
        [INFRON, "sandbox", *argv],
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
        answer = httpx.post(
            f"{url}/v1/chat/completions",
            headers={"Authorization": "Bearer k2"},
            json={
                "model": "anthropic/claude-haiku-4.5",
                "messages": [{"role": "user", "content": "x"}],
            },
            timeout=5,
        )
        assert answer.json()["provider"] == "amazon-bedrock"  # anthropic is down
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_unknown_model_is_one_line_with_a_hint(infron_sandbox: Any) -> None:
    result = _run(infron_sandbox, "chat", "hi", "-m", "foo/bar")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "via foo" not in result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: Infron 400:")
    assert "'foo/bar'" in lines[0] and "infron models" in lines[0]


def test_error_line_does_not_wrap_on_a_narrow_terminal(infron_sandbox: Any) -> None:
    env_narrow = {"COLUMNS": "40"}
    result = subprocess.run(
        [INFRON, "chat", "hi", "-m", "foo/bar"],
        env={**os.environ, **_env(infron_sandbox), **env_narrow},
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "[request_id: " in lines[0]


def test_models_json_is_the_catalog(infron_sandbox: Any) -> None:
    result = _run(infron_sandbox, "models", "--json")
    assert result.returncode == 0, result.stderr
    entries = json.loads(result.stdout)
    listed = infron_sandbox.openai_client().models.list().data
    assert [e["id"] for e in entries] == sorted(m.id for m in listed)
    sonnet = next(e for e in entries if e["id"] == "anthropic/claude-sonnet-4.5")
    assert sonnet["context_length"] == 1_000_000
    assert sonnet["pricing"]["prompt"] == "0.000003"
    assert "tools" in sonnet["supported_parameters"]
    only = json.loads(_run(infron_sandbox, "models", "--json", "embedding").stdout)
    assert {e["type"] for e in only} == {"embedding"}


def test_models_table_has_context_prices_and_capabilities(infron_sandbox: Any) -> None:
    result = _run(infron_sandbox, "models", "--sort", "price")
    assert result.returncode == 0, result.stderr
    for header in ("context", "max out", "prompt $/M", "completion $/M", "capabilities"):
        assert header in result.stdout
    rows = [line for line in result.stdout.splitlines() if re.match(r"^\W*[a-z0-9-]+/", line)]
    ids = [re.split(r"[│|\s]+", row.strip(" │|"))[0] for row in rows]
    assert ids[0] == "sandbox/free" and ids.index("openai/gpt-4o-mini") < ids.index(
        "anthropic/claude-opus-4.6"
    )
    sonnet = next(row for row in rows if "anthropic/claude-sonnet-4.5" in row)
    assert "1,000,000" in sonnet and "64,000" in sonnet and "3.00" in sonnet
    assert "tools" in sonnet and "vision" in sonnet and "reasoning" in sonnet
    by_context = _run(infron_sandbox, "models", "--sort", "context", "--json")
    first = json.loads(by_context.stdout)[0]
    assert first["id"] == "x-ai/grok-4.1-fast-reasoning"


def test_balance_json(infron_sandbox: Any) -> None:
    result = _run(infron_sandbox, "balance", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"account_name": "infron-sandbox", "credit_balance": 100.0}


def _env(sandbox: Any) -> dict[str, str]:
    return {"INFRON_API_KEY": sandbox.api_key, "INFRON_BASE_URL": sandbox.base_url}


SANDBOX_COMMANDS = {
    "infron": [INFRON, "sandbox"],
    "module": [sys.executable, "-m", "infron_integrations.sandbox"],
}


@pytest.fixture
def taken_port() -> Any:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    yield sock.getsockname()[1]
    sock.close()


@pytest.mark.parametrize("command", list(SANDBOX_COMMANDS))
@pytest.mark.parametrize(
    ("args", "code", "hint"),
    [
        (("--port", "{taken}"), 1, "already in use"),
        (("--port", "99999"), 2, "0 to pick a free one"),
        (("--port", "http"), 2, "0 to pick a free one"),
        (("--host", "0.0.0.0", "--port", "0"), 2, "--allow-non-loopback"),
        (("--host", "nope.invalid", "--allow-non-loopback", "--port", "0"), 1, "--host"),
        (("--bogus",), 2, "--help"),
    ],
)
def test_sandbox_failures_are_one_line_with_a_hint(
    command: str, args: tuple[str, ...], code: int, hint: str, taken_port: int
) -> None:
    argv = [*SANDBOX_COMMANDS[command], *(a.format(taken=taken_port) for a in args)]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert result.returncode == code, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and hint in lines[0]
    assert "Traceback" not in result.stderr


def _options(help_text: str) -> set[str]:
    return set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", help_text))


def test_both_sandbox_commands_take_the_same_options() -> None:
    helps = {
        name: subprocess.run([*argv, "--help"], capture_output=True, text=True, timeout=60)
        for name, argv in SANDBOX_COMMANDS.items()
    }
    assert all(h.returncode == 0 for h in helps.values())
    options = {name: _options(h.stdout) for name, h in helps.items()}
    assert options["infron"] == options["module"]
    assert {"--host", "--port", "--api-key", "--down", "--allow-non-loopback"} <= options["infron"]


def test_interactive_ctrl_c_stops_the_answer_and_keeps_the_chat() -> None:
    """Ctrl-C (SIGINT) while an answer streams stops it; the chat goes on; Ctrl-D ends it."""
    from infron_integrations.sandbox import SandboxConfig, SandboxServer

    with SandboxServer(SandboxConfig(stream_delay=0.4)) as server:
        proc = subprocess.Popen(
            [INFRON, "chat", "-m", "sandbox/echo"],
            env={
                **os.environ,
                "INFRON_API_KEY": server.api_key,
                "INFRON_BASE_URL": server.base_url,
                "NO_COLOR": "1",
                "COLUMNS": "200",
            },
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stdin is not None and proc.stdout is not None
        seen: list[str] = []
        reader = threading.Thread(target=_read_into, args=(proc.stdout, seen))
        reader.start()
        try:
            proc.stdin.write("tell me everything\n")
            proc.stdin.flush()
            _wait_for(seen, "You said")
            os.kill(proc.pid, signal.SIGINT)
            _wait_for(seen, "answer stopped")
            proc.stdin.write("second question\n")
            proc.stdin.close()  # Ctrl-D
            assert proc.wait(timeout=30) == 0, proc.stderr.read() if proc.stderr else ""
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            reader.join(timeout=10)
        text = "".join(seen)
        chats = [r for r in server.state.requests if r.path == "/v1/chat/completions"]
    assert "session cost: $0.0000" in text and "(2 answers, 1 stopped" in text
    assert len(chats) == 2
    history = chats[1].body["messages"]
    assert [m["role"] for m in history] == ["user", "assistant", "user"]
    partial = history[1]["content"]
    assert partial.startswith("You said") and not partial.endswith("from the Infron sandbox.")


def _read_into(stream: Any, seen: list[str]) -> None:
    for char in iter(lambda: stream.read(1), ""):
        seen.append(char)


def _wait_for(seen: list[str], needle: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while needle not in "".join(seen):
        assert time.monotonic() < deadline, f"{needle!r} never appeared in {''.join(seen)!r}"
        time.sleep(0.05)
