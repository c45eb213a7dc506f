"""Fixtures and hooks of the reliability tests.

* ``rel_proxy`` (session): a real ``litellm --config`` proxy on the session's loopback sandbox,
  started only when a test asks for it, stopped by pid at the end. Every test that uses it carries
  the ``litellm_proxy`` marker, so ``-m "not litellm_proxy"`` (the lane without ``litellm[proxy]``)
  leaves exactly those out.
* ``matrix_cell``: a cell of the fault matrix records its observed outcome; the report hook adds
  whether it held (or is a known, strictly expected failure) and :mod:`rel_registry` keeps it.
* At the end of a session that ran the whole matrix, ``INFRON_UPDATE_MATRIX=1`` rewrites
  ``fault_matrix.json`` and ``docs/reliability.md``; ``test_rel_matrix_doc.py`` fails on drift.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import litellm
import pytest
import rel_registry

litellm.suppress_debug_info = True


@pytest.fixture(scope="session", autouse=True)
def catalog_dir(catalog_dir: Path) -> Path:
    """The shared catalog cache (``tests/conftest.py``), set up before any test here."""
    return catalog_dir


@pytest.fixture(autouse=True)
def _infron_registered(litellm_registered: None) -> None:
    """Every test here runs with ``infron/`` registered (``tests/conftest.py``)."""


@pytest.fixture(autouse=True)
def _no_trace_export() -> Iterator[None]:
    # no trace leaves the process unless a test points the exporter at its own loopback server
    from agents import set_tracing_disabled

    set_tracing_disabled(True)
    yield
    set_tracing_disabled(True)


@pytest.fixture(scope="session")
def rel_proxy_process(
    infron_sandbox_server: Any, catalog_dir: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """The proxy subprocess, started (not yet ready): asked for early so its boot overlaps."""
    from rel_proxy import LITELLM, run_proxy

    if not LITELLM.exists():
        pytest.fail(f"the litellm proxy CLI is missing at {LITELLM} (the litellm extra has it)")
    workdir = tmp_path_factory.mktemp("rel-proxy")
    with run_proxy(infron_sandbox_server.api_key, infron_sandbox_server.base_url, workdir) as p:
        yield p


@pytest.fixture(scope="session")
def rel_proxy(rel_proxy_process: Any) -> Any:
    """A ready ``litellm --config`` proxy on the session's sandbox (see ``rel_proxy.py``)."""
    return rel_proxy_process.ready()


@pytest.fixture
def matrix_cell(request: pytest.FixtureRequest) -> Callable[[str, str, str], None]:
    """``record(row, column, summary)``: the cell's observed outcome, before its assertions."""

    def record(row: str, column: str, summary: str) -> None:
        rel_registry.PENDING[request.node.nodeid] = (row, column, summary)

    return record


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when != "call":
        return report
    pending = rel_registry.PENDING.pop(item.nodeid, None)
    if pending is None:
        return report
    row, column, summary = pending
    reason = getattr(report, "wasxfail", "")
    if report.passed and not reason:
        outcome = "pass"
    elif report.skipped and reason:
        outcome = "xfail"  # failed as the strict xfail said it would
    else:
        outcome = "fail"
    reason = reason.removeprefix("reason: ")
    rel_registry.OBSERVED[rel_registry.key(row, column)] = {
        "outcome": outcome,
        "summary": summary,
        "reason": reason if outcome == "xfail" else "",
    }
    return report


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # LiteLLM's own pydantic models warn about ReadOnly TypedDict items when first built: noise
    # from the framework, not from the adapters
    here = str(config.rootpath / "tests" / "reliability")
    quiet = pytest.mark.filterwarnings("ignore:Item.*ReadOnly:UserWarning")
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(quiet)
    # the comparison of this run's matrix with the committed one runs after every cell
    last = [i for i in items if "test_rel_matrix_doc.py::test_committed_matrix" in i.nodeid]
    for item in last:
        items.remove(item)
        items.append(item)


def pytest_collection_finish(session: pytest.Session) -> None:
    # after -m/-k deselection (which runs after the hook above): boot the proxy early only when a
    # proxy cell of the matrix is actually going to run
    rel_registry.PROXY_SELECTED = any(
        "test_rel_matrix.py::" in item.nodeid and item.get_closest_marker("litellm_proxy")
        for item in session.items
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get(rel_registry.UPDATE_ENV) != "1" or not rel_registry.full_matrix_observed():
        return
    if any(c["outcome"] == "fail" for c in rel_registry.OBSERVED.values()):
        return  # never publish a matrix with unexplained failures
    from render_matrix import render

    data = rel_registry.matrix_data(rel_registry.OBSERVED)
    rel_registry.MATRIX_JSON.write_text(rel_registry.dump(data))
    rel_registry.DOCS_PAGE.write_text(render(data))
