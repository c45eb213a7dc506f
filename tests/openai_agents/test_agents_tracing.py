"""The Infron key never reaches OpenAI's trace exporter; tracing with a real OpenAI key still works.

The SDK's own exporter is pointed at a loopback collector started here, so every export it attempts
is seen (and nothing leaves the machine). Each test starts with no key protected, so the key is
protected only by what the test itself does (creating a provider, calling our functions).
"""

from __future__ import annotations

import http.server
import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from agents import (
    Agent,
    RunConfig,
    Runner,
    set_default_openai_client,
    set_default_openai_key,
    set_tracing_disabled,
    set_tracing_export_api_key,
    trace,
)
from agents.models import _openai_shared
from agents.tracing import flush_traces
from agents.tracing.processors import BatchTraceProcessor, default_exporter
from openai import AsyncOpenAI

from infron_integrations.core.errors import InfronConfigError
from infron_integrations.openai_agents import (
    disable_openai_trace_export,
    protect_trace_export,
    tracing,
    use_openai_tracing,
)

_MISSING = object()
REAL = "sk-openai-tracing-test"


class _Collector(http.server.ThreadingHTTPServer):
    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        collector = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                collector.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(200)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: Any) -> None:
                return None

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1/traces/ingest"

    def auths(self) -> list[str]:
        return [headers.get("authorization", "") for headers, _ in self.received]

    def body(self) -> bytes:
        return b"".join(body for _, body in self.received)

    def carries(self, secret: str) -> bool:
        return any(
            secret in headers.get("authorization", "") or secret.encode() in body
            for headers, body in self.received
        )


@pytest.fixture
def clean_guard() -> Iterator[None]:
    """No key protected and export not disabled for the test; the process's state afterwards."""
    guard = tracing._guard
    saved = (guard.protected, guard.disabled, guard._warned)
    guard.protected, guard.disabled, guard._warned = frozenset(), False, False
    try:
        yield
    finally:
        guard.protected, guard.disabled, guard._warned = saved


@pytest.fixture
def collector(monkeypatch: pytest.MonkeyPatch, clean_guard: None) -> Iterator[_Collector]:
    server = _Collector()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    exporter = default_exporter()
    saved = (exporter.endpoint, exporter._api_key, vars(exporter).get("api_key", _MISSING))
    saved_client = _openai_shared.get_default_openai_client()
    saved_key = _openai_shared.get_default_openai_key()
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    exporter.endpoint = server.url
    exporter.set_api_key(None)  # type: ignore[arg-type]
    set_tracing_disabled(False)
    try:
        yield server
    finally:
        flush_traces()
        set_tracing_disabled(True)
        flush_traces()
        exporter.endpoint, exporter._api_key = saved[0], saved[1]
        vars(exporter).pop("api_key", None)
        if saved[2] is not _MISSING:
            vars(exporter)["api_key"] = saved[2]
        _openai_shared.set_default_openai_client(saved_client)  # type: ignore[arg-type]
        _openai_shared.set_default_openai_key(saved_key)  # type: ignore[arg-type]
        server.shutdown()
        server.server_close()


async def _run(provider: Any, **config: Any) -> None:
    agent = Agent(name="traced", model="openai/gpt-4o")
    await Runner.run(agent, "hi", run_config=RunConfig(model_provider=provider, **config))
    flush_traces()


async def _traced_run(make_provider: Any, **kwargs: Any) -> None:
    await _run(make_provider(**kwargs))


def _exported(collector: _Collector) -> bool:
    return b'"traced"' in collector.body()


#: every way the SDK lets an application hand a key to its trace exporter
_HAND_OVERS: dict[str, Callable[[pytest.MonkeyPatch, str, str], None]] = {
    "OPENAI_API_KEY": lambda mp, key, url: mp.setenv("OPENAI_API_KEY", key),
    "set_tracing_export_api_key": lambda mp, key, url: set_tracing_export_api_key(key),
    "set_default_openai_key": lambda mp, key, url: set_default_openai_key(key),
    # the Infron docs' recipe: set_default_openai_client(...) also sets the trace-export key
    "set_default_openai_client": lambda mp, key, url: set_default_openai_client(
        AsyncOpenAI(api_key=key, base_url=url)
    ),
}


async def test_control_without_protection_the_key_would_leak(
    collector: _Collector, make_provider: Any, sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # proves the collector sees what the exporter sends: the docs' setup, unprotected
    monkeypatch.setenv("OPENAI_API_KEY", sandbox.api_key)
    await _traced_run(make_provider, protect_tracing=False)
    assert collector.carries(sandbox.api_key)


async def test_infron_key_in_openai_api_key_env_is_not_exported(
    collector: _Collector,
    make_provider: Any,
    sandbox: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", sandbox.api_key)
    with caplog.at_level(logging.WARNING, logger="infron_integrations.openai_agents"):
        await _traced_run(make_provider)
    assert not collector.carries(sandbox.api_key)
    # one warning says why, and names no key
    assert "use_openai_tracing" in caplog.text
    assert sandbox.api_key not in caplog.text


@pytest.mark.parametrize("order", ["before", "after"])
@pytest.mark.parametrize("how", sorted(_HAND_OVERS))
async def test_infron_key_handed_to_the_exporter_is_never_used(
    collector: _Collector,
    make_provider: Any,
    sandbox: Any,
    monkeypatch: pytest.MonkeyPatch,
    how: str,
    order: str,
) -> None:
    hand_over = _HAND_OVERS[how]
    if order == "before":
        hand_over(monkeypatch, sandbox.api_key, sandbox.base_url)
        provider = make_provider()
    else:
        provider = make_provider()
        hand_over(monkeypatch, sandbox.api_key, sandbox.base_url)
    await _run(provider)
    assert not collector.carries(sandbox.api_key)
    assert collector.received == []  # no key but the Infron one: nothing is exported


async def test_infron_key_as_a_runs_tracing_key_is_not_exported(
    collector: _Collector, make_provider: Any, sandbox: Any
) -> None:
    set_tracing_export_api_key(REAL)
    provider = make_provider()
    await _run(provider, tracing={"api_key": sandbox.api_key})
    assert not collector.carries(sandbox.api_key)
    assert collector.received == []
    # the next run without its own key is exported with the exporter's key
    await _run(provider)
    assert _exported(collector)
    assert set(collector.auths()) == {f"Bearer {REAL}"}


async def test_a_runs_real_tracing_key_is_used_when_the_exporter_has_the_infron_key(
    collector: _Collector, make_provider: Any, sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", sandbox.api_key)
    await _run(make_provider(), tracing={"api_key": REAL})
    assert _exported(collector)
    assert set(collector.auths()) == {f"Bearer {REAL}"}


async def test_key_changed_to_the_infron_key_after_an_export(
    collector: _Collector, make_provider: Any, sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # exported with a real key first (the exporter has read, and may have cached, its key) ...
    monkeypatch.setenv("OPENAI_API_KEY", REAL)
    provider = make_provider()
    await _run(provider)
    assert _exported(collector)
    # ... then the Infron client is made the default, as the Infron docs' recipe does
    set_default_openai_client(AsyncOpenAI(api_key=sandbox.api_key, base_url=sandbox.base_url))
    await _run(provider)
    assert not collector.carries(sandbox.api_key)


async def test_tracing_with_a_real_openai_key_keeps_working(
    collector: _Collector, make_provider: Any, sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", sandbox.api_key)
    use_openai_tracing(REAL, infron_key=sandbox.api_key)
    await _traced_run(make_provider)
    assert collector.auths() and set(collector.auths()) == {f"Bearer {REAL}"}
    assert _exported(collector)
    assert not collector.carries(sandbox.api_key)


async def test_disable_stops_export_until_use_openai_tracing(
    collector: _Collector, make_provider: Any, sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = make_provider()
    disable_openai_trace_export()
    # a real key configured after disabling does not turn export back on
    monkeypatch.setenv("OPENAI_API_KEY", REAL)
    set_tracing_export_api_key(REAL)
    await _run(provider)
    assert collector.received == []
    use_openai_tracing("sk-openai-tracing-again", infron_key=sandbox.api_key)
    await _run(provider)
    assert _exported(collector)
    assert set(collector.auths()) == {"Bearer sk-openai-tracing-again"}


def test_the_shutdown_drain_with_a_deadline_is_guarded(
    collector: _Collector, sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # At shutdown the SDK's processor drains its queue with a deadline: 0.20 calls the exporter's
    # deadline-aware step directly, 0.24 calls an overridden export. Queued directly (no worker
    # thread), so shutdown drains synchronously, through exactly that path.
    protect_trace_export(sandbox.api_key)
    monkeypatch.setenv("OPENAI_API_KEY", sandbox.api_key)
    exporter = default_exporter()
    processor = BatchTraceProcessor(exporter)
    items = [
        trace("traced-with-infron-key", tracing={"api_key": sandbox.api_key}),
        trace("traced-with-exporter-key"),  # the exporter's key: OPENAI_API_KEY, the Infron key
        trace("traced-with-real-key", tracing={"api_key": REAL}),
    ]
    for item in items:
        processor._queue.put_nowait(item)
    try:
        processor.shutdown(timeout=5)
    finally:
        exporter._shutdown_event.clear()  # shutdown(timeout) also asks the exporter to stop
    assert not collector.carries(sandbox.api_key)
    assert b"traced-with-real-key" in collector.body()
    assert set(collector.auths()) == {f"Bearer {REAL}"}


def test_use_openai_tracing_refuses_the_infron_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFRON_API_KEY", "sk-infron-123")
    with pytest.raises(InfronConfigError, match="Infron API key"):
        use_openai_tracing("sk-infron-123")
    with pytest.raises(InfronConfigError):
        use_openai_tracing("")


@pytest.mark.usefixtures("clean_guard")
def test_use_openai_tracing_refuses_a_protected_key() -> None:
    assert protect_trace_export("sk-infron-protected") is True
    assert protect_trace_export("sk-infron-protected") is False
    with pytest.raises(InfronConfigError, match="Infron API key"):
        use_openai_tracing("sk-infron-protected", infron_key="sk-infron-other")
    assert "sk-infron-protected" not in repr(tracing._guard.__dict__)
