"""Typed responses of Infron's Search APIs, and the one result shape they all share.

Docs: "Search" and the response schemas of its OpenAPI files (``tavily/tavily-search``,
``tavily/tavily-extract``, ``exa/exa-search``, ``perplexity/perplexity-search``,
``firecrawl/firecrawl-search``, ``cloudsway/cloudsway-smart-search``, ``jina/jina-deepsearch-v1``).

Every model keeps the fields the gateway sends beyond the documented ones (``extra="allow"``), and
each offers the same views whatever the engine: :attr:`SearchResponse.hits` (title, url, content,
score, date) and ``total_cost`` (the cost the response reported, or None).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from .wire import ChatCompletion, _HasCost, _Wire

__all__ = [
    "CloudswaySearchResponse",
    "DeepSearchResponse",
    "ExaSearchResponse",
    "FirecrawlSearchResponse",
    "PerplexitySearchResponse",
    "SearchHit",
    "SearchResponse",
    "TavilyExtractResponse",
    "TavilySearchResponse",
]


class SearchHit(_Wire):
    """One result in the shape every engine shares (what the tools and the retriever show)."""

    title: str | None = None
    url: str | None = None
    content: str = ""
    score: float | None = None
    published_date: str | None = None


class SearchResponse(_HasCost):
    """Base of every search answer: the engine's own fields, kept as sent, and shared views."""

    @property
    def hits(self) -> list[SearchHit]:
        """The results as :class:`SearchHit` objects, in the engine's order."""
        return []


class _TavilyResult(_Wire):
    title: str | None = None
    url: str | None = None
    content: str | None = None
    score: float | None = None
    raw_content: str | None = None
    published_date: str | None = None


class TavilySearchResponse(SearchResponse):
    """``POST /tavily/search``. The OpenAPI file types ``results`` as strings; Tavily sends
    objects (title, url, content, score); both are accepted."""

    query: str | None = None
    answer: str | None = None
    follow_up_questions: list[str] | None = None
    images: list[Any] = Field(default_factory=list)
    results: list[_TavilyResult | str] = Field(default_factory=list)
    response_time: float | None = None

    @property
    def hits(self) -> list[SearchHit]:
        out = []
        for r in self.results:
            if isinstance(r, str):
                is_url = r.startswith(("http://", "https://"))
                out.append(SearchHit(url=r if is_url else None, content="" if is_url else r))
            else:
                out.append(
                    SearchHit(
                        title=r.title,
                        url=r.url,
                        content=r.content or r.raw_content or "",
                        score=r.score,
                        published_date=r.published_date,
                    )
                )
        return out


class _TavilyExtractResult(_Wire):
    url: str | None = None
    title: str | None = None
    raw_content: str | None = None
    images: list[Any] = Field(default_factory=list)


class TavilyExtractResponse(SearchResponse):
    """``POST /tavily/extract``: the content of each URL, and the URLs that failed."""

    results: list[_TavilyExtractResult] = Field(default_factory=list)
    failed_results: list[Any] = Field(default_factory=list)
    response_time: float | None = None

    @property
    def hits(self) -> list[SearchHit]:
        return [
            SearchHit(title=r.title, url=r.url, content=r.raw_content or "") for r in self.results
        ]


class _ExaResult(_Wire):
    id: str | None = None
    title: str | None = None
    url: str | None = None
    publishedDate: str | None = None
    author: str | None = None
    text: str | None = None
    summary: str | None = None
    highlights: list[str] | None = None
    score: float | None = None


class _ExaCost(_Wire):
    total: float | None = None


class ExaSearchResponse(SearchResponse):
    """``POST /exa``. Exa reports what the search cost in ``costDollars.total``."""

    requestId: str | None = None
    resolvedSearchType: str | None = None
    results: list[_ExaResult] = Field(default_factory=list)
    searchTime: float | None = None
    costDollars: _ExaCost | None = None
    context: str | None = None

    @property
    def total_cost(self) -> float | None:
        """Infron's own ``cost`` when present, else Exa's ``costDollars.total``, else None."""
        if self.cost is not None:
            return self.cost
        return self.costDollars.total if self.costDollars is not None else None

    @property
    def hits(self) -> list[SearchHit]:
        return [
            SearchHit(
                title=r.title,
                url=r.url,
                content=r.text or r.summary or " ".join(r.highlights or ()),
                score=r.score,
                published_date=r.publishedDate,
            )
            for r in self.results
        ]


class _PerplexityResult(_Wire):
    title: str | None = None
    url: str | None = None
    snippet: str | None = None
    date: str | None = None
    last_updated: str | None = None


class PerplexitySearchResponse(SearchResponse):
    """``POST /perplexity``: ranked results with snippets."""

    results: list[_PerplexityResult] = Field(default_factory=list)

    @property
    def hits(self) -> list[SearchHit]:
        return [
            SearchHit(title=r.title, url=r.url, content=r.snippet or "", published_date=r.date)
            for r in self.results
        ]


class _FirecrawlResult(_Wire):
    url: str | None = None
    title: str | None = None
    description: str | None = None
    position: int | None = None
    category: str | None = None
    markdown: str | None = None
    metadata: dict[str, Any] | None = None


class _FirecrawlData(_Wire):
    web: list[_FirecrawlResult] = Field(default_factory=list)
    news: list[_FirecrawlResult] | None = None


class FirecrawlSearchResponse(SearchResponse):
    """``POST /firecrawl``: results by source under ``data`` (a plain list is accepted too)."""

    success: bool | None = None
    data: _FirecrawlData | list[_FirecrawlResult] | None = None
    creditsUsed: int | None = None
    warning: str | None = None

    @property
    def hits(self) -> list[SearchHit]:
        if self.data is None:
            return []
        items = (
            self.data if isinstance(self.data, list) else [*self.data.web, *(self.data.news or ())]
        )
        return [
            SearchHit(title=r.title, url=r.url, content=r.description or r.markdown or "")
            for r in items
        ]


class _CloudswayPage(_Wire):
    name: str | None = None
    url: str | None = None
    snippet: str | None = None
    datePublished: str | None = None


class _CloudswayPages(_Wire):
    value: list[_CloudswayPage] = Field(default_factory=list)


class CloudswaySearchResponse(SearchResponse):
    """``POST /cloudsway``. Infron's OpenAPI file gives no response schema; this follows
    Cloudsway's own (Bing-style) shape, ``webPages.value[]``, and keeps every other field."""

    webPages: _CloudswayPages | None = None

    @property
    def hits(self) -> list[SearchHit]:
        pages = self.webPages.value if self.webPages is not None else []
        out = []
        for page in pages:
            extra = page.model_extra or {}
            # with enableContent the page text comes too; prefer it to the short snippet
            body = extra.get("mainText") or extra.get("content") or page.snippet or ""
            out.append(
                SearchHit(
                    title=page.name,
                    url=page.url,
                    content=str(body),
                    published_date=page.datePublished,
                )
            )
        return out


class DeepSearchResponse(ChatCompletion):
    """``POST /chat/completions`` with ``jina-deepsearch-v1``: an answer and the URLs behind it.

    A streamed answer is assembled into this same shape; the reasoning steps that DeepSearch
    streams (``delta.type == "think"``) are kept in :attr:`reasoning`.
    """

    visitedURLs: list[str] = Field(default_factory=list)
    readURLs: list[str] = Field(default_factory=list)
    numURLs: int | None = None
    reasoning: str | None = None

    @property
    def answer(self) -> str:
        """The final answer's text ("" when there is none)."""
        if not self.choices:
            return ""
        return self.choices[0].message.content or ""

    @property
    def hits(self) -> list[SearchHit]:
        """The cited sources (``url_citation`` annotations), else the URLs that were read."""
        hits: list[SearchHit] = []
        if self.choices:
            for item in self.choices[0].message.annotations or ():
                cite = item.url_citation
                if cite is not None:
                    hits.append(
                        SearchHit(title=cite.title, url=cite.url, content=cite.content or "")
                    )
        return hits or [SearchHit(url=url) for url in self.readURLs]
