"""Infron as LiteLLM's ``infron/<model>`` custom provider, in the SDK and in the proxy.

* :class:`InfronLLM`: the ``CustomLLM`` (completion, acompletion, streaming, astreaming,
  embedding, aembedding).
* :func:`register`: registers ``infron/`` with LiteLLM (idempotent).
* :data:`handler`: the module-level instance for the proxy's ``config.yaml``::

      litellm_settings:
        custom_provider_map:
          - {"provider": "infron", "custom_handler": infron_integrations.litellm.handler}

* :data:`hooks`: the LiteLLM callback that does in the proxy (list it in
  ``litellm_settings.callbacks``) what :func:`register` does in the SDK: the OpenAI parameters
  Infron takes (``reasoning_effort``, ``thinking``, ``verbosity``, the embeddings'
  ``dimensions``/``encoding_format``/``user``) pass LiteLLM's check on every path,
  ``litellm.completion_cost`` returns the gateway's cost, ``infron/`` rerank models work in
  ``litellm.rerank`` and the proxy's ``/rerank``.
* :func:`refresh_model_info`: Infron's model catalog for LiteLLM's ``get_model_info`` /
  ``supports_*`` (cached on disk, refreshed lazily by the handler; see :mod:`.model_info`).
* :func:`rerank` / :func:`arerank`: rerank with LiteLLM's ``RerankResponse`` and the gateway cost.
* ``litellm.search(query, search_provider="infron/<engine>")`` (after :func:`register`): Infron's
  Search APIs in LiteLLM's own search API, a Router's ``search_tools`` and the proxy's
  ``/v1/search`` (see :mod:`.search`).
* Exceptions: every error is both the LiteLLM type and the core Infron type (e.g.
  ``InfronLiteLLMRateLimitError`` is a ``litellm.RateLimitError`` and an ``InfronRateLimitError``).

Needs the ``litellm`` extra: ``pip install "infron-integrations[litellm]"``.
"""

from __future__ import annotations

from .._compat import require

require("litellm", "litellm")

from ._errors import (  # noqa: E402
    InfronLiteLLMAPIError,
    InfronLiteLLMAuthenticationError,
    InfronLiteLLMBadGatewayError,
    InfronLiteLLMBadRequestError,
    InfronLiteLLMBudgetExceededError,
    InfronLiteLLMConfigError,
    InfronLiteLLMConnectionError,
    InfronLiteLLMInsufficientCreditsError,
    InfronLiteLLMInternalServerError,
    InfronLiteLLMNotFoundError,
    InfronLiteLLMPermissionDeniedError,
    InfronLiteLLMRateLimitError,
    InfronLiteLLMRequestTimeoutError,
    InfronLiteLLMServiceUnavailableError,
    InfronLiteLLMStreamError,
    InfronLiteLLMTimeoutError,
    to_litellm_error,
)
from ._hooks import InfronHooks, hooks  # noqa: E402
from .model_info import arefresh_model_info, refresh_model_info  # noqa: E402
from .provider import PROVIDER_NAME, InfronLLM, handler, register  # noqa: E402
from .rerank import arerank, rerank  # noqa: E402

__all__ = [
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
