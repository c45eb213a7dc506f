"""Helpers for R3 (secrets): a loopback trace collector, a DEBUG log capture, and the scanner.

The key used by the R3 tests is made fresh for each run (``make_secret``), so a hit can only come
from the code under test, and no real key is ever written anywhere.
"""

from __future__ import annotations

import http.server
import logging
import secrets
import threading
import traceback
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

#: loggers that may have their own level (which a DEBUG root alone would not lower)
LOGGERS = (
    "",
    "openai",
    "openai.agents",
    "openai.agents.tracing",
    "httpx",
    "httpcore",
    "aiohttp",
    "LiteLLM",
    "LiteLLM Router",
    "LiteLLM Proxy",
    "litellm",
    "langchain",
    "langchain_core",
    "langsmith",
    "infron_integrations",
    "uvicorn",
    "asyncio",
)


def make_secret(label: str) -> str:
    return f"sk-infron-{label}-{secrets.token_hex(16)}"


class Capture(logging.Handler):
    """Keeps every record, rendered as a logging handler would send it anywhere."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.names: set[str] = set()
        self._lock_lines = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a record whose arguments do not format: keep its raw parts
            text = f"{record.msg!r} % {record.args!r}"
        extras = {k: v for k, v in vars(record).items() if k not in _PLAIN_RECORD_FIELDS}
        parts = [record.name, text, repr(record.args), repr(extras)]
        if record.exc_info and record.exc_info[1] is not None:
            parts.append("".join(traceback.format_exception(record.exc_info[1])))
        with self._lock_lines:
            self.lines.append(" | ".join(parts))
            self.names.add(record.name)


_PLAIN_RECORD_FIELDS = set(vars(logging.makeLogRecord({})))


@contextmanager
def debug_logs() -> Iterator[Capture]:
    """Every logger at DEBUG, captured by one handler on the root, for the block's duration."""
    capture = Capture()
    saved = {name: logging.getLogger(name).level for name in LOGGERS}
    root = logging.getLogger()
    root.addHandler(capture)
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield capture
    finally:
        root.removeHandler(capture)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def exception_texts(error: BaseException) -> str:
    """Everything an exception shows: its text, repr, arguments and the whole chain's traceback."""
    parts = [str(error), repr(error), repr(error.args)]
    parts.append("".join(traceback.format_exception(error)))
    return "\n".join(parts)


def leaks(secret: str, texts: Iterable[str]) -> list[str]:
    """The texts that contain the secret (each cut around it, for the failure message)."""
    found = []
    for text in texts:
        at = text.find(secret)
        if at >= 0:
            found.append(text[max(0, at - 200) : at + 60])
    return found


class Collector(http.server.ThreadingHTTPServer):
    """A loopback HTTP server that accepts anything and keeps (path, headers, body)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        collector = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                collector.received.append((self.path, headers, body))
                payload = b"{}"
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_POST = do_PATCH = do_PUT = do_GET = _answer

            def log_message(self, *args: Any) -> None:
                return None

        super().__init__(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> Collector:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()

    def texts(self) -> list[str]:
        return [
            f"{path} {headers!r} {body.decode('utf-8', 'replace')}"
            for path, headers, body in self.received
        ]
