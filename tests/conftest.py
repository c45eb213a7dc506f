"""Shared test set-up: offline by default; `live` tests run only with INFRON_API_KEY set.

Fixtures more than one folder needs live here, with their framework imported only when asked:

* ``catalog_dir`` (session): the catalog cache of the LiteLLM handler (never the home directory),
  holding the sandbox's catalog fetched once, so no test sees the handler's lazy catalog refresh
  (a ``GET /v1/models`` of its own) among the requests it checks; a proxy started by a test gets
  the same directory and finds the catalog fresh on disk. The LiteLLM and reliability folders
  make it autouse.
* ``litellm_registered``: ``infron/`` registered with LiteLLM for one test, its provider map
  restored afterwards.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Iterator
from pathlib import Path
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


@pytest.fixture(scope="session")
def catalog_dir(
    infron_sandbox_server: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """The session's catalog cache, holding the sandbox's catalog (fetched once, here)."""
    from infron_integrations.core.catalog import ENV_CACHE_DIR
    from infron_integrations.litellm import refresh_model_info, register

    path = tmp_path_factory.mktemp("infron-cache")
    saved = os.environ.get(ENV_CACHE_DIR)
    os.environ[ENV_CACHE_DIR] = str(path)
    register()
    refresh_model_info(
        api_key=infron_sandbox_server.api_key, base_url=infron_sandbox_server.base_url
    )
    try:
        yield path
    finally:
        if saved is None:
            os.environ.pop(ENV_CACHE_DIR, None)
        else:
            os.environ[ENV_CACHE_DIR] = saved


@pytest.fixture
def litellm_registered() -> Iterator[None]:
    """``infron/`` known to LiteLLM for this test; the provider map is restored afterwards."""
    import litellm

    from infron_integrations.litellm import register

    saved = list(litellm.custom_provider_map)
    register()
    yield
    litellm.custom_provider_map = saved
