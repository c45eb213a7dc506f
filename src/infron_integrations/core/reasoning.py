"""``reasoning_details``: merging streamed fragments into the entries a replay must carry.

Docs: Reasoning & Thinking, and the structured-output response example (``reasoning_details``
entries with ``type``, ``format``, ``index`` and, by type, ``text``/``summary``, ``signature``,
``data`` and ``id``).

A stream delivers a long entry (``reasoning.text``, ``reasoning.summary``) in several deltas that
share its ``type`` and ``index``; a short or opaque one (``reasoning.encrypted``) arrives whole.
Providers that sign or encrypt their reasoning check what comes back in the next request of a
tool loop, so a client must send each entry exactly as the gateway meant it: fragments joined
into one entry, nothing else changed. Two entries may share an ``index`` when their types differ
(the docs' example has a summary and an encrypted entry both at index 0), so the key is the pair.

The rule (one place, used by every adapter):

* entries are grouped by ``(type, index)``, in the order each group first appeared;
* ``text`` and ``summary`` are concatenated in stream order;
* ``signature`` and ``data`` are opaque and taken whole: the last non-empty value wins (a
  signature usually rides on the last fragment);
* every other field (``format``, ``id``, ``type``, ``index``...) is repeated by the fragments,
  never concatenated: the first non-null value is kept;
* an entry without an integer ``index`` or a string ``type`` (or anything that is not an object)
  is already whole and is kept as it is.

Merging an already merged list returns an equal list, so it is safe to apply at replay time to
details of any origin.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["merge_reasoning_details"]

#: Fields a stream splits over several deltas; joined in order.
_CONCATENATED = frozenset({"text", "summary"})
#: Opaque fields sent whole (possibly only on one fragment); the last non-empty one wins.
_WHOLE = frozenset({"signature", "data"})


def _key(entry: Mapping[str, Any]) -> tuple[str, int] | None:
    kind = entry.get("type")
    index = entry.get("index")
    if not isinstance(kind, str) or not isinstance(index, int) or isinstance(index, bool):
        return None
    return kind, index


def _absorb(merged: dict[str, Any], fragment: Mapping[str, Any]) -> None:
    for name, value in fragment.items():
        if value is None:
            merged.setdefault(name, None)
            continue
        current = merged.get(name)
        if name in _CONCATENATED and isinstance(value, str) and isinstance(current, str):
            merged[name] = current + value
        elif name in _WHOLE:
            if value != "" or current is None:
                merged[name] = value
        elif current is None:
            merged[name] = value


def merge_reasoning_details(details: Iterable[Any] | None) -> list[Any]:
    """Merge streamed ``reasoning_details`` fragments by ``(type, index)``.

    Args:
        details: the fragments in the order they arrived (the concatenation of every delta's
            ``reasoning_details`` list), or a complete list from a non-streamed response.

    Returns:
        A new list of new dicts (the input is never mutated); empty for ``None``.
    """
    out: list[Any] = []
    slots: dict[tuple[str, int], dict[str, Any]] = {}
    for entry in details or ():
        if not isinstance(entry, Mapping):
            out.append(entry)
            continue
        key = _key(entry)
        if key is None:
            out.append(dict(entry))
            continue
        merged = slots.get(key)
        if merged is None:
            merged = slots[key] = dict(entry)
            out.append(merged)
        else:
            _absorb(merged, entry)
    return out
