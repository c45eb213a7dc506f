"""Fixtures for the LiteLLM adapter tests: Infron registered, sandbox credentials, a cost logger."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from litellm.integrations.custom_logger import CustomLogger

import litellm
from infron_integrations.litellm import register

litellm.suppress_debug_info = True


@pytest.fixture(autouse=True)
def _infron_registered() -> Iterator[None]:
    saved = list(litellm.custom_provider_map)
    register()
    yield
    litellm.custom_provider_map = saved


@pytest.fixture
def creds(infron_sandbox: Any) -> dict[str, str]:
    """``api_key``/``api_base`` keyword arguments for the test's sandbox."""
    return {"api_key": infron_sandbox.api_key, "api_base": infron_sandbox.base_url}


class CostLogger(CustomLogger):  # type: ignore[misc]
    """Records what LiteLLM's success callbacks see (``response_cost``, the standard payload)."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def _add(self, kwargs: dict[str, Any], response: Any) -> None:
        with self._lock:
            self.events.append(
                {
                    "response_cost": kwargs.get("response_cost"),
                    "payload": kwargs.get("standard_logging_object"),
                    "response": response,
                }
            )

    def log_success_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any):  # type: ignore[no-untyped-def]
        self._add(kwargs, response_obj)

    async def async_log_success_event(  # type: ignore[no-untyped-def]
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ):
        self._add(kwargs, response_obj)

    def wait(self, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        """The events once at least ``count`` arrived (LiteLLM logs from background threads)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.events) >= count:
                    return list(self.events)
            time.sleep(0.02)
        raise AssertionError(f"expected {count} success events, got {len(self.events)}")

    async def await_events(self, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        """:meth:`wait` for async tests (LiteLLM logs from tasks on the running loop)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.events) >= count:
                    return list(self.events)
            await asyncio.sleep(0.02)
        raise AssertionError(f"expected {count} success events, got {len(self.events)}")


_COST_LOGGER = CostLogger()


@pytest.fixture
def cost_logger() -> Iterator[CostLogger]:
    """One logger for the whole session: LiteLLM copies callbacks into internal lists and keeps
    only one instance per logger class, so a fresh instance per test would never be called."""
    if _COST_LOGGER not in litellm.callbacks:
        litellm.callbacks = [*litellm.callbacks, _COST_LOGGER]
    with _COST_LOGGER._lock:
        _COST_LOGGER.events.clear()
    yield _COST_LOGGER
    with _COST_LOGGER._lock:
        _COST_LOGGER.events.clear()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # LiteLLM's own pydantic models warn about ReadOnly TypedDict items when first built; that is
    # noise from the framework, not from this adapter.
    here = str(config.rootpath / "tests" / "litellm")
    mark = pytest.mark.filterwarnings("ignore:Item.*ReadOnly:UserWarning")
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(mark)
