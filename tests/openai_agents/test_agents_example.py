"""The quickstart example runs offline against the sandbox and prints the cost."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "agents_quickstart.py"


def test_quickstart_runs_offline() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("INFRON_API_KEY", "OPENAI_API_KEY")}
    out = subprocess.run(
        [sys.executable, str(EXAMPLE)], capture_output=True, text=True, env=env, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert "using the built-in sandbox at http://127.0.0.1:" in out.stdout
    assert "Based on get_weather: sunny and 21 degrees C in Lisbon." in out.stdout
    assert "[handoff]  spanish_agent:" in out.stdout
    total = re.search(r"Total: 4 requests, .* \$(\d+\.\d+) \(gateway-reported\)", out.stdout)
    assert total is not None and float(total.group(1)) > 0
