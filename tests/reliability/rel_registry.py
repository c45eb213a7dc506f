"""Where the fault-matrix cells of this test session are collected, and the committed results.

``conftest.py`` fills :data:`OBSERVED` from each cell's report (passed, or a strict xfail with
its reason); ``test_rel_matrix_doc.py`` compares it with :data:`MATRIX_JSON`, the committed
results that ``render_matrix.py`` turns into ``docs/reliability.md``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
MATRIX_JSON = HERE / "fault_matrix.json"
DOCS_PAGE = ROOT / "docs" / "reliability.md"
#: set to 1 to rewrite MATRIX_JSON and DOCS_PAGE from a full run of the matrix
UPDATE_ENV = "INFRON_UPDATE_MATRIX"

#: "row|column" -> {"outcome": "pass" | "xfail" | "fail", "summary": str, "reason": str}
OBSERVED: dict[str, dict[str, str]] = {}
#: whether this session runs proxy cells of the matrix (then the proxy boots at the first cell)
PROXY_SELECTED = False
#: summaries recorded by the running cell, keyed by pytest node id
PENDING: dict[str, tuple[str, str, str]] = {}


def key(row: str, column: str) -> str:
    return f"{row}|{column}"


def full_matrix_observed() -> bool:
    """Whether every cell of the matrix ran in this session."""
    from rel_matrix import COLUMNS, ROWS

    return all(key(r.id, c.id) in OBSERVED for r in ROWS for c in COLUMNS)


def matrix_data(cells: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The JSON document for a set of cells, with the rows and columns it is laid out on."""
    from rel_matrix import COLUMNS, MAX_RETRIES, ROWS, SLOW, TIMEOUT

    return {
        "about": (
            "Fault matrix of the reliability tests (tests/reliability/test_rel_matrix.py). "
            f"Regenerate with {UPDATE_ENV}=1 pytest tests/reliability; "
            "render with python tests/reliability/render_matrix.py."
        ),
        "settings": {"max_retries": MAX_RETRIES, "timeout": TIMEOUT, "slow": SLOW},
        "columns": [{"id": c.id, "framework": c.framework, "label": c.label} for c in COLUMNS],
        "rows": [{"id": r.id, "label": r.label, "fault": r.fault} for r in ROWS],
        "cells": {k: cells[k] for k in sorted(cells)},
    }


def load_committed() -> dict[str, Any]:
    return json.loads(MATRIX_JSON.read_text())


def dump(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
