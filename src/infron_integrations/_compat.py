"""Guarded imports: a missing extra names the pip command that fixes it."""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["require"]


def require(module: str, extra: str) -> ModuleType:
    """Import ``module`` or raise an ImportError that says which extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"{module!r} is not installed; it comes with the {extra!r} extra: "
            f'pip install "infron-integrations[{extra}]"'
        ) from exc
