"""The Infron key never reaches OpenAI's trace exporter; tracing with a real OpenAI key still works.

The SDK's exporter is pointed at a loopback collector started here, so every export it attempts is
seen (and nothing leaves the machine).
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from agents import Agent, RunConfig, Runner, set_default_openai_client, set_tracing_disabled
from agents.models import _openai_shared
from agents.tracing import flush_traces
from agents.tracing.processors import default_exporter
from openai import AsyncOpenAI

from infron_integrations.core.errors import InfronConfigError
from infron_integrations.openai_agents import use_openai_tracing

_MISSING = object()


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

    def carries(self, secret: str) -> bool:
        return any(
            secret in headers.get("authorization", "") or secret.encode() in body
            for headers, body in self.received
        )


@pytest.fixture
def collector(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Collector]:
    server = _Collector()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    exporter = default_exporter()
    saved = (exporter.endpoint, exporter._api_key, vars(exporter).get("api_key", _MISSING))
    saved_client = _openai_shared.get_default_openai_client()
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
        server.shutdown()
        server.server_close()


async def _traced_run(make_provider: Any, **kwargs: Any) -> None:
    provider = make_provider(**kwargs)
    agent = Agent(name="traced", model="openai/gpt-4o")
    await Runner.run(agent, "hi", run_config=RunConfig(model_provider=provider))
    flush_traces()


async def test_control_without_protection_the_key_would_leak(
    collector: _Collector, make_provider: Any, sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # proves the collector sees what the exporter sends: the docs' setup, unprotected
    monkeypatch.setenv("OPENAI_API_KEY", sandbox.api_key)
    await _traced_run(make_provider, protect_tracing=False)
    assert collector.carries(sandbox.api_key)


async def test_infron_key_in_openai_api_key_env_is_not_exported(
    collector: _Collector, make_provider: Any, sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", sandbox.api_key)
    await _traced_run(make_provider)
    assert not collector.carries(sandbox.api_key)


async def test_docs_recipe_client_key_is_not_exported(
    collector: _Collector, make_provider: Any, sandbox: Any
) -> None:
    # the Infron docs' recipe: set_default_openai_client(...) also sets the trace-export key
    set_default_openai_client(AsyncOpenAI(api_key=sandbox.api_key, base_url=sandbox.base_url))
    assert default_exporter()._api_key == sandbox.api_key
    await _traced_run(make_provider)
    assert not collector.carries(sandbox.api_key)


async def test_key_set_after_the_provider_is_caught_on_the_next_turn(
    collector: _Collector, make_provider: Any, sandbox: Any
) -> None:
    provider = make_provider()
    set_default_openai_client(AsyncOpenAI(api_key=sandbox.api_key, base_url=sandbox.base_url))
    agent = Agent(name="traced", model="openai/gpt-4o")
    await Runner.run(agent, "hi", run_config=RunConfig(model_provider=provider))
    flush_traces()
    assert not collector.carries(sandbox.api_key)


async def test_tracing_with_a_real_openai_key_keeps_working(
    collector: _Collector, make_provider: Any, sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", sandbox.api_key)
    use_openai_tracing("sk-openai-tracing-test", infron_key=sandbox.api_key)
    await _traced_run(make_provider)
    assert collector.auths() and set(collector.auths()) == {"Bearer sk-openai-tracing-test"}
    assert b'"traced"' in b"".join(body for _, body in collector.received)
    assert not collector.carries(sandbox.api_key)


def test_use_openai_tracing_refuses_the_infron_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFRON_API_KEY", "sk-infron-123")
    with pytest.raises(InfronConfigError, match="Infron API key"):
        use_openai_tracing("sk-infron-123")
    with pytest.raises(InfronConfigError):
        use_openai_tracing("")
