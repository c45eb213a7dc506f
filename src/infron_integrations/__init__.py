"""Infron gateway integrations for LangChain, LiteLLM and the OpenAI Agents SDK.

The root package is cheap to import: every public name below is loaded on first use (PEP 562), and
each adapter imports its framework only then. A missing extra raises an ImportError naming the
``pip install "infron-integrations[extra]"`` that fixes it.
"""

from __future__ import annotations

import importlib

from ._version import __version__

# Not `from typing import ...`: importing typing alone costs ~10 ms, and this import must stay cheap.
TYPE_CHECKING = False

_LAZY: dict[str, str] = {
    # core
    "InfronSettings": "infron_integrations.core.settings",
    "InfronOptions": "infron_integrations.core.options",
    "ProviderPreferences": "infron_integrations.core.options",
    "Reasoning": "infron_integrations.core.options",
    "WebSearchOptions": "infron_integrations.core.options",
    "PromptCache": "infron_integrations.core.options",
    "UsageAccounting": "infron_integrations.core.options",
    "UsageRecord": "infron_integrations.core.usage",
    "UsageTracker": "infron_integrations.core.usage",
    "track_usage": "infron_integrations.core.usage",
    "InfronHTTP": "infron_integrations.core.http",
    "InfronBatches": "infron_integrations.core.batches",
    "InfronSearch": "infron_integrations.core.search",
    "InfronError": "infron_integrations.core.errors",
    "InfronAPIError": "infron_integrations.core.errors",
    "InfronConfigError": "infron_integrations.core.errors",
    # adapters
    "ChatInfron": "infron_integrations.langchain",
    "InfronEmbeddings": "infron_integrations.langchain",
    "InfronRerank": "infron_integrations.langchain",
    "InfronLLM": "infron_integrations.litellm",
    "InfronProvider": "infron_integrations.openai_agents",
    "InfronModel": "infron_integrations.openai_agents",
}

__all__ = ["__version__", *sorted(_LAZY)]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'infron_integrations' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from typing import Any

    from .core.batches import InfronBatches
    from .core.errors import InfronAPIError, InfronConfigError, InfronError
    from .core.http import InfronHTTP
    from .core.options import (
        InfronOptions,
        PromptCache,
        ProviderPreferences,
        Reasoning,
        UsageAccounting,
        WebSearchOptions,
    )
    from .core.search import InfronSearch
    from .core.settings import InfronSettings
    from .core.usage import UsageRecord, UsageTracker, track_usage
