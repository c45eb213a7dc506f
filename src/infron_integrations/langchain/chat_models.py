"""``ChatInfron``: the Infron gateway as a LangChain chat model that loses nothing Infron returns.

Docs: Inference Provider Routing, Reasoning & Thinking, Prompt Caching, Web Search, Billing
Tracking, Streaming and Errors code sections of the Infron docs.

Built on langchain-openai's ``BaseChatOpenAI`` (message conversion, tool binding, structured
output), with Infron's request options, response extras, cost tracking and errors on top. Two
names of the base class are redefined on purpose:

* ``reasoning`` is Infron's unified ``reasoning`` object on chat completions. On ``ChatOpenAI``
  setting it silently switches to the Responses API; here the Responses API is used only when
  ``use_responses_api=True`` is passed.
* prompt caching is ``prompt_cache``, because ``cache`` is LangChain's response cache.

Also: ``profile`` from Infron's model catalog (``._profiles``), token counts that never reach the
network (``._tokens``), and one validation story for options wherever they are put
(``._validation``).
"""

from __future__ import annotations

# Imports that only some calls need (the SSE and Responses paths, usage records, the pooled-client
# registry and its wire models) are made where they are used: importing ChatInfron should cost
# little more than importing ChatOpenAI.
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import LangSmithParams, LanguageModelInput
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from pydantic import (
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from typing_extensions import Self

from ..core.cache import apply_prompt_cache
from ..core.errors import InfronConfigError
from ..core.openai_compat import RawResponse, sdk_http
from ..core.options import (
    InfronOptions,
    PromptCache,
    ProviderPreferences,
    Reasoning,
    WebSearchOptions,
    check_option_spelling,
    coerce_prompt_cache,
    config_error,
    merge_options,
    parse_options,
    request_fragment,
)
from ..core.settings import InfronSettings
from ._batch import BatchAPIMixin
from ._chat_invoke import agenerate, generate
from ._chat_payload import (
    ReasoningReplay,
    message_dicts,
    pop_call_options,
    request_options,
    structured_schema,
)
from ._chat_transport import LoopClient
from ._compat import ChatOpenAIHooks, convert_input, default_params
from ._serde import NAMESPACE, SECRET_ENV, plain_options
from ._validation import NO_PREVIOUS_RESPONSE, check_body_extras, check_init_kwargs

if TYPE_CHECKING:
    from langchain_core.language_models import ModelProfile
    from langchain_core.tools import BaseTool

    from ..core.usage import UsageRecord

__all__ = ["ChatInfron"]

FRAMEWORK = "langchain"


_OPTION_FIELDS = frozenset(
    {"provider", "reasoning", "web_search", "prompt_cache", "usage_accounting"}
)
_ALIASES = {
    "model": "model_name",
    "api_key": "openai_api_key",
    "base_url": "openai_api_base",
    "timeout": "request_timeout",
}
_CONNECTION_FIELDS = frozenset(
    {
        "openai_api_key",
        "openai_api_base",
        "request_timeout",
        "max_retries",
        "default_headers",
        "http_client",
        "http_async_client",
        "openai_proxy",
    }
)


def _timeout_option(timeout: Any) -> Any:
    """A per-request timeout for values the shared clients' float timeout cannot express."""
    if timeout is None or isinstance(timeout, (int, float)):
        return None  # plain seconds are part of the pooled client's settings
    if isinstance(timeout, tuple) and len(timeout) == 2:
        connect, read = timeout
        return sdk_http().Timeout(read, connect=connect)
    return timeout  # an httpx / httpx2 Timeout


def _effort_into_reasoning(payload: dict[str, Any]) -> None:
    """ChatOpenAI's ``reasoning_effort`` becomes Infron's unified ``reasoning.effort``.

    An explicit ``reasoning`` object wins field by field; the effort is validated like the
    ``reasoning`` option (docs: Reasoning & Thinking), and ``reasoning_effort`` is not sent.
    """
    effort = payload.pop("reasoning_effort")
    explicit = payload.get("reasoning") or {}
    options = parse_options({"reasoning": {"effort": effort, **explicit}})
    payload["reasoning"] = request_fragment(options)["reasoning"]


class ChatInfron(BatchAPIMixin, ChatOpenAIHooks):  # type: ignore[override]
    """The Infron gateway (OpenAI-compatible) as a LangChain chat model.

    Everything ``ChatOpenAI`` takes works here too (``temperature``, ``max_tokens``, ``stop``,
    ``model_kwargs``, ``extra_body``, ``bind_tools``, ``with_structured_output`` ...). On top:

    Example:
        ```python
        from infron_integrations.langchain import ChatInfron

        llm = ChatInfron(
            model="deepseek/deepseek-r1",
            provider={"sort": "price", "allow_fallbacks": True},
            reasoning={"effort": "high"},
            prompt_cache=True,
        )
        msg = llm.invoke("Why is the sky blue?")
        msg.response_metadata["cost"]          # exact USD cost from the gateway
        msg.additional_kwargs["reasoning_content"]
        llm.invoke("...", provider={"order": ["anthropic"]})  # per-call override, merged
        ```

    Every completed call (invoke, stream, batch; sync or async) records one usage record with
    the gateway's cost into the active ``track_usage()`` trackers and ``get_infron_callback()``.
    Errors are raised as classes that are at once the core Infron errors, LangChain's
    ``Model*Error`` types and the OpenAI SDK's error types. A bad setting or option, wherever it
    is given (fields, call keywords, ``bind``, ``extra_body``, ``model_kwargs``), raises
    ``InfronConfigError`` before anything is sent.

    ``profile`` (LangChain's model profile: context window, output limit, modalities, tools,
    structured output, reasoning) comes from Infron's model catalog: a snapshot shipped with the
    package, or the gateway's own after ``refresh_model_profiles()``. ``get_num_tokens`` and
    ``get_num_tokens_from_messages`` estimate offline (docs: docs/langchain.md, token counting).

    ``batch_api`` / ``submit_batch_api`` send inputs through Infron's Batch API at half price
    (``._batch``; docs: docs/batch.md).
    """

    model_name: str = Field(alias="model")
    """Infron model id, e.g. ``"openai/gpt-4o-mini"`` or ``"deepseek/deepseek-r1"``."""

    openai_api_key: SecretStr | None = Field(alias="api_key", default=None)  # type: ignore[assignment]
    """Infron API key; read from ``INFRON_API_KEY`` when not given."""

    openai_api_base: str | None = Field(alias="base_url", default=None)
    """Base URL; read from ``INFRON_BASE_URL``, else ``https://llm.onerouter.pro/v1``."""

    provider: ProviderPreferences | None = None
    """Provider routing preferences, sent as ``provider`` (docs: Inference Provider Routing)."""

    reasoning: Reasoning | None = None  # type: ignore[assignment]
    """Infron's unified ``reasoning`` object: ``effort`` and/or ``max_tokens`` (docs: Reasoning
    & Thinking). Stays on chat completions (unlike ``ChatOpenAI.reasoning``)."""

    web_search: WebSearchOptions | None = None
    """Web search, sent as ``web_search_options`` (docs: Web Search)."""

    prompt_cache: PromptCache | bool | None = None
    """Automatic ``cache_control`` breakpoints after the tools, the system prompt and the last user
    turn; ``True`` for the defaults (docs: Prompt Caching). Explicit markers in messages are kept
    and validated either way. (``cache`` is LangChain's response cache.)"""

    usage_accounting: bool = True
    """Ask for ``cost`` and ``cost_details`` in every response (``usage: {include: true}``)."""

    cost_in_usage_metadata: bool = False
    """Also put the gateway's cost in ``usage_metadata`` under the keys LangSmith reads
    (``total_cost``, ``input_cost``, ``output_cost``, ``input_cost_details``,
    ``output_cost_details``), so LangSmith shows Infron's own cost instead of its estimate. Off by
    default: langchain-core's ``add_usage`` cannot add floats, so the first such message lets it
    (only the sum of float values changes; see docs/observability.md)."""

    reasoning_replay: ReasoningReplay = "current_turn"
    """Which past assistant reasoning is sent back: ``"none"``, ``"current_turn"`` (the assistant
    turns after the last user message, i.e. an ongoing tool loop) or ``"all"``. Some providers
    reject replayed reasoning; thinking models with tools need it. Thought signatures are always
    sent back."""

    _settings: InfronSettings = PrivateAttr()
    _options: InfronOptions = PrivateAttr()
    _fragment: dict[str, Any] | None = PrivateAttr(default=None)
    _timeout_option: Any = PrivateAttr(default=None)

    # --- construction ------------------------------------------------------------------------

    def __init__(self, **kwargs: Any) -> None:
        """Build the model; any bad setting raises ``InfronConfigError`` naming it."""
        check_init_kwargs(type(self), kwargs)
        try:
            super().__init__(**kwargs)
        except ValidationError as exc:
            raise config_error(exc, type(self).__name__) from None

    @field_validator("prompt_cache", mode="before")
    @classmethod
    def _prompt_cache_flag(cls, value: Any) -> Any:
        # normalized here, so the attribute is always a PromptCache or None
        return coerce_prompt_cache(value)

    @model_validator(mode="before")
    @classmethod
    def validate_temperature(cls, values: Any) -> Any:
        """Keep every sampling parameter as given.

        ``BaseChatOpenAI`` drops ``temperature`` for OpenAI ``gpt-5`` ids; Infron ids carry a
        vendor prefix and the gateway adapts parameters per provider, so nothing is dropped here.
        """
        return values

    @model_validator(mode="after")
    def validate_environment(self) -> Self:
        """Resolve key and URL (``INFRON_*``) and attach the pooled clients (never built here)."""
        self._resolve_environment()
        return self

    def _resolve_environment(self) -> None:
        if self.use_previous_response_id:
            raise InfronConfigError(NO_PREVIOUS_RESPONSE)
        # also reached without __init__ (model_validate): body extras are checked here too
        if self.extra_body:
            check_body_extras(self.extra_body, "extra_body")
        if self.model_kwargs:
            check_body_extras(self.model_kwargs, "model_kwargs")
        if self.n is not None and self.n < 1:
            raise ValueError("n must be at least 1.")
        if self.n is not None and self.n > 1 and self.streaming:
            raise ValueError("n must be 1 when streaming.")
        timeout = self.request_timeout
        settings = InfronSettings.resolve(
            api_key=self.openai_api_key,
            base_url=self.openai_api_base,
            timeout=float(timeout) if isinstance(timeout, (int, float)) and timeout else None,
            max_retries=self.max_retries,
            default_headers=self.default_headers,
        )
        self._settings = settings
        self.openai_api_key = settings.api_key
        self.openai_api_base = settings.base_url
        if self.stream_usage is None:
            self.stream_usage = True  # Infron reports usage (and cost) at the end of streams
        self._options = parse_options(
            provider=self.provider,
            reasoning=self.reasoning,
            web_search=self.web_search,
            prompt_cache=coerce_prompt_cache(self.prompt_cache),
            usage=self.usage_accounting,
        )
        self._fragment = None
        self._timeout_option = _timeout_option(timeout)
        if self.http_client is not None or self.openai_proxy:
            # the user brought an httpx/httpx2 client or a proxy: a dedicated client honours it
            import openai

            http_client = self.http_client or sdk_http().Client(proxy=self.openai_proxy)
            self.root_client = openai.OpenAI(**self._client_kwargs(), http_client=http_client)
        elif self.root_client is None:
            from ..core.http import openai_client

            self.root_client = openai_client(settings)
        self.client = self.root_client.chat.completions
        if self.http_async_client is not None or self.openai_proxy:
            import openai

            http_async_client = self.http_async_client or sdk_http().AsyncClient(
                proxy=self.openai_proxy
            )
            self.root_async_client = openai.AsyncOpenAI(
                **self._client_kwargs(), http_client=http_async_client
            )
            self.async_client = self.root_async_client.chat.completions
        elif self.root_async_client is None:
            self.root_async_client = LoopClient(settings)
            self.async_client = LoopClient(settings, path=("chat", "completions"))

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """Copy; options and connection settings in ``update`` are validated and applied.

        (pydantic's ``model_copy`` skips validators, which is where both are resolved.)
        """
        if update:
            update = {_ALIASES.get(key, key): value for key, value in update.items()}
            if update.get("use_previous_response_id"):
                raise InfronConfigError(NO_PREVIOUS_RESPONSE)
            for name in ("extra_body", "model_kwargs"):
                check_body_extras(update.get(name), name)
        copy = super().model_copy(update=update, deep=deep)
        if update and "model_name" in update and "profile" not in update:
            copy.profile = self._infron_model_profile_for(copy)
        if update:
            if _CONNECTION_FIELDS.intersection(update):
                # re-resolve key/URL/retries and pick the pooled clients for the new settings
                for name in ("client", "async_client", "root_client", "root_async_client"):
                    if name not in update:
                        setattr(copy, name, None)
                copy._resolve_environment()
            elif _OPTION_FIELDS.intersection(update):
                copy._options = parse_options(
                    provider=copy.provider,
                    reasoning=copy.reasoning,
                    web_search=copy.web_search,
                    prompt_cache=coerce_prompt_cache(copy.prompt_cache),
                    usage=copy.usage_accounting,
                )
                copy._fragment = None
        return copy

    def _client_kwargs(self) -> dict[str, Any]:
        settings = self._settings
        return {
            "api_key": settings.api_key.get_secret_value(),
            "base_url": settings.base_url,
            "timeout": settings.timeout,
            "max_retries": settings.max_retries,
            "default_headers": settings.public_headers(),
        }

    # --- LangChain plumbing ------------------------------------------------------------------

    @property
    def lc_secrets(self) -> dict[str, str]:
        return {"openai_api_key": SECRET_ENV}

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        return [NAMESPACE, "langchain", "chat_models"]

    @classmethod
    def is_lc_serializable(cls) -> bool:
        return True

    @property
    def lc_attributes(self) -> dict[str, Any]:
        return {"openai_api_base": self.openai_api_base} if self.openai_api_base else {}

    def to_json(self) -> Any:
        """Serialize with the option models as plain dicts, so ``load()`` rebuilds them.

        Load with ``load(data, valid_namespaces=["infron_integrations"],
        allowed_objects=[ChatInfron], secrets_from_env=True)``; the key is never written.
        """
        return plain_options(super().to_json())

    @property
    def _llm_type(self) -> str:
        return "infron-chat"

    # hooks of the private seams of langchain-openai (see ._compat.ChatOpenAIHooks)

    def _infron_ls_params(self, params: LangSmithParams) -> LangSmithParams:
        params["ls_provider"] = "infron"
        return params

    def _infron_default_params(self, params: dict[str, Any]) -> dict[str, Any]:
        # the base class would send its own `reasoning` field; Infron's goes in via the options
        params.pop("reasoning", None)
        return params

    def _infron_invocation_params(self, params: dict[str, Any]) -> dict[str, Any]:
        # Infron options are part of the identity of a call (LangChain's cache key, traces).
        for key, value in self._base_fragment().items():
            params.setdefault(key, value)
        if self._options.prompt_cache is not None:
            params.setdefault("prompt_cache", self._options.prompt_cache.to_wire())
        return params

    def _infron_use_responses_api(self, payload: dict[str, Any]) -> bool:
        # Only the explicit opt-in: Infron's `reasoning` and tools stay on chat completions.
        return self.use_responses_api is True

    def _infron_model_profile(self) -> ModelProfile | None:
        return self._infron_model_profile_for(self)

    @staticmethod
    def _infron_model_profile_for(model: ChatInfron) -> ModelProfile | None:
        # runs while the model is validated, before the key and URL are resolved: read the URL
        # the way the settings will; no network (see ._profiles)
        from ._profiles import base_url_of, profile_for

        return profile_for(model.model_name, base_url_of(model.openai_api_base))

    # --- token counting (offline; see ._tokens) ---------------------------------------------

    def get_token_ids(self, text: str) -> list[int]:
        """Token ids from ``custom_get_token_ids``; ChatInfron itself has none (see ``_tokens``).

        Raises:
            NotImplementedError: no ``custom_get_token_ids`` was given.
        """
        if self.custom_get_token_ids is not None:
            return self.custom_get_token_ids(text)
        from ._tokens import NO_TOKEN_IDS

        raise NotImplementedError(NO_TOKEN_IDS)

    def get_num_tokens(self, text: str) -> int:
        """Estimated tokens of ``text``, offline (``custom_get_token_ids`` when given)."""
        if self.custom_get_token_ids is not None:
            return len(self.custom_get_token_ids(text))
        from ._tokens import count_text

        return count_text(text, self.model_name)

    def get_num_tokens_from_messages(
        self,
        messages: Sequence[BaseMessage],
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool] | None = None,
        **_: Any,
    ) -> int:
        """Estimated prompt tokens of ``messages`` (and ``tools``), offline, never downloading.

        See docs/langchain.md (token counting) for the method and its measured accuracy; an
        answer from the gateway in ``messages`` calibrates the estimate to its real count.
        """
        from ._tokens import count_messages

        return count_messages(messages, self.model_name, tools)

    # --- request building --------------------------------------------------------------------

    def _base_fragment(self) -> dict[str, Any]:
        fragment = self._fragment
        if fragment is None:
            fragment = self._fragment = request_fragment(self._options)
        return fragment

    def _call_options(self, layer: dict[str, Any] | None) -> InfronOptions:
        if not layer:
            return self._options
        return merge_options(self._options, layer)

    def _prepare(
        self,
        input_: LanguageModelInput,
        stop: list[str] | None,
        kwargs: dict[str, Any],
    ) -> tuple[dict[str, Any], type | None, dict[str, Any]]:
        """The body, the pydantic schema of a structured answer (if any), the request options."""
        layer = pop_call_options(kwargs)
        check_option_spelling(kwargs)
        if "extra_body" in kwargs:  # the instance's was checked when it was built
            check_body_extras(kwargs["extra_body"])
        options = self._call_options(layer)
        fragment = request_fragment(options) if layer else self._base_fragment()
        messages = convert_input(self, input_).to_messages()
        if stop is not None:
            kwargs["stop"] = stop
        payload = {**default_params(self), **fragment, **kwargs}
        if payload.get("reasoning_effort") is not None:
            _effort_into_reasoning(payload)
        wire_messages = message_dicts(messages, self.reasoning_replay)
        tools = payload.get("tools")
        wire_messages, new_tools = apply_prompt_cache(wire_messages, tools, options.prompt_cache)
        payload["messages"] = wire_messages
        if tools is not None:
            payload["tools"] = new_tools
        schema = structured_schema(payload)
        request = request_options(payload)
        if "timeout" not in request and self._timeout_option is not None:
            request["timeout"] = self._timeout_option
        if self.default_query:
            request["params"] = {**self.default_query, **request.get("params", {})}
        return payload, schema, request

    def _infron_request_payload(
        self, input_: LanguageModelInput, stop: list[str] | None, kwargs: dict[str, Any]
    ) -> dict[str, Any]:
        """The request body exactly as it will be sent (``extra_body`` merged over it)."""
        if self._infron_use_responses_api(kwargs):
            from ._chat_responses import payload as responses_payload

            return responses_payload(self, input_, stop, kwargs)
        payload, _, options = self._prepare(input_, stop, kwargs)
        extra = options.get("extra_json")
        return {**payload, **extra} if extra else payload

    # --- calls -------------------------------------------------------------------------------

    def _record(self, record: UsageRecord | None, model: str) -> None:
        """Record one completed call into the active usage trackers (may raise over budget)."""
        from ..core.usage import UsageRecord, record_usage

        if record is None:  # a stream that carried no usage
            record = UsageRecord(model=model, framework=FRAMEWORK, unknown_cost_requests=1)
        record_usage(record)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self._infron_use_responses_api(kwargs):
            from ._chat_responses import generate as responses_generate

            return responses_generate(self, messages, stop, run_manager, kwargs)
        return generate(self, messages, stop, kwargs)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self._infron_use_responses_api(kwargs):
            from ._chat_responses import agenerate as responses_agenerate

            return await responses_agenerate(self, messages, stop, run_manager, kwargs)
        return await agenerate(self, messages, stop, kwargs)

    def _async_root(self) -> Any:
        root = self.root_async_client
        return root.resolve() if isinstance(root, LoopClient) else root

    def _headers_info(self, response: RawResponse) -> dict[str, Any] | None:
        if self.include_response_headers:
            return {"headers": dict(response.headers)}
        return None

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        *,
        stream_usage: bool | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        if self._infron_use_responses_api(kwargs):
            from ._chat_responses import stream as responses_stream

            yield from responses_stream(self, messages, stop, run_manager, kwargs, stream_usage)
            return
        from ._chat_stream import stream as sse_stream

        yield from sse_stream(self, messages, stop, run_manager, stream_usage, kwargs)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        *,
        stream_usage: bool | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        if self._infron_use_responses_api(kwargs):
            from ._chat_responses import astream as responses_astream

            chunks = responses_astream(self, messages, stop, run_manager, kwargs, stream_usage)
            async for chunk in chunks:
                yield chunk
            return
        from ._chat_stream import astream as sse_astream

        async for chunk in sse_astream(self, messages, stop, run_manager, stream_usage, kwargs):
            yield chunk
