"""The Agents SDK search tools against the sandbox over loopback."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from agents import Agent, FunctionTool, ModelBehaviorError, RunConfig, Runner, UserError

from infron_integrations.core import (
    InfronBudgetExceededError,
    InfronConfigError,
    InfronRateLimitError,
    track_usage,
)
from infron_integrations.openai_agents import (
    InfronProvider,
    infron_deepsearch_tool,
    infron_extract_tool,
    infron_search_tool,
    run_cost,
)

QUESTION = "Who is Leo Messi?"
MODEL = "openai/gpt-4o-mini"


def _kw(sandbox: Any) -> dict[str, Any]:
    return {"api_key": sandbox.api_key, "base_url": sandbox.base_url, "max_retries": 0}


async def _run(provider: InfronProvider, tool: FunctionTool) -> Any:
    agent = Agent(name="researcher", model=MODEL, tools=[tool])
    return await Runner.run(agent, QUESTION, run_config=RunConfig(model_provider=provider))


def test_the_model_sees_a_strict_one_argument_schema(sandbox: Any) -> None:
    tool = infron_search_tool(**_kw(sandbox))
    assert tool.name == "infron_search" and tool.strict_json_schema
    assert tool.description.startswith("Search the web.")
    assert tool.params_json_schema == {
        "type": "object",
        "properties": {"query": {"type": "string", "description": "What to search the web for."}},
        "required": ["query"],
        "additionalProperties": False,
    }
    assert "sk-infron" not in repr(tool)


async def test_an_agent_searches(sandbox: Any, provider: InfronProvider, bodies: Any) -> None:
    tool = infron_search_tool(
        "exa", max_results=2, search_kwargs={"type": "neural"}, **_kw(sandbox)
    )
    with track_usage() as run:
        result = await _run(provider, tool)
    assert sandbox.last_request("/v1/exa").body == {
        "model": "exa-search", "query": QUESTION, "type": "neural", "numResults": 2,
    }  # fmt: skip
    # the model's second request carries the tool's output, which its answer quotes
    tool_message = bodies()[-1]["messages"][-1]
    assert tool_message["role"] == "tool"
    results = json.loads(tool_message["content"])["results"]
    assert [r["title"] for r in results] == [
        f"Sandbox exa result 1 for {QUESTION}", f"Sandbox exa result 2 for {QUESTION}",
    ]  # fmt: skip
    assert result.final_output == f"Based on infron_search: {tool_message['content']}."
    # every request in the run-level tracker, and in run_cost(): the model's requests and the
    # tool call's search, the same total
    assert [(r.kind, r.framework) for r in run.records] == [
        ("chat", "openai-agents"), ("search", "openai-agents"), ("chat", "openai-agents"),
    ]  # fmt: skip
    assert run.by_model["exa/exa-search"].cost_usd == 0.005
    cost = run_cost(result)
    assert cost.requests == 2
    assert [(r.kind, r.cost) for r in cost.tool_records] == [("search", 0.005)]
    assert cost.total_cost == pytest.approx(run.total_cost)
    assert cost.summary()["cost"] == pytest.approx(run.total_cost)
    assert "tool_calls=1" in repr(cost)


async def test_run_cost_counts_searches_of_unknown_cost(
    sandbox: Any, provider: InfronProvider
) -> None:
    """Tavily reports no cost: the search is in run_cost() as a request of unknown cost."""
    with track_usage() as run:
        result = await _run(provider, infron_search_tool(**_kw(sandbox)))
    cost = run_cost(result)
    ((search),) = cost.tool_records
    assert search.kind == "search" and search.cost is None and search.unknown_cost_requests == 1
    assert cost.total_cost == pytest.approx(run.total_cost)
    assert cost.summary()["unknown_cost_requests"] == run.summary()["unknown_cost_requests"]


async def test_a_failed_search_stops_the_run(sandbox: Any, make_provider: Any) -> None:
    tool = infron_search_tool(**_kw(sandbox))
    sandbox.script({"error": {"code": 429, "message": "slow down"}}, path="/v1/tavily/search")
    with pytest.raises(UserError, match="Error running tool infron_search") as info:
        await _run(make_provider(), tool)
    cause = info.value.__cause__
    assert isinstance(cause, InfronRateLimitError) and isinstance(cause, openai.RateLimitError)
    assert cause.in_band and cause.message == "slow down"


async def test_the_budget_stops_the_run(sandbox: Any, provider: InfronProvider) -> None:
    tool = infron_search_tool("exa", **_kw(sandbox))
    with track_usage(budget=0.004) as run, pytest.raises(UserError) as info:
        await _run(provider, tool)
    assert isinstance(info.value.__cause__, InfronBudgetExceededError)
    assert [r.kind for r in run.records] == ["chat", "search"]


async def test_arguments_are_checked(sandbox: Any) -> None:
    tool = infron_search_tool(**_kw(sandbox))
    with pytest.raises(ModelBehaviorError, match="Invalid JSON input for tool infron_search"):
        await tool.on_invoke_tool(None, '{"q": "pets"}')  # type: ignore[arg-type]
    assert sandbox.requests == []


def test_build_time_validation(sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InfronConfigError, match="Did you mean 'search_recency_filter'"):
        infron_search_tool("perplexity", search_kwargs={"recency_filter": "week"}, **_kw(sandbox))
    with pytest.raises(InfronConfigError, match="'urls' is given as the first argument"):
        infron_extract_tool(search_kwargs={"urls": ["https://a.example"]}, **_kw(sandbox))
    monkeypatch.delenv("INFRON_API_KEY", raising=False)
    with pytest.raises(InfronConfigError, match="No Infron API key"):
        infron_deepsearch_tool()


async def test_extract_and_deepsearch_tools(sandbox: Any) -> None:
    extract = infron_extract_tool(**_kw(sandbox))
    pages = json.loads(await extract.on_invoke_tool(None, '{"urls": ["https://a.example/x"]}'))  # type: ignore[arg-type]
    assert pages["results"][0]["url"] == "https://a.example/x"
    deep = infron_deepsearch_tool(search_kwargs={"team_size": 2}, **_kw(sandbox))
    with track_usage() as run:
        out = json.loads(await deep.on_invoke_tool(None, '{"question": "What is new?"}'))  # type: ignore[arg-type]
    assert sandbox.last_request("/v1/chat/completions").body == {
        "model": "jina-deepsearch-v1",
        "messages": [{"role": "user", "content": "What is new?"}],
        "stream": True,
        "team_size": 2,
    }
    assert out["answer"].startswith("DeepSearch answer from the Infron sandbox about What is new?")
    assert run.records[0].kind == "deepsearch" and run.records[0].framework == "openai-agents"
