"""``Runner.run_sync``: the thread's loop keeps its pool, and no run builds an SSL context.

``run_sync`` runs every call on the thread's default loop and finalizes the loop's async
generators after each run without closing it (openai-agents 0.20.0 and 0.24.0). These tests count
what the stock model never does per call: building an SSL context (20-40 ms of CA loading) and
opening a new pool (a new connection, and a TLS handshake against the real gateway).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from agents import Agent, RunConfig, Runner, function_tool

from infron_integrations.core.http import shared_async_sdk_client
from infron_integrations.openai_agents import InfronProvider, infron_model, run_cost


def test_twenty_run_sync_calls_build_at_most_one_ssl_context(
    thread_loop: asyncio.AbstractEventLoop,
    ssl_contexts_built: list[type],
    make_provider: Any,
    bodies: Any,
) -> None:
    provider: InfronProvider = make_provider()
    pools: list[Any] = []

    @function_tool
    async def get_weather(city: str) -> str:
        """The weather in a city."""
        # the pool this loop's requests go through, seen from inside the run
        pools.append(shared_async_sdk_client(provider.settings.timeout))
        return f"Sunny in {city}"

    agent = Agent(name="weather", model="openai/gpt-4o", tools=[get_weather])
    config = RunConfig(model_provider=provider)
    for _ in range(20):
        result = Runner.run_sync(agent, "What is the get_weather in Oslo?", run_config=config)
        assert result.final_output == "Based on get_weather: Sunny in Oslo."
        assert run_cost(result).requests == 2

    assert len(ssl_contexts_built) <= 1
    assert len(bodies()) == 40
    # the first run's pool is closed when run_sync finalizes the loop (nothing tells that apart
    # from asyncio.run's shutdown); from the second run on the loop keeps one open pool
    assert pools[0].is_closed
    assert len({id(pool) for pool in pools[1:]}) == 1
    assert not pools[-1].is_closed


def test_run_sync_without_a_run_config(
    thread_loop: asyncio.AbstractEventLoop,
    ssl_contexts_built: list[type],
    monkeypatch: pytest.MonkeyPatch,
    sandbox: Any,
    bodies: Any,
) -> None:
    # the Infron guide's script shape: Runner.run_sync in a loop, here with a ready model
    monkeypatch.setenv("INFRON_API_KEY", sandbox.api_key)
    monkeypatch.setenv("INFRON_BASE_URL", sandbox.base_url)
    agent = Agent(name="a", model=infron_model("anthropic/claude-sonnet-4.5"))
    for i in range(5):
        assert Runner.run_sync(agent, f"hi {i}").final_output.startswith(f'You said: "hi {i}"')
    assert [body["model"] for body in bodies()] == ["anthropic/claude-sonnet-4.5"] * 5
    assert len(ssl_contexts_built) <= 1
