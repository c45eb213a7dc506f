"""Pooled HTTP for the endpoints the OpenAI SDK does not cover, and pooled OpenAI SDK clients.

* :class:`InfronHTTP` talks to ``/rerank``, ``/models`` and the balance endpoint (which the docs put
  on another host) with bounded retries that honour ``Retry-After`` on 408/429/502/503.
* :func:`openai_client` / :func:`async_openai_client` hand out OpenAI SDK clients configured for
  Infron, shared between equal settings, so building a model object never builds a client.

Connection pools are shared process-wide: never one per call. They are built from the HTTP library
the installed OpenAI SDK speaks natively (``httpx`` for openai 2, ``httpx2`` for openai 3; see
:func:`~.openai_compat.sdk_http`), so the SDK never runs in a compatibility mode. Every client built
here shares one SSL context per HTTP library: loading the CA store costs 20-40 ms, more than a whole
request to a nearby gateway.

Async pools are kept per event loop, because a connection cannot outlive the loop it was opened on,
and the loop owns them: nothing else keeps them alive, so a loop that is dropped or closed takes its
pools with it. They are closed when the loop first finalizes its async generators (``asyncio.run``
and friends do that just before closing the loop; a small generator owns the pools), so a program
that runs many loops does not keep each loop's idle connections open. A loop that goes on running
after that (the Agents SDK's ``Runner.run_sync`` finalizes async generators after every run and
keeps the thread's loop for the next one) then gets pools that stay open for as long as the loop
does: its later calls reuse their connections instead of opening a new one (and a TLS handshake)
per call.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import random
import ssl
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
_lock = threading.Lock()
_ssl_contexts: dict[str, ssl.SSLContext] = {}
_ssl_lock = threading.Lock()


def _ssl_context(module: ModuleType) -> ssl.SSLContext:
    """The library's default verified context, built once per process and shared by every client.

    Each library builds its own default (httpx: certifi's CA bundle; httpx2: the system store), so
    there is one per library. ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` are read when it is first built.
    An ``SSLContext`` may be shared by any number of connections, threads and event loops.
    """
    context = _ssl_contexts.get(module.__name__)
    if context is None:
        with _ssl_lock:
            context = _ssl_contexts.get(module.__name__)
            if context is None:
                context = module.create_ssl_context()
                _ssl_contexts[module.__name__] = context
    return context


def _limits(module: ModuleType) -> Any:
    return module.Limits(max_connections=1000, max_keepalive_connections=100, keepalive_expiry=30)


def _pool_options(module: ModuleType, timeout: float) -> dict[str, Any]:
    return {"timeout": timeout, "limits": _limits(module), "verify": _ssl_context(module)}


def _sync_pool(module: ModuleType, timeout: float) -> Any:
    key = (module.__name__, timeout)
    client = _sync_clients.get(key)
    if client is None:
        with _lock:
            client = _sync_clients.get(key)
            if client is None:
                client = module.Client(**_pool_options(module, timeout))
                _sync_clients[key] = client
    return client


class _LoopPools(dict[_PoolKey, Any]):
    """One event loop's pools, owned by the loop itself (see :func:`_async_pool`).

    ``owner`` is the generator that closes them when the loop finalizes its async generators
    (:func:`_close_at_shutdown`); it refers to the loop too (through the loop's finalizer hook), so
    it is kept here, where a dropped loop takes it along, and not in a module-level table.
    """

    __slots__ = ("__weakref__", "owner", "timer")

    owner: AsyncGenerator[None, None] | None
    timer: asyncio.TimerHandle


#: how far off the timer through which a loop owns its pools is (it never fires: ~30 years)
_OWNERSHIP_DELAY = 1e9

_async_clients: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, weakref.ReferenceType[_LoopPools]
]
_async_clients = weakref.WeakKeyDictionary()
#: loops that finalized their async generators and went on running (see the module docstring)
_kept_open: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()
#: the pending owners (see _LoopPools), each held by its loop's pools, listed here weakly
_owners: weakref.WeakSet[AsyncGenerator[None, None]] = weakref.WeakSet()


def _never_due(pools: _LoopPools) -> None:
    """The callback of the ownership timer; it holds the pools while the timer is pending."""


def _async_pool(module: ModuleType, timeout: float) -> Any:
    loop = asyncio.get_running_loop()
    key = (module.__name__, timeout)
    # every request through a pooled SDK client comes here: no lock on the way to a pool that
    # exists (dict reads are atomic; entries are only added under the lock)
    ref = _async_clients.get(loop)
    pools = ref() if ref is not None else None
    client = pools.get(key) if pools is not None else None
    if client is not None:
        return client
    with _lock:
        ref = _async_clients.get(loop)
        pools = ref() if ref is not None else None
        if pools is None:
            pools = _LoopPools()
            # The connections refer to their loop; if this module held the pools, a loop that is
            # dropped without being shut down could never be collected. A pending timer is held
            # by its loop until the loop is closed or collected, so the pools go with the loop.
            pools.timer = loop.call_later(_OWNERSHIP_DELAY, _never_due, pools)
            pools.owner = None if loop in _kept_open else _close_at_shutdown()
            if pools.owner is not None:
                _owners.add(pools.owner)
            _async_clients[loop] = weakref.ref(pools)
        client = pools.get(key)
        if client is None:
            client = module.AsyncClient(**_pool_options(module, timeout))
            pools[key] = client
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


def _close_at_shutdown() -> AsyncGenerator[None, None]:
    """An async generator, started now, that closes the running loop's pools when it is finalized.

    The loop finalizes the async generators it has seen when it shuts down
    (``loop.shutdown_asyncgens()``, which ``asyncio.run`` calls), while it can still run the
    pools' ``aclose()``: their connections are closed then, not left to the garbage collector
    after the loop has gone.
    """

    async def owner() -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            loop = asyncio.get_running_loop()
            with _lock:
                ref = _async_clients.pop(loop, None)
                # Nothing says whether the loop closes next (asyncio.run) or keeps running
                # (Runner.run_sync finalizes after every run). If it asks for a pool again, it
                # keeps running: its next pools get no owner, which would close them every run.
                # (Its AsyncOpenAI clients hold no connection; they go with the loop.)
                _kept_open.add(loop)
            pools = ref() if ref is not None else None
            if pools is not None:
                pools.timer.cancel()
                pools.owner = None
                for client in pools.values():
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
    closes the pool. A facade is given a transport that is never used, so building one builds
    no connection pool and no SSL context of its own (that took 20-40 ms per client).
    """

    def unused(*_: Any) -> Any:
        raise RuntimeError("a pooled Infron client sends through its shared pool only")

    class UnusedTransport(module.BaseTransport):  # type: ignore[name-defined,misc]
        handle_request = unused

    class UnusedAsyncTransport(module.AsyncBaseTransport):  # type: ignore[name-defined,misc]
        async def handle_async_request(self, request: Any) -> Any:
            return unused(request)

    class SharedSyncClient(module.Client):  # type: ignore[name-defined,misc]
        def __init__(self, timeout: float) -> None:
            super().__init__(timeout=timeout, transport=UnusedTransport())
            self._pool_timeout = timeout

        def send(self, request: Any, **kwargs: Any) -> Any:
            return _sync_pool(module, self._pool_timeout).send(request, **kwargs)

        def close(self) -> None:  # the pool is shared; closing one facade must not close it
            return None

    class LoopBoundAsyncClient(module.AsyncClient):  # type: ignore[name-defined,misc]
        def __init__(self, timeout: float) -> None:
            super().__init__(timeout=timeout, transport=UnusedAsyncTransport())
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
