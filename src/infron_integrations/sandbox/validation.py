"""Strict request validation: every failure is a 400 whose ``param`` is the dotted path of the
offending field (``"provider.sortt"``, ``"reasoning.effort"``, ``"messages.0.cache_control"``).

Top-level unknown keys are accepted (gateways pass them through); the Infron-specific objects
(``provider``, ``reasoning``, ``usage``, ``web_search_options``, ``stream_options``) and every
``cache_control`` are checked strictly.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .errors import bad_request
from .normalize import REASONING_EFFORTS

PROVIDER_FIELDS = (
    "order",
    "allow_fallbacks",
    "sort",
    "preferred_min_throughput",
    "preferred_max_latency",
    "require_parameters",
    "data_collection",
    "zdr",
    "enforce_distillable_text",
    "only",
    "ignore",
    "quantizations",
)
SORT_VALUES = ("price", "throughput", "latency")
QUANTIZATIONS = ("fp16", "fp8", "int8", "int4", "none", "bf16", "fp32", "fp6", "fp4", "unknown")
PERCENTILE_KEYS = ("p50", "p75", "p90", "p99")
CHAT_ROLES = ("system", "developer", "user", "assistant", "tool", "function")
MAX_DEPTH = 100


def is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def json_depth_ok(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Iteratively check that ``value`` nests at most ``limit`` levels."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return False
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return True


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def check_keys(obj: dict[str, Any], allowed: Iterable[str], path: str) -> None:
    allowed = set(allowed)
    for key in obj:
        if key not in allowed:
            raise bad_request(
                f"Unknown parameter '{_join(path, key)}'. Allowed: {', '.join(sorted(allowed))}.",
                _join(path, key),
            )


def expect_object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise bad_request(f"Invalid type for '{path}': expected an object.", path)
    return value


def expect_bool(value: Any, path: str) -> None:
    if not isinstance(value, bool):
        raise bad_request(f"Invalid type for '{path}': expected a boolean.", path)


def expect_str_list(value: Any, path: str, choices: Iterable[str] | None = None) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad_request(f"Invalid type for '{path}': expected an array of strings.", path)
    if choices is not None:
        options = tuple(choices)
        for i, v in enumerate(value):
            if v not in options:
                raise bad_request(
                    f"Invalid value '{v}' for '{path}': expected one of {', '.join(options)}.",
                    f"{path}.{i}",
                )


def expect_choice(value: Any, choices: Iterable[str], path: str) -> None:
    options = tuple(choices)
    if value not in options:
        raise bad_request(
            f"Invalid value {value!r} for '{path}': expected one of {', '.join(options)}.", path
        )


def expect_positive_int(value: Any, path: str) -> None:
    if not is_int(value) or value < 1:
        raise bad_request(f"Invalid value for '{path}': expected a positive integer.", path)


def validate_model(body: dict[str, Any]) -> None:
    if "model" not in body:
        raise bad_request("Missing required parameter: 'model'.", "model")
    if not isinstance(body["model"], str) or not body["model"].strip():
        raise bad_request("Invalid type for 'model': expected a non-empty string.", "model")


def validate_provider(value: Any, path: str = "provider") -> None:
    prefs = expect_object(value, path)
    check_keys(prefs, PROVIDER_FIELDS, path)
    for key in ("order", "only", "ignore"):
        if key in prefs:
            expect_str_list(prefs[key], f"{path}.{key}")
    for key in ("allow_fallbacks", "require_parameters", "zdr", "enforce_distillable_text"):
        if key in prefs:
            expect_bool(prefs[key], f"{path}.{key}")
    if "data_collection" in prefs:
        expect_choice(prefs["data_collection"], ("allow", "deny"), f"{path}.data_collection")
    if "quantizations" in prefs:
        expect_str_list(prefs["quantizations"], f"{path}.quantizations", QUANTIZATIONS)
    if "sort" in prefs:
        sort = prefs["sort"]
        if isinstance(sort, dict):
            check_keys(sort, ("by", "partition"), f"{path}.sort")
            expect_choice(sort.get("by"), SORT_VALUES, f"{path}.sort.by")
            if "partition" in sort:
                expect_choice(sort["partition"], ("model", "none"), f"{path}.sort.partition")
        else:
            expect_choice(sort, SORT_VALUES, f"{path}.sort")
    for key in ("preferred_min_throughput", "preferred_max_latency"):
        if key in prefs:
            _validate_threshold(prefs[key], f"{path}.{key}")


def _validate_threshold(value: Any, path: str) -> None:
    if is_number(value):
        if value < 0:
            raise bad_request(f"Invalid value for '{path}': must be >= 0.", path)
        return
    if not isinstance(value, dict):
        raise bad_request(
            f"Invalid type for '{path}': expected a number or an object of percentiles.", path
        )
    check_keys(value, PERCENTILE_KEYS, path)
    for key, v in value.items():
        if not is_number(v) or v < 0:
            raise bad_request(
                f"Invalid value for '{path}.{key}': expected a number >= 0.", f"{path}.{key}"
            )


def validate_reasoning(value: Any, path: str = "reasoning", extra: Iterable[str] = ()) -> None:
    obj = expect_object(value, path)
    check_keys(obj, ("effort", "max_tokens", *extra), path)
    if "effort" in obj and obj["effort"] is not None:
        expect_choice(obj["effort"], REASONING_EFFORTS, f"{path}.effort")
    if "max_tokens" in obj and obj["max_tokens"] is not None:
        expect_positive_int(obj["max_tokens"], f"{path}.max_tokens")


def validate_usage(value: Any, path: str = "usage") -> None:
    obj = expect_object(value, path)
    check_keys(obj, ("include",), path)
    if "include" in obj:
        expect_bool(obj["include"], f"{path}.include")


def validate_web_search(value: Any, path: str = "web_search_options") -> None:
    obj = expect_object(value, path)
    check_keys(obj, ("search_context_size", "user_location"), path)
    if "search_context_size" in obj:
        expect_choice(
            obj["search_context_size"], ("low", "medium", "high"), f"{path}.search_context_size"
        )
    if "user_location" in obj and obj["user_location"] is not None:
        loc_path = f"{path}.user_location"
        loc = expect_object(obj["user_location"], loc_path)
        fields = ("city", "country", "region", "timezone")
        check_keys(loc, ("type", "approximate", *fields), loc_path)
        if "type" in loc:
            expect_choice(loc["type"], ("approximate",), f"{loc_path}.type")
        for key in fields:
            if key in loc and not isinstance(loc[key], (str, type(None))):
                raise bad_request(f"Invalid type for '{loc_path}.{key}'.", f"{loc_path}.{key}")
        if "approximate" in loc:
            approx = expect_object(loc["approximate"], f"{loc_path}.approximate")
            check_keys(approx, fields, f"{loc_path}.approximate")
            for key, v in approx.items():
                if not isinstance(v, (str, type(None))):
                    p = f"{loc_path}.approximate.{key}"
                    raise bad_request(f"Invalid type for '{p}': expected a string.", p)


def validate_stream_options(value: Any, path: str = "stream_options") -> None:
    obj = expect_object(value, path)
    check_keys(obj, ("include_usage", "include_obfuscation"), path)
    for key, v in obj.items():
        expect_bool(v, f"{path}.{key}")


def validate_cache_control(value: Any, path: str) -> None:
    obj = expect_object(value, path)
    check_keys(obj, ("type", "ttl"), path)
    if obj.get("type") != "ephemeral":
        raise bad_request(
            f"Invalid value for '{path}.type': only 'ephemeral' is supported.", f"{path}.type"
        )
    if "ttl" in obj:
        ttl = obj["ttl"]
        if not (ttl in ("5m", "1h") or (is_int(ttl) and ttl > 0)):
            raise bad_request(
                f"Invalid value for '{path}.ttl': expected '5m', '1h' or a positive integer "
                "number of seconds.",
                f"{path}.ttl",
            )


def _cache_control_misplaced(path: str) -> Exception:
    return bad_request(
        f"'cache_control' is not allowed at '{path}': it may only be set on a text content "
        "part or on a tool definition.",
        path,
    )


def validate_chat_messages(messages: Any) -> None:
    if not isinstance(messages, list) or not messages:
        raise bad_request("'messages' must be a non-empty array.", "messages")
    for i, msg in enumerate(messages):
        path = f"messages.{i}"
        msg = expect_object(msg, path)
        if "role" not in msg:
            raise bad_request(f"Missing required parameter: '{path}.role'.", f"{path}.role")
        expect_choice(msg["role"], CHAT_ROLES, f"{path}.role")
        if "cache_control" in msg:
            raise _cache_control_misplaced(f"{path}.cache_control")
        content = msg.get("content")
        if isinstance(content, list):
            for j, part in enumerate(content):
                ppath = f"{path}.content.{j}"
                part = expect_object(part, ppath)
                if not isinstance(part.get("type"), str):
                    raise bad_request(f"Missing or invalid '{ppath}.type'.", f"{ppath}.type")
                if "cache_control" in part:
                    if part["type"] != "text":
                        raise _cache_control_misplaced(f"{ppath}.cache_control")
                    validate_cache_control(part["cache_control"], f"{ppath}.cache_control")
                if part["type"] == "text" and not isinstance(part.get("text"), str):
                    raise bad_request(f"Invalid type for '{ppath}.text'.", f"{ppath}.text")
        elif content is not None and not isinstance(content, str):
            raise bad_request(
                f"Invalid type for '{path}.content': expected a string or an array.",
                f"{path}.content",
            )
        calls = msg.get("tool_calls")
        if calls is not None and not isinstance(calls, list):
            raise bad_request(f"Invalid type for '{path}.tool_calls'.", f"{path}.tool_calls")


def validate_chat_tools(tools: Any) -> list[str]:
    if not isinstance(tools, list):
        raise bad_request("Invalid type for 'tools': expected an array.", "tools")
    names = []
    for i, tool in enumerate(tools):
        path = f"tools.{i}"
        tool = expect_object(tool, path)
        fn = expect_object(tool.get("function"), f"{path}.function")
        if not isinstance(fn.get("name"), str) or not fn["name"]:
            raise bad_request(
                f"Missing required parameter: '{path}.function.name'.", f"{path}.function.name"
            )
        if "parameters" in fn and not isinstance(fn["parameters"], dict):
            raise bad_request(
                f"Invalid type for '{path}.function.parameters'.", f"{path}.function.parameters"
            )
        if "cache_control" in fn:
            raise _cache_control_misplaced(f"{path}.function.cache_control")
        if "cache_control" in tool:
            validate_cache_control(tool["cache_control"], f"{path}.cache_control")
        names.append(fn["name"])
    return names


def validate_chat(body: dict[str, Any]) -> None:
    """Validate a ``/v1/chat/completions`` body (raises a 400 :class:`SandboxError`)."""
    validate_model(body)
    if "messages" not in body:
        raise bad_request("Missing required parameter: 'messages'.", "messages")
    validate_chat_messages(body["messages"])
    if "cache_control" in body:
        raise _cache_control_misplaced("cache_control")
    names = validate_chat_tools(body["tools"]) if body.get("tools") is not None else []
    if "tool_choice" in body and body["tool_choice"] is not None:
        _validate_chat_tool_choice(body["tool_choice"], names)
    for key in ("max_tokens", "max_completion_tokens"):
        if body.get(key) is not None:
            expect_positive_int(body[key], key)
    if body.get("n") is not None and (not is_int(body["n"]) or not 1 <= body["n"] <= 128):
        raise bad_request("Invalid value for 'n': expected an integer from 1 to 128.", "n")
    stop = body.get("stop")
    if stop is not None and not isinstance(stop, str):
        expect_str_list(stop, "stop")
    if body.get("stream") is not None:
        expect_bool(body["stream"], "stream")
    if body.get("response_format") is not None:
        _validate_response_format(body["response_format"])
    _validate_common(body)
    if body.get("reasoning") is not None:
        validate_reasoning(body["reasoning"])
    if body.get("web_search_options") is not None:
        validate_web_search(body["web_search_options"])
    if body.get("stream_options") is not None:
        validate_stream_options(body["stream_options"])


def _validate_common(body: dict[str, Any]) -> None:
    if body.get("provider") is not None:
        validate_provider(body["provider"])
    if body.get("usage") is not None:
        validate_usage(body["usage"])


def _validate_chat_tool_choice(choice: Any, names: list[str]) -> None:
    if isinstance(choice, str):
        expect_choice(choice, ("none", "auto", "required"), "tool_choice")
        return
    obj = expect_object(choice, "tool_choice")
    fn = obj.get("function")
    name = fn.get("name") if isinstance(fn, dict) else None
    if obj.get("type") != "function" or not isinstance(name, str):
        raise bad_request(
            "Invalid 'tool_choice': expected 'none', 'auto', 'required' or "
            '{"type": "function", "function": {"name": ...}}.',
            "tool_choice",
        )
    if name not in names:
        raise bad_request(
            f"'tool_choice' names unknown tool '{name}'.", "tool_choice.function.name"
        )


def _validate_response_format(value: Any) -> None:
    obj = expect_object(value, "response_format")
    expect_choice(obj.get("type"), ("text", "json_object", "json_schema"), "response_format.type")
    if obj["type"] == "json_schema":
        spec = expect_object(obj.get("json_schema"), "response_format.json_schema")
        if "schema" in spec and not isinstance(spec["schema"], dict):
            raise bad_request(
                "Invalid type for 'response_format.json_schema.schema'.",
                "response_format.json_schema.schema",
            )


def validate_messages_api(body: dict[str, Any]) -> None:
    """Validate an Anthropic-style ``/v1/messages`` body."""
    validate_model(body)
    if "max_tokens" not in body:
        raise bad_request("Missing required parameter: 'max_tokens'.", "max_tokens")
    expect_positive_int(body["max_tokens"], "max_tokens")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise bad_request("'messages' must be a non-empty array.", "messages")
    for i, msg in enumerate(messages):
        path = f"messages.{i}"
        msg = expect_object(msg, path)
        expect_choice(msg.get("role"), ("user", "assistant"), f"{path}.role")
        if "cache_control" in msg:
            raise _cache_control_misplaced(f"{path}.cache_control")
        content = msg.get("content")
        if isinstance(content, list):
            for j, block in enumerate(content):
                bpath = f"{path}.content.{j}"
                block = expect_object(block, bpath)
                if not isinstance(block.get("type"), str):
                    raise bad_request(f"Missing or invalid '{bpath}.type'.", f"{bpath}.type")
                if "cache_control" in block and block["cache_control"] is not None:
                    validate_cache_control(block["cache_control"], f"{bpath}.cache_control")
        elif not isinstance(content, str):
            raise bad_request(f"Invalid type for '{path}.content'.", f"{path}.content")
    system = body.get("system")
    if isinstance(system, list):
        for j, block in enumerate(system):
            bpath = f"system.{j}"
            block = expect_object(block, bpath)
            if block.get("cache_control") is not None:
                validate_cache_control(block["cache_control"], f"{bpath}.cache_control")
    elif system is not None and not isinstance(system, str):
        raise bad_request("Invalid type for 'system'.", "system")
    for i, tool in enumerate(body.get("tools") or []):
        tool = expect_object(tool, f"tools.{i}")
        if not isinstance(tool.get("name"), str):
            raise bad_request(f"Missing required parameter: 'tools.{i}.name'.", f"tools.{i}.name")
        if tool.get("cache_control") is not None:
            validate_cache_control(tool["cache_control"], f"tools.{i}.cache_control")
    thinking = body.get("thinking")
    if thinking is not None:
        obj = expect_object(thinking, "thinking")
        expect_choice(obj.get("type"), ("enabled", "disabled", "adaptive"), "thinking.type")
        if obj["type"] == "enabled":
            expect_positive_int(obj.get("budget_tokens"), "thinking.budget_tokens")
    tool_choice = body.get("tool_choice")
    if tool_choice is not None:
        obj = expect_object(tool_choice, "tool_choice")
        expect_choice(obj.get("type"), ("auto", "any", "tool", "none"), "tool_choice.type")
    stops = body.get("stop_sequences")
    if stops is not None:
        expect_str_list(stops, "stop_sequences")
    _validate_common(body)


def validate_responses(body: dict[str, Any]) -> None:
    """Validate an OpenAI Responses ``/v1/responses`` body."""
    validate_model(body)
    if "input" not in body:
        raise bad_request("Missing required parameter: 'input'.", "input")
    inp = body["input"]
    if isinstance(inp, list):
        for i, item in enumerate(inp):
            expect_object(item, f"input.{i}")
    elif not isinstance(inp, str):
        raise bad_request("Invalid type for 'input': expected a string or an array.", "input")
    if body.get("max_output_tokens") is not None:
        expect_positive_int(body["max_output_tokens"], "max_output_tokens")
    if body.get("reasoning") is not None:
        validate_reasoning(body["reasoning"], extra=("summary", "generate_summary"))
    text = body.get("text")
    if text is not None:
        obj = expect_object(text, "text")
        fmt = obj.get("format")
        if fmt is not None:
            fmt = expect_object(fmt, "text.format")
            expect_choice(
                fmt.get("type"), ("text", "json_object", "json_schema"), "text.format.type"
            )
    tools = body.get("tools")
    if tools is not None:
        if not isinstance(tools, list):
            raise bad_request("Invalid type for 'tools': expected an array.", "tools")
        for i, tool in enumerate(tools):
            tool = expect_object(tool, f"tools.{i}")
            if not isinstance(tool.get("type"), str):
                raise bad_request(
                    f"Missing required parameter: 'tools.{i}.type'.", f"tools.{i}.type"
                )
            if tool["type"] == "function" and not isinstance(tool.get("name"), str):
                raise bad_request(
                    f"Missing required parameter: 'tools.{i}.name'.", f"tools.{i}.name"
                )
    _validate_common(body)
