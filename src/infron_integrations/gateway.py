"""Pick the gateway for a script: the real Infron when a key is set, else the local sandbox.

Used by the quickstart and the examples so they run offline out of the box::

    from infron_integrations.gateway import live_or_sandbox

    with live_or_sandbox() as gw:
        llm = ChatInfron(model="openai/gpt-4o-mini")   # reads INFRON_API_KEY / INFRON_BASE_URL
        print("sandbox" if gw.is_sandbox else "live", gw.base_url)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .core.settings import DEFAULT_BASE_URL, ENV_API_KEY, ENV_BASE_URL, ENV_SEARCH_URL

__all__ = ["Gateway", "live_or_sandbox"]


@dataclass(frozen=True)
class Gateway:
    """Where requests go. ``api_key`` is only the sandbox's public test key or the user's own."""

    base_url: str
    api_key: str
    is_sandbox: bool

    def __repr__(self) -> str:  # never show a real key
        return f"Gateway(base_url={self.base_url!r}, is_sandbox={self.is_sandbox})"


@contextmanager
def live_or_sandbox(
    *, export_env: bool = True, announce: Callable[[str], None] | None = print
) -> Iterator[Gateway]:
    """Yield the real gateway if ``INFRON_API_KEY`` is set, else a loopback sandbox.

    Args:
        export_env: set ``INFRON_API_KEY``/``INFRON_BASE_URL`` inside the block (restored after),
            so every adapter built without arguments talks to the chosen gateway; with the
            sandbox, ``INFRON_SEARCH_URL`` too, so a search host set for live use is not sent
            the sandbox's key.
        announce: called once with a line saying which gateway is used; None for silence.
    """
    key = os.environ.get(ENV_API_KEY)
    if key:
        base_url = os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL
        if announce:
            announce(f"Using the Infron gateway at {base_url} (INFRON_API_KEY is set).")
        yield Gateway(base_url=base_url, api_key=key, is_sandbox=False)
        return

    from .sandbox import run_sandbox

    with run_sandbox() as server:
        gateway = Gateway(base_url=server.base_url, api_key=server.api_key, is_sandbox=True)
        if announce:
            announce(
                f"INFRON_API_KEY is not set: using the built-in sandbox at {gateway.base_url} "
                "(offline, deterministic answers, the sandbox's own prices)."
            )
        exported = (ENV_API_KEY, ENV_BASE_URL, ENV_SEARCH_URL)
        saved = {name: os.environ.get(name) for name in exported}
        if export_env:
            os.environ[ENV_API_KEY] = gateway.api_key
            os.environ[ENV_BASE_URL] = gateway.base_url
            os.environ[ENV_SEARCH_URL] = gateway.base_url  # the sandbox serves the Search APIs
        try:
            yield gateway
        finally:
            if export_env:
                for name, value in saved.items():
                    if value is None:
                        os.environ.pop(name, None)
                    else:
                        os.environ[name] = value
