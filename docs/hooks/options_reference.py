"""mkdocs hook: render the options reference from the pydantic models, so it never drifts.

A page containing ``<!-- options-reference -->`` gets one table per options model, with each
field's name, type, default and description taken from the model itself.

Types are written in one notation whatever the source says (``X | None``, never ``Optional[X]``
or ``Union[...]``), and the type cell is an HTML ``<code>`` whose ``|`` is the entity ``&#124;``:
Python-Markdown keeps a backslash-escaped pipe inside a code span literally (``\\|``), and an
unescaped one would split the table cell.
"""

from __future__ import annotations

import html
import types
import typing
from typing import Any

MARKER = "<!-- options-reference -->"


def type_name(annotation: Any) -> str:
    """``annotation`` in PEP 604 notation: ``list[str] | None``, ``Literal['a', 'b']``."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return type_name(args[0])
    if origin is typing.Union or origin is types.UnionType:
        names = [type_name(a) for a in args if a is not type(None)]
        return " | ".join([*names, "None"] if type(None) in args else names)
    if origin is typing.Literal:
        return f"Literal[{', '.join(repr(a) for a in args)}]"
    if annotation is type(None):
        return "None"
    if origin is not None:
        name = getattr(origin, "__name__", str(origin))
        return f"{name}[{', '.join(type_name(a) for a in args)}]"
    return getattr(annotation, "__name__", str(annotation).replace("typing.", ""))


def _code(text: str) -> str:
    return f"<code>{html.escape(text, quote=False).replace('|', '&#124;')}</code>"


def _table(model: Any) -> str:
    lines = [
        f"### `{model.__name__}`",
        "",
        (model.__doc__ or "").strip().split("\n\n")[0],
        "",
        "| field | type | default | description |",
        "|---|---|---|---|",
    ]
    for name, field in model.model_fields.items():
        default = "required" if field.is_required() else repr(field.get_default(call_default_factory=True))
        description = (field.description or "").replace("|", "\\|")
        lines.append(
            f"| `{name}` | {_code(type_name(field.annotation))} | {_code(default)} | {description} |"
        )
    return "\n".join(lines)


def render() -> str:
    from infron_integrations.core import options

    models = [
        options.InfronOptions,
        options.ProviderPreferences,
        options.Percentiles,
        options.ProviderSort,
        options.Reasoning,
        options.WebSearchOptions,
        options.UserLocation,
        options.ApproximateLocation,
        options.PromptCache,
        options.CacheControl,
        options.UsageAccounting,
    ]
    return "\n\n".join(_table(m) for m in models)


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    if MARKER in markdown:
        return markdown.replace(MARKER, render())
    return markdown
