"""P5: a burst of 1,000 concurrent async requests per adapter, on the loopback sandbox (its own
process): 0 errors, and throughput >= 0.9x the raw ``AsyncOpenAI`` client sending the same body.

Each case fires all requests at once (``asyncio.gather``) and is timed from the first send to the
last answer; throughput = requests / wall time. The cases run in one event loop, interleaved
(the order rotates every round), after a smaller warm-up burst that opens the pools. Every burst is
bounded in count and in time (``--timeout``); a request that fails or a burst that times out
counts as errors. Rows:

* ``ChatInfron.ainvoke``, ``litellm.acompletion("infron/...")`` and ``InfronModel.get_response``
  (one agent turn) against the raw SDK: the target;
* each against its framework's own OpenAI route with the same body (``ChatOpenAI``, LiteLLM's
  ``openai/``, ``OpenAIChatCompletionsModel``): information, what is ours.

    python bench/bench_concurrency.py                 # 1,000 concurrent x 3 rounds
    python bench/bench_concurrency.py --smoke         # 20 concurrent x 1 round
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import httpx
import litellm
from _harness import SANDBOX_KEY, Row, ainterleave, print_rows, ratio_stats, sandbox_process
from agents import ModelSettings, ModelTracing, OpenAIChatCompletionsModel
from langchain_openai import ChatOpenAI
from openai import AsyncOpenAI

from infron_integrations.langchain import ChatInfron
from infron_integrations.litellm import register
from infron_integrations.openai_agents import InfronProvider

MODEL = "openai/gpt-4o-mini"
PROMPT = "What is the capital of France? Answer in one sentence."
MESSAGES = [{"role": "user", "content": PROMPT}]
#: what every adapter sends by default, so the raw client sends it too
USAGE = {"usage": {"include": True}}
TARGET = 0.9
TIMEOUT = 60.0


class Burst:
    """Fires ``count`` calls at once; records errors; returns requests per second."""

    def __init__(self, call: Callable[[], Awaitable[Any]], count: int, timeout: float) -> None:
        self.call = call
        self.count = count
        self.timeout = timeout
        self.errors = 0
        self.first_error: str | None = None

    async def run(self, count: int | None = None) -> float:
        n = self.count if count is None else count
        start = time.perf_counter()
        tasks = [asyncio.ensure_future(self.call()) for _ in range(n)]
        try:
            results = await asyncio.wait_for(
                asyncio.gather(*tasks, return_exceptions=True), self.timeout
            )
        except asyncio.TimeoutError:
            self.errors += n
            self.first_error = self.first_error or f"burst timed out after {self.timeout} s"
            return 0.0
        elapsed = time.perf_counter() - start
        for result in results:
            if isinstance(result, BaseException):
                self.errors += 1
                self.first_error = self.first_error or repr(result)[:300]
        return n / elapsed


def _cases(base_url: str) -> dict[str, Callable[[], Awaitable[Any]]]:
    # Every client gets the adapters' default timeout (60 s, connect included): the SDK's own
    # default connect timeout (5 s) can expire while 1,000 connections queue on a 2-CPU machine.
    raw = AsyncOpenAI(
        api_key=SANDBOX_KEY, base_url=base_url, max_retries=0, timeout=httpx.Timeout(TIMEOUT)
    )
    infron_chat = ChatInfron(model=MODEL, api_key=SANDBOX_KEY, base_url=base_url, max_retries=0)
    openai_chat = ChatOpenAI(
        model=MODEL,
        api_key=SANDBOX_KEY,
        base_url=base_url,
        max_retries=0,
        timeout=TIMEOUT,
        extra_body=USAGE,
    )
    infron_model = InfronProvider(api_key=SANDBOX_KEY, base_url=base_url, max_retries=0).get_model(
        MODEL
    )
    plain_model = OpenAIChatCompletionsModel(MODEL, raw)
    plain_settings = ModelSettings(extra_body=USAGE)

    def turn(model: Any, settings: ModelSettings) -> Awaitable[Any]:
        return model.get_response(  # type: ignore[no-any-return]
            None,
            PROMPT,
            settings,
            [],
            None,
            [],
            ModelTracing.DISABLED,
            previous_response_id=None,
            conversation_id=None,
            prompt=None,
        )

    return {
        "raw AsyncOpenAI": lambda: raw.chat.completions.create(
            model=MODEL, messages=MESSAGES, extra_body=USAGE
        ),
        "ChatInfron.ainvoke": lambda: infron_chat.ainvoke(PROMPT),
        "ChatOpenAI.ainvoke": lambda: openai_chat.ainvoke(PROMPT),
        "litellm infron/": lambda: litellm.acompletion(
            model=f"infron/{MODEL}", messages=MESSAGES, api_key=SANDBOX_KEY, api_base=base_url
        ),
        "litellm openai/": lambda: litellm.acompletion(
            model=f"openai/{MODEL}",
            messages=MESSAGES,
            api_key=SANDBOX_KEY,
            api_base=base_url,
            timeout=TIMEOUT,
            extra_body=USAGE,
        ),
        "InfronModel turn": lambda: turn(infron_model, ModelSettings()),
        "OpenAIChatCompletionsModel turn": lambda: turn(plain_model, plain_settings),
    }


#: (adapter, its framework's own route)
PAIRS = [
    ("ChatInfron.ainvoke", "ChatOpenAI.ainvoke"),
    ("litellm infron/", "litellm openai/"),
    ("InfronModel turn", "OpenAIChatCompletionsModel turn"),
]


async def measure(
    base_url: str, count: int, rounds: int, warmup_count: int, timeout: float
) -> list[Row]:
    calls = _cases(base_url)
    bursts = {name: Burst(call, count, timeout) for name, call in calls.items()}
    for name, burst in bursts.items():  # warm-up (opens the pools), not measured, not counted
        await burst.run(warmup_count)
        if burst.errors:
            raise SystemExit(f"{name}: warm-up failed: {burst.first_error}")
    rates = await ainterleave(
        [(name, burst.run) for name, burst in bursts.items()], rounds=rounds, warmup=0
    )
    title = f"P5: {count} concurrent async requests per burst, {rounds} rounds, loopback sandbox"
    raw = rates["raw AsyncOpenAI"]
    rows = [
        Row(
            label="raw AsyncOpenAI (the anchor), requests/s",
            value=statistics.median(raw),
            lo=min(raw),
            hi=max(raw),
            unit="req/s",
            errors=bursts["raw AsyncOpenAI"].errors,
            table=title,
        )
    ]
    for ours, theirs in PAIRS:
        value, lo, hi = ratio_stats(rates[ours], raw)
        rows.append(
            Row(
                label=f"{ours} vs raw AsyncOpenAI (throughput)",
                value=value,
                lo=lo,
                hi=hi,
                target=TARGET,
                sense=">=",
                a=statistics.median(rates[ours]),
                b=statistics.median(raw),
                a_name=ours,
                b_name="raw AsyncOpenAI",
                a_unit="req/s",
                errors=bursts[ours].errors,
                table=title,
            )
        )
        value, lo, hi = ratio_stats(rates[ours], rates[theirs])
        failed = bursts[theirs].errors
        rows.append(
            Row(
                label=f"{ours} vs {theirs} (info"
                + (f"; {failed} errors in {theirs})" if failed else ")"),
                value=value,
                lo=lo,
                hi=hi,
                sense=">=",
                a=statistics.median(rates[ours]),
                b=statistics.median(rates[theirs]),
                a_name=ours,
                b_name=theirs,
                a_unit="req/s",
                table=title,
            )
        )
    for name, burst in bursts.items():
        if burst.errors:
            print(f"{name}: {burst.errors} errors, first: {burst.first_error}", file=sys.stderr)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="20 concurrent, 1 round")
    parser.add_argument("--count", type=int, default=1000, help="concurrent requests per burst")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per burst at most")
    args = parser.parse_args(argv)
    count, rounds = (20, 1) if args.smoke else (max(1, args.count), max(1, args.rounds))
    litellm.suppress_debug_info = True
    register()
    with sandbox_process() as base_url:
        rows = asyncio.run(measure(base_url, count, rounds, min(count, 100), args.timeout))
    print_rows(rows[0].table, rows, value_name="value")
    return 1 if any(row.errors for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
