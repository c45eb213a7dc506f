"""pyproject's supported ranges and the locked lanes agree (scripts/lanes.py, locks/).

The lower bound of every runtime requirement is exactly what the oldest lane installs, and every
lane's pins sit inside the declared ranges, so "supported" means "tested at both ends".
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
import tomllib
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
SELF = "infron-integrations"


def _lanes() -> ModuleType:
    spec = importlib.util.spec_from_file_location("lanes", ROOT / "scripts" / "lanes.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("lanes", module)
    spec.loader.exec_module(module)
    return module


LANES = _lanes()


def _requirements(extras: list[str]) -> list[Requirement]:
    """The runtime requirements the extras bring in (self-references expanded)."""
    optional = PROJECT["project"]["optional-dependencies"]
    seen: set[str] = set()
    found = [Requirement(r) for r in PROJECT["project"]["dependencies"]]
    todo = list(extras)
    while todo:
        extra = todo.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for raw in optional[extra]:
            requirement = Requirement(raw)
            if canonicalize_name(requirement.name) == SELF:
                todo.extend(requirement.extras)
            else:
                found.append(requirement)
    return found


def _pins(lane: str) -> dict[str, Version]:
    text = (ROOT / "locks" / f"{lane}.txt").read_text()
    return {
        canonicalize_name(m.group(1)): Version(m.group(2))
        for m in re.finditer(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.MULTILINE)
    }


def _floor(requirement: Requirement) -> Version:
    floors = [Version(s.version) for s in requirement.specifier if s.operator == ">="]
    assert len(floors) == 1, f"{requirement} needs exactly one lower bound (>=)"
    return floors[0]


@pytest.mark.parametrize("lane", list(LANES.LANES))
def test_lock_inputs_match_pyproject(lane: str) -> None:
    # the same check scripts/test runs before installing anything
    assert LANES._recorded_digest(lane) == LANES._inputs_digest(lane), (
        f"locks/{lane}.txt is stale: run `bash scripts/lock`"
    )


@pytest.mark.parametrize("lane", list(LANES.LANES))
def test_every_pin_is_inside_the_declared_ranges(lane: str) -> None:
    pins = _pins(lane)
    extras = LANES.LANES[lane]["extras"]
    checked = 0
    for requirement in _requirements(extras):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is missing from locks/{lane}.txt"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"locks/{lane}.txt pins {name}=={pins[name]}, outside {requirement}"
        )
        checked += 1
    assert checked >= 8


def test_lower_bounds_are_what_the_oldest_lane_tests() -> None:
    pins = _pins("oldest")
    mismatched = {
        str(r): str(pins[canonicalize_name(r.name)])
        for r in _requirements(["all"])
        if pins[canonicalize_name(r.name)] != _floor(r)
    }
    assert not mismatched, f"declared lower bound != oldest lane's pin: {mismatched}"


def test_the_lanes_span_the_supported_framework_ranges() -> None:
    newest, oldest, sdk = _pins("newest"), _pins("oldest"), _pins("newest-litellm-sdk")
    # recorded facts: what each lane was resolved to when the ranges were last widened
    assert oldest["openai"].major == 2 and newest["openai"].major == 3
    assert oldest["openai-agents"] == Version("0.20.0")
    assert newest["openai-agents"] >= Version("0.24.0")
    assert oldest["litellm"] == Version("1.106.2")
    assert newest["litellm"] >= Version("1.108.7")  # with its proxy extra
    assert sdk["litellm"] >= Version("1.110.2")  # the SDK alone
    assert oldest["langchain-core"] == Version("1.7.0")
    assert newest["langchain-core"] >= Version("1.8.3")
    assert "litellm-proxy" not in sdk and "fastapi" not in sdk


def test_dev_tools_are_the_same_in_every_lane() -> None:
    newest = _pins("newest")
    for lane in LANES.LANES:
        pins = _pins(lane)
        for tool in LANES._dev_tools():
            assert pins[tool] == newest[tool], f"{tool} differs in the {lane} lane"


def test_readme_table_is_what_the_lanes_test() -> None:
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Supported versions") : readme.index("## Install")]
    rows = [r for r in table.splitlines() if r.startswith("| ") and "`" in r]
    assert len(rows) >= 6
    oldest, newest, sdk = _pins("oldest"), _pins("newest"), _pins("newest-litellm-sdk")
    for row in rows:
        _, extra, requirement, low, high, _ = (c.strip() for c in row.split("|"))
        requirement = requirement.strip("`")
        declared = [str(r) for r in _requirements(["all", "litellm", "langfuse"])]
        assert any(Requirement(requirement) == Requirement(d) for d in declared), requirement
        name, low_version = low.split()
        _, high_version = high.split()
        assert oldest[canonicalize_name(name)] == Version(low_version), row
        top = sdk if extra == "`litellm`" else newest
        assert top[canonicalize_name(name)] == Version(high_version), row
