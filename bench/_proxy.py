"""The LiteLLM proxy for ``bench_litellm.py``'s proxy rows: one ``litellm --config`` process (its
own session, bound to 127.0.0.1, stopped by pid) serving the same model twice on the same sandbox,
as ``infron/`` (this package's handler) and as LiteLLM's own ``openai/`` route, and a load
generator that keeps a fixed number of requests in flight."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from _harness import SANDBOX_KEY, free_port

MASTER_KEY = "sk-bench-proxy"
LITELLM = Path(sys.executable).parent / "litellm"

CONFIG = """\
model_list:
  - model_name: via-infron
    litellm_params:
      model: infron/{model}
      api_key: os.environ/INFRON_API_KEY
      api_base: os.environ/INFRON_BASE_URL
  - model_name: via-openai
    litellm_params:
      model: openai/{model}
      api_key: os.environ/INFRON_API_KEY
      api_base: os.environ/INFRON_BASE_URL
      # what infron/ sends by default, so the sandbox does the same work for both
      extra_body: {{"usage": {{"include": true}}}}
litellm_settings:
  custom_provider_map:
    - {{"provider": "infron", "custom_handler": infron_integrations.litellm.handler}}
  callbacks: ["infron_integrations.litellm.hooks"]
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
"""


def available() -> bool:
    """The proxy CLI and what it needs (``litellm[proxy]``; the SDK-only lane lacks fastapi)."""
    return LITELLM.exists() and importlib.util.find_spec("fastapi") is not None


@contextlib.contextmanager
def proxy_process(base_url: str, model: str, *, timeout: float = 120.0) -> Iterator[str]:
    """Run the proxy against ``base_url``; yield its URL."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-proxy-"))
    config = workdir / "config.yaml"
    config.write_text(CONFIG.format(model=model))
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("INFRON_", "LITELLM_", "OPENAI_", "DATABASE_URL"))
    }
    env.update(
        INFRON_API_KEY=SANDBOX_KEY,
        INFRON_BASE_URL=base_url,
        INFRON_CACHE_DIR=str(workdir),
        LITELLM_MASTER_KEY=MASTER_KEY,
        LITELLM_LOCAL_MODEL_COST_MAP="True",
        NO_PROXY="127.0.0.1,localhost",
    )
    log = (workdir / "proxy.log").open("wb")
    command = [str(LITELLM), "--config", str(config), "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(url + "/health/liveliness", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"the proxy did not start; see {workdir / 'proxy.log'}")
            time.sleep(0.25)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
        log.close()


class Load:
    """``requests`` requests to one model group, ``in_flight`` at a time."""

    def __init__(self, url: str, prompt: str, *, requests: int, in_flight: int) -> None:
        self.url = url
        self.prompt = prompt
        self.requests = requests
        self.in_flight = in_flight

    async def _one(self, client: httpx.AsyncClient, group: str, stream: bool) -> None:
        body = {"model": group, "messages": [{"role": "user", "content": self.prompt}]}
        if not stream:
            response = await client.post("/v1/chat/completions", json=body)
            response.raise_for_status()
            return
        body["stream"] = True
        async with client.stream("POST", "/v1/chat/completions", json=body) as response:
            response.raise_for_status()
            async for line in response.aiter_lines():
                if line == "data: [DONE]":
                    return
        raise RuntimeError("a stream ended without [DONE]")

    async def batch(self, group: str, stream: bool) -> None:
        """One batch; its time per request is what the row compares."""
        gate = asyncio.Semaphore(self.in_flight)
        async with httpx.AsyncClient(
            base_url=self.url,
            headers={"Authorization": f"Bearer {MASTER_KEY}"},
            timeout=60,
            limits=httpx.Limits(max_connections=self.in_flight),
        ) as client:

            async def gated() -> None:
                async with gate:
                    await self._one(client, group, stream)

            await asyncio.gather(*(gated() for _ in range(self.requests)))
