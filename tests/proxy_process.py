"""A real ``litellm --config`` proxy process for the proxy tests, bounded in time, ended by pid.

The proxy runs in its own session (so its workers form one process group), bound to 127.0.0.1,
pointed at a loopback sandbox; it is stopped with SIGTERM to its group, then SIGKILL if it has not
exited within :data:`STOP_TIMEOUT`. The environment it gets is this one without ``INFRON_*``,
``LITELLM_*``, ``OPENAI_*`` and ``DATABASE_URL``, plus what the caller passes.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import openai

ROOT = Path(__file__).resolve().parents[1]
LITELLM = Path(sys.executable).parent / "litellm"
START_TIMEOUT = 120.0
STOP_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Proxy:
    """A running proxy: URL, master key, log file and process."""

    def __init__(self, url: str, master_key: str, log: Path, process: subprocess.Popen[bytes]):
        self.url = url
        self.master_key = master_key
        self.log = log
        self.process = process

    def client(self, **kwargs: object) -> openai.OpenAI:
        """An ``openai.OpenAI`` on the proxy, as a proxy user would have (no client retries)."""
        return openai.OpenAI(
            api_key=self.master_key,
            base_url=self.url + "/v1",
            max_retries=0,
            timeout=60,
            **kwargs,  # type: ignore[arg-type]
        )

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.master_key}"}


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)  # its own session: the group id is its pid
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT)


class ProxyProcess:
    """The proxy subprocess: :meth:`start` returns at once (the proxy takes seconds to import and
    boot, so a session may start it early and let the boot overlap other tests), :meth:`ready`
    waits for its health check, :meth:`stop` ends it by pid."""

    def __init__(
        self,
        config: Path,
        *,
        api_key: str,
        base_url: str,
        workdir: Path,
        args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.config = config
        self.args = tuple(args)
        self.log = workdir / "proxy.log"
        self.master_key = "sk-proxy-test-" + secrets.token_hex(8)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("INFRON_", "LITELLM_", "DATABASE_URL", "OPENAI_"))
        }
        self.env.update(
            INFRON_API_KEY=api_key,
            INFRON_BASE_URL=base_url,
            LITELLM_MASTER_KEY=self.master_key,
            LITELLM_LOCAL_MODEL_COST_MAP="True",
            NO_PROXY="127.0.0.1,localhost",
            **(env or {}),
        )
        self.process: subprocess.Popen[bytes] | None = None
        self._proxy: Proxy | None = None

    def start(self) -> ProxyProcess:
        command = [str(LITELLM), "--config", str(self.config), "--host", "127.0.0.1"]
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [*command, "--port", str(self.port), *self.args],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=self.env,
                cwd=str(ROOT),
                start_new_session=True,
            )
        return self

    def ready(self) -> Proxy:
        if self._proxy is not None:
            return self._proxy
        assert self.process is not None, "start() the proxy first"
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the proxy exited with {self.process.returncode}:\n"
                    f"{self.log.read_text()[-3000:]}"
                )
            try:
                if httpx.get(self.url + "/health/liveliness", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"the proxy did not start in time:\n{self.log.read_text()[-3000:]}"
                )
            time.sleep(0.25)
        self._proxy = Proxy(self.url, self.master_key, self.log, self.process)
        return self._proxy

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)


@contextmanager
def start_proxy(config: Path, **kwargs: Any) -> Iterator[ProxyProcess]:
    """Start ``litellm --config config`` (see :class:`ProxyProcess`); stop it on exit."""
    process = ProxyProcess(config, **kwargs).start()
    try:
        yield process
    finally:
        process.stop()


@contextmanager
def run_proxy(config: Path, **kwargs: Any) -> Iterator[Proxy]:
    """Start ``litellm --config config`` on a free loopback port; yield it once healthy."""
    with start_proxy(config, **kwargs) as process:
        yield process.ready()
