"""Every per-feature example runs offline against the sandbox and shows its feature.

Each script is run as a user would run it (a subprocess, no INFRON_API_KEY), so it starts its own
sandbox through ``live_or_sandbox``; the markers below are what the script exists to show.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
# Tested elsewhere: tests/e2e/test_quickstart.py, tests/e2e/test_retrieval_pipeline.py,
# tests/openai_agents/test_agents_example.py.
TESTED_ELSEWHERE = {"quickstart.py", "langchain_retrieval.py", "agents_quickstart.py"}

Check = Callable[[str], None]


def _number(pattern: str, out: str) -> float:
    found = re.search(pattern, out)
    assert found, f"{pattern!r} not in output:\n{out}"
    return float(found.group(1))


def _routing(out: str) -> None:
    assert "[normal] served by: anthropic" in out
    # the sandbox's outage header takes the first provider down: the next one in order serves it
    assert "[fallback] served by: amazon-bedrock" in out


def _reasoning(out: str) -> None:
    reasoning = re.search(r"^reasoning: (.+)$", out, re.M)
    answer = re.search(r"^answer: (.+)$", out, re.M)
    assert reasoning and answer and reasoning.group(1) != answer.group(1)
    assert "answer from the Infron sandbox" in answer.group(1)
    assert "answer from the Infron sandbox" not in reasoning.group(1)  # kept apart
    assert _number(r"reasoning tokens: (\d+)", out) > 0


def _prompt_caching(out: str) -> None:
    calls = re.findall(r"call (\d): .*cache write tokens: (\d+), cached tokens: (\d+)", out)
    assert [c[0] for c in calls] == ["1", "2"], out
    assert int(calls[0][1]) > 0 and int(calls[0][2]) == 0  # first call writes the cache
    assert int(calls[1][2]) > 0  # the second reads it
    reads = re.findall(r"cache read \$(\d+\.\d+)", out)
    assert len(reads) == 2 and float(reads[0]) == 0 and float(reads[1]) > 0


def _web_search(out: str) -> None:
    assert re.search(r"citations \([1-9]\d*\)", out), out
    assert re.search(r"^  - .+: https://search\.sandbox\.invalid/\S+$", out, re.M), out
    assert _number(r"web search cost: \$(\d+\.\d+)", out) > 0


def _structured_output(out: str) -> None:
    assert re.search(r"parsed: City\(name='Lisbon', country='[^']*', population=\d+", out), out
    assert "type: City" in out


def _cost_budget(out: str) -> None:
    assert re.search(r"budget stop( \(\w+\))?: Infron budget exceeded", out), out
    costs = [float(c) for c in re.findall(r"\$(\d+\.\d+)", out.split("per-request costs:")[1])]
    requests = int(_number(r"total: (\d+) requests", out))
    assert requests >= 2 and all(c > 0 for c in costs[:requests])
    total = _number(r"total: .*\$(\d+\.\d+) \(budget", out)
    budget = _number(r"\(budget \$(\d+\.\d+)\)", out)
    assert total > budget  # the crossing request completed and was counted, then the loop stopped
    assert total - costs[0] <= budget  # ... and it was the only one past the budget


def _retrieval(out: str) -> None:
    assert re.search(r"embedded 7 texts, \d+ dimensions", out), out
    ranked = re.findall(r"rerank score (\d\.\d+)  (.+)", out)
    assert len(ranked) == 2 and float(ranked[0][0]) >= float(ranked[1][0]) > 0
    assert ranked[0][1].startswith("Washington, D.C.")
    for kind in ("embeddings", "rerank", "chat"):
        assert _number(rf"{kind} +1 request\(s\) +\$(\d+\.\d+)", out) > 0


def _batch_api(out: str) -> None:
    live = _number(r"batch +\(live requests\): 200 answers, 200 requests, \$(\d+\.\d+)", out)
    batched = _number(r"batch_api \(Batch API\): +200 answers, 200 requests, \$(\d+\.\d+)", out)
    assert live > 0 and batched == pytest.approx(live / 2, abs=2e-6)  # 50% of standard prices
    assert "batch_api / batch cost: 50%" in out
    assert re.search(r"^  batch completed: 200/200 done$", out, re.M), out
    assert _number(r"its cost \$(\d+\.\d+), request id [0-9a-f]{32}", out) > 0


def _search_agent(out: str) -> None:
    # the model searched (Exa, through the sandbox's Search APIs), read the results, answered
    sources = re.findall(r"^  - .+: (https://search\.sandbox\.invalid/exa/\S+)$", out, re.M)
    assert "searched (exa)" in out and len(sources) == 3, out
    answer = re.search(r"^answer: Based on infron_search: (.+)$", out, re.M)
    assert answer and all(url in answer.group(1) for url in sources), out
    assert "requests: chat 2, search 1" in out
    assert _number(r"search cost: \$(\d+\.\d+)", out) == 0.005  # what Exa reported
    assert _number(r"total cost: \$(\d+\.\d+)", out) > 0.005  # ... plus the model's cost
    assert "(0 request(s) reported no cost)" in out


def _has(*markers: str) -> Check:
    def check(out: str) -> None:
        for marker in markers:
            assert marker in out, f"{marker!r} not in output:\n{out}"

    return check


CHECKS: dict[str, tuple[Check, ...]] = {
    "langchain_routing.py": (_routing, _has("[per-call order] served by: google-vertex")),
    "langchain_reasoning.py": (_reasoning,),
    "langchain_prompt_caching.py": (_prompt_caching,),
    "langchain_web_search.py": (_web_search,),
    "langchain_structured_output.py": (_structured_output,),
    "langchain_cost_budget.py": (_cost_budget,),
    "langchain_search_agent.py": (_search_agent,),
    "langchain_batch_api.py": (_batch_api,),
    "litellm_routing.py": (_routing, _has("[sort=price] served by: anthropic")),
    "litellm_reasoning.py": (_reasoning,),
    "litellm_prompt_caching.py": (_prompt_caching,),
    "litellm_web_search.py": (_web_search,),
    "litellm_structured_output.py": (_structured_output, _has('raw JSON: {"name": "Lisbon"')),
    "litellm_cost_budget.py": (_cost_budget, _has("(InfronLiteLLMBudgetExceededError)")),
    "litellm_retrieval.py": (_retrieval,),
    "litellm_search_agent.py": (_search_agent,),
    "agents_routing.py": (_routing, _has("[agent order] served by: google-vertex")),
    "agents_reasoning.py": (_reasoning,),
    "agents_prompt_caching.py": (_prompt_caching,),
    "agents_web_search.py": (_web_search,),
    "agents_structured_output.py": (_structured_output,),
    "agents_cost_budget.py": (_cost_budget,),
    "agents_search_agent.py": (_search_agent,),
}


def _run(script: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("INFRON_API_KEY", "INFRON_BASE_URL")}
    return subprocess.run(
        [sys.executable, str(EXAMPLES / script)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("script", sorted(CHECKS))
def test_example_runs_offline_and_shows_its_feature(script: str) -> None:
    result = _run(script)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert "built-in sandbox" in out
    for check in CHECKS[script]:
        check(out)


def test_every_example_script_is_tested() -> None:
    scripts = {path.name for path in EXAMPLES.glob("*.py")}
    untested = scripts - set(CHECKS) - TESTED_ELSEWHERE
    assert not untested, f"example scripts without a test: {sorted(untested)}"
    assert set(CHECKS) <= scripts, f"tests for missing scripts: {sorted(set(CHECKS) - scripts)}"
    # never shadow a framework module for a script run from examples/
    assert not scripts & {"litellm.py", "agents.py", "langchain.py", "openai.py"}
