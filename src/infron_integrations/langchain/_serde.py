"""Serialization of ChatInfron, InfronEmbeddings and InfronRerank with LangChain's loader.

``dumpd``/``dumps`` write each class as a constructor record under the ``infron_integrations``
namespace, with Infron's option models as the plain dicts the docs show and the API key as a
secret reference (``INFRON_API_KEY``), never its value. LangChain's loader only builds classes it
is told to trust, and it has no registry a package could add itself to, so loading takes:

    load(data, valid_namespaces=["infron_integrations"],
         allowed_objects=[ChatInfron, InfronEmbeddings, InfronRerank],
         secrets_from_env=True)   # or secrets_map={"INFRON_API_KEY": "..."}

Without a secret, a loaded object reads ``INFRON_API_KEY`` like any new one.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ..core.options import PromptCache

__all__ = ["NAMESPACE", "SECRET_ENV", "plain_options"]

#: the first part of every class id; pass it as ``valid_namespaces`` when loading
NAMESPACE = "infron_integrations"
#: where a loaded object's API key comes from (``secrets_from_env`` or ``secrets_map``)
SECRET_ENV = "INFRON_API_KEY"


def plain_options(data: Any) -> Any:
    """``to_json()`` output with the option models as plain dicts, so ``load()`` rebuilds them."""
    kwargs = data.get("kwargs") if isinstance(data, dict) else None
    if isinstance(kwargs, dict):
        for key, value in list(kwargs.items()):
            if isinstance(value, PromptCache):
                kwargs[key] = value.model_dump(mode="json", exclude_none=True)
            elif isinstance(value, BaseModel) and hasattr(value, "to_wire"):
                kwargs[key] = value.to_wire()
    return data
