"""``InfronSearchRetriever``: web search through Infron as a LangChain retriever.

Docs: "Search" (Tavily, Exa, Perplexity, Firecrawl, Cloudsway) and Billing Tracking. A retriever
fits where a chain wants ``Document`` objects for a query (a RAG chain, an ensemble with a vector
store); for an agent that decides when to search, use
:class:`~infron_integrations.langchain.tools.InfronSearchTool`.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForRetrieverRun,
    CallbackManagerForRetrieverRun,
)
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import Field

from ..core.search import build_search_request
from ..core.search_models import SearchEngine
from ..core.search_wire import SearchResponse
from .tools import _langchain_errors, _SearchConnection

__all__ = ["InfronSearchRetriever"]


class InfronSearchRetriever(_SearchConnection, BaseRetriever):  # type: ignore[misc]
    """Documents for a query from a web search on Infron, with the engine you choose.

    Each result becomes a ``Document`` whose ``page_content`` is the result's text (snippet or
    page content, as the engine gives it) and whose metadata has ``title``, ``source`` (the URL),
    ``engine`` and, when the engine gives them, ``score`` and ``published_date``; the document's
    ``id`` is its URL. At most ``k`` documents, in the engine's order. Every search is recorded
    into :func:`infron_integrations.core.track_usage` (kind ``"search"``).

    Example:
        ```python
        from infron_integrations.langchain import InfronSearchRetriever

        retriever = InfronSearchRetriever(engine="perplexity", k=3)
        docs = retriever.invoke("What is new in Python 3.13?")
        docs[0].metadata["source"]
        ```

    Args:
        engine: ``"tavily"`` (default), ``"exa"``, ``"perplexity"``, ``"firecrawl"`` or
            ``"cloudsway"``.
        k: at most this many documents.
        search_kwargs: the engine's other documented request fields, by their wire names.
    """

    engine: SearchEngine = "tavily"
    """The search engine."""
    k: int = Field(default=5, ge=1, le=100)
    """At most this many documents."""

    def _check_kwargs(self) -> None:
        build_search_request("query", engine=self.engine, max_results=self.k, **self.search_kwargs)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        with _langchain_errors():
            found = self._client.search(query, **self._options())
        return self._documents(found)

    async def _aget_relevant_documents(
        self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun
    ) -> list[Document]:
        with _langchain_errors():
            found = await self._client.asearch(query, **self._options())
        return self._documents(found)

    def _options(self) -> dict[str, Any]:
        return {"engine": self.engine, "max_results": self.k, **self.search_kwargs}

    def _documents(self, found: SearchResponse) -> list[Document]:
        docs = []
        for hit in found.hits[: self.k]:
            metadata: dict[str, Any] = {
                "title": hit.title,
                "source": hit.url,
                "engine": self.engine,
            }
            if hit.score is not None:
                metadata["score"] = hit.score
            if hit.published_date is not None:
                metadata["published_date"] = hit.published_date
            docs.append(Document(page_content=hit.content, metadata=metadata, id=hit.url))
        return docs
