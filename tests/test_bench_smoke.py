"""Every benchmark script still runs: each in its smoke mode, as its own process (each starts its
own sandbox process). Exit 0 and its table printed; timings are not asserted (shared machines)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"

#: script -> a line its table prints
SCRIPTS = {
    "bench_langchain_chat.py": "ChatInfron vs ChatOpenAI",
    "bench_litellm.py": "LiteLLM infron/ vs openai/",
    "bench_agents.py": "Agents SDK per agent turn",
    "bench_import.py": "P4 import cost",
    "bench_concurrency.py": "P5: 20 concurrent async requests",
    "bench_init.py": "P6: init per instance after the first",
    "bench_stream.py": "P7: one ",
    "bench_openrouter.py": "ChatOpenRouter",
    "sandbox_throughput.py": "throughput:",
}


def _run(
    args: list[str], env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=BENCH.parent,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_every_script_is_covered() -> None:
    on_disk = {p.name for p in BENCH.glob("*.py") if not p.name.startswith("_")}
    assert on_disk - {"run_all.py"} <= set(SCRIPTS), "add the new script to SCRIPTS"


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_script_smoke(script: str, tmp_path: Path) -> None:
    path = BENCH / script
    if not path.exists():
        pytest.skip(f"bench/{script} is not in this checkout")
    results = tmp_path / "rows.jsonl"
    result = _run([str(path), "--smoke"], {"INFRON_BENCH_RESULTS": str(results)})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert SCRIPTS[script] in result.stdout, result.stdout[-3000:]
    if script in ("sandbox_throughput.py", "bench_openrouter.py"):
        return  # no rows: a plain report, or the optional package is not installed
    rows = [json.loads(line) for line in results.read_text().splitlines()]
    assert rows, "the script recorded no rows for run_all.py"
    for row in rows:
        assert row["label"] and isinstance(row["value"], float), row


def test_run_all_smoke(tmp_path: Path) -> None:
    markdown = tmp_path / "table.md"
    result = _run(
        [
            str(BENCH / "run_all.py"),
            "--smoke",
            "--quiet",
            "--only",
            "P6",
            "--markdown",
            str(markdown),
        ],
        {},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "All benchmarks (smoke" in result.stdout
    lines = [line for line in result.stdout.splitlines() if line.startswith("P6 ")]
    assert len(lines) >= 5, result.stdout  # one per adapter object
    assert markdown.read_text().count("\n| P") == len(lines)
