"""The locked test environments ("lanes"): what each one installs, how its lock is made, and the
check that the locks still match pyproject.toml.

Run by ``scripts/lock`` and ``scripts/test`` with the tools environment's Python (uv is there):

    python scripts/lanes.py lock [LANE ...]   re-resolve the locks (needs the package index)
    python scripts/lanes.py check             exit 1 when pyproject.toml changed since the locks
    python scripts/lanes.py names             the lanes, in the order the test command runs them
    python scripts/lanes.py venv LANE         the virtual environment a lane uses
    python scripts/lanes.py mypy-python LANE  the Python version mypy checks the lane's code as
    python scripts/lanes.py pytest-args LANE  the pytest arguments a lane adds

Each lock records a digest of its inputs (pyproject's requirements and this file's lane table);
when they change, ``check`` fails and says to run ``bash scripts/lock``. A lock is therefore never
re-resolved by a test run: what CI installs is exactly what was tested, whatever the index serves
by then.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the tools environment installs tomli there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
LOCKS = ROOT / "locks"
PYPROJECT = ROOT / "pyproject.toml"
#: the interpreter the locks are resolved for (CI's); see README "Supported versions"
PYTHON_VERSION = "3.11"

LANES: dict[str, dict[str, object]] = {
    # The newest releases that resolve together, with every extra (LiteLLM with its proxy).
    # langchain-core 1.8 and openai 3 (httpx2) need Python 3.11: mypy checks as 3.11 here.
    "newest": {"extras": ["all"], "resolution": "highest", "venv": ".venv", "mypy_python": "3.11"},
    # Every direct requirement at the lowest version that resolves with the others; pyproject's
    # lower bounds are these versions (tests/test_locks.py holds them equal).
    "oldest": {
        "extras": ["all"],
        "resolution": "lowest-direct",
        "venv": ".venv-oldest",
        "tools_from": "newest",
        # every locked runtime package supports 3.10: the oldest Python we claim is checked here
        "mypy_python": "3.10",
    },
    # LiteLLM's SDK alone moves past the newest proxy release the index can install
    # (litellm[proxy] >= 1.108.8 needs litellm-enterprise / litellm-proxy-extras / litellm-proxy
    # releases it does not carry); this lane tests the SDK's newest without the proxy.
    "newest-litellm-sdk": {
        "extras": ["langchain", "litellm", "agents", "sandbox", "cli"],
        "resolution": "highest",
        "venv": ".venv-litellm-sdk",
        "mypy_python": "3.11",
        "pytest_args": ["-m", "not litellm_proxy"],
    },
}


RESOLUTION_KEYS = ("extras", "resolution", "tools_from")


def _inputs_digest(lane: str) -> str:
    project = tomllib.loads(PYPROJECT.read_text())
    inputs = {
        "requires-python": project["project"].get("requires-python"),
        "dependencies": project["project"].get("dependencies", []),
        "optional-dependencies": project["project"].get("optional-dependencies", {}),
        "dependency-groups": project.get("dependency-groups", {}),
        # only what changes the resolution: venv paths and test arguments do not
        "lane": {k: LANES[lane][k] for k in RESOLUTION_KEYS if k in LANES[lane]},
        "python": PYTHON_VERSION,
    }
    raw = json.dumps(inputs, sort_keys=True).encode()
    return hashlib.sha256(raw).hexdigest()


def _lock_path(lane: str) -> Path:
    return LOCKS / f"{lane}.txt"


def _recorded_digest(lane: str) -> str | None:
    path = _lock_path(lane)
    if not path.exists():
        return None
    match = re.search(r"^# inputs-sha256: ([0-9a-f]{64})$", path.read_text(), re.MULTILINE)
    return match.group(1) if match else None


#: dev packages that are frameworks under test, not tools: each lane resolves them with its own
#: versions (LangChain's agent package must match the lane's langchain-core)
LANE_FRAMEWORKS = frozenset({"langchain"})


def _dev_tools() -> set[str]:
    """The dev group's tools: every lane installs the same versions of them (the newest lane's),
    so lint, format, type checks and the test harness mean the same in each."""
    project = tomllib.loads(PYPROJECT.read_text())
    names = set()
    for requirement in project["dependency-groups"]["dev"]:
        match = re.match(r"[A-Za-z0-9_.-]+", requirement)
        if match:
            names.add(match.group(0).lower().replace("_", "-"))
    return names - LANE_FRAMEWORKS


def _floor(requirement: str) -> tuple[str, str] | None:
    match = re.match(r"([A-Za-z0-9_.-]+)(?:\[[^]]*\])?\s*>=\s*([0-9][0-9.]*)", requirement)
    return (match.group(1).lower(), match.group(2)) if match else None


def _framework_floors() -> list[str]:
    """``name==floor`` for every runtime requirement of the package (its ``>=`` bound) and each
    of :data:`LANE_FRAMEWORKS` in the dev group: held there, a newer release pulled in by the
    dev group (LangChain's agent package wants a newer langchain-core) cannot lift them."""
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    runtime = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        runtime += extra
    dev = tomllib.loads(PYPROJECT.read_text())["dependency-groups"]["dev"]
    floors = {f for f in map(_floor, runtime) if f is not None}
    floors |= {f for f in map(_floor, dev) if f is not None and f[0] in LANE_FRAMEWORKS}
    return sorted(f"{name}=={version}" for name, version in floors)


def _pins(lock: Path, names: set[str]) -> list[str]:
    pins = []
    for line in lock.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line)
        if match and match.group(1).lower().replace("_", "-") in names:
            pins.append(f"{match.group(1)}=={match.group(2)}")
    return pins


def lock(lanes: list[str]) -> None:
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or "uv"
    LOCKS.mkdir(exist_ok=True)
    # lanes that borrow tools from another lane are resolved after it
    for lane in sorted(lanes, key=lambda name: "tools_from" in LANES[name]):
        spec = LANES[lane]
        out = _lock_path(lane)
        cmd = [uv, "pip", "compile", str(PYPROJECT), "--group", "dev", "--generate-hashes"]
        cmd += ["--python-version", PYTHON_VERSION, "--resolution", str(spec["resolution"])]
        cmd += ["--no-header", "--quiet", "--output-file", str(out)]
        for extra in spec["extras"]:  # type: ignore[attr-defined]
            cmd += ["--extra", extra]
        with tempfile.TemporaryDirectory() as tmp:
            if "tools_from" in spec:
                tools = Path(tmp) / "tools.txt"
                pins = _pins(_lock_path(str(spec["tools_from"])), _dev_tools())
                if spec["resolution"] == "lowest-direct":
                    # uv resolves the dev group highest whatever the resolution: the frameworks
                    # in it are held at their declared floors here, as the extras are
                    pins += _framework_floors()
                tools.write_text("\n".join(pins))
                cmd += ["--constraint", str(tools)]
            print(f"==> resolving the {lane} lane", file=sys.stderr)
            subprocess.run(cmd, check=True, cwd=ROOT)
            # the constraint file's temporary path would change the lock on every run
            text = out.read_text().replace(f"-c {tmp}/tools.txt", "dev tools as in the newest lane")
        header = (
            f"# The {lane!r} lane's lock. Generated by `bash scripts/lock`; do not edit.\n"
            f"# inputs-sha256: {_inputs_digest(lane)}\n"
        )
        out.write_text(header + text)


def check() -> int:
    stale = [lane for lane in LANES if _recorded_digest(lane) != _inputs_digest(lane)]
    if stale:
        print(
            f"locks/ is out of date for {', '.join(stale)}: pyproject.toml's requirements (or the "
            "lane table in scripts/lanes.py) changed since they were resolved. Run "
            "`bash scripts/lock` and commit locks/.",
            file=sys.stderr,
        )
        return 1
    return 0


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    command, args = argv[0], argv[1:]
    if command == "lock":
        unknown = [a for a in args if a not in LANES]
        if unknown:
            print(f"unknown lane(s) {unknown}; lanes: {list(LANES)}", file=sys.stderr)
            return 2
        lock(args or list(LANES))
        return check()
    if command == "check":
        return check()
    if command == "names":
        print(" ".join(LANES))
        return 0
    if command == "venv":
        print(ROOT / str(LANES[args[0]]["venv"]))
        return 0
    if command == "mypy-python":
        print(LANES[args[0]]["mypy_python"])
        return 0
    if command == "pytest-args":  # one per line, for bash's mapfile
        for arg in LANES[args[0]].get("pytest_args", []):  # type: ignore[attr-defined]
            print(arg)
        return 0
    print(f"unknown command {command!r}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
