"""``InfronRerank``: a LangChain document compressor on Infron's ``/rerank`` endpoint.

Docs: Embedding & Reranker Quickstart ("Reranker quickstart"), Rerank API ("Submit an ranking
request"), Billing Tracking. Requests go through the core's :class:`~infron_integrations.core.InfronHTTP`
(pooled connections, retries honouring ``Retry-After``, typed errors); each request's usage is
recorded into the core's run-level tracker.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

from langchain_core.callbacks import Callbacks
from langchain_core.documents import BaseDocumentCompressor, Document
from pydantic import Field, PrivateAttr, field_validator

from ..core.errors import InfronAPIError, InfronError
from ..core.http import InfronHTTP
from ..core.options import ProviderPreferences
from ..core.usage import UsageRecord, record_usage
from ..core.wire import RerankResponse
from ._errors import to_langchain_error
from .embeddings import _check_model_kwargs, _InfronConnection, _validate_provider

__all__ = ["InfronRerank", "RerankInput"]

#: What :meth:`InfronRerank.rerank` accepts as one document.
RerankInput: TypeAlias = "str | Document | Mapping[str, Any]"

#: body keys that have fields of their own and may not come through `model_kwargs`
_RESERVED = ("model", "query", "documents", "top_n", "provider", "usage")


class _Unset:
    def __repr__(self) -> str:
        return "<the instance's top_n>"


_UNSET = _Unset()


class InfronRerank(_InfronConnection, BaseDocumentCompressor):
    """Rerank documents by relevance to a query with any reranker model on Infron.

    Implements the Infron docs' "Rerank API" (``POST /rerank``). As a LangChain
    ``BaseDocumentCompressor`` it reorders and cuts retrieved documents: each returned document is
    a *copy* carrying ``metadata["relevance_score"]`` next to its own metadata and ``id``; the
    caller's documents are never changed. An empty list returns ``[]`` without a request.

    How documents become text (the API takes strings): a ``Document`` sends its ``page_content``;
    a string is sent as is; a mapping sends ``mapping[text_key]`` when ``text_key`` is set, and
    otherwise its JSON with sorted keys (``json.dumps(doc, sort_keys=True, ensure_ascii=False)``),
    so equal mappings always send equal text.

    Usage is recorded into :func:`infron_integrations.core.track_usage` (kind ``"rerank"``). The
    docs' rerank response carries token counts but no ``cost``: the cost stays unknown unless a
    response reports one; nothing here estimates a price.

    Example:
        ```python
        from infron_integrations.langchain import InfronRerank

        reranker = InfronRerank(model="qwen/qwen3-reranker-0.6b", top_n=2)
        best = reranker.compress_documents(docs, "What is the capital of the United States?")
        best[0].metadata["relevance_score"]
        ```

    Args:
        model: the reranker model id, e.g. ``"qwen/qwen3-reranker-0.6b"``.
        top_n: how many documents to return (``None``: all, in ranked order).
        text_key: for mapping documents, the key whose value is sent as the text.
        provider: provider routing preferences (docs: Inference Provider Routing).
        usage_accounting: send ``usage: {"include": true}`` to ask for ``cost``.
        model_kwargs: other request-body fields, sent as given.
    """

    model: str = Field(min_length=1)
    """Reranker model id, e.g. ``"qwen/qwen3-reranker-0.6b"``."""
    top_n: int | None = Field(default=3, ge=1)
    """How many documents to return, best first; ``None`` returns all of them ranked."""
    text_key: str | None = None
    """For mapping documents: the key holding the text to send. Unset: the mapping's JSON with
    sorted keys is sent."""
    provider: ProviderPreferences | None = None
    """Provider routing preferences, sent as ``provider`` (docs: Inference Provider Routing)."""
    usage_accounting: bool = False
    """Send ``usage: {"include": true}`` to ask for ``cost`` (Billing Tracking). The docs show it
    for chat only (where ``ChatInfron`` sends it by default), so here it is off by default; when a
    response carries ``cost`` it is recorded either way."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Other request-body fields, sent as given."""

    _http: InfronHTTP = PrivateAttr()
    _extra: dict[str, Any] = PrivateAttr()

    @field_validator("provider", mode="before")
    @classmethod
    def _provider(cls, value: Any) -> Any:
        return _validate_provider(value)

    @field_validator("model_kwargs")
    @classmethod
    def _kwargs(cls, value: dict[str, Any]) -> dict[str, Any]:
        return _check_model_kwargs(value, _RESERVED)

    def model_post_init(self, context: Any, /) -> None:
        super().model_post_init(context)
        self._http = InfronHTTP(self._settings)
        extra: dict[str, Any] = {}
        if self.provider is not None:
            extra["provider"] = self.provider.to_wire()
        if self.usage_accounting:
            extra["usage"] = {"include": True}
        extra.update(self.model_kwargs)
        self._extra = extra

    # --- the reranking call ------------------------------------------------------------------

    def rerank(
        self,
        query: str,
        documents: Sequence[RerankInput],
        *,
        top_n: int | _Unset | None = _UNSET,
    ) -> list[dict[str, Any]]:
        """Rank ``documents`` by relevance to ``query``.

        Args:
            query: the search query.
            documents: strings, ``Document`` objects or mappings (see the class docstring).
            top_n: override the instance's ``top_n`` for this call (``None``: all).

        Returns:
            ``[{"index": i, "relevance_score": s}, ...]``, most relevant first, where ``i`` is the
            position in ``documents``. ``[]`` for no documents, without a request.

        Raises:
            TypeError: a document or the query is of a type that cannot be sent.
            InfronAPIError: the gateway answered with an error (a typed subclass per status), or
                with results that do not match the documents.
            InfronConnectionError: the gateway could not be reached.
            InfronBudgetExceededError: a usage tracker's budget was crossed.
        """
        texts, n = self._prepare(query, documents, top_n)
        if not texts:
            return []
        try:
            response = self._http.rerank(self.model, query, texts, top_n=n, extra_body=self._extra)
            return self._results(response, len(texts), n)
        except InfronError as exc:
            # the classes LangChain users catch (ModelRateLimitError ...) that are also the core's
            error = to_langchain_error(exc)
            if error is exc:  # e.g. InfronBudgetExceededError: raised as is
                raise
            raise error from exc

    async def arerank(
        self,
        query: str,
        documents: Sequence[RerankInput],
        *,
        top_n: int | _Unset | None = _UNSET,
    ) -> list[dict[str, Any]]:
        """Async :meth:`rerank` (native: no thread pool)."""
        texts, n = self._prepare(query, documents, top_n)
        if not texts:
            return []
        try:
            response = await self._http.arerank(
                self.model, query, texts, top_n=n, extra_body=self._extra
            )
            return self._results(response, len(texts), n)
        except InfronError as exc:
            # the classes LangChain users catch (ModelRateLimitError ...) that are also the core's
            error = to_langchain_error(exc)
            if error is exc:  # e.g. InfronBudgetExceededError: raised as is
                raise
            raise error from exc

    # --- BaseDocumentCompressor --------------------------------------------------------------

    def compress_documents(
        self,
        documents: Sequence[Document],
        query: str,
        callbacks: Callbacks | None = None,
    ) -> Sequence[Document]:
        """Rerank and cut ``documents``: the best ``top_n``, best first, as new ``Document``s.

        Each returned document is a copy of the input one with ``relevance_score`` added to a new
        metadata dict; its ``id``, ``page_content`` and other metadata are kept. The inputs are
        not modified.
        """
        docs = list(documents)
        return _scored(docs, self.rerank(query, docs))

    async def acompress_documents(
        self,
        documents: Sequence[Document],
        query: str,
        callbacks: Callbacks | None = None,
    ) -> Sequence[Document]:
        """Async :meth:`compress_documents` (native: no thread pool)."""
        docs = list(documents)
        return _scored(docs, await self.arerank(query, docs))

    # --- helpers -----------------------------------------------------------------------------

    def _prepare(
        self, query: str, documents: Sequence[RerankInput], top_n: int | _Unset | None
    ) -> tuple[list[str], int | None]:
        if not isinstance(query, str):
            raise TypeError(f"query must be a str, not {type(query).__name__}.")
        if isinstance(documents, (str, Document, Mapping)):
            raise TypeError("documents must be a list of documents, not a single document.")
        n = self.top_n if isinstance(top_n, _Unset) else top_n
        if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
            raise TypeError(f"top_n must be a positive int or None, not {n!r}.")
        texts = [self._text(doc, i) for i, doc in enumerate(documents)]
        # asking for more than there is is not an error on our side; some rerankers reject it
        return texts, (min(n, len(texts)) if n is not None else None)

    def _text(self, doc: RerankInput, i: int) -> str:
        if isinstance(doc, str):
            return doc
        if isinstance(doc, Document):
            return doc.page_content
        if isinstance(doc, Mapping):
            if self.text_key is not None:
                value = doc.get(self.text_key)
                if not isinstance(value, str):
                    raise TypeError(
                        f"documents[{i}][{self.text_key!r}] must be a str (text_key={self.text_key!r}), "
                        f"got {type(value).__name__}; set text_key to the key holding the text."
                    )
                return value
            try:
                return json.dumps(doc, sort_keys=True, ensure_ascii=False)
            except (TypeError, ValueError) as exc:
                raise TypeError(
                    f"documents[{i}] cannot be sent as JSON ({exc}); set text_key to the key that "
                    "holds its text, or pass strings."
                ) from None
        raise TypeError(
            f"documents[{i}] is a {type(doc).__name__}; pass str, Document or a mapping."
        )

    def _results(
        self, response: RerankResponse, count: int, top_n: int | None
    ) -> list[dict[str, Any]]:
        seen: set[int] = set()
        for result in response.results:
            if not 0 <= result.index < count or result.index in seen:
                raise InfronAPIError(
                    f"Infron's rerank answer has index {result.index} for {count} documents "
                    "(out of range or repeated); the results cannot be matched to documents.",
                    request_id=response.request_id,
                    body=response.model_dump(),
                )
            seen.add(result.index)
        # the docs return results best first; sort anyway (stable) so the order is guaranteed
        ranked = sorted(response.results, key=lambda r: r.relevance_score, reverse=True)
        if top_n is not None:
            ranked = ranked[:top_n]
        record_usage(
            UsageRecord.from_usage(
                response.usage,
                cost=response.total_cost,
                cost_details=response.cost_details,
                model=response.model or self.model,
                request_id=response.request_id,
                provider=response.provider,
                kind="rerank",
                framework="langchain",
            )
        )
        return [{"index": r.index, "relevance_score": r.relevance_score} for r in ranked]


def _scored(docs: list[Document], results: list[dict[str, Any]]) -> list[Document]:
    # model_copy keeps the Document subclass, `id` and `page_content`; the metadata dict is new
    return [
        docs[r["index"]].model_copy(
            update={
                "metadata": {**docs[r["index"]].metadata, "relevance_score": r["relevance_score"]}
            }
        )
        for r in results
    ]
