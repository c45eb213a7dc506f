"""A small normalized request model shared by chat completions, messages and responses.

Each endpoint converts its wire format into :class:`GenRequest`; the behaviour engine, the prompt
cache and the token counter only ever see this form.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .tokens import (
    AUDIO_TOKENS,
    FILE_TOKENS,
    IMAGE_TOKENS,
    MESSAGE_OVERHEAD,
    VIDEO_TOKENS,
    canonical_json,
    count_tokens,
)

MEDIA_TOKENS = {"image": IMAGE_TOKENS, "audio": AUDIO_TOKENS, "video": VIDEO_TOKENS}
REASONING_EFFORTS = ("xhigh", "high", "medium", "low", "minimal", "none")


@dataclass
class Part:
    kind: str  # text | image | file | audio | video | other
    text: str = ""
    cache_control: dict[str, Any] | None = None
    canonical: str = ""

    @property
    def tokens(self) -> int:
        if self.kind == "text":
            return count_tokens(self.text)
        if self.kind == "file":
            return FILE_TOKENS + count_tokens(self.text)
        return MEDIA_TOKENS.get(self.kind, 0)


@dataclass
class ToolCallIn:
    id: str
    name: str
    arguments: str


@dataclass
class Msg:
    role: str
    parts: list[Part] = field(default_factory=list)
    tool_calls: list[ToolCallIn] = field(default_factory=list)
    tool_call_id: str | None = None

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.parts if p.kind == "text" and p.text)

    def head_tokens(self) -> int:
        """Tokens of the message outside its parts (overhead and tool calls)."""
        calls = sum(count_tokens(c.name) + count_tokens(c.arguments) for c in self.tool_calls)
        return MESSAGE_OVERHEAD + calls

    @property
    def tokens(self) -> int:
        return self.head_tokens() + sum(p.tokens for p in self.parts)

    def head_canonical(self) -> str:
        return canonical_json(
            {
                "role": self.role,
                "tool_call_id": self.tool_call_id,
                "tool_calls": [[c.id, c.name, c.arguments] for c in self.tool_calls],
            }
        )


@dataclass
class Tool:
    name: str
    description: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    cache_control: dict[str, Any] | None = None
    canonical: str = ""

    @property
    def tokens(self) -> int:
        return count_tokens(self.canonical)


@dataclass
class ToolChoice:
    mode: str = "auto"  # auto | none | required | function
    name: str | None = None


@dataclass
class Reasoning:
    requested: bool = False
    effort: str | None = None
    max_tokens: int | None = None

    @property
    def disabled(self) -> bool:
        return self.effort == "none"


@dataclass
class WebSearch:
    context_size: str = "medium"
    city: str | None = None
    country: str | None = None


@dataclass
class GenRequest:
    model: str
    messages: list[Msg]
    tools: list[Tool] = field(default_factory=list)
    tool_choice: ToolChoice = field(default_factory=ToolChoice)
    parallel_tool_calls: bool = True
    response_format: dict[str, Any] | None = None
    max_tokens: int | None = None
    stop: list[str] = field(default_factory=list)
    n: int = 1
    reasoning: Reasoning = field(default_factory=Reasoning)
    web_search: WebSearch | None = None
    usage_include: bool = False
    stream: bool = False
    include_usage_chunk: bool = False

    def prompt_media(self) -> dict[str, int]:
        counts = {"image": 0, "audio": 0, "video": 0, "file": 0}
        for msg in self.messages:
            for part in msg.parts:
                if part.kind in counts:
                    counts[part.kind] += 1
        return counts

    def prompt_tokens(self) -> int:
        return sum(t.tokens for t in self.tools) + sum(m.tokens for m in self.messages)

    def last_user_text(self) -> str:
        for msg in reversed(self.messages):
            if msg.role == "user":
                return msg.text
        return ""

    def last_user_media(self) -> dict[str, int]:
        counts = {"image": 0, "audio": 0, "video": 0, "file": 0}
        for msg in reversed(self.messages):
            if msg.role == "user":
                for part in msg.parts:
                    if part.kind in counts:
                        counts[part.kind] += 1
                break
        return counts


def obj(value: Any) -> dict[str, Any]:
    """``value`` if it is a dict, else an empty dict."""
    return value if isinstance(value, dict) else {}


def strip_cache_control(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k != "cache_control"}


def text_part(text: str, cache_control: Any = None, raw: dict[str, Any] | None = None) -> Part:
    canonical = canonical_json(strip_cache_control(raw) if raw else {"type": "text", "text": text})
    cc = cache_control if isinstance(cache_control, dict) else None
    return Part("text", text, cc, canonical)


def _stringify(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False)


def chat_part(raw: Any) -> Part:
    """One OpenAI chat content part."""
    if isinstance(raw, str):
        return text_part(raw)
    if not isinstance(raw, dict):
        return Part("other", canonical=canonical_json(raw))
    typ = raw.get("type")
    canonical = canonical_json(strip_cache_control(raw))
    cc = raw.get("cache_control") if isinstance(raw.get("cache_control"), dict) else None
    if typ in ("text", "input_text", "output_text"):
        return Part("text", _stringify(raw.get("text")), cc, canonical)
    if typ in ("image_url", "input_image", "image"):
        return Part("image", "", cc, canonical)
    if typ in ("input_audio", "audio"):
        return Part("audio", "", cc, canonical)
    if typ in ("video_url", "input_video", "video"):
        return Part("video", "", cc, canonical)
    if typ in ("file", "input_file", "document"):
        return Part("file", "", cc, canonical)
    if typ == "refusal":
        return Part("text", _stringify(raw.get("refusal")), cc, canonical)
    return Part("other", "", cc, canonical)


def chat_content(content: Any) -> list[Part]:
    if content is None:
        return []
    if isinstance(content, str):
        return [text_part(content)]
    if isinstance(content, list):
        return [chat_part(p) for p in content]
    return [text_part(_stringify(content))]


def chat_tool(raw: dict[str, Any]) -> Tool:
    fn = obj(raw.get("function")) or raw
    params = fn.get("parameters")
    cc = raw.get("cache_control") if isinstance(raw.get("cache_control"), dict) else None
    return Tool(
        name=str(fn.get("name", "")),
        description=str(fn.get("description") or ""),
        parameters=params if isinstance(params, dict) else {},
        cache_control=cc,
        canonical=canonical_json(strip_cache_control(raw)),
    )


def from_chat(body: dict[str, Any]) -> GenRequest:
    """Normalize a (validated) ``/v1/chat/completions`` body."""
    messages: list[Msg] = []
    for raw in body.get("messages") or []:
        role = str(raw.get("role", "user"))
        if role == "developer":
            role = "system"
        calls = [
            ToolCallIn(
                id=str(c.get("id", "")),
                name=str((c.get("function") or {}).get("name", "")),
                arguments=_stringify((c.get("function") or {}).get("arguments", "")),
            )
            for c in raw.get("tool_calls") or []
            if isinstance(c, dict)
        ]
        if role == "function":  # legacy function-result messages behave like tool results
            role = "tool"
        messages.append(
            Msg(
                role=role,
                parts=chat_content(raw.get("content")),
                tool_calls=calls,
                tool_call_id=raw.get("tool_call_id") or raw.get("name"),
            )
        )
    tools = [chat_tool(t) for t in body.get("tools") or [] if isinstance(t, dict)]
    if not tools and isinstance(body.get("functions"), list):
        tools = [chat_tool({"type": "function", "function": f}) for f in body["functions"]]
    choice = _chat_tool_choice(body.get("tool_choice", body.get("function_call")))
    max_tokens = body.get("max_completion_tokens", body.get("max_tokens"))
    stop = body.get("stop")
    stops = [stop] if isinstance(stop, str) else [s for s in stop or [] if isinstance(s, str)]
    reasoning = Reasoning()
    raw_reasoning = body.get("reasoning")
    if isinstance(raw_reasoning, dict):
        reasoning = Reasoning(True, raw_reasoning.get("effort"), raw_reasoning.get("max_tokens"))
    elif isinstance(body.get("reasoning_effort"), str):
        reasoning = Reasoning(True, body["reasoning_effort"], None)
    web = body.get("web_search_options")
    usage = body.get("usage")
    stream_options = body.get("stream_options") or {}
    usage_include = isinstance(usage, dict) and usage.get("include") is True
    return GenRequest(
        model=str(body["model"]),
        messages=messages,
        tools=tools,
        tool_choice=choice,
        parallel_tool_calls=body.get("parallel_tool_calls") is not False,
        response_format=_chat_response_format(body.get("response_format")),
        max_tokens=max_tokens if isinstance(max_tokens, int) else None,
        stop=stops,
        n=body["n"] if isinstance(body.get("n"), int) and body["n"] > 0 else 1,
        reasoning=reasoning,
        web_search=web_search_from(web) if isinstance(web, dict) else None,
        usage_include=usage_include,
        stream=body.get("stream") is True,
        include_usage_chunk=usage_include or stream_options.get("include_usage") is True,
    )


def web_search_from(raw: dict[str, Any]) -> WebSearch:
    loc = obj(raw.get("user_location"))
    approx = obj(loc.get("approximate")) or loc
    size = raw.get("search_context_size")
    return WebSearch(
        context_size=size if size in ("low", "medium", "high") else "medium",
        city=approx.get("city") if isinstance(approx.get("city"), str) else None,
        country=approx.get("country") if isinstance(approx.get("country"), str) else None,
    )


def _chat_tool_choice(raw: Any) -> ToolChoice:
    if raw in ("none", "auto", "required"):
        return ToolChoice(str(raw))
    if isinstance(raw, dict):
        name = (obj(raw.get("function")) or raw).get("name")
        if isinstance(name, str):
            return ToolChoice("function", name)
    return ToolChoice("auto")


def _chat_response_format(raw: Any) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        return None
    if raw.get("type") == "json_schema":
        spec = obj(raw.get("json_schema"))
        return {"type": "json_schema", "schema": obj(spec.get("schema")), "name": spec.get("name")}
    if raw.get("type") == "json_object":
        return {"type": "json_object"}
    return None
