"""P6: model/client init, per instance after the first, per adapter (target <= 1 ms).

Each adapter object is built once (not measured: imports, the pooled client, caches), then built
again in batches; the value is the median time per instance over the batches, and the min-max is
the spread of the batch medians. Where the framework has its own OpenAI class, it is built in
interleaved batches beside ours (column B), for comparison. Everything runs inside a running event
loop, as agents and async chains do: the Agents SDK asks its provider for a model there.

    python bench/bench_init.py            # 200 instances x 15 batches per case
    python bench/bench_init.py --smoke    # a few instances, to keep the script working
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections.abc import Callable

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from _harness import SANDBOX_KEY, Row, print_rows

MODEL = "openai/gpt-4o-mini"
BASE_URL = "http://127.0.0.1:9/v1"  # never contacted: building an object sends nothing
TARGET_MS = 1.0


def _cases() -> list[tuple[str, Callable[[], object], Callable[[], object] | None, str]]:
    from agents import OpenAIProvider
    from langchain_openai import ChatOpenAI, OpenAIEmbeddings
    from litellm.llms.custom_llm import CustomLLM

    from infron_integrations.langchain import ChatInfron, InfronEmbeddings, InfronRerank
    from infron_integrations.litellm import InfronLLM
    from infron_integrations.openai_agents import InfronProvider

    key, url = SANDBOX_KEY, BASE_URL
    names = iter(range(10**9))
    infron_provider = InfronProvider(api_key=key, base_url=url)
    openai_provider = OpenAIProvider(api_key=key, base_url=url)
    return [
        (
            "ChatInfron(model, api_key, base_url)",
            lambda: ChatInfron(model=MODEL, api_key=key, base_url=url),
            lambda: ChatOpenAI(model=MODEL, api_key=key, base_url=url),
            "ChatOpenAI",
        ),
        (
            "ChatInfron with provider, reasoning, prompt_cache",
            lambda: ChatInfron(
                model=MODEL,
                api_key=key,
                base_url=url,
                provider={"order": ["openai"], "allow_fallbacks": False},
                reasoning={"effort": "low"},
                prompt_cache=True,
            ),
            lambda: ChatOpenAI(
                model=MODEL,
                api_key=key,
                base_url=url,
                extra_body={"provider": {"order": ["openai"]}, "reasoning": {"effort": "low"}},
            ),
            "ChatOpenAI, same body in extra_body",
        ),
        (
            "InfronEmbeddings(model, api_key, base_url)",
            lambda: InfronEmbeddings(model="qwen/qwen3-embedding-0.6b", api_key=key, base_url=url),
            lambda: OpenAIEmbeddings(model="qwen/qwen3-embedding-0.6b", api_key=key, base_url=url),
            "OpenAIEmbeddings",
        ),
        (
            "InfronRerank(model, api_key, base_url)",
            lambda: InfronRerank(model="qwen/qwen3-reranker-0.6b", api_key=key, base_url=url),
            None,
            "",
        ),
        (
            "InfronProvider(...) + get_model(name)",
            lambda: InfronProvider(api_key=key, base_url=url).get_model(MODEL),
            lambda: OpenAIProvider(api_key=key, base_url=url).get_model(MODEL),
            "OpenAIProvider(...) + get_model",
        ),
        (
            "get_model(a new name) on one InfronProvider",
            lambda: infron_provider.get_model(f"vendor/model-{next(names)}"),
            lambda: openai_provider.get_model(f"vendor/model-{next(names)}"),
            "OpenAIProvider.get_model",
        ),
        ("InfronLLM()", InfronLLM, CustomLLM, "litellm CustomLLM()"),
    ]


def _batch(fn: Callable[[], object], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def _calls(fn: Callable[[], object], calls: int, budget: float = 0.25) -> int:
    """Instances per batch: ``calls``, fewer for a slow class (a batch takes ~``budget`` s)."""
    fn()  # the first instance: imports, pooled client, caches (not measured)
    one = _batch(fn, 1)
    return max(2, min(calls, int(budget / max(one, 1e-9))))


def measure(calls: int, rounds: int) -> list[Row]:
    title = f"P6: init per instance after the first (up to {calls} instances x {rounds} batches)"
    rows = []
    for label, ours, theirs, theirs_name in _cases():
        n_ours = _calls(ours, calls)
        n_theirs = _calls(theirs, calls) if theirs is not None else 0
        a: list[float] = []
        b: list[float] = []
        for i in range(rounds):
            if theirs is None:
                a.append(_batch(ours, n_ours))
            elif i % 2 == 0:
                a.append(_batch(ours, n_ours))
                b.append(_batch(theirs, n_theirs))
            else:
                b.append(_batch(theirs, n_theirs))
                a.append(_batch(ours, n_ours))
        ms = [x * 1e3 for x in a]
        rows.append(
            Row(
                label=label,
                value=statistics.median(ms),
                lo=min(ms),
                hi=max(ms),
                unit="ms",
                target=TARGET_MS,
                a=statistics.median(ms),
                b=statistics.median(b) * 1e3 if b else None,
                a_name="ours",
                b_name=theirs_name or "(no framework equivalent)",
                table=title,
            )
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="a few instances only")
    parser.add_argument("--calls", type=int, default=200, help="instances per batch")
    parser.add_argument("--rounds", type=int, default=15, help="batches per case")
    args = parser.parse_args(argv)
    calls, rounds = (5, 2) if args.smoke else (max(1, args.calls), max(1, args.rounds))
    os.environ.pop("INFRON_API_KEY", None)  # the explicit key is what is measured

    async def inside_loop() -> list[Row]:
        return measure(calls, rounds)

    rows = asyncio.run(inside_loop())
    print_rows(rows[0].table, rows, value_name="ms/inst")
    return 0


if __name__ == "__main__":
    sys.exit(main())
