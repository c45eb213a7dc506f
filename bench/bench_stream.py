"""P7: parse rate of a long stream (about 5,000 chunks) per adapter, against the raw OpenAI SDK
(target >= 0.9x) and against each framework's own OpenAI route (information).

The stream comes from the loopback sandbox (its own process). The conversation is
[user, assistant with a tool call, tool message of N words]: the sandbox then answers
"Based on get_data: <the N words>." and streams one delta per word, so every route reads the same
N + a few chunks, usage and cost included. The rate is chunks per second of wall time, from the
request to the end of the stream, everything consumed; the cases of a group are interleaved (the
order rotates each round) after one warm-up round. A row "wire" reads the same stream's lines with
plain httpx and parses nothing: how fast the server can send, the ceiling of every rate.

    python bench/bench_stream.py              # 5,000 words, 5 rounds
    python bench/bench_stream.py --smoke      # 200 words, 1 round
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
import openai
from _harness import (
    SANDBOX_KEY,
    Row,
    ainterleave,
    interleave,
    print_rows,
    ratio_stats,
    sandbox_process,
)
from agents import ModelSettings, ModelTracing, OpenAIChatCompletionsModel
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_openai import ChatOpenAI

from infron_integrations.langchain import ChatInfron
from infron_integrations.litellm import register
from infron_integrations.openai_agents import InfronProvider

MODEL = "openai/gpt-4o-mini"
TARGET = 0.9
USAGE = {"usage": {"include": True}}
CALL = {"id": "call_1", "type": "function", "function": {"name": "get_data", "arguments": "{}"}}


def conversation(words: int) -> list[dict[str, Any]]:
    text = " ".join(f"w{i}" for i in range(words))
    return [
        {"role": "user", "content": "Call get_data and tell me what it says."},
        {"role": "assistant", "content": None, "tool_calls": [CALL]},
        {"role": "tool", "tool_call_id": "call_1", "content": text},
    ]


def langchain_messages(messages: list[dict[str, Any]]) -> list[Any]:
    return [
        HumanMessage(messages[0]["content"]),
        AIMessage("", tool_calls=[{"id": "call_1", "name": "get_data", "args": {}}]),
        ToolMessage(messages[2]["content"], tool_call_id="call_1"),
    ]


def agents_input(messages: list[dict[str, Any]]) -> list[Any]:
    return [
        {"role": "user", "content": messages[0]["content"]},
        {"type": "function_call", "call_id": "call_1", "name": "get_data", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "call_1", "output": messages[2]["content"]},
    ]


def _check(name: str, seen: int, chunks: int) -> None:
    # every route must have read the whole stream (frameworks yield a few items more or less,
    # the Agents SDK several events per chunk)
    if seen < chunks - 5:
        raise SystemExit(f"{name} read {seen} items of a {chunks}-chunk stream")


def _timed(name: str, fn: Callable[[], int], chunks: int) -> Callable[[], float]:
    """Time one whole stream; return the stream's chunks per second (the same count for all)."""

    def run() -> float:
        start = time.perf_counter()
        seen = fn()
        elapsed = time.perf_counter() - start
        _check(name, seen, chunks)
        return chunks / elapsed

    return run


def _atimed(
    name: str, fn: Callable[[], Awaitable[int]], chunks: int
) -> Callable[[], Awaitable[float]]:
    async def run() -> float:
        start = time.perf_counter()
        seen = await fn()
        elapsed = time.perf_counter() - start
        _check(name, seen, chunks)
        return chunks / elapsed

    return run


class Routes:
    """Every route reading the same long stream; each returns the number of chunks it read."""

    def __init__(self, base_url: str, words: int) -> None:
        self.base_url = base_url
        self.messages = conversation(words)
        self.lc_messages = langchain_messages(self.messages)
        self.raw = openai.OpenAI(api_key=SANDBOX_KEY, base_url=base_url, max_retries=0)
        self.http = httpx.Client(timeout=60)
        self.chat_infron = ChatInfron(
            model=MODEL, api_key=SANDBOX_KEY, base_url=base_url, max_retries=0
        )
        self.chat_openai = ChatOpenAI(
            model=MODEL,
            api_key=SANDBOX_KEY,
            base_url=base_url,
            max_retries=0,
            stream_usage=True,
            extra_body=USAGE,
        )
        self.infron_kwargs = {
            "model": f"infron/{MODEL}",
            "api_key": SANDBOX_KEY,
            "api_base": base_url,
        }
        self.openai_kwargs = {
            "model": f"openai/{MODEL}",
            "api_key": SANDBOX_KEY,
            "api_base": base_url,
            "extra_body": USAGE,
            "stream_options": {"include_usage": True},
        }

    # sync ------------------------------------------------------------------------------------

    def wire(self) -> int:
        body = {
            "model": MODEL,
            "messages": self.messages,
            "stream": True,
            "stream_options": {"include_usage": True},
            **USAGE,
        }
        headers = {"Authorization": f"Bearer {SANDBOX_KEY}"}
        with self.http.stream(
            "POST", f"{self.base_url}/chat/completions", json=body, headers=headers
        ) as response:
            return sum(1 for line in response.iter_lines() if line.startswith("data: {"))

    def raw_sdk(self) -> int:
        stream = self.raw.chat.completions.create(
            model=MODEL,
            messages=self.messages,  # type: ignore[arg-type]
            stream=True,
            stream_options={"include_usage": True},
            extra_body=USAGE,
        )
        return sum(1 for _ in stream)

    def lc_infron(self) -> int:
        return sum(1 for _ in self.chat_infron.stream(self.lc_messages))

    def lc_openai(self) -> int:
        return sum(1 for _ in self.chat_openai.stream(self.lc_messages))

    def litellm_infron(self) -> int:
        return sum(
            1 for _ in litellm.completion(messages=self.messages, stream=True, **self.infron_kwargs)
        )

    def litellm_openai(self) -> int:
        return sum(
            1 for _ in litellm.completion(messages=self.messages, stream=True, **self.openai_kwargs)
        )


class AsyncRoutes:
    """The async routes; built inside the running loop (clients bind to it)."""

    def __init__(self, routes: Routes) -> None:
        self.r = routes
        self.raw = openai.AsyncOpenAI(api_key=SANDBOX_KEY, base_url=routes.base_url, max_retries=0)
        provider = InfronProvider(api_key=SANDBOX_KEY, base_url=routes.base_url, max_retries=0)
        self.infron_model = provider.get_model(MODEL)
        self.plain_model = OpenAIChatCompletionsModel(MODEL, self.raw)
        self.plain_settings = ModelSettings(extra_body=USAGE, include_usage=True)
        self.items = agents_input(routes.messages)
        self.chat_openai = routes.chat_openai.model_copy()  # its async pool binds to this loop

    async def raw_sdk(self) -> int:
        stream = await self.raw.chat.completions.create(
            model=MODEL,
            messages=self.r.messages,  # type: ignore[arg-type]
            stream=True,
            stream_options={"include_usage": True},
            extra_body=USAGE,
        )
        n = 0
        async for _ in stream:
            n += 1
        return n

    async def lc_infron(self) -> int:
        n = 0
        async for _ in self.r.chat_infron.astream(self.r.lc_messages):
            n += 1
        return n

    async def lc_openai(self) -> int:
        n = 0
        async for _ in self.chat_openai.astream(self.r.lc_messages):
            n += 1
        return n

    async def litellm_infron(self) -> int:
        n = 0
        stream = await litellm.acompletion(
            messages=self.r.messages, stream=True, **self.r.infron_kwargs
        )
        async for _ in stream:
            n += 1
        return n

    async def litellm_openai(self) -> int:
        n = 0
        stream = await litellm.acompletion(
            messages=self.r.messages, stream=True, **self.r.openai_kwargs
        )
        async for _ in stream:
            n += 1
        return n

    async def _model(self, model: Any, settings: ModelSettings) -> int:
        n = 0
        async for _ in model.stream_response(
            None,
            self.items,
            settings,
            [],
            None,
            [],
            ModelTracing.DISABLED,
            previous_response_id=None,
            conversation_id=None,
            prompt=None,
        ):
            n += 1
        return n

    async def agents_infron(self) -> int:
        return await self._model(self.infron_model, ModelSettings())

    async def agents_plain(self) -> int:
        return await self._model(self.plain_model, self.plain_settings)


def _rows(
    group: str,
    rates: dict[str, list[float]],
    raw: str,
    ours: str,
    theirs: str,
    table: str,
) -> list[Row]:
    def row(a: str, b: str, target: float | None, label: str) -> Row:
        value, lo, hi = ratio_stats(rates[a], rates[b])
        return Row(
            label=label,
            value=value,
            lo=lo,
            hi=hi,
            target=target,
            sense=">=",
            a=statistics.median(rates[a]),
            b=statistics.median(rates[b]),
            a_name=a,
            b_name=b,
            a_unit="chunks/s",
            table=table,
        )

    return [
        row(ours, raw, TARGET, f"{group}: {ours} vs {raw}"),
        row(ours, theirs, None, f"{group}: {ours} vs {theirs} (info)"),
    ]


def measure(base_url: str, words: int, rounds: int) -> list[Row]:
    routes = Routes(base_url, words)
    chunks = routes.raw_sdk()
    title = f"P7: one {chunks}-chunk stream per call, chunks/s, {rounds} rounds, loopback sandbox"
    rows: list[Row] = []

    sync = interleave(
        [
            ("wire (httpx lines)", _timed("wire (httpx lines)", routes.wire, chunks)),
            ("raw OpenAI", _timed("raw OpenAI", routes.raw_sdk, chunks)),
            ("ChatInfron.stream", _timed("ChatInfron.stream", routes.lc_infron, chunks)),
            ("ChatOpenAI.stream", _timed("ChatOpenAI.stream", routes.lc_openai, chunks)),
        ],
        rounds=rounds,
    )
    wire = sync["wire (httpx lines)"]
    rows.append(
        Row(
            label="wire: httpx lines, no parsing (ceiling), chunks/s",
            value=statistics.median(wire),
            lo=min(wire),
            hi=max(wire),
            unit="chunks/s",
            table=title,
        )
    )
    rows += _rows("sync", sync, "raw OpenAI", "ChatInfron.stream", "ChatOpenAI.stream", title)
    lite = interleave(
        [
            ("raw OpenAI", _timed("raw OpenAI", routes.raw_sdk, chunks)),
            ("litellm infron/", _timed("litellm infron/", routes.litellm_infron, chunks)),
            ("litellm openai/", _timed("litellm openai/", routes.litellm_openai, chunks)),
        ],
        rounds=rounds,
    )
    rows += _rows("sync", lite, "raw OpenAI", "litellm infron/", "litellm openai/", title)

    async def run_async() -> list[Row]:
        a = AsyncRoutes(routes)
        found: list[Row] = []
        for ours, theirs, ours_fn, theirs_fn in (
            ("ChatInfron.astream", "ChatOpenAI.astream", a.lc_infron, a.lc_openai),
            (
                "litellm infron/ astream",
                "litellm openai/ astream",
                a.litellm_infron,
                a.litellm_openai,
            ),
            (
                "InfronModel.stream_response",
                "OpenAIChatCompletionsModel",
                a.agents_infron,
                a.agents_plain,
            ),
        ):
            rates = await ainterleave(
                [
                    ("raw AsyncOpenAI", _atimed("raw AsyncOpenAI", a.raw_sdk, chunks)),
                    (ours, _atimed(ours, ours_fn, chunks)),
                    (theirs, _atimed(theirs, theirs_fn, chunks)),
                ],
                rounds=rounds,
            )
            found += _rows("async", rates, "raw AsyncOpenAI", ours, theirs, title)
        return found

    rows += asyncio.run(run_async())
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="a short stream, 1 round")
    parser.add_argument("--words", type=int, default=5000, help="words in the tool result")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    words, rounds = (200, 1) if args.smoke else (max(10, args.words), max(1, args.rounds))
    litellm.suppress_debug_info = True
    register()
    with sandbox_process() as base_url:
        rows = measure(base_url, words, rounds)
    print_rows(rows[0].table, rows, value_name="value")
    return 0


if __name__ == "__main__":
    sys.exit(main())
