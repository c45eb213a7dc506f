"""Provider routing over the catalog's upstream providers, honouring the ``provider`` object.

Steps (see "Inference Provider Routing" in the Infron docs):

1. Candidates: the model's providers in catalog order (the default ranking).
2. Filters: ``only`` (keep listed), ``ignore`` (drop listed), ``quantizations`` (keep matching),
   ``zdr: true`` (keep ZDR endpoints), ``data_collection: "deny"`` (drop providers that collect
   data), ``enforce_distillable_text: true`` (no provider unless the model is distillable).
3. ``sort``: ``"price"`` (prompt + completion price, ascending), ``"throughput"`` (p50,
   descending) or ``"latency"`` (p50, ascending); the object form ``{"by": ..., "partition": ...}``
   sorts the same way.
4. ``preferred_max_latency`` / ``preferred_min_throughput`` (a number applies to p50, an object
   gives percentile cutoffs that must all be met): providers missing them move to the end.
5. ``order``: listed providers first, in that order; the rest follow as fallbacks unless
   ``allow_fallbacks`` is false (then only the listed ones, or only the first candidate when no
   ``order`` is given).
6. The first provider that is not down serves the request; none left -> 503.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .catalog import PERCENTILES, ModelInfo, ProviderEndpoint
from .errors import SandboxError


def _meets(value: Any, measure: str, provider: ProviderEndpoint) -> bool:
    cutoffs: dict[str, float]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        cutoffs = {"p50": float(value)}
    elif isinstance(value, dict):
        cutoffs = {k: float(v) for k, v in value.items() if k in PERCENTILES and v is not None}
    else:
        return True
    for pct, limit in cutoffs.items():
        if measure == "latency" and provider.latency_at(pct) > limit:
            return False
        if measure == "throughput" and provider.throughput_at(pct) < limit:
            return False
    return True


def _sort_key(by: str) -> Any:
    if by == "price":
        return lambda p: p.prompt_price + p.completion_price
    if by == "throughput":
        return lambda p: -p.throughput
    return lambda p: p.latency


def ranked_providers(model: ModelInfo, prefs: dict[str, Any] | None) -> list[ProviderEndpoint]:
    """Providers eligible for the request, best first (downtime not considered)."""
    prefs = prefs or {}
    candidates = list(model.providers)
    only = prefs.get("only")
    if isinstance(only, list):
        allowed = {s.lower() for s in only}
        candidates = [p for p in candidates if p.slug.lower() in allowed]
    ignore = prefs.get("ignore")
    if isinstance(ignore, list):
        skipped = {s.lower() for s in ignore}
        candidates = [p for p in candidates if p.slug.lower() not in skipped]
    quants = prefs.get("quantizations")
    if isinstance(quants, list) and quants:
        candidates = [p for p in candidates if p.quantization in quants]
    if prefs.get("zdr") is True:
        candidates = [p for p in candidates if p.zdr]
    if prefs.get("data_collection") == "deny":
        candidates = [p for p in candidates if not p.collects_data]
    if prefs.get("enforce_distillable_text") is True and not model.distillable:
        candidates = []
    sort = prefs.get("sort")
    by = sort.get("by") if isinstance(sort, dict) else sort
    if isinstance(by, str):
        candidates.sort(key=_sort_key(by))
    latency_pref = prefs.get("preferred_max_latency")
    throughput_pref = prefs.get("preferred_min_throughput")
    if latency_pref is not None or throughput_pref is not None:
        good = [
            p
            for p in candidates
            if _meets(latency_pref, "latency", p) and _meets(throughput_pref, "throughput", p)
        ]
        candidates = good + [p for p in candidates if p not in good]
    order = prefs.get("order")
    fallbacks = prefs.get("allow_fallbacks") is not False
    if isinstance(order, list) and order:
        by_slug = {p.slug.lower(): p for p in candidates}
        ordered: list[ProviderEndpoint] = []
        for slug in order:
            p = by_slug.get(str(slug).lower())
            if p is not None and p not in ordered:
                ordered.append(p)
        rest = [p for p in candidates if p not in ordered]
        return ordered + rest if fallbacks else ordered
    if not fallbacks:
        return candidates[:1]
    return candidates


def describe_requirements(prefs: dict[str, Any] | None) -> str:
    if not prefs:
        return "default routing"
    return ", ".join(f"{k}={v!r}" for k, v in prefs.items())


def choose_provider(
    model: ModelInfo, prefs: dict[str, Any] | None, down: Iterable[str]
) -> ProviderEndpoint:
    """The provider serving the request, or a 503 :class:`SandboxError`."""
    down_set = {d.strip().lower() for d in down if d.strip()}
    ranked = ranked_providers(model, prefs)
    for provider in ranked:
        if provider.slug.lower() not in down_set:
            return provider
    tried = ", ".join(p.slug for p in ranked) or "none"
    unavailable = ", ".join(sorted(down_set)) or "none"
    raise SandboxError(
        503,
        f"No available model provider for '{model.id}' meets your routing requirements "
        f"({describe_requirements(prefs)}); eligible providers tried: {tried}; "
        f"providers down: {unavailable}.",
    )
