"""The LiteLLM callback that turns Infron's LiteLLM integration on inside the proxy.

The proxy never calls :func:`~infron_integrations.litellm.register`: it loads the handler from
``litellm_settings.custom_provider_map`` and the callbacks from ``litellm_settings.callbacks``.
Listing :data:`hooks` there gives every worker process what ``register()`` gives the SDK
(``_install``): the OpenAI parameters Infron takes (``reasoning_effort``, ``thinking``,
``verbosity``; the embeddings' ``dimensions``, ``encoding_format`` and ``user``) pass LiteLLM's
parameter check, ``litellm.completion_cost`` answers with the gateway's cost, and ``infron/``
rerank deployments are served by this package, so the ``/rerank`` route's
``x-litellm-response-cost`` is Infron's cost.

LiteLLM runs ``async_pre_call_deployment_hook`` of every callback after a deployment is chosen and
before the call is checked and sent, on every async call (every proxy request). The hook installs
the seams on its first call in a process and changes no request: the seams act on calls to our
providers only. The two ``async_post_call_*`` hooks make an answer of the proxy's response cache
(streamed or not) say it cost nothing.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from litellm.integrations.custom_logger import CustomLogger

from ._compat import is_our_cache_hit, router_deployment
from ._install import install
from ._response import unbill_cache_hit, unbill_cached_chunk

__all__ = ["InfronHooks", "hooks"]


class InfronHooks(CustomLogger):  # type: ignore[misc]
    """LiteLLM callback for ``infron/`` deployments (see the module docstring).

    Args:
        providers: the model prefixes handled by :class:`~infron_integrations.litellm.InfronLLM`.
    """

    def __init__(self, providers: tuple[str, ...] = ("infron",)) -> None:
        super().__init__()
        self.providers = providers
        self._installed: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"InfronHooks(providers={self.providers!r})"

    def install(self) -> None:
        """Install the seams for :attr:`providers` (idempotent; cheap once done)."""
        if self._installed != self.providers:
            for provider in self.providers:
                install(provider)
            self._installed = self.providers

    async def async_pre_call_deployment_hook(
        self, kwargs: dict[str, Any], call_type: Any
    ) -> dict[str, Any] | None:
        """Install the seams before LiteLLM checks the first call; the request is not changed."""
        self.install()
        return None

    async def async_post_call_streaming_iterator_hook(
        self, user_api_key_dict: Any, response: Any, request_data: dict[str, Any]
    ) -> AsyncGenerator[Any, None]:
        """The proxy's look at a stream: one its cache replays (for an ``infron/`` model) says it
        cost nothing; LiteLLM would price the replay's usage chunk from the catalog."""
        if not is_our_cache_hit(response, router_deployment(request_data)):
            async for item in response:
                yield item
            return
        async for item in response:
            unbill_cached_chunk(item)
            yield item

    async def async_post_call_success_hook(
        self, data: dict[str, Any], user_api_key_dict: Any, response: Any
    ) -> Any:
        """The proxy's last look at a non-streamed answer: one its cache gave (for an ``infron/``
        model) reports the cost it had, 0.0, instead of the cached call's (see
        ``_response.unbill_cache_hit``)."""
        unbill_cache_hit(response, router_deployment(data))
        return None


#: The instance for the proxy's ``litellm_settings.callbacks``
#: (``["infron_integrations.litellm.hooks"]``); :func:`~infron_integrations.litellm.register` adds
#: it to ``litellm.callbacks`` too.
hooks = InfronHooks()
