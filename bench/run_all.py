"""Run every benchmark (P1..P7) and print one table: each row, its value, spread and target.

Each script runs as its own process (each starts its own sandbox process), with
``$INFRON_BENCH_RESULTS`` naming a JSON-lines file that the harness appends every printed row to.
With ``--repeat N`` every script runs N times; a row's value is then the median of the N runs'
values, "runs" is the min-max of those N values and "rounds" the min-max over all the rounds of
all runs (the per-round ratios inside each run).

    python bench/run_all.py                      # everything once (about 20 minutes)
    python bench/run_all.py --repeat 3           # three times, medians and spreads
    python bench/run_all.py --only P5,P7         # some of them
    python bench/run_all.py --smoke              # every script in its smoke mode
    python bench/run_all.py --markdown out.md    # also write the table as Markdown
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from _harness import ID_ENV, RESULTS_ENV, Row, fmt_target, machine_details

HERE = Path(__file__).resolve().parent

#: (id, script, what it measures, target as the issue states it)
SCRIPTS = [
    ("P1", "bench_langchain_chat.py", "ChatInfron invoke/stream per call", "<= 1.00x ChatOpenAI"),
    ("P1", "bench_openrouter.py", "ChatInfron vs ChatOpenRouter (info)", "report"),
    ("P2", "bench_litellm.py", "LiteLLM infron/ per call, proxy", "<= 0.65x; proxy <= 1.0x"),
    ("P3", "bench_agents.py", "InfronModel per agent turn", "<= 1.02x OpenAIChatCompletionsModel"),
    ("P4", "bench_import.py", "import cost", "core <= +30 ms; adapters <= 1.05x"),
    ("P5", "bench_concurrency.py", "1,000 concurrent async requests", ">= 0.9x raw, 0 errors"),
    ("P6", "bench_init.py", "init per instance after the first", "<= 1 ms"),
    ("P7", "bench_stream.py", "long stream parse rate", ">= 0.9x raw SDK"),
]


def run_script(pid: str, script: str, smoke: bool, quiet: bool, timeout: float) -> list[Row]:
    """Run one script; return the rows it recorded (none if it failed)."""
    path = HERE / script
    if not path.exists():
        print(f"\n[{pid}] {script}: missing, not run", flush=True)
        return []
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl", delete=False) as handle:
        results = Path(handle.name)
    env = {**os.environ, RESULTS_ENV: str(results), ID_ENV: pid}
    cmd = [sys.executable, str(path), *(["--smoke"] if smoke else [])]
    print(f"\n[{pid}] {' '.join(cmd[1:])}", flush=True)
    start = time.monotonic()
    proc = subprocess.Popen(
        cmd,
        env=env,
        cwd=HERE.parent,
        stdout=subprocess.PIPE if quiet else None,
        stderr=subprocess.PIPE if quiet else None,
        text=True,
    )
    try:
        _, err = proc.communicate(timeout=timeout)
        rc: int | str = proc.returncode
        tail = (err or "")[-2000:]
    except subprocess.TimeoutExpired:
        # SIGTERM first: the script then stops the sandbox process it started
        proc.terminate()
        try:
            proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
        rc, tail = f"timed out after {timeout:.0f} s", ""
    rows = [Row(**json.loads(line)) for line in results.read_text().splitlines() if line.strip()]
    results.unlink()
    took = time.monotonic() - start
    print(f"[{pid}] {script}: exit {rc}, {len(rows)} rows, {took:.0f} s", flush=True)
    if not rows and tail:
        print(tail, file=sys.stderr)
    return rows


def aggregate(runs: list[list[Row]]) -> list[dict[str, Any]]:
    """One line per (id, label): median over runs, min-max of the runs, min-max of all rounds."""
    by_key: dict[tuple[str, str], list[Row]] = defaultdict(list)
    order: list[tuple[str, str]] = []
    for rows in runs:
        for row in rows:
            key = (row.id, row.label)
            if key not in by_key:
                order.append(key)
            by_key[key].append(row)
    out = []
    for key in order:
        rows = by_key[key]
        values = [r.value for r in rows]
        first = rows[0]
        merged = Row(
            **{
                **first.__dict__,
                "value": statistics.median(values),
                "lo": min(r.lo for r in rows),
                "hi": max(r.hi for r in rows),
                "errors": sum(r.errors for r in rows),
                "a": _median([r.a for r in rows]),
                "b": _median([r.b for r in rows]),
            }
        )
        out.append({"row": merged, "runs": (min(values), max(values)), "n": len(rows)})
    return out


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def _num(value: float | None, unit: str = "") -> str:
    if value is None:
        return ""
    text = f"{value:.3f}" if abs(value) < 100 else f"{value:.0f}"
    return f"{text} {unit}".strip() if unit and unit != "x" else text


def table_lines(lines: list[dict[str, Any]], *, markdown: bool) -> list[str]:
    head = ["id", "measure", "A", "B", "value", "runs min-max", "rounds min-max", "target", ""]
    body = []
    for line in lines:
        row: Row = line["row"]
        lo, hi = line["runs"]
        body.append(
            [
                row.id,
                row.label,
                _num(row.a, row.a_unit if row.a is not None else ""),
                _num(row.b, row.a_unit if row.b is not None else ""),
                _num(row.value, row.unit) + ("x" if row.unit == "x" else ""),
                f"{_num(lo)}-{_num(hi)}" if line["n"] > 1 else "",
                f"{_num(row.lo)}-{_num(row.hi)}",
                fmt_target(row),
                row.verdict,
            ]
        )
    if markdown:
        out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        out += ["| " + " | ".join(cells) + " |" for cells in body]
        return out
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    fmt = "  ".join(f"{{:<{w}}}" if i < 2 else f"{{:>{w}}}" for i, w in enumerate(widths))
    out = [fmt.format(*head), "-" * (sum(widths) + 2 * (len(widths) - 1))]
    out += [fmt.format(*cells) for cells in body]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="every script in its smoke mode")
    parser.add_argument("--repeat", type=int, default=1, help="runs of every script")
    parser.add_argument("--only", default="", help="comma-separated ids, e.g. P5,P7")
    parser.add_argument("--quiet", action="store_true", help="hide the scripts' own tables")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per script run")
    parser.add_argument("--markdown", help="also write the table as Markdown to this file")
    parser.add_argument("--json", help="also write every recorded row (all runs) to this file")
    args = parser.parse_args(argv)
    wanted = {p.strip().upper() for p in args.only.split(",") if p.strip()}
    scripts = [s for s in SCRIPTS if not wanted or s[0] in wanted]
    runs: list[list[Row]] = []
    failed: list[str] = []
    started = time.strftime("%Y-%m-%d %H:%M")
    for i in range(max(1, args.repeat)):
        if args.repeat > 1:
            print(f"\n=== run {i + 1} of {args.repeat} ===", flush=True)
        rows: list[Row] = []
        for pid, script, _, _ in scripts:
            found = run_script(pid, script, args.smoke, args.quiet, args.timeout)
            if not found and (HERE / script).exists():
                failed.append(f"{pid} {script} (run {i + 1})")
            rows += found
        runs.append(rows)
    lines = aggregate(runs)
    title = (
        f"All benchmarks ({'smoke' if args.smoke else 'full'}; {len(runs)} run(s); "
        f"started {started}); value = median over runs"
    )
    print(f"\n{title}\nmachine: {machine_details()}")
    print("\n".join(table_lines(lines, markdown=False)))
    missed = [line["row"] for line in lines if line["row"].verdict.startswith("MISSES")]
    print(
        f"\n{len(lines)} rows; {len(missed)} miss their target; scripts failed: {failed or 'none'}"
    )
    if args.markdown:
        text = "\n".join([f"{title}  ", f"machine: {machine_details()}", ""])
        Path(args.markdown).write_text(text + "\n".join(table_lines(lines, markdown=True)) + "\n")
    if args.json:
        Path(args.json).write_text(
            json.dumps([[r.__dict__ for r in rows] for rows in runs], indent=1)
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
