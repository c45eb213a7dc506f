"""InfronModel vs the Agents SDK's plain OpenAIChatCompletionsModel, per agent turn.

Tables 1 and 2: both run the same agents against the same loopback sandbox (its own process, off
this interpreter's GIL) and send the same request body: provider routing and usage accounting, the
plain model through ``extra_body``. The ratio is what the adapter adds per turn: option merging,
request edits, stream checks, cost bookkeeping, and, for ``Runner.run_sync``, whatever the
adapter's clients do between runs on the thread's loop (the plain model keeps one ``AsyncOpenAI``,
as a user's script does). Modes: ``Runner.run_sync``, ``Runner.run``, ``Runner.run_streamed``,
each for one answer and for a tool call + answer (two turns). Each batch is timed twice: wall
time (table 1) and this process's CPU time (table 2, which other processes on a busy machine
disturb far less; the server's time is not in it). Target: <= 1.02.

Table 3: the same turns answered in-process with canned gateway bodies (an httpx MockTransport,
identical for both), timed in CPU seconds of this process: the adapter's own cost with no network
and no server, the strictest view (shared machines make wall time noisy).

    python bench/bench_agents.py            # a few minutes at most
    python bench/bench_agents.py --smoke    # a few seconds, to keep the script working
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import httpx
from _harness import SANDBOX_KEY, Comparison, print_table, sandbox_process
from agents import (
    Agent,
    ModelSettings,
    OpenAIChatCompletionsModel,
    RunConfig,
    Runner,
    function_tool,
    set_tracing_disabled,
)
from openai import AsyncOpenAI

from infron_integrations.openai_agents import InfronProvider, infron_settings

MODEL = "openai/gpt-4o"
ROUTING = {"order": ["openai"]}
TARGET = 1.02


@function_tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


class _PlainModel:
    """The SDK's own model with its own ``AsyncOpenAI``, one per event loop (as users do it)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._by_loop: dict[int, OpenAIChatCompletionsModel] = {}

    def get(self) -> OpenAIChatCompletionsModel:
        loop = id(asyncio.get_running_loop())
        model = self._by_loop.get(loop)
        if model is None:
            client = AsyncOpenAI(api_key=SANDBOX_KEY, base_url=self.base_url, max_retries=0)
            model = OpenAIChatCompletionsModel(MODEL, client)
            self._by_loop[loop] = model
        return model


async def _run(agent: Agent[Any], config: RunConfig, text: str, mode: str) -> None:
    """One run, ``mode`` ``"async"`` (``Runner.run``) or ``"streamed"`` (events consumed)."""
    if mode == "async":
        await Runner.run(agent, text, run_config=config)
        return
    result = Runner.run_streamed(agent, text, run_config=config)
    async for _ in result.stream_events():
        pass


async def _run_plain(plain: _PlainModel, agent: Agent[Any], text: str, mode: str) -> None:
    await _run(agent, RunConfig(model=plain.get()), text, mode)


def _run_sync(agent: Agent[Any], config: RunConfig, text: str) -> None:
    Runner.run_sync(agent, text, run_config=config)


#: (label, turns, tools, how the run is driven)
_MODES = (
    ("run_sync: answer (1 turn)", 1, False, "sync"),
    ("run_sync: tool call + answer (2 turns)", 2, True, "sync"),
    ("run: answer (1 turn)", 1, False, "async"),
    ("run: tool call + answer (2 turns)", 2, True, "async"),
    ("run_streamed: answer (1 turn)", 1, False, "streamed"),
    ("run_streamed: tool call + answer (2 turns)", 2, True, "streamed"),
)


#: seconds per call of one batch: (wall, CPU of this process)
_Times = tuple[float, float]


def _timed(fn: Callable[[], object], calls: int) -> _Times:
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - wall) / calls, (time.process_time() - cpu) / calls


async def _atimed(fn: Callable[[], Awaitable[object]], calls: int) -> _Times:
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(calls):
        await fn()
    return (time.perf_counter() - wall) / calls, (time.process_time() - cpu) / calls


def _rows(label: str, turns: int, a: list[_Times], b: list[_Times]) -> tuple[Comparison, ...]:
    """A wall-time row and a CPU-time row, per agent turn, from interleaved A/B batches."""
    rows = []
    for clock in (0, 1):
        a_times = [t[clock] / turns for t in a]
        b_times = [t[clock] / turns for t in b]
        ratios = [x / y for x, y in zip(a_times, b_times, strict=True)]
        rows.append(
            Comparison(
                label,
                statistics.median(a_times),
                statistics.median(b_times),
                statistics.median(ratios),
                min(ratios),
                max(ratios),
                TARGET,
            )
        )
    return rows[0], rows[1]


def _interleave(a: Callable[[], _Times], b: Callable[[], _Times], rounds: int) -> tuple[Any, Any]:
    a(), b()  # warm-up
    a_times: list[_Times] = []
    b_times: list[_Times] = []
    for i in range(rounds):
        # alternate which goes first so neither always runs on a warmer cache
        for fn, out in [(a, a_times), (b, b_times)][:: 1 if i % 2 == 0 else -1]:
            out.append(fn())
    return a_times, b_times


async def _ainterleave(
    a: Callable[[], Awaitable[_Times]], b: Callable[[], Awaitable[_Times]], rounds: int
) -> tuple[Any, Any]:
    await a()
    await b()
    a_times: list[_Times] = []
    b_times: list[_Times] = []
    for i in range(rounds):
        for fn, out in [(a, a_times), (b, b_times)][:: 1 if i % 2 == 0 else -1]:
            out.append(await fn())
    return a_times, b_times


def comparisons(
    base_url: str, calls: int, rounds: int
) -> tuple[list[Comparison], list[Comparison]]:
    """(wall-time rows, CPU-time rows) for every mode, from the same batches."""
    provider = InfronProvider(api_key=SANDBOX_KEY, base_url=base_url, max_retries=0)
    plain = _PlainModel(base_url)
    # run_sync runs on the thread's loop every time: one model, one AsyncOpenAI, as a script has
    plain_sync = OpenAIChatCompletionsModel(
        MODEL, AsyncOpenAI(api_key=SANDBOX_KEY, base_url=base_url, max_retries=0)
    )
    plain_settings = ModelSettings(
        extra_body={"provider": ROUTING, "usage": {"include": True}}, include_usage=True
    )
    infron_config = RunConfig(model_provider=provider)
    wall_rows, cpu_rows = [], []
    for label, turns, with_tool, mode in _MODES:
        tools = [get_weather] if with_tool else []
        text = "get_weather in Oslo" if with_tool else "hello"
        ours = Agent(
            name="a",
            model=MODEL,
            tools=list(tools),
            model_settings=infron_settings(provider=ROUTING),
        )
        theirs = Agent(name="a", model=MODEL, tools=list(tools), model_settings=plain_settings)
        if mode == "sync":
            a, b = _interleave(
                partial(_timed, partial(_run_sync, ours, infron_config, text), calls),
                partial(
                    _timed, partial(_run_sync, theirs, RunConfig(model=plain_sync), text), calls
                ),
                rounds,
            )
        else:
            a, b = asyncio.run(
                _ainterleave(
                    partial(_atimed, partial(_run, ours, infron_config, text, mode), calls),
                    partial(_atimed, partial(_run_plain, plain, theirs, text, mode), calls),
                    rounds,
                )
            )
        # per agent turn, as the issue asks; the ratio is the same either way
        wall, cpu = _rows(label, turns, a, b)
        wall_rows.append(wall)
        cpu_rows.append(cpu)
    return wall_rows, cpu_rows


_USAGE = {
    "prompt_tokens": 12,
    "completion_tokens": 8,
    "total_tokens": 20,
    "prompt_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
    "completion_tokens_details": {"reasoning_tokens": 0},
}
_COST = {"cost": 0.0001, "cost_details": {"prompt_cost": 0.00004, "completion_cost": 0.00006}}
_ENVELOPE = {"id": "gen-1", "created": 1, "model": MODEL, "provider": "openai", "request_id": "r1"}


def _canned(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    if not body.get("stream"):
        message = {"role": "assistant", "content": "Hello! How can I help you today?"}
        data = {
            **_ENVELOPE,
            "object": "chat.completion",
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": _USAGE,
            **_COST,
        }
        return httpx.Response(200, json=data)
    words = ["Hello!", "How", "can", "I", "help", "you", "today", "with", "anything", "at", "all?"]
    frames = []
    for i, word in enumerate(words):
        delta = {"role": "assistant", "content": word + " "} if i == 0 else {"content": word + " "}
        frames.append(
            {
                **_ENVELOPE,
                "object": "chat.completion.chunk",
                "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
            }
        )
    frames.append(
        {
            **_ENVELOPE,
            "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        }
    )
    frames.append(
        {**_ENVELOPE, "object": "chat.completion.chunk", "choices": [], "usage": _USAGE, **_COST}
    )
    text = "".join(f"data: {json.dumps(f)}\n\n" for f in frames) + "data: [DONE]\n\n"
    return httpx.Response(200, content=text.encode(), headers={"content-type": "text/event-stream"})


def _canned_client() -> AsyncOpenAI:
    return AsyncOpenAI(
        api_key=SANDBOX_KEY,
        base_url="http://canned.invalid/v1",
        max_retries=0,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(_canned)),
    )


def cpu_comparisons(calls: int, rounds: int) -> list[Comparison]:
    """CPU seconds per turn with canned in-process answers (same transport for both)."""

    async def measure(streamed: bool) -> Comparison:
        provider = InfronProvider(openai_client=_canned_client(), max_retries=0)
        plain = OpenAIChatCompletionsModel(MODEL, _canned_client())
        ours = Agent(name="a", model=MODEL, model_settings=infron_settings(provider=ROUTING))
        theirs = Agent(
            name="a",
            model=MODEL,
            model_settings=ModelSettings(
                extra_body={"provider": ROUTING, "usage": {"include": True}}, include_usage=True
            ),
        )
        ours_cfg, theirs_cfg = RunConfig(model_provider=provider), RunConfig(model=plain)

        async def batch(agent: Agent[Any], config: RunConfig) -> float:
            start = time.process_time()
            for _ in range(calls):
                await _run(agent, config, "hello", "streamed" if streamed else "async")
            return (time.process_time() - start) / calls

        await batch(ours, ours_cfg)
        await batch(theirs, theirs_cfg)
        a_times, b_times = [], []
        for i in range(rounds):
            pair = [(ours, ours_cfg, a_times), (theirs, theirs_cfg, b_times)]
            for agent, config, out in pair if i % 2 == 0 else pair[::-1]:
                out.append(await batch(agent, config))
        ratios = [a / b for a, b in zip(a_times, b_times, strict=True)]
        label = "CPU, canned answer" + (", streamed" if streamed else "")
        return Comparison(
            label,
            statistics.median(a_times),
            statistics.median(b_times),
            statistics.median(ratios),
            min(ratios),
            max(ratios),
            TARGET,
        )

    return [asyncio.run(measure(False)), asyncio.run(measure(True))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="InfronModel vs OpenAIChatCompletionsModel")
    parser.add_argument("--smoke", action="store_true", help="a few runs only")
    parser.add_argument("--calls", type=int, default=30, help="agent runs per batch")
    parser.add_argument("--rounds", type=int, default=17, help="A/B batch pairs")
    args = parser.parse_args(argv)
    calls, rounds = (3, 2) if args.smoke else (max(1, args.calls), max(1, args.rounds))
    set_tracing_disabled(True)
    with sandbox_process() as base_url:
        wall_rows, cpu_rows = comparisons(base_url, calls, rounds)
    for clock, rows in (("wall time", wall_rows), ("CPU time of this process", cpu_rows)):
        print_table(
            f"Agents SDK per agent turn, loopback sandbox, {clock} ({calls} runs x {rounds} rounds)",
            rows,
            a_name="InfronModel",
            b_name="plain",
        )
    cpu_calls, cpu_rounds = (5, 2) if args.smoke else (100, max(rounds, 15))
    print_table(
        f"Agents SDK per agent turn, canned in-process answers, CPU time "
        f"({cpu_calls} runs x {cpu_rounds} rounds)",
        cpu_comparisons(cpu_calls, cpu_rounds),
        a_name="InfronModel",
        b_name="plain",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
