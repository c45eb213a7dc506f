"""The sandbox itself: binds loopback by default, requires its key, survives malformed requests.

Every other reliability test leans on the sandbox, so it gets the same treatment: it must not be
reachable from other hosts, must not answer without its key (nor echo a wrong one), and a
malformed request must get a 4xx in the documented error shape, never take the server down.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from infron_integrations.sandbox import SandboxServer

CHAT_BODY = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
WRONG_KEY = "sk-infron-wrong-0123456789abcdef"


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


def _non_loopback_address() -> str | None:
    """This machine's address on its default route (a UDP "connect" sends nothing)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 9))
            address = str(probe.getsockname()[0])
    except OSError:
        return None
    return None if address.startswith("127.") else address


def _assert_alive(http: httpx.Client, sandbox: Any) -> None:
    assert http.get(sandbox.url + "/health").status_code == 200
    response = http.post(
        sandbox.base_url + "/chat/completions",
        json=CHAT_BODY,
        headers={"Authorization": f"Bearer {sandbox.api_key}"},
    )
    assert response.status_code == 200
    assert response.json()["choices"][0]["message"]["content"].startswith('You said: "hi"')


# --- loopback -----------------------------------------------------------------------------------


def test_binds_loopback_by_default() -> None:
    with SandboxServer() as server:
        assert server.host == "127.0.0.1"
        assert server.base_url.startswith("http://127.0.0.1:")
        assert server._socket is not None
        assert server._socket.getsockname()[0] == "127.0.0.1"
        address = _non_loopback_address()
        if address is not None:  # not reachable from this machine's other interface
            with pytest.raises(OSError), socket.create_connection((address, server.port), 2):
                pass


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10"])
def test_refuses_other_interfaces_unless_told(host: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        SandboxServer(host=host)


def test_command_line_refuses_other_interfaces() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "infron_integrations.sandbox", "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "--allow-non-loopback" in result.stderr


def test_session_sandbox_is_on_loopback(infron_sandbox: Any) -> None:
    assert httpx.URL(infron_sandbox.base_url).host == "127.0.0.1"


# --- its key ----------------------------------------------------------------------------------

ENDPOINTS = [
    ("GET", "/models", None),
    ("GET", "/models/openai/gpt-4o-mini", None),
    ("GET", "/balance", None),
    ("POST", "/chat/completions", CHAT_BODY),
    ("POST", "/embeddings", {"model": "qwen/qwen3-embedding-0.6b", "input": "hi"}),
    ("POST", "/rerank", {"model": "qwen/qwen3-reranker-0.6b", "query": "q", "documents": ["d"]}),
    ("POST", "/messages", {**CHAT_BODY, "max_tokens": 10}),
    ("POST", "/responses", {"model": "openai/gpt-4o-mini", "input": "hi"}),
]
BAD_AUTH = {
    "none": {},
    "wrong-key": {"Authorization": f"Bearer {WRONG_KEY}"},
    "empty-bearer": {"Authorization": "Bearer"},
    "basic-scheme": {"Authorization": "Basic c2staW5mcm9uLXNhbmRib3g6"},
    "key-without-scheme": {"Authorization": "sk-infron-sandbox"},
}


@pytest.mark.parametrize("auth", list(BAD_AUTH), ids=list(BAD_AUTH))
@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=[p for _, p, _ in ENDPOINTS])
def test_every_endpoint_requires_the_key(
    http: httpx.Client, infron_sandbox: Any, auth: str, method: str, path: str, body: Any
) -> None:
    response = http.request(
        method, infron_sandbox.base_url + path, json=body, headers=BAD_AUTH[auth]
    )
    assert response.status_code == 401
    error = response.json()
    assert error["error"]["code"] == 401
    assert error["request_id"] == response.headers["x-request-id"]
    assert WRONG_KEY not in response.text  # a presented key is never echoed
    assert all(r.status == 401 for r in infron_sandbox.requests)
    assert infron_sandbox.state.balance(infron_sandbox.api_key) == 100  # nothing was charged


def test_key_in_the_query_string_is_not_accepted(http: httpx.Client, infron_sandbox: Any) -> None:
    url = infron_sandbox.base_url + "/chat/completions"
    for name in ("api_key", "key"):
        response = http.post(url, json=CHAT_BODY, params={name: infron_sandbox.api_key})
        assert response.status_code == 401


# --- malformed requests -------------------------------------------------------------------------

JSON = {"content-type": "application/json"}
MALFORMED: dict[str, dict[str, Any]] = {
    "invalid-json": {"content": b"{not json", "headers": JSON},
    "json-array": {"json": [1, 2]},
    "json-string": {"json": "hi"},
    "empty-body": {"content": b""},
    "not-utf8": {"content": b"\xff\xfe\x00garbage", "headers": JSON},
    "text-plain": {"content": b"{}", "headers": {"content-type": "text/plain"}},
    "no-model": {"json": {"messages": CHAT_BODY["messages"]}},
    "messages-not-a-list": {"json": {"model": "openai/gpt-4o-mini", "messages": "hi"}},
    "message-not-an-object": {"json": {"model": "openai/gpt-4o-mini", "messages": [1]}},
    "unknown-role": {
        "json": {"model": "openai/gpt-4o-mini", "messages": [{"role": "x", "content": "hi"}]}
    },
    "content-a-number": {
        "json": {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": 5}]}
    },
    "nested-too-deep": {"content": b"[" * 5000 + b"]" * 5000, "headers": JSON},
    # Python's json module reads these; JSON itself has no NaN or Infinity
    "nan": {"content": b'{"model": "openai/gpt-4o-mini", "temperature": NaN}', "headers": JSON},
    "infinity": {"content": b'{"model": "x", "top_p": -Infinity}', "headers": JSON},
    "max-tokens-a-string": {"json": {**CHAT_BODY, "max_tokens": "many"}},
    "stream-a-string": {"json": {**CHAT_BODY, "stream": "yes"}},
    "n-too-large": {"json": {**CHAT_BODY, "n": 100000}},
    "tool-without-function": {"json": {**CHAT_BODY, "tools": [{"type": "function"}]}},
    "unknown-provider-key": {"json": {**CHAT_BODY, "provider": {"sortt": "price"}}},
    "unknown-fault": {"json": CHAT_BODY, "headers": {"x-infron-sandbox-fault": "explode"}},
    "too-large": {"content": b'{"model": "' + b"a" * (33 * 1024 * 1024) + b'"}', "headers": JSON},
}


BODY_PATHS = ["/chat/completions", "/embeddings", "/rerank", "/responses"]
#: every case on every body endpoint, but one 33 MB upload is enough
MALFORMED_CALLS = [
    (case, path)
    for case in MALFORMED
    for path in BODY_PATHS
    if case != "too-large" or path == "/chat/completions"
]


@pytest.mark.parametrize(
    ("case", "path"), MALFORMED_CALLS, ids=[f"{p[1:]}-{c}" for c, p in MALFORMED_CALLS]
)
def test_malformed_bodies_get_a_documented_4xx(
    http: httpx.Client, infron_sandbox: Any, case: str, path: str
) -> None:
    kwargs = dict(MALFORMED[case])
    headers = {"Authorization": f"Bearer {infron_sandbox.api_key}", **kwargs.pop("headers", {})}
    response = http.post(infron_sandbox.base_url + path, headers=headers, **kwargs)
    assert 400 <= response.status_code < 500, response.text[:300]
    error = response.json()
    assert error["error"]["code"] == response.status_code
    assert error["error"]["message"]
    assert error["request_id"] == response.headers["x-request-id"]


RAW_GARBAGE = {
    "not-http": b"GARBAGE\r\n\r\n",
    "tls-hello": b"\x16\x03\x01\x02\x00\x01\x00",
    "truncated-body": (
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b'Content-Length: 1000\r\n\r\n{"mod'
    ),
    "huge-header": b"GET /health HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * 100_000 + b"\r\n\r\n",
    "half-request-line": b"POST /v1/chat/comp",
}


@pytest.mark.parametrize("raw", list(RAW_GARBAGE.values()), ids=list(RAW_GARBAGE))
def test_survives_garbage_on_the_socket(
    http: httpx.Client, infron_sandbox: Any, raw: bytes
) -> None:
    port = httpx.URL(infron_sandbox.base_url).port
    assert port is not None
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall(raw)
        sock.settimeout(0.5)
        with contextlib.suppress(TimeoutError, OSError):
            sock.recv(100)  # an answer or a timeout; then the client goes away mid-request
    _assert_alive(http, infron_sandbox)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_a_client_leaving_mid_body_is_logged_as_499_without_a_traceback(
    http: httpx.Client, infron_sandbox: Any
) -> None:
    """The request log shows 499 (client closed the request); the server logs nothing."""
    port = httpx.URL(infron_sandbox.base_url).port
    assert port is not None
    records = _Records()
    loggers = [logging.getLogger(name) for name in ("uvicorn.error", "infron_integrations")]
    for log in loggers:
        log.addHandler(records)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            sock.sendall(
                b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                b"Content-Type: application/json\r\n"
                b"Authorization: Bearer " + infron_sandbox.api_key.encode() + b"\r\n"
                b'Content-Length: 1000\r\n\r\n{"model": "openai/gpt-4o-mini", "mess'
            )
            deadline = time.monotonic() + 5
            while not infron_sandbox.requests and time.monotonic() < deadline:
                time.sleep(0.01)  # the server has started reading the body
        deadline = time.monotonic() + 5
        while infron_sandbox.requests[-1].status is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert infron_sandbox.requests[-1].status == 499
        _assert_alive(http, infron_sandbox)
    finally:
        for log in loggers:
            log.removeHandler(records)
    assert [r.getMessage() for r in records.records] == []


def test_survives_clients_leaving_mid_stream(http: httpx.Client, infron_sandbox: Any) -> None:
    headers = {"Authorization": f"Bearer {infron_sandbox.api_key}"}
    for _ in range(20):
        with http.stream(
            "POST",
            infron_sandbox.base_url + "/chat/completions",
            json={**CHAT_BODY, "stream": True},
            headers=headers,
        ) as response:
            assert response.status_code == 200
            next(response.iter_bytes())  # read one frame, then hang up
    _assert_alive(http, infron_sandbox)
