"""A framework's private names are used only in that adapter's ``_compat.py``.

Three checks, which together with ruff's SLF001 rule (private attribute access, on for src/ outside
the compat modules) keep the rule honest:

* no module outside a ``_compat.py`` imports a private module or name of a framework;
* no class outside a ``_compat.py`` overrides a framework's private method (LangChain's documented
  extension points for custom models excepted);
* every private name a compat module declares still exists in the installed versions (this suite
  runs on the oldest and the newest supported releases).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import infron_integrations

SRC = Path(infron_integrations.__file__).parent
FRAMEWORKS = ("langchain_core", "langchain_openai", "litellm", "agents", "openai")
#: LangChain's documented hooks for a custom chat model / embeddings / compressor / tool /
#: retriever (public API although underscored: https://python.langchain.com/docs/how_to/custom_chat_model/,
#: .../how_to/custom_tools/ ("subclass BaseTool ... _run, _arun"), .../how_to/custom_retriever/)
DOCUMENTED_HOOKS = frozenset(
    {
        "_generate", "_agenerate", "_stream", "_astream", "_llm_type", "_identifying_params",
        "_run", "_arun", "_get_relevant_documents", "_aget_relevant_documents",
    }
)  # fmt: skip


def _is_framework(module: str) -> bool:
    return module.split(".")[0] in FRAMEWORKS


def _private(module: str) -> bool:
    return any(part.startswith("_") for part in module.split("."))


def _source_files() -> list[Path]:
    return [p for p in SRC.rglob("*.py") if p.name != "_compat.py" and "sandbox" not in p.parts]


def _private_imports(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if not _is_framework(node.module):
                continue
            names = [a.name for a in node.names if a.name.startswith("_")]
            if _private(node.module) or names:
                found.append(f"{node.lineno}: from {node.module} import {names or '...'}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if _is_framework(alias.name) and _private(alias.name):
                    found.append(f"{node.lineno}: import {alias.name}")
    return found


def _private_overrides(module: ModuleType) -> list[str]:
    found = []
    for cls in vars(module).values():
        if not inspect.isclass(cls) or cls.__module__ != module.__name__:
            continue
        for attr in vars(cls):
            if not attr.startswith("_") or attr.startswith("__") or attr == "_abc_impl":
                continue
            if attr in DOCUMENTED_HOOKS:
                continue
            owners = [
                base.__module__
                for base in cls.__mro__[1:]
                if attr in vars(base) and _is_framework(base.__module__)
            ]
            if owners:
                found.append(f"{module.__name__}.{cls.__name__}.{attr} overrides {owners[0]}")
    return found


def _adapter_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(infron_integrations.__path__, "infron_integrations."):
        parts = info.name.split(".")
        in_adapter = len(parts) > 1 and parts[1] in ("langchain", "litellm", "openai_agents")
        if in_adapter and parts[-1] != "_compat":
            names.append(info.name)
    return names


def test_no_private_framework_imports_outside_compat() -> None:
    found = [
        f"{path.relative_to(SRC)}:{hit}"
        for path in _source_files()
        for hit in _private_imports(path.read_text())
    ]
    assert not found, "private framework imports outside a _compat.py:\n" + "\n".join(found)


def test_no_private_framework_overrides_outside_compat() -> None:
    modules = _adapter_modules()
    assert len(modules) >= 20
    found = [hit for name in modules for hit in _private_overrides(importlib.import_module(name))]
    assert not found, "private framework methods overridden outside _compat:\n" + "\n".join(found)


def _resolve(owner: str, name: str) -> object:
    module_name, _, class_name = owner.partition(":")
    target: object = importlib.import_module(module_name)
    if class_name:
        target = getattr(target, class_name)
    return getattr(target, name)


def test_langchain_compat_names_exist_in_the_installed_versions() -> None:
    compat = importlib.import_module("infron_integrations.langchain._compat")
    assert len(compat.PRIVATE_NAMES) >= 10
    for entry in compat.PRIVATE_NAMES:
        assert entry.why
        _resolve(entry.owner, entry.name)  # AttributeError names what disappeared


def test_the_scans_find_what_they_look_for() -> None:
    from langchain_openai.chat_models.base import BaseChatOpenAI

    source = (
        "from langchain_openai.chat_models.base import _convert_message_to_dict\n"
        "import agents.models._openai_shared\n"
        "from litellm.types.utils import ModelResponse\n"
    )
    assert [hit.split(":")[0] for hit in _private_imports(source)] == ["1", "2"]

    module = ModuleType("example_adapter")

    class Sneaky(BaseChatOpenAI):  # type: ignore[misc]
        def _get_request_payload(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
            return {}

        def _generate(self, *args: Any, **kwargs: Any) -> Any:  # documented hook: allowed
            raise NotImplementedError

    Sneaky.__module__ = module.__name__
    module.Sneaky = Sneaky  # type: ignore[attr-defined]
    assert _private_overrides(module) == [
        "example_adapter.Sneaky._get_request_payload overrides langchain_openai.chat_models.base"
    ]
    with pytest.raises(AttributeError):
        _resolve("langchain_openai.chat_models.base:BaseChatOpenAI", "_no_such_private")


def test_ruffs_allowed_private_names_are_ours() -> None:
    # SLF001 lets sibling modules call these; none may be a framework's private name
    import tomllib

    project = tomllib.loads((SRC.parents[1] / "pyproject.toml").read_text())
    allowed = project["tool"]["ruff"]["lint"]["flake8-self"]["extend-ignore-names"]
    assert allowed
    clashes = []
    for name in [*_adapter_modules(), "infron_integrations.langchain._compat"]:
        for cls in vars(importlib.import_module(name)).values():
            if not inspect.isclass(cls):
                continue
            for base in cls.__mro__:
                if _is_framework(base.__module__):
                    clashes += [f"{base.__qualname__}.{n}" for n in allowed if n in vars(base)]
    assert not clashes, f"framework names in extend-ignore-names: {sorted(set(clashes))}"
