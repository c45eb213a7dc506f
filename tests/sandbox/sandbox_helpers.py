"""Helpers shared by the sandbox tests: a tiny JSON-schema checker and SSE parsing."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import httpx

HTTP = httpx.Client(timeout=30)
"""One pooled client for plain HTTP calls (creating an httpx client costs ~30 ms)."""

KEY = "sk-infron-sandbox"
AUTH = {"Authorization": f"Bearer {KEY}"}
HEX32 = re.compile(r"^[0-9a-f]{32}$")

SUMMED = (
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
COST_FIELDS = {
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
}


def dec(value: float) -> Decimal:
    return Decimal(repr(value))


def assert_cost_adds_up(body: dict[str, Any]) -> None:
    details = body["cost_details"]
    assert set(details) == COST_FIELDS
    total = sum((dec(details[k]) for k in SUMMED), Decimal(0))
    assert total == dec(body["cost"]), (total, body["cost"])
    assert dec(details["prompt_cache_write_cost"]) == dec(
        details["prompt_cache_write_5_min"]
    ) + dec(details["prompt_cache_write_1_h"])
    assert details["discount_rate"] == 1
    assert details["is_byok"] is False
    assert details["byok_cost"] == 0


def schema_errors(instance: Any, schema: Any, root: Any = None, path: str = "$") -> list[str]:
    """A small JSON-schema checker (types, properties, required, additionalProperties, items,
    enum, const, anyOf/oneOf/allOf, $ref, numeric and length bounds)."""
    root = schema if root is None else root
    if schema is True or schema is None:
        return []
    if schema is False:
        return [f"{path}: false schema"]
    errors: list[str] = []
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].lstrip("#").strip("/").split("/"):
            target = target[part]
        errors += schema_errors(instance, target, root, path)
    for sub in schema.get("allOf", []):
        errors += schema_errors(instance, sub, root, path)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            matches = [s for s in schema[key] if not schema_errors(instance, s, root, path)]
            if not matches or (key == "oneOf" and len(matches) != 1):
                errors.append(f"{path}: no {key} branch matches")
    if "enum" in schema and instance not in schema["enum"]:
        errors.append(f"{path}: {instance!r} not in enum")
    if "const" in schema and instance != schema["const"]:
        errors.append(f"{path}: != const")
    typ = schema.get("type")
    if typ is not None:
        types = typ if isinstance(typ, list) else [typ]
        checks = {
            "object": lambda v: isinstance(v, dict),
            "array": lambda v: isinstance(v, list),
            "string": lambda v: isinstance(v, str),
            "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
            "boolean": lambda v: isinstance(v, bool),
            "null": lambda v: v is None,
        }
        if not any(checks[t](instance) for t in types):
            return [*errors, f"{path}: {instance!r} is not {typ}"]
    if isinstance(instance, dict):
        props = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in instance:
                errors.append(f"{path}: missing {name}")
        for name, value in instance.items():
            if name in props:
                errors += schema_errors(value, props[name], root, f"{path}.{name}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{path}: unexpected {name}")
            elif isinstance(schema.get("additionalProperties"), dict):
                errors += schema_errors(
                    value, schema["additionalProperties"], root, f"{path}.{name}"
                )
    if isinstance(instance, list):
        if "minItems" in schema and len(instance) < schema["minItems"]:
            errors.append(f"{path}: too few items")
        if "maxItems" in schema and len(instance) > schema["maxItems"]:
            errors.append(f"{path}: too many items")
        if isinstance(schema.get("items"), dict):
            for i, item in enumerate(instance):
                errors += schema_errors(item, schema["items"], root, f"{path}[{i}]")
    if isinstance(instance, str):
        if len(instance) < schema.get("minLength", 0):
            errors.append(f"{path}: too short")
        if "maxLength" in schema and len(instance) > schema["maxLength"]:
            errors.append(f"{path}: too long")
    if isinstance(instance, (int, float)) and not isinstance(instance, bool):
        if "minimum" in schema and instance < schema["minimum"]:
            errors.append(f"{path}: below minimum")
        if "maximum" in schema and instance > schema["maximum"]:
            errors.append(f"{path}: above maximum")
        if "exclusiveMinimum" in schema and instance <= schema["exclusiveMinimum"]:
            errors.append(f"{path}: not above exclusiveMinimum")
        if "exclusiveMaximum" in schema and instance >= schema["exclusiveMaximum"]:
            errors.append(f"{path}: not below exclusiveMaximum")
    return errors


def assert_valid(instance: Any, schema: dict[str, Any]) -> None:
    errors = schema_errors(instance, schema)
    assert not errors, errors
    try:
        import jsonschema
    except ImportError:  # pragma: no cover - optional cross-check
        return
    jsonschema.validate(instance, schema)


def parse_sse(text: str) -> list[tuple[str | None, str]]:
    """``(event, data)`` for every SSE message; comment lines are returned as ``(":", text)``."""
    out: list[tuple[str | None, str]] = []
    for block in text.split("\n\n"):
        if not block.strip():
            continue
        event = None
        data_lines = []
        for line in block.split("\n"):
            if line.startswith(":"):
                out.append((":", line[1:].strip()))
            elif line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data_lines.append(line[5:].lstrip())
        if data_lines:
            out.append((event, "\n".join(data_lines)))
    return out


def data_chunks(text: str) -> list[dict[str, Any]]:
    return [json.loads(d) for e, d in parse_sse(text) if e != ":" and d != "[DONE]"]


def chat(
    content: str = "Hello, world!", model: str = "sandbox/echo", **extra: Any
) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": content}], **extra}
