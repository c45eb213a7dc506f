"""A real ``redis-server`` for the scaled-out proxy test: the Debian package, installed on first
use when missing, started on a free loopback port and stopped by pid.

``ensure_installed`` returns the binary or a reason it cannot be had (not root, no ``apt-get``,
the package index unreachable); the caller skips with that reason. Installing is bounded in time
(``apt-get install``, and ``apt-get update`` first only when the install alone fails). The server
keeps nothing on disk (``--save ""``, no append-only file) and only listens on 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from proxy_process import free_port

INSTALL_TIMEOUT = 300.0
START_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0
PACKAGE = "redis-server"


def _binary() -> str | None:
    return shutil.which("redis-server") or (
        "/usr/bin/redis-server" if os.path.exists("/usr/bin/redis-server") else None
    )


def _apt(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    return subprocess.run(
        ["apt-get", *args], capture_output=True, text=True, timeout=timeout, env=env, check=False
    )


def ensure_installed() -> tuple[str | None, str]:
    """``(path, "")`` when redis-server is (or could be made) available, else ``(None, why)``."""
    found = _binary()
    if found:
        return found, ""
    if not shutil.which("apt-get"):
        return None, "redis-server is not installed and there is no apt-get to install it"
    if os.geteuid() != 0:
        return None, "redis-server is not installed and installing it needs root"
    deadline = time.monotonic() + INSTALL_TIMEOUT
    install = ("install", "-y", "--no-install-recommends", PACKAGE)
    try:
        result = _apt(*install, timeout=INSTALL_TIMEOUT)
        if result.returncode != 0:  # an empty or stale package index: refresh it once
            _apt("update", timeout=max(1.0, deadline - time.monotonic()))
            result = _apt(*install, timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        return None, f"installing {PACKAGE} took longer than {INSTALL_TIMEOUT:.0f} s"
    found = _binary()
    if found:
        return found, ""
    return None, f"apt-get could not install {PACKAGE}: {result.stderr.strip()[-400:]}"


def _ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def command(port: int, *words: str) -> bytes:
    """One Redis command over RESP, its raw reply (enough for DBSIZE/INFO in a test)."""
    payload = f"*{len(words)}\r\n" + "".join(f"${len(w)}\r\n{w}\r\n" for w in words)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(payload.encode())
        return sock.recv(65536)


@contextmanager
def redis_server(binary: str, workdir: Path) -> Iterator[int]:
    """A redis-server on a free 127.0.0.1 port for the duration of the block; yields the port."""
    port = free_port()
    log = workdir / "redis.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                binary,
                "--bind", "127.0.0.1",
                "--port", str(port),
                "--save", "",
                "--appendonly", "no",
                "--dir", str(workdir),
                "--daemonize", "no",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _ping(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start: {log.read_text()[-2000:]}")
            time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)
