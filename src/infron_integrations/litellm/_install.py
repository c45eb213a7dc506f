"""What :func:`~infron_integrations.litellm.register` (and, in the proxy, the ``hooks`` callback)
turns on in LiteLLM for our providers, all of it through the seams of ``_compat``:

* the OpenAI parameters Infron takes pass LiteLLM's parameter check, sync and async alike;
* ``litellm.completion_cost`` returns the gateway's cost of our responses;
* ``litellm.rerank``/``arerank`` route our models to :mod:`.rerank`;
* ``litellm.search``/``asearch`` route ``search_provider="infron/<engine>"`` to :mod:`.search`.

Idempotent, and nothing here changes a call, a response or a model of another provider.
"""

from __future__ import annotations

from . import _compat, search
from .rerank import afrom_litellm, from_litellm

__all__ = ["install"]


def install(provider: str) -> None:
    """Turn the seams on for ``provider`` (a ``custom_provider_map`` name handled by us)."""
    _compat.claim_provider(provider)
    _compat.accept_openai_params()
    _compat.price_from_gateway()
    _compat.route_rerank(from_litellm, afrom_litellm)
    _compat.route_search(search.from_litellm, search.afrom_litellm)
