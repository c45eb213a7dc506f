"""A small HTTP/1.1 client for the handler's direct connections to Infron: the shared parts and the
sync half (the async half is ``_http1_async``).

Why not httpx and aiohttp, which the adapter used before (and still uses behind an HTTP proxy, see
``_transport``): on loopback, against the same server, a POST through httpx cost 1.3 ms where
``http.client`` needs 0.78 ms, and one through an aiohttp session 0.95 ms where asyncio streams need
0.65 ms. The handler sends one kind of request (a JSON POST) and reads two kinds of answer (a JSON
body, an SSE stream), which is little enough to do directly:

* sync (here): the standard library's ``http.client`` (framing, chunked bodies, keep-alive), one
  pool of idle connections per origin, shared by threads;
* async (``_http1_async``): asyncio streams, one pool per event loop.

Timeouts keep httpx's meaning: a bound on connecting and on each read, never on a whole stream. An
idle kept-alive connection is checked before it is used again (the server may have closed it: EOF
pending on the socket) and dropped if so; a request is never sent twice here (a failure after
sending is the retry policy's business, in ``_transport``). TLS uses httpx's default context
(certifi's CA bundle, ``SSL_CERT_FILE``/``SSL_CERT_DIR``), built once.
"""

from __future__ import annotations

import http.client
import select
import ssl
import threading
import zlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit
from urllib.request import (  # type: ignore[attr-defined]  # not in typeshed; stdlib since 3.0
    getproxies_environment,
    proxy_bypass_environment,
)

__all__ = [
    "MAX_IDLE",
    "SyncStream",
    "TransportBroken",
    "TransportTimeout",
    "direct",
    "open_stream",
    "post",
]

#: idle keep-alive connections kept per origin (aiohttp's connector limit the adapter used before)
MAX_IDLE = 1000


class TransportTimeout(Exception):
    """No byte within the read (or connect) timeout."""


class TransportBroken(Exception):
    """The connection failed or the answer was not valid HTTP/1.1."""


class _Origin:
    __slots__ = ("host", "https", "netloc", "port")

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.https = parts.scheme == "https"
        self.host = parts.hostname or ""
        self.port = parts.port or (443 if self.https else 80)
        self.netloc = parts.netloc


_origins: dict[str, tuple[_Origin, str]] = {}
_direct: dict[str, bool] = {}


def _split(url: str) -> tuple[_Origin, str]:
    found = _origins.get(url)
    if found is None:
        parts = urlsplit(url)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        found = _origins.setdefault(url, (_Origin(url), path))
    return found


def direct(url: str) -> bool:
    """Whether ``url`` is reached without a proxy (``HTTP(S)_PROXY``/``NO_PROXY``, as httpx reads
    them); proxied requests go through httpx/aiohttp instead. Decided once per base URL."""
    found = _direct.get(url)
    if found is None:
        origin, _ = _split(url)
        proxies = getproxies_environment()
        proxy = proxies.get("https" if origin.https else "http") or proxies.get("all")
        found = not proxy or bool(proxy_bypass_environment(origin.host, proxies))
        _direct[url] = found
    return found


_ssl_context: ssl.SSLContext | None = None
_ssl_lock = threading.Lock()


def _tls() -> ssl.SSLContext:
    global _ssl_context
    if _ssl_context is None:
        with _ssl_lock:
            if _ssl_context is None:
                import httpx

                _ssl_context = httpx.create_ssl_context()
    return _ssl_context


def _seconds(timeout: Any, default: float) -> tuple[float, float]:
    """(connect, read) seconds from a LiteLLM/httpx timeout."""
    if timeout is None or isinstance(timeout, (str, bytes)):
        return default, default
    connect = getattr(timeout, "connect", None)
    read = getattr(timeout, "read", None)
    if connect is not None or read is not None:  # httpx.Timeout
        return float(connect or default), float(read or default)
    if isinstance(timeout, (int, float)):
        return float(timeout), float(timeout)
    return default, default  # httpx.USE_CLIENT_DEFAULT


def _decoder(encoding: str | None) -> Any:
    if not encoding or encoding == "identity":
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    raise TransportBroken(f"unsupported Content-Encoding {encoding!r}")


# --- sync: http.client ---------------------------------------------------------------------------


class _SyncPool:
    __slots__ = ("idle", "lock", "origin")

    def __init__(self, origin: _Origin) -> None:
        self.origin = origin
        self.idle: list[http.client.HTTPConnection] = []
        self.lock = threading.Lock()

    def take(self) -> http.client.HTTPConnection | None:
        with self.lock:
            return self.idle.pop() if self.idle else None

    def new(self, connect: float) -> http.client.HTTPConnection:
        origin = self.origin
        if origin.https:
            return http.client.HTTPSConnection(
                origin.host, origin.port, timeout=connect, context=_tls()
            )
        return http.client.HTTPConnection(origin.host, origin.port, timeout=connect)

    def give(self, conn: http.client.HTTPConnection) -> None:
        with self.lock:
            if len(self.idle) < MAX_IDLE:
                self.idle.append(conn)
                return
        conn.close()


_sync_pools: dict[tuple[bool, str, int], _SyncPool] = {}
_sync_lock = threading.Lock()


def _sync_pool(origin: _Origin) -> _SyncPool:
    key = (origin.https, origin.host, origin.port)
    pool = _sync_pools.get(key)
    if pool is None:
        with _sync_lock:
            pool = _sync_pools.setdefault(key, _SyncPool(origin))
    return pool


def _usable(conn: http.client.HTTPConnection) -> bool:
    """An idle connection the server has not closed (nothing to read on it, no EOF)."""
    sock = conn.sock
    if sock is None:
        return False
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return not poller.poll(0)


def _send(
    url: str, body: bytes, headers: dict[str, str], timeout: Any, default: float
) -> tuple[_SyncPool, http.client.HTTPConnection, http.client.HTTPResponse]:
    origin, path = _split(url)
    pool = _sync_pool(origin)
    connect, read = _seconds(timeout, default)
    conn = pool.take()
    while conn is not None and not _usable(conn):
        conn.close()  # the server closed it while it was idle
        conn = pool.take()
    if conn is None:
        conn = pool.new(connect)
    try:
        if conn.sock is None:
            conn.connect()
        conn.sock.settimeout(read)
        conn.request("POST", path, body=body, headers=headers)
        return pool, conn, conn.getresponse()
    except TimeoutError as exc:
        conn.close()
        raise TransportTimeout(repr(exc)) from exc
    except (OSError, http.client.HTTPException) as exc:
        conn.close()
        raise TransportBroken(repr(exc)) from exc


def _headers(response: http.client.HTTPResponse) -> dict[str, str]:
    """Lower-cased names, as the async side gives them."""
    return {name.lower(): value for name, value in response.getheaders()}


def post(
    url: str, body: bytes, headers: dict[str, str], timeout: Any, default: float
) -> tuple[int, dict[str, str], bytes]:
    """POST ``body``; (status, headers, the whole answer's body)."""
    pool, conn, response = _send(url, body, headers, timeout, default)
    try:
        data = response.read()
    except TimeoutError as exc:
        conn.close()
        raise TransportTimeout(repr(exc)) from exc
    except (OSError, http.client.HTTPException) as exc:
        conn.close()
        raise TransportBroken(repr(exc)) from exc
    if response.will_close:
        conn.close()
    else:
        pool.give(conn)
    return response.status, _headers(response), data


class SyncStream:
    """An answer read as it arrives (:meth:`lines`); :meth:`close` returns the connection to the
    pool when the answer was read to its end, and closes it otherwise."""

    __slots__ = ("_conn", "_pool", "_response", "closed", "headers", "status")

    def __init__(
        self,
        pool: _SyncPool,
        conn: http.client.HTTPConnection,
        response: http.client.HTTPResponse,
    ) -> None:
        self._pool = pool
        self._conn = conn
        self._response = response
        self.status = response.status
        self.headers = _headers(response)
        self.closed = False

    def lines(self) -> Iterator[str]:
        """The answer's lines, without their line ends."""
        readline = self._response.readline
        try:
            while True:
                line = readline()
                if not line:
                    return
                yield line.rstrip(b"\r\n").decode("utf-8")
        except TimeoutError as exc:
            raise TransportTimeout(repr(exc)) from exc
        except (OSError, http.client.HTTPException, ValueError) as exc:
            raise TransportBroken(repr(exc)) from exc

    def read(self) -> bytes:
        try:
            return self._response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise TransportBroken(repr(exc)) from exc

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        response = self._response
        if response.isclosed() and not response.will_close:
            self._pool.give(self._conn)  # read to its end: the connection is reusable
        else:
            self._conn.close()


def open_stream(
    url: str, body: bytes, headers: dict[str, str], timeout: Any, default: float
) -> SyncStream:
    """POST ``body`` and return the answer unread (its status and headers are known)."""
    return SyncStream(*_send(url, body, headers, timeout, default))
