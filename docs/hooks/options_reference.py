"""mkdocs hook: render the options reference from the pydantic models, so it never drifts.

A page containing ``<!-- options-reference -->`` gets one table per options model, with each
field's name, type, default and description taken from the model itself.
"""

from __future__ import annotations

from typing import Any

MARKER = "<!-- options-reference -->"


def _type_name(annotation: Any) -> str:
    text = repr(annotation) if not isinstance(annotation, type) else annotation.__name__
    for prefix in ("typing.", "infron_integrations.core.options.", "pydantic.types."):
        text = text.replace(prefix, "")
    return text.replace("Annotated[bool, Strict(strict=True)]", "bool").replace("|", "\\|")


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
        lines.append(f"| `{name}` | `{_type_name(field.annotation)}` | `{default}` | {description} |")
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
