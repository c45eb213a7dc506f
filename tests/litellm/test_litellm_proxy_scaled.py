"""The proxy scaled out as a team runs it: ``litellm --config examples/litellm_proxy/config.scaled.yaml
--num_workers 2`` with a real ``redis-server`` for the router's shared state and the response
cache, under a bounded load.

500 requests from 50 concurrent clients (streams with and without ``include_usage``, non-streams,
two models), a fifth of them repeating 10 popular prompts so that the shared cache answers some.
Every answer is matched to what the sandbox charged for it (by the gateway's ``request_id``):

* a fresh answer reports exactly the sandbox's charge: the ``x-litellm-response-cost`` header and
  the body's ``usage.cost`` of a non-stream, the usage chunk's ``cost`` or (without
  ``include_usage``) the closing chunk's ``cost`` of a stream;
* an answer from the cache says so (``x-litellm-cache-key``), reports 0.0 (or no cost at all) in
  its header and body, and the sandbox saw no request for it;
* the charges add up: the sum of the reported costs is the sandbox's total.

Redis is the Debian package, installed by ``redis_server.ensure_installed`` when missing (the test
skips, saying why, only when that is impossible), started on a free loopback port and stopped by
pid with the proxy at the end of the module.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis_server import command, ensure_installed, redis_server

from proxy_process import ROOT, Proxy, run_proxy

pytestmark = pytest.mark.litellm_proxy

CONFIG = ROOT / "examples" / "litellm_proxy" / "config.scaled.yaml"
REQUESTS = 500
CLIENTS = 50
WORKERS = 2
POPULAR = 10
LOAD_TIMEOUT = 240.0  # seconds for the whole load; it stops by itself well before


@pytest.fixture(scope="module")
def scaled_proxy(
    infron_sandbox_server: Any, catalog_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Proxy, int]]:
    binary, why = ensure_installed()
    if binary is None:
        pytest.skip(f"no redis-server for the scaled-out proxy test: {why}")
    workdir = tmp_path_factory.mktemp("scaled-proxy")
    with redis_server(binary, workdir) as port:
        env = {
            "REDIS_HOST": "127.0.0.1",
            "REDIS_PORT": str(port),
            "INFRON_CACHE_DIR": str(catalog_dir),
        }
        with run_proxy(
            CONFIG,
            api_key=infron_sandbox_server.api_key,
            base_url=infron_sandbox_server.base_url,
            workdir=workdir,
            args=("--num_workers", str(WORKERS)),
            env=env,
        ) as proxy:
            yield proxy, port


@dataclass
class Answer:
    kind: str
    status: int
    cache_hit: bool
    request_id: str | None
    reported: Decimal | None  # the cost the client sees (header / usage / closing chunk)
    header: Decimal | None  # x-litellm-response-cost, non-streams only
    error: str = ""


def _plan() -> list[dict[str, Any]]:
    rng = random.Random(16)
    plan = []
    for i in range(REQUESTS):
        popular = i % 5 == 0
        prompt = f"popular question {i % POPULAR}" if popular else f"question number {i}"
        kind = ("plain", "stream", "stream_usage")[i % 3]
        plan.append(
            {
                "kind": kind,
                "model": "gpt-4o-mini" if i % 2 else "deepseek-r1",
                "prompt": prompt,
            }
        )
    rng.shuffle(plan)
    return plan


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(repr(float(value)))


async def _one(client: httpx.AsyncClient, proxy: Proxy, item: dict[str, Any]) -> Answer:
    body: dict[str, Any] = {
        "model": item["model"],
        "messages": [{"role": "user", "content": item["prompt"]}],
    }
    kind = item["kind"]
    try:
        if kind == "plain":
            response = await client.post("/v1/chat/completions", json=body)
            data = response.json()
            hit = "x-litellm-cache-key" in response.headers
            header = _dec(response.headers.get("x-litellm-response-cost"))
            return Answer(
                kind,
                response.status_code,
                hit,
                data.get("request_id"),
                _dec((data.get("usage") or {}).get("cost")),
                header,
            )
        body["stream"] = True
        if kind == "stream_usage":
            body["stream_options"] = {"include_usage": True}
        async with client.stream("POST", "/v1/chat/completions", json=body) as response:
            hit = "x-litellm-cache-key" in response.headers
            chunks = []
            done = False
            async for line in response.aiter_lines():
                if line == "data: [DONE]":
                    done = True
                elif line.startswith("data: "):
                    chunks.append(json.loads(line[6:]))
        if not done or response.status_code != 200:
            return Answer(kind, response.status_code, hit, None, None, None, "unfinished stream")
        request_id = next((c["request_id"] for c in chunks if c.get("request_id")), None)
        closing = next((c["cost"] for c in chunks if c.get("cost") is not None), None)
        usage = next((c["usage"] for c in chunks if c.get("usage")), None)
        if kind == "stream_usage":
            reported = _dec((usage or {}).get("cost"))
        else:
            reported = _dec(closing)
            assert usage is None, "usage without include_usage"
        return Answer(kind, response.status_code, hit, request_id, reported, None)
    except Exception as exc:
        return Answer(kind, 0, False, None, None, None, f"{type(exc).__name__}: {exc}")


async def _load(proxy: Proxy, plan: list[dict[str, Any]]) -> tuple[list[Answer], float]:
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for item in plan:
        queue.put_nowait(item)
    answers: list[Answer] = []
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)

    async def client_loop() -> None:
        async with httpx.AsyncClient(
            base_url=proxy.url, headers=proxy.headers, timeout=60, limits=limits
        ) as client:
            while not queue.empty():
                answers.append(await _one(client, proxy, queue.get_nowait()))

    start = time.perf_counter()
    await asyncio.wait_for(
        asyncio.gather(*(client_loop() for _ in range(CLIENTS))), timeout=LOAD_TIMEOUT
    )
    return answers, time.perf_counter() - start


def _workers(pid: int) -> int:
    """The proxy's worker processes: the children of the process it started that multiprocessing
    spawned to serve (its resource tracker is a child too)."""
    workers = 0
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (proc / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        workers += parent == pid and b"spawn_main" in cmdline
    return workers


def test_scaled_out_proxy_under_load(scaled_proxy: tuple[Proxy, int], infron_sandbox: Any) -> None:
    proxy, redis_port = scaled_proxy
    plan = _plan()
    answers, elapsed = asyncio.run(_load(proxy, plan))
    charges = infron_sandbox.state.charges()
    chat_requests = [r for r in infron_sandbox.requests if r.path == "/v1/chat/completions"]

    errors = [a for a in answers if a.error or a.status != 200]
    mismatches = []
    hits = [a for a in answers if a.cache_hit]
    fresh = [a for a in answers if not a.cache_hit]
    for answer in fresh:
        charged = charges.get(answer.request_id or "")
        if (
            charged is None
            or answer.reported is None
            or abs(answer.reported - charged) > Decimal("1e-12")
            or (answer.kind == "plain" and answer.header != answer.reported)
        ):
            mismatches.append((answer, charged))
    for answer in hits:
        if answer.header not in (None, Decimal(0)) or answer.reported not in (None, Decimal(0)):
            mismatches.append((answer, Decimal(0)))
    reported_total = sum((a.reported or Decimal(0) for a in answers), Decimal(0))
    figures = {
        "requests": len(answers),
        "clients": CLIENTS,
        "workers": _workers(proxy.process.pid),
        "errors": len(errors),
        "cost_mismatches": len(mismatches),
        "cache_hits": len(hits),
        "gateway_requests": len(chat_requests),
        "seconds": round(elapsed, 1),
        "requests_per_second": round(len(answers) / elapsed, 1),
        "redis_keys": int(command(redis_port, "DBSIZE").strip()[1:]),
    }
    print("\nscaled-out proxy load:", json.dumps(figures))

    assert figures["workers"] == WORKERS
    assert len(answers) == REQUESTS
    assert errors == [], errors[:3]
    assert mismatches == [], mismatches[:3]
    # the shared cache answered some of the popular prompts, and those never reached the gateway
    assert 0 < len(hits) < REQUESTS // 5
    assert len(chat_requests) == len(fresh) == len(charges)
    assert reported_total == sum(charges.values(), Decimal(0))
    assert figures["redis_keys"] > 0  # the cache (and the router's counters) are in Redis


def test_a_cached_answer_is_shared_by_the_workers(scaled_proxy: tuple[Proxy, int]) -> None:
    """Sequential calls land on either worker; after the first, all come from the one cache."""
    proxy, _ = scaled_proxy
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "shared cache?"}]}
    with httpx.Client(base_url=proxy.url, headers=proxy.headers, timeout=60) as client:
        first = client.post("/v1/chat/completions", json=body)
        later = [client.post("/v1/chat/completions", json=body) for _ in range(8)]
    assert "x-litellm-cache-key" not in first.headers
    assert float(first.headers["x-litellm-response-cost"]) > 0
    assert all("x-litellm-cache-key" in r.headers for r in later)
    assert {float(r.headers.get("x-litellm-response-cost") or 0) for r in later} == {0.0}
    assert {r.json()["request_id"] for r in later} == {first.json()["request_id"]}
    assert {r.json()["usage"]["cost"] for r in later} == {0.0}
