"""Deterministic model behaviour: answers, reasoning, tool calls, structured output, usage, cost.

The same request always produces the same content (only ids of the response envelope and
timestamps differ). Rules, in priority order, for each choice:

1. The conversation ends with tool results (``tool`` messages after the last assistant tool
   call): answer in text, ``"Based on <tool>: <result>."`` for every result.
2. Tools are present, ``tool_choice`` is not ``"none"`` and (no ``response_format`` is requested,
   or ``tool_choice`` forces a call): call the tool named by ``tool_choice``, else every tool whose
   name appears in the last user text (only the first when ``parallel_tool_calls`` is false), else
   the first tool. Arguments are generated from the tool's JSON schema.
3. ``response_format`` ``json_schema``: a JSON document valid against the schema;
   ``json_object``: ``{"answer": <default answer>}``.
4. Default: ``You said: "<last user text>".`` plus the attachments seen, plus a fixed sentence.

Reasoning text is produced (before the answer) for catalog reasoning models and for any model
whose request carries ``reasoning`` (unless its effort is ``"none"``), with the
``reasoning_details`` of :mod:`.reasoning_details`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from .billing import CostBreakdown, compute_cost
from .catalog import WEB_SEARCH_PRICE, ModelInfo, ProviderEndpoint
from .normalize import MEDIA_TOKENS, GenRequest, Msg
from .reasoning_details import issue as issue_reasoning_details
from .schema_gen import generate_instance
from .tokens import count_tokens, truncate_to_tokens

EFFORT_SENTENCES = {"minimal": 1, "low": 2, "medium": 3, "high": 4, "xhigh": 5}
EFFORT_SHARE = {"minimal": 0.1, "low": 0.2, "medium": 0.5, "high": 0.8, "xhigh": 0.95}
QUOTE_TOKENS = 40
FIXED_SENTENCE = "This is a deterministic answer from the Infron sandbox."


@dataclass
class GenToolCall:
    id: str
    name: str
    arguments: str
    thought_signature: str | None = None


@dataclass
class GenChoice:
    index: int
    content: str | None
    reasoning: str | None = None
    tool_calls: list[GenToolCall] = field(default_factory=list)
    finish_reason: str = "stop"
    native_finish_reason: str = "stop"
    annotations: list[dict[str, Any]] = field(default_factory=list)
    thought_signature: str | None = None
    stop_sequence: str | None = None
    error: dict[str, Any] | None = None
    reasoning_details: list[dict[str, Any]] | None = None

    def completion_tokens(self) -> int:
        calls = sum(count_tokens(c.name) + count_tokens(c.arguments) for c in self.tool_calls)
        return count_tokens(self.content or "") + self.reasoning_tokens() + calls

    def reasoning_tokens(self) -> int:
        return count_tokens(self.reasoning or "")


@dataclass
class CacheOutcome:
    cached_tokens: int = 0
    write_5m_tokens: int = 0
    write_1h_tokens: int = 0

    @property
    def write_tokens(self) -> int:
        return self.write_5m_tokens + self.write_1h_tokens


@dataclass
class GenResult:
    model: str
    provider: str
    endpoint: ProviderEndpoint
    choices: list[GenChoice]
    prompt_tokens: int
    cache: CacheOutcome
    media_tokens: dict[str, int]
    web_search_requests: int = 0
    web_search_price: float = 0.0

    @property
    def completion_tokens(self) -> int:
        return sum(c.completion_tokens() for c in self.choices)

    @property
    def reasoning_tokens(self) -> int:
        return sum(c.reasoning_tokens() for c in self.choices)

    def cost(self) -> CostBreakdown:
        return compute_cost(
            prompt_price=self.endpoint.prompt_price,
            completion_price=self.endpoint.completion_price,
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            reasoning_tokens=self.reasoning_tokens,
            cached_tokens=self.cache.cached_tokens,
            cache_write_5m_tokens=self.cache.write_5m_tokens,
            cache_write_1h_tokens=self.cache.write_1h_tokens,
            web_search_requests=self.web_search_requests,
            web_search_price=self.web_search_price,
            request_price=self.endpoint.request_price,
        )

    def chat_usage(self) -> dict[str, Any]:
        completion = self.completion_tokens
        usage: dict[str, Any] = {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": completion,
            "total_tokens": self.prompt_tokens + completion,
            "prompt_tokens_details": {
                "cached_tokens": self.cache.cached_tokens,
                "cache_write_tokens": self.cache.write_tokens,
                "audio_tokens": self.media_tokens.get("audio", 0),
                "video_tokens": self.media_tokens.get("video", 0),
                "image_tokens": self.media_tokens.get("image", 0),
            },
            "completion_tokens_details": {
                "reasoning_tokens": self.reasoning_tokens,
                "image_tokens": 0,
                "audio_tokens": 0,
            },
        }
        if self.web_search_requests:
            usage["server_tool_use"] = {"web_search_requests": self.web_search_requests}
        return usage


def digest(*parts: str, length: int = 24) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()[:length]


def request_digest(req: GenRequest) -> str:
    pieces = [req.model]
    pieces += [t.canonical for t in req.tools]
    for m in req.messages:
        pieces.append(m.head_canonical())
        pieces += [p.canonical for p in m.parts]
    return digest(*pieces, length=32)


def family(model_id: str) -> str:
    low = model_id.lower()
    if low.startswith("anthropic/") or "claude" in low:
        return "anthropic"
    if "gemini" in low or low.startswith("google/"):
        return "google"
    return "openai"


def native_finish_reason(model_id: str, finish: str, stop_hit: bool = False) -> str:
    fam = family(model_id)
    if finish == "error":
        return "error"
    if fam == "anthropic":
        if finish == "stop":
            return "stop_sequence" if stop_hit else "end_turn"
        return {"length": "max_tokens", "tool_calls": "tool_use"}.get(finish, finish)
    if fam == "google":
        return {"stop": "STOP", "length": "MAX_TOKENS", "tool_calls": "STOP"}.get(finish, finish)
    return finish


def reasoning_enabled(req: GenRequest, model: ModelInfo) -> bool:
    if req.reasoning.disabled:
        return False
    return model.reasoning or req.reasoning.requested


def media_phrase(counts: dict[str, int]) -> str:
    names = {"image": "image", "file": "file", "audio": "audio clip", "video": "video"}
    items = [
        f"{counts[k]} {names[k]}{'' if counts[k] == 1 else 's'}"
        for k in ("image", "file", "audio", "video")
        if counts.get(k)
    ]
    if not items:
        return ""
    listed = items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
    return f"I see {listed}."


def quote(text: str) -> str:
    flat = " ".join(text.split())
    cut = truncate_to_tokens(flat, QUOTE_TOKENS)
    return cut if cut == flat else cut + "..."


def default_answer(req: GenRequest) -> str:
    user = req.last_user_text()
    media = media_phrase(req.last_user_media())
    pieces = [f'You said: "{quote(user)}".'] if user else ["Hello!"]
    if media:
        pieces.append(media)
    pieces.append(FIXED_SENTENCE)
    return " ".join(pieces)


def reasoning_text(req: GenRequest) -> str:
    user = quote(req.last_user_text()) or "(no user text)"
    sentences = [
        f'The user wrote: "{user}".',
        "I should work out what is being asked and answer it directly.",
        "Tools, attachments and format constraints in the request shape the reply.",
        "A short, accurate and deterministic answer is best here.",
        "Everything checks out, so I can write the final answer now.",
    ]
    effort = req.reasoning.effort or "medium"
    return " ".join(sentences[: EFFORT_SENTENCES.get(effort, 3)])


def trailing_tool_results(messages: list[Msg]) -> list[tuple[str, str]]:
    """``(tool name, result text)`` of the tool messages ending the conversation, if any."""
    if not messages or messages[-1].role != "tool":
        return []
    start = len(messages)
    while start > 0 and messages[start - 1].role == "tool":
        start -= 1
    names: dict[str, str] = {}
    for msg in reversed(messages[:start]):
        if msg.role == "assistant" and msg.tool_calls:
            names = {c.id: c.name for c in msg.tool_calls}
            break
    out = []
    for msg in messages[start:]:
        name = names.get(msg.tool_call_id or "", msg.tool_call_id or "tool")
        out.append((name, msg.text))
    return out


def pick_tools(req: GenRequest) -> list[str]:
    """Names of the tools to call (empty: answer in text)."""
    if not req.tools or req.tool_choice.mode == "none":
        return []
    if req.tool_choice.mode == "function" and req.tool_choice.name:
        return [req.tool_choice.name]
    if req.response_format is not None and req.tool_choice.mode != "required":
        return []
    text = req.last_user_text().lower()
    named = [
        t.name
        for t in req.tools
        if t.name and (t.name.lower() in text or t.name.lower().replace("_", " ") in text)
    ]
    if not named:
        named = [req.tools[0].name]
    return named if req.parallel_tool_calls else named[:1]


def _signature(*parts: str) -> str:
    return "sandbox-sig-" + digest("thought-signature", *parts, length=32)


def _web_sources(req: GenRequest, key: str) -> list[tuple[str, str]]:
    assert req.web_search is not None
    count = {"low": 1, "medium": 2, "high": 3}[req.web_search.context_size]
    topic = " ".join(req.last_user_text().split()[:6]) or "your question"
    where = f" near {req.web_search.city}" if req.web_search.city else ""
    return [
        (f"https://search.sandbox.invalid/{key[:8]}/{i}", f"Sandbox result {i} for {topic}{where}")
        for i in range(1, count + 1)
    ]


def _with_citations(
    content: str, sources: list[tuple[str, str]]
) -> tuple[str, list[dict[str, Any]]]:
    annotations: list[dict[str, Any]] = []
    text = content + " Sources:"
    for i, (url, title) in enumerate(sources, start=1):
        text += f" [{i}] "
        start = len(text)
        text += title + ("." if i == len(sources) else ";")
        annotations.append(
            {
                "type": "url_citation",
                "url_citation": {
                    "url": url,
                    "title": title,
                    "start_index": start,
                    "end_index": start + len(title),
                    "content": f"Deterministic search snippet about {title}.",
                },
            }
        )
    return text, annotations


def _apply_limits(req: GenRequest, content: str, budget: int | None) -> tuple[str, str, str | None]:
    """Apply ``stop`` then the token budget: (content, finish_reason, matched stop string)."""
    finish = "stop"
    hits = sorted((content.find(s), i, s) for i, s in enumerate(req.stop) if s and s in content)
    matched = hits[0][2] if hits else None
    if hits:
        content = content[: hits[0][0]]
    if budget is not None and count_tokens(content) > budget:
        content, finish = truncate_to_tokens(content, budget), "length"
    return content, finish, matched


def generate(
    req: GenRequest,
    model: ModelInfo,
    endpoint: ProviderEndpoint,
    cache: CacheOutcome | None = None,
) -> GenResult:
    """Run the deterministic model on a normalized request."""
    key = request_digest(req)
    gemini = "gemini" in req.model.lower()
    reasoning: str | None = None
    budget = req.max_tokens
    if reasoning_enabled(req, model):
        reasoning = reasoning_text(req)
        limit = req.reasoning.max_tokens
        if limit is None and req.max_tokens is not None:
            share = EFFORT_SHARE.get(req.reasoning.effort or "medium", 0.5)
            limit = int(req.max_tokens * share)
        if limit is not None:
            reasoning = truncate_to_tokens(reasoning, limit)
        if budget is not None:
            budget = max(0, budget - count_tokens(reasoning))
    results = trailing_tool_results(req.messages)
    calls: list[GenToolCall] = []
    annotations: list[dict[str, Any]] = []
    content: str | None
    searched = req.web_search is not None
    if results:
        content = " ".join(f"Based on {name}: {text}." for name, text in results)
    else:
        names = pick_tools(req)
        tools = {t.name: t for t in req.tools}
        user = req.last_user_text()
        for i, name in enumerate(names):
            schema = tools[name].parameters if name in tools else {}
            args = json.dumps(generate_instance(schema, user), ensure_ascii=False)
            sig = _signature(key, name, str(i)) if gemini else None
            calls.append(GenToolCall(f"call_{digest(key, name, str(i))}", name, args, sig))
        if calls:
            content = None
        elif req.response_format and req.response_format["type"] == "json_schema":
            content = json.dumps(generate_instance(req.response_format["schema"], user))
        elif req.response_format and req.response_format["type"] == "json_object":
            content = json.dumps({"answer": default_answer(req)})
        else:
            content = default_answer(req)
    if content is not None and searched and not req.response_format:
        content, annotations = _with_citations(content, _web_sources(req, key))
    finish, matched = "tool_calls", None
    if content is not None:
        content, finish, matched = _apply_limits(req, content, budget)
        annotations = [a for a in annotations if a["url_citation"]["end_index"] <= len(content)]
    details = issue_reasoning_details(family(req.model), reasoning) if reasoning else None
    choices = [
        GenChoice(
            index=i,
            content=content,
            reasoning=reasoning,
            tool_calls=list(calls),
            finish_reason=finish,
            native_finish_reason=native_finish_reason(req.model, finish, matched is not None),
            annotations=annotations,
            thought_signature=_signature(key, content or "", reasoning or "") if gemini else None,
            stop_sequence=matched,
            reasoning_details=details,
        )
        for i in range(req.n)
    ]
    media = req.prompt_media()
    return GenResult(
        model=req.model,
        provider=endpoint.slug,
        endpoint=endpoint,
        choices=choices,
        prompt_tokens=req.prompt_tokens(),
        cache=cache or CacheOutcome(),
        media_tokens={kind: media[kind] * MEDIA_TOKENS[kind] for kind in MEDIA_TOKENS},
        web_search_requests=1 if searched else 0,
        web_search_price=WEB_SEARCH_PRICE[req.web_search.context_size] if req.web_search else 0.0,
    )


def blank(result: GenResult) -> None:
    """Turn a result into the ``empty-200`` fault: no text, no reasoning, no tool calls."""
    for choice in result.choices:
        choice.content = ""
        choice.reasoning = None
        choice.reasoning_details = None
        choice.tool_calls = []
        choice.annotations = []
        choice.finish_reason = "stop"
        choice.native_finish_reason = "stop"
