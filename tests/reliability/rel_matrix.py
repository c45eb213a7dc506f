"""The fault matrix (R1): its rows (sandbox faults), its columns (adapter paths), and what each
cell must show.

Docs: Errors code (statuses, in-band errors in a 200 body or an SSE stream) and Streaming.

Every cell runs real calls against the sandbox (``rel_drivers``) and checks, as a user would see
it: a retryable fault is retried within ``max_retries`` (and, when it clears, the full answer comes
back, counted once); otherwise the framework's own exception type is raised, carrying the status,
the gateway's message and Infron's request id; a broken stream raises, and its partial text is
never handed over as a complete answer. The cell's observed outcome becomes one line of the
published table (``docs/reliability.md``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import litellm
import openai
from langchain_core import exceptions as lce

from infron_integrations.core import errors as core
from infron_integrations.sandbox.faults import STATUS_MESSAGES

#: retries allowed to every adapter in the matrix (the proxy's router is configured the same)
MAX_RETRIES = 1
#: client timeout for the "slow response" row, and the slowness the sandbox injects
TIMEOUT = 0.4
SLOW = 1
INBAND_MESSAGE = "Upstream provider error during generation"


@dataclass(frozen=True)
class Column:
    id: str
    framework: str
    label: str
    stream: bool


COLUMNS = (
    Column("lc-invoke", "LangChain", "`ChatInfron.invoke`", False),
    Column("lc-ainvoke", "LangChain", "`ainvoke`", False),
    Column("lc-stream", "LangChain", "`stream`", True),
    Column("lc-astream", "LangChain", "`astream`", True),
    Column("litellm-completion", "LiteLLM SDK", "`litellm.completion`", False),
    Column("litellm-acompletion", "LiteLLM SDK", "`acompletion`", False),
    Column("litellm-stream", "LiteLLM SDK", "`completion(stream=True)`", True),
    Column("litellm-astream", "LiteLLM SDK", "`acompletion(stream=True)`", True),
    Column("proxy", "LiteLLM proxy", "`chat.completions.create`", False),
    Column("proxy-stream", "LiteLLM proxy", "`create(stream=True)`", True),
    Column("agents-run", "OpenAI Agents SDK", "`Runner.run`", False),
    Column("agents-streamed", "OpenAI Agents SDK", "`Runner.run_streamed`", True),
)
COLUMN = {c.id: c for c in COLUMNS}


@dataclass(frozen=True)
class Row:
    id: str
    label: str
    #: ``retry``: a retryable status (fail-once recovers, a persistent fault raises after the
    #: bound); ``recover``: fails once then succeeds; ``final``: a non-retryable status; and the
    #: response-shape faults ``inband``, ``timeout``, ``malformed``, ``drop``
    kind: str
    fault: str
    status: int | None = None


ROWS = (
    Row("429", "429 with `Retry-After`", "retry", "429", 429),
    Row("502", "502 bad gateway", "retry", "502", 502),
    Row("503", "503 no provider", "retry", "503", 503),
    Row("408", "408 gateway timeout", "retry", "408", 408),
    Row("fail-once", "fails once, then succeeds", "recover", "fail-once:503", 503),
    Row("error-in-200", "error inside a 200 body", "inband", "error-in-200", 502),
    Row("error-in-stream", "error inside the SSE stream", "inband", "error-in-stream", 502),
    Row("slow", f"slow response ({SLOW} s) vs {TIMEOUT} s timeout", "timeout", f"slow:{SLOW}"),
    Row("malformed-sse", "malformed SSE frame", "malformed", "malformed-sse"),
    Row("drop-mid-stream", "connection dropped mid-response", "drop", "drop-mid-stream"),
    Row("401", "401 bad key", "final", "401", 401),
    Row("402", "402 out of credits", "final", "402", 402),
    Row("400", "400 bad request", "final", "400", 400),
)
ROW = {r.id: r for r in ROWS}


def model_for(fault: str) -> str:
    """The sandbox model id that injects ``fault``."""
    return f"sandbox/fault-{fault}"


# --- attempts on the wire ----------------------------------------------------------------------

#: The LiteLLM router retries errors of the non-stream route, in-band and broken bodies included;
#: the SDK adapters retry statuses and connection failures only.
_PROXY_RETRIES_EVERYTHING = {"inband", "malformed", "drop"}


def expected_attempts(row: Row, column: Column) -> int:
    """Requests the sandbox should see for the row's (persistent) fault through ``column``."""
    if row.kind in ("retry", "timeout"):
        return 1 + MAX_RETRIES
    if row.kind in ("final", "recover"):
        return 1 if row.kind == "final" else 2
    if column.id == "proxy" and row.kind in _PROXY_RETRIES_EVERYTHING:
        return 1 + MAX_RETRIES
    if row.kind == "drop" and not column.stream:
        # the body broke after the headers: the transport reports a connection failure, retried
        return 1 + MAX_RETRIES
    return 1


# --- the exception types each framework's users catch ------------------------------------------

_CORE_BY_STATUS: dict[int, type[core.InfronAPIError]] = {
    400: core.InfronBadRequestError,
    401: core.InfronAuthenticationError,
    402: core.InfronInsufficientCreditsError,
    408: core.InfronRequestTimeoutError,
    429: core.InfronRateLimitError,
    502: core.InfronBadGatewayError,
    503: core.InfronServiceUnavailableError,
}
_OPENAI_BY_STATUS: dict[int, type[Exception]] = {
    400: openai.BadRequestError,
    401: openai.AuthenticationError,
    402: openai.APIStatusError,
    408: openai.APIStatusError,
    429: openai.RateLimitError,
    502: openai.InternalServerError,
    503: openai.InternalServerError,
}
_LANGCHAIN_BY_STATUS: dict[int, type[Exception]] = {
    400: lce.ModelInvalidRequestError,
    401: lce.ModelAuthenticationError,
    402: lce.ModelError,
    408: lce.ModelTimeoutError,
    429: lce.ModelRateLimitError,
    502: lce.ModelAPIError,
    503: lce.ModelAPIError,
}
_LITELLM_BY_STATUS: dict[int, type[Exception]] = {
    400: litellm.BadRequestError,
    401: litellm.AuthenticationError,
    402: litellm.exceptions.PaymentRequiredError,
    408: litellm.Timeout,
    429: litellm.RateLimitError,
    502: litellm.BadGatewayError,
    503: litellm.ServiceUnavailableError,
}


def failure_kind(row: Row, column: Column) -> str:
    """``api`` (a status or in-band error), ``timeout``, ``stream`` (a broken stream), ``body``
    (a non-stream body that is not JSON) or ``connection`` (a body cut off)."""
    if row.kind in ("retry", "final", "recover", "inband"):
        return "api"
    if row.kind == "timeout":
        return "timeout"
    if column.stream:
        return "stream"
    return "body" if row.kind == "malformed" else "connection"


def native_types(row: Row, column: Column) -> tuple[type[BaseException], ...]:
    """Every class the raised exception must be an instance of."""
    kind = failure_kind(row, column)
    framework = column.framework
    if framework == "LiteLLM proxy":
        if kind == "api" and (row.kind != "inband" or not column.stream):
            return (_OPENAI_BY_STATUS[row.status or 500],)
        if kind == "timeout":
            return (openai.APIStatusError,)
        if not column.stream:
            return (openai.InternalServerError,)  # LiteLLM's 500 for a broken upstream body
        return (openai.APIError,)  # an error event inside the proxy's own stream
    core_type: type[BaseException] = {
        "timeout": core.InfronTimeoutError,
        "stream": core.InfronStreamError,
        "body": core.InfronStreamError,
        "connection": core.InfronConnectionError,
    }.get(kind) or _CORE_BY_STATUS[row.status or 0]
    if framework == "LangChain":
        extra = {
            "timeout": (lce.ModelTimeoutError, openai.APITimeoutError),
            "stream": (lce.ModelAPIError,),
            "body": (lce.ModelAPIError,),
            "connection": (lce.ModelConnectionError, openai.APIConnectionError),
        }.get(kind) or (_LANGCHAIN_BY_STATUS[row.status or 0], _OPENAI_BY_STATUS[row.status or 0])
        return (core_type, *extra)
    if framework == "LiteLLM SDK":
        extra_l: tuple[type[BaseException], ...] = {
            "timeout": (litellm.Timeout,),
            "stream": (litellm.APIConnectionError,),
            "body": (litellm.APIConnectionError,),
            "connection": (litellm.APIConnectionError,),
        }.get(kind) or (_LITELLM_BY_STATUS[row.status or 0],)
        return (core_type, *extra_l)
    # the Agents SDK surfaces the OpenAI SDK's exceptions: its users catch those
    extra_a: tuple[type[BaseException], ...] = {
        "timeout": (openai.APITimeoutError,),
        "stream": (openai.APIError,),
        "body": (openai.APIError,),
        "connection": (openai.APIConnectionError,),
    }.get(kind) or (_OPENAI_BY_STATUS[row.status or 0],)
    return (core_type, *extra_a)


def unwrap(error: BaseException) -> BaseException:
    """LiteLLM's stream wrapper reports errors raised while a stream is read as
    ``MidStreamFallbackError`` (its router falls back on it); the typed error is inside."""
    if isinstance(error, litellm.exceptions.MidStreamFallbackError):
        inner = error.original_exception
        if inner is not None:
            return inner
    return error


_REQUEST_ID_IN_TEXT = re.compile(r"request_id: ([0-9a-f]{32})")


def request_id_of(error: BaseException) -> str | None:
    """The Infron request id an exception carries (the proxy's only carry it in their text)."""
    found = getattr(unwrap(error), "request_id", None)
    if isinstance(found, str) and found:
        return found
    match = _REQUEST_ID_IN_TEXT.search(str(error))
    return match.group(1) if match else None


def status_of(error: BaseException) -> Any:
    inner = unwrap(error)
    status = getattr(inner, "status_code", None)
    if status is None:
        status = getattr(inner, "code", None)  # an error event inside a proxy stream
    return status


def expected_message(row: Row) -> str:
    if row.kind == "inband":
        return INBAND_MESSAGE
    if row.status is not None:
        return STATUS_MESSAGES[row.status]
    return "Infron"


def type_label(error: BaseException) -> str:
    inner = unwrap(error)
    name = type(error).__name__
    if inner is not error:
        name = f"{name}({type(inner).__name__})"
    module = type(error).__module__
    if module.startswith("openai"):
        name = "openai." + name
    return f"`{name}`"


def needs_request_id(row: Row, column: Column) -> bool:
    """Where a request id must be on the error: always once the gateway's response has reached
    the adapter; not for a client-side timeout (no response) or a body cut off before the
    transport handed it over (the HTTP client only reports a connection failure)."""
    kind = failure_kind(row, column)
    return kind not in ("timeout", "connection")


#: An error type's name, status, request id and attempts, as one cell line.
def error_summary(error: BaseException, attempts: int, row: Row, column: Column) -> str:
    status = status_of(error)
    parts = [type_label(error)]
    if status is not None:
        parts.append(str(status))
    if needs_request_id(row, column):
        parts.append("request id" if request_id_of(error) else "**no request id**")
    parts.append(f"{attempts} req")
    return " · ".join(parts)
