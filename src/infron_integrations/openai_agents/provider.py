"""``InfronProvider``: the Agents SDK ``ModelProvider`` for the Infron gateway.

Usage::

    from agents import Agent, RunConfig, Runner
    from infron_integrations.openai_agents import InfronProvider, infron_settings, run_cost

    provider = InfronProvider(provider={"sort": "price"})      # INFRON_API_KEY from the env
    agent = Agent(name="a", model="anthropic/claude-sonnet-4",
                  model_settings=infron_settings(reasoning={"effort": "low"}))
    result = await Runner.run(agent, "hi", run_config=RunConfig(model_provider=provider))
    print(run_cost(result).total_cost)

or, with no ``RunConfig`` at all, a ready model on the agent (:func:`infron_model`):
``Agent(model=infron_model("anthropic/claude-sonnet-4"))``; or, beside OpenAI models, through a
``MultiProvider`` under the ``infron/`` prefix (:func:`infron_multi_provider`):
``Agent(model="infron/anthropic/claude-sonnet-4")``.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, Literal

from agents import Model, ModelProvider, ModelSettings, MultiProvider, UserError
from agents.models.multi_provider import MultiProviderMap
from openai import AsyncOpenAI
from pydantic import SecretStr

from ..core.errors import InfronConfigError
from ..core.options import (
    InfronOptions,
    PromptCache,
    ProviderPreferences,
    Reasoning,
    UsageAccounting,
    WebSearchOptions,
    parse_options,
)
from ..core.settings import InfronSettings
from ._options import prepare_call
from .model import InfronModel, ReplayPolicy, replay_policy
from .tracing import protect_trace_export

__all__ = [
    "PREFIX",
    "InfronModelIdError",
    "InfronMultiProvider",
    "InfronProvider",
    "infron_model",
    "infron_multi_provider",
]

#: the MultiProvider prefix: ``"infron/anthropic/claude-sonnet-4"``
PREFIX = "infron"

#: where :class:`InfronMultiProvider` sends ``openai/...`` ids (see :func:`infron_multi_provider`)
OpenAIPrefixRule = Literal["error", "infron", "openai"]
_OPENAI_PREFIX_RULES = ("error", "infron", "openai")
#: prefixes the SDK's MultiProvider serves itself, besides ``openai``
_SDK_PREFIXES = ("litellm", "any-llm")


class InfronModelIdError(InfronConfigError, UserError):
    """A model id that would not reach the model it names; raised before anything is sent.

    Both an :class:`InfronConfigError` and the Agents SDK's ``UserError`` (what the SDK raises for
    an unknown prefix), so either ``except`` clause catches it.
    """

    def __init__(self, message: str) -> None:
        UserError.__init__(self, message)


class InfronProvider(ModelProvider):
    """Models served by Infron, for ``RunConfig(model_provider=...)`` or a ``MultiProvider``.

    Implements the "OpenAI Agents SDK" page of the Infron docs, without its caveats: model ids
    keep their slashes, streamed runs report usage and cost, reasoning is replayed by policy, and
    the Infron key never reaches OpenAI's trace exporter (see :mod:`.tracing`).

    Args:
        api_key: the Infron key (default ``INFRON_API_KEY``).
        base_url: the gateway URL (default ``INFRON_BASE_URL`` or ``https://llm.onerouter.pro/v1``).
        provider: default provider routing (docs: Inference Provider Routing).
        reasoning: default unified reasoning settings (docs: Reasoning & Thinking).
        web_search: default ``web_search_options`` (docs: Web Search).
        cache: default automatic prompt-cache breakpoints, ``True`` for the defaults (docs:
            Prompt Caching).
        usage: usage accounting, on by default so every request reports its cost (docs: Billing
            Tracking).
        options: all defaults as one :class:`InfronOptions` or dict (keyword fields win).
        default_model: the model used when an agent names none.
        api: ``"chat_completions"`` (default) or ``"responses"`` (Infron's ``/v1/responses``).
        replay_reasoning: the reasoning replay policy (see :func:`~.model.replay_policy`).
        timeout: request timeout in seconds.
        max_retries: retries of the OpenAI SDK for 408/429/5xx and connection errors.
        default_headers: extra headers on every request.
        openai_client: use this ``AsyncOpenAI`` instead of the pooled one (tests, custom transports).
        protect_tracing: withhold from OpenAI's trace export every trace that would
            authenticate with this provider's key (see :func:`.tracing.protect_trace_export`).

    Raises:
        InfronConfigError: no key, a malformed URL, or invalid options, before anything is sent.
    """

    def __init__(
        self,
        *,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        provider: ProviderPreferences | Mapping[str, Any] | None = None,
        reasoning: Reasoning | Mapping[str, Any] | None = None,
        web_search: WebSearchOptions | Mapping[str, Any] | None = None,
        cache: PromptCache | Mapping[str, Any] | bool | None = None,
        usage: UsageAccounting | Mapping[str, Any] | bool | None = None,
        options: InfronOptions | Mapping[str, Any] | None = None,
        default_model: str | None = None,
        api: Literal["chat_completions", "responses"] = "chat_completions",
        replay_reasoning: ReplayPolicy = "auto",
        timeout: float | None = None,
        max_retries: int | None = None,
        default_headers: Mapping[str, str] | None = None,
        openai_client: AsyncOpenAI | None = None,
        protect_tracing: bool = True,
    ) -> None:
        if api not in ("chat_completions", "responses"):
            raise InfronConfigError(f"api={api!r}: use 'chat_completions' or 'responses'.")
        if openai_client is not None and api_key is None and base_url is None:
            key = openai_client.api_key
            url = str(openai_client.base_url)
        else:
            key, url = api_key, base_url  # type: ignore[assignment]
        self.settings = InfronSettings.resolve(
            key,
            url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
        )
        self.options = parse_options(
            options,
            provider=provider,
            reasoning=reasoning,
            web_search=web_search,
            prompt_cache=cache,
            usage=usage,
        )
        self.default_model = default_model
        self.api = api
        self._replay = replay_policy(replay_reasoning)
        self._client = openai_client
        self._models: dict[str, Model] = {}
        self._lock = threading.Lock()
        if api == "responses":
            # fails now if the defaults use options this API does not take
            prepare_call(self.options, ModelSettings(), stream=False, api="responses")
        if protect_tracing:
            # decided when traces are exported, so it holds whatever is configured later
            protect_trace_export(self.settings.api_key)

    def __repr__(self) -> str:
        return f"InfronProvider(base_url={self.settings.base_url!r}, api={self.api!r})"

    def _openai_client(self) -> AsyncOpenAI:
        client = self._client
        if client is None:
            from ..core.http import async_openai_client

            # the pooled client routes each request through the running loop's connection pool
            client = async_openai_client(self.settings)
            self._client = client
        return client

    @property
    def openai_client(self) -> AsyncOpenAI:
        """The ``AsyncOpenAI`` this provider's models use."""
        return self._openai_client()

    def get_model(self, model_name: str | None) -> Model:
        """The model for an Infron model id; ``infron/`` in front of it is accepted and dropped.

        Models are cached per name: the runner asks for the model on every turn.
        """
        name = model_name or self.default_model
        if not name:
            raise InfronConfigError(
                "No model named: give the agent a model id such as Agent(model='openai/gpt-4o'), "
                "or pass InfronProvider(default_model=...)."
            )
        if name.startswith(PREFIX + "/"):
            name = name[len(PREFIX) + 1 :]
        model = self._models.get(name)
        if model is None:
            with self._lock:
                model = self._models.get(name)
                if model is None:
                    model = self._build(name)
                    self._models[name] = model
        return model

    def _build(self, name: str) -> Model:
        if self.api == "responses":
            from .responses import InfronResponsesModel

            return InfronResponsesModel(name, self._openai_client(), options=self.options)
        return InfronModel(
            name,
            self._openai_client(),
            options=self.options,
            replay_reasoning=self._replay,
        )

    def register(self, provider_map: MultiProviderMap, prefix: str = PREFIX) -> MultiProviderMap:
        """Add this provider to a ``MultiProviderMap`` under ``prefix`` (``infron/...``)."""
        provider_map.add_provider(prefix, self)
        return provider_map

    async def aclose(self) -> None:
        """Nothing to close: the connection pool is shared by the process."""
        self._models.clear()


_default_providers: dict[tuple[Any, ...], InfronProvider] = {}
_default_lock = threading.Lock()


def infron_model(
    model: str, *, model_provider: InfronProvider | None = None, **options: Any
) -> Model:
    """A ready ``Model`` for an Infron model id, to put on an agent: no ``RunConfig`` needed.

    ``Agent(model=infron_model("anthropic/claude-sonnet-4.5"))`` runs on Infron with
    ``Runner.run(agent, ...)`` / ``Runner.run_sync(agent, ...)`` and no other setup: the SDK uses a
    ``Model`` object on the agent as it is. A string id on the agent, by contrast, goes to the
    run's model provider, which is OpenAI's unless a ``RunConfig`` names another.

    Args:
        model: the Infron model id, slashes included (``"openai/gpt-4o-mini"`` is Infron's id
            here; an ``infron/`` in front is dropped).
        model_provider: the :class:`InfronProvider` to take the model from.
        **options: :class:`InfronProvider` arguments (``api_key``, ``base_url``, ``provider``,
            ``reasoning``, ...) for a provider of its own. With neither, one provider per
            ``INFRON_API_KEY`` / ``INFRON_BASE_URL`` is shared by every call.

    Raises:
        InfronConfigError: no key, a bad option, or both ``model_provider`` and options given.
    """
    if model_provider is not None and options:
        raise InfronConfigError(
            f"infron_model() got model_provider= and provider options ({', '.join(options)}): "
            "give the options to the InfronProvider, or drop model_provider."
        )
    if model_provider is None:
        model_provider = InfronProvider(**options) if options else _default_provider()
    return model_provider.get_model(model)


def _default_provider() -> InfronProvider:
    # keyed by the settings the environment gives now, so a changed INFRON_BASE_URL is honoured
    key = InfronSettings.resolve().cache_key()
    provider = _default_providers.get(key)
    if provider is None:
        with _default_lock:
            provider = _default_providers.get(key)
            if provider is None:
                provider = _default_providers[key] = InfronProvider()
    return provider


class InfronMultiProvider(MultiProvider):
    """A ``MultiProvider`` with Infron under a prefix and one stated rule for ``openai/...`` ids.

    Build it with :func:`infron_multi_provider`. ``"openai/gpt-4o-mini"`` is both an Infron model
    id and, to the SDK's ``MultiProvider``, OpenAI's ``gpt-4o-mini``; ``openai_prefix`` says which
    is meant (``"error"``: neither, the id must be written without the ambiguity).
    """

    def __init__(
        self,
        infron: InfronProvider,
        *,
        prefix: str = PREFIX,
        openai_prefix: OpenAIPrefixRule = "error",
        provider_map: MultiProviderMap | None = None,
        **multi_provider_kwargs: Any,
    ) -> None:
        if openai_prefix not in _OPENAI_PREFIX_RULES:
            raise InfronConfigError(
                f"openai_prefix={openai_prefix!r}: use 'error', 'infron' or 'openai'."
            )
        if not prefix or "/" in prefix:
            raise InfronConfigError(f"prefix={prefix!r}: use one path segment, such as 'infron'.")
        provider_map = provider_map if provider_map is not None else MultiProviderMap()  # type: ignore[no-untyped-call]
        infron.register(provider_map, prefix)
        super().__init__(provider_map=provider_map, **multi_provider_kwargs)
        self.infron = infron
        self.prefix = prefix
        self.openai_prefix = openai_prefix
        # with "model_id" the SDK sends unknown prefixes to OpenAI as they are: the user's choice
        self._unknown_prefix_errors = multi_provider_kwargs.get("unknown_prefix_mode") != "model_id"

    def get_model(self, model_name: str | None) -> Model:
        """The model for ``model_name``; ids the SDK would misroute raise :class:`InfronModelIdError`."""
        head, _, rest = (model_name or "").partition("/")
        if rest and not (self.provider_map and self.provider_map.has_prefix(head)):
            if head == "openai":
                if self.openai_prefix == "infron":
                    return self.infron.get_model(model_name)
                if self.openai_prefix == "error":
                    raise InfronModelIdError(self._ambiguous(model_name or "", rest))
            elif head not in _SDK_PREFIXES and self._unknown_prefix_errors:
                raise InfronModelIdError(
                    f"Model {model_name!r}: unknown prefix {head!r}. Infron models take the "
                    f"{self.prefix!r} prefix here: {self.prefix + '/' + (model_name or '')!r}."
                )
        return super().get_model(model_name)

    def _ambiguous(self, model_name: str, rest: str) -> str:
        return (
            f"Model {model_name!r} is ambiguous here: to the Agents SDK's MultiProvider, 'openai/' "
            f"means OpenAI's own API (model {rest!r}), while {model_name!r} is also an Infron "
            f"model id. Write {self.prefix + '/' + model_name!r} for Infron or {rest!r} for "
            "OpenAI, or set the rule for every such id: "
            "infron_multi_provider(openai_prefix='infron') sends them to Infron, "
            "openai_prefix='openai' to OpenAI."
        )


def infron_multi_provider(
    provider: InfronProvider | None = None,
    *,
    prefix: str = PREFIX,
    openai_prefix: OpenAIPrefixRule = "error",
    **multi_provider_kwargs: Any,
) -> InfronMultiProvider:
    """A ``MultiProvider`` that sends ``infron/<vendor>/<model>`` to Infron, the rest to OpenAI.

    ``MultiProvider`` splits a model name at its first slash and strips the prefix, so
    ``"infron/anthropic/claude-sonnet-4"`` reaches Infron as ``"anthropic/claude-sonnet-4"``, and
    a name without a slash (``"gpt-4o"``) goes to OpenAI.

    Ids that the SDK would otherwise misroute raise :class:`InfronModelIdError` when the model is
    looked up, before anything is sent: an unknown prefix (``"anthropic/claude-sonnet-4"``, the
    error names the ``infron/`` spelling) and, unless ``openai_prefix`` says otherwise,
    ``"openai/..."``, which is both an Infron id and the SDK's alias for OpenAI.

    Args:
        provider: the Infron provider (default: ``InfronProvider()`` from the environment).
        prefix: the model-name prefix.
        openai_prefix: where ``"openai/<model>"`` goes: ``"error"`` (default) raises,
            ``"infron"`` sends the whole id to Infron, ``"openai"`` keeps the SDK's rule (OpenAI's
            API, model ``<model>``).
        **multi_provider_kwargs: passed to ``MultiProvider`` (e.g. ``openai_api_key``).
    """
    provider = provider if provider is not None else InfronProvider()
    return InfronMultiProvider(
        provider, prefix=prefix, openai_prefix=openai_prefix, **multi_provider_kwargs
    )
