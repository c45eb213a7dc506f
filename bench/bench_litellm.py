"""LiteLLM: ``infron/<model>`` (this package's custom provider) against LiteLLM's own ``openai/``
route, per call, on the same loopback sandbox (its own process); ratios of interleaved batches.

Both routes send the same request and get the same response: the ``openai/`` route is given what
``infron/`` sends by default (``usage: {"include": true}`` in ``extra_body``), so the ratio
measures the two LiteLLM providers, not the gateway's extra work. Both go through the whole of
``litellm.completion`` (parameter mapping, logging object, cost calculation); ``infron/`` sets the
gateway's cost as ``response_cost`` where the ``openai/`` route prices from LiteLLM's table.
Target: every SDK row <= 0.65.

The two proxy rows (when the litellm proxy CLI is installed) run one ``litellm --config`` process
serving the same model through both routes and compare its time per request with 16 requests in
flight (plain and streamed): <= 1.0 means the proxy's throughput with ``infron/`` is at least its
throughput with ``openai/`` (``bench/_proxy.py``).

    python bench/bench_litellm.py                      # the full run
    python bench/bench_litellm.py --only proxy         # some rows (prefixes of their labels)
    python bench/bench_litellm.py --smoke              # a few iterations, to keep it working
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import _proxy
import litellm
from _harness import (
    SANDBOX_KEY,
    Comparison,
    acompare,
    compare,
    print_table,
    sandbox_process,
)

from infron_integrations.litellm import register

MODEL = "openai/gpt-4o-mini"
EMBEDDING_MODEL = "qwen/qwen3-embedding-0.6b"
PROMPT = (
    "Explain in a few sentences how a suspension bridge carries its load from the deck through "
    "the hangers and main cables down into the towers and the anchorages at each end."
)
MESSAGES = [{"role": "user", "content": PROMPT}]
#: every row, with margin: the machines are shared and a ratio moves by several hundredths
TARGET = 0.65


def _routes(base_url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    infron = {"model": f"infron/{MODEL}", "api_key": SANDBOX_KEY, "api_base": base_url}
    openai_route = {
        "model": f"openai/{MODEL}",
        "api_key": SANDBOX_KEY,
        "api_base": base_url,
        "extra_body": {"usage": {"include": True}},
    }
    return infron, openai_route


def _stream(kwargs: dict[str, Any]) -> None:
    for _ in litellm.completion(messages=MESSAGES, stream=True, **kwargs):
        pass


async def _astream(kwargs: dict[str, Any]) -> None:
    stream = await litellm.acompletion(messages=MESSAGES, stream=True, **kwargs)
    async for _ in stream:
        pass


def _check_same_answer(infron: dict[str, Any], openai_route: dict[str, Any]) -> int:
    a = litellm.completion(messages=MESSAGES, **infron)
    b = litellm.completion(messages=MESSAGES, **openai_route)
    assert a.choices[0].message.content == b.choices[0].message.content, "different answers"
    assert a._hidden_params["response_cost"] == a.usage.cost, "infron/ lost the gateway cost"
    chunks = list(litellm.completion(messages=MESSAGES, stream=True, **infron))
    other = list(litellm.completion(messages=MESSAGES, stream=True, **openai_route))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "".join(c.choices[0].delta.content or "" for c in other if c.choices)
    return len(chunks)


PROXY_ROWS = ("proxy throughput", "proxy stream throughput")
#: the proxy rows compare time per request at a fixed concurrency: <= 1.0 means the proxy serves
#: infron/ at least as fast as its own openai/ route
PROXY_TARGET = 1.0


def _proxy_rows(base_url: str, labels: list[str], *, smoke: bool) -> list[Comparison]:
    """The proxy's own throughput: one ``litellm --config`` process serving the same model as
    ``infron/`` and as ``openai/`` on the same sandbox; batches of requests with a fixed number in
    flight, alternating between the two routes."""
    requests, in_flight, rounds = (8, 4, 2) if smoke else (64, 16, 9)
    rows = []
    with _proxy.proxy_process(base_url, MODEL) as url:
        load = _proxy.Load(url, PROMPT, requests=requests, in_flight=in_flight)
        for label in labels:
            stream = "stream" in label
            rows.append(
                acompare(
                    f"{label} ({in_flight} in flight, per request)",
                    lambda stream=stream: load.batch("via-infron", stream),
                    lambda stream=stream: load.batch("via-openai", stream),
                    calls=1,
                    rounds=rounds,
                    target=PROXY_TARGET,
                )
            )
    for row in rows:  # acompare timed whole batches
        row.a_per_call /= requests
        row.b_per_call /= requests
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="a few iterations only")
    parser.add_argument(
        "--only", default="", help="comma-separated row prefixes to run, e.g. 'stream,acompletion'"
    )
    args = parser.parse_args()
    calls, rounds = (3, 2) if args.smoke else (30, 15)
    wanted = [w.strip() for w in args.only.split(",") if w.strip()]

    def chosen(label: str) -> bool:
        return not wanted or any(label.startswith(w) for w in wanted)

    litellm.suppress_debug_info = True
    register()

    with sandbox_process() as base_url:
        infron, openai_route = _routes(base_url)
        chunks = _check_same_answer(infron, openai_route)
        embed_infron = {**infron, "model": f"infron/{EMBEDDING_MODEL}"}
        embed_openai = {**openai_route, "model": f"openai/{EMBEDDING_MODEL}"}
        embed_openai.pop("extra_body")
        plan: list[tuple[str, Callable[[], Comparison]]] = [
            (
                "completion (sync)",
                lambda: compare(
                    "completion (sync)",
                    lambda: litellm.completion(messages=MESSAGES, **infron),
                    lambda: litellm.completion(messages=MESSAGES, **openai_route),
                    calls=calls,
                    rounds=rounds,
                    target=TARGET,
                ),
            ),
            (
                "stream (sync)",
                lambda: compare(
                    f"stream (sync, {chunks} chunks)",
                    lambda: _stream(infron),
                    lambda: _stream(openai_route),
                    calls=calls,
                    rounds=rounds,
                    target=TARGET,
                ),
            ),
            (
                "acompletion",
                lambda: acompare(
                    "acompletion",
                    lambda: litellm.acompletion(messages=MESSAGES, **infron),
                    lambda: litellm.acompletion(messages=MESSAGES, **openai_route),
                    calls=calls,
                    rounds=rounds,
                    target=TARGET,
                ),
            ),
            (
                "astream",
                lambda: acompare(
                    "astream",
                    lambda: _astream(infron),
                    lambda: _astream(openai_route),
                    calls=calls,
                    rounds=rounds,
                    target=TARGET,
                ),
            ),
            (
                "embedding (sync)",
                lambda: compare(
                    "embedding (sync)",
                    lambda: litellm.embedding(input=["hello world"], **embed_infron),
                    lambda: litellm.embedding(input=["hello world"], **embed_openai),
                    calls=calls,
                    rounds=rounds,
                    target=TARGET,
                ),
            ),
        ]
        rows = [run() for label, run in plan if chosen(label)]
        proxy_rows = [label for label in PROXY_ROWS if chosen(label)]
        if proxy_rows and _proxy.available():
            rows += _proxy_rows(base_url, proxy_rows, smoke=args.smoke)
        elif proxy_rows:
            print("(proxy rows not run: the litellm proxy is not installed, litellm[proxy])")

    print_table(
        "LiteLLM infron/ vs openai/ on the same loopback sandbox (per call; ratio < 1 is faster)",
        rows,
        a_name="infron/",
        b_name="openai/",
    )
    misses = [r for r in rows if r.verdict == "MISSES"]
    return 1 if misses and not args.smoke else 0


if __name__ == "__main__":
    sys.exit(main())
