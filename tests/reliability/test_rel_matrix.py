"""R1: the fault matrix. Every sandbox fault x every adapter path, each cell a test.

A cell records what it observed (``matrix_cell``) before it asserts, so the published table
(``docs/reliability.md``) shows the outcome of every cell, including the known failures, which
are strict ``xfail``s naming the bug and where its fix goes (see ``KNOWN_FAILURES``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import rel_registry
from rel_drivers import ANSWER, RETRY_AFTER, Call, Observation, observe
from rel_matrix import (
    COLUMN,
    COLUMNS,
    MAX_RETRIES,
    ROW,
    ROWS,
    SLOW,
    TIMEOUT,
    Column,
    Row,
    error_summary,
    expected_attempts,
    expected_message,
    failure_kind,
    model_for,
    native_types,
    needs_request_id,
    request_id_of,
    status_of,
    unwrap,
)

CHAT = "/v1/chat/completions"

#: (row, column) -> why the cell fails and where the fix goes. Each is a strict xfail: when the
#: bug is fixed the cell passes, the xfail turns into a failure, and the entry must be removed.
KNOWN_FAILURES: dict[tuple[str, str], str] = {}


def _chat_log(sandbox: Any) -> list[Any]:
    return [r for r in sandbox.requests if r.path == CHAT]


def _charged(sandbox: Any) -> float:
    state = sandbox.state
    return float(Decimal(repr(state.config.initial_balance)) - state.balance(sandbox.api_key))


def _settle(sandbox: Any, timeout: float) -> None:
    """Wait until every logged request has been answered (a slow fault keeps the sandbox busy
    after the client gave up; its late charge must not land in the next test)."""
    deadline = time.monotonic() + timeout
    while any(r.status is None for r in sandbox.requests) and time.monotonic() < deadline:
        time.sleep(0.05)


class Cell:
    """One (row, column): runs the calls, collects the summary, then checks."""

    def __init__(self, row: Row, column: Column, sandbox: Any, proxy: Any) -> None:
        self.row = row
        self.column = column
        self.sandbox = sandbox
        self.proxy = proxy
        self.lines: list[str] = []
        self.checks: list[Callable[[], None]] = []

    def call(self, fault: str, *, max_retries: int = MAX_RETRIES, timeout: float | None = None):  # type: ignore[no-untyped-def]
        self.sandbox.reset()
        call = Call(self.sandbox, model_for(fault), max_retries, timeout, self.proxy)
        obs = observe(self.column.id, call)
        if self.row.kind == "timeout":
            _settle(self.sandbox, SLOW + 3)
        log = _chat_log(self.sandbox)
        return obs, log, _charged(self.sandbox)

    # -- a call that must come back with the full answer --------------------------------------

    def expect_answer(
        self, fault: str, statuses: list[int], *, waited: float = 0.0, label: str = ""
    ) -> None:
        obs, log, charged = self.call(fault)
        if obs.error is None:
            retried = "retried → answer" if len(log) > 1 else "answer"
            self.lines.append(f"{label}{retried} · {len(log)} req")
        else:
            self.lines.append(label + error_summary(obs.error, len(log), self.row, self.column))

        def check() -> None:
            assert obs.error is None, f"{fault}: {obs.error!r}"
            assert [r.status for r in log] == statuses
            assert obs.answer == ANSWER
            if self.column.stream:
                assert obs.finished and obs.streamed == ANSWER  # every chunk once, in order
            if obs.usage_records is not None:  # the failed attempt is not counted
                assert obs.usage_records == 1
                assert obs.usage_cost == pytest.approx(charged)
            assert obs.elapsed >= waited, f"Retry-After ({waited} s) was not waited for"

        self.checks.append(check)

    # -- a call that must raise the framework's own exception ---------------------------------

    def expect_error(
        self, fault: str, *, attempts: int, label: str = "", **call_kw: Any
    ) -> Observation:
        obs, log, _ = self.call(fault, **call_kw)
        if obs.error is None:
            self.lines.append(f"{label}**returned** {obs.answer!r} · {len(log)} req")
        else:
            self.lines.append(label + error_summary(obs.error, len(log), self.row, self.column))
        row, column = self.row, self.column

        def check() -> None:
            error = obs.error
            assert error is not None, f"{fault}: returned {obs.answer!r} instead of raising"
            assert obs.answer is None
            assert len(log) == attempts, f"{len(log)} requests, expected {attempts}"
            target = unwrap(error)
            if target is not error:
                assert column.framework == "LiteLLM SDK" and column.stream, repr(error)
            missing = [t.__name__ for t in native_types(row, column) if not isinstance(target, t)]
            assert not missing, f"{type(target).__mro__} is not {missing}"
            if failure_kind(row, column) == "api":
                assert str(status_of(error)) == str(row.status)
                if row.kind == "inband" and column.framework != "LiteLLM proxy":
                    assert target.in_band is True  # type: ignore[attr-defined]
            assert expected_message(row) in str(error)
            if needs_request_id(row, column):
                assert request_id_of(error) == log[-1].request_id, str(error)
            if obs.usage_records is not None:
                assert obs.usage_records == 0, "a failed call was counted"
            if column.stream:  # a broken stream never completes, and shows only the answer's start
                assert not obs.finished
                assert ANSWER.startswith(obs.streamed), obs.streamed
            if row.kind == "timeout":
                bound = (1 + MAX_RETRIES) * (TIMEOUT + 1.5)
                assert obs.elapsed < bound, f"took {obs.elapsed:.1f} s"

        self.checks.append(check)
        return obs

    def run(self) -> None:
        row, column = self.row, self.column
        if row.id == "429":
            # the fault clears: the adapter waits Retry-After, retries, and answers
            self.expect_answer(
                "fail-once:429", [429, 200], waited=RETRY_AFTER, label="`fail-once:429` → "
            )
            # it does not: with no retries left the error says how long to wait (the proxy's
            # router keeps its configured retries)
            proxy = column.framework == "LiteLLM proxy"
            obs = self.expect_error(
                "429",
                attempts=expected_attempts(row, column) if proxy else 1,
                max_retries=MAX_RETRIES if proxy else 0,
                label="`429` → " if proxy else "`429`, max_retries=0 → ",
            )
            if not proxy:
                self.checks.append(lambda: _check_retry_after(obs))
        elif row.kind == "recover":
            self.expect_answer(row.fault, [row.status or 0, 200])
        elif row.kind == "timeout":
            self.expect_error(row.fault, attempts=expected_attempts(row, column), timeout=TIMEOUT)
        else:
            self.expect_error(row.fault, attempts=expected_attempts(row, column))

    def summary(self) -> str:
        return "<br>".join(self.lines)

    def check(self) -> None:
        for check in self.checks:
            check()


def _check_retry_after(obs: Observation) -> None:
    assert obs.error is not None
    assert unwrap(obs.error).retry_after == RETRY_AFTER  # type: ignore[attr-defined]


def _cell(row: Row, column: Column) -> Any:
    # the proxy's cells need litellm[proxy]: the lane without it deselects them by this marker
    marks = [pytest.mark.litellm_proxy] if column.framework == "LiteLLM proxy" else []
    return pytest.param(row.id, column.id, marks=marks, id=f"{column.id}:{row.id}")


CELLS = [_cell(row, column) for column in COLUMNS for row in ROWS]


@pytest.mark.parametrize(("row_id", "column_id"), CELLS)
def test_fault_matrix(
    row_id: str,
    column_id: str,
    infron_sandbox: Any,
    matrix_cell: Callable[[str, str, str], None],
    request: pytest.FixtureRequest,
) -> None:
    if rel_registry.PROXY_SELECTED:  # boot the proxy now, while the other columns run
        request.getfixturevalue("rel_proxy_process")
    row, column = ROW[row_id], COLUMN[column_id]
    known = KNOWN_FAILURES.get((row_id, column_id))
    if known:
        request.applymarker(pytest.mark.xfail(reason=known, strict=True))
    proxy = request.getfixturevalue("rel_proxy") if column.framework == "LiteLLM proxy" else None
    cell = Cell(row, column, infron_sandbox, proxy)
    cell.run()
    matrix_cell(row_id, column_id, cell.summary())
    cell.check()
