"""Keep the Infron key away from OpenAI's trace exporter, and keep tracing useful.

The Agents SDK exports traces to ``https://api.openai.com/v1/traces/ingest`` with a run's own
tracing key (``RunConfig(tracing={"api_key": ...})``), else the key given to
``set_tracing_export_api_key``, or to ``set_default_openai_client`` / ``set_default_openai_key``
(their ``use_for_tracing`` defaults to True), else ``OPENAI_API_KEY``. The Infron docs' recipe
passes the Infron client to ``set_default_openai_client``, and gateways are often configured by
putting the gateway key in ``OPENAI_API_KEY``: either way the Infron key would be sent to OpenAI.

:class:`~infron_integrations.openai_agents.InfronProvider` never hands its key to the SDK's
tracing, and registers it as protected. The decision is taken when a batch is exported, not at
set-up: every trace and span whose export would authenticate with a protected key is withheld
(one warning of ours says so), whatever was configured before or after the provider, and however
the key got there. Traces exported with any other key, and other trace processors, are untouched.

To keep traces on the OpenAI dashboard, give the exporter a real OpenAI key::

    from infron_integrations.openai_agents import use_openai_tracing
    use_openai_tracing("sk-...")          # or set_tracing_export_api_key("sk-...")

or send them elsewhere with your own processor (nothing leaves the process by default)::

    from agents import add_trace_processor, set_trace_processors
    set_trace_processors([MyProcessor()])  # replaces the OpenAI exporter

The guard sits on the SDK's default exporter (the one ``set_tracing_export_api_key`` configures);
an exporter you build yourself sends with the key you give it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import threading
from typing import Any

from pydantic import SecretStr

from ..core.errors import InfronConfigError
from ._compat import filter_exports, pin_export_key

__all__ = ["disable_openai_trace_export", "protect_trace_export", "use_openai_tracing"]

logger = logging.getLogger("infron_integrations.openai_agents")


def _secret(key: str | SecretStr) -> str:
    return key.get_secret_value() if isinstance(key, SecretStr) else key


def _digest(key: str) -> bytes:
    # only digests are kept: the guard never holds a copy of a key, and compares fixed-size values
    return hashlib.sha256(key.encode()).digest()


def _default_exporter() -> Any:
    from agents.tracing import processors

    return processors.default_exporter()


class _ExportGuard:
    """What the default exporter may send, decided for each batch it exports."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        #: digests of the protected keys; replaced, never mutated, so the export thread reads it
        #: without the lock
        self.protected: frozenset[bytes] = frozenset()
        #: no export to OpenAI at all (disable_openai_trace_export)
        self.disabled = False
        self._guarded: Any = None
        self._warned = False

    def install(self) -> None:
        """Put the filter on the SDK's default exporter (once)."""
        exporter = _default_exporter()
        with self._lock:
            if self._guarded is not exporter:
                filter_exports(exporter, self.select)
                self._guarded = exporter

    def protect(self, key: str) -> bool:
        """Protect ``key``; True if it was not protected yet."""
        digest = _digest(key)
        with self._lock:
            new = digest not in self.protected
            if new:
                self.protected = self.protected | {digest}
        self.install()
        return new

    def is_protected(self, key: str) -> bool:
        return _matches(_digest(key), self.protected)

    def select(self, exporter: Any, items: list[Any]) -> list[Any]:
        """The items of a batch that may be exported; runs on the exporter's thread."""
        if self.disabled:
            return []
        protected = self.protected
        if not protected:
            return items
        exporter_key: str | None = None
        exporter_key_read = False
        verdicts: dict[str, bool] = {}
        kept: list[Any] = []
        withheld = 0
        for item in items:
            own = getattr(item, "tracing_api_key", None)
            if own:
                key: str | None = own
            else:
                if not exporter_key_read:
                    # read once per batch, as the exporter does; then pinned on what is sent
                    exporter_key = exporter.api_key
                    exporter_key_read = True
                key = exporter_key
            if key:
                bad = verdicts.get(key)
                if bad is None:
                    bad = verdicts[key] = _matches(_digest(key), protected)
                if bad:
                    withheld += 1
                    continue
            kept.append(item if own or not key else pin_export_key(item, key))
        if withheld:
            self._warn()
        return kept

    def _warn(self) -> None:
        if self._warned:
            return
        self._warned = True
        logger.warning(
            "OpenAI trace export would have authenticated with the Infron API key (set through "
            "OPENAI_API_KEY, set_default_openai_client, set_tracing_export_api_key or a run's "
            "tracing api_key); those traces are not exported, so the key is not sent to OpenAI. "
            "To keep OpenAI tracing call infron_integrations.openai_agents.use_openai_tracing("
            "'<your OpenAI key>'), or add your own processor with "
            "agents.set_trace_processors([...])."
        )


def _matches(digest: bytes, protected: frozenset[bytes]) -> bool:
    found = False
    for candidate in protected:
        # every candidate is compared, in constant time each
        found |= hmac.compare_digest(digest, candidate)
    return found


_guard = _ExportGuard()


def disable_openai_trace_export() -> None:
    """Stop the SDK's exporter from sending traces to OpenAI (other processors are unaffected).

    Holds whatever key is configured later; ``use_openai_tracing(key)`` turns export back on.
    """
    _guard.disabled = True
    _guard.install()


def protect_trace_export(infron_key: str | SecretStr) -> bool:
    """Never let OpenAI's trace exporter authenticate with ``infron_key``.

    :class:`InfronProvider` calls this for its key (unless ``protect_tracing=False``); call it
    yourself for a key used elsewhere. Traces whose export would use the key are withheld when
    they are exported, however the key reached the exporter, before or after this call.

    Returns:
        True if the key was not protected before this call.
    """
    key = _secret(infron_key)
    if not key:
        return False
    return _guard.protect(key)


def use_openai_tracing(openai_api_key: str | SecretStr, *, infron_key: str | None = None) -> None:
    """Export traces to OpenAI with a real OpenAI key (after ``disable_openai_trace_export`` too).

    Args:
        openai_api_key: an OpenAI platform key.
        infron_key: the Infron key in use (defaults to ``INFRON_API_KEY``); passing the Infron key
            (or any key protected by :func:`protect_trace_export`) as the OpenAI key is refused.

    Raises:
        InfronConfigError: ``openai_api_key`` is empty or is the Infron key.
    """
    key = _secret(openai_api_key)
    if not key or not key.strip():
        raise InfronConfigError("use_openai_tracing needs an OpenAI API key (sk-...).")
    infron = infron_key or os.environ.get("INFRON_API_KEY")
    if (infron and hmac.compare_digest(_digest(key), _digest(infron))) or _guard.is_protected(key):
        raise InfronConfigError(
            "That is the Infron API key; OpenAI's trace exporter needs an OpenAI platform key. "
            "Pass an OpenAI key, or keep tracing local with your own trace processor."
        )
    from agents import set_tracing_export_api_key

    _guard.disabled = False
    set_tracing_export_api_key(key)
