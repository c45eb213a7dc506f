"""``InfronSearch`` against the sandbox over loopback: wire bodies, typed answers, errors, cost."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infron_integrations.core import (
    InfronAPIError,
    InfronAuthenticationError,
    InfronBadGatewayError,
    InfronBadRequestError,
    InfronBudgetExceededError,
    InfronConfigError,
    InfronInsufficientCreditsError,
    InfronRateLimitError,
    InfronSearch,
    InfronSettings,
    InfronStreamError,
    RetryPolicy,
    search_tool_definition,
    track_usage,
)
from infron_integrations.core.search_models import (
    ExaSearchRequest,
    TavilyExtractRequest,
    TavilySearchRequest,
)
from infron_integrations.core.search_wire import TavilySearchResponse
from infron_integrations.sandbox import DEFAULT_NO_CREDIT_KEY

FAULT = "x-infron-sandbox-fault"
QUESTION = "Who is Leo Messi?"


def _client(sandbox: Any, *, fault: str | None = None, **kwargs: Any) -> InfronSearch:
    settings = InfronSettings.resolve(
        api_key=kwargs.pop("api_key", sandbox.api_key),
        base_url=sandbox.base_url,
        default_headers={FAULT: fault} if fault else None,
    )
    return InfronSearch(settings, retry=RetryPolicy(2, base_delay=0.01), **kwargs)


def _sent(sandbox: Any, path: str) -> Any:
    request = sandbox.last_request(path)
    assert request is not None, f"nothing reached {path}"
    return request.body


# --- where searches go -------------------------------------------------------------------------


def test_search_url_default_env_and_derivation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INFRON_SEARCH_URL", raising=False)
    monkeypatch.delenv("INFRON_BASE_URL", raising=False)
    assert InfronSettings.resolve("k").search_url == "https://search.onerouter.pro/v1"
    # a base URL that is not the default (a sandbox, a stand-in) serves searches too
    assert (
        InfronSettings.resolve("k", "http://127.0.0.1:9/v1").search_url == "http://127.0.0.1:9/v1"
    )
    monkeypatch.setenv("INFRON_SEARCH_URL", "https://search.example/v1/")
    assert InfronSettings.resolve("k", "http://127.0.0.1:9/v1").search_url == (
        "https://search.example/v1"
    )
    explicit = InfronSettings.resolve("k", search_url="http://127.0.0.1:8/v1")
    assert explicit.search_url == "http://127.0.0.1:8/v1"
    with pytest.raises(InfronConfigError, match=r"search_url 'search\.example' is not an absolute"):
        InfronSettings.resolve("k", search_url="search.example")


def test_repr_and_errors_never_show_the_key(infron_sandbox: Any) -> None:
    client = InfronSearch(api_key="sk-secret-value-123", base_url=infron_sandbox.base_url)
    assert "sk-secret" not in repr(client)
    assert repr(client) == f"InfronSearch(search_url={infron_sandbox.base_url!r})"
    with pytest.raises(InfronAuthenticationError) as info:
        client.search(QUESTION)
    assert "sk-secret" not in str(info.value) and "sk-secret" not in repr(info.value.body)
    assert json.loads(_sent(infron_sandbox, "/v1/tavily/search")) == {"query": QUESTION}
    assert infron_sandbox.last_request().headers["authorization"] == "***"
    with pytest.raises(InfronConfigError, match="not both"):
        InfronSearch(client.settings, api_key="k")


# --- every engine: the body sent, the typed answer, the record ---------------------------------

ENGINES = [
    ("tavily", "/v1/tavily/search", {"query": QUESTION, "max_results": 3}, 3),
    ("exa", "/v1/exa", {"model": "exa-search", "query": QUESTION, "numResults": 3}, 3),
    ("perplexity", "/v1/perplexity",
     {"model": "perplexity-search", "query": QUESTION, "max_results": 3}, 3),
    ("firecrawl", "/v1/firecrawl", {"model": "firecrawl-search", "query": QUESTION, "limit": 3}, 3),
    # count takes 10..50 in steps of 10: max_results=3 asks for 10
    ("cloudsway", "/v1/cloudsway", {"model": "cloudsway-smart-search", "q": QUESTION, "count": 10},
     10),
]  # fmt: skip


@pytest.mark.parametrize(("engine", "path", "body", "count"), ENGINES)
def test_each_engine(
    infron_sandbox: Any, engine: Any, path: str, body: dict[str, Any], count: int
) -> None:
    with track_usage() as run:
        found = _client(infron_sandbox).search(QUESTION, engine=engine, max_results=3)
    assert _sent(infron_sandbox, path) == body
    assert len(found.hits) == count
    first = found.hits[0]
    assert first.title == f"Sandbox {engine} result 1 for {QUESTION}"
    assert first.url is not None and first.url.startswith(
        f"https://search.sandbox.invalid/{engine}/"
    )
    assert first.content == f"Deterministic {engine} snippet 1 about {QUESTION}."
    (record,) = run.records
    assert record.kind == "search" and record.provider == engine and record.framework == "core"
    assert record.model is not None and record.model.startswith(f"{engine}/")
    assert record.web_search_requests == 1
    assert record.request_id == infron_sandbox.last_request(path).request_id
    if engine == "exa":  # the only engine whose answer reports a cost
        assert record.cost == 0.005 and record.unknown_cost_requests == 0
        assert run.total_cost == 0.005
    else:  # recorded, never estimated
        assert record.cost is None and record.unknown_cost_requests == 1
        assert run.total_cost == 0


async def test_async_search_and_extract(infron_sandbox: Any) -> None:
    client = _client(infron_sandbox)
    found = await client.asearch(
        QUESTION, engine="tavily", max_results=2, topic="news", include_answer=True
    )
    assert _sent(infron_sandbox, "/v1/tavily/search") == {
        "query": QUESTION, "topic": "news", "max_results": 2, "include_answer": True,
    }  # fmt: skip
    assert isinstance(found, TavilySearchResponse)
    assert found.answer == f"Sandbox answer about {QUESTION}."
    assert [h.published_date for h in found.hits] == ["2025-01-01", "2025-01-02"]
    pages = await client.aextract(["https://a.example/x", "ftp://b"], include_usage=True)
    assert _sent(infron_sandbox, "/v1/tavily/extract") == {
        "urls": ["https://a.example/x", "ftp://b"], "include_usage": True,
    }  # fmt: skip
    assert [h.url for h in pages.hits] == ["https://a.example/x"]
    assert pages.failed_results == [{"url": "ftp://b", "error": "Not a valid http(s) URL"}]


def test_ready_requests_and_extra_body(infron_sandbox: Any) -> None:
    client = _client(infron_sandbox)
    request = ExaSearchRequest(query="q", numResults=2, category="news")
    client.search(request, extra_body={"moderation": True})
    assert _sent(infron_sandbox, "/v1/exa") == {
        "model": "exa-search", "query": "q", "category": "news", "numResults": 2,
        "moderation": True,
    }  # fmt: skip
    with pytest.raises(InfronConfigError, match="not both"):
        client.search(request, max_results=3)
    extract = TavilyExtractRequest(urls=["https://a.example"])
    with pytest.raises(InfronConfigError, match="not both"):
        client.extract(extract, include_images=True)  # would be dropped silently otherwise
    with pytest.raises(TypeError, match="use extract"):
        client.search(extract)
    assert len(infron_sandbox.requests) == 1


# --- validated before sending ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("engine", "fields", "message"),
    [
        ("exa", {"num_results": 3}, "unknown field 'num_results' in ExaSearchRequest. "
                                    "Did you mean 'numResults'?"),
        ("tavily", {"topic": "sports"}, "request.topic: Input should be 'general', 'news'"),
        ("tavily", {"time_range": "day", "start_date": "2025-01-01"},
         "time_range cannot be combined with start_date/end_date"),
        ("tavily", {"chunks_per_source": 2}, "chunks_per_source is available only with "
                                             "search_depth='advanced'"),
        ("tavily", {"start_date": "01/31/2025"}, "is not a date in the documented format, "
                                                "e.g. '2025-01-31'"),
        ("perplexity", {"search_after_date": "2025-10-15"}, "e.g. '10/15/2025'"),
        ("cloudsway", {"count": 15}, "request.count: Input should be 10, 20, 30, 40 or 50"),
        ("tavily", {"query": "again"}, "'query' is given as the first argument"),
        ("bing", {}, "Unknown search engine 'bing'"),
    ],
)  # fmt: skip
def test_invalid_requests_fail_before_sending(
    infron_sandbox: Any, engine: Any, fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(InfronConfigError) as info:
        _client(infron_sandbox).search("q", engine=engine, **fields)
    assert message in str(info.value)
    assert infron_sandbox.requests == []


def test_request_models_send_the_documented_names() -> None:
    request = TavilySearchRequest(query="q", search_depth="advanced", chunks_per_source=2)
    assert request.to_wire() == {"query": "q", "search_depth": "advanced", "chunks_per_source": 2}
    assert request.PATH == "/tavily/search"


# --- errors: the core's typed classes -----------------------------------------------------------


def test_http_errors_are_typed_and_retried(infron_sandbox: Any) -> None:
    found = _client(infron_sandbox, fault="fail-once:429").search("q", engine="exa")
    assert len(found.hits) == 10
    assert [r.status for r in infron_sandbox.requests] == [429, 200]
    with pytest.raises(InfronRateLimitError) as info:
        _client(infron_sandbox, fault="429").search("q")
    assert info.value.retry_after == 1.0 and info.value.request_id
    with pytest.raises(InfronInsufficientCreditsError):
        _client(infron_sandbox, api_key=DEFAULT_NO_CREDIT_KEY).search("q")


def test_a_400_names_the_field(infron_sandbox: Any) -> None:
    with pytest.raises(InfronBadRequestError) as info:
        _client(infron_sandbox).search("q", extra_body={"max_result": 3})
    assert info.value.param == "max_result"
    assert "Unknown parameter 'max_result'" in info.value.message


def test_errors_inside_a_200_are_raised(infron_sandbox: Any) -> None:
    with pytest.raises(InfronBadGatewayError) as info:
        _client(infron_sandbox, fault="error-in-200").search("q")
    assert info.value.in_band
    infron_sandbox.script(
        {"success": False, "error": "Firecrawl could not search"}, path="/v1/firecrawl"
    )
    with track_usage() as run, pytest.raises(InfronAPIError, match="Firecrawl could not search"):
        _client(infron_sandbox).search("q", engine="firecrawl")
    assert run.records == []  # a failed search is not a request to count


def test_unknown_fields_of_the_answer_are_kept(infron_sandbox: Any) -> None:
    # the OpenAPI file types Tavily's results as strings: accepted too
    infron_sandbox.script(
        {"query": "q", "results": ["https://a.example", "plain text"], "new_field": {"a": 1}},
        path="/v1/tavily/search",
    )
    found = _client(infron_sandbox).search("q")
    assert found.model_extra == {"new_field": {"a": 1}}
    assert [(h.url, h.content) for h in found.hits] == [
        ("https://a.example", ""), (None, "plain text"),
    ]  # fmt: skip


# --- cost and budget ----------------------------------------------------------------------------


def test_budget_stops_after_the_crossing_search(infron_sandbox: Any) -> None:
    client = _client(infron_sandbox)
    with track_usage(budget=0.007) as run:
        client.search("q", engine="exa")
        with pytest.raises(InfronBudgetExceededError):
            client.search("q", engine="exa")
    assert run.total.requests == 2 and run.total_cost == 0.01


def test_gateway_cost_wins_over_the_engine_figure(infron_sandbox: Any) -> None:
    infron_sandbox.script({"results": [], "costDollars": {"total": 0.005}, "cost": 0.0061},
                          path="/v1/exa")  # fmt: skip
    with track_usage() as run:
        found = _client(infron_sandbox).search("q", engine="exa")
    assert found.total_cost == 0.0061 and run.records[0].cost == 0.0061


# --- DeepSearch ----------------------------------------------------------------------------------


def test_deepsearch_streams_by_default(infron_sandbox: Any) -> None:
    with track_usage() as run:
        answer = _client(infron_sandbox).deepsearch("What is new at Jina AI?")
    assert _sent(infron_sandbox, "/v1/chat/completions") == {
        "model": "jina-deepsearch-v1",
        "messages": [{"role": "user", "content": "What is new at Jina AI?"}],
        "stream": True,
    }
    assert answer.answer.startswith("DeepSearch answer from the Infron sandbox about")
    assert answer.reasoning == (
        "Searching the web for: What is new at Jina AI?.\nReading 2 sources.\n"
    )
    assert [h.url for h in answer.hits] == answer.readURLs and len(answer.readURLs) == 2
    (record,) = run.records
    assert record.kind == "deepsearch" and record.model == "jina/jina-deepsearch-v1"
    assert record.total_tokens == answer.usage.total_tokens > 0  # type: ignore[union-attr]
    assert record.cost is None and record.unknown_cost_requests == 1
    assert record.request_id == infron_sandbox.last_request().request_id


async def test_deepsearch_async_and_unstreamed(infron_sandbox: Any) -> None:
    client = _client(infron_sandbox)
    streamed = await client.adeepsearch("q", reasoning_effort="low", max_returned_urls=3)
    assert _sent(infron_sandbox, "/v1/chat/completions")["max_returned_urls"] == "3"
    plain = await client.adeepsearch("q", stream=False, reasoning_effort="low")
    assert plain.answer == streamed.answer and plain.readURLs == streamed.readURLs
    assert plain.reasoning is None  # only a stream carries the reasoning steps


@pytest.mark.parametrize(
    ("fault", "error"),
    [("drop-mid-stream", InfronStreamError), ("error-in-stream", InfronBadGatewayError),
     ("malformed-sse", InfronStreamError)],
)  # fmt: skip
def test_broken_deepsearch_streams_raise(infron_sandbox: Any, fault: str, error: type) -> None:
    with track_usage() as run, pytest.raises(error):
        _client(infron_sandbox, fault=fault).deepsearch("q")
    assert run.records == []
    assert len(infron_sandbox.requests) == 1  # a search that ran is not sent again


def test_a_stream_without_finish_raises(infron_sandbox: Any) -> None:
    chunk = {"choices": [{"index": 0, "delta": {"content": "half an ans"}}]}
    infron_sandbox.script([chunk], path="/v1/chat/completions")
    with pytest.raises(InfronStreamError) as info:
        _client(infron_sandbox).deepsearch("q")
    assert info.value.partial_text == "half an ans"


# --- the framework-free tool --------------------------------------------------------------------


def test_tool_definition_and_run_tool(infron_sandbox: Any) -> None:
    assert search_tool_definition()["function"]["parameters"] == {
        "type": "object",
        "properties": {"query": {"type": "string", "description": "What to search the web for."}},
        "required": ["query"],
        "additionalProperties": False,
    }
    client = _client(infron_sandbox, framework="litellm")
    with track_usage() as run:
        text = client.run_tool(json.dumps({"query": "pets"}), engine="cloudsway", max_results=2)
    out = json.loads(text)
    assert [r["title"] for r in out["results"]] == [
        "Sandbox cloudsway result 1 for pets", "Sandbox cloudsway result 2 for pets",
    ]  # fmt: skip
    assert run.records[0].framework == "litellm"
    with pytest.raises(InfronConfigError, match="Invalid SearchToolInput arguments"):
        client.run_tool('{"q": "pets"}')
