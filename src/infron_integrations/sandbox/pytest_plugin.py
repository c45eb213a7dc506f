"""Pytest fixtures for the Infron sandbox (auto-loaded through the ``pytest11`` entry point).

* ``infron_sandbox_server`` (session scope): one loopback :class:`SandboxServer` per session.
* ``infron_sandbox`` (function scope): a :class:`SandboxHandle` on that server, its state reset
  before each test.

This module imports nothing heavy: starlette/uvicorn are imported only when a fixture is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .server import SandboxHandle, SandboxServer


@pytest.fixture(scope="session")
def infron_sandbox_server() -> Iterator[SandboxServer]:
    """The session's loopback sandbox (started once, stopped at the end of the session)."""
    from .server import SandboxServer

    server = SandboxServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def infron_sandbox(infron_sandbox_server: SandboxServer) -> Iterator[SandboxHandle]:
    """A freshly reset sandbox: ``base_url``, ``api_key``, ``app``, ``script()``, ``requests``..."""
    from .server import SandboxHandle

    infron_sandbox_server.state.reset()
    handle = SandboxHandle(infron_sandbox_server)
    yield handle
    infron_sandbox_server.state.reset()
