"""The published fault matrix (``docs/reliability.md``) is what the tests produce.

* the page is exactly ``render_matrix.render()`` of the committed ``fault_matrix.json``;
* that file lays out every row and column of ``rel_matrix``, and its failing cells are exactly
  the strict xfails of ``test_rel_matrix.KNOWN_FAILURES``, with the same reasons;
* after a session that ran the whole matrix, this run's outcomes equal the committed ones (this
  test is moved after every cell by ``conftest.py``). On drift: ``INFRON_UPDATE_MATRIX=1 pytest
  tests/reliability`` rewrites both files from a full run.
"""

from __future__ import annotations

import os

import pytest
import rel_registry
from rel_matrix import COLUMNS, ROWS
from render_matrix import render
from test_rel_matrix import KNOWN_FAILURES

HINT = f"regenerate with {rel_registry.UPDATE_ENV}=1 pytest tests/reliability"

pytestmark = pytest.mark.skipif(
    os.environ.get(rel_registry.UPDATE_ENV) == "1",
    reason="the matrix files are rewritten at the end of this session",
)


def test_docs_page_is_rendered_from_the_committed_matrix() -> None:
    page = rel_registry.DOCS_PAGE.read_text()
    assert page == render(rel_registry.load_committed()), f"docs/reliability.md drifted; {HINT}"


def test_committed_matrix_has_every_cell_of_the_layout() -> None:
    committed = rel_registry.load_committed()
    expected = {rel_registry.key(r.id, c.id) for r in ROWS for c in COLUMNS}
    assert set(committed["cells"]) == expected, HINT
    # rows, columns and settings as the tests define them now
    assert committed == rel_registry.matrix_data(committed["cells"]), HINT
    outcomes = {cell["outcome"] for cell in committed["cells"].values()}
    assert outcomes <= {"pass", "xfail"}, "a published cell failed without an explanation"


def test_failing_cells_are_the_known_failures() -> None:
    committed = rel_registry.load_committed()["cells"]
    failing = {k: c["reason"] for k, c in committed.items() if c["outcome"] == "xfail"}
    known = {
        rel_registry.key(row, column): reason for (row, column), reason in KNOWN_FAILURES.items()
    }
    assert failing == known, HINT


def test_committed_matrix_matches_this_run() -> None:
    if not rel_registry.full_matrix_observed():
        pytest.skip("only checked after a run of the whole matrix (pytest tests/reliability)")
    committed = rel_registry.load_committed()["cells"]
    observed = rel_registry.OBSERVED
    drift = {
        key: {"committed": committed.get(key), "observed": observed.get(key)}
        for key in sorted(set(committed) | set(observed))
        if committed.get(key) != observed.get(key)
    }
    assert not drift, f"{len(drift)} cells differ from fault_matrix.json ({HINT}): {drift}"
