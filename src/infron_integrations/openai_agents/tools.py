"""Agents SDK tools on Infron's Search APIs: ``infron_search_tool``, ``infron_extract_tool``,
``infron_deepsearch_tool``.

Docs: "Search" (Tavily, Exa, Perplexity, Firecrawl, Cloudsway, Jina DeepSearch) and Billing
Tracking. Each function returns an ``agents.FunctionTool`` over the core's
:class:`~infron_integrations.core.search.InfronSearch`: the model sends one small argument
(``query``, ``urls`` or ``question``), everything else is chosen when the tool is built, and the
model reads JSON ``{"answer": ..., "results": [{title, url, content, ...}]}`` (see
:func:`~infron_integrations.core.search_tools.tool_output`).

Usage::

    from agents import Agent, RunConfig, Runner
    from infron_integrations.core import track_usage
    from infron_integrations.openai_agents import InfronProvider, infron_search_tool

    agent = Agent(name="researcher", model="openai/gpt-4o-mini",
                  tools=[infron_search_tool("exa", max_results=3)])
    with track_usage() as run:
        result = await Runner.run(agent, "...", run_config=RunConfig(model_provider=InfronProvider()))
    print(run.total_cost, run.by_model)   # the model's requests and the searches together

Every search is recorded into :func:`infron_integrations.core.track_usage` with
``framework="openai-agents"``, and kept under its tool call's id, so that ``run_cost(result)``
counts it too (``tool_records``: the search's cost, or unknown where the engine reports none). A failed
search stops the run: the tool raises the classes of :mod:`._errors` (at once the core's typed
errors and the OpenAI SDK's), and the SDK raises its ``UserError("Error running tool ...")`` from
it, so the typed error is the ``UserError``'s ``__cause__``; a failure is never handed to the model
as if it were results. A tool call whose arguments do not match the schema raises
``agents.ModelBehaviorError``, as the SDK's own function tools do.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from agents import FunctionTool, ModelBehaviorError

from ..core.errors import InfronConfigError, InfronError
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
from ..core.settings import InfronSettings
from ..core.usage import track_usage
from ._errors import to_agents_error
from .cost import remember_tool_usage

__all__ = ["infron_deepsearch_tool", "infron_extract_tool", "infron_search_tool"]

_FRAMEWORK = "openai-agents"

EXTRACT_TOOL_DESCRIPTION = (
    "Read web pages. Give the URLs; returns JSON with each page's title, url and content."
)
DEEPSEARCH_TOOL_DESCRIPTION = (
    "Research a question on the web in depth (many searches and page reads; slow). Returns JSON "
    "with the answer and its sources."
)


def _client(
    settings: InfronSettings | None,
    api_key: str | None,
    base_url: str | None,
    search_url: str | None,
    timeout: float | None,
    max_retries: int | None,
) -> InfronSearch:
    # resolved now: a missing key or a bad URL fails where the tool is built, not mid-run
    return InfronSearch(
        settings,
        api_key=api_key,
        base_url=base_url,
        search_url=search_url,
        timeout=timeout,
        max_retries=max_retries,
        framework=_FRAMEWORK,
    )


def _tool(
    name: str,
    description: str,
    arguments: type[SearchToolInput | ExtractToolInput | DeepSearchToolInput],
    run: Callable[[Any], Awaitable[str]],
) -> FunctionTool:
    async def invoke(context: Any, raw: str) -> str:
        try:
            parsed = arguments.parse(raw)
        except InfronConfigError as exc:
            raise ModelBehaviorError(f"Invalid JSON input for tool {name}: {exc}") from None
        try:
            with track_usage() as used:  # nested: the run-level trackers still see every record
                output = await run(parsed)
            remember_tool_usage(getattr(context, "tool_call_id", None), used.records)
            return output
        except InfronError as exc:
            error = to_agents_error(exc)
            if error is exc:  # e.g. InfronBudgetExceededError: raised as is
                raise
            raise error from exc

    return FunctionTool(
        name=name,
        description=description,
        params_json_schema=arguments.json_schema(),
        on_invoke_tool=invoke,
        strict_json_schema=True,
    )


def infron_search_tool(
    engine: SearchEngine = "tavily",
    *,
    max_results: int = 5,
    search_kwargs: Mapping[str, Any] | None = None,
    name: str = "infron_search",
    description: str = SEARCH_TOOL_DESCRIPTION,
    content_chars: int | None = TOOL_CONTENT_CHARS,
    settings: InfronSettings | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
    search_url: str | None = None,
    timeout: float | None = None,
    max_retries: int | None = None,
) -> FunctionTool:
    """Web search through Infron with the engine you choose, as an Agents SDK tool.

    Implements the Infron docs' Search APIs for Tavily, Exa, Perplexity, Firecrawl and Cloudsway.

    Args:
        engine: ``"tavily"`` (default), ``"exa"``, ``"perplexity"``, ``"firecrawl"`` or
            ``"cloudsway"``.
        max_results: at most this many results for the model (sent as the engine's own bound).
        search_kwargs: the engine's other documented request fields, by their wire names
            (validated now), e.g. ``{"topic": "news"}`` for Tavily.
        name, description: what the model sees.
        content_chars: each result's text is cut at this many characters (None: not cut).
        settings: connection settings; or ``api_key``, ``base_url``, ``search_url``,
            ``timeout``, ``max_retries`` (each falling back to its ``INFRON_*`` variable).

    Raises:
        InfronConfigError: bad settings or request fields (at build time).
    """
    options = dict(search_kwargs or {})
    build_search_request("query", engine=engine, max_results=max_results, **options)
    client = _client(settings, api_key, base_url, search_url, timeout, max_retries)

    async def run(args: SearchToolInput) -> str:
        found = await client.asearch(args.query, engine=engine, max_results=max_results, **options)
        return tool_output(found, max_results=max_results, content_chars=content_chars)

    return _tool(name, description, SearchToolInput, run)


def infron_extract_tool(
    *,
    search_kwargs: Mapping[str, Any] | None = None,
    name: str = "infron_extract",
    description: str = EXTRACT_TOOL_DESCRIPTION,
    content_chars: int | None = TOOL_CONTENT_CHARS,
    settings: InfronSettings | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
    search_url: str | None = None,
    timeout: float | None = None,
    max_retries: int | None = None,
) -> FunctionTool:
    """Read web pages through Infron (docs: ``tavily/tavily-extract``), as an Agents SDK tool.

    Args:
        search_kwargs: other documented request fields, e.g. ``{"extract_depth": "advanced"}``.
        name, description, content_chars, settings, ...: as for :func:`infron_search_tool`.
    """
    options = dict(search_kwargs or {})
    build_extract_request("https://example.com", **options)
    client = _client(settings, api_key, base_url, search_url, timeout, max_retries)

    async def run(args: ExtractToolInput) -> str:
        return tool_output(await client.aextract(args.urls, **options), content_chars=content_chars)

    return _tool(name, description, ExtractToolInput, run)


def infron_deepsearch_tool(
    *,
    search_kwargs: Mapping[str, Any] | None = None,
    name: str = "infron_deepsearch",
    description: str = DEEPSEARCH_TOOL_DESCRIPTION,
    content_chars: int | None = TOOL_CONTENT_CHARS,
    settings: InfronSettings | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
    search_url: str | None = None,
    timeout: float | None = None,
    max_retries: int | None = None,
) -> FunctionTool:
    """Research a question with Jina DeepSearch through Infron (docs: ``jina-deepsearch-v1``),
    as an Agents SDK tool: the model gets the answer and its sources.

    Args:
        search_kwargs: other documented request fields, e.g. ``{"reasoning_effort": "low"}``.
        name, description, content_chars, settings, ...: as for :func:`infron_search_tool`.
    """
    options = dict(search_kwargs or {})
    build_deepsearch_request("question", **options)
    client = _client(settings, api_key, base_url, search_url, timeout, max_retries)

    async def run(args: DeepSearchToolInput) -> str:
        found = await client.adeepsearch(args.question, **options)
        return tool_output(found, content_chars=content_chars)

    return _tool(name, description, DeepSearchToolInput, run)
