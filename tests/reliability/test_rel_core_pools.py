"""The core's per-event-loop connection pools close when their loop shuts down.

Without it, every ``asyncio.run`` that used an adapter left its pool's idle connections (and the
loop) alive for the life of the process: the load test's last check found 100 sockets per loop.
"""

from __future__ import annotations

import asyncio
import gc
from typing import Any

from infron_integrations.core import http
from infron_integrations.core.settings import InfronSettings


def _pool_entries() -> int:
    return len(http._async_clients) + len(http._openai_async) + len(http._owners)


def test_pools_close_with_their_loop(infron_sandbox: Any) -> None:
    gc.collect()
    before = _pool_entries()
    settings = InfronSettings.resolve(infron_sandbox.api_key, infron_sandbox.base_url)
    seen: list[Any] = []

    async def use() -> None:
        client = http.async_openai_client(settings)
        await client.models.list()
        pool = http.shared_async_sdk_client(settings.timeout)
        assert http.shared_async_sdk_client(settings.timeout) is pool  # one pool per loop
        seen.append(pool)

    for _ in range(3):
        asyncio.run(use())
    assert len({id(pool) for pool in seen}) == 3
    assert all(pool.is_closed for pool in seen)
    gc.collect()
    assert _pool_entries() == before


def test_a_running_loop_keeps_its_pool(infron_sandbox: Any) -> None:
    settings = InfronSettings.resolve(infron_sandbox.api_key, infron_sandbox.base_url)

    async def twice() -> bool:
        first = http.shared_async_sdk_client(settings.timeout)
        await http.async_openai_client(settings).models.list()
        await asyncio.sleep(0)
        second = http.shared_async_sdk_client(settings.timeout)
        return first is second and not first.is_closed

    assert asyncio.run(twice())
