"""A local, deterministic emulator of the Infron LLM gateway (a Starlette ASGI app).

Ways to run it::

    # in-process
    app = create_app()
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox/v1")

    # on loopback, in a background thread
    with run_sandbox() as sb:
        openai.OpenAI(base_url=sb.base_url, api_key=sb.api_key)

    # pytest: the ``infron_sandbox`` fixture (see ``pytest_plugin``)

    # a separate process
    python -m infron_integrations.sandbox --port 8765

Importing this package is cheap: the Starlette app and the server are imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .config import DEFAULT_API_KEY, DEFAULT_NO_CREDIT_KEY, SandboxConfig

if TYPE_CHECKING:
    from .app import create_app
    from .billing import CostBreakdown, compute_cost
    from .server import SandboxHandle, SandboxServer, run_sandbox
    from .state import RecordedRequest, SandboxState, ScriptedError
    from .tokens import count_tokens

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_NO_CREDIT_KEY",
    "CostBreakdown",
    "RecordedRequest",
    "SandboxConfig",
    "SandboxHandle",
    "SandboxServer",
    "SandboxState",
    "ScriptedError",
    "compute_cost",
    "count_tokens",
    "create_app",
    "run_sandbox",
]

_LAZY = {
    "create_app": "app",
    "CostBreakdown": "billing",
    "compute_cost": "billing",
    "SandboxHandle": "server",
    "SandboxServer": "server",
    "run_sandbox": "server",
    "RecordedRequest": "state",
    "SandboxState": "state",
    "ScriptedError": "state",
    "count_tokens": "tokens",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
