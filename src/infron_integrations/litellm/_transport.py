"""HTTP for the LiteLLM adapter: pooled connections, bounded retries, typed errors.

Direct connections (no ``HTTP(S)_PROXY`` applies to the base URL, the usual case) go through the
small HTTP/1.1 client of ``_http1``: ``http.client`` for sync calls, asyncio streams for async
ones, one pool per origin (per event loop for async). It is what makes ``infron/`` cheaper than
LiteLLM's own ``openai/`` route on every path (``bench/bench_litellm.py``; why in ``_http1``).
Behind a proxy the adapter keeps the libraries that read the proxy settings themselves: the core's
shared httpx pool for sync calls and one ``aiohttp`` session per event loop for async ones (aiohttp
comes with LiteLLM), closed when its loop shuts down. Nothing here builds a client per call.

Retries follow the core :class:`~infron_integrations.core.http.RetryPolicy`: only statuses the
docs call transient (408, 429, 502, 503) and connection failures, honouring ``Retry-After``. For
streams only the opening of the stream is retried, never a stream that has started.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import weakref
from collections.abc import AsyncGenerator, AsyncIterator, Iterator, Mapping
from typing import Any

import aiohttp
import httpx

from ..core.errors import (
    InfronAPIError,
    InfronConnectionError,
    InfronStreamError,
    InfronTimeoutError,
    error_from_response,
)
from ..core.http import RetryPolicy, shared_httpx_client, transport_error
from ..core.settings import ENV_API_KEY, ENV_BASE_URL, InfronSettings
from . import _http1, _http1_async

try:  # orjson comes with litellm[proxy]; plain json is the fallback
    import orjson

    def dumps(obj: Any) -> bytes:
        """JSON bytes for a request body (pydantic objects in messages are dumped first)."""
        return orjson.dumps(obj, default=_default)

    def loads(data: bytes | str) -> Any:
        return orjson.loads(data)

except ImportError:  # pragma: no cover - exercised only without the litellm[proxy] extra

    def dumps(obj: Any) -> bytes:
        """JSON bytes for a request body (pydantic objects in messages are dumped first)."""
        return json.dumps(obj, default=_default, separators=(",", ":")).encode()

    def loads(data: bytes | str) -> Any:
        return json.loads(data)


__all__ = ["Endpoint", "dumps", "endpoint", "loads"]

#: Pool-level timeout; each request carries its own (LiteLLM's ``timeout``).
_POOL_TIMEOUT = 600.0


def _default(obj: Any) -> Any:
    # Users append LiteLLM's own Message objects to `messages`; they are pydantic models.
    dump = getattr(obj, "model_dump", None)
    if callable(dump):
        return dump(exclude_none=True)
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


class Endpoint:
    """Resolved settings for one (key, base URL): URLs and headers computed once."""

    __slots__ = ("base_url", "headers", "settings")

    def __init__(self, settings: InfronSettings) -> None:
        self.settings = settings
        self.base_url = settings.base_url
        headers = settings.headers()
        headers["Content-Type"] = "application/json"
        self.headers = headers

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def merged_headers(self, extra: Mapping[str, str] | None) -> dict[str, str]:
        if not extra:
            return self.headers
        merged = dict(self.headers)
        for key, value in extra.items():
            if key.lower() == "authorization":
                continue  # the Infron key always wins; never forward another credential
            merged[key] = value
        return merged


_endpoints: dict[tuple[str | None, str | None], Endpoint] = {}
_lock = threading.Lock()
_policies: dict[int, RetryPolicy] = {}


def endpoint(api_key: str | None, api_base: str | None) -> Endpoint:
    """The cached :class:`Endpoint` for a key and base URL (falling back to the environment).

    Raises:
        InfronConfigError: no key anywhere, or a malformed base URL.
    """
    key = (api_key or os.environ.get(ENV_API_KEY), api_base or os.environ.get(ENV_BASE_URL))
    found = _endpoints.get(key)
    if found is None:
        found = Endpoint(InfronSettings.resolve(api_key=key[0], base_url=key[1]))
        with _lock:
            _endpoints[key] = found
    return found


def policy(max_retries: int) -> RetryPolicy:
    found = _policies.get(max_retries)
    if found is None:
        found = _policies.setdefault(max_retries, RetryPolicy(max_retries))
    return found


def _api_error(status: int, headers: Mapping[str, str], body: bytes) -> InfronAPIError:
    try:
        parsed: Any = loads(body) if body else ""
    except ValueError:
        parsed = body.decode("utf-8", "replace")
    return error_from_response(status, parsed, headers)


def _json(raw: bytes, headers: Mapping[str, str]) -> Any:
    try:
        return loads(raw)
    except ValueError as exc:
        raise InfronStreamError(
            f"Infron answered with a body that is not JSON: {raw[:200]!r}",
            request_id=headers.get("x-request-id"),
        ) from exc


def _direct_error(exc: Exception, url: str) -> InfronConnectionError:
    if isinstance(exc, _http1.TransportTimeout):
        return InfronTimeoutError(f"Timed out waiting for Infron at {url}: {exc}")
    return InfronConnectionError(f"Could not reach Infron at {url}: {exc}")


_DIRECT_FAILURES = (_http1.TransportTimeout, _http1.TransportBroken)


def post_json(
    url: str, content: bytes, headers: Mapping[str, str], timeout: Any, retries: int
) -> tuple[Any, Mapping[str, str]]:
    """POST and return the parsed JSON body and the response headers, or raise a typed error."""
    if not _http1.direct(url):
        return _httpx_post_json(url, content, headers, timeout, retries)
    sent = dict(headers)

    def once() -> tuple[Any, Mapping[str, str]]:
        try:
            status, answer_headers, raw = _http1.post(url, content, sent, timeout, _POOL_TIMEOUT)
        except _DIRECT_FAILURES as exc:
            raise _direct_error(exc, url) from exc
        if status >= 400:
            raise _api_error(status, answer_headers, raw)
        return _json(raw, answer_headers), answer_headers

    return policy(retries).call(once)


def _httpx_post_json(
    url: str, content: bytes, headers: Mapping[str, str], timeout: Any, retries: int
) -> tuple[Any, Mapping[str, str]]:
    client = shared_httpx_client(_POOL_TIMEOUT)

    def once() -> tuple[Any, Mapping[str, str]]:
        try:
            response = client.post(url, content=content, headers=headers, timeout=timeout)
        except httpx.HTTPError as exc:
            raise transport_error(exc, url) from exc
        if response.status_code >= 400:
            raise _api_error(response.status_code, response.headers, response.content)
        return _json(response.content, response.headers), response.headers

    return policy(retries).call(once)


# --- async: one pooled aiohttp session per event loop --------------------------------------

_sessions: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, tuple[aiohttp.ClientSession, AsyncGenerator[None, None]]
] = weakref.WeakKeyDictionary()


async def _own(session: aiohttp.ClientSession) -> AsyncGenerator[None, None]:
    # The loop finalizes this generator when it shuts down (asyncio.run, asyncio.Runner, uvicorn),
    # which closes the session instead of leaving an "Unclosed client session" behind.
    try:
        yield
    finally:
        await session.close()


async def session() -> aiohttp.ClientSession:
    """The running loop's pooled aiohttp session (created on first use)."""
    loop = asyncio.get_running_loop()
    found = _sessions.get(loop)
    if found is not None and not found[0].closed:
        return found[0]
    created = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=1000, keepalive_timeout=30),
        auto_decompress=True,
        trust_env=True,  # like httpx: honour HTTP(S)_PROXY, NO_PROXY and .netrc
    )
    owner = _own(created)
    await owner.__anext__()  # runs to the first yield at once: no other task can interleave
    _sessions[loop] = (created, owner)
    return created


def _client_timeout(timeout: Any) -> aiohttp.ClientTimeout:
    # Same meaning as httpx's: a bound on connecting and on each read, not on the whole call (a
    # long stream must not be cut off).
    if isinstance(timeout, httpx.Timeout):
        return aiohttp.ClientTimeout(sock_connect=timeout.connect, sock_read=timeout.read)
    if timeout is None or timeout is httpx.USE_CLIENT_DEFAULT:
        return aiohttp.ClientTimeout(sock_connect=_POOL_TIMEOUT, sock_read=_POOL_TIMEOUT)
    return aiohttp.ClientTimeout(sock_connect=float(timeout), sock_read=float(timeout))


def _aio_error(exc: BaseException, url: str) -> Exception:
    if isinstance(exc, asyncio.TimeoutError):
        return InfronTimeoutError(f"Timed out waiting for Infron at {url}: {exc!r}")
    return InfronConnectionError(f"Could not reach Infron at {url}: {exc!r}")


async def _aio_error_from(response: aiohttp.ClientResponse) -> InfronAPIError:
    try:
        body = await response.read()
    except (aiohttp.ClientError, asyncio.TimeoutError):
        body = b""
    try:
        parsed: Any = loads(body) if body else ""
    except ValueError:
        parsed = body.decode("utf-8", "replace")
    return error_from_response(response.status, parsed, response.headers)


async def apost_json(
    url: str, content: bytes, headers: Mapping[str, str], timeout: Any, retries: int
) -> tuple[Any, Mapping[str, str]]:
    """Async :func:`post_json`."""
    if not _http1.direct(url):
        return await _aiohttp_post_json(url, content, headers, timeout, retries)
    sent = dict(headers)

    async def once() -> tuple[Any, Mapping[str, str]]:
        try:
            status, answer_headers, raw = await _http1_async.apost(
                url, content, sent, timeout, _POOL_TIMEOUT
            )
        except _DIRECT_FAILURES as exc:
            raise _direct_error(exc, url) from exc
        if status >= 400:
            raise _api_error(status, answer_headers, raw)
        return _json(raw, answer_headers), answer_headers

    return await policy(retries).acall(once)


async def _aiohttp_post_json(
    url: str, content: bytes, headers: Mapping[str, str], timeout: Any, retries: int
) -> tuple[Any, Mapping[str, str]]:
    client = await session()
    client_timeout = _client_timeout(timeout)

    async def once() -> tuple[Any, Mapping[str, str]]:
        try:
            async with client.post(
                url, data=content, headers=headers, timeout=client_timeout
            ) as response:
                if response.status >= 400:
                    raise await _aio_error_from(response)
                raw = await response.read()
                response_headers = response.headers
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise _aio_error(exc, url) from exc
        return _json(raw, response_headers), response_headers

    return await policy(retries).acall(once)


async def aopen_stream(
    url: str, content: bytes, headers: Mapping[str, str], timeout: Any, retries: int
) -> Any:
    """Async :func:`open_stream`; release the response when done (``response.release()``)."""
    if not _http1.direct(url):
        return await _aiohttp_open_stream(url, content, headers, timeout, retries)
    sent = dict(headers)

    async def once() -> _http1_async.AsyncStream:
        try:
            stream = await _http1_async.aopen(url, content, sent, timeout, _POOL_TIMEOUT)
            if stream.status < 400:
                return stream
            try:
                body = await stream.read()
            finally:
                stream.release()
        except _DIRECT_FAILURES as exc:
            raise _direct_error(exc, url) from exc
        raise _api_error(stream.status, stream.headers, body)

    return await policy(retries).acall(once)


async def _aiohttp_open_stream(
    url: str, content: bytes, headers: Mapping[str, str], timeout: Any, retries: int
) -> aiohttp.ClientResponse:
    client = await session()
    client_timeout = _client_timeout(timeout)

    async def once() -> aiohttp.ClientResponse:
        try:
            response = await client.post(url, data=content, headers=headers, timeout=client_timeout)
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise _aio_error(exc, url) from exc
        if response.status >= 400:
            try:
                raise await _aio_error_from(response)
            finally:
                response.release()
        return response

    return await policy(retries).acall(once)


def open_stream(
    url: str, content: bytes, headers: Mapping[str, str], timeout: Any, retries: int
) -> Any:
    """Open an SSE response (status checked, retried before the first byte only); close it when
    done (``response.close()``)."""
    if not _http1.direct(url):
        return _httpx_open_stream(url, content, headers, timeout, retries)
    sent = dict(headers)

    def once() -> _http1.SyncStream:
        try:
            stream = _http1.open_stream(url, content, sent, timeout, _POOL_TIMEOUT)
            if stream.status < 400:
                return stream
            try:
                body = stream.read()
            finally:
                stream.close()
        except _DIRECT_FAILURES as exc:
            raise _direct_error(exc, url) from exc
        raise _api_error(stream.status, stream.headers, body)

    return policy(retries).call(once)


def _httpx_open_stream(
    url: str, content: bytes, headers: Mapping[str, str], timeout: Any, retries: int
) -> httpx.Response:
    client = shared_httpx_client(_POOL_TIMEOUT)

    def once() -> httpx.Response:
        request = client.build_request(
            "POST", url, content=content, headers=headers, timeout=timeout
        )
        try:
            response = client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise transport_error(exc, url) from exc
        if response.status_code >= 400:
            try:
                body = response.read()
            except httpx.HTTPError:
                body = b""
            finally:
                response.close()
            raise _api_error(response.status_code, response.headers, body)
        return response

    return policy(retries).call(once)


def _timed_out(url: str, exc: BaseException) -> InfronTimeoutError:
    return InfronTimeoutError(f"Timed out reading the Infron stream from {url}: {exc!r}")


def _broke(url: str, exc: BaseException) -> InfronStreamError:
    return InfronStreamError(
        f"The Infron stream from {url} broke before it finished ({exc!r}); retry the request."
    )


def iter_lines(response: Any, url: str) -> Iterator[str]:
    """The response's lines; transport failures mid-stream become typed errors."""
    if isinstance(response, _http1.SyncStream):
        try:
            yield from response.lines()
        except _http1.TransportTimeout as exc:
            raise _timed_out(url, exc) from exc
        except _http1.TransportBroken as exc:
            raise _broke(url, exc) from exc
        return
    try:
        yield from response.iter_lines()
    except httpx.TimeoutException as exc:
        raise _timed_out(url, exc) from exc
    except httpx.HTTPError as exc:
        raise _broke(url, exc) from exc


async def aiter_lines(response: Any, url: str) -> AsyncIterator[str]:
    """Async :func:`iter_lines` over a direct or an aiohttp response."""
    if isinstance(response, _http1_async.AsyncStream):
        try:
            async for line in response.lines():
                yield line
        except _http1.TransportTimeout as exc:
            raise _timed_out(url, exc) from exc
        except (_http1.TransportBroken, ValueError) as exc:
            raise _broke(url, exc) from exc
        return
    async for line in _aiohttp_lines(response, url):
        yield line


async def _aiohttp_lines(response: aiohttp.ClientResponse, url: str) -> AsyncIterator[str]:
    # Lines are split here rather than with ``StreamReader.readline``, which refuses lines longer
    # than its buffer limit (an SSE frame with a large tool call or answer can be longer).
    pending = b""
    try:
        async for data in response.content.iter_any():
            pending += data
            if b"\n" not in data:
                continue
            *lines, pending = pending.split(b"\n")
            for line in lines:
                yield line.rstrip(b"\r").decode("utf-8")
        if pending:
            yield pending.rstrip(b"\r").decode("utf-8")
    except asyncio.TimeoutError as exc:
        raise _timed_out(url, exc) from exc
    except aiohttp.ClientError as exc:
        raise _broke(url, exc) from exc
