"""P4: import cost. The core against a bare interpreter, each adapter against its framework's own
import (medians over fresh processes).

Each fresh process times the framework's own import, then ours on top of it (which finds the
framework already loaded): the result is (framework + ours) / framework, both measured in the same
process seconds apart. Timing the two in separate processes mostly measures the machine: on a
shared 2-CPU machine a 2 s framework import varies by +-20 % from one process to the next, so
that A/B ratio of whole processes (interleaved, median of per-pair ratios) is printed alongside
for reference only, with ``--ab``. LiteLLM's import starts a download of its model cost map unless
``LITELLM_LOCAL_MODEL_COST_MAP`` is set; without network that download retries in a background
thread that competes for the interpreter, so it is switched off here, as in the test suite.
The package is byte-compiled first, as pip does for the frameworks it installs: an editable
checkout under ``PYTHONDONTWRITEBYTECODE=1`` would otherwise compile our sources in every process.

    python bench/bench_import.py            # 21 rounds
    python bench/bench_import.py --smoke    # 1 round, to keep the script working
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import os
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


os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

# the framework's import, then ours, each timed inside one fresh process; os._exit skips shutdown
_STACKED = (
    "import time, os\n"
    "start = time.perf_counter()\n"
    "{base}\n"
    "middle = time.perf_counter()\n"
    "{ours}\n"
    "end = time.perf_counter()\n"
    "print(middle - start, end - middle, flush=True)\n"
    "os._exit(0)\n"
)


def _byte_compile() -> None:
    spec = importlib.util.find_spec("infron_integrations")
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            compileall.compile_dir(location, quiet=1)


def _run(program: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", program], check=True, capture_output=True, text=True
    ).stdout


def _stacked(ours: str, base: str) -> tuple[float, float]:
    """(seconds for the framework's import, seconds for ours after it), in one process."""
    base_s, ours_s = _run(_STACKED.format(base=base, ours=ours)).split()[-2:]
    return float(base_s), float(ours_s)


def _process(code: str) -> float:
    """Seconds for a whole fresh process that runs ``code``."""
    start = time.perf_counter()
    _run(code)
    return time.perf_counter() - start


def _works(code: str) -> bool:
    return subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true", help="one round, no warm-up")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument(
        "--ab", action="store_true", help="also time ours and theirs as separate whole processes"
    )
    args = parser.parse_args(argv)
    rounds = 1 if args.smoke else args.rounds
    _byte_compile()

    title = "P4 import cost (framework, then ours, in one fresh process; medians)"
    rows: list[Row] = []
    print(title)
    print(f"machine: {machine_details()}")
    print(
        f"{'case':<52} {'ours ms':>9} {'base ms':>9} {'result':>12} {'target':>8} "
        + (f"{'':>7} {'A/B processes':>14}" if args.ab else "")
    )
    for label, ours, base, target in CASES:
        if not _works(ours) or not _works(base):
            print(f"{label:<52} {'n/a':>9} {'n/a':>9} {'not importable':>12}")
            continue
        if not args.smoke:
            _stacked(ours, base)  # warm the file cache
        base_s: list[float] = []
        ours_s: list[float] = []
        whole: list[float] = []
        for i in range(rounds):
            framework, mine = _stacked(ours, base)
            base_s.append(framework)
            ours_s.append(mine)
            if args.ab:  # the same imports as two separate whole processes, order alternating
                if i % 2 == 0:
                    a, b = _process(ours), _process(base)
                else:
                    b, a = _process(base), _process(ours)
                whole.append(a / b)
        ours_ms = statistics.median(ours_s) * 1e3
        base_ms = statistics.median(base_s) * 1e3
        common = {"a": ours_ms, "b": base_ms, "a_name": ours, "b_name": base, "table": title}
        if target is None or target >= 10:
            extras = [x * 1e3 for x in ours_s]
            row = Row(label, ours_ms, min(extras), max(extras), "+ms", target, **common)  # type: ignore[arg-type]
            result, goal = f"+{ours_ms:.1f} ms", f"<=+{target}ms" if target else ""
        else:
            ratios = [(b + a) / b for a, b in zip(ours_s, base_s, strict=True)]
            ratio = statistics.median(ratios)
            row = Row(label, ratio, min(ratios), max(ratios), "x", target, **common)  # type: ignore[arg-type]
            result, goal = f"{ratio:.3f}x", f"<={target:.2f}x"
        rows.append(row)
        ab = f"{statistics.median(whole):>13.3f}x" if whole else ""
        print(
            f"{label:<52} {ours_ms:>9.1f} {base_ms:>9.1f} {result:>12} {goal:>8} {row.verdict:>7} {ab}"
        )
    record(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
