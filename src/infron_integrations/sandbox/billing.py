"""Cost accounting: the sandbox's documented cost convention as a pure function.

The convention (every response that asks for ``usage: {"include": true}`` follows it):

* ``input_tokens = prompt_tokens - cached_tokens - cache_write_tokens`` (Billing Tracking docs).
* ``prompt_cost = input_tokens * prompt_price + request_price`` (uncached input only, plus the
  endpoint's per-request price from the catalog, which the documented ``cost_details`` have no
  field of its own for; every catalog endpoint's per-request price is 0 today).
* ``prompt_cache_read_cost = cached_tokens * prompt_price * 0.1``.
* ``prompt_cache_write_5_min = cache_write_5m_tokens * prompt_price * 1.25`` and
  ``prompt_cache_write_1_h = cache_write_1h_tokens * prompt_price * 2``;
  ``prompt_cache_write_cost = prompt_cache_write_5_min + prompt_cache_write_1_h``.
* ``completion_cost = (completion_tokens - reasoning_tokens) * completion_price``.
* ``reasoning_cost = reasoning_tokens * completion_price``.
* ``native_web_search_cost = web_search_requests * price_per_search``
  ($0.005 low, $0.01 medium, $0.02 high).
* ``image_cost``, ``video_cost``, ``audio_cost``, ``plugin_web_search_cost``, ``tools_cost`` and
  ``byok_cost`` are 0 (attachment tokens are ordinary prompt tokens); ``discount_rate`` is 1 and
  ``is_byok`` false.
* Every part is rounded to 10 decimal places and ``cost`` is the exact (decimal) sum
  ``prompt_cost + completion_cost + reasoning_cost + prompt_cache_read_cost +
  prompt_cache_write_cost + image_cost + video_cost + audio_cost + native_web_search_cost +
  plugin_web_search_cost + tools_cost``. Summing the parts with :class:`decimal.Decimal`
  (``Decimal(repr(x))``) reproduces ``cost`` exactly; float sums agree to ~1e-15.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from .catalog import (
    CACHE_READ_MULTIPLIER,
    CACHE_WRITE_1H_MULTIPLIER,
    CACHE_WRITE_5M_MULTIPLIER,
)

QUANTUM = Decimal("1e-10")

COST_DETAIL_FIELDS = (
    "audio_cost",
    "byok_cost",
    "completion_cost",
    "discount_rate",
    "image_cost",
    "is_byok",
    "native_web_search_cost",
    "plugin_web_search_cost",
    "prompt_cache_read_cost",
    "prompt_cache_write_1_h",
    "prompt_cache_write_5_min",
    "prompt_cache_write_cost",
    "prompt_cost",
    "reasoning_cost",
    "tools_cost",
    "video_cost",
)
"""The 16 documented ``cost_details`` fields."""

SUMMED_FIELDS = (
    "prompt_cost",
    "completion_cost",
    "reasoning_cost",
    "prompt_cache_read_cost",
    "prompt_cache_write_cost",
    "image_cost",
    "video_cost",
    "audio_cost",
    "native_web_search_cost",
    "plugin_web_search_cost",
    "tools_cost",
)
"""The ``cost_details`` fields whose sum is ``cost``."""


def _money(value: Decimal) -> Decimal:
    return value.quantize(QUANTUM, rounding=ROUND_HALF_EVEN)


def _d(value: float) -> Decimal:
    return Decimal(repr(value))


@dataclass(frozen=True)
class CostBreakdown:
    cost: Decimal
    parts: dict[str, Decimal]

    def details(self) -> dict[str, Any]:
        """The 16 ``cost_details`` fields as JSON-ready values."""
        out: dict[str, Any] = {}
        for name in COST_DETAIL_FIELDS:
            if name == "is_byok":
                out[name] = False
            elif name == "discount_rate":
                out[name] = 1
            else:
                out[name] = float(self.parts.get(name, Decimal(0)))
        return out

    def fields(self) -> dict[str, Any]:
        """``{"cost": float, "cost_details": {...}}`` for a response body."""
        return {"cost": float(self.cost), "cost_details": self.details()}


def compute_cost(
    *,
    prompt_price: float,
    completion_price: float,
    prompt_tokens: int,
    completion_tokens: int,
    reasoning_tokens: int = 0,
    cached_tokens: int = 0,
    cache_write_5m_tokens: int = 0,
    cache_write_1h_tokens: int = 0,
    web_search_requests: int = 0,
    web_search_price: float = 0.0,
    request_price: float = 0.0,
) -> CostBreakdown:
    """Cost of one request under the documented convention (see the module docstring)."""
    cache_write_tokens = cache_write_5m_tokens + cache_write_1h_tokens
    input_tokens = max(0, prompt_tokens - cached_tokens - cache_write_tokens)
    output_tokens = max(0, completion_tokens - reasoning_tokens)
    pp, cp = _d(prompt_price), _d(completion_price)
    write_5m = _money(cache_write_5m_tokens * pp * _d(CACHE_WRITE_5M_MULTIPLIER))
    write_1h = _money(cache_write_1h_tokens * pp * _d(CACHE_WRITE_1H_MULTIPLIER))
    parts = {
        "prompt_cost": _money(input_tokens * pp + _d(request_price)),
        "completion_cost": _money(output_tokens * cp),
        "reasoning_cost": _money(reasoning_tokens * cp),
        "prompt_cache_read_cost": _money(cached_tokens * pp * _d(CACHE_READ_MULTIPLIER)),
        "prompt_cache_write_5_min": write_5m,
        "prompt_cache_write_1_h": write_1h,
        "prompt_cache_write_cost": write_5m + write_1h,
        "image_cost": Decimal(0),
        "video_cost": Decimal(0),
        "audio_cost": Decimal(0),
        "native_web_search_cost": _money(web_search_requests * _d(web_search_price)),
        "plugin_web_search_cost": Decimal(0),
        "tools_cost": Decimal(0),
        "byok_cost": Decimal(0),
    }
    total = sum((parts[name] for name in SUMMED_FIELDS), Decimal(0))
    return CostBreakdown(cost=total, parts=parts)
