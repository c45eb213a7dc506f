"""Prompt caching emulation.

Explicit caching: a ``cache_control`` breakpoint (``{"type": "ephemeral"}``, optional ``"ttl"``
of ``"5m"``, ``"1h"`` or an integer number of seconds) on a text content part or on a tool
definition marks the end of a cacheable prefix. The prefix is everything before it in the order
tools -> system -> messages. Entries are keyed by API key, model and the prefix content.

* The longest prefix already in the cache is a hit: ``cached_tokens`` = its token count.
* Every later breakpoint is written: ``cache_write_tokens`` = the tokens between the hit (or the
  start) and the last breakpoint; each segment is billed at the TTL of the breakpoint that closes
  it (TTL above 300 s counts as 1 h).
* More than 4 breakpoints in one request is a 400 (``param`` ``"messages"``).
* Prefixes shorter than ``SandboxConfig.min_cache_tokens`` (default 0) are not cached.

Implicit caching (models ``openai/*`` and ``deepseek/*``, no explicit breakpoint): every message
boundary whose prefix has at least ``SandboxConfig.implicit_cache_min_tokens`` (1024) tokens is
remembered; a later request sharing such a prefix reports it as ``cached_tokens`` (writes free).
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from typing import Any

from .behaviours import CacheOutcome
from .errors import SandboxError
from .normalize import GenRequest

MAX_BREAKPOINTS = 4
MAX_ENTRIES = 200_000
IMPLICIT_PREFIXES = ("openai/", "deepseek/")


def ttl_seconds(cache_control: dict[str, Any]) -> int:
    ttl = cache_control.get("ttl")
    if ttl == "1h":
        return 3600
    if isinstance(ttl, int) and not isinstance(ttl, bool) and ttl > 0:
        return ttl
    return 300


@dataclass(frozen=True)
class Breakpoint:
    key: str
    tokens: int
    ttl: int


def breakpoints(req: GenRequest, namespace: str, *, any_part: bool = False) -> list[Breakpoint]:
    """The cache breakpoints of ``req`` in prompt order (tools -> system -> messages)."""
    hasher = hashlib.sha256(namespace.encode())
    total = 0
    out: list[Breakpoint] = []
    for tool in req.tools:
        hasher.update(b"\x01" + tool.canonical.encode())
        total += tool.tokens
        if tool.cache_control is not None:
            out.append(
                Breakpoint(hasher.copy().hexdigest(), total, ttl_seconds(tool.cache_control))
            )
    for msg in req.messages:
        hasher.update(b"\x02" + msg.head_canonical().encode())
        total += msg.head_tokens()
        for part in msg.parts:
            hasher.update(b"\x03" + part.canonical.encode())
            total += part.tokens
            if part.cache_control is not None and (any_part or part.kind == "text"):
                ttl = ttl_seconds(part.cache_control)
                out.append(Breakpoint(hasher.copy().hexdigest(), total, ttl))
    if len(out) > MAX_BREAKPOINTS:
        raise SandboxError(
            400,
            f"A maximum of {MAX_BREAKPOINTS} blocks with cache_control may be provided. "
            f"Found {len(out)}.",
            param="messages",
        )
    return out


def message_boundaries(req: GenRequest, namespace: str) -> list[Breakpoint]:
    hasher = hashlib.sha256(("implicit\x00" + namespace).encode())
    total = 0
    for tool in req.tools:
        hasher.update(b"\x01" + tool.canonical.encode())
        total += tool.tokens
    out = []
    for msg in req.messages:
        hasher.update(b"\x02" + msg.head_canonical().encode())
        for part in msg.parts:
            hasher.update(b"\x03" + part.canonical.encode())
        total += msg.tokens
        out.append(Breakpoint(hasher.copy().hexdigest(), total, 300))
    return out


class PromptCache:
    """Thread-safe store of cached prefixes (key -> expiry time)."""

    def __init__(self) -> None:
        self._entries: dict[str, float] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def _alive(self, key: str, now: float) -> bool:
        expiry = self._entries.get(key)
        return expiry is not None and expiry > now

    def _store(self, key: str, expiry: float) -> None:
        self._entries.pop(key, None)
        self._entries[key] = max(expiry, self._entries.get(key, 0.0))
        while len(self._entries) > MAX_ENTRIES:
            self._entries.pop(next(iter(self._entries)))

    def apply(
        self,
        api_key: str,
        req: GenRequest,
        *,
        min_tokens: int = 0,
        implicit_min_tokens: int = 1024,
        any_part: bool = False,
        now: float | None = None,
    ) -> CacheOutcome:
        """Look up and update the cache for one request; returns its cache accounting."""
        now = time.monotonic() if now is None else now
        namespace = f"{api_key}\x00{req.model}"
        points = [
            b for b in breakpoints(req, namespace, any_part=any_part) if b.tokens >= min_tokens
        ]
        with self._lock:
            if points:
                return self._explicit(points, now)
            if req.model.startswith(IMPLICIT_PREFIXES):
                return self._implicit(req, namespace, implicit_min_tokens, now)
        return CacheOutcome()

    def _explicit(self, points: list[Breakpoint], now: float) -> CacheOutcome:
        hit = -1
        for i in range(len(points) - 1, -1, -1):
            if self._alive(points[i].key, now):
                hit = i
                break
        outcome = CacheOutcome(cached_tokens=points[hit].tokens if hit >= 0 else 0)
        previous = outcome.cached_tokens
        for i, point in enumerate(points):
            self._store(point.key, now + point.ttl)
            if i <= hit:
                continue
            segment = max(0, point.tokens - previous)
            previous = max(previous, point.tokens)
            if point.ttl > 300:
                outcome.write_1h_tokens += segment
            else:
                outcome.write_5m_tokens += segment
        return outcome

    def _implicit(
        self, req: GenRequest, namespace: str, min_tokens: int, now: float
    ) -> CacheOutcome:
        points = [b for b in message_boundaries(req, namespace) if b.tokens >= min_tokens]
        cached = 0
        for point in points:
            if self._alive(point.key, now):
                cached = point.tokens
        for point in points:
            self._store(point.key, now + point.ttl)
        return CacheOutcome(cached_tokens=cached)
