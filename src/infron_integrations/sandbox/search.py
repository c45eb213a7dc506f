"""Infron's Search APIs in the sandbox: deterministic, offline answers in each engine's shape.

Docs: "Search" and the OpenAPI files of its engines. The real APIs live on their own host
(``https://search.onerouter.pro/v1``); the sandbox serves them under its one ``/v1``, which is
where the client sends them when its base URL is the sandbox's:

* ``POST /v1/tavily/search``, ``/v1/tavily/extract``, ``/v1/exa``, ``/v1/perplexity``,
  ``/v1/firecrawl``, ``/v1/cloudsway``;
* ``POST /v1/chat/completions`` with ``model: "jina-deepsearch-v1"`` (DeepSearch shares the chat
  path, as on the search host), streamed (``think`` steps, the answer, then a chunk with
  ``usage``, ``visitedURLs`` and ``readURLs``) or not.

Requests are checked against the OpenAPI files (required fields, types, enums, bounds); a field
those files do not list is a 400, so a misspelt field fails in tests instead of being ignored.
Results are made from the query (same query, same results), at most :data:`MAX_RESULTS` of
them, on ``https://search.sandbox.invalid/<engine>/...`` URLs. Where the OpenAPI file is vague
the answer takes the engine's own documented shape: Tavily's ``results`` are objects (title,
url, content, score) and Cloudsway answers ``webPages.value[]`` (name, url, snippet).

Cost: only Exa reports one (``costDollars.total``: $0.005 for up to 25 results, $0.025 above),
and that is what the key is charged; the other engines report none, so clients must record
their cost as unknown. Faults (``x-infron-sandbox-fault``), scripts (``state.script(...,
path="/v1/exa")``) and the out-of-credit key work as on the other endpoints.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from starlette.responses import Response
from starlette.routing import Route

from .behaviours import digest
from .errors import SandboxError, bad_request
from .faults import apply_fault, fault_from_request
from .state import ScriptedError
from .streaming import (
    DONE,
    DROP,
    MALFORMED,
    DroppingJSONResponse,
    FrameResponse,
    dumps,
    sse_data,
    stream_error,
    with_keepalive,
)
from .tokens import count_tokens

if TYPE_CHECKING:
    from .pipeline import Ctx

__all__ = ["DEEPSEARCH_MODELS", "MAX_RESULTS", "routes", "with_deepsearch"]

MAX_RESULTS = 20
DEEPSEARCH_MODELS = frozenset({"jina-deepsearch-v1"})
HOST = "https://search.sandbox.invalid"

# JSON types, short so the tables below read like the OpenAPI files
S, INT, N, B, L, OBJ = "string", "integer", "number", "boolean", "array", "object"


@dataclass(frozen=True)
class _Spec:
    """What the OpenAPI file says of a request body."""

    types: Mapping[str, str | tuple[str, ...]]
    required: tuple[str, ...]
    enums: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    bounds: Mapping[str, tuple[float | None, float | None]] = field(default_factory=dict)


_TAVILY = _Spec(
    types={
        "query": S, "auto_parameters": B, "topic": S, "search_depth": S, "chunks_per_source": INT,
        "max_results": INT, "time_range": S, "start_date": S, "end_date": S, "include_answer": B,
        "include_raw_content": B, "include_images": B, "include_image_descriptions": B,
        "include_favicon": B, "include_domains": L, "exclude_domains": L, "country": S,
    },
    required=("query",),
    enums={
        "topic": ("general", "news", "finance"),
        "search_depth": ("basic", "advanced"),
        "chunks_per_source": (1, 2, 3),
        "time_range": ("day", "week", "month", "year", "d", "w", "m", "y"),
    },
    bounds={"max_results": (0, 20)},
)  # fmt: skip
_EXTRACT = _Spec(
    types={
        "urls": L, "query": S, "chunks_per_source": INT, "extract_depth": S, "include_images": B,
        "include_favicon": B, "format": S, "timeout": N, "include_usage": B,
    },
    required=("urls",),
    enums={"extract_depth": ("basic", "advanced"), "format": ("markdown", "text")},
    bounds={"chunks_per_source": (1, 5), "timeout": (1, 60)},
)  # fmt: skip
_EXA = _Spec(
    types={
        "model": S, "query": S, "additionalQueries": L, "type": S, "category": S,
        "userLocation": S, "numResults": INT, "includeDomains": L, "excludeDomains": L,
        "startCrawlDate": S, "endCrawlDate": S, "startPublishedDate": S, "endPublishedDate": S,
        "includeText": L, "excludeText": L, "context": B, "moderation": B,
    },
    required=("model", "query"),
    bounds={"numResults": (1, 100)},
)  # fmt: skip
_PERPLEXITY = _Spec(
    types={
        "model": S, "query": (S, L), "max_results": INT, "search_domain_filter": L,
        "max_tokens_per_page": INT, "country": S, "search_recency_filter": S,
        "search_after_date": S, "search_before_date": S,
    },
    required=("model", "query"),
    enums={"search_recency_filter": ("day", "week", "month", "year")},
    bounds={"max_results": (1, 20)},
)  # fmt: skip
_FIRECRAWL = _Spec(
    types={
        "model": S, "query": S, "limit": INT, "sources": L, "categories": L, "tbs": S,
        "location": S, "country": S, "timeout": INT, "ignoreInvalidURLs": B, "scrapeOptions": OBJ,
    },
    required=("model", "query"),
    bounds={"limit": (1, 100)},
)  # fmt: skip
_CLOUDSWAY = _Spec(
    types={
        "model": S, "q": S, "count": INT, "offset": INT, "freshness": S, "sites": S,
        "enableContent": B, "contentType": S, "contentTimeout": N, "mainText": B,
    },
    required=("model", "q"),
    enums={
        "count": (10, 20, 30, 40, 50),
        "freshness": ("Day", "Week", "Month"),
        "contentType": ("HTML", "MARKDOWN", "TEXT"),
    },
    bounds={"offset": (0, None)},
)  # fmt: skip
_JINA = _Spec(
    types={
        "model": S, "messages": L, "stream": B, "reasoning_effort": S, "budget_tokens": INT,
        "max_returned_urls": S, "max_attempts": INT, "team_size": INT, "search_provider": S,
        "response_format": OBJ, "search_language_code": S, "language_code": S,
        "boost_hostnames": L, "bad_hostnames": L, "only_hostnames": L, "no_direct_answer": B,
    },
    required=("model", "messages"),
    enums={"reasoning_effort": ("low", "medium", "high")},
)  # fmt: skip

_IS = {
    S: lambda v: isinstance(v, str),
    INT: lambda v: isinstance(v, int) and not isinstance(v, bool),
    N: lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    B: lambda v: isinstance(v, bool),
    L: lambda v: isinstance(v, list),
    OBJ: lambda v: isinstance(v, dict),
}


def _validate(body: dict[str, Any], spec: _Spec) -> None:
    for name in body:
        if name not in spec.types:
            raise bad_request(
                f"Unknown parameter '{name}'. Valid parameters: {', '.join(sorted(spec.types))}.",
                name,
            )
    for name in spec.required:
        if body.get(name) in (None, "", []):
            raise bad_request(f"Missing required parameter '{name}'.", name)
    for name, value in body.items():
        if value is None:
            continue
        types = spec.types[name]
        kinds = types if isinstance(types, tuple) else (types,)
        if not any(_IS[k](value) for k in kinds):
            raise bad_request(f"'{name}' must be of type {' or '.join(kinds)}.", name)
        allowed = spec.enums.get(name)
        if allowed is not None and value not in allowed:
            raise bad_request(
                f"'{name}' must be one of {', '.join(map(str, allowed))}; got {value!r}.", name
            )
        low, high = spec.bounds.get(name, (None, None))
        if (low is not None and value < low) or (high is not None and value > high):
            raise bad_request(f"'{name}' must be between {low} and {high}; got {value}.", name)


# -- the shared pipeline -------------------------------------------------------------------------


def _topic(text: str) -> str:
    return " ".join(text.split()[:8]) or "your query"


def _results(engine: str, query: str, count: int) -> list[tuple[str, str, str]]:
    """``(url, title, snippet)`` for ``count`` results (capped), the same for the same query."""
    key = digest(engine, query, length=8)
    topic = _topic(query)
    return [
        (
            f"{HOST}/{engine}/{key}/{i}",
            f"Sandbox {engine} result {i} for {topic}",
            f"Deterministic {engine} snippet {i} about {topic}.",
        )
        for i in range(1, min(count, MAX_RESULTS) + 1)
    ]


def _json(body: dict[str, Any], mode: str | None) -> Response:
    if mode == "drop-mid-stream":
        return DroppingJSONResponse(body)
    text = dumps(body)
    if mode == "malformed-sse":
        return Response(text[: len(text) // 2], media_type="application/json")
    return Response(text, media_type="application/json")


Answer = Callable[["Ctx", dict[str, Any], bool], dict[str, Any]]


def _endpoint(path: str, spec: _Spec, answer: Answer) -> Callable[[Ctx], Awaitable[Response]]:
    async def handler(ctx: Ctx) -> Response:
        body = ctx.body
        _validate(body, spec)
        scripted = _scripted(ctx, path, body.get("model"))
        if scripted is not None:
            return scripted
        if ctx.state.balance(ctx.api_key) <= 0:
            raise SandboxError(402)
        mode = await apply_fault(
            fault_from_request(ctx.headers, body.get("model")),
            ctx.state,
            ctx.headers,
            ctx.raw,
            path,
        )
        out = answer(ctx, body, mode == "empty-200")
        if mode in ("error-in-200", "error-in-stream"):
            out["error"] = {"code": 502, "message": "Upstream search error (sandbox fault)"}
        return _json(out, mode)

    return handler


def _scripted(ctx: Ctx, path: str, model: Any) -> Response | None:
    scripted = ctx.state.take_script(path, model if isinstance(model, str) else None)
    if scripted is None:
        return None
    if isinstance(scripted, ScriptedError):
        raise SandboxError(
            scripted.status, scripted.message, param=scripted.param, type=scripted.type,
            headers=scripted.headers,
        )  # fmt: skip
    if isinstance(scripted, list):  # stream chunks
        return FrameResponse([*(sse_data(c) for c in scripted), DONE])
    return _json({"request_id": ctx.request_id, **scripted}, None)


# -- the engines ---------------------------------------------------------------------------------


def _tavily(ctx: Ctx, body: dict[str, Any], empty: bool) -> dict[str, Any]:
    query = body["query"]
    found = [] if empty else _results("tavily", query, body.get("max_results", 5))
    news = body.get("topic") == "news"
    results = []
    for i, (url, title, snippet) in enumerate(found):
        item: dict[str, Any] = {
            "title": title,
            "url": url,
            "content": snippet,
            "score": round(0.95 - 0.05 * i, 4),
            "raw_content": f"# {title}\n\n{snippet}" if body.get("include_raw_content") else None,
        }
        if news:
            item["published_date"] = f"2025-01-{i + 1:02d}"
        results.append(item)
    images = []
    if body.get("include_images"):
        describe = body.get("include_image_descriptions") is True
        images = [
            {"url": f"{HOST}/images/{i}.png", "description": f"Image {i}" if describe else None}
            for i in (1, 2)
        ]
    answer = f"Sandbox answer about {_topic(query)}." if body.get("include_answer") else None
    return {
        "query": query,
        "follow_up_questions": None,
        "answer": answer,
        "images": images,
        "results": results,
        "response_time": 0.01,
        "request_id": ctx.request_id,
    }


def _extract(ctx: Ctx, body: dict[str, Any], empty: bool) -> dict[str, Any]:
    results, failed = [], []
    for url in [] if empty else body["urls"]:
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            failed.append({"url": url, "error": "Not a valid http(s) URL"})
            continue
        results.append(
            {
                "url": url,
                "title": f"Sandbox page {digest(url, length=6)}",
                "raw_content": f"# Sandbox page\n\nDeterministic content of {url}.",
                "images": [],
            }
        )
    out: dict[str, Any] = {
        "results": results,
        "failed_results": failed,
        "response_time": 0.01,
        "request_id": ctx.request_id,
    }
    if body.get("include_usage"):
        out["usage"] = {"credits": len(results) // 5}  # 1 credit per 5 successful URLs
    return out


def _exa(ctx: Ctx, body: dict[str, Any], empty: bool) -> dict[str, Any]:
    wanted = body.get("numResults", 10)
    found = [] if empty else _results("exa", body["query"], wanted)
    total = 0.005 if wanted <= 25 else 0.025
    ctx.state.charge(ctx.api_key, Decimal(repr(total)), ctx.request_id)
    kind = body.get("type") or "auto"
    out: dict[str, Any] = {
        "requestId": ctx.request_id,
        "resolvedSearchType": "neural" if kind == "auto" else kind,
        "results": [
            {
                "id": url,
                "title": title,
                "url": url,
                "publishedDate": f"2025-01-{i + 1:02d}T00:00:00.000Z",
                "author": None,
                "text": snippet,
            }
            for i, (url, title, snippet) in enumerate(found)
        ],
        "searchTime": 10.0,
        "costDollars": {"total": total, "search": {"neural": total}},
    }
    if body.get("context"):
        out["context"] = " ".join(snippet for _, _, snippet in found)
    return out


def _perplexity(ctx: Ctx, body: dict[str, Any], empty: bool) -> dict[str, Any]:
    queries = body["query"] if isinstance(body["query"], list) else [body["query"]]
    results = []
    for query in [] if empty else queries:
        for i, (url, title, snippet) in enumerate(
            _results("perplexity", query, body.get("max_results", 10))
        ):
            day = f"2025-01-{i + 1:02d}"
            results.append(
                {"title": title, "url": url, "snippet": snippet, "date": day, "last_updated": day}
            )
    return {"results": results, "id": ctx.request_id}


def _firecrawl(ctx: Ctx, body: dict[str, Any], empty: bool) -> dict[str, Any]:
    found = [] if empty else _results("firecrawl", body["query"], body.get("limit", 5))
    scrape = isinstance(body.get("scrapeOptions"), dict)
    web = []
    for i, (url, title, snippet) in enumerate(found, start=1):
        item: dict[str, Any] = {
            "url": url,
            "title": title,
            "description": snippet,
            "position": i,
            "category": "web",
        }
        if scrape:  # pages are scraped only when scrapeOptions ask for it
            item["markdown"] = f"# {title}\n\n{snippet}"
            item["metadata"] = {"title": title, "sourceURL": url, "url": url, "statusCode": 200}
        web.append(item)
    credits = max(1, len(web)) * (2 if scrape else 1)
    return {"success": True, "data": {"web": web}, "creditsUsed": credits, "id": ctx.request_id}


def _cloudsway(ctx: Ctx, body: dict[str, Any], empty: bool) -> dict[str, Any]:
    found = [] if empty else _results("cloudsway", body["q"], body.get("count", 10))
    pages = []
    for i, (url, title, snippet) in enumerate(found, start=1):
        page: dict[str, Any] = {
            "name": title,
            "url": url,
            "snippet": snippet,
            "datePublished": f"2025-01-{i:02d}T00:00:00Z",
        }
        if body.get("enableContent"):
            page["content"] = f"{title}. {snippet} Full page text from the sandbox."
            if body.get("mainText"):
                page["mainText"] = f"{snippet} Main text from the sandbox."
        pages.append(page)
    return {"queryContext": {"originalQuery": body["q"]}, "webPages": {"value": pages}}


# -- DeepSearch ----------------------------------------------------------------------------------


def _deepsearch_parts(body: dict[str, Any]) -> tuple[list[str], str, list[dict[str, Any]], Any]:
    """Reasoning steps, the answer, its citations and the usage, from the last user message."""
    messages = body["messages"]
    for message in messages:
        if not isinstance(message, dict) or not isinstance(message.get("content"), str):
            raise bad_request("Each message must be an object with a string 'content'.", "messages")
    question = next((m["content"] for m in reversed(messages) if m.get("role") == "user"), "")
    topic = _topic(question)
    sources = _results("jina", question, 2)
    steps = [
        f"Searching the web for: {topic}.\n",
        f"Reading {len(sources)} sources.\n",
        "Checking the sources agree, then writing the answer.\n",
    ][: {"low": 1, "medium": 2, "high": 3}.get(body.get("reasoning_effort") or "medium", 2)]
    answer = f"DeepSearch answer from the Infron sandbox about {topic}."
    citations = []
    for i, (url, title, snippet) in enumerate(sources, start=1):
        marker = f" [{i}]"
        citations.append(
            {
                "type": "url_citation",
                "url_citation": {
                    "url": url,
                    "title": title,
                    "content": snippet,
                    "start_index": len(answer) + 1,
                    "end_index": len(answer) + len(marker),
                },
            }
        )
        answer += marker
    prompt = sum(count_tokens(m["content"]) for m in messages)
    completion = count_tokens(answer) + sum(count_tokens(s) for s in steps)
    usage = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }
    return steps, answer, citations, usage


async def deepsearch(ctx: Ctx) -> Response:
    body = ctx.body
    _validate(body, _JINA)
    path = "/v1/chat/completions"
    scripted = _scripted(ctx, path, body.get("model"))
    if scripted is not None:
        return scripted
    if ctx.state.balance(ctx.api_key) <= 0:
        raise SandboxError(402)
    mode = await apply_fault(
        fault_from_request(ctx.headers, body["model"]), ctx.state, ctx.headers, ctx.raw, path
    )
    steps, answer, citations, usage = _deepsearch_parts(body)
    urls = [c["url_citation"]["url"] for c in citations]
    envelope = {
        "id": f"deepsearch-{ctx.request_id[:24]}",
        "created": int(time.time()),
        "model": body["model"],
        "system_fingerprint": "fp_infron_sandbox",
        "request_id": ctx.request_id,
    }
    extras = {"usage": usage, "visitedURLs": urls, "readURLs": urls, "numURLs": len(urls)}
    if body.get("stream") is not True:
        message = {"role": "assistant", "content": answer, "type": "text", "annotations": citations}
        choice = {"index": 0, "finish_reason": "stop", "logprobs": None, "message": message}
        out = {**envelope, "object": "chat.completion", "choices": [choice], **extras}
        if mode in ("error-in-200", "error-in-stream"):
            choice["finish_reason"] = "error"
            choice["error"] = stream_error("jina")
        return _json(out, mode)

    def chunk(delta: dict[str, Any], finish: str | None = None, **more: Any) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None, **more}
        return sse_data({**envelope, "object": "chat.completion.chunk", "choices": [choice]})

    frames = [chunk({"role": "assistant", "content": s, "type": "think"}) for s in steps]
    faults = {
        "error-in-stream": [chunk({}, "error", error=stream_error("jina")), DONE],
        "error-in-200": [chunk({}, "error", error=stream_error("jina")), DONE],
        "drop-mid-stream": [DROP],
        "malformed-sse": [MALFORMED, DONE],
    }
    if mode in faults:
        frames += faults[mode]
    else:
        frames.append(chunk({"content": answer, "type": "text", "annotations": citations}))
        last = {"index": 0, "delta": {}, "finish_reason": "stop", "logprobs": None}
        frames.append(sse_data({**envelope, "object": "chat.completion.chunk",
                                "choices": [last], **extras}))  # fmt: skip
        frames.append(DONE)
    return FrameResponse(
        with_keepalive(frames, ctx.config.keepalive_every), delay=ctx.config.stream_delay
    )


Handler = Callable[["Ctx"], Awaitable[Response]]


def with_deepsearch(chat: Handler) -> Handler:
    """``chat`` for ``/v1/chat/completions``, except that DeepSearch models get DeepSearch."""

    async def handler(ctx: Ctx) -> Response:
        if isinstance(ctx.body, dict) and ctx.body.get("model") in DEEPSEARCH_MODELS:
            return await deepsearch(ctx)
        return await chat(ctx)

    return handler


_ENGINES: dict[str, tuple[_Spec, Answer]] = {
    "/v1/tavily/search": (_TAVILY, _tavily),
    "/v1/tavily/extract": (_EXTRACT, _extract),
    "/v1/exa": (_EXA, _exa),
    "/v1/perplexity": (_PERPLEXITY, _perplexity),
    "/v1/firecrawl": (_FIRECRAWL, _firecrawl),
    "/v1/cloudsway": (_CLOUDSWAY, _cloudsway),
}


def routes(endpoint: Callable[[Handler], Any]) -> list[Route]:
    """The search routes, each wrapped by the app's ``endpoint`` (auth, body, request log)."""
    return [
        Route(path, endpoint(_endpoint(path, spec, answer)), methods=["POST"])
        for path, (spec, answer) in _ENGINES.items()
    ]
