"""One exception hierarchy for everything the Infron gateway can answer with.

Implements the "Errors code" section of the Infron docs: HTTP errors come as
``{"error": {"message", "type", "param", "code"}}`` with the HTTP status equal to ``error.code``;
errors that happen while the model produces output arrive with HTTP 200, either in the body or as
an SSE event, as a choice with ``finish_reason: "error"`` and an ``error`` object. Both become the
same typed exceptions here, so no adapter ever returns an error as if it were an answer.

This module owns the gateway's error vocabulary once: :data:`STATUS_CLASSES` is the one status ->
class table and :func:`error_class_for` the one rule for statuses it does not name. Each adapter
indexes its framework-native classes by the core class they extend (:func:`classes_by_core`) and
rebuilds an error with :func:`copy_api_error`, so the same gateway reply is the same core class in
every framework.

Every message says what to do next, and none ever contains the API key.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, TypeVar

__all__ = [
    "API_ERROR_FIELDS",
    "RETRYABLE_STATUSES",
    "STATUS_CLASSES",
    "InfronAPIError",
    "InfronAuthenticationError",
    "InfronBadGatewayError",
    "InfronBadRequestError",
    "InfronBudgetExceededError",
    "InfronConfigError",
    "InfronConnectionError",
    "InfronError",
    "InfronInsufficientCreditsError",
    "InfronNotFoundError",
    "InfronPermissionDeniedError",
    "InfronRateLimitError",
    "InfronRequestTimeoutError",
    "InfronServerError",
    "InfronServiceUnavailableError",
    "InfronStreamError",
    "InfronTimeoutError",
    "api_error_fields",
    "classes_by_core",
    "copy_api_error",
    "error_class_for",
    "error_from_inband",
    "error_from_response",
    "parse_retry_after",
    "raise_for_inband_error",
]

#: Statuses the docs describe as transient: a retry may succeed.
RETRYABLE_STATUSES = frozenset({408, 429, 502, 503})


class InfronError(Exception):
    """Base class of every error this package raises."""


class InfronConfigError(InfronError, ValueError):
    """Bad local configuration or options, raised before anything is sent."""


class InfronBudgetExceededError(InfronError):
    """A usage tracker's budget was exceeded (the request that crossed it has completed)."""

    def __init__(self, message: str, *, spent: float, budget: float) -> None:
        super().__init__(message)
        self.spent = spent
        self.budget = budget


class InfronConnectionError(InfronError):
    """The gateway could not be reached, or the connection broke mid-response."""

    retryable = True


class InfronTimeoutError(InfronConnectionError):
    """The client gave up waiting for the gateway (client-side timeout)."""


class InfronStreamError(InfronError):
    """A stream broke its protocol: a malformed frame, or it ended without finishing.

    The partial text received so far is kept in ``partial_text`` for diagnostics; it is never
    returned as a complete answer.
    """

    retryable = False

    def __init__(self, message: str, *, partial_text: str = "", request_id: str | None = None):
        super().__init__(message)
        self.partial_text = partial_text
        self.request_id = request_id

    def __str__(self) -> str:
        # the request id is often learned after the error was raised (from the stream's chunks or
        # headers); it goes in the text too, like InfronAPIError's, because the text is what
        # crosses process boundaries (a LiteLLM proxy's error event, a log line)
        text = super().__str__()
        request_id = self.request_id
        if request_id and request_id not in text:
            return f"{text} [request_id: {request_id}]"
        return text


class InfronAPIError(InfronError):
    """The gateway answered with an error (an HTTP status, or an in-band error in a 200 response).

    Attributes:
        status_code: the HTTP status, or for an in-band error the status its code maps to (None
            when the code is not a documented status).
        message: the gateway's message.
        type: the gateway's error type, if any.
        param: the request parameter the error is about, if any.
        code: ``error.code`` as the gateway sent it.
        request_id: Infron's request id, from the body or the ``x-request-id`` header.
        body: the parsed error body (or the whole response for in-band errors).
        in_band: True when the error arrived inside a 200 body or an SSE event.
        retry_after: seconds the gateway asked us to wait (``Retry-After``), if it said.
    """

    default_status: int | None = None
    hint = "See the Errors code section of the Infron docs."

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        type: str | None = None,
        param: str | None = None,
        code: Any = None,
        request_id: str | None = None,
        body: Any = None,
        in_band: bool = False,
        retry_after: float | None = None,
    ) -> None:
        self.status_code = status_code if status_code is not None else self.default_status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.request_id = request_id
        self.body = body
        self.in_band = in_band
        self.retry_after = retry_after
        super().__init__(self._format())

    @property
    def retryable(self) -> bool:
        """Whether the docs describe this status as transient."""
        return self.status_code in RETRYABLE_STATUSES

    def _format(self) -> str:
        where = "in the response" if self.in_band else ""
        status = f"{self.status_code}" if self.status_code is not None else "error"
        parts = [f"Infron {status}{' ' + where if where else ''}: {self.message or 'no message'}"]
        if self.param:
            parts.append(f"(param: {self.param})")
        if self.request_id:
            parts.append(f"[request_id: {self.request_id}]")
        parts.append(f"- {self.hint}")
        return " ".join(parts)

    def __reduce__(self) -> Any:  # keep exceptions picklable across processes
        return (_rebuild_api_error, (type(self), self.message, api_error_fields(self)))


def _rebuild_api_error(cls: type[InfronAPIError], message: str, kw: dict[str, Any]) -> Any:
    return cls(message, **kw)


class InfronBadRequestError(InfronAPIError):
    """400: invalid or missing parameters."""

    default_status = 400
    hint = "Fix the request parameter named above; the gateway will reject it again as it is."


class InfronAuthenticationError(InfronAPIError):
    """401: invalid, disabled or missing API key."""

    default_status = 401
    hint = "Check the API key: pass api_key=... or set INFRON_API_KEY to a valid Infron key."


class InfronInsufficientCreditsError(InfronAPIError):
    """402: the account or key has insufficient credits."""

    default_status = 402
    hint = "Add credits to the Infron account (or raise the key's limit), then retry."


class InfronPermissionDeniedError(InfronAPIError):
    """403: the chosen model requires moderation and the input was flagged."""

    default_status = 403
    hint = "The input was flagged by moderation for this model; change the input or the model."


class InfronNotFoundError(InfronAPIError):
    """404: unknown model or route."""

    default_status = 404
    hint = "Check the model id (GET /v1/models lists them) and the base URL's path."


class InfronRequestTimeoutError(InfronAPIError):
    """408: the gateway timed the request out."""

    default_status = 408
    hint = "The gateway timed out; retry, or pick a faster provider with provider.sort."


class InfronRateLimitError(InfronAPIError):
    """429: rate limited."""

    default_status = 429
    hint = "Rate limited; retry after the Retry-After delay, or lower the request rate."


class InfronServerError(InfronAPIError):
    """500, or any other 5xx the docs do not name: the gateway failed on its side."""

    default_status = 500
    hint = "The gateway failed on its side; retry later, and quote the request id if it persists."


class InfronBadGatewayError(InfronAPIError):
    """502: the chosen model is down or returned an invalid response."""

    default_status = 502
    hint = "The upstream model failed; retry, or allow fallbacks (provider.allow_fallbacks)."


class InfronServiceUnavailableError(InfronAPIError):
    """503: no available provider meets the routing requirements."""

    default_status = 503
    hint = (
        "No provider met the routing requirements; relax provider.only/ignore/order/quantizations "
        "or set provider.allow_fallbacks to true."
    )


#: The one status -> class table (docs: Errors code). 413 and 422 are refused requests like 400
#: (the docs' own example body carries ``code: 422``); 404 is an unknown model or route.
STATUS_CLASSES: Mapping[int, type[InfronAPIError]] = MappingProxyType(
    {
        400: InfronBadRequestError,
        401: InfronAuthenticationError,
        402: InfronInsufficientCreditsError,
        403: InfronPermissionDeniedError,
        404: InfronNotFoundError,
        408: InfronRequestTimeoutError,
        413: InfronBadRequestError,
        422: InfronBadRequestError,
        429: InfronRateLimitError,
        500: InfronServerError,
        502: InfronBadGatewayError,
        503: InfronServiceUnavailableError,
    }
)

#: The keyword arguments besides ``message`` that rebuild an :class:`InfronAPIError`.
API_ERROR_FIELDS = (
    "status_code",
    "type",
    "param",
    "code",
    "request_id",
    "body",
    "in_band",
    "retry_after",
)

_API_CLASSES: frozenset[type[InfronAPIError]] = frozenset(
    {InfronAPIError, *STATUS_CLASSES.values()}
)

_E = TypeVar("_E", bound=InfronAPIError)


def error_class_for(status: int | None) -> type[InfronAPIError]:
    """The core class for an HTTP status (or an in-band error's code).

    A status the table does not name is a :class:`InfronServerError` when it is a 5xx and a plain
    :class:`InfronAPIError` otherwise (including no status at all).
    """
    if status is None:
        return InfronAPIError
    known = STATUS_CLASSES.get(status)
    if known is not None:
        return known
    return InfronServerError if 500 <= status < 600 else InfronAPIError


def api_error_fields(error: InfronAPIError) -> dict[str, Any]:
    """The details of ``error`` (:data:`API_ERROR_FIELDS`), as keyword arguments."""
    return {name: getattr(error, name) for name in API_ERROR_FIELDS}


def copy_api_error(error: InfronAPIError, cls: type[_E], **overrides: Any) -> _E:
    """``error`` rebuilt as ``cls`` (an adapter's class), its details kept; ``overrides`` win."""
    return cls(error.message, **{**api_error_fields(error), **overrides})


def classes_by_core(namespace: Mapping[str, Any]) -> dict[type[InfronAPIError], type[Any]]:
    """An adapter module's error classes, keyed by the core class each one extends.

    Called as ``classes_by_core(globals())``: every class the module defines with a core API
    error class among its direct bases is that core class's native counterpart (a refinement such
    as a context-overflow subclass of the adapter's own bad-request class is not). The adapter then
    picks ``table[error_class_for(status)]``. Checked when the adapter is imported: every core
    class needs exactly one counterpart, so no status can fall through.

    Raises:
        TypeError: a core class has no counterpart, or two.
    """
    module = namespace.get("__name__")
    table: dict[type[InfronAPIError], type[Any]] = {}
    for value in namespace.values():
        if not isinstance(value, type) or value.__module__ != module:
            continue
        for base in value.__bases__:
            if base in _API_CLASSES:
                if base in table:
                    raise TypeError(
                        f"{table[base].__name__} and {value.__name__} both extend {base.__name__}"
                    )
                table[base] = value
    missing = sorted(c.__name__ for c in _API_CLASSES - table.keys())
    if missing:
        raise TypeError(f"{module} has no error class for {', '.join(missing)}")
    return table


def _status_of(code: Any) -> int | None:
    if isinstance(code, bool):
        return None
    if isinstance(code, int):
        return code
    if isinstance(code, str) and code.isdigit():
        return int(code)
    return None


def parse_retry_after(
    headers: Mapping[str, str] | None, *, now: float | None = None
) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date)."""
    if not headers:
        return None
    lowered = {k.lower(): v for k, v in headers.items()}
    ms = lowered.get("retry-after-ms")
    if ms is not None:
        try:
            return max(0.0, float(ms) / 1000.0)
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, parsed.timestamp() - (time.time() if now is None else now))


def error_from_response(
    status: int,
    body: Any,
    headers: Mapping[str, str] | None = None,
) -> InfronAPIError:
    """Build the typed error for an HTTP error response.

    Args:
        status: the HTTP status code.
        body: the parsed JSON body (a dict in the documented shape), or raw text.
        headers: response headers, for ``x-request-id`` and ``Retry-After``.
    """
    err: Mapping[str, Any] = {}
    if isinstance(body, Mapping):
        inner = body.get("error")
        err = inner if isinstance(inner, Mapping) else body
    message = err.get("message") if isinstance(err.get("message"), str) else None
    if not message:
        message = body if isinstance(body, str) and body else f"HTTP {status}"
    request_id = None
    if isinstance(body, Mapping):
        request_id = body.get("request_id") or err.get("request_id")
    if not request_id and headers:
        request_id = {k.lower(): v for k, v in headers.items()}.get("x-request-id")
    return error_class_for(status)(
        str(message),
        status_code=status,
        type=err.get("type") or None,
        param=err.get("param") or None,
        code=err.get("code", status),
        request_id=request_id,
        body=body,
        retry_after=parse_retry_after(headers),
    )


def error_from_inband(
    error: Mapping[str, Any], *, request_id: str | None, body: Any
) -> InfronAPIError:
    """Build the typed error for an ``error`` object found inside a 200 body or an SSE event."""
    code = error.get("code")
    status = _status_of(code)
    return error_class_for(status)(
        str(error.get("message") or "the model reported an error"),
        status_code=status,
        type=error.get("type") or None,
        param=error.get("param") or None,
        code=code,
        request_id=request_id,
        body=body,
        in_band=True,
    )


def raise_for_inband_error(body: Mapping[str, Any]) -> None:
    """Raise if a 200 body or a stream chunk carries an error.

    Looks at a top-level ``error`` object and at every choice with ``finish_reason == "error"`` or
    an ``error`` object (the shape the docs describe for errors during generation).
    """
    request_id = body.get("request_id") if isinstance(body.get("request_id"), str) else None
    top = body.get("error")
    if isinstance(top, Mapping):
        raise error_from_inband(top, request_id=request_id, body=body)
    choices = body.get("choices")
    if not choices:
        return
    for choice in choices:
        if not isinstance(choice, Mapping):
            continue
        error = choice.get("error")
        if isinstance(error, Mapping) or choice.get("finish_reason") == "error":
            raise error_from_inband(
                error if isinstance(error, Mapping) else {}, request_id=request_id, body=body
            )
