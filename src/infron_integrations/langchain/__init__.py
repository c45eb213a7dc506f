"""LangChain integration: ``ChatInfron``, ``InfronEmbeddings``, ``InfronRerank``, and the search
tools and retriever (``InfronSearchTool``, ``InfronExtractTool``, ``InfronDeepSearchTool``,
``InfronSearchRetriever``).

Needs the ``langchain`` extra: ``pip install "infron-integrations[langchain]"``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .._compat import require

require("langchain_core", "langchain")
require("langchain_openai", "langchain")

_LAZY = {
    "ChatInfron": ".chat_models",
    "InfronCallbackHandler": ".callbacks",
    "get_infron_callback": ".callbacks",
    "InfronEmbeddings": ".embeddings",
    "InfronRerank": ".rerank",
    "InfronDeepSearchTool": ".tools",
    "InfronExtractTool": ".tools",
    "InfronSearchTool": ".tools",
    "InfronSearchRetriever": ".retrievers",
    "arefresh_model_profiles": "._profiles",
    "refresh_model_profiles": "._profiles",
}

# a literal list, so type checkers see these names as exported (they cannot read `sorted(_LAZY)`)
__all__ = [
    "ChatInfron",
    "InfronCallbackHandler",
    "InfronDeepSearchTool",
    "InfronEmbeddings",
    "InfronExtractTool",
    "InfronRerank",
    "InfronSearchRetriever",
    "InfronSearchTool",
    "arefresh_model_profiles",
    "get_infron_callback",
    "refresh_model_profiles",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:  # pragma: no cover
    from ._profiles import arefresh_model_profiles, refresh_model_profiles
    from .callbacks import InfronCallbackHandler, get_infron_callback
    from .chat_models import ChatInfron
    from .embeddings import InfronEmbeddings
    from .rerank import InfronRerank
    from .retrievers import InfronSearchRetriever
    from .tools import InfronDeepSearchTool, InfronExtractTool, InfronSearchTool
