"""``InfronSearch``: Infron's Search APIs as one typed client, sync and async.

Docs: "Search" (Search, Deepsearch & Extract Quickstart) and the OpenAPI files of its engines:
Tavily (search and extract), Exa, Perplexity, Firecrawl, Cloudsway and Jina DeepSearch. They live
on their own host, ``https://search.onerouter.pro/v1`` (``search_url`` / ``INFRON_SEARCH_URL``;
when the base URL points elsewhere, e.g. at the sandbox, searches go there too: see
:meth:`InfronSettings.resolve <infron_integrations.core.settings.InfronSettings.resolve>`).

Usage::

    from infron_integrations.core.search import InfronSearch

    search = InfronSearch()                                   # INFRON_API_KEY, INFRON_SEARCH_URL
    found = search.search("Who is Leo Messi?", engine="tavily", max_results=3)
    for hit in found.hits:
        print(hit.title, hit.url)
    deep = await search.adeepsearch("What is the latest blog post from Jina AI?")
    print(deep.answer, deep.readURLs)

Every request is validated before it is sent (:mod:`.search_models`), goes through the core's
pooled connections and retry policy (:mod:`.http`), and fails with the core's typed errors. Each
answer is recorded into the run-level usage trackers (:func:`.usage.track_usage`) as one
:class:`~.usage.UsageRecord` (kind ``"search"``, ``"extract"`` or ``"deepsearch"``) with the cost
the response reported, or as a request of unknown cost when it reported none: nothing here
estimates a price.

:meth:`InfronSearch.run_tool` with :func:`~.search_tools.search_tool_definition` is the
framework-free form of the search tool, for an OpenAI-style tool loop (LiteLLM, the OpenAI SDK);
the LangChain and Agents SDK tools are built on the same pieces (:mod:`.search_tools`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, TypeVar, cast

from pydantic import ValidationError

from .errors import (
    InfronAPIError,
    InfronConfigError,
    InfronError,
    InfronStreamError,
    error_from_inband,
    raise_for_inband_error,
)
from .http import (
    RetryPolicy,
    _check,
    shared_async_sdk_client,
    shared_sdk_client,
    transport_error,
)
from .openai_compat import is_transport_error
from .options import _format_validation
from .search_models import (
    SEARCH_ENGINES,
    JinaDeepSearchRequest,
    SearchEngine,
    SearchRequest,
    TavilyExtractRequest,
)
from .search_tools import SearchToolInput, tool_output
from .search_wire import DeepSearchResponse, SearchResponse, TavilyExtractResponse
from .settings import InfronSettings
from .stream import aiter_sse_json, iter_sse_json
from .usage import UsageRecord, record_usage
from .wire import _HasCost

__all__ = [
    "InfronSearch",
    "build_deepsearch_request",
    "build_extract_request",
    "build_search_request",
]


_R = TypeVar("_R", bound=SearchRequest)


def _validated(cls: type[_R], data: Mapping[str, Any]) -> _R:
    try:
        return cls.model_validate(dict(data))
    except ValidationError as exc:
        raise InfronConfigError(
            f"Invalid Infron search request: {_format_validation(exc, 'request')}"
        ) from None


def build_search_request(
    query: str, /, *, engine: SearchEngine = "tavily", max_results: int | None = None, **fields: Any
) -> SearchRequest:
    """The typed request for ``query`` on ``engine``, validated.

    Args:
        query: the search query (sent as the engine's query field: ``q`` for Cloudsway).
        engine: ``"tavily"``, ``"exa"``, ``"perplexity"``, ``"firecrawl"`` or ``"cloudsway"``.
        max_results: at most this many results, sent as the engine's own bound (``max_results``,
            ``numResults``, ``limit``; Cloudsway's ``count`` takes 10-50 in steps of 10, so the
            smallest step that holds it is sent).
        **fields: any other documented field of the engine's request, by its wire name.

    Raises:
        InfronConfigError: an unknown engine, an unknown field (naming the closest valid one)
            or a value outside the documented type, enum or bounds.
    """
    cls = SEARCH_ENGINES.get(engine)
    if cls is None:
        raise InfronConfigError(
            f"Unknown search engine {engine!r}; use one of {', '.join(SEARCH_ENGINES)}."
        )
    _no_override(fields, cls.QUERY_FIELD, "search")
    data: dict[str, Any] = {cls.QUERY_FIELD: query, **fields}
    if max_results is not None:
        if isinstance(max_results, bool) or not isinstance(max_results, int) or max_results < 1:
            raise InfronConfigError(f"max_results must be a positive int, not {max_results!r}.")
        data.setdefault(cls.LIMIT_FIELD, cls.limit_value(max_results))
    return _validated(cls, data)


def _no_override(fields: Mapping[str, Any], name: str, where: str) -> None:
    # the field the first argument fills may not come in again through **fields
    if name in fields:
        raise InfronConfigError(
            f"{name!r} is given as the first argument of {where}; do not pass it as a field."
        )


def build_extract_request(urls: str | Sequence[str], /, **fields: Any) -> TavilyExtractRequest:
    """The typed Tavily extract request for ``urls``, validated (raises as
    :func:`build_search_request`)."""
    _no_override(fields, "urls", "extract")
    items = [urls] if isinstance(urls, str) else list(urls)
    return _validated(TavilyExtractRequest, {"urls": items, **fields})


def build_deepsearch_request(
    question: str | Sequence[Mapping[str, Any]], /, **fields: Any
) -> JinaDeepSearchRequest:
    """The typed DeepSearch request for a question (or a list of messages), validated (raises as
    :func:`build_search_request`)."""
    _no_override(fields, "messages", "deepsearch")
    messages = [{"role": "user", "content": question}] if isinstance(question, str) else question
    return _validated(JinaDeepSearchRequest, {"messages": list(messages), **fields})


class InfronSearch:
    """A client for Infron's Search APIs.

    Args:
        settings: connection settings; when omitted they are resolved from the other arguments
            and the environment (``INFRON_API_KEY``, ``INFRON_BASE_URL``, ``INFRON_SEARCH_URL``).
        api_key: the Infron API key.
        base_url: the inference base URL; searches go to it too when it is not the default and
            no search URL is set (a sandbox or a gateway stand-in serves every path).
        search_url: the Search APIs' base URL (default ``https://search.onerouter.pro/v1``).
        timeout: seconds to wait for a response (default 60; a DeepSearch stream may run longer
            as long as data keeps arriving).
        max_retries: retries on 408/429/502/503 and connection errors (default 2).
        default_headers: extra headers sent with every request.
        retry: a retry policy, instead of ``max_retries``.
        framework: the ``framework`` of the usage records (the adapters set their own name).
    """

    def __init__(
        self,
        settings: InfronSettings | None = None,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        search_url: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        default_headers: Mapping[str, str] | None = None,
        retry: RetryPolicy | None = None,
        framework: str = "core",
    ) -> None:
        if settings is None:
            settings = InfronSettings.resolve(
                api_key,
                base_url,
                search_url=search_url,
                timeout=timeout,
                max_retries=max_retries,
                default_headers=default_headers,
            )
        elif any(
            v is not None
            for v in (api_key, base_url, search_url, timeout, max_retries, default_headers)
        ):
            raise InfronConfigError(
                "Pass either settings=... or connection arguments (api_key, base_url, "
                "search_url, timeout, max_retries, default_headers), not both."
            )
        self.settings = settings
        self.framework = framework
        self.retry = retry or RetryPolicy(settings.max_retries)

    def __repr__(self) -> str:
        return f"InfronSearch(search_url={self.settings.search_url!r})"

    # --- the endpoints ------------------------------------------------------------------------

    def search(
        self,
        query: str | SearchRequest,
        /,
        *,
        engine: SearchEngine = "tavily",
        max_results: int | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> SearchResponse:
        """Search the web with one engine (docs: Search > Tavily, Exa, Perplexity, Firecrawl,
        Cloudsway).

        Args:
            query: the query, or a ready request (``ExaSearchRequest(...)`` ...).
            engine: which engine, when ``query`` is a string.
            max_results: at most this many results (see :func:`build_search_request`).
            extra_body: fields sent as given, after the typed ones (for fields the docs do not
                list yet).
            **fields: the engine's documented request fields, by their wire names.

        Returns:
            The engine's typed response; ``.hits`` lists the results in one shape for every
            engine and ``.total_cost`` is the reported cost (None when none was reported).

        Raises:
            InfronConfigError: the request is invalid (nothing was sent).
            InfronAPIError: the gateway answered with an error (a subclass per status).
            InfronConnectionError: the gateway could not be reached.
            InfronBudgetExceededError: a usage tracker's budget was crossed by this search.
        """
        request = self._search_request(query, engine, max_results, fields)
        return cast(SearchResponse, self.send(request, extra_body=extra_body))

    async def asearch(
        self,
        query: str | SearchRequest,
        /,
        *,
        engine: SearchEngine = "tavily",
        max_results: int | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> SearchResponse:
        """Async :meth:`search`."""
        request = self._search_request(query, engine, max_results, fields)
        return cast(SearchResponse, await self.asend(request, extra_body=extra_body))

    def extract(
        self,
        urls: str | Sequence[str] | TavilyExtractRequest,
        /,
        *,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> TavilyExtractResponse:
        """The content of web pages (docs: ``tavily/tavily-extract``); raises as :meth:`search`."""
        request = self._extract_request(urls, fields)
        return cast(TavilyExtractResponse, self.send(request, extra_body=extra_body))

    async def aextract(
        self,
        urls: str | Sequence[str] | TavilyExtractRequest,
        /,
        *,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> TavilyExtractResponse:
        """Async :meth:`extract`."""
        request = self._extract_request(urls, fields)
        return cast(TavilyExtractResponse, await self.asend(request, extra_body=extra_body))

    def deepsearch(
        self,
        question: str | Sequence[Mapping[str, Any]] | JinaDeepSearchRequest,
        /,
        *,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> DeepSearchResponse:
        """An answer researched by Jina DeepSearch (docs: Search > Jina, ``jina-deepsearch-v1``).

        Args:
            question: the question, a list of ``{"role", "content"}`` messages, or a request.
            extra_body: fields sent as given, after the typed ones.
            **fields: documented fields (``reasoning_effort``, ``budget_tokens``,
                ``only_hostnames``, ``stream`` ...). Streaming is on by default, as the docs
                advise; the stream is assembled into one answer, and a stream that breaks or
                ends before the answer finished raises :class:`InfronStreamError`.

        Returns:
            The answer (``.answer``), its sources (``.hits``, ``.readURLs``,
            ``.visitedURLs``), the streamed reasoning (``.reasoning``) and token usage.
        """
        request = self._deepsearch(question, fields)
        return cast(DeepSearchResponse, self.send(request, extra_body=extra_body))

    async def adeepsearch(
        self,
        question: str | Sequence[Mapping[str, Any]] | JinaDeepSearchRequest,
        /,
        *,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> DeepSearchResponse:
        """Async :meth:`deepsearch`."""
        request = self._deepsearch(question, fields)
        return cast(DeepSearchResponse, await self.asend(request, extra_body=extra_body))

    def send(
        self, request: SearchRequest, *, extra_body: Mapping[str, Any] | None = None
    ) -> _HasCost:
        """Send any typed search request; returns its typed response (see :meth:`search`)."""
        body = self._body(request, extra_body)
        return self._finish(request, *self._post(self._url(request), body))

    async def asend(
        self, request: SearchRequest, *, extra_body: Mapping[str, Any] | None = None
    ) -> _HasCost:
        """Async :meth:`send`."""
        body = self._body(request, extra_body)
        return self._finish(request, *await self._apost(self._url(request), body))

    # --- what sync and async share ------------------------------------------------------------

    @staticmethod
    def _search_request(
        query: str | SearchRequest, engine: SearchEngine, max_results: int | None, fields: Any
    ) -> SearchRequest:
        if isinstance(query, SearchRequest):
            if type(query) not in SEARCH_ENGINES.values():
                raise TypeError(
                    f"search() takes a search engine's request, not {type(query).__name__}; "
                    "use extract() or deepsearch() (or send())."
                )
            _ready(fields or max_results is not None)
            return query
        if not isinstance(query, str):
            raise TypeError(f"query must be a str or a search request, not {type(query).__name__}")
        return build_search_request(query, engine=engine, max_results=max_results, **fields)

    @staticmethod
    def _extract_request(
        urls: str | Sequence[str] | TavilyExtractRequest, fields: Any
    ) -> TavilyExtractRequest:
        if isinstance(urls, TavilyExtractRequest):
            _ready(fields)
            return urls
        return build_extract_request(urls, **fields)

    @staticmethod
    def _deepsearch(
        question: str | Sequence[Mapping[str, Any]] | JinaDeepSearchRequest, fields: Any
    ) -> JinaDeepSearchRequest:
        if isinstance(question, JinaDeepSearchRequest):
            _ready(fields)
            return question
        return build_deepsearch_request(question, **fields)

    def _url(self, request: SearchRequest) -> str:
        return f"{self.settings.search_url.rstrip('/')}{request.PATH}"

    @staticmethod
    def _body(request: SearchRequest, extra_body: Mapping[str, Any] | None) -> dict[str, Any]:
        body = request.to_wire()
        body.update(extra_body or {})
        return body

    def _finish(self, request: SearchRequest, data: Any, header_id: str | None) -> _HasCost:
        if not isinstance(data, Mapping):
            raise InfronStreamError(
                f"Infron's {request.RECORD_MODEL} answer is not a JSON object: {str(data)[:200]!r}"
            )
        request_id = data.get("request_id") or data.get("requestId") or header_id
        request_id = request_id if isinstance(request_id, str) else None
        if data.get("success") is False:  # Firecrawl reports failures inside a 200 this way
            message = data.get("error") if isinstance(data.get("error"), str) else None
            raise error_from_inband(
                {"message": message or f"{request.RECORD_MODEL} reported success: false"},
                request_id=request_id,
                body=data,
            )
        response = request.RESPONSE.model_validate(data)
        record = UsageRecord.from_usage(
            response.usage,
            cost=response.total_cost,
            cost_details=response.cost_details,
            model=request.RECORD_MODEL,
            request_id=request_id,
            provider=request.ENGINE,
            kind=request.KIND,
            framework=self.framework,
        )
        if request.KIND == "search":
            record = replace(record, web_search_requests=1)
        record_usage(record)
        return response

    # --- the HTTP exchange: a JSON answer, or a DeepSearch stream assembled into one --------------
    # Both read through ``client.stream`` so one path serves either kind of answer. A failure
    # before any data arrived is a connection error, and an error status is a typed error: the
    # policy retries those it may. Once a stream has started, the search has run (and is billed):
    # a break is an InfronStreamError and an error chunk is raised after the retry loop, by
    # _assembled, so neither is sent again.

    def _headers(self, body: Mapping[str, Any]) -> dict[str, str]:
        accept = "text/event-stream" if body.get("stream") is True else "application/json"
        return {**self.settings.headers(), "Accept": accept}

    def _post(self, url: str, body: dict[str, Any]) -> tuple[Any, str | None]:
        client = shared_sdk_client(self.settings.timeout)
        headers = self._headers(body)

        def once() -> tuple[Any, str | None]:  # the assembler is finished outside the retries
            assembler = _DeepSearchAssembler()
            try:
                with client.stream("POST", url, json=body, headers=headers) as response:
                    request_id = response.headers.get("x-request-id")
                    if not _is_sse(response):
                        response.read()
                        return _check(response), request_id
                    for chunk in iter_sse_json(response.iter_lines()):
                        if not assembler.feed(chunk):
                            break
            except InfronError:
                raise
            except Exception as exc:
                if is_transport_error(exc):
                    raise assembler.broken(exc, url) from exc
                raise
            return assembler, request_id

        return _assembled(*self.retry.call(once))

    async def _apost(self, url: str, body: dict[str, Any]) -> tuple[Any, str | None]:
        client = shared_async_sdk_client(self.settings.timeout)
        headers = self._headers(body)

        async def once() -> tuple[Any, str | None]:
            assembler = _DeepSearchAssembler()
            try:
                async with client.stream("POST", url, json=body, headers=headers) as response:
                    request_id = response.headers.get("x-request-id")
                    if not _is_sse(response):
                        await response.aread()
                        return _check(response), request_id
                    async for chunk in aiter_sse_json(response.aiter_lines()):
                        if not assembler.feed(chunk):
                            break
            except InfronError:
                raise
            except Exception as exc:
                if is_transport_error(exc):
                    raise assembler.broken(exc, url) from exc
                raise
            return assembler, request_id

        return _assembled(*await self.retry.acall(once))

    # --- the framework-free tool --------------------------------------------------------------

    def run_tool(
        self,
        arguments: str | Mapping[str, Any],
        *,
        engine: SearchEngine = "tavily",
        max_results: int | None = 5,
        **fields: Any,
    ) -> str:
        """Run the search tool of :func:`search_tool_definition` on a model's tool-call arguments.

        Args:
            arguments: the tool call's ``arguments`` (a JSON string or a dict with ``query``).
            engine, max_results, **fields: as for :meth:`search` (chosen by you, not the model).

        Returns:
            The results as the JSON text to send back as the tool message (see :func:`tool_output`).
        """
        query = SearchToolInput.parse(arguments).query
        found = self.search(query, engine=engine, max_results=max_results, **fields)
        return tool_output(found, max_results=max_results)

    async def arun_tool(
        self,
        arguments: str | Mapping[str, Any],
        *,
        engine: SearchEngine = "tavily",
        max_results: int | None = 5,
        **fields: Any,
    ) -> str:
        """Async :meth:`run_tool`."""
        query = SearchToolInput.parse(arguments).query
        found = await self.asearch(query, engine=engine, max_results=max_results, **fields)
        return tool_output(found, max_results=max_results)


def _ready(more: Any) -> None:
    # a ready request is sent as it is: fields next to it would be silently dropped
    if more:
        raise InfronConfigError(
            "Pass a ready request or fields (and max_results), not both; for fields the request "
            "model does not have, use extra_body."
        )


def _assembled(result: Any, request_id: str | None) -> tuple[Any, str | None]:
    if isinstance(result, _DeepSearchAssembler):
        return result.finish(), request_id
    return result, request_id


def _is_sse(response: Any) -> bool:
    return response.status_code < 400 and "text/event-stream" in response.headers.get(
        "content-type", ""
    )


class _DeepSearchAssembler:
    """Builds one DeepSearch answer from its stream's chunks (OpenAI-style deltas).

    Reasoning steps arrive as ``delta.type == "think"``; everything else is the answer. Each
    chunk's top-level fields overwrite the previous ones, so the final chunk's ``usage``,
    ``visitedURLs`` and ``readURLs`` are what is kept.
    """

    def __init__(self) -> None:
        self.text: list[str] = []
        self.think: list[str] = []
        self.annotations: list[Any] = []
        self.envelope: dict[str, Any] = {}
        self.finish_reason: str | None = None
        self.error: InfronAPIError | None = None
        self.started = False

    def feed(self, chunk: Mapping[str, Any]) -> bool:
        """Take one chunk; False once it carried an error (kept for :meth:`finish`)."""
        self.started = True
        try:
            raise_for_inband_error(chunk)
        except InfronAPIError as exc:
            self.error = exc
            return False
        self.envelope.update((k, v) for k, v in chunk.items() if k != "choices")
        for choice in chunk.get("choices") or ():
            delta = choice.get("delta") or {}
            content = delta.get("content")
            if isinstance(content, str) and content:
                (self.think if delta.get("type") == "think" else self.text).append(content)
            if isinstance(delta.get("annotations"), list):
                self.annotations.extend(delta["annotations"])
            if choice.get("finish_reason"):
                self.finish_reason = choice["finish_reason"]
        return True

    def broken(self, exc: BaseException, url: str) -> InfronError:
        if not self.started:  # nothing arrived: a connection error, which the policy retries
            return transport_error(exc, url)
        return InfronStreamError(
            f"The DeepSearch stream from Infron broke ({type(exc).__name__}); the partial answer "
            "was not returned. Retry the request.",
            partial_text="".join(self.text),
            request_id=self.envelope.get("request_id"),
        )

    def finish(self) -> dict[str, Any]:
        if self.error is not None:
            raise self.error
        if self.finish_reason is None:
            raise InfronStreamError(
                "The DeepSearch stream ended before the answer finished (no finish_reason); the "
                "partial answer was not returned. Retry the request.",
                partial_text="".join(self.text),
                request_id=self.envelope.get("request_id"),
            )
        message: dict[str, Any] = {"role": "assistant", "content": "".join(self.text)}
        if self.annotations:
            message["annotations"] = self.annotations
        choice = {"index": 0, "message": message, "finish_reason": self.finish_reason}
        return {
            **self.envelope,
            "object": "chat.completion",
            "choices": [choice],
            "reasoning": "".join(self.think) or None,
        }
