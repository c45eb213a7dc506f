"""The LiteLLM adapter's public surface: exports, registration, the dotted-path handler."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import litellm
import pytest

import infron_integrations
import infron_integrations.litellm as adapter
from infron_integrations.litellm import InfronLLM, handler, hooks, register

EXPORTS = [
    "PROVIDER_NAME",
    "InfronHooks",
    "InfronLLM",
    "InfronLiteLLMAPIError",
    "InfronLiteLLMAuthenticationError",
    "InfronLiteLLMBadGatewayError",
    "InfronLiteLLMBadRequestError",
    "InfronLiteLLMBudgetExceededError",
    "InfronLiteLLMConfigError",
    "InfronLiteLLMConnectionError",
    "InfronLiteLLMInsufficientCreditsError",
    "InfronLiteLLMInternalServerError",
    "InfronLiteLLMNotFoundError",
    "InfronLiteLLMPermissionDeniedError",
    "InfronLiteLLMRateLimitError",
    "InfronLiteLLMRequestTimeoutError",
    "InfronLiteLLMServiceUnavailableError",
    "InfronLiteLLMStreamError",
    "InfronLiteLLMTimeoutError",
    "arefresh_model_info",
    "arerank",
    "handler",
    "hooks",
    "refresh_model_info",
    "register",
    "rerank",
    "to_litellm_error",
]


def test_exports_are_pinned() -> None:
    assert sorted(adapter.__all__) == sorted(EXPORTS)
    for name in EXPORTS:
        assert getattr(adapter, name) is not None


def test_root_package_exports_infron_llm_lazily() -> None:
    assert infron_integrations.InfronLLM is InfronLLM


def _entries(provider: str = "infron") -> list[dict[str, Any]]:
    return [e for e in litellm.custom_provider_map if e["provider"] == provider]


def test_register_is_idempotent() -> None:
    first = register()
    second = register()
    assert first is second is handler
    assert len(_entries()) == 1
    assert [cb for cb in litellm.callbacks if cb is hooks] == [hooks]
    # what a user sees right after register(), before any call: LiteLLM resolves the prefix
    assert "infron" in litellm.provider_list
    model, provider, _, _ = litellm.get_llm_provider("infron/anthropic/claude-sonnet-4.5")
    assert (model, provider) == ("anthropic/claude-sonnet-4.5", "infron")


def test_register_replaces_the_handler_and_takes_another_prefix() -> None:
    custom = InfronLLM(options={"provider": {"sort": "price"}})
    assert register(custom) is custom
    assert _entries() == [{"provider": "infron", "custom_handler": custom}]
    saved = hooks.providers
    try:
        register(provider="infron-eu")
        assert _entries("infron-eu")[0]["custom_handler"] is handler
        assert "infron-eu" in hooks.providers
    finally:
        hooks.providers = saved
    assert len(_entries()) == 1


def test_other_custom_providers_are_kept() -> None:
    other = {"provider": "someone-else", "custom_handler": object()}
    litellm.custom_provider_map = [*litellm.custom_provider_map, other]
    register()
    assert other in litellm.custom_provider_map


def test_invalid_handler_options_fail_at_construction() -> None:
    with pytest.raises(ValueError, match=r"options\.provider"):
        InfronLLM(options={"provider": {"sortt": "price"}})


def test_repr_has_no_secrets(creds: dict[str, str]) -> None:
    assert creds["api_key"] not in repr(handler)


def _run_fresh(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={"LITELLM_LOCAL_MODEL_COST_MAP": "True", "PATH": ""},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip()


def test_register_lists_the_provider_before_any_call() -> None:
    """In a fresh process (nothing has run LiteLLM's own provider setup yet), register() alone
    makes ``infron`` one of LiteLLM's providers."""
    code = (
        "import litellm;"
        "assert 'infron' not in litellm.provider_list;"
        "from infron_integrations.litellm import register;"
        "register();"
        "assert 'infron' in litellm.provider_list, litellm.provider_list[-3:];"
        "print('ok')"
    )
    assert _run_fresh(code).endswith("ok")


def test_handler_resolves_by_dotted_path_in_a_fresh_process() -> None:
    """What the proxy does with ``custom_handler: infron_integrations.litellm.handler``."""
    code = (
        "from litellm.proxy.types_utils.utils import get_instance_fn;"
        "h = get_instance_fn(value='infron_integrations.litellm.handler');"
        "import infron_integrations.litellm as m;"
        "assert h is m.handler, h;"
        "from litellm.llms.custom_llm import CustomLLM;"
        "assert isinstance(h, CustomLLM);"
        "print('ok')"
    )
    assert _run_fresh(code).endswith("ok")


def test_register_installs_every_seam_once() -> None:
    """The LiteLLM functions ``_compat`` wraps are where the supported releases look them up
    (a release that moves one fails here, and in the behaviour tests)."""
    import litellm.cost_calculator
    import litellm.main
    import litellm.rerank_api.main

    register()
    register()
    seams = [
        litellm.main.get_optional_params,
        litellm.main.get_optional_params_embeddings,
        litellm.cost_calculator.completion_cost,
        litellm.completion_cost,
        litellm.rerank_api.main.rerank,
        litellm.rerank,
    ]
    assert all(getattr(seam, "__infron_wrapped__", False) for seam in seams)
    # wrapped once: the wrapper's own target is LiteLLM's function, not another wrapper
    assert not getattr(litellm.main.get_optional_params.__wrapped__, "__infron_wrapped__", False)


def test_proxies_from_the_environment_keep_the_proxy_aware_clients(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from infron_integrations.litellm import _http1

    monkeypatch.setattr(_http1, "_direct", {})
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    assert _http1.direct("http://127.0.0.1:8799/v1/chat/completions")
    assert not _http1.direct("https://llm.onerouter.pro/v1/chat/completions")
    monkeypatch.delenv("HTTPS_PROXY")
    monkeypatch.setattr(_http1, "_direct", {})
    assert _http1.direct("https://llm.onerouter.pro/v1/chat/completions")
