"""Generate a deterministic JSON value that is valid against a JSON schema.

Used for tool-call arguments and structured output. Supports ``type`` (single or list),
``properties`` (required and optional ones are all generated), ``items``/``prefixItems``,
``minItems``/``maxItems``, ``enum`` (first value), ``const``, ``default``, ``anyOf``/``oneOf``
(first non-null branch), ``allOf`` (merged), ``$ref`` into ``$defs``/``definitions``,
``minimum``/``maximum``/``exclusiveMinimum``/``exclusiveMaximum``, ``minLength``/``maxLength`` and
common string ``format`` values. String values are taken from the user's words where sensible.
"""

from __future__ import annotations

import math
import re
from typing import Any, overload

MAX_DEPTH = 12

_QUERY_NAMES = {
    "query",
    "q",
    "text",
    "prompt",
    "question",
    "input",
    "message",
    "content",
    "search",
    "search_query",
    "topic",
    "keywords",
    "sentence",
    "body",
    "description",
    "summary",
    "answer",
    "reason",
}
_STOPWORDS = {
    "a",
    "an",
    "the",
    "is",
    "are",
    "was",
    "what",
    "whats",
    "what's",
    "how",
    "in",
    "on",
    "at",
    "of",
    "for",
    "to",
    "and",
    "or",
    "me",
    "my",
    "please",
    "can",
    "you",
    "could",
    "would",
    "tell",
    "about",
    "with",
    "it",
    "this",
    "that",
    "i",
    "do",
    "does",
    "get",
    "give",
    "show",
    "use",
    "call",
    "find",
    "s",
    "be",
    "by",
    "from",
    "now",
    "today",
    "current",
    "weather",
    "time",
}
_FORMATS = {
    "date": "2025-01-01",
    "date-time": "2025-01-01T00:00:00Z",
    "time": "12:00:00",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "ipv4": "127.0.0.1",
    "ipv6": "::1",
    "hostname": "example.com",
}


class _Hints:
    def __init__(self, text: str) -> None:
        self.text = " ".join(text.split())
        self.numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", self.text)]
        self.entity = self._entity()

    def _entity(self) -> str:
        # Capitalised words that do not start a sentence, joined when adjacent ("New York").
        tokens = re.findall(r"[\w'-]+|[.!?]", self.text)
        runs: list[list[str]] = []
        current: list[str] = []
        sentence_start = True
        for tok in tokens:
            if tok in ".!?":
                sentence_start = True
                if current:
                    runs.append(current)
                    current = []
                continue
            if tok[:1].isupper() and not sentence_start and tok.lower() not in _STOPWORDS:
                current.append(tok)
            elif current:
                runs.append(current)
                current = []
            sentence_start = False
        if current:
            runs.append(current)
        if runs:
            return " ".join(runs[0])
        content = [w for w in re.findall(r"[\w'-]+", self.text) if w.lower() not in _STOPWORDS]
        return content[-1] if content else ""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


@overload
def _int(value: Any, default: int) -> int: ...
@overload
def _int(value: Any, default: None) -> int | None: ...
def _int(value: Any, default: int | None) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def generate_instance(schema: Any, user_text: str = "") -> Any:
    """A value valid against ``schema`` (a JSON-schema dict), deterministic for equal inputs."""
    root = schema if isinstance(schema, dict) else {}
    return _gen(root, root, _Hints(user_text), "value", 0)


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    seen = 0
    while "$ref" in schema and seen < 32:
        ref = schema["$ref"]
        target: Any = None
        if isinstance(ref, str) and ref.startswith("#"):
            target = root
            for part in ref.lstrip("#").strip("/").split("/"):
                if not part:
                    continue
                part = part.replace("~1", "/").replace("~0", "~")
                target = target.get(part) if isinstance(target, dict) else None
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**target, **rest} if isinstance(target, dict) else rest
        seen += 1
    return schema


def _merge_all_of(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    for sub in schema.get("allOf") or []:
        if not isinstance(sub, dict):
            continue
        sub = _resolve(sub, root)
        for key, value in sub.items():
            if key == "properties" and isinstance(value, dict):
                merged["properties"] = {**merged.get("properties", {}), **value}
            elif key == "required" and isinstance(value, list):
                merged["required"] = list(dict.fromkeys([*merged.get("required", []), *value]))
            else:
                merged.setdefault(key, value)
    return merged


def _is_null_schema(s: Any) -> bool:
    return isinstance(s, dict) and (s.get("type") == "null" or s.get("const", 0) is None)


def _gen(schema: Any, root: dict[str, Any], hints: _Hints, name: str, depth: int) -> Any:
    if schema is True or not isinstance(schema, dict):
        return hints.entity or name
    schema = _resolve(schema, root)
    if "allOf" in schema:
        schema = _merge_all_of(schema, root)
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            choice = next((o for o in options if not _is_null_schema(o)), options[0])
            rest = {k: v for k, v in schema.items() if k != key}
            if isinstance(choice, dict):
                choice = {**rest, **_resolve(choice, root)}
            return _gen(choice, root, hints, name, depth + 1)
    if "default" in schema:
        return schema["default"]
    typ = schema.get("type")
    if isinstance(typ, list):
        non_null = [t for t in typ if t != "null"]
        typ = non_null[0] if non_null else "null"
    if typ is None:
        if "properties" in schema or "additionalProperties" in schema:
            typ = "object"
        elif "items" in schema or "prefixItems" in schema:
            typ = "array"
        else:
            typ = "string"
    if typ == "object":
        return _gen_object(schema, root, hints, depth)
    if typ == "array":
        return _gen_array(schema, root, hints, name, depth)
    if typ == "integer":
        return int(_gen_number(schema, hints, integer=True))
    if typ == "number":
        return _gen_number(schema, hints, integer=False)
    if typ == "boolean":
        return True
    if typ == "null":
        return None
    return _gen_string(schema, hints, name)


def _gen_object(schema: dict[str, Any], root: dict[str, Any], hints: _Hints, depth: int) -> Any:
    props = _dict(schema.get("properties"))
    required = [r for r in schema.get("required") or [] if isinstance(r, str)]
    out: dict[str, Any] = {}
    for key, sub in props.items():
        if depth >= MAX_DEPTH and key not in required:
            continue
        out[key] = _gen(sub, root, hints, key, depth + 1)
    for key in required:
        if key not in out:
            extra = schema.get("additionalProperties")
            sub = extra if isinstance(extra, dict) else {"type": "string"}
            out[key] = _gen(sub, root, hints, key, depth + 1)
    min_props = schema.get("minProperties")
    if isinstance(min_props, int) and len(out) < min_props:
        extra = schema.get("additionalProperties")
        sub = extra if isinstance(extra, dict) else {"type": "string"}
        i = 0
        while len(out) < min_props:
            out.setdefault(f"key{i}", _gen(sub, root, hints, f"key{i}", depth + 1))
            i += 1
    return out


def _gen_array(
    schema: dict[str, Any], root: dict[str, Any], hints: _Hints, name: str, depth: int
) -> Any:
    prefix = schema.get("prefixItems") if isinstance(schema.get("prefixItems"), list) else []
    items = schema.get("items")
    if isinstance(items, list):  # draft-04 tuple form
        prefix, items = items, schema.get("additionalItems")
    if not isinstance(prefix, list):
        prefix = []
    min_items = _int(schema.get("minItems"), 0)
    max_items = _int(schema.get("maxItems"), None)
    count = max(min_items, len(prefix), 0 if depth >= MAX_DEPTH else 1)
    if max_items is not None:
        count = min(count, max_items)
    out: list[Any] = []
    for i in range(count):
        if i < len(prefix):
            out.append(_gen(prefix[i], root, hints, name, depth + 1))
        elif items is False:
            break
        else:
            out.append(_gen(items if isinstance(items, dict) else {}, root, hints, name, depth + 1))
    if schema.get("uniqueItems") and len(out) > 1:
        out = [v if i == 0 else _distinct(v, i) for i, v in enumerate(out)]
    return out


def _distinct(value: Any, i: int) -> Any:
    if isinstance(value, str):
        return f"{value} {i + 1}"
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value + i
    return value


def _gen_number(schema: dict[str, Any], hints: _Hints, *, integer: bool) -> float:
    lo = schema.get("minimum")
    hi = schema.get("maximum")
    xlo = schema.get("exclusiveMinimum")
    xhi = schema.get("exclusiveMaximum")
    step = 1 if integer else 0.5
    if isinstance(xlo, (int, float)) and not isinstance(xlo, bool):
        lo = xlo + step if lo is None else max(lo, xlo + step)
    if isinstance(xhi, (int, float)) and not isinstance(xhi, bool):
        hi = xhi - step if hi is None else min(hi, xhi - step)
    candidates = [n for n in hints.numbers if not integer or n == int(n)]
    value: float = candidates[0] if candidates else 1
    if lo is not None and value < lo:
        value = lo
    if hi is not None and value > hi:
        value = hi
    if integer:
        value = float(int(value)) if lo is None or int(value) >= lo else float(int(value) + 1)
    mult = schema.get("multipleOf")
    if isinstance(mult, (int, float)) and mult > 0 and not isinstance(mult, bool):
        value = math.ceil(value / mult) * mult
    return int(value) if integer else float(value)


def _gen_string(schema: dict[str, Any], hints: _Hints, name: str) -> str:
    fmt = schema.get("format")
    if isinstance(fmt, str) and fmt in _FORMATS:
        return _FORMATS[fmt]
    lname = name.lower()
    if lname in _QUERY_NAMES or lname.endswith("_query"):
        value = hints.text[:200] or name
    else:
        value = hints.entity or name
    min_len = _int(schema.get("minLength"), 0)
    max_len = _int(schema.get("maxLength"), None)
    if max_len is not None:
        value = value[:max_len]
    if len(value) < min_len:
        value = value + "x" * (min_len - len(value))
    return value
