"""Shared test set-up: offline by default; `live` tests run only with INFRON_API_KEY set."""

from __future__ import annotations

import os

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
