"""The LangChain search tools and retriever against the sandbox over loopback."""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.documents import Document
from langchain_core.exceptions import ModelRateLimitError
from langchain_core.messages import HumanMessage, ToolMessage
from langchain_core.utils.function_calling import convert_to_openai_tool

from infron_integrations.core import (
    InfronBudgetExceededError,
    InfronConfigError,
    InfronRateLimitError,
    track_usage,
)
from infron_integrations.core.search_wire import DeepSearchResponse, ExaSearchResponse
from infron_integrations.langchain import (
    InfronDeepSearchTool,
    InfronExtractTool,
    InfronSearchRetriever,
    InfronSearchTool,
)

QUESTION = "Who is Leo Messi?"


def _kw(sandbox: Any) -> dict[str, Any]:
    return {"api_key": sandbox.api_key, "base_url": sandbox.base_url, "max_retries": 0}


def _call(name: str, **args: Any) -> dict[str, Any]:
    return {"type": "tool_call", "name": name, "id": "call_1", "args": args}


def test_the_model_sees_one_argument(infron_sandbox: Any) -> None:
    tool = InfronSearchTool(**_kw(infron_sandbox))
    schema = convert_to_openai_tool(tool)["function"]
    assert schema["name"] == "infron_search"
    assert schema["description"].startswith("Search the web.")
    assert list(schema["parameters"]["properties"]) == ["query"]
    assert schema["parameters"]["required"] == ["query"]


def test_search_tool_call(infron_sandbox: Any) -> None:
    tool = InfronSearchTool(
        engine="exa", max_results=2, search_kwargs={"category": "news"}, **_kw(infron_sandbox)
    )
    with track_usage() as run:
        message = tool.invoke(_call("infron_search", query=QUESTION))
    assert infron_sandbox.last_request("/v1/exa").body == {
        "model": "exa-search", "query": QUESTION, "category": "news", "numResults": 2,
    }  # fmt: skip
    assert isinstance(message, ToolMessage) and message.tool_call_id == "call_1"
    content = json.loads(message.content)  # type: ignore[arg-type]
    assert [r["url"] for r in content["results"]] == [
        h.url for h in message.artifact.hits
    ]  # fmt: skip
    assert isinstance(message.artifact, ExaSearchResponse)
    assert message.artifact.costDollars is not None and message.artifact.total_cost == 0.005
    (record,) = run.records
    assert (record.framework, record.kind, record.cost) == ("langchain", "search", 0.005)


async def test_async_tool_and_content_cut(infron_sandbox: Any) -> None:
    tool = InfronSearchTool(engine="firecrawl", content_chars=10, **_kw(infron_sandbox))
    text = await tool.ainvoke({"query": "pets"})
    first = json.loads(text)["results"][0]
    assert first["content"] == "Determinis [...]"
    assert infron_sandbox.last_request("/v1/firecrawl").body["limit"] == 5


def test_an_agent_loop_with_chat_infron(chat_model: Any, infron_sandbox: Any) -> None:
    tool = InfronSearchTool(max_results=2, **_kw(infron_sandbox))
    llm = chat_model.bind_tools([tool])
    messages: list[Any] = [HumanMessage(QUESTION)]
    with track_usage() as run:
        ai = llm.invoke(messages)
        (call,) = ai.tool_calls
        assert call["name"] == "infron_search" and call["args"] == {"query": QUESTION}
        messages += [ai, tool.invoke(call)]
        final = llm.invoke(messages)
    assert str(final.content).startswith('Based on infron_search: {"results": [{"title": "Sandbox')
    assert [r.kind for r in run.records] == ["chat", "search", "chat"]
    assert run.by_framework["langchain"].requests == 3


def test_settings_and_fields_fail_at_construction(
    infron_sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(InfronConfigError, match="Did you mean 'numResults'"):
        InfronSearchTool(engine="exa", search_kwargs={"numresults": 3}, **_kw(infron_sandbox))
    with pytest.raises(InfronConfigError, match="'query' is given as the first argument"):
        InfronSearchTool(search_kwargs={"query": "fixed"}, **_kw(infron_sandbox))
    with pytest.raises(InfronConfigError, match="unknown field 'depth'"):
        InfronExtractTool(search_kwargs={"depth": "advanced"}, **_kw(infron_sandbox))
    with pytest.raises(InfronConfigError, match="reasoning_effort"):
        InfronDeepSearchTool(search_kwargs={"reasoning_effort": "max"}, **_kw(infron_sandbox))
    monkeypatch.delenv("INFRON_API_KEY", raising=False)
    with pytest.raises(InfronConfigError, match="No Infron API key"):
        InfronSearchRetriever()
    assert infron_sandbox.requests == []


def test_key_is_masked(infron_sandbox: Any) -> None:
    tool = InfronSearchTool(api_key="sk-secret-value-123", base_url=infron_sandbox.base_url)
    assert "sk-secret" not in repr(tool) and "sk-secret" not in str(tool.model_dump())


def test_errors_are_langchain_and_core_classes(infron_sandbox: Any) -> None:
    tool = InfronSearchTool(
        default_headers={"x-infron-sandbox-fault": "429"}, **_kw(infron_sandbox)
    )
    with pytest.raises(ModelRateLimitError) as info:
        tool.invoke({"query": "q"})
    assert isinstance(info.value, InfronRateLimitError) and info.value.retry_after == 1.0
    budget_tool = InfronSearchTool(engine="exa", **_kw(infron_sandbox))
    with track_usage(budget=0.001), pytest.raises(InfronBudgetExceededError):
        budget_tool.invoke({"query": "q"})


def test_retriever_documents(infron_sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # the search host from INFRON_SEARCH_URL (the base URL stays the default one)
    monkeypatch.setenv("INFRON_SEARCH_URL", infron_sandbox.base_url)
    monkeypatch.delenv("INFRON_BASE_URL", raising=False)
    retriever = InfronSearchRetriever(engine="cloudsway", k=3, api_key=infron_sandbox.api_key)
    assert retriever.settings.base_url == "https://llm.onerouter.pro/v1"
    docs = retriever.invoke(QUESTION)
    assert infron_sandbox.last_request("/v1/cloudsway").body == {
        "model": "cloudsway-smart-search", "q": QUESTION, "count": 10,
    }  # fmt: skip
    assert len(docs) == 3  # Cloudsway answered 10; k cuts
    assert docs[0] == Document(
        id="https://search.sandbox.invalid/cloudsway/7a7f51c1/1",
        page_content=f"Deterministic cloudsway snippet 1 about {QUESTION}.",
        metadata={
            "title": f"Sandbox cloudsway result 1 for {QUESTION}",
            "source": "https://search.sandbox.invalid/cloudsway/7a7f51c1/1",
            "engine": "cloudsway",
            "published_date": "2025-01-01T00:00:00Z",
        },
    )


async def test_retriever_async(infron_sandbox: Any) -> None:
    retriever = InfronSearchRetriever(k=2, **_kw(infron_sandbox))
    with track_usage() as run:
        docs = await retriever.ainvoke("pets")
    assert [d.metadata["score"] for d in docs] == [0.95, 0.9]
    assert run.records[0].framework == "langchain"


def test_extract_and_deepsearch_tools(infron_sandbox: Any) -> None:
    extract = InfronExtractTool(search_kwargs={"extract_depth": "advanced"}, **_kw(infron_sandbox))
    pages = json.loads(extract.invoke({"urls": ["https://a.example/x"]}))
    assert infron_sandbox.last_request("/v1/tavily/extract").body == {
        "urls": ["https://a.example/x"], "extract_depth": "advanced",
    }  # fmt: skip
    assert pages["results"][0]["content"].startswith("# Sandbox page")
    deep = InfronDeepSearchTool(search_kwargs={"reasoning_effort": "low"}, **_kw(infron_sandbox))
    message = deep.invoke(_call("infron_deepsearch", question="What is DeepSearch?"))
    out = json.loads(message.content)
    assert out["answer"].startswith("DeepSearch answer from the Infron sandbox")
    assert len(out["results"]) == 2
    assert isinstance(message.artifact, DeepSearchResponse)
    assert message.artifact.reasoning == "Searching the web for: What is DeepSearch?.\n"
