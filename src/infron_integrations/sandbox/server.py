"""Run the sandbox on loopback in a background thread, and a handle for tests."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .config import SandboxConfig
from .errors import SandboxConnectionDropped
from .state import RecordedRequest, SandboxState, ScriptedResponse

if TYPE_CHECKING:
    import openai
    from starlette.applications import Starlette

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def _is_drop(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 16:
        if isinstance(exc, SandboxConnectionDropped):
            return True
        group = getattr(exc, "exceptions", None)
        if group and any(_is_drop(e) for e in group):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


class _DropFilter(logging.Filter):
    """Hide uvicorn's traceback for connections the sandbox aborts on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and _is_drop(record.exc_info[1]))


_FILTER = _DropFilter()


class SandboxServer:
    """A sandbox served by uvicorn on a loopback port, in a daemon thread.

    ``port=0`` picks a free port. Use as a context manager or call :meth:`start`/:meth:`stop`.
    """

    def __init__(
        self,
        config: SandboxConfig | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        allow_non_loopback: bool = False,
        app: Starlette | None = None,
    ) -> None:
        if host not in LOOPBACK_HOSTS and not allow_non_loopback:
            raise ValueError(f"refusing to bind {host!r}: the sandbox binds loopback only")
        from .app import create_app

        self.app = app if app is not None else create_app(config)
        self.state: SandboxState = self.app.state.sandbox
        self.config = self.state.config
        self.host = host
        self._requested_port = port
        self.port = 0
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (no path), e.g. for the Anthropic client."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v1``, the OpenAI-style base URL."""
        return self.url + "/v1"

    @property
    def api_key(self) -> str:
        return str(self.config.api_keys[0])

    def start(self, timeout: float = 10.0) -> SandboxServer:
        import uvicorn

        if self._thread is not None:
            return self
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._requested_port))
        sock.listen(2048)
        self._socket = sock
        self.port = sock.getsockname()[1]
        logging.getLogger("uvicorn.error").addFilter(_FILTER)
        config = uvicorn.Config(
            self.app,
            lifespan="off",
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=1,
            timeout_keep_alive=30,
        )
        self._server = uvicorn.Server(config)
        self._server.install_signal_handlers = lambda: None  # not in the main thread
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [sock]},
            name="infron-sandbox",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the sandbox server failed to start")
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError("the sandbox server did not start in time")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        if self._socket is not None:
            self._socket.close()
        self._thread = None
        self._server = None
        self._socket = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def run_sandbox(
    config: SandboxConfig | None = None, *, host: str = "127.0.0.1", port: int = 0
) -> Iterator[SandboxServer]:
    """``with run_sandbox() as sb: sb.base_url`` -> ``http://127.0.0.1:<port>/v1``."""
    server = SandboxServer(config, host=host, port=port).start()
    try:
        yield server
    finally:
        server.stop()


class SandboxHandle:
    """What the ``infron_sandbox`` pytest fixture gives a test: one running sandbox, reset.

    ``base_url`` is the loopback URL, ``app`` the same ASGI app for in-process use (both share
    one :class:`SandboxState`).
    """

    def __init__(self, server: SandboxServer) -> None:
        self.server = server

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def api_key(self) -> str:
        return self.server.api_key

    @property
    def app(self) -> Starlette:
        return self.server.app

    @property
    def state(self) -> SandboxState:
        return self.server.state

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.state.requests

    def last_request(self, path: str | None = None) -> RecordedRequest | None:
        return self.state.last_request(path)

    def script(
        self,
        response: ScriptedResponse,
        *,
        path: str = "/v1/chat/completions",
        model: str | None = None,
        times: int = 1,
    ) -> None:
        self.state.script(response, path=path, model=model, times=times)

    def set_down(self, *providers: str) -> None:
        self.state.set_down(*providers)

    def reset(self) -> None:
        self.state.reset()

    def openai_client(self, **kwargs: Any) -> openai.OpenAI:
        """A sync ``openai.OpenAI`` pointed at the loopback server (``max_retries=0`` default)."""
        import openai

        kwargs.setdefault("api_key", self.api_key)
        kwargs.setdefault("base_url", self.base_url)
        kwargs.setdefault("max_retries", 0)
        return openai.OpenAI(**kwargs)

    def async_openai_client(self, *, in_process: bool = False, **kwargs: Any) -> openai.AsyncOpenAI:
        """An ``openai.AsyncOpenAI``; ``in_process=True`` talks to ``app`` via ASGITransport.

        The in-process client is built from the HTTP library the installed SDK speaks natively
        (``httpx`` for openai 2, ``httpx2`` for openai 3).
        """
        import openai

        from ..core.openai_compat import sdk_http

        kwargs.setdefault("api_key", self.api_key)
        kwargs.setdefault("max_retries", 0)
        if in_process:
            http = sdk_http()
            kwargs.setdefault("base_url", "http://sandbox/v1")
            kwargs.setdefault(
                "http_client",
                http.AsyncClient(
                    transport=http.ASGITransport(app=self.app), base_url="http://sandbox/v1"
                ),
            )
        else:
            kwargs.setdefault("base_url", self.base_url)
        return openai.AsyncOpenAI(**kwargs)

    def anthropic_client(self, **kwargs: Any) -> Any:
        """A sync ``anthropic.Anthropic`` pointed at the loopback server (needs ``anthropic``)."""
        import anthropic

        kwargs.setdefault("api_key", self.api_key)
        kwargs.setdefault("base_url", self.url)
        kwargs.setdefault("max_retries", 0)
        return anthropic.Anthropic(**kwargs)
