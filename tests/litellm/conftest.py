"""Fixtures for the LiteLLM adapter tests: Infron registered, sandbox credentials, a cost logger.

The session's catalog cache and the registration are the shared ``catalog_dir`` and
``litellm_registered`` of ``tests/conftest.py``, made autouse here.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import litellm
import pytest
from litellm.integrations.custom_logger import CustomLogger

litellm.suppress_debug_info = True


@pytest.fixture(scope="session", autouse=True)
def catalog_dir(catalog_dir: Path) -> Path:
    """The shared catalog cache (``tests/conftest.py``), set up before any test here."""
    return catalog_dir


@pytest.fixture(autouse=True)
def _infron_registered(litellm_registered: None) -> None:
    """Every test here runs with ``infron/`` registered (``tests/conftest.py``)."""


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

    def _matching(self, match: str | Callable[[Any], bool] | None) -> list[dict[str, Any]]:
        """Events whose response has the id ``match`` (or satisfies it, when callable)."""
        with self._lock:
            events = list(self.events)
        if match is None:
            return events
        if callable(match):
            return [e for e in events if match(e["response"])]
        return [e for e in events if getattr(e["response"], "id", None) == match]

    def wait(
        self, response_id: str | Callable[[Any], bool] | None = None, timeout: float = 5.0
    ) -> dict[str, Any]:
        """The first event (for ``response_id``, if given) once it arrived: LiteLLM logs from
        background threads, so a late event of an earlier test may arrive too."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self._matching(response_id)
            if found:
                return found[0]
            time.sleep(0.02)
        raise AssertionError(f"no success event for {response_id!r}: {len(self.events)} events")

    async def await_event(
        self, response_id: str | Callable[[Any], bool] | None = None, timeout: float = 5.0
    ) -> Any:
        """:meth:`wait` for async tests (LiteLLM logs from tasks on the running loop)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self._matching(response_id)
            if found:
                return found[0]
            await asyncio.sleep(0.02)
        raise AssertionError(f"no success event for {response_id!r}: {len(self.events)} events")


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
    # LiteLLM's own pydantic models warn about ReadOnly TypedDict items when first built, and its
    # Message serializer warns when it converts a replayed message; noise from the framework.
    here = str(config.rootpath / "tests" / "litellm")
    marks = [
        pytest.mark.filterwarnings("ignore:Item.*ReadOnly:UserWarning"),
        pytest.mark.filterwarnings("ignore:Pydantic serializer warnings:UserWarning"),
    ]
    for item in items:
        if str(item.path).startswith(here):
            for mark in marks:
                item.add_marker(mark)
