"""The root import is cheap and framework-free; the core never imports a framework."""

from __future__ import annotations

import json
import subprocess
import sys

import infron_integrations
import infron_integrations.core

FRAMEWORKS = ("langchain", "langchain_core", "langchain_openai", "litellm", "agents")


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def test_root_import_loads_nothing_heavy() -> None:
    loaded = _modules_after("import infron_integrations")
    heavy = {m.split(".")[0] for m in loaded} & {*FRAMEWORKS, "pydantic", "httpx", "openai"}
    assert heavy == set()


def test_core_imports_no_framework() -> None:
    loaded = _modules_after(
        "import infron_integrations.core\n"
        "from infron_integrations.core import InfronSettings, InfronHTTP, request_fragment\n"
        "request_fragment({'provider': {'sort': 'price'}})"
    )
    assert {m.split(".")[0] for m in loaded} & set(FRAMEWORKS) == set()


def test_public_names_are_pinned() -> None:
    assert "__version__" in infron_integrations.__all__
    for name in infron_integrations.core.__all__:
        assert getattr(infron_integrations.core, name) is not None
    for name in ("InfronOptions", "ProviderPreferences", "track_usage", "InfronSettings"):
        assert getattr(infron_integrations, name) is getattr(infron_integrations.core, name)


def test_missing_extra_names_the_pip_command() -> None:
    import pytest

    from infron_integrations._compat import require

    with pytest.raises(ImportError, match=r'pip install "infron-integrations\[nothing\]"'):
        require("a_module_that_does_not_exist", "nothing")
