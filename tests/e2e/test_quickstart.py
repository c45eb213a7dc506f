"""The quickstart runs offline against the sandbox and ends with the cost table."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_quickstart_runs_offline_and_prints_the_cost_table() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("INFRON_API_KEY", "INFRON_BASE_URL")}
    env["COLUMNS"] = "160"
    result = subprocess.run(
        [sys.executable, "examples/quickstart.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "using the built-in sandbox" in out
    for title in (
        "LangChain: a streamed answer",
        "tool-calling agent",
        "retrieval",
        "LiteLLM",
        "Agents SDK",
    ):
        assert title in out
    assert "reasoning:" in out and "answer:" in out
    assert "tool call get_weather" in out
    table = out[out.index("What the run cost and used") :]
    for framework in ("langchain", "litellm", "openai-agents"):
        assert framework in table
    total = re.search(r"total\s.*?(\d+\.\d{8})", table)
    assert total and float(total.group(1)) > 0
    assert "Traceback" not in result.stderr
