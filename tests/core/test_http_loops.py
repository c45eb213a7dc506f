"""Pools and event loops: one SSL context per process, pools owned by their loop.

A loop that finalizes its async generators and goes on running (what the Agents SDK's
``Runner.run_sync`` does after every run) keeps its pool from then on; a loop that is dropped or
closed takes its pools with it. Loopback sandbox, real HTTP.
"""

from __future__ import annotations

import asyncio
import gc
import weakref
from typing import Any

import pytest

from infron_integrations.core import InfronSettings, async_openai_client, openai_client
from infron_integrations.core import http as core_http
from infron_integrations.core.http import (
    shared_async_httpx_client,
    shared_async_sdk_client,
    shared_httpx_client,
)


def _settings(sandbox: Any, **kwargs: Any) -> InfronSettings:
    return InfronSettings.resolve(sandbox.api_key, sandbox.base_url, **kwargs)


def test_clients_share_one_ssl_context_per_library(
    infron_sandbox: Any, ssl_contexts_built: list[type]
) -> None:
    # after the first clients (the two defaults: httpx2 for the SDK under openai 3, httpx for
    # the LiteLLM transport; and what the SDK's imports build once), no client builds another
    openai_client(_settings(infron_sandbox, timeout=29))
    asyncio.run(_touch(_settings(infron_sandbox, timeout=29)))
    shared_httpx_client(1.0)
    ssl_contexts_built.clear()

    for n in range(3):
        settings = _settings(infron_sandbox, timeout=30 + n, default_headers={"x-n": str(n)})
        assert openai_client(settings).models.list().data
        url = f"{infron_sandbox.base_url}/models"
        shared_httpx_client(30.0 + n).get(url, headers=settings.headers()).raise_for_status()

        async def use(settings: InfronSettings = settings, url: str = url) -> None:
            await async_openai_client(settings).models.list()
            pool = shared_async_httpx_client(settings.timeout)
            (await pool.get(url, headers=settings.headers())).raise_for_status()

        asyncio.run(use())
    assert ssl_contexts_built == []


async def _touch(settings: InfronSettings) -> None:
    async_openai_client(settings)
    shared_async_sdk_client(settings.timeout)


def _run_sync_like(loop: asyncio.AbstractEventLoop, work: Any) -> Any:
    """What ``Runner.run_sync`` does with the thread's loop: run, finalize, keep the loop."""
    try:
        return loop.run_until_complete(work())
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())


def test_a_loop_that_keeps_running_after_finalizing_keeps_its_pool(infron_sandbox: Any) -> None:
    settings = _settings(infron_sandbox)
    pools: list[Any] = []

    async def call() -> None:
        await async_openai_client(settings).models.list()
        pools.append(shared_async_sdk_client(settings.timeout))

    loop = asyncio.new_event_loop()
    try:
        for _ in range(5):
            _run_sync_like(loop, call)
    finally:
        loop.run_until_complete(_close_pool(settings))
        loop.close()
    # the first finalization closes the pool (it may be asyncio.run's last step); the loop asked
    # again, so it keeps running: from then on one pool, open across finalizations
    assert pools[0].is_closed
    assert len({id(pool) for pool in pools[1:]}) == 1
    assert len(infron_sandbox.requests) == 5


async def _close_pool(settings: InfronSettings) -> None:
    # a loop kept open after a finalization has no owner to close its pools; the test does
    await shared_async_sdk_client(settings.timeout).aclose()


@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.parametrize("ending", ["dropped", "closed without finalizing"])
def test_a_loop_takes_its_pools_with_it(infron_sandbox: Any, ending: str) -> None:
    settings = _settings(infron_sandbox)

    async def call() -> None:
        await async_openai_client(settings).models.list()

    gc.collect()
    pool_count = len(core_http._async_clients)
    # asyncio's own loop: uvloop keeps a pending timer alive outside the garbage collector's
    # view, so there a loop that is never closed keeps its pools until it is closed
    loop = asyncio.SelectorEventLoop()
    loop.run_until_complete(call())
    assert len(core_http._async_clients) == pool_count + 1
    if ending == "closed without finalizing":
        loop.close()
    gone = weakref.ref(loop)
    del loop
    gc.collect()
    # nothing in the core keeps the loop, its pools or their sockets alive
    assert gone() is None
    assert len(core_http._async_clients) == pool_count
