"""Pooled HTTP for the endpoints the OpenAI SDK does not cover, and pooled OpenAI SDK clients.

* :class:`InfronHTTP` talks to ``/rerank``, ``/models`` and the balance endpoint (which the docs put
  on another host) with bounded retries that honour ``Retry-After`` on 408/429/502/503.
* :func:`openai_client` / :func:`async_openai_client` hand out OpenAI SDK clients configured for
  Infron, shared between equal settings, so building a model object never builds a client.

Connection pools are shared process-wide: never one per call. They are built from the HTTP library
the installed OpenAI SDK speaks natively (``httpx`` for openai 2, ``httpx2`` for openai 3; see
:func:`~.openai_compat.sdk_http`), so the SDK never runs in a compatibility mode. Async pools are
kept per event loop, because a connection cannot outlive the loop it was opened on, and are closed when that
loop shuts down (``asyncio.run`` and friends finalize async generators; a small one owns them), so
a program that runs many loops does not keep each loop's idle connections open.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import random
import threading
import time
import weakref
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import (
    RETRYABLE_STATUSES,
    InfronAPIError,
    InfronConnectionError,
    InfronTimeoutError,
    error_from_response,
    raise_for_inband_error,
)
from .openai_compat import is_timeout_error, is_transport_error, sdk_http
from .settings import InfronSettings

if TYPE_CHECKING:
    import httpx
    import openai

    # imported by the methods that return them: the response models cost more to import than
    # the rest of the core, and the adapters import this module for the pooled clients (P4)
    from .wire import Balance, ModelList, RerankResponse

__all__ = [
    "InfronHTTP",
    "RetryPolicy",
    "async_openai_client",
    "openai_client",
    "shared_async_httpx_client",
    "shared_async_sdk_client",
    "shared_httpx_client",
    "shared_sdk_client",
    "transport_error",
]

_T = TypeVar("_T")


class RetryPolicy:
    """Exponential backoff with jitter; the gateway's ``Retry-After`` wins when it says more.

    Args:
        max_retries: retries after the first attempt.
        base_delay: first backoff in seconds, doubled each attempt.
        max_delay: cap for the computed backoff.
        max_retry_after: the longest ``Retry-After`` honoured; a longer one is not waited for and
            the error is raised instead.
    """

    def __init__(
        self,
        max_retries: int = 2,
        *,
        base_delay: float = 0.5,
        max_delay: float = 8.0,
        max_retry_after: float = 60.0,
    ) -> None:
        self.max_retries = max_retries
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.max_retry_after = max_retry_after

    def delay(self, attempt: int, error: BaseException) -> float | None:
        """Seconds to wait before retry number ``attempt + 1``, or None to stop."""
        if attempt >= self.max_retries:
            return None
        if isinstance(error, InfronAPIError):
            if error.status_code not in RETRYABLE_STATUSES:
                return None
            if error.retry_after is not None:
                if error.retry_after > self.max_retry_after:
                    return None
                return error.retry_after
        elif not isinstance(error, InfronConnectionError):
            return None
        backoff = min(self.max_delay, self.base_delay * (2.0**attempt))
        return backoff * (0.75 + random.random() * 0.5)

    def call(self, fn: Callable[[], _T]) -> _T:
        """Run ``fn`` and retry it on retryable Infron errors, waiting as :meth:`delay` says."""
        attempt = 0
        while True:
            try:
                return fn()
            except (InfronAPIError, InfronConnectionError) as exc:
                wait = self.delay(attempt, exc)
                if wait is None:
                    raise
                time.sleep(wait)
                attempt += 1

    async def acall(self, fn: Callable[[], Awaitable[_T]]) -> _T:
        """Async :meth:`call`."""
        attempt = 0
        while True:
            try:
                return await fn()
            except (InfronAPIError, InfronConnectionError) as exc:
                wait = self.delay(attempt, exc)
                if wait is None:
                    raise
                await asyncio.sleep(wait)
                attempt += 1


def transport_error(exc: BaseException, url: str) -> InfronConnectionError:
    """The typed error for an ``httpx``/``httpx2`` transport failure (timeout or connection)."""
    if is_timeout_error(exc):
        return InfronTimeoutError(f"Timed out talking to Infron at {url}: {exc!r}")
    return InfronConnectionError(f"Could not reach Infron at {url}: {exc!r}")


# --- shared pools -------------------------------------------------------------------------------
# Keyed by (HTTP library, timeout): the OpenAI SDK's clients and InfronHTTP send through the
# library the SDK speaks natively (httpx2 under openai 3, see core.openai_compat.sdk_http); the
# LiteLLM transport, which is written against httpx, has httpx pools of its own.

_PoolKey = tuple[str, float]
_sync_clients: dict[_PoolKey, Any] = {}
_async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[_PoolKey, Any]]
_async_clients = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _limits(module: ModuleType) -> Any:
    return module.Limits(max_connections=1000, max_keepalive_connections=100, keepalive_expiry=30)


def _sync_pool(module: ModuleType, timeout: float) -> Any:
    key = (module.__name__, timeout)
    client = _sync_clients.get(key)
    if client is None:
        with _lock:
            client = _sync_clients.get(key)
            if client is None:
                client = module.Client(timeout=timeout, limits=_limits(module))
                _sync_clients[key] = client
    return client


def _async_pool(module: ModuleType, timeout: float) -> Any:
    loop = asyncio.get_running_loop()
    key = (module.__name__, timeout)
    with _lock:
        per_loop = _async_clients.get(loop)
        if per_loop is None:
            per_loop = _async_clients[loop] = {}
            _owners[loop] = _close_at_shutdown()
        client = per_loop.get(key)
        if client is None:
            client = module.AsyncClient(timeout=timeout, limits=_limits(module))
            per_loop[key] = client
    return client


def shared_httpx_client(timeout: float) -> httpx.Client:
    """The process-wide ``httpx`` sync pool for a timeout value."""
    import httpx

    return _sync_pool(httpx, timeout)  # type: ignore[no-any-return]


def shared_async_httpx_client(timeout: float) -> httpx.AsyncClient:
    """The ``httpx`` async pool for the running event loop and a timeout (closed with the loop)."""
    import httpx

    return _async_pool(httpx, timeout)  # type: ignore[no-any-return]


def shared_sdk_client(timeout: float) -> Any:
    """The process-wide sync pool of the OpenAI SDK's own HTTP library, for a timeout value."""
    return _sync_pool(sdk_http(), timeout)


def shared_async_sdk_client(timeout: float) -> Any:
    """The async pool of the SDK's HTTP library for the running loop and a timeout."""
    return _async_pool(sdk_http(), timeout)


# --- pooled OpenAI SDK clients ------------------------------------------------------------------

_openai_sync: dict[tuple[Any, ...], Any] = {}
_openai_async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[Any, ...], Any]]
_openai_async = weakref.WeakKeyDictionary()
_owners: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncGenerator[None, None]]
_owners = weakref.WeakKeyDictionary()


def _close_at_shutdown() -> AsyncGenerator[None, None]:
    """An async generator, started now, that closes the running loop's pools when it is finalized.

    The loop finalizes the async generators it has seen when it shuts down
    (``loop.shutdown_asyncgens()``, which ``asyncio.run`` calls). Without this the pools, which
    hold their loop through their connections, would keep it and their idle sockets alive for
    good (a weak-keyed entry whose value refers to its key is never collected).
    """

    async def owner() -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            loop = asyncio.get_running_loop()
            with _lock:
                clients = _async_clients.pop(loop, {})
                _openai_async.pop(loop, None)
                _owners.pop(loop, None)
            for client in clients.values():
                await client.aclose()

    generator = owner()
    step = generator.__anext__()  # the loop's firstiter hook registers the generator here
    with contextlib.suppress(StopIteration):
        step.send(None)  # runs to the ``yield`` (no await before it), from synchronous code
    return generator


def openai_client(settings: InfronSettings, *, max_retries: int | None = None) -> openai.OpenAI:
    """A shared ``openai.OpenAI`` for these settings, on the shared connection pool."""
    import openai

    key = (*settings.cache_key(), max_retries)
    client = _openai_sync.get(key)
    if client is None:
        with _lock:
            client = _openai_sync.get(key)
            if client is None:
                shared_sync, _ = _facades(sdk_http())
                client = openai.OpenAI(
                    api_key=settings.api_key.get_secret_value(),
                    base_url=settings.base_url,
                    timeout=settings.timeout,
                    max_retries=settings.max_retries if max_retries is None else max_retries,
                    default_headers=settings.public_headers(),
                    http_client=shared_sync(settings.timeout),
                )
                _openai_sync[key] = client
    return client  # type: ignore[no-any-return]


def async_openai_client(
    settings: InfronSettings, *, max_retries: int | None = None
) -> openai.AsyncOpenAI:
    """A shared ``openai.AsyncOpenAI`` for these settings and the running event loop.

    Outside a running loop it returns a client whose pool binds lazily to the loop that first
    uses it (for frameworks that build clients eagerly); prefer calling it inside the loop.
    """
    import openai

    key = (*settings.cache_key(), max_retries)
    try:
        loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    if loop is not None:
        with _lock:
            per_loop = _openai_async.setdefault(loop, {})
            client = per_loop.get(key)
        if client is not None:
            return client  # type: ignore[no-any-return]
    _, loop_bound = _facades(sdk_http())
    client = openai.AsyncOpenAI(
        api_key=settings.api_key.get_secret_value(),
        base_url=settings.base_url,
        timeout=settings.timeout,
        max_retries=settings.max_retries if max_retries is None else max_retries,
        default_headers=settings.public_headers(),
        http_client=loop_bound(settings.timeout),
    )
    if loop is not None:
        with _lock:
            _openai_async.setdefault(loop, {})[key] = client
    return client


@functools.cache
def _facades(module: ModuleType) -> tuple[Any, Any]:
    """Client classes of ``module`` (httpx or httpx2) that send through the shared pools.

    The SDK wants a client object it may close; these are facades: sends go to the pool for the
    timeout (the async one: the pool of whichever loop is running), and closing them never
    closes the pool.
    """

    class SharedSyncClient(module.Client):  # type: ignore[name-defined,misc]
        def __init__(self, timeout: float) -> None:
            super().__init__(timeout=timeout)
            self._pool_timeout = timeout

        def send(self, request: Any, **kwargs: Any) -> Any:
            return _sync_pool(module, self._pool_timeout).send(request, **kwargs)

        def close(self) -> None:  # the pool is shared; closing one facade must not close it
            return None

    class LoopBoundAsyncClient(module.AsyncClient):  # type: ignore[name-defined,misc]
        def __init__(self, timeout: float) -> None:
            super().__init__(timeout=timeout)
            self._pool_timeout = timeout

        async def send(self, request: Any, **kwargs: Any) -> Any:
            return await _async_pool(module, self._pool_timeout).send(request, **kwargs)

        async def aclose(self) -> None:
            return None

    return SharedSyncClient, LoopBoundAsyncClient


# --- the small client for the other endpoints ---------------------------------------------------


def _decode(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def _check(response: Any) -> Any:
    body = _decode(response)
    if response.status_code >= 400:
        raise error_from_response(response.status_code, body, response.headers)
    if isinstance(body, Mapping):
        raise_for_inband_error(body)
    return body


class InfronHTTP:
    """A framework-free client for ``/rerank``, ``/models`` and the balance endpoint.

    Args:
        settings: where and how to connect; build with :meth:`InfronSettings.resolve`.
        retry: the retry policy; defaults to ``settings.max_retries`` retries.
    """

    def __init__(self, settings: InfronSettings, *, retry: RetryPolicy | None = None) -> None:
        self.settings = settings
        self.retry = retry or RetryPolicy(settings.max_retries)

    def __repr__(self) -> str:
        return f"InfronHTTP(base_url={self.settings.base_url!r})"

    def _url(self, path: str, base: str | None) -> str:
        return f"{(base or self.settings.base_url).rstrip('/')}/{path.lstrip('/')}"

    def request(self, method: str, path: str, *, json: Any = None, base: str | None = None) -> Any:
        """Send with retries; return the parsed JSON body or raise a typed error."""
        client = shared_sdk_client(self.settings.timeout)
        url = self._url(path, base)
        headers = self.settings.headers()

        def once() -> Any:
            try:
                response = client.request(method, url, json=json, headers=headers)
            except Exception as exc:
                if is_transport_error(exc):
                    raise transport_error(exc, url) from exc
                raise
            return _check(response)

        return self.retry.call(once)

    async def arequest(
        self, method: str, path: str, *, json: Any = None, base: str | None = None
    ) -> Any:
        """Async :meth:`request`."""
        client = shared_async_sdk_client(self.settings.timeout)
        url = self._url(path, base)
        headers = self.settings.headers()

        async def once() -> Any:
            try:
                response = await client.request(method, url, json=json, headers=headers)
            except Exception as exc:
                if is_transport_error(exc):
                    raise transport_error(exc, url) from exc
                raise
            return _check(response)

        return await self.retry.acall(once)

    # endpoints ---------------------------------------------------------------------------------

    @staticmethod
    def rerank_body(
        model: str, query: str, documents: list[str], top_n: int | None, extra: Mapping[str, Any]
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"model": model, "query": query, "documents": list(documents)}
        if top_n is not None:
            body["top_n"] = top_n
        body.update(extra)
        return body

    def rerank(
        self,
        model: str,
        query: str,
        documents: list[str],
        *,
        top_n: int | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> RerankResponse:
        """``POST /rerank`` (docs: Rerank)."""
        from .wire import RerankResponse

        body = self.rerank_body(model, query, documents, top_n, extra_body or {})
        return RerankResponse.model_validate(self.request("POST", "/rerank", json=body))

    async def arerank(
        self,
        model: str,
        query: str,
        documents: list[str],
        *,
        top_n: int | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> RerankResponse:
        """Async :meth:`rerank`."""
        from .wire import RerankResponse

        body = self.rerank_body(model, query, documents, top_n, extra_body or {})
        return RerankResponse.model_validate(await self.arequest("POST", "/rerank", json=body))

    def models(self) -> ModelList:
        """``GET /models``: the catalog."""
        from .wire import ModelList

        return ModelList.model_validate(self.request("GET", "/models"))

    async def amodels(self) -> ModelList:
        from .wire import ModelList

        return ModelList.model_validate(await self.arequest("GET", "/models"))

    def balance(self) -> Balance:
        """``GET /balance`` on the management host: remaining credits."""
        from .wire import Balance

        return Balance.model_validate(
            self.request("GET", "/balance", base=self.settings.management_url)
        )

    async def abalance(self) -> Balance:
        from .wire import Balance

        return Balance.model_validate(
            await self.arequest("GET", "/balance", base=self.settings.management_url)
        )
