"""``infron batch``: submit a JSONL file to the Batch API, follow it, fetch its results, cancel it.

Docs: Batch. Every command takes a batch id or the journal file ``submit --journal`` wrote.
Errors print one line and exit non-zero, like the other commands; a batch that is still running
when the command stops waiting exits with code 6, so a script can try again later.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from .core.batch_wire import BatchInfo
    from .core.batches import InfronBatches

batch_app = typer.Typer(
    name="batch",
    help="The Batch API (50% of standard prices): submit, status, results, cancel.",
    no_args_is_help=True,
)

#: the batch has not ended (yet): waiting stopped, or results were asked for too early
EXIT_PENDING = 6

BatchArg = Annotated[str, typer.Argument(help="Batch id, or the journal file of `submit`.")]
ApiKey = Annotated[
    str | None,
    typer.Option("--api-key", envvar="INFRON_API_KEY", help="Infron API key.", show_default=False),
]
BaseUrl = Annotated[
    str | None, typer.Option("--base-url", envvar="INFRON_BASE_URL", help="Inference base URL.")
]
Interval = Annotated[float, typer.Option(help="Seconds between the first polls (then backoff).")]
Timeout = Annotated[float, typer.Option(help="Stop waiting after this many seconds.")]


def _client(api_key: str | None, base_url: str | None, interval: float, timeout: float) -> Any:
    from .cli import _settings
    from .core.batches import BatchPolling, InfronBatches

    polling = BatchPolling(interval=interval, max_interval=max(interval, 60.0), timeout=timeout)
    return InfronBatches(_settings(api_key, base_url), polling=polling)


@contextmanager
def _pending() -> Iterator[None]:
    """A batch that has not ended is not a failure: say so, and exit with EXIT_PENDING."""
    from .cli import err
    from .core.batches import InfronBatchError

    try:
        yield
    except InfronBatchError as exc:
        if exc.info is None or exc.info.state == "failed":
            raise
        err.print(f"[yellow]pending:[/] {' '.join(str(exc).split())}", highlight=False)
        raise typer.Exit(EXIT_PENDING) from None


def _line(info: BatchInfo) -> str:
    counts = info.request_counts
    cost = "" if info.cost is None else f" · cost so far ${info.cost:.6f}"
    return (
        f"batch {info.id}: {info.state} · {counts.done}/{counts.total} done "
        f"({counts.completed} ok, {counts.failed} failed){cost}"
    )


def _follow(client: InfronBatches, batch: Any) -> BatchInfo:
    """Wait for the batch with a live progress bar (on stderr)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .cli import err

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=False) as progress:
        task = progress.add_task("waiting", total=None)

        def update(info: BatchInfo) -> None:
            counts = info.request_counts
            progress.update(
                task,
                description=info.state,
                total=counts.total or None,
                completed=counts.done,
            )

        info: BatchInfo = client.wait(batch, on_update=update)
    return info


def _read_requests(path: Path) -> list[dict[str, Any]]:
    from .core.errors import InfronConfigError

    requests = []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InfronConfigError(f"{path}:{number} is not JSON ({exc.msg}).") from None
        if not isinstance(value, dict):
            raise InfronConfigError(f"{path}:{number} must be an object with custom_id and params.")
        requests.append(value)
    return requests


@batch_app.command()
def submit(
    file: Annotated[
        Path, typer.Argument(help="JSONL: one {custom_id, params} request per line.", exists=True)
    ],
    journal: Annotated[
        Path | None, typer.Option(help="Record the job here (resume with this path).")
    ] = None,
    wait: Annotated[bool, typer.Option(help="Wait for the batch, with a progress bar.")] = False,
    interval: Interval = 5.0,
    timeout: Timeout = 25 * 3600.0,
    api_key: ApiKey = None,
    base_url: BaseUrl = None,
) -> None:
    """Validate every request of FILE, then submit them as one batch (50% price)."""
    from .cli import _errors, err, out

    with _errors(), _pending():
        client = _client(api_key, base_url, interval, timeout)
        requests = _read_requests(file)
        with err.status(f"Submitting {len(requests)} requests…"):
            job = client.create(requests, journal=journal)
        out.print(f"submitted {job.batch_id} ({len(requests)} requests)", highlight=False)
        if journal is not None:
            out.print(f"journal: {journal}", highlight=False)
        if wait:
            out.print(_line(_follow(client, job)), highlight=False)


@batch_app.command()
def status(
    batch: BatchArg,
    wait: Annotated[bool, typer.Option(help="Wait until it ends, with a progress bar.")] = False,
    interval: Interval = 5.0,
    timeout: Timeout = 25 * 3600.0,
    api_key: ApiKey = None,
    base_url: BaseUrl = None,
) -> None:
    """Show a batch's state and request counts (with --wait: follow it to the end)."""
    from .cli import _errors, err, out

    with _errors(), _pending():
        client = _client(api_key, base_url, interval, timeout)
        if wait:
            info = _follow(client, batch)
        else:
            with err.status("Asking for the batch status…"):
                info = client.status(batch)
        out.print(_line(info), highlight=False)


@batch_app.command()
def results(
    batch: BatchArg,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the JSONL here (default: stdout).")
    ] = None,
    wait: Annotated[bool, typer.Option(help="Wait for the batch to end first.")] = False,
    interval: Interval = 5.0,
    timeout: Timeout = 25 * 3600.0,
    api_key: ApiKey = None,
    base_url: BaseUrl = None,
) -> None:
    """Write the results as JSONL (lines as received, in request order when known)."""
    from .cli import _errors, err, out

    with _errors(), _pending():
        client = _client(api_key, base_url, interval, timeout)
        job = client.job(batch)
        if wait:
            _follow(client, job)
        with err.status("Fetching the results…"):
            found = client.results(job, framework="cli")
        lines = [json.dumps(item.line, ensure_ascii=False) for item in found if item.line]
        lines += found.unreadable  # kept verbatim: nothing the gateway sent is dropped
        text = "".join(line + "\n" for line in lines)
        if output is None:
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            output.write_text(text, encoding="utf-8")
        missing = sum(1 for item in found if item.status == "missing")
        cost = found.total_cost
        summary = (
            f"{len(found.succeeded)} succeeded, {len(found.failed) - missing} failed"
            f"{f', {missing} missing' if missing else ''}"
            f"{f', {len(found.unreadable)} unreadable' if found.unreadable else ''}"
            f" · cost {'unknown' if cost is None else f'${cost:.6f}'}"
            f"{f' · written to {output}' if output is not None else ''}"
        )
        (out if output is not None else err).print(summary, highlight=False)


@batch_app.command()
def cancel(batch: BatchArg, api_key: ApiKey = None, base_url: BaseUrl = None) -> None:
    """Cancel a batch; answers produced before the cancel stay in its results."""
    from .cli import _errors, err, out

    with _errors():
        client = _client(api_key, base_url, 5.0, 60.0)
        with err.status("Cancelling…"):
            info = client.cancel(batch)
        out.print(_line(info), highlight=False)
