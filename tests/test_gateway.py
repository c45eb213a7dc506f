"""live_or_sandbox: the sandbox without a key, the real gateway with one; env restored."""

from __future__ import annotations

import os

import httpx
import pytest

from infron_integrations.gateway import live_or_sandbox


def test_sandbox_without_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INFRON_API_KEY", raising=False)
    monkeypatch.delenv("INFRON_BASE_URL", raising=False)
    # a search host set for live use is not sent the sandbox's key
    monkeypatch.setenv("INFRON_SEARCH_URL", "https://search.onerouter.pro/v1")
    said: list[str] = []
    with live_or_sandbox(announce=said.append) as gw:
        assert gw.is_sandbox
        assert gw.base_url.startswith("http://127.0.0.1:")
        assert os.environ["INFRON_BASE_URL"] == gw.base_url
        assert os.environ["INFRON_SEARCH_URL"] == gw.base_url
        assert httpx.get(gw.base_url.removesuffix("/v1") + "/health").status_code == 200
    assert "INFRON_BASE_URL" not in os.environ and "INFRON_API_KEY" not in os.environ
    assert os.environ["INFRON_SEARCH_URL"] == "https://search.onerouter.pro/v1"  # restored
    assert len(said) == 1 and "sandbox" in said[0]


def test_real_gateway_with_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFRON_API_KEY", "sk-live-secret")
    monkeypatch.delenv("INFRON_BASE_URL", raising=False)
    said: list[str] = []
    with live_or_sandbox(announce=said.append) as gw:
        assert not gw.is_sandbox
        assert gw.base_url == "https://llm.onerouter.pro/v1"
        assert "sk-live-secret" not in repr(gw)
    assert "sk-live-secret" not in said[0]
