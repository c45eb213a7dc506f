"""The ``infron`` command: sandbox, models, chat (``cli_chat``), balance, batch (``cli_batch``).

Errors print one clear line and exit non-zero (never a traceback) for every documented error code;
anything that waits shows progress. Needs the ``cli`` extra (typer, rich).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from typing import Annotated, Any

try:
    import typer
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        'The infron CLI needs the cli extra: pip install "infron-integrations[cli]"'
    ) from exc

from .cli_batch import batch_app
from .core.errors import (
    InfronAPIError,
    InfronAuthenticationError,
    InfronConfigError,
    InfronConnectionError,
    InfronError,
    InfronInsufficientCreditsError,
)

app = typer.Typer(
    name="infron",
    help="Infron gateway from the command line: chat, models, balance, batches, a local sandbox.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(batch_app, name="batch")
out = Console()
err = Console(stderr=True)

ApiKey = Annotated[
    str | None,
    typer.Option("--api-key", envvar="INFRON_API_KEY", help="Infron API key.", show_default=False),
]
BaseUrl = Annotated[
    str | None,
    typer.Option("--base-url", envvar="INFRON_BASE_URL", help="Inference base URL."),
]

#: exit codes, so scripts can tell failures apart
EXIT_ERROR, EXIT_CONFIG, EXIT_AUTH, EXIT_CREDITS, EXIT_CONNECTION = 1, 2, 3, 4, 5


def _exit_code(exc: InfronError) -> int:
    if isinstance(exc, InfronConfigError):
        return EXIT_CONFIG
    if isinstance(exc, InfronAuthenticationError):
        return EXIT_AUTH
    if isinstance(exc, InfronInsufficientCreditsError):
        return EXIT_CREDITS
    if isinstance(exc, InfronConnectionError):
        return EXIT_CONNECTION
    return EXIT_ERROR


@contextmanager
def _errors() -> Iterator[None]:
    """Turn every Infron error into one red line and an exit code."""
    from .core.openai_compat import convert_openai_error

    try:
        yield
    except InfronError as exc:
        _print_error(exc)
        raise typer.Exit(_exit_code(exc)) from None
    except KeyboardInterrupt:
        err.print("[yellow]interrupted[/]")
        raise typer.Exit(130) from None
    except Exception as exc:
        converted = convert_openai_error(exc)
        if converted is None:
            raise
        _print_error(converted)
        raise typer.Exit(_exit_code(converted)) from None


def _print_error(exc: BaseException) -> None:
    # the message is not markup ("[request_id: ...]" would vanish as a tag) and never wraps, so
    # a script reading stderr sees exactly one line whatever the terminal's width
    line = Text.assemble(("error:", "bold red"), " ", _one_line(exc))
    err.print(line, highlight=False, soft_wrap=True)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if isinstance(exc, InfronAPIError) and exc.param == "model":
        text += " Run `infron models` for the model ids."
    return text


def _settings(api_key: str | None, base_url: str | None) -> Any:
    from .core.settings import InfronSettings

    return InfronSettings.resolve(api_key=api_key, base_url=base_url)


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def sandbox(ctx: typer.Context) -> None:
    """Serve the local Infron emulator on loopback until Ctrl-C (options: --help)."""
    # the arguments go unchanged to the one parser both sandbox commands share, so
    # `infron sandbox` and `python -m infron_integrations.sandbox` take the same options
    from .sandbox.__main__ import main as sandbox_main

    raise typer.Exit(sandbox_main(list(ctx.args), prog="infron sandbox"))


class ModelSort(str, Enum):
    id = "id"
    price = "price"
    context = "context"


@app.command()
def models(
    filter: Annotated[
        str | None, typer.Argument(help="Show only ids containing this text.", show_default=False)
    ] = None,
    sort: Annotated[
        ModelSort, typer.Option(help="Order by id, price (prompt + completion) or context.")
    ] = ModelSort.id,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the catalog entries as JSON, for scripts.")
    ] = False,
    api_key: ApiKey = None,
    base_url: BaseUrl = None,
) -> None:
    """List the model catalog: context, output limit, prices per million tokens, capabilities."""
    from .core.http import InfronHTTP

    with _errors():
        settings = _settings(api_key, base_url)
        with err.status("Fetching the model catalog…"):
            catalog = InfronHTTP(settings).models()
    rows = [m for m in catalog.data if not filter or filter.lower() in m.id.lower()]
    rows.sort(key=_SORT_KEYS[sort])
    if as_json:
        print(json.dumps([m.model_dump(exclude_none=True) for m in rows], indent=2))
        return
    table = Table(title=f"{len(rows)} models")
    for column in _MODEL_COLUMNS:
        table.add_column(column, justify="left" if column in ("id", "capabilities") else "right")
    for model in rows:
        pricing = model.pricing or {}
        table.add_row(
            model.id,
            _count(model.context_length),
            _count((model.top_provider or {}).get("max_completion_tokens")),
            _per_million(pricing.get("prompt")),
            _per_million(pricing.get("completion")),
            _usd(pricing.get("request")),
            ", ".join(capabilities(model)),
        )
    out.print(table)


_MODEL_COLUMNS = (
    "id",
    "context",
    "max out",
    "prompt $/M",
    "completion $/M",
    "$/request",
    "capabilities",
)


def _price(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("inf")  # unpriced models sort last


def _total_price(model: Any) -> tuple[float, str]:
    pricing = model.pricing or {}
    return _price(pricing.get("prompt")) + _price(pricing.get("completion")), model.id


_SORT_KEYS: dict[ModelSort, Any] = {
    ModelSort.id: lambda m: m.id,
    ModelSort.price: _total_price,
    ModelSort.context: lambda m: (-(m.context_length or 0), m.id),
}


def capabilities(model: Any) -> list[str]:
    """Short capability names read from a catalog entry's parameters and modalities."""
    if model.type in ("embedding", "rerank"):
        return [model.type]
    params = set(model.supported_parameters or ())
    inputs = set((model.architecture or {}).get("input_modalities") or ())
    found = [
        ("tools", "tools" in params),
        ("reasoning", "reasoning" in params),
        ("json-schema", "structured_outputs" in params),
        ("vision", "image" in inputs),
        ("pdf", "file" in inputs),
        ("audio", "audio" in inputs),
        ("video", "video" in inputs),
    ]
    return [name for name, present in found if present]


def _count(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) and value else "-"


def _per_million(value: Any) -> str:
    try:
        return f"{float(value) * 1_000_000:.2f}"
    except (TypeError, ValueError):
        return "-"


def _usd(value: Any) -> str:
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return "-"


@app.command()
def balance(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the balance as JSON, for scripts.")
    ] = False,
    api_key: ApiKey = None,
    base_url: BaseUrl = None,
) -> None:
    """Show the account's remaining credits."""
    from .core.http import InfronHTTP

    with _errors():
        settings = _settings(api_key, base_url)
        with err.status("Asking for the balance…"):
            result = InfronHTTP(settings).balance()
    if as_json:
        fields = {"account_name": result.account_name, "credit_balance": result.credit_balance}
        print(json.dumps(fields))
        return
    name = f" ({result.account_name})" if result.account_name else ""
    out.print(f"credit balance{name}: [bold]${result.credit_balance:,.4f}[/]")


@app.command()
def chat(
    prompt: Annotated[
        str | None,
        typer.Argument(
            help="One-shot prompt; omit it for an interactive chat.", show_default=False
        ),
    ] = None,
    model: Annotated[str, typer.Option("--model", "-m", help="Model id.")] = "openai/gpt-4o-mini",
    system: Annotated[str | None, typer.Option(help="System prompt.")] = None,
    reasoning: Annotated[
        str | None,
        typer.Option(help="Reasoning effort: xhigh|high|medium|low|minimal|none."),
    ] = None,
    provider_order: Annotated[
        str | None, typer.Option(help="Comma-separated provider slugs to try in order.")
    ] = None,
    api_key: ApiKey = None,
    base_url: BaseUrl = None,
) -> None:
    """Chat with a model: streamed answer, reasoning dimmed, cost after each answer.

    Interactive: Ctrl-C stops an answer, Ctrl-D or 'exit' ends the chat and prints its cost.
    """
    from .cli_chat import ChatSession, interactive, one_shot
    from .core.options import parse_options

    with _errors():
        options = parse_options(
            reasoning={"effort": reasoning} if reasoning else None,
            provider={"order": provider_order.split(",")} if provider_order else None,
        )
        session = ChatSession(_settings(api_key, base_url), model, options)
        if system:
            session.history.append({"role": "system", "content": system})
        if prompt is not None:
            one_shot(session, prompt, out, err)
        else:
            interactive(session, out, err)


def main() -> None:
    """Entry point of the ``infron`` console script."""
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
