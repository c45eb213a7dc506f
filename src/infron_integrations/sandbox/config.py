"""Configuration of the sandbox gateway (no third-party imports)."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_API_KEY = "sk-infron-sandbox"
"""The API key every sandbox accepts unless configured otherwise."""

DEFAULT_NO_CREDIT_KEY = "sk-infron-sandbox-no-credits"
"""A key that authenticates but is out of credits: paid endpoints answer 402."""


@dataclass(frozen=True)
class SandboxConfig:
    """How a sandbox instance behaves.

    Every field has a default that suits tests; build one with keyword arguments, e.g.
    ``SandboxConfig(api_keys=("k1", "k2"), down_providers=frozenset({"anthropic"}))``.
    """

    api_keys: tuple[str, ...] = (DEFAULT_API_KEY,)
    """Keys accepted as ``Authorization: Bearer <key>`` (and ``x-api-key`` on /v1/messages)."""
    out_of_credit_keys: tuple[str, ...] = (DEFAULT_NO_CREDIT_KEY,)
    """Keys that authenticate but get 402 on every paid endpoint (their balance is 0)."""
    initial_balance: float = 100.0
    """Starting credit balance (USD) of every key; each request's cost is debited."""
    account_name: str = "infron-sandbox"
    down_providers: frozenset[str] = field(default_factory=frozenset)
    """Upstream provider slugs that are simulated as down for every request."""
    min_cache_tokens: int = 0
    """Explicit ``cache_control`` prefixes shorter than this are not cached (real: 1024)."""
    implicit_cache_min_tokens: int = 1024
    """Implicit caching (openai/*, deepseek/*) only for prefixes of at least this many tokens."""
    keepalive_every: int = 5
    """Send the ``: INFRONAI PROCESSING`` comment after every N data frames of a stream."""
    stream_delay: float = 0.0
    """Seconds to sleep between stream frames (0: as fast as possible)."""
    max_slow_seconds: float = 30.0
    """Upper bound for the ``slow:<seconds>`` fault."""
    max_body_bytes: int = 32 * 1024 * 1024
    """Request bodies above this size are rejected with 413."""
    max_log_entries: int = 10_000
    """The request log keeps at most this many entries (oldest dropped first)."""
