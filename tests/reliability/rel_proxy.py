"""A real ``litellm --config`` proxy for the reliability tests, bounded in time and killed by pid.

Same approach as ``tests/litellm/test_litellm_proxy.py`` (a subprocess in its own session, health
polled, SIGTERM then SIGKILL to its process group), with a config made for fault injection:

* ``infron/*`` passes any model id through to the Infron handler, so a client asks for
  ``infron/sandbox/fault-429`` and the sandbox injects that fault;
* ``timeout/*`` is the same route with a 0.4 s upstream timeout (the "slow response" row);
* the router retries once (``num_retries: 1``), and its backoff is shortened through LiteLLM's own
  ``INITIAL_RETRY_DELAY``/``JITTER`` settings so the suite stays fast; a ``Retry-After`` sent by
  the gateway is still honoured.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import openai

ROOT = Path(__file__).resolve().parents[2]
LITELLM = Path(sys.executable).parent / "litellm"
START_TIMEOUT = 120.0
#: upstream timeout of the ``timeout/*`` route (seconds), as the SDK columns' client timeout
PROXY_TIMEOUT = 0.4
NUM_RETRIES = 1

CONFIG = """\
model_list:
  - model_name: "infron/*"
    litellm_params:
      model: "infron/*"
      api_key: os.environ/INFRON_API_KEY
      api_base: os.environ/INFRON_BASE_URL
  - model_name: "timeout/*"
    litellm_params:
      model: "infron/*"
      api_key: os.environ/INFRON_API_KEY
      api_base: os.environ/INFRON_BASE_URL
      timeout: {timeout}
litellm_settings:
  custom_provider_map:
    - {{"provider": "infron", "custom_handler": infron_integrations.litellm.handler}}
  callbacks: ["infron_integrations.litellm.hooks"]
  num_retries: {retries}
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
"""


class Proxy:
    """A running proxy: its URL, master key and log file."""

    def __init__(self, url: str, master_key: str, log: Path) -> None:
        self.url = url
        self.master_key = master_key
        self.log = log

    def client(self, **kwargs: object) -> openai.OpenAI:
        """An ``openai.OpenAI`` on the proxy, as a proxy user would have (no client retries)."""
        return openai.OpenAI(
            api_key=self.master_key,
            base_url=self.url + "/v1",
            max_retries=0,
            timeout=60,
            **kwargs,  # type: ignore[arg-type]
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)  # its own session: the group id is its pid
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


class ProxyProcess:
    """The proxy subprocess: :meth:`start` returns at once (the proxy takes ~10 s to import and
    boot, so it is started early and overlaps other tests), :meth:`ready` waits for its health
    check, :meth:`stop` ends it by pid."""

    def __init__(self, api_key: str, base_url: str, workdir: Path) -> None:
        self.api_key = api_key
        self.base_url = base_url
        self.workdir = workdir
        self.log = workdir / "proxy.log"
        self.master_key = "sk-proxy-rel-" + secrets.token_hex(8)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self._proxy: Proxy | None = None

    def start(self) -> ProxyProcess:
        config = self.workdir / "config.yaml"
        config.write_text(CONFIG.format(timeout=PROXY_TIMEOUT, retries=NUM_RETRIES))
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("INFRON_", "LITELLM_", "DATABASE_URL", "OPENAI_"))
        }
        env.update(
            INFRON_API_KEY=self.api_key,
            INFRON_BASE_URL=self.base_url,
            LITELLM_MASTER_KEY=self.master_key,
            LITELLM_LOCAL_MODEL_COST_MAP="True",
            NO_PROXY="127.0.0.1,localhost",
            INITIAL_RETRY_DELAY="0.05",
            JITTER="0.05",
        )
        # the session's catalog cache (conftest.py), where the proxy finds the catalog fresh
        if os.environ.get("INFRON_CACHE_DIR"):
            env["INFRON_CACHE_DIR"] = os.environ["INFRON_CACHE_DIR"]
        command = [str(LITELLM), "--config", str(config), "--host", "127.0.0.1"]
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [*command, "--port", str(self.port)],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
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
                raise RuntimeError(f"the proxy exited: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(self.url + "/health/liveliness", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"the proxy did not start: {self.log.read_text()[-3000:]}")
            time.sleep(0.25)
        self._proxy = Proxy(self.url, self.master_key, self.log)
        return self._proxy

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)


@contextmanager
def run_proxy(api_key: str, base_url: str, workdir: Path) -> Iterator[ProxyProcess]:
    """Start the proxy against ``base_url`` (a loopback sandbox); stop it on exit."""
    process = ProxyProcess(api_key, base_url, workdir).start()
    try:
        yield process
    finally:
        process.stop()
