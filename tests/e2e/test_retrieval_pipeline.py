"""End to end against the sandbox over loopback: InfronEmbeddings -> in-memory vector store ->
retriever -> InfronRerank (reorder and cut) -> ChatInfron, with the run's usage and cost checked
against what the sandbox served and charged. Also runs examples/langchain_retrieval.py offline."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.documents import Document
from langchain_core.messages import AIMessage
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import Runnable, RunnableLambda, RunnableParallel, RunnablePassthrough
from langchain_core.vectorstores import InMemoryVectorStore

from infron_integrations.core import InfronHTTP, InfronSettings, UsageTracker, track_usage
from infron_integrations.langchain import ChatInfron, InfronEmbeddings, InfronRerank

EMBEDDING_MODEL = "qwen/qwen3-embedding-0.6b"
RERANK_MODEL = "qwen/qwen3-reranker-0.6b"
CHAT_MODEL = "openai/gpt-4o-mini"
QUESTION = "What is the capital of the United States?"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "langchain_retrieval.py"

TEXTS = {
    "nevada": "Carson City is the capital city of the American state of Nevada.",
    "mariana": "The Northern Mariana Islands are a United States commonwealth in the Pacific. "
    "Its capital is Saipan.",
    "virgin": "Charlotte Amalie is the capital and largest city of the United States Virgin Islands.",
    "washington": "Washington, D.C. is the capital of the United States of America.",
    "punishment": "Capital punishment has existed in the United States since before it was a "
    "country.",
    "bread": "Sourdough bread rises with wild yeast and lactic acid bacteria.",
}


def _documents() -> list[Document]:
    return [
        Document(id=key, page_content=text, metadata={"source": f"wiki/{key}"})
        for key, text in TEXTS.items()
    ]


PROMPT = ChatPromptTemplate.from_messages(
    [
        ("system", "Answer the question from the context only."),
        ("human", "Context:\n{context}\n\nQuestion: {question}"),
    ]
)


def _pipeline(sandbox: Any) -> tuple[InMemoryVectorStore, Runnable[str, dict[str, Any]]]:
    conn = {"api_key": sandbox.api_key, "base_url": sandbox.base_url}
    embeddings = InfronEmbeddings(model=EMBEDDING_MODEL, usage_accounting=True, **conn)
    reranker = InfronRerank(model=RERANK_MODEL, top_n=2, usage_accounting=True, **conn)
    llm = ChatInfron(model=CHAT_MODEL, **conn)
    store = InMemoryVectorStore(embedding=embeddings)
    retriever = store.as_retriever(search_kwargs={"k": 4})

    def context(x: dict[str, Any]) -> dict[str, str]:
        text = "\n\n".join(doc.page_content for doc in x["context"])
        return {"context": text, "question": x["question"]}

    chain = (
        RunnableParallel(retrieved=retriever, question=RunnablePassthrough())
        | RunnablePassthrough.assign(
            context=RunnableLambda(
                lambda x: reranker.compress_documents(x["retrieved"], x["question"]),
                afunc=lambda x: reranker.acompress_documents(x["retrieved"], x["question"]),
            )
        )
        | RunnablePassthrough.assign(answer=RunnableLambda(context) | PROMPT | llm)
    )
    return store, chain


def _balance(sandbox: Any) -> Decimal:
    settings = InfronSettings.resolve(api_key=sandbox.api_key, base_url=sandbox.base_url)
    return Decimal(repr(InfronHTTP(settings).balance().credit_balance))


def _replay(sandbox: Any, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """The sandbox's answer to a logged body, asked again without our code (it is deterministic)."""
    response = httpx.post(
        f"{sandbox.url}{path}", json=body, headers={"Authorization": f"Bearer {sandbox.api_key}"}
    )
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


def _check_run(sandbox: Any, run: UsageTracker, result: dict[str, Any], spent: Decimal) -> None:
    log = [r for r in sandbox.requests if r.path.startswith("/v1/") and r.path != "/v1/balance"]
    assert [r.path for r in log] == [
        "/v1/embeddings",  # add_documents: all texts in one request
        "/v1/embeddings",  # the question
        "/v1/rerank",
        "/v1/chat/completions",
    ]
    add, query, rerank, chat = log

    # --- on the wire
    assert add.body["input"] == list(TEXTS.values())
    assert query.body["input"] == [QUESTION]
    assert add.body["usage"] == query.body["usage"] == rerank.body["usage"] == {"include": True}
    retrieved: list[Document] = result["retrieved"]
    assert len(retrieved) == 4
    assert rerank.body == {
        "model": RERANK_MODEL,
        "query": QUESTION,
        "documents": [doc.page_content for doc in retrieved],  # in retrieval order
        "top_n": 2,
        "usage": {"include": True},
    }
    context: list[Document] = result["context"]
    user_turn = chat.body["messages"][-1]["content"]
    assert user_turn == (
        "Context:\n" + "\n\n".join(d.page_content for d in context) + f"\n\nQuestion: {QUESTION}"
    )
    assert chat.body["usage"] == {"include": True}

    # --- what the LangChain user sees: reranked, cut, scored copies; the answer from them
    assert context[0].id == "washington"
    assert len(context) == 2
    scores = [doc.metadata["relevance_score"] for doc in context]
    assert scores == sorted(scores, reverse=True)
    assert all(doc.metadata["source"] == f"wiki/{doc.id}" for doc in context)
    assert all("relevance_score" not in doc.metadata for doc in retrieved)
    answer: AIMessage = result["answer"]
    assert isinstance(answer, AIMessage)
    assert TEXTS["washington"] in str(answer.content)

    # --- usage and cost: one record per request, tied to the sandbox's request ids
    assert [(r.kind, r.framework) for r in run.records] == [
        ("embeddings", "langchain"),
        ("embeddings", "langchain"),
        ("rerank", "langchain"),
        ("chat", "langchain"),
    ]
    assert [r.request_id for r in run.records] == [entry.request_id for entry in log]
    for record, entry in zip(run.records, log, strict=True):
        reported = _replay(
            sandbox,
            entry.path,
            {**entry.body, "stream": False} if entry.path.endswith("/completions") else entry.body,
        )
        usage = reported["usage"]
        assert record.input_tokens == usage["prompt_tokens"]
        assert record.output_tokens == usage.get("completion_tokens", 0)
        assert record.cost == reported["cost"] is not None
    assert run.records[-1].cost == answer.response_metadata["cost"]
    assert answer.usage_metadata is not None
    assert answer.usage_metadata["input_tokens"] == run.records[-1].input_tokens
    # the tracker's exact total is what the sandbox charged the key for these four requests
    assert run.total.cost == spent
    assert run.total.unknown_cost_requests == 0
    assert run.total.requests == 4


def test_retrieval_pipeline_sync(infron_sandbox: Any) -> None:
    before = _balance(infron_sandbox)
    with track_usage() as run:
        store, chain = _pipeline(infron_sandbox)
        store.add_documents(_documents())
        result = chain.invoke(QUESTION)
    spent = before - _balance(infron_sandbox)
    _check_run(infron_sandbox, run, result, spent)


async def test_retrieval_pipeline_async(infron_sandbox: Any) -> None:
    before = _balance(infron_sandbox)
    with track_usage() as run:
        store, chain = _pipeline(infron_sandbox)
        await store.aadd_documents(_documents())
        result = await chain.ainvoke(QUESTION)
    spent = before - _balance(infron_sandbox)
    _check_run(infron_sandbox, run, result, spent)


def test_callers_documents_survive_the_pipeline(infron_sandbox: Any) -> None:
    docs = _documents()
    before = [doc.model_copy(deep=True) for doc in docs]
    store, chain = _pipeline(infron_sandbox)
    store.add_documents(docs)
    chain.invoke(QUESTION)
    assert docs == before


def test_example_runs_offline_and_prints_the_cost_table() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("INFRON_API_KEY", "INFRON_BASE_URL")}
    done = subprocess.run(
        [sys.executable, str(EXAMPLE)], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "INFRON_API_KEY is not set: using the built-in sandbox at http://127.0.0.1:" in out
    assert "washington" in out and "Answer: " in out
    table = out[out.index("kind") :].splitlines()
    kinds = [line.split()[0] for line in table[2:] if line and not line.startswith("-")]
    assert kinds == ["embeddings", "rerank", "chat", "total"]
    assert "not reported" not in out  # the sandbox reports the cost of all three kinds


@pytest.mark.live
def test_live_retrieval_pipeline() -> None:
    env = dict(os.environ)
    done = subprocess.run(
        [sys.executable, str(EXAMPLE)], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "Using the Infron gateway" in done.stdout
