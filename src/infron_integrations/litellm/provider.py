"""``InfronLLM``: Infron as LiteLLM custom provider ``infron/<model>``, in the SDK and the proxy.

Docs: the LiteLLM page of the Infron docs (which shows the plain ``openai/`` route), plus Inference
Provider Routing, Reasoning & Thinking, Prompt Caching, Web Search, Billing Tracking, Streaming and
Errors code, all of which this provider carries through LiteLLM's usual keyword arguments.

SDK::

    import litellm
    from infron_integrations.litellm import register

    register()  # idempotent
    response = litellm.completion(
        model="infron/anthropic/claude-sonnet-4.5",
        messages=[{"role": "user", "content": "Hello"}],
        provider={"order": ["anthropic"], "allow_fallbacks": False},
        reasoning={"effort": "high"},
    )
    response.usage.cost, response._hidden_params["response_cost"]

Proxy (``config.yaml``)::

    litellm_settings:
      custom_provider_map:
        - {"provider": "infron", "custom_handler": infron_integrations.litellm.handler}
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import litellm
from litellm.llms.custom_llm import CustomLLM
from litellm.utils import custom_llm_setup

from ..core.errors import InfronError
from ..core.options import InfronOptions, parse_options
from ..core.stream import aiter_sse_json, iter_sse_json
from . import _transport as http
from ._compat import router_stream_retry_budget
from ._errors import to_litellm_error
from ._hooks import hooks
from ._install import install
from ._request import build_chat_request, build_embedding_request
from ._response import StreamState, chat_response, embedding_response
from .model_info import ensure_fresh, load_cached_model_info

__all__ = ["PROVIDER_NAME", "InfronLLM", "handler", "register"]

PROVIDER_NAME = "infron"
_CHAT = "/chat/completions"
_EMBEDDINGS = "/embeddings"
#: Retries when LiteLLM does not say (it passes ``max_retries`` when the caller sets it, and 0
#: from its router, which retries on its own).
_DEFAULT_RETRIES = 2


def _timeout(value: Any) -> Any:
    if value is None:
        return httpx.USE_CLIENT_DEFAULT
    if isinstance(value, (int, float, httpx.Timeout)):
        return value
    return float(value)


def _retries(requested: Any, litellm_params: Any) -> int:
    if requested is None and isinstance(litellm_params, dict):
        requested = litellm_params.get("max_retries")
    if requested is None:
        return _DEFAULT_RETRIES
    return max(0, int(requested))


def _stream_open_retries(retries: int, litellm_params: Any) -> int:
    """The retry budget for opening an async stream.

    A Router call (the proxy's, or ``litellm.Router``) passes ``max_retries=0`` because the Router
    retries on its own. LiteLLM opens an async stream on its first ``__anext__``: a Router from
    LiteLLM 1.108.0 on reads that first chunk inside its retry loop, so it retries the opening
    itself; an older one has returned from its retry loop by then, and a 429/5xx there would never
    be retried, so for it the opening takes the Router's ``num_retries`` (nothing has been yielded
    yet, so retrying is safe). Exactly one of the two retries, never both.
    """
    if retries:
        return retries
    budget = router_stream_retry_budget(litellm_params)
    return retries if budget is None else budget


class InfronLLM(CustomLLM):  # type: ignore[misc]
    """LiteLLM custom provider for the Infron gateway (``model="infron/<vendor>/<model>"``).

    Register it with :func:`register` (SDK) or through the proxy's
    ``litellm_settings.custom_provider_map`` with the module-level :data:`handler`.

    Infron options are LiteLLM keyword arguments, validated before anything is sent:

    * ``provider={...}``: provider routing (docs: Inference Provider Routing).
    * ``reasoning={"effort": ..., "max_tokens": ...}`` (Infron's own object, always accepted); or
      LiteLLM's ``reasoning_effort="high"`` and ``thinking={"type": "enabled", "budget_tokens": N}``,
      mapped onto ``reasoning`` (``"max"`` -> ``"xhigh"``, ``thinking`` disabled -> effort
      ``"none"``), sync and async alike: :func:`register` (in the proxy, the ``hooks`` callback)
      lets them, ``verbosity`` and the embeddings' ``dimensions``/``encoding_format``/``user``
      through LiteLLM's parameter check, which refuses them for custom providers.
    * ``web_search_options={...}`` (docs: Web Search).
    * ``usage={"include": True}`` is sent by default so every answer carries its exact ``cost``.
    * ``prompt_cache=True`` (or ``{"system": True, "tools": True, "last_user": False, "ttl": "1h"}``)
      places ``cache_control`` breakpoints; explicit ``cache_control`` parts are validated and kept.

    Args:
        options: defaults merged under every call's options (e.g. a default ``provider``).
    """

    def __init__(self, options: InfronOptions | dict[str, Any] | None = None) -> None:
        super().__init__()
        self.options = parse_options(options) if options is not None else None

    def __repr__(self) -> str:
        return f"InfronLLM(options={self.options!r})"

    # -- chat ------------------------------------------------------------------------------------

    def _prepare(
        self,
        model: str,
        messages: list[Any],
        api_base: str | None,
        api_key: str | None,
        optional_params: dict[str, Any],
        litellm_params: Any,
        headers: Any,
        *,
        stream: bool,
    ) -> tuple[str, bytes, dict[str, str], int]:
        request = build_chat_request(
            model, messages, optional_params, headers, stream=stream, defaults=self.options
        )
        target = http.endpoint(api_key, api_base)
        ensure_fresh(target)
        return (
            target.url(_CHAT),
            http.dumps(request.body),
            target.merged_headers(request.headers),
            _retries(request.max_retries, litellm_params),
        )

    def completion(  # type: ignore[override]
        self,
        model: str,
        messages: list[Any],
        api_base: str | None,
        custom_prompt_dict: dict[str, Any],
        model_response: litellm.ModelResponse,
        print_verbose: Callable[..., Any],
        encoding: Any,
        api_key: str | None,
        logging_obj: Any,
        optional_params: dict[str, Any],
        acompletion: Any = None,
        litellm_params: Any = None,
        logger_fn: Any = None,
        headers: Any = None,
        timeout: Any = None,
        client: Any = None,
    ) -> litellm.ModelResponse:
        """``litellm.completion(model="infron/...")``."""
        try:
            url, content, request_headers, retries = self._prepare(
                model,
                messages,
                api_base,
                api_key,
                optional_params,
                litellm_params,
                headers,
                stream=False,
            )
            body, _ = http.post_json(url, content, request_headers, _timeout(timeout), retries)
            return chat_response(body, model_response)  # type: ignore[no-any-return]
        except InfronError as exc:
            raise to_litellm_error(exc, model) from exc

    async def acompletion(  # type: ignore[override]
        self,
        model: str,
        messages: list[Any],
        api_base: str | None,
        custom_prompt_dict: dict[str, Any],
        model_response: litellm.ModelResponse,
        print_verbose: Callable[..., Any],
        encoding: Any,
        api_key: str | None,
        logging_obj: Any,
        optional_params: dict[str, Any],
        acompletion: Any = None,
        litellm_params: Any = None,
        logger_fn: Any = None,
        headers: Any = None,
        timeout: Any = None,
        client: Any = None,
    ) -> litellm.ModelResponse:
        """``litellm.acompletion(model="infron/...")``."""
        try:
            url, content, request_headers, retries = self._prepare(
                model,
                messages,
                api_base,
                api_key,
                optional_params,
                litellm_params,
                headers,
                stream=False,
            )
            body, _ = await http.apost_json(
                url, content, request_headers, _timeout(timeout), retries
            )
            return chat_response(body, model_response)  # type: ignore[no-any-return]
        except InfronError as exc:
            raise to_litellm_error(exc, model) from exc

    def streaming(  # type: ignore[override]
        self,
        model: str,
        messages: list[Any],
        api_base: str | None,
        custom_prompt_dict: dict[str, Any],
        model_response: litellm.ModelResponse,
        print_verbose: Callable[..., Any],
        encoding: Any,
        api_key: str | None,
        logging_obj: Any,
        optional_params: dict[str, Any],
        acompletion: Any = None,
        litellm_params: Any = None,
        logger_fn: Any = None,
        headers: Any = None,
        timeout: Any = None,
        client: Any = None,
    ) -> Iterator[Any]:
        """``litellm.completion(..., stream=True)``.

        The stream is opened here, before LiteLLM wraps it, so an HTTP error (429, 503...) is
        raised from ``litellm.completion`` itself with its own type, like LiteLLM's OpenAI route.
        """
        try:
            url, content, request_headers, retries = self._prepare(
                model,
                messages,
                api_base,
                api_key,
                optional_params,
                litellm_params,
                headers,
                stream=True,
            )
            response = http.open_stream(url, content, request_headers, _timeout(timeout), retries)
        except InfronError as exc:
            raise to_litellm_error(exc, model) from exc
        return _iterate(response, url, model)

    async def astreaming(  # type: ignore[override]
        self,
        model: str,
        messages: list[Any],
        api_base: str | None,
        custom_prompt_dict: dict[str, Any],
        model_response: litellm.ModelResponse,
        print_verbose: Callable[..., Any],
        encoding: Any,
        api_key: str | None,
        logging_obj: Any,
        optional_params: dict[str, Any],
        acompletion: Any = None,
        litellm_params: Any = None,
        logger_fn: Any = None,
        headers: Any = None,
        timeout: Any = None,
        client: Any = None,
    ) -> AsyncIterator[Any]:
        """``litellm.acompletion(..., stream=True)``.

        LiteLLM creates this async generator in a worker thread and only iterates it in the event
        loop, so the request is sent on the first ``__anext__``. An HTTP error at that point goes
        through LiteLLM's stream wrapper: 4xx errors (except 429) arrive with their own type; 429
        and 5xx arrive as ``litellm.MidStreamFallbackError`` whose ``original_exception`` is the
        typed error (LiteLLM's router uses it to retry and fall back). A Router from LiteLLM
        1.108.0 on reads the first chunk inside ``acompletion``, so there the error is raised by
        ``await router.acompletion(...)`` after the Router's retries; with an older Router it is
        raised while iterating, and the handler retries the opening with the Router's
        ``num_retries`` instead (see ``_stream_open_retries``).
        """
        try:
            url, content, request_headers, retries = self._prepare(
                model,
                messages,
                api_base,
                api_key,
                optional_params,
                litellm_params,
                headers,
                stream=True,
            )
            retries = _stream_open_retries(retries, litellm_params)
            response = await http.aopen_stream(
                url, content, request_headers, _timeout(timeout), retries
            )
        except InfronError as exc:
            raise to_litellm_error(exc, model) from exc
        state = StreamState()
        try:
            lines = http.aiter_lines(response, url)
            async for chunk in aiter_sse_json(lines):
                out = state.convert(chunk)
                if out is not None:
                    yield out
            # Drain to the end of the body so the connection goes back to the pool.
            async for _ in lines:
                pass
            response.release()  # read to the end: the connection goes back to the pool
            final = state.final()
        except InfronError as exc:
            raise _stream_error(exc, state, model) from exc
        finally:
            if not response.closed:  # an error, or the consumer stopped early: drop it
                response.close()
        yield final

    # -- embeddings ------------------------------------------------------------------------------

    def _prepare_embedding(
        self,
        model: str,
        inputs: Any,
        api_base: str | None,
        api_key: str | None,
        optional_params: dict[str, Any],
        litellm_params: Any,
    ) -> tuple[str, bytes, dict[str, str], int]:
        request = build_embedding_request(model, inputs, optional_params)
        target = http.endpoint(api_key, api_base)
        ensure_fresh(target)
        return (
            target.url(_EMBEDDINGS),
            http.dumps(request.body),
            target.merged_headers(request.headers),
            _retries(request.max_retries, litellm_params),
        )

    def embedding(  # type: ignore[override]
        self,
        model: str,
        input: Any,
        model_response: Any,
        print_verbose: Callable[..., Any],
        logging_obj: Any,
        optional_params: dict[str, Any],
        api_key: str | None = None,
        api_base: str | None = None,
        timeout: Any = None,
        litellm_params: Any = None,
    ) -> Any:
        """``litellm.embedding(model="infron/...")``: vectors, usage and (when asked) cost."""
        try:
            url, content, request_headers, retries = self._prepare_embedding(
                model, input, api_base, api_key, optional_params, litellm_params
            )
            body, _ = http.post_json(url, content, request_headers, _timeout(timeout), retries)
            return embedding_response(body, model_response)
        except InfronError as exc:
            raise to_litellm_error(exc, model) from exc

    async def aembedding(  # type: ignore[override]
        self,
        model: str,
        input: Any,
        model_response: Any,
        print_verbose: Callable[..., Any],
        logging_obj: Any,
        optional_params: dict[str, Any],
        api_key: str | None = None,
        api_base: str | None = None,
        timeout: Any = None,
        litellm_params: Any = None,
    ) -> Any:
        """``litellm.aembedding(model="infron/...")``."""
        try:
            url, content, request_headers, retries = self._prepare_embedding(
                model, input, api_base, api_key, optional_params, litellm_params
            )
            body, _ = await http.apost_json(
                url, content, request_headers, _timeout(timeout), retries
            )
            return embedding_response(body, model_response)
        except InfronError as exc:
            raise to_litellm_error(exc, model) from exc


def _stream_error(exc: BaseException, state: StreamState, model: str) -> BaseException:
    from ..core.errors import InfronStreamError

    if isinstance(exc, InfronStreamError) and not exc.partial_text:
        exc.partial_text = state.acc.partial_text
        exc.request_id = exc.request_id or state.acc.request_id
    return to_litellm_error(exc, model)


def _iterate(response: Any, url: str, model: str) -> Iterator[Any]:
    state = StreamState()
    try:
        lines = http.iter_lines(response, url)
        for chunk in iter_sse_json(lines):
            out = state.convert(chunk)
            if out is not None:
                yield out
        # Drain to the end of the body so the connection goes back to the pool; the final chunk
        # is yielded after that because LiteLLM stops reading once it has the finish reason.
        for _ in lines:
            pass
        response.close()
        final = state.final()
    except InfronError as exc:
        raise _stream_error(exc, state, model) from exc
    finally:
        response.close()  # idempotent; also runs when the consumer stops early
    yield final


#: The module-level instance the proxy's ``custom_provider_map`` points at:
#: ``custom_handler: infron_integrations.litellm.handler``.
handler = InfronLLM()


def register(
    custom_handler: InfronLLM | None = None,
    *,
    provider: str = PROVIDER_NAME,
    install_hooks: bool = True,
) -> InfronLLM:
    """Register Infron as LiteLLM's ``infron/`` provider (idempotent).

    Calling it again replaces the registered handler instead of adding a second entry. Besides the
    ``custom_provider_map`` entry, it makes LiteLLM treat ``infron/`` like a provider of its own
    (``_install``, for this provider only): the OpenAI parameters Infron takes pass LiteLLM's
    check on every path, ``litellm.completion_cost`` returns the gateway's cost of a response,
    ``litellm.rerank``/``arerank`` serve ``infron/`` rerank models, and ``get_model_info`` /
    ``supports_*`` answer from Infron's model catalog (:mod:`.model_info`; here only the disk
    cache is read, the first call fetches a missing or stale catalog in the background).

    Args:
        custom_handler: the handler to use; the module-level :data:`handler` by default.
        provider: the model prefix; ``"infron"`` gives ``model="infron/<vendor>/<model>"``.
        install_hooks: also add :data:`~infron_integrations.litellm.hooks` to
            ``litellm.callbacks`` (once); it does in the proxy what this function does here.

    Returns:
        The registered handler.
    """
    chosen = custom_handler or handler
    entries = [e for e in litellm.custom_provider_map if e.get("provider") != provider]
    entries.append({"provider": provider, "custom_handler": chosen})
    litellm.custom_provider_map = entries
    # LiteLLM reads the map into its provider lists with this on every call; running it now makes
    # `litellm.get_llm_provider("infron/...")` work before the first call too.
    custom_llm_setup()  # type: ignore[no-untyped-call]
    install(provider)
    load_cached_model_info()
    if install_hooks:
        if provider not in hooks.providers:
            hooks.providers = (*hooks.providers, provider)
        if not any(cb is hooks for cb in litellm.callbacks):
            litellm.callbacks = [*litellm.callbacks, hooks]
    return chosen
