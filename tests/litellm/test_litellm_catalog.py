"""The catalog behind LiteLLM's model info: on disk with a TTL, refreshed lazily by the handler in
the background, never fetched at import or by ``register()``, a clear message offline."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import litellm
import pytest

from infron_integrations.core import InfronConfigError
from infron_integrations.core.catalog import ENV_CACHE_DIR, ENV_CATALOG_TTL, cache_file
from infron_integrations.litellm import refresh_model_info
from infron_integrations.litellm.model_info import forget_model_info, litellm_model_info

MODELS = "/v1/models"
USER = [{"role": "user", "content": "Hi"}]


@pytest.fixture
def fresh_process_state(
    infron_sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """An empty cache directory and a process that has loaded no catalog yet; afterwards the
    session's catalog is put back (conftest.py), so later tests see no lazy fetch."""
    monkeypatch.setenv(ENV_CACHE_DIR, str(tmp_path))
    forget_model_info()
    yield tmp_path
    monkeypatch.undo()
    forget_model_info()
    refresh_model_info(api_key=infron_sandbox.api_key, base_url=infron_sandbox.base_url)


def _models_fetched(sb: Any, timeout: float = 5.0) -> int:
    """GET /v1/models the sandbox has seen, once the background refresh had time to run."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(r.path == MODELS for r in sb.requests):
            time.sleep(0.2)  # a second one would have been sent by now
            break
        time.sleep(0.02)
    return sum(1 for r in sb.requests if r.path == MODELS)


def _write_cache(base_url: str, entries: list[dict[str, Any]], age: float) -> None:
    path = cache_file(base_url)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"base_url": base_url, "fetched_at": time.time() - age, "data": entries})
    )


def test_first_call_fetches_the_catalog_in_the_background_once(
    infron_sandbox: Any, creds: dict[str, str], fresh_process_state: Path
) -> None:
    litellm.completion(model="infron/sandbox/echo", messages=USER, **creds)
    litellm.completion(model="infron/sandbox/echo", messages=USER, **creds)
    assert _models_fetched(infron_sandbox) == 1
    # the chat requests did not wait for it: both went out, in order
    chats = [r.path for r in infron_sandbox.requests if r.path != MODELS]
    assert chats == ["/v1/chat/completions"] * 2
    assert cache_file(infron_sandbox.base_url).exists()
    assert litellm.get_model_info("infron/sandbox/echo")["max_input_tokens"] == 128000


def test_a_fresh_disk_cache_is_used_without_fetching(
    infron_sandbox: Any, creds: dict[str, str], fresh_process_state: Path
) -> None:
    entry = {"id": "sandbox/echo", "type": "chat", "context_length": 4321, "pricing": {}}
    _write_cache(infron_sandbox.base_url, [entry], age=60)
    litellm.completion(model="infron/sandbox/echo", messages=USER, **creds)
    assert _models_fetched(infron_sandbox, timeout=0.5) == 0
    assert litellm.get_model_info("infron/sandbox/echo")["max_input_tokens"] == 4321


def test_a_stale_disk_cache_is_used_then_refreshed(
    infron_sandbox: Any,
    creds: dict[str, str],
    fresh_process_state: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ENV_CATALOG_TTL, "3600")
    entry = {"id": "sandbox/echo", "type": "chat", "context_length": 4321, "pricing": {}}
    _write_cache(infron_sandbox.base_url, [entry], age=7200)
    litellm.completion(model="infron/sandbox/echo", messages=USER, **creds)
    assert _models_fetched(infron_sandbox) == 1
    assert litellm.get_model_info("infron/sandbox/echo")["max_input_tokens"] == 128000
    written = json.loads(cache_file(infron_sandbox.base_url).read_text())
    assert time.time() - written["fetched_at"] < 60
    assert infron_sandbox.api_key not in json.dumps(written)


def test_offline_says_what_failed(
    creds: dict[str, str], fresh_process_state: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="infron_integrations.litellm")
    dead = "http://127.0.0.1:9/v1"
    with pytest.raises(litellm.APIConnectionError):
        litellm.completion(
            model="infron/sandbox/echo",
            messages=USER,
            api_key=creds["api_key"],
            api_base=dead,
            max_retries=0,
        )
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not caplog.records:
        time.sleep(0.02)
    [record] = [r for r in caplog.records if "model catalog" in r.getMessage()]
    message = record.getMessage()
    assert f"could not be fetched from {dead}/models" in message
    assert "refresh_model_info()" in message
    assert creds["api_key"] not in message


def test_refresh_model_info_raises_clearly(
    creds: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(Exception, match=r"127\.0\.0\.1:9"):
        refresh_model_info(api_key=creds["api_key"], base_url="http://127.0.0.1:9/v1")
    monkeypatch.setenv(ENV_CATALOG_TTL, "a day")
    with pytest.raises(InfronConfigError, match=ENV_CATALOG_TTL):
        refresh_model_info(api_key=creds["api_key"], base_url=creds["api_base"])


def test_nothing_is_fetched_at_import_or_by_register(infron_sandbox: Any, tmp_path: Path) -> None:
    code = (
        "import infron_integrations.litellm as m, litellm;"
        "m.register();"
        "assert not litellm.model_cost.get('infron/sandbox/echo');"
        "print('ok')"
    )
    env = {
        **os.environ,
        "INFRON_API_KEY": infron_sandbox.api_key,
        "INFRON_BASE_URL": infron_sandbox.base_url,
        ENV_CACHE_DIR: str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert infron_sandbox.requests == []


def test_register_loads_the_disk_cache(infron_sandbox: Any, tmp_path: Path) -> None:
    entry = {"id": "sandbox/echo", "type": "chat", "context_length": 999, "pricing": {}}
    base = infron_sandbox.base_url
    code = (
        "import json, time, pathlib;"
        "from infron_integrations.core.catalog import cache_file;"
        f"p = cache_file({base!r}); p.parent.mkdir(parents=True, exist_ok=True);"
        f"p.write_text(json.dumps({{'fetched_at': time.time(), 'data': [{entry!r}]}}));"
        "import infron_integrations.litellm as m, litellm;"
        "m.register();"
        "print(litellm.get_model_info('infron/sandbox/echo')['max_input_tokens'])"
    )
    env = {**os.environ, "INFRON_BASE_URL": base, ENV_CACHE_DIR: str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "999"
    assert infron_sandbox.requests == []


def test_the_mapping_sets_only_what_the_entry_states() -> None:
    assert litellm_model_info({"id": "x/y"}) == {"litellm_provider": "infron", "mode": "chat"}
    info = litellm_model_info(
        {
            "id": "x/y",
            "type": "rerank",
            "context_length": 32768,
            "pricing": {"prompt": "0.00000001", "completion": "nope"},
        },
        provider="infron-eu",
    )
    assert info == {
        "litellm_provider": "infron-eu",
        "mode": "rerank",
        "max_input_tokens": 32768,
        "max_tokens": 32768,
        "input_cost_per_token": 1e-08,
    }
