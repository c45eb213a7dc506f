"""OpenAI Agents SDK integration: ``InfronProvider``, ``infron_model``, ``InfronModel``,
``infron_settings``, ``run_cost``, tracing helpers, and the search tools (``infron_search_tool``,
``infron_extract_tool``, ``infron_deepsearch_tool``).

Needs the ``agents`` extra: ``pip install "infron-integrations[agents]"``.

Usage::

    from agents import Agent, RunConfig, Runner
    from infron_integrations.openai_agents import InfronProvider, infron_settings, run_cost

    agent = Agent(
        name="assistant",
        model="anthropic/claude-sonnet-4",
        model_settings=infron_settings(provider={"order": ["anthropic"]}),
    )
    result = await Runner.run(agent, "Hello", run_config=RunConfig(model_provider=InfronProvider()))
    print(result.final_output, run_cost(result).total_cost)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .._compat import require

require("agents", "agents")

_LAZY = {
    "InfronProvider": ".provider",
    "InfronModelIdError": ".provider",
    "InfronMultiProvider": ".provider",
    "infron_model": ".provider",
    "infron_multi_provider": ".provider",
    "InfronModel": ".model",
    "replay_policy": ".model",
    "InfronResponsesModel": ".responses",
    "infron_settings": "._options",
    "RunCost": ".cost",
    "run_cost": ".cost",
    "cost_of_response": ".cost",
    "protect_trace_export": ".tracing",
    "disable_openai_trace_export": ".tracing",
    "use_openai_tracing": ".tracing",
    "infron_search_tool": ".tools",
    "infron_extract_tool": ".tools",
    "infron_deepsearch_tool": ".tools",
}

# a literal list, so type checkers see the names as exported (the imports below are lazy)
__all__ = [
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


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # pragma: no cover
    from ._options import infron_settings
    from .cost import RunCost, cost_of_response, run_cost
    from .model import InfronModel, replay_policy
    from .provider import (
        InfronModelIdError,
        InfronMultiProvider,
        InfronProvider,
        infron_model,
        infron_multi_provider,
    )
    from .responses import InfronResponsesModel
    from .tools import infron_deepsearch_tool, infron_extract_tool, infron_search_tool
    from .tracing import disable_openai_trace_export, protect_trace_export, use_openai_tracing
