"""ChatInfron against ChatOpenAI: per-call time of invoke and stream (sync and async) on the same
loopback sandbox server (its own process), as ratios of interleaved batches; and instance init.

Both models send the same request and get the same response: ChatOpenAI is given what ChatInfron
sends by default (``stream_usage=True`` and ``usage: {include: true}`` in ``extra_body``), so the
ratio measures the adapters, not the gateway's extra work. The ``defaults`` rows compare each
class as constructed with no extra settings (ChatInfron then still asks for usage and cost).

    python bench/bench_langchain_chat.py            # the full run
    python bench/bench_langchain_chat.py --smoke    # a few iterations, to keep the script working
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from _harness import SANDBOX_KEY, Comparison, acompare, compare, print_table, sandbox_process
from langchain_openai import ChatOpenAI

from infron_integrations.langchain import ChatInfron

MODEL = "openai/gpt-4o-mini"
PROMPT = (
    "Explain in a few sentences how a suspension bridge carries its load from the deck through "
    "the hangers and main cables down into the towers and the anchorages at each end."
)
TARGET = 1.00


def _models(base_url: str) -> tuple[ChatInfron, ChatOpenAI, ChatInfron, ChatOpenAI]:
    infron = ChatInfron(model=MODEL, api_key=SANDBOX_KEY, base_url=base_url, max_retries=0)
    openai_same = ChatOpenAI(
        model=MODEL,
        api_key=SANDBOX_KEY,
        base_url=base_url,
        max_retries=0,
        stream_usage=True,
        extra_body={"usage": {"include": True}},
    )
    infron_default = ChatInfron(model=MODEL, api_key=SANDBOX_KEY, base_url=base_url)
    openai_default = ChatOpenAI(model=MODEL, api_key=SANDBOX_KEY, base_url=base_url)
    return infron, openai_same, infron_default, openai_default


def _consume(model: Any) -> None:
    for _ in model.stream(PROMPT):
        pass


async def _aconsume(model: Any) -> None:
    async for _ in model.astream(PROMPT):
        pass


def _check_same_answer(infron: ChatInfron, openai: ChatOpenAI) -> int:
    a = infron.invoke(PROMPT)
    b = openai.invoke(PROMPT)
    assert a.content == b.content, "the two models got different answers"
    chunks = sum(1 for _ in infron.stream(PROMPT))
    assert a.response_metadata.get("cost") is not None, "ChatInfron lost the cost"
    return chunks


def _init_rows(base_url: str, calls: int, rounds: int) -> list[Comparison]:
    def make_infron() -> object:
        return ChatInfron(model=MODEL, api_key=SANDBOX_KEY, base_url=base_url)

    def make_openai() -> object:
        return ChatOpenAI(model=MODEL, api_key=SANDBOX_KEY, base_url=base_url)

    return [
        compare(
            "init: ChatInfron() vs ChatOpenAI()",
            make_infron,
            make_openai,
            calls=calls,
            rounds=rounds,
            target=TARGET,
        )
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="a few iterations only")
    args = parser.parse_args()
    calls, rounds = (3, 2) if args.smoke else (40, 15)

    with sandbox_process() as base_url:
        infron, openai_same, infron_default, openai_default = _models(base_url)
        chunks = _check_same_answer(infron, openai_same)
        # Each async row runs in its own event loop (asyncio.run). ChatOpenAI shares one async
        # httpx pool per (base_url, timeout), bound to the loop that first used it, so the second
        # async row gets a ChatOpenAI with another timeout (a fresh pool). ChatInfron's pools are
        # per loop by design.
        openai_loop2 = ChatOpenAI(
            model=MODEL,
            api_key=SANDBOX_KEY,
            base_url=base_url,
            max_retries=0,
            timeout=61,
            stream_usage=True,
            extra_body={"usage": {"include": True}},
        )
        rows = [
            compare(
                "invoke (sync), same request",
                lambda: infron.invoke(PROMPT),
                lambda: openai_same.invoke(PROMPT),
                calls=calls,
                rounds=rounds,
                target=TARGET,
            ),
            compare(
                f"stream (sync, {chunks} chunks), same request",
                lambda: _consume(infron),
                lambda: _consume(openai_same),
                calls=calls,
                rounds=rounds,
                target=TARGET,
            ),
            acompare(
                "ainvoke, same request",
                lambda: infron.ainvoke(PROMPT),
                lambda: openai_same.ainvoke(PROMPT),
                calls=calls,
                rounds=rounds,
                target=TARGET,
            ),
            acompare(
                "astream, same request",
                lambda: _aconsume(infron),
                lambda: _aconsume(openai_loop2),
                calls=calls,
                rounds=rounds,
                target=TARGET,
            ),
            compare(
                "invoke (sync), defaults (info)",
                lambda: infron_default.invoke(PROMPT),
                lambda: openai_default.invoke(PROMPT),
                calls=calls,
                rounds=rounds,
            ),
            compare(
                "stream (sync), defaults (info)",
                lambda: _consume(infron_default),
                lambda: _consume(openai_default),
                calls=calls,
                rounds=rounds,
            ),
        ]
        rows += _init_rows(base_url, calls=calls * 5, rounds=rounds)

    start = time.perf_counter()
    for _ in range(200):
        ChatInfron(model=MODEL, api_key=SANDBOX_KEY, base_url=base_url)
    init_us = (time.perf_counter() - start) / 200 * 1e6

    print_table(
        "ChatInfron vs ChatOpenAI on the same loopback sandbox (per call; ratio < 1 is faster)",
        rows,
        a_name="ChatInfron",
        b_name="ChatOpenAI",
    )
    print(f"\nChatInfron instance init: {init_us:.1f} us (no client is built per instance)")
    misses = [r for r in rows if r.verdict == "MISSES"]
    return 1 if misses and not args.smoke else 0


if __name__ == "__main__":
    sys.exit(main())
