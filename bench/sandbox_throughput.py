"""Throughput of the sandbox: non-stream chat completions per second over loopback.

Starts ``python -m infron_integrations.sandbox --port 0`` in its own process (or uses ``--url``),
then drives it from this process with N concurrent keep-alive connections for a fixed number of
seconds, and prints requests/s and latency percentiles. The load is bounded in time
(``--duration``) and in count (``--max-requests``); the script always stops by itself and stops
the server it started (by pid).

Two load generators: ``--client raw`` (default; minimal asyncio HTTP/1.1 keep-alive client, so the
number measures the server) and ``--client httpx`` (``httpx.AsyncClient``; at high concurrency
httpx itself becomes the bottleneck on small machines).

    .venv/bin/python bench/sandbox_throughput.py --duration 5 --concurrency 50
    .venv/bin/python bench/sandbox_throughput.py --smoke     # to keep the script working
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from urllib.parse import urlsplit

import httpx

BODY = {
    "model": "anthropic/claude-sonnet-4.5",
    "messages": [
        {"role": "system", "content": "You are a concise assistant."},
        {"role": "user", "content": "What is the capital of France? Answer in one sentence."},
    ],
    "usage": {"include": True},
}


def start_server() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "infron_integrations.sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+/v1)", line)
        if match:
            return proc, match.group(1)
        if proc.poll() is not None:
            break
    proc.kill()
    raise SystemExit("the sandbox did not start")


async def run_load(
    url: str, key: str, duration: float, concurrency: int, max_requests: int
) -> tuple[int, int, list[float], float]:
    latencies: list[float] = []
    errors = 0
    sent = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
        # warm-up, not measured
        await asyncio.gather(
            *(
                client.post("/chat/completions", json=BODY, headers=headers)
                for _ in range(concurrency)
            )
        )
        start = time.perf_counter()
        stop_at = start + duration

        async def worker() -> None:
            nonlocal errors, sent
            while time.perf_counter() < stop_at and sent < max_requests:
                sent += 1
                t0 = time.perf_counter()
                try:
                    r = await client.post("/chat/completions", json=BODY, headers=headers)
                    ok = r.status_code == 200 and r.json()["choices"][0]["message"]["content"]
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - t0)
                if not ok:
                    errors += 1

        await asyncio.wait_for(
            asyncio.gather(*(worker() for _ in range(concurrency))), timeout=duration + 60
        )
        elapsed = time.perf_counter() - start
    return len(latencies), errors, latencies, elapsed


async def run_raw_load(
    url: str, key: str, duration: float, concurrency: int, max_requests: int
) -> tuple[int, int, list[float], float]:
    """The same load over raw asyncio streams (one keep-alive connection per worker)."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    payload = json.dumps(BODY).encode()
    request = (
        f"POST {parts.path}/chat/completions HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Authorization: Bearer {key}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    ).encode() + payload
    latencies: list[float] = []
    errors = 0
    sent = 0

    async def one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        body = json.loads(await reader.readexactly(length))
        return status == 200 and bool(body["choices"][0]["message"]["content"])

    connections = [await asyncio.open_connection(host, port) for _ in range(concurrency)]
    for reader, writer in connections:  # warm-up, not measured
        await one(reader, writer)
    start = time.perf_counter()
    stop_at = start + duration

    async def worker(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal errors, sent
        while time.perf_counter() < stop_at and sent < max_requests:
            sent += 1
            t0 = time.perf_counter()
            try:
                ok = await one(reader, writer)
            except (OSError, ValueError, asyncio.IncompleteReadError):
                ok = False
            latencies.append(time.perf_counter() - t0)
            if not ok:
                errors += 1
                return

    await asyncio.wait_for(
        asyncio.gather(*(worker(r, w) for r, w in connections)), timeout=duration + 60
    )
    elapsed = time.perf_counter() - start
    for _, writer in connections:
        writer.close()
    return len(latencies), errors, latencies, elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="half a second, 5 connections")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of load (default 5)")
    parser.add_argument("--concurrency", type=int, default=50, help="concurrent workers (50)")
    parser.add_argument("--max-requests", type=int, default=200_000, help="hard cap on requests")
    parser.add_argument("--url", help="use a running sandbox (its /v1 base URL) instead")
    parser.add_argument("--api-key", default="sk-infron-sandbox")
    parser.add_argument(
        "--client",
        choices=("raw", "httpx"),
        default="raw",
        help="load generator (default raw asyncio HTTP/1.1)",
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.duration, args.concurrency = 0.5, 5
    proc = None
    url = args.url
    if url is None:
        proc, url = start_server()
    try:
        load = run_raw_load if args.client == "raw" else run_load
        count, errors, latencies, elapsed = asyncio.run(
            load(url, args.api_key, args.duration, args.concurrency, args.max_requests)
        )
    finally:
        if proc is not None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
    latencies.sort()
    p50 = statistics.median(latencies) * 1000 if latencies else 0.0
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else 0.0
    print(f"server: {url}")
    print(f"client: {args.client}, {args.concurrency} concurrent connections")
    print(f"requests: {count} in {elapsed:.2f} s, errors: {errors}")
    print(f"throughput: {count / elapsed:.0f} requests/s")
    print(f"latency: p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
