"""The ``infron`` command: sandbox, models, chat, balance, batch (``cli_batch``).

Errors print one clear line and exit non-zero (never a traceback) for every documented error code;
anything that waits shows progress. Needs the ``cli`` extra (typer, rich).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

try:
    import typer
    from rich.console import Console
    from rich.table import Table
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        'The infron CLI needs the cli extra: pip install "infron-integrations[cli]"'
    ) from exc

from .cli_batch import batch_app
from .core.errors import (
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
        err.print(f"[bold red]error:[/] {_one_line(exc)}", highlight=False)
        raise typer.Exit(_exit_code(exc)) from None
    except KeyboardInterrupt:
        err.print("[yellow]interrupted[/]")
        raise typer.Exit(130) from None
    except Exception as exc:
        converted = convert_openai_error(exc)
        if converted is None:
            raise
        err.print(f"[bold red]error:[/] {_one_line(converted)}", highlight=False)
        raise typer.Exit(_exit_code(converted)) from None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _settings(api_key: str | None, base_url: str | None) -> Any:
    from .core.settings import InfronSettings

    return InfronSettings.resolve(api_key=api_key, base_url=base_url)


@app.command()
def sandbox(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0 picks a free one).")] = 8787,
    host: Annotated[str, typer.Option(help="Loopback address to bind.")] = "127.0.0.1",
    api_key: Annotated[str | None, typer.Option(help="Key the sandbox accepts.")] = None,
) -> None:
    """Serve the local Infron emulator on loopback until Ctrl-C."""
    from .sandbox.__main__ import main as sandbox_main

    argv = ["--port", str(port), "--host", host]
    if api_key:
        argv += ["--api-key", api_key]
    with _errors():
        code = sandbox_main(argv)
    raise typer.Exit(code or 0)


@app.command()
def models(
    filter: Annotated[
        str | None, typer.Argument(help="Show only ids containing this text.", show_default=False)
    ] = None,
    api_key: ApiKey = None,
    base_url: BaseUrl = None,
) -> None:
    """List the model catalog, with prices per million tokens."""
    from .core.http import InfronHTTP

    with _errors():
        settings = _settings(api_key, base_url)
        with err.status("Fetching the model catalog…"):
            catalog = InfronHTTP(settings).models()
    rows = [m for m in catalog.data if not filter or filter.lower() in m.id.lower()]
    table = Table(title=f"{len(rows)} models")
    for column in ("id", "context", "prompt $/M", "completion $/M"):
        table.add_column(column, justify="left" if column == "id" else "right")
    for model in rows:
        pricing = model.pricing or {}
        table.add_row(
            model.id,
            f"{model.context_length:,}" if model.context_length else "-",
            _per_million(pricing.get("prompt")),
            _per_million(pricing.get("completion")),
        )
    out.print(table)


def _per_million(value: Any) -> str:
    try:
        return f"{float(value) * 1_000_000:.2f}"
    except (TypeError, ValueError):
        return "-"


@app.command()
def balance(api_key: ApiKey = None, base_url: BaseUrl = None) -> None:
    """Show the account's remaining credits."""
    from .core.http import InfronHTTP

    with _errors():
        settings = _settings(api_key, base_url)
        with err.status("Asking for the balance…"):
            result = InfronHTTP(settings).balance()
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
    """Chat with a model: streamed answer, reasoning shown dimmed, cost at the end."""
    from .core.options import parse_options

    with _errors():
        settings = _settings(api_key, base_url)
        options = parse_options(
            reasoning={"effort": reasoning} if reasoning else None,
            provider={"order": provider_order.split(",")} if provider_order else None,
        )
        history: list[dict[str, Any]] = [{"role": "system", "content": system}] if system else []
        if prompt is not None:
            _turn(settings, model, options, [*history, {"role": "user", "content": prompt}])
            return
        total = 0.0
        out.print("[dim]Interactive chat: an empty line or Ctrl-D ends it.[/]")
        while True:
            try:
                line = out.input("[bold cyan]you>[/] ")
            except EOFError:
                break
            if not line.strip():
                break
            history.append({"role": "user", "content": line})
            answer, cost = _turn(settings, model, options, history)
            history.append({"role": "assistant", "content": answer})
            total += cost or 0.0
        out.print(f"[dim]session cost: ${total:.6f}[/]")


def _turn(
    settings: Any, model: str, options: Any, messages: list[dict[str, Any]]
) -> tuple[str, float | None]:
    from .core.http import openai_client
    from .core.options import request_fragment
    from .core.stream import StreamAccumulator

    client = openai_client(settings)
    acc = StreamAccumulator()
    answer: list[str] = []
    with err.status("Waiting for the first token…") as status:
        stream = client.chat.completions.create(  # type: ignore[call-overload]
            model=model,
            messages=messages,
            stream=True,
            stream_options={"include_usage": True},
            extra_body=request_fragment(options),
        )
        started = False
        in_reasoning = False
        for chunk in stream:
            data = chunk.model_dump(exclude_none=True)
            acc.feed(data)
            for choice in data.get("choices", ()):
                delta = choice.get("delta", {})
                thought = delta.get("reasoning_content") or delta.get("reasoning")
                text = delta.get("content")
                if (thought or text) and not started:
                    status.stop()
                    started = True
                if thought:
                    out.print(thought, style="dim", end="", highlight=False)
                    in_reasoning = True
                if text:
                    if in_reasoning:
                        out.print()
                        in_reasoning = False
                    out.print(text, end="", highlight=False, markup=False)
                    answer.append(text)
    acc.finish()
    out.print()
    record = acc.usage_record(framework="cli")
    if record is not None:
        cost = "unknown" if record.cost is None else f"${record.cost:.6f}"
        out.print(
            f"[dim]{record.input_tokens} in / {record.output_tokens} out tokens"
            f"{f' ({record.reasoning_tokens} reasoning)' if record.reasoning_tokens else ''}"
            f"{f', {record.cache_read_tokens} cached' if record.cache_read_tokens else ''}"
            f" · cost {cost}"
            f"{f' · via {acc.provider}' if acc.provider else ''}[/]"
        )
    return "".join(answer), record.cost if record else None


def main() -> None:
    """Entry point of the ``infron`` console script."""
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
