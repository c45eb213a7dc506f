"""LangChain tools on Infron's Search APIs: ``InfronSearchTool``, ``InfronExtractTool``,
``InfronDeepSearchTool``.

Docs: "Search" (Tavily, Exa, Perplexity, Firecrawl, Cloudsway, Jina DeepSearch) and Billing
Tracking. Each tool is a LangChain ``BaseTool`` over the core's
:class:`~infron_integrations.core.search.InfronSearch`: requests validated before sending, pooled
connections, retries honouring ``Retry-After``, and every search recorded into
:func:`infron_integrations.core.track_usage` (``framework="langchain"``) with the cost the
response reported, or as unknown-cost when it reported none.

The model sees one small argument (``query``, ``urls`` or ``question``); everything else (the
engine, how many results, the engine's own fields) is chosen by you when building the tool. The
tools answer with ``response_format="content_and_artifact"``: the content the model reads is
JSON ``{"answer": ..., "results": [{title, url, content, ...}]}`` (see
:func:`~infron_integrations.core.search_tools.tool_output`), and the artifact is the engine's
whole typed response (``ToolMessage.artifact``), with every field the gateway sent.

A failed search raises the classes LangChain code catches (``ModelRateLimitError`` ...) that are
also the core's typed errors (``InfronRateLimitError`` ...): a failure is never handed to the model
as if it were results.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from langchain_core.callbacks import AsyncCallbackManagerForToolRun, CallbackManagerForToolRun
from langchain_core.tools import ArgsSchema, BaseTool
from langchain_core.utils import from_env
from pydantic import Field, PrivateAttr

from ..core.errors import InfronError
from ..core.search import (
    InfronSearch,
    build_deepsearch_request,
    build_extract_request,
    build_search_request,
)
from ..core.search_models import SearchEngine
from ..core.search_tools import (
    SEARCH_TOOL_DESCRIPTION,
    TOOL_CONTENT_CHARS,
    DeepSearchToolInput,
    ExtractToolInput,
    SearchToolInput,
    tool_output,
)
from ..core.search_wire import DeepSearchResponse, SearchResponse, TavilyExtractResponse
from ..core.settings import ENV_SEARCH_URL, InfronSettings
from ._errors import to_langchain_error
from .embeddings import _InfronConnection

__all__ = ["InfronDeepSearchTool", "InfronExtractTool", "InfronSearchTool"]

_FRAMEWORK = "langchain"

EXTRACT_TOOL_DESCRIPTION = (
    "Read web pages. Give the URLs; returns JSON with each page's title, url and content."
)
DEEPSEARCH_TOOL_DESCRIPTION = (
    "Research a question on the web in depth (many searches and page reads; slow). Returns JSON "
    "with the answer and its sources."
)


@contextmanager
def _langchain_errors() -> Iterator[None]:
    """Raise the core's errors as the combined LangChain classes (see ``._errors``)."""
    try:
        yield
    except InfronError as exc:
        error = to_langchain_error(exc)
        if error is exc:  # e.g. InfronBudgetExceededError: raised as is
            raise
        raise error from exc


class _SearchConnection(_InfronConnection):
    """The connection fields of the LangChain search classes: the shared ones plus the search
    host, which is ``search_url``, else ``INFRON_SEARCH_URL``, else the default search host (or
    the base URL, when that points at a sandbox or another stand-in)."""

    search_url: str | None = Field(default_factory=from_env(ENV_SEARCH_URL, default=None))
    """Base URL of the Search APIs (``INFRON_SEARCH_URL``; default
    ``https://search.onerouter.pro/v1``, or the base URL when that is not the default)."""
    search_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Other documented fields of the request, by their wire names (validated at construction)."""

    _client: InfronSearch = PrivateAttr()

    def model_post_init(self, context: Any, /) -> None:
        super().model_post_init(context)
        # resolved again with the search host (the shared connection knows no search_url)
        self._settings = InfronSettings.resolve(
            api_key=self.api_key,
            base_url=self.base_url,
            search_url=self.search_url,
            timeout=self.timeout,
            max_retries=self.max_retries,
            default_headers=self.default_headers,
        )
        self._client = InfronSearch(self._settings, framework=_FRAMEWORK)
        self._check_kwargs()

    def _check_kwargs(self) -> None:
        """Validate ``search_kwargs`` now, so a typo fails here and not at the model's call."""


class _SearchTool(_SearchConnection, BaseTool):  # type: ignore[misc]
    """What the three tools share: the answer format and the cut of each result's text."""

    response_format: Literal["content", "content_and_artifact"] = "content_and_artifact"
    content_chars: int | None = Field(default=TOOL_CONTENT_CHARS, ge=1)
    """Each result's text is cut here for the model (None: not cut)."""

    @classmethod
    def is_lc_serializable(cls) -> bool:
        # args_schema is a class, which LangChain's serializer cannot write: a dump could not be
        # loaded. Tools are built in code; the retriever stays serializable.
        return False


class InfronSearchTool(_SearchTool):
    """Web search through Infron, with the engine you choose, as a LangChain tool.

    Implements the Infron docs' Search APIs for Tavily, Exa, Perplexity, Firecrawl and Cloudsway
    (``POST /tavily/search``, ``/exa``, ``/perplexity``, ``/firecrawl``, ``/cloudsway`` on the
    search host).

    Example:
        ```python
        from langchain.agents import create_agent
        from infron_integrations.langchain import ChatInfron, InfronSearchTool

        search = InfronSearchTool(engine="exa", max_results=3, search_kwargs={"type": "auto"})
        agent = create_agent(ChatInfron(model="openai/gpt-4o-mini"), tools=[search])
        ```

    Args:
        engine: ``"tavily"`` (default), ``"exa"``, ``"perplexity"``, ``"firecrawl"`` or
            ``"cloudsway"``.
        max_results: at most this many results for the model (sent as the engine's own bound).
        search_kwargs: the engine's other documented request fields, e.g.
            ``{"topic": "news", "include_answer": True}`` for Tavily.
        content_chars: each result's text is cut at this many characters for the model (None:
            not cut); the artifact keeps the whole response.
    """

    name: str = "infron_search"
    description: str = SEARCH_TOOL_DESCRIPTION
    args_schema: ArgsSchema | None = SearchToolInput
    engine: SearchEngine = "tavily"
    """The search engine."""
    max_results: int = Field(default=5, ge=1, le=100)
    """At most this many results for the model."""

    def _check_kwargs(self) -> None:
        build_search_request(
            "query", engine=self.engine, max_results=self.max_results, **self.search_kwargs
        )

    def _run(
        self, query: str, run_manager: CallbackManagerForToolRun | None = None
    ) -> tuple[str, SearchResponse]:
        with _langchain_errors():
            found = self._client.search(query, **self._options())
        return self._content(found), found

    async def _arun(
        self, query: str, run_manager: AsyncCallbackManagerForToolRun | None = None
    ) -> tuple[str, SearchResponse]:
        with _langchain_errors():
            found = await self._client.asearch(query, **self._options())
        return self._content(found), found

    def _options(self) -> dict[str, Any]:
        return {"engine": self.engine, "max_results": self.max_results, **self.search_kwargs}

    def _content(self, found: SearchResponse) -> str:
        return tool_output(found, max_results=self.max_results, content_chars=self.content_chars)


class InfronExtractTool(_SearchTool):
    """Read web pages through Infron (Tavily extract), as a LangChain tool.

    Implements the Infron docs' ``tavily/tavily-extract`` (``POST /tavily/extract``). Pair it
    with :class:`InfronSearchTool` so an agent can search, then read the best pages.

    Args:
        search_kwargs: other documented request fields, e.g. ``{"extract_depth": "advanced"}``.
        content_chars: each page's text is cut at this many characters for the model.
    """

    name: str = "infron_extract"
    description: str = EXTRACT_TOOL_DESCRIPTION
    args_schema: ArgsSchema | None = ExtractToolInput

    def _check_kwargs(self) -> None:
        build_extract_request("https://example.com", **self.search_kwargs)

    def _run(
        self, urls: list[str], run_manager: CallbackManagerForToolRun | None = None
    ) -> tuple[str, TavilyExtractResponse]:
        with _langchain_errors():
            found = self._client.extract(urls, **self.search_kwargs)
        return tool_output(found, content_chars=self.content_chars), found

    async def _arun(
        self, urls: list[str], run_manager: AsyncCallbackManagerForToolRun | None = None
    ) -> tuple[str, TavilyExtractResponse]:
        with _langchain_errors():
            found = await self._client.aextract(urls, **self.search_kwargs)
        return tool_output(found, content_chars=self.content_chars), found


class InfronDeepSearchTool(_SearchTool):
    """Research a question in depth with Jina DeepSearch through Infron, as a LangChain tool.

    Implements the Infron docs' ``jina/jina-deepsearch-v1`` (``POST /chat/completions`` on the
    search host, streamed and assembled into one answer). The model gets the answer and its
    sources; the artifact is the whole :class:`DeepSearchResponse` (with ``reasoning``,
    ``visitedURLs``, ``readURLs`` and token usage).

    Args:
        search_kwargs: other documented request fields, e.g. ``{"reasoning_effort": "low",
            "only_hostnames": ["arxiv.org"]}``.
        content_chars: each source's text is cut at this many characters for the model.
    """

    name: str = "infron_deepsearch"
    description: str = DEEPSEARCH_TOOL_DESCRIPTION
    args_schema: ArgsSchema | None = DeepSearchToolInput

    def _check_kwargs(self) -> None:
        build_deepsearch_request("question", **self.search_kwargs)

    def _run(
        self, question: str, run_manager: CallbackManagerForToolRun | None = None
    ) -> tuple[str, DeepSearchResponse]:
        with _langchain_errors():
            found = self._client.deepsearch(question, **self.search_kwargs)
        return tool_output(found, content_chars=self.content_chars), found

    async def _arun(
        self, question: str, run_manager: AsyncCallbackManagerForToolRun | None = None
    ) -> tuple[str, DeepSearchResponse]:
        with _langchain_errors():
            found = await self._client.adeepsearch(question, **self.search_kwargs)
        return tool_output(found, content_chars=self.content_chars), found
