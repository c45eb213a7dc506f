"""A batch job that survives the process: its journal, the polling policy, the batch errors.

Docs: Batch. A :class:`BatchJob` is what a caller needs to find its work again: the batch id and
the requests' ``custom_id``\\ s in input order. With a journal file it is written before the batch
is sent (so a crash mid-request leaves a trace) and again once the id is known, and the results
are kept next to it as received, before anything reads them: nothing is lost if the process stops
while waiting or while collecting. The journal never holds the API key.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from .batch_wire import BatchInfo
from .errors import InfronConfigError, InfronError

__all__ = [
    "JOURNAL_FORMAT",
    "BatchJob",
    "BatchPolling",
    "InfronBatchError",
    "InfronBatchTimeoutError",
    "OnUpdate",
]

JOURNAL_FORMAT = "infron-batch-journal/1"
#: called with every status seen while waiting
OnUpdate = Callable[[BatchInfo], None]


class InfronBatchError(InfronError):
    """A batch as a whole cannot give what was asked (failed, not finished, no results).

    Attributes:
        batch_id: the batch.
        info: its last known status, if any.
    """

    def __init__(self, message: str, *, batch_id: str, info: BatchInfo | None = None) -> None:
        super().__init__(message)
        self.batch_id = batch_id
        self.info = info


class InfronBatchTimeoutError(InfronBatchError):
    """Waiting for a batch took longer than the caller's timeout. The batch goes on running."""


class BatchPolling(BaseModel):
    """How to wait for a batch: a first interval, a backoff factor, a cap, and a timeout.

    The default waits 5 s, then 7.5 s, ... up to 60 s between polls, for at most 25 hours (the
    docs' completion window is 24 hours).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    interval: float = Field(default=5.0, gt=0, description="Seconds before the second poll.")
    backoff: float = Field(default=1.5, ge=1, description="Factor applied after every poll.")
    max_interval: float = Field(default=60.0, gt=0, description="Longest wait between polls.")
    timeout: float = Field(default=25 * 3600.0, gt=0, description="Give up after this long.")

    def delays(self) -> Iterator[float]:
        """The waits between polls, growing by ``backoff`` up to ``max_interval``."""
        delay = min(self.interval, self.max_interval)
        while True:
            yield delay
            delay = min(delay * self.backoff, self.max_interval)


@dataclass
class BatchJob:
    """A submitted batch: its id, its requests' ``custom_id``\\ s in order, and its journal.

    Attributes:
        batch_id: the gateway's id ("" while the create request is in flight).
        custom_ids: the requests' ids, in input order (empty when resumed from a bare id).
        journal: the journal file, if any.
        info: the last status seen.
    """

    batch_id: str
    custom_ids: list[str] = field(default_factory=list)
    journal: Path | None = None
    info: BatchInfo | None = None
    base_url: str | None = None
    #: the JSONL results as received (kept in ``<journal>.results.jsonl`` too)
    results_text: str | None = field(default=None, repr=False)

    @property
    def results_path(self) -> Path | None:
        return (
            self.journal.with_name(self.journal.name + ".results.jsonl") if self.journal else None
        )

    def save(self) -> None:
        """Write the journal atomically (no-op without one). It never holds the API key."""
        if self.journal is None:
            return
        data = {
            "format": JOURNAL_FORMAT,
            "batch_id": self.batch_id or None,
            "base_url": self.base_url,
            "custom_ids": self.custom_ids,
            "state": self.info.state if self.info else "submitting",
            "saved_at": int(time.time()),
        }
        _write_atomic(self.journal, json.dumps(data, indent=1) + "\n")

    def keep_results(self, text: str) -> None:
        """Hold the results as received, on disk first when there is a journal."""
        path = self.results_path
        if path is not None:
            _write_atomic(path, text)
        self.results_text = text

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> BatchJob:
        """The job a journal describes (with the results it kept, if any).

        Raises:
            InfronConfigError: the file cannot be read, or is not a journal.
            InfronBatchError: the journal has no batch id: the process stopped while the create
                request was in flight, so whether the batch exists is unknown.
        """
        journal = Path(path)
        try:
            data = json.loads(journal.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InfronConfigError(
                f"Cannot read the batch journal {journal}: {exc}. Pass the file that "
                "journal=... (or --journal) wrote, or the batch id."
            ) from None
        if not isinstance(data, dict) or data.get("format") != JOURNAL_FORMAT:
            raise InfronConfigError(f"{journal} is not a batch journal ({JOURNAL_FORMAT}).")
        job = cls(
            batch_id=data.get("batch_id") or "",
            custom_ids=list(data.get("custom_ids") or []),
            journal=journal,
            base_url=data.get("base_url"),
        )
        if not job.batch_id:
            raise InfronBatchError(
                f"The journal {journal} has no batch id: the process stopped while the batch "
                "was being created, so the gateway may or may not have it. Check the account's "
                "usage before submitting it again.",
                batch_id="",
            )
        results = job.results_path
        if results is not None and results.exists():
            job.results_text = results.read_text(encoding="utf-8")
        return job


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
