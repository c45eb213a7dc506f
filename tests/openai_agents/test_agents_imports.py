"""The public names of the Agents SDK adapter, pinned."""

from __future__ import annotations

import subprocess
import sys

import infron_integrations
import infron_integrations.openai_agents as adapter

EXPECTED = [
    "InfronModel",
    "InfronModelIdError",
    "InfronMultiProvider",
    "InfronProvider",
    "InfronResponsesModel",
    "RunCost",
    "cost_of_response",
    "disable_openai_trace_export",
    "infron_deepsearch_tool",
    "infron_extract_tool",
    "infron_model",
    "infron_multi_provider",
    "infron_search_tool",
    "infron_settings",
    "protect_trace_export",
    "replay_policy",
    "run_cost",
    "use_openai_tracing",
]


def test_all_is_pinned_and_resolves() -> None:
    assert adapter.__all__ == EXPECTED
    for name in EXPECTED:
        assert getattr(adapter, name) is not None


def test_root_package_exports_the_adapter_lazily() -> None:
    assert infron_integrations.InfronProvider is adapter.InfronProvider
    assert infron_integrations.InfronModel is adapter.InfronModel
    code = "import infron_integrations, sys; print('agents' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
