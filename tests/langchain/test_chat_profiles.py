"""ChatInfron.profile: the shipped snapshot, a refresh from GET /v1/models, the on-disk cache.

The snapshot is generated from the sandbox's catalog by scripts/generate_profiles.py; these tests
check that it is what the script makes of the catalog the sandbox serves over HTTP, that building
a model never asks for the catalog, and that a refresh replaces the snapshot for its base URL
(and only for it), in this process and the next.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import ModelProfile

from infron_integrations.core import InfronConnectionError
from infron_integrations.core.catalog import cache_file
from infron_integrations.langchain import (
    ChatInfron,
    arefresh_model_profiles,
    refresh_model_profiles,
)
from infron_integrations.langchain._profiles import forget_cached_profiles, profile_from_catalog
from infron_integrations.sandbox.catalog import MODELS as CATALOG

ROOT = Path(__file__).resolve().parents[2]
MODELS = "/v1/models"


def _script() -> Any:
    spec = importlib.util.spec_from_file_location(
        "generate_profiles", ROOT / "scripts" / "generate_profiles.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _catalog_requests(sandbox: Any) -> int:
    return sum(1 for r in sandbox.requests if r.path == MODELS)


def test_known_models_have_the_shipped_profile() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # langchain-core warns about keys it does not know
        mini = ChatInfron(model="openai/gpt-4o-mini", api_key="k").profile
        r1 = ChatInfron(model="deepseek/deepseek-r1", api_key="k").profile
        gemini = ChatInfron(model="google/gemini-2.5-flash", api_key="k").profile
    assert mini is not None and r1 is not None and gemini is not None
    # facts recorded from the sandbox catalog the snapshot was generated from
    assert mini["max_input_tokens"] == 128_000 and mini["max_output_tokens"] == 16_384
    assert mini["image_inputs"] and mini["pdf_inputs"] and not mini["audio_inputs"]
    assert mini["tool_calling"] and mini["structured_output"] and not mini["reasoning_output"]
    assert r1["reasoning_output"] and not r1["image_inputs"] and not r1["structured_output"]
    assert r1["max_input_tokens"] == 163_840
    assert gemini["audio_inputs"] and gemini["video_inputs"]
    assert set(mini) <= set(ModelProfile.__annotations__)


def test_unknown_ids_have_no_profile_and_an_explicit_one_is_kept() -> None:
    assert ChatInfron(model="nobody/knows-this", api_key="k").profile is None
    mine: ModelProfile = {"max_input_tokens": 1234}
    assert ChatInfron(model="openai/gpt-4o-mini", api_key="k", profile=mine).profile == mine


def test_profiles_are_copies() -> None:
    first = ChatInfron(model="openai/gpt-4o-mini", api_key="k")
    assert first.profile is not None
    first.profile["max_input_tokens"] = 1
    assert ChatInfron(model="openai/gpt-4o-mini", api_key="k").profile["max_input_tokens"] > 1  # type: ignore[index]


def test_the_snapshot_is_what_the_script_makes_of_the_sandbox_catalog() -> None:
    script = _script()
    committed = script.OUTPUT.read_text(encoding="utf-8")
    assert script.sandbox_snapshot() == committed, "run python scripts/generate_profiles.py"
    assert script.main(["--check"]) == 0
    assert "sandbox/echo" not in committed  # sandbox-only ids are not shipped


def test_building_a_model_never_fetches_the_catalog(infron_sandbox: Any) -> None:
    for model in ("openai/gpt-4o-mini", "sandbox/echo", "nobody/knows"):
        ChatInfron(model=model, api_key=infron_sandbox.api_key, base_url=infron_sandbox.base_url)
    assert infron_sandbox.requests == []


def test_refresh_reads_the_catalog_over_http_and_caches_it_on_disk(infron_sandbox: Any) -> None:
    url, key = infron_sandbox.base_url, infron_sandbox.api_key
    assert ChatInfron(model="sandbox/echo", api_key=key, base_url=url).profile is None

    count = refresh_model_profiles(api_key=key, base_url=url)

    assert _catalog_requests(infron_sandbox) == 1
    assert infron_sandbox.last_request(MODELS).status == 200
    served = set(CATALOG)
    assert count == sum(1 for m in CATALOG.values() if m.kind == "chat")
    echo = ChatInfron(model="sandbox/echo", api_key=key, base_url=url).profile
    assert echo is not None and echo["name"] == "Sandbox: Echo" and echo["audio_inputs"] is True
    # embedding and rerank models are not chat models: no profile
    assert ChatInfron(model="sandbox/embedding", api_key=key, base_url=url).profile is None

    path = cache_file(url)
    cached = json.loads(path.read_text(encoding="utf-8"))
    assert cached["base_url"] == url and {m["id"] for m in cached["data"]} == served
    assert key not in path.read_text(encoding="utf-8")

    forget_cached_profiles()  # as a new process would start: from the disk cache, no request
    again = ChatInfron(model="sandbox/echo", api_key=key, base_url=url).profile
    assert again == echo
    assert _catalog_requests(infron_sandbox) == 1


def test_a_refresh_applies_to_its_base_url_only(infron_sandbox: Any) -> None:
    refresh_model_profiles(api_key=infron_sandbox.api_key, base_url=infron_sandbox.base_url)
    other = ChatInfron(model="sandbox/echo", api_key="k", base_url="http://127.0.0.1:9/v1")
    assert other.profile is None
    # known ids fall back to the snapshot on any base URL
    assert ChatInfron(model="openai/gpt-4o", api_key="k", base_url="http://127.0.0.1:9/v1").profile


def test_async_refresh_and_model_copy(infron_sandbox: Any) -> None:
    url, key = infron_sandbox.base_url, infron_sandbox.api_key
    count = asyncio.run(arefresh_model_profiles(api_key=key, base_url=url))
    assert count > 10 and _catalog_requests(infron_sandbox) == 1
    llm = ChatInfron(model="openai/gpt-4o-mini", api_key=key, base_url=url)
    moved = llm.model_copy(update={"model": "sandbox/reasoning"})
    assert moved.profile is not None and moved.profile["reasoning_output"] is True
    assert llm.profile is not None and llm.profile["reasoning_output"] is False


def test_refresh_against_a_gateway_that_is_down_names_the_url() -> None:
    with pytest.raises(InfronConnectionError, match=r"127\.0\.0\.1:9/v1/models"):
        refresh_model_profiles(api_key="k", base_url="http://127.0.0.1:9/v1", timeout=2)


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        # only what the entry says: no supported_parameters, no claims about tools
        (
            {"id": "a/b", "name": "B", "context_length": 1000},
            {"name": "B", "max_input_tokens": 1000},
        ),
        ({"id": "a/e", "type": "embedding", "context_length": 8192}, None),
        (
            {"id": "a/r", "supports_reasoning": True, "supported_parameters": ["tools"]},
            {
                "reasoning_output": True,
                "tool_calling": True,
                "tool_choice": False,
                "tool_call_streaming": True,
                "structured_output": False,
                "temperature": False,
            },
        ),
    ],
)
def test_the_catalog_mapping_claims_only_what_an_entry_says(
    entry: dict[str, Any], expected: dict[str, Any] | None
) -> None:
    assert profile_from_catalog(entry) == expected
