"""Retrieval on Infron with LangChain: embed, retrieve, rerank, answer, and what it all cost.

    python examples/langchain_retrieval.py

* ``InfronEmbeddings`` fills an in-memory vector store and embeds the question;
* the store's retriever returns the ``K`` nearest documents;
* ``InfronRerank`` reorders them by relevance and keeps the best ``TOP_N`` (the LCEL form of a
  contextual-compression retriever);
* ``ChatInfron`` answers from those documents;
* ``track_usage()`` collects every request's tokens and the gateway's cost, printed per kind.

With ``INFRON_API_KEY`` set it talks to the real gateway (``INFRON_BASE_URL`` if set); without
it, it starts the built-in sandbox on 127.0.0.1 and says so, so it runs offline. Needs
``pip install "infron-integrations[langchain,sandbox]" numpy`` (LangChain's in-memory vector store
uses numpy for cosine similarity).
"""

from __future__ import annotations

import os
from collections import defaultdict
from decimal import Decimal
from typing import Any

from langchain_core.documents import Document
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import Runnable, RunnableLambda, RunnableParallel, RunnablePassthrough
from langchain_core.vectorstores import InMemoryVectorStore

from infron_integrations.core import UsageTracker, track_usage
from infron_integrations.gateway import live_or_sandbox
from infron_integrations.langchain import ChatInfron, InfronEmbeddings, InfronRerank

# Models from the Infron docs' examples; override with environment variables.
EMBEDDING_MODEL = os.environ.get("INFRON_EMBEDDING_MODEL", "qwen/qwen3-embedding-0.6b")
RERANK_MODEL = os.environ.get("INFRON_RERANK_MODEL", "voyage-rerank-2.5")
CHAT_MODEL = os.environ.get("INFRON_CHAT_MODEL", "openai/gpt-4o-mini")
K = 4  # documents the vector search returns
TOP_N = 2  # documents the reranker keeps

QUESTION = "What is the capital of the United States?"
DOCUMENTS = [
    Document(
        id="nevada",
        page_content="Carson City is the capital city of the American state of Nevada.",
        metadata={"source": "wiki/Carson_City"},
    ),
    Document(
        id="mariana",
        page_content="The Northern Mariana Islands are a United States commonwealth in the "
        "Pacific Ocean. Its capital is Saipan.",
        metadata={"source": "wiki/Northern_Mariana_Islands"},
    ),
    Document(
        id="virgin-islands",
        page_content="Charlotte Amalie is the capital and largest city of the United States "
        "Virgin Islands.",
        metadata={"source": "wiki/Charlotte_Amalie"},
    ),
    Document(
        id="washington",
        page_content="Washington, D.C. is the capital of the United States of America.",
        metadata={"source": "wiki/Washington,_D.C."},
    ),
    Document(
        id="punishment",
        page_content="Capital punishment has existed in the United States since before the "
        "United States was a country.",
        metadata={"source": "wiki/Capital_punishment_in_the_United_States"},
    ),
    Document(
        id="bread",
        page_content="Sourdough bread rises with wild yeast and lactic acid bacteria.",
        metadata={"source": "wiki/Sourdough"},
    ),
]

PROMPT = ChatPromptTemplate.from_messages(
    [
        ("system", "Answer the question from the context only. Be brief."),
        ("human", "Context:\n{context}\n\nQuestion: {question}"),
    ]
)


def build_chain(
    store: InMemoryVectorStore, reranker: InfronRerank, llm: ChatInfron, *, k: int = K
) -> Runnable[str, dict[str, Any]]:
    """question -> {"question", "retrieved", "context" (reranked), "answer" (AIMessage)}."""
    retriever = store.as_retriever(search_kwargs={"k": k})

    def rerank(x: dict[str, Any]) -> list[Document]:
        return list(reranker.compress_documents(x["retrieved"], x["question"]))

    async def arerank(x: dict[str, Any]) -> list[Document]:
        return list(await reranker.acompress_documents(x["retrieved"], x["question"]))

    def prompt_inputs(x: dict[str, Any]) -> dict[str, str]:
        context = "\n\n".join(doc.page_content for doc in x["context"])
        return {"context": context, "question": x["question"]}

    return (
        RunnableParallel(retrieved=retriever, question=RunnablePassthrough())
        | RunnablePassthrough.assign(context=RunnableLambda(rerank, afunc=arerank))
        | RunnablePassthrough.assign(answer=RunnableLambda(prompt_inputs) | PROMPT | llm)
    )


def usage_table(run: UsageTracker) -> str:
    """Requests, tokens and the gateway's cost per kind of request, from the tracker."""
    rows: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"requests": 0, "input": 0, "output": 0, "cost": Decimal(0), "unknown": 0}
    )
    for record in run.records:
        row = rows[record.kind]
        row["requests"] += record.requests
        row["input"] += record.input_tokens
        row["output"] += record.output_tokens
        row["unknown"] += record.unknown_cost_requests
        if record.cost is not None:
            row["cost"] += Decimal(repr(record.cost))
    total = run.total
    lines = [
        f"{'kind':<12}{'requests':>9}{'input tok':>11}{'output tok':>12}{'cost (USD)':>16}",
        "-" * 60,
    ]

    def cost_text(cost: Decimal, unknown: int, requests: int) -> str:
        if unknown == requests:
            return "not reported"
        text = f"{cost:.10f}"
        return text + (f" (+{unknown} unknown)" if unknown else "")

    for kind, row in rows.items():
        lines.append(
            f"{kind:<12}{row['requests']:>9}{row['input']:>11}{row['output']:>12}"
            f"{cost_text(row['cost'], row['unknown'], row['requests']):>16}"
        )
    lines.append("-" * 60)
    lines.append(
        f"{'total':<12}{total.requests:>9}{total.input_tokens:>11}{total.output_tokens:>12}"
        f"{cost_text(total.cost, total.unknown_cost_requests, total.requests):>16}"
    )
    return "\n".join(lines)


def main() -> None:
    with live_or_sandbox() as gateway, track_usage() as run:
        # `usage_accounting=True` asks the gateway for the cost of embeddings and rerank too
        # (Billing Tracking shows it for chat; a gateway that does not report it leaves the
        # cost "not reported" here, never a guess). ChatInfron asks for it by default.
        embeddings = InfronEmbeddings(model=EMBEDDING_MODEL, usage_accounting=True)
        reranker = InfronRerank(model=RERANK_MODEL, top_n=TOP_N, usage_accounting=True)
        llm = ChatInfron(model=CHAT_MODEL)

        store = InMemoryVectorStore(embedding=embeddings)
        store.add_documents(DOCUMENTS)
        result = build_chain(store, reranker, llm).invoke(QUESTION)

    print(f"\nQuestion: {QUESTION}")
    print(f"Retrieved ({K}): {[doc.id for doc in result['retrieved']]}")
    print(f"Reranked (top {TOP_N}):")
    for doc in result["context"]:
        print(f"  {doc.metadata['relevance_score']:.4f}  {doc.id}  ({doc.metadata['source']})")
    print(f"\nAnswer: {result['answer'].content}\n")
    where = "sandbox" if gateway.is_sandbox else "Infron"
    print(f"Usage and cost of the run ({where}, from track_usage()):")
    print(usage_table(run))


if __name__ == "__main__":
    main()
