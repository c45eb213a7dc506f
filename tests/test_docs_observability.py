"""docs/observability.md: every claim names the test that checks it, and its examples' names exist.

The behaviour itself is tested by the files the page names (each captures a tool's export and
compares the cost with the sandbox's charge); this keeps the page and those tests together.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = (ROOT / "docs" / "observability.md").read_text()


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", PAGE, re.DOTALL)


def test_every_section_names_a_test_that_exists() -> None:
    named = re.findall(r"Tested in `(tests/[\w/]+\.py)`", PAGE)
    assert len(named) == 3
    for path in named:
        assert (ROOT / path).is_file(), path


def test_the_examples_parse_and_import_what_exists() -> None:
    blocks = _python_blocks()
    assert len(blocks) == 4
    imported = 0
    for block in blocks:
        for node in ast.walk(ast.parse(block)):
            if isinstance(node, ast.ImportFrom) and node.module:
                module = importlib.import_module(node.module)
                for alias in node.names:
                    assert hasattr(module, alias.name), f"{node.module}.{alias.name}"
                    imported += 1
    assert imported >= 6


def test_the_field_the_page_documents_is_chatinfrons() -> None:
    from infron_integrations.langchain import ChatInfron

    field = ChatInfron.model_fields["cost_in_usage_metadata"]
    assert field.default is False
    assert "cost_in_usage_metadata=True" in PAGE


def test_the_page_is_in_the_site_navigation() -> None:
    assert "Cost in your observability tools: observability.md" in (ROOT / "mkdocs.yml").read_text()
