"""The search tools in LangChain's own agent, ``langchain.agents.create_agent`` (a LangGraph
graph), with ``ChatInfron`` as its model, against the sandbox over loopback."""

from __future__ import annotations

import json
from typing import Any

from langchain.agents import create_agent
from langchain_core.messages import AIMessage, ToolMessage

from infron_integrations.core import track_usage
from infron_integrations.core.search_wire import ExaSearchResponse
from infron_integrations.langchain import ChatInfron, InfronSearchTool

QUESTION = "What is new in Python 3.13?"


def _agent(sandbox: Any) -> Any:
    creds = {"api_key": sandbox.api_key, "base_url": sandbox.base_url}
    model = ChatInfron(model="openai/gpt-4o-mini", **creds)
    search = InfronSearchTool(engine="exa", max_results=2, **creds)
    return create_agent(model, tools=[search], system_prompt="Answer with sources.")


def _check(sandbox: Any, result: Any) -> None:
    messages = result["messages"]
    tools = [m for m in messages if isinstance(m, ToolMessage)]
    assert len(tools) == 1 and tools[0].name == "infron_search"
    # the agent's model saw the concise text; the program keeps the whole typed answer
    assert isinstance(tools[0].artifact, ExaSearchResponse)
    assert len(json.loads(tools[0].content)["results"]) == 2
    assert sandbox.last_request("/v1/exa").body["query"] == QUESTION
    final = messages[-1]
    assert isinstance(final, AIMessage) and not final.tool_calls
    assert "Sandbox exa result 1" in str(final.content)
    # the model's second request carried the search results back
    chats = [r for r in sandbox.requests if r.path == "/v1/chat/completions"]
    assert len(chats) == 2 and chats[-1].body["messages"][-1]["role"] == "tool"


def test_create_agent_searches(infron_sandbox: Any) -> None:
    with track_usage() as run:
        result = _agent(infron_sandbox).invoke({"messages": [("user", QUESTION)]})
    _check(infron_sandbox, result)
    assert [r.kind for r in run.records] == ["chat", "search", "chat"]
    assert run.by_model["exa/exa-search"].cost_usd == 0.005


async def test_create_agent_searches_async(infron_sandbox: Any) -> None:
    result = await _agent(infron_sandbox).ainvoke({"messages": [("user", QUESTION)]})
    _check(infron_sandbox, result)
