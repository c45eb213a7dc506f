"""Typed requests of Infron's Search APIs (their responses are in :mod:`.search_wire`).

Docs: "Search" (Search, Deepsearch & Extract Quickstart) and the OpenAPI files of the Search
section: ``tavily/tavily-search``, ``tavily/tavily-extract``, ``exa/exa-search``,
``perplexity/perplexity-search``, ``firecrawl/firecrawl-search``,
``cloudsway/cloudsway-smart-search`` and ``jina/jina-deepsearch-v1``.

Requests are strict: every field the docs list, with its documented type, enum and bounds, and an
unknown field is refused before sending with the closest valid name ("Did you mean
'numResults'?"). Field names are the wire names the docs show (Exa, Firecrawl and Cloudsway use
camelCase), so what a user reads in the docs is what they type. Each request class also says
where it is sent (``PATH``), what comes back (``RESPONSE``) and how its usage is recorded.
"""

from __future__ import annotations

import datetime
import math
from typing import Any, ClassVar, Literal, TypeAlias

from pydantic import Field, StrictBool, field_validator, model_validator

from .options import _Strict
from .search_wire import (
    CloudswaySearchResponse,
    DeepSearchResponse,
    ExaSearchResponse,
    FirecrawlSearchResponse,
    PerplexitySearchResponse,
    SearchResponse,
    TavilyExtractResponse,
    TavilySearchResponse,
)
from .wire import _HasCost

__all__ = [
    "SEARCH_ENGINES",
    "CloudswaySearchRequest",
    "DeepSearchMessage",
    "ExaSearchRequest",
    "FirecrawlScrapeOptions",
    "FirecrawlSearchRequest",
    "JinaDeepSearchRequest",
    "PerplexitySearchRequest",
    "SearchEngine",
    "SearchRequest",
    "TavilyExtractRequest",
    "TavilySearchRequest",
]

SearchEngine: TypeAlias = Literal["tavily", "exa", "perplexity", "firecrawl", "cloudsway"]


def _positive() -> Any:
    return Field(default=None, gt=0, strict=True)


def _check_date(value: str | None, fmt: str, example: str) -> str | None:
    if value is None:
        return None
    try:
        datetime.datetime.strptime(value, fmt)
    except (TypeError, ValueError):
        raise ValueError(
            f"{value!r} is not a date in the documented format, e.g. {example!r}"
        ) from None
    return value


# --- requests -----------------------------------------------------------------------------------


class SearchRequest(_Strict):
    """Base of the typed request bodies; the class says where it goes and what comes back."""

    #: engine name (``"tavily"`` ...), the record's provider
    ENGINE: ClassVar[str] = ""
    #: path under the search URL
    PATH: ClassVar[str] = ""
    #: the docs' name of the endpoint, used as the usage record's model
    RECORD_MODEL: ClassVar[str] = ""
    #: the usage record's kind
    KIND: ClassVar[str] = "search"
    #: the field holding the query, and the one bounding the number of results
    QUERY_FIELD: ClassVar[str] = "query"
    LIMIT_FIELD: ClassVar[str] = ""
    RESPONSE: ClassVar[type[_HasCost]] = SearchResponse

    @classmethod
    def limit_value(cls, max_results: int) -> int:
        """The engine's value for "at most ``max_results`` results"."""
        return max_results


class TavilySearchRequest(SearchRequest):
    """Tavily search (docs: Search > Tavily; ``openapi/tavily-search-tavily-tavily-search.json``)."""

    ENGINE = "tavily"
    PATH = "/tavily/search"
    RECORD_MODEL = "tavily/tavily-search"
    LIMIT_FIELD = "max_results"
    RESPONSE = TavilySearchResponse

    query: str = Field(min_length=1, description="The search query.")
    auto_parameters: StrictBool | None = None
    topic: Literal["general", "news", "finance"] | None = None
    search_depth: Literal["basic", "advanced"] | None = None
    chunks_per_source: Literal[1, 2, 3] | None = None
    max_results: int | None = Field(default=None, ge=0, le=20, strict=True)
    time_range: Literal["day", "week", "month", "year", "d", "w", "m", "y"] | None = None
    start_date: str | None = Field(default=None, description="YYYY-MM-DD")
    end_date: str | None = Field(default=None, description="YYYY-MM-DD")
    include_answer: StrictBool | None = None
    include_raw_content: StrictBool | None = None
    include_images: StrictBool | None = None
    include_image_descriptions: StrictBool | None = None
    include_favicon: StrictBool | None = None
    include_domains: list[str] | None = Field(default=None, max_length=300)
    exclude_domains: list[str] | None = Field(default=None, max_length=150)
    country: str | None = None

    @field_validator("start_date", "end_date")
    @classmethod
    def _date(cls, value: str | None) -> str | None:
        return _check_date(value, "%Y-%m-%d", "2025-01-31")

    @model_validator(mode="after")
    def _combinations(self) -> TavilySearchRequest:
        # each rule is a sentence of the field's description in the OpenAPI file
        if self.time_range is not None and (self.start_date or self.end_date):
            raise ValueError("time_range cannot be combined with start_date/end_date; use one")
        if self.chunks_per_source is not None and self.search_depth != "advanced":
            raise ValueError("chunks_per_source is available only with search_depth='advanced'")
        if self.country is not None and self.topic not in (None, "general"):
            raise ValueError("country is available only when topic is 'general'")
        return self


class TavilyExtractRequest(SearchRequest):
    """Tavily extract (docs: ``openapi/tavily-extract-tavily-tavily-extract.json``)."""

    ENGINE = "tavily"
    PATH = "/tavily/extract"
    RECORD_MODEL = "tavily/tavily-extract"
    KIND = "extract"
    QUERY_FIELD = "urls"
    RESPONSE = TavilyExtractResponse

    urls: list[str] = Field(min_length=1, description="The URLs to extract content from.")
    query: str | None = None
    chunks_per_source: int | None = Field(default=None, ge=1, le=5, strict=True)
    extract_depth: Literal["basic", "advanced"] | None = None
    include_images: StrictBool | None = None
    include_favicon: StrictBool | None = None
    format: Literal["markdown", "text"] | None = None
    timeout: float | None = Field(default=None, ge=1, le=60)
    include_usage: StrictBool | None = None

    @model_validator(mode="after")
    def _chunks_need_query(self) -> TavilyExtractRequest:
        if self.chunks_per_source is not None and not self.query:
            raise ValueError("chunks_per_source is available only when query is given")
        return self


class ExaSearchRequest(SearchRequest):
    """Exa search (docs: Search > Exa; ``openapi/exa-exa-exa-search.json``)."""

    ENGINE = "exa"
    PATH = "/exa"
    RECORD_MODEL = "exa/exa-search"
    LIMIT_FIELD = "numResults"
    RESPONSE = ExaSearchResponse

    model: str = Field(default="exa-search", min_length=1)
    query: str = Field(min_length=1)
    additionalQueries: list[str] | None = None
    type: str | None = None
    category: str | None = None
    userLocation: str | None = None
    numResults: int | None = Field(default=None, ge=1, le=100, strict=True)
    includeDomains: list[str] | None = None
    excludeDomains: list[str] | None = None
    startCrawlDate: str | None = None
    endCrawlDate: str | None = None
    startPublishedDate: str | None = None
    endPublishedDate: str | None = None
    includeText: list[str] | None = None
    excludeText: list[str] | None = None
    context: StrictBool | None = None
    moderation: StrictBool | None = None


class PerplexitySearchRequest(SearchRequest):
    """Perplexity search (docs: Search > Perplexity; ``openapi/perplexity-*.json``)."""

    ENGINE = "perplexity"
    PATH = "/perplexity"
    RECORD_MODEL = "perplexity/perplexity-search"
    LIMIT_FIELD = "max_results"
    RESPONSE = PerplexitySearchResponse

    model: str = Field(default="perplexity-search", min_length=1)
    query: str | list[str] = Field(description="One query, or a list for a multi-query search.")
    max_results: int | None = Field(default=None, ge=1, le=20, strict=True)
    search_domain_filter: list[str] | None = Field(default=None, max_length=20)
    max_tokens_per_page: int | None = _positive()
    country: str | None = None
    search_recency_filter: Literal["day", "week", "month", "year"] | None = None
    search_after_date: str | None = Field(default=None, description="MM/DD/YYYY")
    search_before_date: str | None = Field(default=None, description="MM/DD/YYYY")

    @field_validator("query")
    @classmethod
    def _query(cls, value: str | list[str]) -> str | list[str]:
        queries = [value] if isinstance(value, str) else value
        if not queries or not all(q.strip() for q in queries):
            raise ValueError("give a non-empty query (or a list of non-empty queries)")
        return value

    @field_validator("search_after_date", "search_before_date")
    @classmethod
    def _date(cls, value: str | None) -> str | None:
        return _check_date(value, "%m/%d/%Y", "10/15/2025")


class FirecrawlScrapeOptions(_Strict):
    """``scrapeOptions`` of a Firecrawl search: how each result page is scraped."""

    formats: list[str] | None = None
    onlyMainContent: StrictBool | None = None
    includeTags: list[str] | None = None
    excludeTags: list[str] | None = None
    maxAge: int | None = Field(default=None, ge=0, strict=True)
    headers: dict[str, str] | None = None
    waitFor: int | None = Field(default=None, ge=0, strict=True)
    mobile: StrictBool | None = None
    skipTlsVerification: StrictBool | None = None
    timeout: int | None = _positive()
    parsers: list[str] | None = None
    actions: list[dict[str, Any]] | None = None
    location: dict[str, Any] | None = None
    removeBase64Images: StrictBool | None = None
    blockAds: StrictBool | None = None
    proxy: str | None = None
    storeInCache: StrictBool | None = None


class FirecrawlSearchRequest(SearchRequest):
    """Firecrawl search (docs: Search > Firecrawl; ``openapi/firecrawl-*.json``).

    ``sources`` and ``categories`` take the documented objects (``{"type": "web"}``) or, for
    short, their type names (``["web", "news"]``).
    """

    ENGINE = "firecrawl"
    PATH = "/firecrawl"
    RECORD_MODEL = "firecrawl/firecrawl-search"
    LIMIT_FIELD = "limit"
    RESPONSE = FirecrawlSearchResponse

    model: str = Field(default="firecrawl-search", min_length=1)
    query: str = Field(min_length=1)
    limit: int | None = Field(default=None, ge=1, le=100, strict=True)
    sources: list[dict[str, str]] | None = None
    categories: list[dict[str, str]] | None = None
    tbs: str | None = None
    location: str | None = None
    country: str | None = None
    timeout: int | None = Field(default=None, gt=0, strict=True, description="milliseconds")
    ignoreInvalidURLs: StrictBool | None = None
    scrapeOptions: FirecrawlScrapeOptions | None = None

    @field_validator("sources", "categories", mode="before")
    @classmethod
    def _typed(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"type": item} if isinstance(item, str) else item for item in value]
        return value


_CLOUDSWAY_COUNTS = (10, 20, 30, 40, 50)


class CloudswaySearchRequest(SearchRequest):
    """Cloudsway smart search (docs: Search > Cloudsway; ``openapi/cloudsway-*.json``)."""

    ENGINE = "cloudsway"
    PATH = "/cloudsway"
    RECORD_MODEL = "cloudsway/cloudsway-smart-search"
    QUERY_FIELD = "q"
    LIMIT_FIELD = "count"
    RESPONSE = CloudswaySearchResponse

    model: str = Field(default="cloudsway-smart-search", min_length=1)
    q: str = Field(min_length=1, description="The search query.")
    count: Literal[10, 20, 30, 40, 50] | None = None
    offset: int | None = Field(default=None, ge=0, strict=True)
    freshness: Literal["Day", "Week", "Month"] | None = None
    sites: str | None = None
    enableContent: StrictBool | None = None
    contentType: Literal["HTML", "MARKDOWN", "TEXT"] | None = None
    contentTimeout: float | None = Field(default=None, gt=0)
    mainText: StrictBool | None = None

    @classmethod
    def limit_value(cls, max_results: int) -> int:
        # count takes 10..50 in steps of 10: the smallest that holds max_results
        wanted = min(50, max(10, 10 * math.ceil(max_results / 10)))
        return next(c for c in _CLOUDSWAY_COUNTS if c >= wanted)


class DeepSearchMessage(_Strict):
    """One message of a DeepSearch conversation."""

    role: Literal["user", "assistant", "system"]
    content: str


class JinaDeepSearchRequest(SearchRequest):
    """Jina DeepSearch (docs: Search > Jina; ``openapi/chat-completions-jina-*.json``).

    ``stream`` defaults to true, as the docs strongly recommend (a long search answered in one
    piece may hit a 524 timeout); the client assembles the stream into one answer.
    """

    ENGINE = "jina"
    PATH = "/chat/completions"
    RECORD_MODEL = "jina/jina-deepsearch-v1"
    KIND = "deepsearch"
    QUERY_FIELD = "messages"
    RESPONSE = DeepSearchResponse

    model: str = Field(default="jina-deepsearch-v1", min_length=1)
    messages: list[DeepSearchMessage] = Field(min_length=1)
    stream: StrictBool = True
    reasoning_effort: Literal["low", "medium", "high"] | None = None
    budget_tokens: int | None = _positive()
    # the OpenAPI file types it as a string; an int is accepted and sent as the documented string
    max_returned_urls: str | None = None
    max_attempts: int | None = _positive()
    team_size: int | None = _positive()
    search_provider: str | None = None
    response_format: dict[str, Any] | None = None
    search_language_code: str | None = None
    language_code: str | None = None
    boost_hostnames: list[str] | None = None
    bad_hostnames: list[str] | None = None
    only_hostnames: list[str] | None = None
    no_direct_answer: StrictBool | None = None

    @field_validator("max_returned_urls", mode="before")
    @classmethod
    def _urls(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            if value < 1:
                raise ValueError("max_returned_urls must be at least 1")
            return str(value)
        return value


#: engine name -> its search request class
SEARCH_ENGINES: dict[str, type[SearchRequest]] = {
    "tavily": TavilySearchRequest,
    "exa": ExaSearchRequest,
    "perplexity": PerplexitySearchRequest,
    "firecrawl": FirecrawlSearchRequest,
    "cloudsway": CloudswaySearchRequest,
}
