"""A real ``litellm --config`` proxy for the reliability tests, bounded in time and killed by pid.

The launcher is ``tests/proxy_process.py``'s (a subprocess in its own session, health polled,
SIGTERM then SIGKILL to its process group), with a config made for fault injection:

* ``infron/*`` passes any model id through to the Infron handler, so a client asks for
  ``infron/sandbox/fault-429`` and the sandbox injects that fault;
* ``timeout/*`` is the same route with a 0.4 s upstream timeout (the "slow response" row);
* the router retries once (``num_retries: 1``), and its backoff is shortened through LiteLLM's own
  ``INITIAL_RETRY_DELAY``/``JITTER`` settings so the suite stays fast; a ``Retry-After`` sent by
  the gateway is still honoured.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from proxy_process import LITELLM, ProxyProcess, start_proxy

__all__ = ["CONFIG", "LITELLM", "run_proxy"]

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


@contextmanager
def run_proxy(api_key: str, base_url: str, workdir: Path) -> Iterator[ProxyProcess]:
    """Start the proxy against ``base_url`` (a loopback sandbox), not waiting for it to be ready
    (``.ready()`` does); stop it on exit."""
    config = workdir / "config.yaml"
    config.write_text(CONFIG.format(timeout=PROXY_TIMEOUT, retries=NUM_RETRIES))
    env = {"INITIAL_RETRY_DELAY": "0.05", "JITTER": "0.05"}
    # the session's catalog cache (conftest.py), where the proxy finds the catalog fresh
    if os.environ.get("INFRON_CACHE_DIR"):
        env["INFRON_CACHE_DIR"] = os.environ["INFRON_CACHE_DIR"]
    with start_proxy(
        config, api_key=api_key, base_url=base_url, workdir=workdir, env=env
    ) as process:
        yield process
