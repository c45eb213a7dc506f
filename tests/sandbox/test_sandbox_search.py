"""The Search APIs in the sandbox: documented shapes, validation, cost, DeepSearch streams.

The response schemas below are the ``required`` parts of the OpenAPI files of the Search section
(openapi/tavily-*.json, exa-*.json, perplexity-*.json, firecrawl-*.json,
chat-completions-jina-*.json), pinned here; Tavily's ``results`` items are objects (what Tavily
sends) where the file says strings.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from sandbox_helpers import AUTH, HEX32, HTTP, assert_valid, chat, data_chunks, parse_sse

from infron_integrations.sandbox import DEFAULT_NO_CREDIT_KEY, ScriptedError

STR = {"type": "string"}
NUM = {"type": "number"}
STRS = {"type": "array", "items": STR}

TAVILY = {
    "type": "object",
    "required": ["query", "follow_up_questions", "answer", "images", "results", "response_time",
                 "request_id"],
    "properties": {
        "results": {"type": "array", "items": {"type": "object",
                                               "required": ["title", "url", "content", "score"]}},
        "response_time": NUM,
        "request_id": STR,
    },
}  # fmt: skip
EXTRACT = {
    "type": "object",
    "required": ["results", "failed_results", "response_time", "request_id"],
    "properties": {
        "results": {"type": "array", "items": {"type": "object",
                                               "required": ["url", "title", "raw_content", "images"]}},
    },
}  # fmt: skip
EXA = {
    "type": "object",
    "required": ["requestId", "resolvedSearchType", "results", "searchTime", "costDollars"],
    "properties": {
        "results": {"type": "array", "items": {"type": "object",
                                               "required": ["id", "title", "url", "publishedDate",
                                                            "author"]}},
        "costDollars": {"type": "object", "required": ["total", "search"],
                        "properties": {"total": NUM}},
    },
}  # fmt: skip
PERPLEXITY = {
    "type": "object",
    "required": ["results", "id"],
    "properties": {
        "results": {"type": "array", "items": {"type": "object",
                                               "required": ["title", "url", "snippet", "date",
                                                            "last_updated"]}},
    },
}  # fmt: skip
FIRECRAWL = {
    "type": "object",
    "required": ["success", "data", "creditsUsed", "id"],
    "properties": {
        "data": {"type": "object", "required": ["web"], "properties": {"web": {
            "type": "array", "items": {"type": "object", "required": [
                "url", "title", "description", "position", "category", "markdown", "metadata"]}}}},
    },
}  # fmt: skip
JINA = {
    "type": "object",
    "required": ["choices", "created", "id", "model", "numURLs", "object", "readURLs",
                 "request_id", "system_fingerprint", "usage", "visitedURLs"],
    "properties": {
        "usage": {"type": "object",
                  "required": ["completion_tokens", "prompt_tokens", "total_tokens"]},
        "readURLs": STRS,
        "visitedURLs": STRS,
    },
}  # fmt: skip


def _post(sb: Any, path: str, body: dict[str, Any], **headers: str) -> Any:
    return HTTP.post(sb.base_url + path, json=body, headers={**AUTH, **headers}, timeout=10)


def _ok(sb: Any, path: str, body: dict[str, Any], **headers: str) -> dict[str, Any]:
    r = _post(sb, path, body, **headers)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("path", "body", "schema", "count"),
    [
        ("/tavily/search", {"query": "Who is Leo Messi?", "max_results": 3}, TAVILY, 3),
        ("/tavily/extract", {"urls": ["https://a.example/x", "https://b.example/y"]}, EXTRACT, 2),
        ("/exa", {"model": "exa-search", "query": "LLM research", "numResults": 4}, EXA, 4),
        ("/perplexity", {"model": "perplexity-search", "query": "AI news", "max_results": 2},
         PERPLEXITY, 2),
        ("/firecrawl", {"model": "firecrawl-search", "query": "messi", "limit": 2,
                        "scrapeOptions": {"formats": ["markdown"]}}, FIRECRAWL, 2),
    ],
)  # fmt: skip
def test_documented_shapes(
    infron_sandbox: Any, path: str, body: dict[str, Any], schema: dict[str, Any], count: int
) -> None:
    r = _post(infron_sandbox, path, body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert_valid(out, schema)
    results = out["data"]["web"] if path == "/firecrawl" else out["results"]
    assert len(results) == count
    assert HEX32.match(r.headers["x-request-id"])
    logged = infron_sandbox.last_request("/v1" + path)
    assert logged.body == body and logged.status == 200
    assert logged.headers["authorization"] == "***"


def test_cloudsway_answers_bing_style_pages(infron_sandbox: Any) -> None:
    body = {"model": "cloudsway-smart-search", "q": "LLM research", "count": 10,
            "enableContent": True, "mainText": True}  # fmt: skip
    out = _ok(infron_sandbox, "/cloudsway", body)
    pages = out["webPages"]["value"]
    assert len(pages) == 10
    assert set(pages[0]) == {"name", "url", "snippet", "datePublished", "content", "mainText"}
    assert out["queryContext"] == {"originalQuery": "LLM research"}


def test_results_follow_the_query_and_are_capped(infron_sandbox: Any) -> None:
    def urls(query: str, n: int) -> list[str]:
        out = _ok(infron_sandbox, "/tavily/search", {"query": query, "max_results": n})
        return [r["url"] for r in out["results"]]

    first = urls("pets", 5)
    assert first == urls("pets", 5)  # deterministic
    assert first != urls("cars", 5)
    assert all(u.startswith("https://search.sandbox.invalid/tavily/") for u in first)
    exa = _ok(infron_sandbox, "/exa", {"model": "exa-search", "query": "q", "numResults": 100})
    assert len(exa["results"]) == 20  # MAX_RESULTS


def test_tavily_options_shape_the_answer(infron_sandbox: Any) -> None:
    out = _ok(
        infron_sandbox,
        "/tavily/search",
        {"query": "Mars", "topic": "news", "include_answer": True, "include_images": True,
         "include_image_descriptions": True, "include_raw_content": True},
    )  # fmt: skip
    assert out["answer"] == "Sandbox answer about Mars."
    assert out["images"][0]["description"] == "Image 1"
    assert out["results"][0]["published_date"] == "2025-01-01"
    assert out["results"][0]["raw_content"].startswith("# Sandbox tavily result 1")


@pytest.mark.parametrize(
    ("path", "body", "param", "text"),
    [
        ("/tavily/search", {"max_results": 3}, "query", "Missing required parameter"),
        ("/tavily/search", {"query": "q", "max_result": 3}, "max_result", "Unknown parameter"),
        ("/tavily/search", {"query": "q", "topic": "sports"}, "topic", "must be one of"),
        ("/tavily/search", {"query": "q", "max_results": 21}, "max_results", "between 0 and 20"),
        ("/exa", {"query": "q"}, "model", "Missing required parameter"),
        ("/exa", {"model": "exa-search", "query": "q", "numResults": "5"}, "numResults",
         "of type integer"),
        ("/cloudsway", {"model": "cloudsway-smart-search", "q": "q", "count": 15}, "count",
         "must be one of"),
        ("/perplexity", {"model": "perplexity-search", "query": 5}, "query",
         "of type string or array"),
        ("/chat/completions", {"model": "jina-deepsearch-v1", "messages": [],
                               "budget_tokens": 10}, "messages", "Missing required parameter"),
    ],
)  # fmt: skip
def test_requests_are_checked_against_the_openapi_files(
    infron_sandbox: Any, path: str, body: dict[str, Any], param: str, text: str
) -> None:
    r = _post(infron_sandbox, path, body)
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["param"] == param and error["code"] == 400
    assert text in error["message"]


def test_auth_and_credit(infron_sandbox: Any) -> None:
    body = {"query": "q"}
    r = HTTP.post(infron_sandbox.base_url + "/tavily/search", json=body, timeout=10)
    assert r.status_code == 401
    poor = {"Authorization": f"Bearer {DEFAULT_NO_CREDIT_KEY}"}
    r = HTTP.post(infron_sandbox.base_url + "/tavily/search", json=body, headers=poor, timeout=10)
    assert r.status_code == 402 and r.json()["error"]["type"] == "insufficient_credits"


def test_only_exa_reports_and_charges_a_cost(infron_sandbox: Any) -> None:
    state = infron_sandbox.state
    before = state.balance(infron_sandbox.api_key)
    _ok(infron_sandbox, "/tavily/search", {"query": "q"})
    _ok(infron_sandbox, "/perplexity", {"model": "perplexity-search", "query": "q"})
    assert state.balance(infron_sandbox.api_key) == before
    small = _ok(infron_sandbox, "/exa", {"model": "exa-search", "query": "q", "numResults": 25})
    large = _ok(infron_sandbox, "/exa", {"model": "exa-search", "query": "q", "numResults": 26})
    assert small["costDollars"] == {"total": 0.005, "search": {"neural": 0.005}}
    assert large["costDollars"]["total"] == 0.025
    assert before - state.balance(infron_sandbox.api_key) == Decimal("0.030")
    assert state.charges()[small["requestId"]] == Decimal("0.005")


def test_deepsearch_non_streamed(infron_sandbox: Any) -> None:
    body = {"model": "jina-deepsearch-v1", "stream": False,
            "messages": [{"role": "user", "content": "What is the latest blog post from Jina AI?"}]}  # fmt: skip
    out = _ok(infron_sandbox, "/chat/completions", body)
    assert_valid(out, JINA)
    message = out["choices"][0]["message"]
    assert message["content"].startswith("DeepSearch answer from the Infron sandbox about")
    cited = [a["url_citation"]["url"] for a in message["annotations"]]
    assert cited == out["readURLs"] == out["visitedURLs"] and out["numURLs"] == 2


def test_deepsearch_stream_frames(infron_sandbox: Any) -> None:
    body = {"model": "jina-deepsearch-v1", "stream": True, "reasoning_effort": "high",
            "messages": [{"role": "user", "content": "Explain DeepSearch"}]}  # fmt: skip
    r = _post(infron_sandbox, "/chat/completions", body)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(r.text)
    assert events[0] == (":", "INFRONAI PROCESSING")
    assert events[-1] == (None, "[DONE]")
    chunks = data_chunks(r.text)
    kinds = [c["choices"][0]["delta"].get("type") for c in chunks]
    assert kinds == ["think", "think", "think", "text", None]
    last = chunks[-1]
    assert last["choices"][0]["finish_reason"] == "stop"
    assert last["usage"]["total_tokens"] > 0 and len(last["readURLs"]) == 2
    assert {c["request_id"] for c in chunks} == {r.headers["x-request-id"]}


def test_deepsearch_leaves_chat_alone(infron_sandbox: Any) -> None:
    r = _post(infron_sandbox, "/chat/completions", chat("hello"))
    assert r.status_code == 200
    assert r.json()["choices"][0]["message"]["content"].startswith('You said: "hello"')


def test_faults_and_scripts(infron_sandbox: Any) -> None:
    r = _post(infron_sandbox, "/exa", {"model": "exa-search", "query": "q"},
              **{"x-infron-sandbox-fault": "429"})  # fmt: skip
    assert r.status_code == 429 and r.headers["retry-after"] == "1"
    out = _ok(infron_sandbox, "/tavily/search", {"query": "q"},
              **{"x-infron-sandbox-fault": "error-in-200"})  # fmt: skip
    assert out["error"]["code"] == 502
    infron_sandbox.script({"results": [], "id": "scripted"}, path="/v1/perplexity")
    infron_sandbox.script(ScriptedError(503, "no engine"), path="/v1/perplexity")
    first = _ok(infron_sandbox, "/perplexity", {"model": "perplexity-search", "query": "q"})
    assert first["id"] == "scripted" and HEX32.match(first["request_id"])
    second = _post(infron_sandbox, "/perplexity", {"model": "perplexity-search", "query": "q"})
    assert second.status_code == 503 and second.json()["error"]["message"] == "no engine"


def test_deepsearch_stream_faults(infron_sandbox: Any) -> None:
    body = {"model": "jina-deepsearch-v1", "stream": True,
            "messages": [{"role": "user", "content": "q"}]}  # fmt: skip
    r = _post(infron_sandbox, "/chat/completions", body,
              **{"x-infron-sandbox-fault": "error-in-stream"})  # fmt: skip
    final = data_chunks(r.text)[-1]["choices"][0]
    assert final["finish_reason"] == "error" and final["error"]["code"] == 502
    r = _post(infron_sandbox, "/chat/completions", body,
              **{"x-infron-sandbox-fault": "malformed-sse"})  # fmt: skip
    frames = [d for e, d in parse_sse(r.text) if e != ":"]
    with pytest.raises(json.JSONDecodeError):
        [json.loads(d) for d in frames if d != "[DONE]"]
