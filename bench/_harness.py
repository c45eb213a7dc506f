"""Shared pieces of the benchmark scripts (not tests): a sandbox in its own process, interleaved
A/B timing with medians of per-pair ratios, machine details and a table printer.

Ratios, not absolute times, are what the scripts report: the machines are shared and noisy, and a
ratio of interleaved A/B batches stays meaningful when the machine's speed drifts.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.metadata
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field

import httpx

SANDBOX_KEY = "sk-infron-sandbox"

#: ``bench/run_all.py`` sets these: a JSON-lines file every printed row is appended to, and the
#: P-id (P1..P7) of the script it runs. Scripts run on their own print their tables only.
RESULTS_ENV = "INFRON_BENCH_RESULTS"
ID_ENV = "INFRON_BENCH_ID"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def sandbox_process(*, timeout: float = 30.0) -> Iterator[str]:
    """Run ``python -m infron_integrations.sandbox`` in its own process; yield its base URL.

    A separate process keeps the server's work off the measured interpreter's GIL. SIGTERM to this
    process exits through the ``finally`` below, so the server is stopped too.
    """
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "infron_integrations.sandbox", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("the sandbox did not start")
            time.sleep(0.05)
        yield f"{base}/v1"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def machine_details() -> str:
    versions = []
    for dist in ("openai", "langchain-openai", "litellm", "openai-agents", "httpx"):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            versions.append(f"{dist} {importlib.metadata.version(dist)}")
    return (
        f"{platform.python_implementation()} {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs, {platform.system()} {platform.release()}; " + ", ".join(versions)
    )


@dataclass
class Comparison:
    """Per-call medians of A and B and the median of the per-pair ratios A/B."""

    label: str
    a_per_call: float
    b_per_call: float
    ratio: float
    ratio_min: float
    ratio_max: float
    target: float | None = None

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        return "meets" if self.ratio <= self.target else "MISSES"


def _batch(fn: Callable[[], object], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def compare(
    label: str,
    a: Callable[[], object],
    b: Callable[[], object],
    *,
    calls: int,
    rounds: int,
    warmup: int = 1,
    target: float | None = None,
) -> Comparison:
    """Time A and B in alternating batches (A B A B ...), after ``warmup`` unmeasured batches."""
    for _ in range(warmup):
        _batch(a, calls)
        _batch(b, calls)
    a_times: list[float] = []
    b_times: list[float] = []
    for i in range(rounds):
        # alternate which goes first so neither always runs on a warmer cache
        if i % 2 == 0:
            a_times.append(_batch(a, calls))
            b_times.append(_batch(b, calls))
        else:
            b_times.append(_batch(b, calls))
            a_times.append(_batch(a, calls))
    ratios = [x / y for x, y in zip(a_times, b_times, strict=True)]
    return Comparison(
        label,
        statistics.median(a_times),
        statistics.median(b_times),
        statistics.median(ratios),
        min(ratios),
        max(ratios),
        target,
    )


def acompare(
    label: str,
    a: Callable[[], Awaitable[object]],
    b: Callable[[], Awaitable[object]],
    *,
    calls: int,
    rounds: int,
    warmup: int = 1,
    target: float | None = None,
) -> Comparison:
    """:func:`compare` for coroutine functions, all in one event loop."""

    async def batch(fn: Callable[[], Awaitable[object]]) -> float:
        start = time.perf_counter()
        for _ in range(calls):
            await fn()
        return (time.perf_counter() - start) / calls

    async def main() -> Comparison:
        for _ in range(warmup):
            await batch(a)
            await batch(b)
        a_times: list[float] = []
        b_times: list[float] = []
        for i in range(rounds):
            if i % 2 == 0:
                a_times.append(await batch(a))
                b_times.append(await batch(b))
            else:
                b_times.append(await batch(b))
                a_times.append(await batch(a))
        ratios = [x / y for x, y in zip(a_times, b_times, strict=True)]
        return Comparison(
            label,
            statistics.median(a_times),
            statistics.median(b_times),
            statistics.median(ratios),
            min(ratios),
            max(ratios),
            target,
        )

    return asyncio.run(main())


@dataclass
class Row:
    """One result as ``run_all.py`` collects it: a value, its min-max spread and its target.

    ``sense`` says which way the target goes: ``"<="`` for times and time ratios, ``">="`` for
    throughput and rate ratios. ``a``/``b`` are the absolute numbers behind a ratio (ms per call,
    requests/s ...), in ``a_unit``.
    """

    label: str
    value: float
    lo: float
    hi: float
    unit: str = "x"
    target: float | None = None
    sense: str = "<="
    a: float | None = None
    b: float | None = None
    a_name: str = ""
    b_name: str = ""
    a_unit: str = "ms"
    errors: int = 0
    table: str = ""
    id: str = field(default_factory=lambda: os.environ.get(ID_ENV, ""))

    @property
    def verdict(self) -> str:
        if self.errors:
            return "MISSES (errors)"
        if self.target is None:
            return ""
        ok = self.value <= self.target if self.sense == "<=" else self.value >= self.target
        return "meets" if ok else "MISSES"


def record(rows: Sequence[Row]) -> None:
    """Append rows to the results file named by ``$INFRON_BENCH_RESULTS`` (if set)."""
    path = os.environ.get(RESULTS_ENV)
    if not path:
        return
    with open(path, "a", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(asdict(row)) + "\n")


def comparison_row(row: Comparison, *, table: str, a_name: str, b_name: str) -> Row:
    return Row(
        label=row.label,
        value=row.ratio,
        lo=row.ratio_min,
        hi=row.ratio_max,
        target=row.target,
        a=row.a_per_call * 1e3,
        b=row.b_per_call * 1e3,
        a_name=a_name,
        b_name=b_name,
        table=table,
    )


def fmt_target(row: Row) -> str:
    if row.target is None:
        return ""
    unit = "x" if row.unit == "x" else f" {row.unit}"
    return f"{row.sense}{row.target:g}{unit}"


def print_rows(title: str, rows: Sequence[Row], *, value_name: str = "ratio") -> None:
    """Print rows of any unit (with their absolute numbers) and record them for ``run_all``."""
    print(f"\n{title}")
    print(f"machine: {machine_details()}")
    header = f"{'measure':<60} {'A':>12} {'B':>12} {value_name:>10} {'min-max':>15} {'target':>11}"
    print(header)
    print("-" * len(header))
    for row in rows:
        a = f"{row.a:.3f}" if row.a is not None else ""
        b = f"{row.b:.3f}" if row.b is not None else ""
        spread = f"{row.lo:.3g}-{row.hi:.3g}"
        value = f"{row.value:.3f}" + ("" if row.unit == "x" else f" {row.unit}")
        print(
            f"{row.label:<60} {a:>12} {b:>12} {value:>10} {spread:>15} {fmt_target(row):>11} "
            f"{row.verdict}"
        )
        if row.a_name or row.b_name:
            print(f"{'':<4}A = {row.a_name}, B = {row.b_name} ({row.a_unit})")
    record([Row(**{**asdict(r), "table": r.table or title}) for r in rows])


def print_table(title: str, rows: Sequence[Comparison], *, a_name: str, b_name: str) -> None:
    record([comparison_row(r, table=title, a_name=a_name, b_name=b_name) for r in rows])
    print(f"\n{title}")
    print(f"machine: {machine_details()}")
    header = (
        f"{'measure':<44} {a_name + ' ms':>14} {b_name + ' ms':>14} {'ratio':>7} "
        f"{'min-max':>13} {'target':>7}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        target = f"<={row.target:.2f}" if row.target is not None else ""
        print(
            f"{row.label:<44} {row.a_per_call * 1e3:>14.3f} {row.b_per_call * 1e3:>14.3f} "
            f"{row.ratio:>7.3f} {row.ratio_min:>6.2f}-{row.ratio_max:<6.2f} {target:>7} "
            f"{row.verdict}"
        )


def ratio_stats(a: Sequence[float], b: Sequence[float]) -> tuple[float, float, float]:
    """Median, min and max of the per-round ratios a[i] / b[i]."""
    ratios = [x / y for x, y in zip(a, b, strict=True)]
    return statistics.median(ratios), min(ratios), max(ratios)


async def ainterleave(
    cases: Sequence[tuple[str, Callable[[], Awaitable[float]]]],
    *,
    rounds: int,
    warmup: int = 1,
) -> dict[str, list[float]]:
    """Run every case once per round, rotating the order each round; warm-up rounds excluded.

    Each case measures itself and returns its number (seconds, a rate ...), so a case can time
    only the part that matters (e.g. a whole burst of concurrent requests).
    """
    for _ in range(warmup):
        for _, fn in cases:
            await fn()
    out: dict[str, list[float]] = {name: [] for name, _ in cases}
    for i in range(rounds):
        shift = i % len(cases)
        for name, fn in [*cases[shift:], *cases[:shift]]:
            out[name].append(await fn())
    return out


def interleave(
    cases: Sequence[tuple[str, Callable[[], float]]],
    *,
    rounds: int,
    warmup: int = 1,
) -> dict[str, list[float]]:
    """:func:`ainterleave` for plain functions."""
    for _ in range(warmup):
        for _, fn in cases:
            fn()
    out: dict[str, list[float]] = {name: [] for name, _ in cases}
    for i in range(rounds):
        shift = i % len(cases)
        for name, fn in [*cases[shift:], *cases[:shift]]:
            out[name].append(fn())
    return out
