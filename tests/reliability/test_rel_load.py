"""R4: many concurrent streams through each adapter, bounded in time, losing nothing.

Each round fires ``STREAMS`` streams at once (``asyncio.gather``) through one adapter against the
loopback sandbox, in one long-lived event loop, as a server would. Every stream asks a different
question, so its answer is known in advance: the chunks must be exactly the sandbox's deltas, in
order, once each (and the digest of the text must match); the sandbox must have seen each request
exactly once. After every round: open file descriptors (sockets of both ends: the sandbox runs in
this process) stay within the connection pools' keep-alive bounds and do not grow from round to
round, no stream objects survive, and the resident memory is flat. When the loop ends, the pools
close with it.

    INFRON_LOAD_STREAMS=1000 pytest tests/reliability/test_rel_load.py   # the full load

The default run uses fewer streams (``DEFAULT_STREAMS``) to keep the suite near three minutes on
a 2-CPU machine; the full 1,000 is the same code with a larger count.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import os
import resource
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from infron_integrations.sandbox.tokens import stream_pieces

DEFAULT_STREAMS = 150
STREAMS = int(os.environ.get("INFRON_LOAD_STREAMS", DEFAULT_STREAMS))
ROUNDS = int(os.environ.get("INFRON_LOAD_ROUNDS", "3"))
#: the bound on one round's wall time
ROUND_SECONDS = max(30.0, STREAMS * 0.12)
CHAT = "openai/gpt-4o-mini"
#: idle connections each adapter's pool may keep open between rounds (see core.http._LIMITS and
#: litellm._http1.MAX_IDLE: the handler's pool keeps every connection it opened, up to its limit)
KEEPALIVE = {"langchain": 100, "agents": 100, "litellm": 1000}
#: memory a round may add once the pools are warm
RSS_SLACK_MB = 40.0


def _question(i: int) -> str:
    return f"load {i} go"


def _answer(i: int) -> str:
    return f'You said: "{_question(i)}". This is a deterministic answer from the Infron sandbox.'


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _live(names: frozenset[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for obj in gc.get_objects():
        kind = type(obj)
        name = f"{kind.__module__}.{kind.__qualname__}"
        if name in names:
            counts[name] += 1
    return counts


#: objects that exist once per stream in flight: none may outlive its round
PER_STREAM = frozenset(
    {
        "infron_integrations.core.stream.StreamAccumulator",
        "infron_integrations.langchain._chat_convert.StreamConverter",
        "infron_integrations.litellm._response.StreamState",
        "infron_integrations.litellm._http1_async.AsyncStream",
        "infron_integrations.openai_agents._stream.InfronChunkStream",
        "litellm.litellm_core_utils.streaming_handler.CustomStreamWrapper",
        "agents.result.RunResultStreaming",
        "aiohttp.client_reqrep.ClientResponse",
        "httpx.Response",
    }
)


def _raise_nofile(streams: int) -> None:
    # both ends of every connection live in this process
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = 4 * streams + 512
    if soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            pytest.skip(f"needs {needed} file descriptors, the hard limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


# --- one stream through each adapter -----------------------------------------------------------


Stream = Callable[[int], Awaitable[list[str]]]


def _langchain(sandbox: Any) -> Stream:
    from infron_integrations.langchain import ChatInfron

    llm = ChatInfron(model=CHAT, api_key=sandbox.api_key, base_url=sandbox.base_url, max_retries=0)

    async def one(i: int) -> list[str]:
        return [str(chunk.content) async for chunk in llm.astream(_question(i))]

    return one


def _litellm(sandbox: Any) -> Stream:
    import litellm

    async def one(i: int) -> list[str]:
        response = await litellm.acompletion(
            model="infron/" + CHAT,
            messages=[{"role": "user", "content": _question(i)}],
            api_key=sandbox.api_key,
            api_base=sandbox.base_url,
            stream=True,
            max_retries=0,
        )
        return [c.choices[0].delta.content or "" async for c in response if c.choices]

    return one


def _agents(sandbox: Any) -> Stream:
    from agents import Agent, RunConfig, Runner

    from infron_integrations.openai_agents import InfronProvider

    provider = InfronProvider(api_key=sandbox.api_key, base_url=sandbox.base_url, max_retries=0)
    config = RunConfig(model_provider=provider)
    agent = Agent(name="load", model=CHAT)

    async def one(i: int) -> list[str]:
        result = Runner.run_streamed(agent, _question(i), run_config=config)
        parts = []
        async for event in result.stream_events():
            if (
                event.type == "raw_response_event"
                and event.data.type == "response.output_text.delta"
            ):
                parts.append(event.data.delta)
        assert result.final_output == "".join(parts)
        return parts

    return one


ADAPTERS: dict[str, Callable[[Any], Stream]] = {
    "langchain": _langchain,
    "litellm": _litellm,
    "agents": _agents,
}


# --- rounds --------------------------------------------------------------------------------------


@dataclass
class Round:
    seconds: float
    fds: int
    rss_mb: float
    live: Counter[str]
    wrong: list[int] = field(default_factory=list)


def _check_stream(i: int, parts: list[str]) -> bool:
    pieces = [p for p in parts if p]
    return pieces == stream_pieces(_answer(i)) and _digest("".join(pieces)) == _digest(_answer(i))


async def _settle(limit: float = 10.0) -> None:
    """Let background work of the round finish (the Agents SDK closes streams in tasks)."""
    deadline = time.monotonic() + limit
    current = asyncio.current_task()
    while time.monotonic() < deadline:
        if not [t for t in asyncio.all_tasks() if t is not current and not t.done()]:
            break
        await asyncio.sleep(0.01)
    for _ in range(10):  # and the callbacks those tasks scheduled
        await asyncio.sleep(0.01)


async def _rounds(sandbox: Any, make: Callable[[Any], Stream]) -> tuple[int, list[Round]]:
    one = make(sandbox)
    # warm up: pools opened, lazy imports done, so the rounds measure steady state. Twice at full
    # concurrency: how many connections a pool ends up keeping is the round's peak of streams in
    # flight, which varies with scheduling (LiteLLM opens each stream after a hop through its
    # thread pool, so early streams may end before late ones start)
    for _ in range(2):
        await asyncio.gather(*(one(i) for i in range(STREAMS)))
    await _settle()
    gc.collect()
    baseline = _fds()
    # objects of these types that other code keeps (e.g. a response held by an earlier test's
    # exception) are not this test's: only growth counts
    already = _live(PER_STREAM)
    rounds: list[Round] = []
    for _ in range(ROUNDS):
        sandbox.reset()
        start = time.perf_counter()
        outcomes = await asyncio.wait_for(
            asyncio.gather(*(one(i) for i in range(STREAMS))), timeout=ROUND_SECONDS
        )
        seconds = time.perf_counter() - start
        wrong = [i for i, parts in enumerate(outcomes) if not _check_stream(i, parts)]
        seen = Counter(
            r.body["messages"][-1]["content"]
            for r in sandbox.requests
            if r.path == "/v1/chat/completions" and r.status == 200
        )
        assert seen == Counter(_question(i) for i in range(STREAMS)), "a request lost or repeated"
        del outcomes
        await _settle()
        gc.collect()
        rounds.append(Round(seconds, _fds(), _rss_mb(), _live(PER_STREAM) - already, wrong))
    return baseline, rounds


@pytest.mark.parametrize("adapter", list(ADAPTERS))
def test_concurrent_streams_lose_nothing_and_leak_nothing(
    adapter: str, infron_sandbox: Any, record_property: Callable[[str, object], None]
) -> None:
    _raise_nofile(STREAMS)
    gc.collect()
    before = _fds()
    baseline, rounds = asyncio.run(_rounds(infron_sandbox, ADAPTERS[adapter]))
    for number, r in enumerate(rounds, start=1):
        record_property(f"round{number}", f"{r.seconds:.2f}s fds={r.fds} rss={r.rss_mb:.0f}MB")
        assert not r.wrong, f"round {number}: streams {r.wrong[:10]} lost, repeated or reordered"
        assert r.seconds < ROUND_SECONDS
        # only pooled keep-alive connections stay open: both ends of each are in this process
        assert r.fds <= baseline + 2 * KEEPALIVE[adapter] + 16, (r.fds, baseline)
        assert not r.live, f"stream objects outlived round {number}: {r.live}"
    assert rounds[-1].fds <= rounds[0].fds + 16, [r.fds for r in rounds]  # no growth
    assert rounds[-1].rss_mb <= rounds[0].rss_mb + RSS_SLACK_MB, [r.rss_mb for r in rounds]
    # the event loop is gone: its pools closed with it. The sandbox's thread closes its ends of
    # those connections when it sees them close, a moment later: wait for that, boundedly.
    gc.collect()
    deadline = time.monotonic() + 5.0
    while _fds() > before + 16 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _fds() <= before + 16, (before, _fds())
