"""Keep the Infron key away from OpenAI's trace exporter, and keep tracing useful.

The Agents SDK exports traces to ``https://api.openai.com/v1/traces/ingest`` with the key given to
``set_tracing_export_api_key``, or the one given to ``set_default_openai_client`` (its
``use_for_tracing`` defaults to True), or ``OPENAI_API_KEY``. The Infron docs' recipe passes the
Infron client to ``set_default_openai_client``, and gateways are often configured by putting the
gateway key in ``OPENAI_API_KEY``: either way the Infron key would be sent to OpenAI.

:class:`~infron_integrations.openai_agents.InfronProvider` never hands its key to the SDK's
tracing, and checks on construction and on every model lookup (once per turn) whether the
exporter would authenticate with the Infron key; if so, OpenAI export is switched off (one warning
of ours says so; the SDK's exporter then logs that it skips each export for want of a key). Other
trace processors keep working.

To keep traces on the OpenAI dashboard, give the exporter a real OpenAI key::

    from infron_integrations.openai_agents import use_openai_tracing
    use_openai_tracing("sk-...")          # or set_tracing_export_api_key("sk-...")

or send them elsewhere with your own processor (nothing leaves the process by default)::

    from agents import add_trace_processor, set_trace_processors
    set_trace_processors([MyProcessor()])  # replaces the OpenAI exporter
"""

from __future__ import annotations

import hmac
import logging
import os
import threading

from pydantic import SecretStr

from ..core.errors import InfronConfigError

__all__ = ["disable_openai_trace_export", "protect_trace_export", "use_openai_tracing"]

logger = logging.getLogger("infron_integrations.openai_agents")

_warned = threading.Event()


def _secret(key: str | SecretStr) -> str:
    return key.get_secret_value() if isinstance(key, SecretStr) else key


def _exporter() -> object:
    from agents.tracing import processors

    return processors.default_exporter()


def _effective_key(exporter: object) -> str | None:
    # The exporter caches `api_key` (a cached_property) on first export; read the cached value
    # when there is one, else what it would compute: the key it was given, else OPENAI_API_KEY.
    cached = vars(exporter).get("api_key", _MISSING)
    if cached is not _MISSING:
        return cached if isinstance(cached, str) else None
    given = getattr(exporter, "_api_key", None)
    return given or os.environ.get("OPENAI_API_KEY")


_MISSING = object()


def _same(a: str | None, b: str) -> bool:
    return bool(a) and hmac.compare_digest(str(a).encode(), b.encode())


def disable_openai_trace_export() -> None:
    """Stop the SDK's exporter from sending traces to OpenAI (other processors are unaffected).

    ``use_openai_tracing(key)`` or ``set_tracing_export_api_key(key)`` turns it back on.
    """
    exporter = _exporter()
    # `api_key` is a cached_property without a setter: assigning the instance attribute is how
    # its cached value is set. A falsy key makes the exporter skip the export.
    exporter.api_key = None  # type: ignore[attr-defined]


def protect_trace_export(infron_key: str | SecretStr) -> bool:
    """Switch OpenAI trace export off if it would authenticate with ``infron_key``.

    Returns:
        True if export was switched off by this call.
    """
    key = _secret(infron_key)
    if not key:
        return False
    return TraceGuard(key).check()


class TraceGuard:
    """:func:`protect_trace_export` for one key, cheap enough to run on every model lookup."""

    __slots__ = ("_key",)

    def __init__(self, infron_key: str | SecretStr) -> None:
        self._key = _secret(infron_key).encode()

    def check(self) -> bool:
        """Switch export off if it would use the key; True if it was switched off now."""
        exporter = _exporter()
        effective = _effective_key(exporter)
        if not effective or not hmac.compare_digest(effective.encode(), self._key):
            return False
        _disable(exporter)
        return True


def _disable(exporter: object) -> None:
    exporter.api_key = None  # type: ignore[attr-defined]  # see disable_openai_trace_export
    if not _warned.is_set():
        _warned.set()
        logger.warning(
            "The OpenAI trace exporter was set to authenticate with the Infron API key (through "
            "set_default_openai_client, set_tracing_export_api_key or OPENAI_API_KEY); trace export "
            "to OpenAI is now off so the key is not sent there. To keep OpenAI tracing call "
            "infron_integrations.openai_agents.use_openai_tracing('<your OpenAI key>'), or add "
            "your own processor with agents.set_trace_processors([...])."
        )


def use_openai_tracing(openai_api_key: str | SecretStr, *, infron_key: str | None = None) -> None:
    """Export traces to OpenAI with a real OpenAI key.

    Args:
        openai_api_key: an OpenAI platform key.
        infron_key: the Infron key in use (defaults to ``INFRON_API_KEY``); passing the Infron key
            as the OpenAI key is refused.

    Raises:
        InfronConfigError: ``openai_api_key`` is empty or is the Infron key.
    """
    key = _secret(openai_api_key)
    if not key or not key.strip():
        raise InfronConfigError("use_openai_tracing needs an OpenAI API key (sk-...).")
    infron = infron_key or os.environ.get("INFRON_API_KEY")
    if infron and _same(key, infron):
        raise InfronConfigError(
            "That is the Infron API key; OpenAI's trace exporter needs an OpenAI platform key. "
            "Pass an OpenAI key, or keep tracing local with your own trace processor."
        )
    from agents import set_tracing_export_api_key

    set_tracing_export_api_key(key)
