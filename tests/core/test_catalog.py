"""The model catalog reader: GET /models over loopback HTTP, kept in an on-disk cache."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from infron_integrations.core import InfronSettings
from infron_integrations.core.catalog import (
    afetch_catalog,
    cache_dir,
    cache_file,
    cached_catalog,
    fetch_catalog,
)


@pytest.fixture(autouse=True)
def _cache_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("INFRON_CACHE_DIR", str(tmp_path))
    return tmp_path


def _settings(sandbox: Any) -> InfronSettings:
    return InfronSettings.resolve(api_key=sandbox.api_key, base_url=sandbox.base_url)


def test_fetch_writes_the_cache_and_reading_it_needs_no_request(infron_sandbox: Any) -> None:
    assert cached_catalog(infron_sandbox.base_url) is None
    fetched = fetch_catalog(_settings(infron_sandbox))
    assert [r.path for r in infron_sandbox.requests] == ["/v1/models"]
    assert fetched["openai/gpt-4o-mini"]["context_length"] == 128_000
    assert fetched["openai/gpt-4o-mini"]["top_provider"]["max_completion_tokens"] == 16_384
    assert 0 <= fetched.age < 60
    cached = cached_catalog(infron_sandbox.base_url)
    assert cached == fetched and cached is not None and cached.fetched_at == fetched.fetched_at
    assert len(infron_sandbox.requests) == 1
    text = cache_file(infron_sandbox.base_url).read_text(encoding="utf-8")
    assert infron_sandbox.api_key not in text
    # one file per base URL
    assert cached_catalog("http://127.0.0.1:9/v1") is None


def test_async_fetch(infron_sandbox: Any) -> None:
    fetched = asyncio.run(afetch_catalog(_settings(infron_sandbox)))
    assert "deepseek/deepseek-r1" in fetched


def test_a_broken_cache_file_is_ignored(infron_sandbox: Any) -> None:
    path = cache_file(infron_sandbox.base_url)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json", encoding="utf-8")
    assert cached_catalog(infron_sandbox.base_url) is None
    path.write_text(json.dumps({"data": "nope"}), encoding="utf-8")
    assert cached_catalog(infron_sandbox.base_url) is None


def test_an_unwritable_cache_still_returns_the_catalog(
    infron_sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv("INFRON_CACHE_DIR", str(blocker / "sub"))  # mkdir fails, even as root
    assert "openai/gpt-4o" in fetch_catalog(_settings(infron_sandbox))
    assert cached_catalog(infron_sandbox.base_url) is None


def test_the_default_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("INFRON_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir() == tmp_path / "infron-integrations"
