"""Shared test set-up: offline by default; `live` tests run only with INFRON_API_KEY set."""

from __future__ import annotations

import os
import ssl
from typing import Any

import pytest

# LiteLLM must not try to download its cost map (only the package registries are reachable).
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("INFRON_API_KEY"):
        return
    skip = pytest.mark.skip(reason="live test: set INFRON_API_KEY to run against the real gateway")
    for item in items:
        if "live" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def ssl_contexts_built(monkeypatch: pytest.MonkeyPatch) -> list[type]:
    """Every ``ssl.SSLContext`` built from now on (whoever builds it), by class."""
    built: list[type] = []
    original = ssl.SSLContext.__new__

    def counting(cls: type, *args: Any, **kwargs: Any) -> Any:
        built.append(cls)
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(ssl.SSLContext, "__new__", staticmethod(counting))
    return built
