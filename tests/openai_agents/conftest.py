"""Fixtures for the Agents SDK adapter: a provider on the loopback sandbox, tracing off.

Tracing is switched off for every test (no trace leaves the process); the tracing tests switch
it on themselves against a local collector. ``thread_loop`` gives ``Runner.run_sync`` a thread
loop; whole runs go through ``agents_runs.run_agent``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

pytest.importorskip("agents")

from agents import set_tracing_disabled

from infron_integrations.openai_agents import InfronProvider


@pytest.fixture(autouse=True)
def _no_tracing() -> Iterator[None]:
    set_tracing_disabled(True)
    yield
    set_tracing_disabled(True)


@pytest.fixture
def sandbox(infron_sandbox: Any) -> Any:
    return infron_sandbox


@pytest.fixture
def make_provider(sandbox: Any) -> Any:
    def make(**kwargs: Any) -> InfronProvider:
        kwargs.setdefault("api_key", sandbox.api_key)
        kwargs.setdefault("base_url", sandbox.base_url)
        kwargs.setdefault("max_retries", 0)
        return InfronProvider(**kwargs)

    return make


@pytest.fixture
def provider(make_provider: Any) -> InfronProvider:
    return make_provider()


@pytest.fixture
def bodies(sandbox: Any) -> Any:
    """``bodies()``: the chat-completion request bodies the sandbox received, in order."""

    def get(path: str = "/v1/chat/completions") -> list[dict[str, Any]]:
        return [r.body for r in sandbox.requests if r.path == path]

    return get


@pytest.fixture
def charged(sandbox: Any) -> Any:
    """``charged()``: what the sandbox debited from the key (the sum of the costs it reported)."""

    def get() -> Decimal:
        state = sandbox.state
        return Decimal(repr(state.config.initial_balance)) - state.balance(sandbox.api_key)

    return get


@pytest.fixture
def thread_loop() -> Iterator[asyncio.AbstractEventLoop]:
    """The thread's default loop, as ``Runner.run_sync`` finds it; closed afterwards."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        asyncio.set_event_loop(None)
        loop.close()
