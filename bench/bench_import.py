"""P4: import cost. The core against a bare interpreter, each adapter against its framework's own
import, each as a whole fresh process (interleaved A/B, medians).

    python bench/bench_import.py            # 15 rounds
    python bench/bench_import.py --smoke    # 1 round, to keep the script working
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from _harness import Row, machine_details, record

CASES = [
    # (label, ours, baseline, target: a ratio, or >= 10 for extra milliseconds)
    ("core: import infron_integrations (+ms over bare)", "import infron_integrations", "pass", 30),
    (
        "core: options, pydantic included (+ms, info)",
        "from infron_integrations.core import request_fragment",
        "pass",
        None,
    ),
    (
        "langchain: ChatInfron vs ChatOpenAI",
        "from infron_integrations.langchain import ChatInfron",
        "from langchain_openai import ChatOpenAI",
        1.05,
    ),
    (
        "litellm: infron adapter vs import litellm",
        "from infron_integrations.litellm import InfronLLM",
        "import litellm",
        1.05,
    ),
    (
        "agents: InfronProvider vs import agents",
        "from infron_integrations.openai_agents import InfronProvider",
        "import agents",
        1.05,
    ),
]


def _time(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - start


def _works(code: str) -> bool:
    return subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true", help="one round, no warm-up")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    rounds = 1 if args.smoke else args.rounds

    title = "P4 import cost (whole fresh processes, interleaved, medians)"
    rows: list[Row] = []
    print(title)
    print(f"machine: {machine_details()}")
    print(f"{'case':<52} {'ours ms':>9} {'base ms':>9} {'result':>16} {'target':>8}")
    for label, ours, base, target in CASES:
        if not _works(ours) or not _works(base):
            print(f"{label:<52} {'n/a':>9} {'n/a':>9} {'not importable':>16}")
            continue
        if not args.smoke:
            _time(ours), _time(base)  # warm the file cache
        a, b = [], []
        for i in range(rounds):
            pair = (
                (_time(ours), _time(base))
                if i % 2 == 0
                else tuple(reversed((_time(base), _time(ours))))
            )
            a.append(pair[0])
            b.append(pair[1])
        ours_ms, base_ms = statistics.median(a) * 1e3, statistics.median(b) * 1e3
        common = {"a": ours_ms, "b": base_ms, "a_name": ours, "b_name": base, "table": title}
        if target is None or target >= 10:
            extra = ours_ms - base_ms
            extras = [(x - y) * 1e3 for x, y in zip(a, b, strict=True)]
            row = Row(label, extra, min(extras), max(extras), "+ms", target, **common)  # type: ignore[arg-type]
            result, goal = f"+{extra:.1f} ms", f"<=+{target}ms" if target else ""
        else:
            ratios = [x / y for x, y in zip(a, b, strict=True)]
            ratio = statistics.median(ratios)
            row = Row(label, ratio, min(ratios), max(ratios), "x", target, **common)  # type: ignore[arg-type]
            result, goal = f"{ratio:.3f}x", f"<={target:.2f}x"
        rows.append(row)
        print(f"{label:<52} {ours_ms:>9.1f} {base_ms:>9.1f} {result:>16} {goal:>8} {row.verdict}")
    record(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
