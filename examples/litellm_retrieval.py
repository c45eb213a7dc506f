"""Retrieval with LiteLLM on Infron: embeddings, a nearest-neighbour search, rerank, answer.

    python examples/litellm_retrieval.py

* ``litellm.embedding(model="infron/<embedding model>")`` embeds the documents and the question
  (``usage={"include": True}`` asks the gateway for the cost, docs: Billing Tracking);
* a few lines of cosine similarity pick the ``K`` nearest documents;
* ``infron_integrations.litellm.rerank`` (LiteLLM has no rerank hook for custom providers)
  reorders them by relevance and keeps the best ``TOP_N`` (docs: Rerank);
* ``litellm.completion`` answers from them, and ``track_usage()`` sums what it all cost.

Without ``INFRON_API_KEY`` it runs against the built-in sandbox.
"""

from __future__ import annotations

import math
import os

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no price-table download

import litellm

from infron_integrations.core import track_usage
from infron_integrations.gateway import live_or_sandbox
from infron_integrations.litellm import register, rerank

EMBEDDING_MODEL = "infron/" + os.environ.get("INFRON_EMBEDDING_MODEL", "qwen/qwen3-embedding-0.6b")
RERANK_MODEL = "infron/" + os.environ.get("INFRON_RERANK_MODEL", "voyage-rerank-2.5")
CHAT_MODEL = "infron/" + os.environ.get("INFRON_CHAT_MODEL", "openai/gpt-4o-mini")
K, TOP_N = 4, 2

QUESTION = "What is the capital of the United States?"
DOCUMENTS = [
    "Carson City is the capital city of the American state of Nevada.",
    "The Northern Mariana Islands are a United States commonwealth. Its capital is Saipan.",
    "Charlotte Amalie is the capital and largest city of the United States Virgin Islands.",
    "Washington, D.C. is the capital of the United States of America.",
    "Capital punishment has existed in the United States since before it was a country.",
    "Sourdough bread rises with wild yeast and lactic acid bacteria.",
]


def cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)) or 1.0)


def main() -> None:
    register()
    with live_or_sandbox(), track_usage() as usage:
        embedded = litellm.embedding(
            model=EMBEDDING_MODEL, input=[*DOCUMENTS, QUESTION], usage={"include": True}
        )
        vectors = [item["embedding"] for item in embedded.data]
        print(f"embedded {len(vectors)} texts, {len(vectors[0])} dimensions each")
        query = vectors.pop()
        nearest = sorted(range(len(DOCUMENTS)), key=lambda i: -cosine(vectors[i], query))[:K]
        print(f"nearest {K}: {nearest}")

        candidates = [DOCUMENTS[i] for i in nearest]
        ranked = rerank(model=RERANK_MODEL, query=QUESTION, documents=candidates, top_n=TOP_N)
        print(f"reranked (top {TOP_N}):")
        for result in ranked.results:
            print(f"  rerank score {result['relevance_score']:.4f}  {candidates[result['index']]}")
        print(f"rerank cost: ${ranked._hidden_params.get('response_cost', 0):.8f}")

        context = "\n".join(candidates[result["index"]] for result in ranked.results)
        answer = litellm.completion(
            model=CHAT_MODEL,
            messages=[
                {"role": "system", "content": f"Answer from this context only:\n{context}"},
                {"role": "user", "content": QUESTION},
            ],
        )
        print(f"\nanswer: {answer.choices[0].message.content}")

    for kind in ("embeddings", "rerank", "chat"):
        records = [r for r in usage.records if r.kind == kind]
        cost = sum(r.cost or 0 for r in records)
        print(f"{kind:<11} {len(records)} request(s)  ${cost:.8f}")
    print(f"total cost: ${usage.total_cost:.8f}")


if __name__ == "__main__":
    main()
