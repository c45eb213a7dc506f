"""Exceptions that are at once Infron's, LangChain's and the OpenAI SDK's.

Docs: Errors code. Each class below subclasses three things, so every ``except`` clause a user may
already have keeps working:

* the core Infron error for the status (``infron_integrations.core.InfronRateLimitError`` ...),
  with its status, message, ``request_id``, body and ``retry_after``;
* the ``langchain_core.exceptions.Model*Error`` LangChain code catches across providers
  (``ModelRateLimitError``, ``ModelAuthenticationError``, ``ModelInvalidRequestError``,
  ``ModelAPIError``, ``ModelTimeoutError`` ...), with ``is_retryable``;
* the ``openai`` SDK error that ``ChatOpenAI`` users catch (``openai.RateLimitError`` ...), with
  ``response``, ``request`` and ``status_code``.

The class names repeat the core names on purpose: a traceback reads
``infron_integrations.langchain._errors.InfronRateLimitError: Infron 429: ...``.

Multiple inheritance works because every base is a plain ``Exception`` subclass; the one snag is
that the core's ``__init__`` passes the formatted message up the MRO, where the SDK's ``__init__``
would demand an ``httpx.Response``. :class:`_EndOfInit` sits between the two and ends the chain.
"""

from __future__ import annotations

import openai
from langchain_core.exceptions import (
    ContextOverflowError,
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
    ModelTimeoutError,
)

from ..core import errors as core
from ..core.openai_compat import (
    RawResponse,
    SDKInitStop,
    attach_sdk_fields,
    convert_openai_error,
    is_timeout_error,
    is_transport_error,
)

__all__ = [
    "InfronAPIError",
    "InfronAuthenticationError",
    "InfronBadGatewayError",
    "InfronBadRequestError",
    "InfronConnectionError",
    "InfronContextOverflowError",
    "InfronInsufficientCreditsError",
    "InfronNotFoundError",
    "InfronPermissionDeniedError",
    "InfronRateLimitError",
    "InfronRequestTimeoutError",
    "InfronServerError",
    "InfronServiceUnavailableError",
    "InfronStreamError",
    "InfronTimeoutError",
    "to_langchain_error",
]


class _EndOfInit(SDKInitStop):
    """This adapter's marker (see ``core.openai_compat.SDKInitStop``): an error that is already
    one of the classes below."""


# --- HTTP status errors (and in-band errors with a status code) --------------------------------


class InfronAPIError(core.InfronAPIError, _EndOfInit, openai.APIStatusError, ModelAPIError):  # type: ignore[misc]
    """An Infron error with no more specific class (e.g. a 500, or an in-band error)."""


class InfronBadRequestError(  # type: ignore[misc]
    core.InfronBadRequestError, _EndOfInit, openai.BadRequestError, ModelInvalidRequestError
):
    """400 (and 413, 422): invalid or missing parameters, or a request too large."""


class InfronContextOverflowError(InfronBadRequestError, ContextOverflowError):  # type: ignore[misc]
    """A bad request (400, 413, 422) because the input exceeds the model's context window."""


class InfronAuthenticationError(  # type: ignore[misc]
    core.InfronAuthenticationError,
    _EndOfInit,
    openai.AuthenticationError,
    ModelAuthenticationError,
):
    """401: invalid, disabled or missing API key."""


class InfronInsufficientCreditsError(  # type: ignore[misc]
    core.InfronInsufficientCreditsError, _EndOfInit, openai.APIStatusError, ModelError
):
    """402: insufficient credits (LangChain has no narrower type than ``ModelError``)."""


class InfronPermissionDeniedError(  # type: ignore[misc]
    core.InfronPermissionDeniedError,
    _EndOfInit,
    openai.PermissionDeniedError,
    ModelPermissionDeniedError,
):
    """403: the input was flagged by moderation for this model."""


class InfronNotFoundError(  # type: ignore[misc]
    core.InfronNotFoundError, _EndOfInit, openai.NotFoundError, ModelNotFoundError
):
    """404: unknown model or route."""


class InfronRequestTimeoutError(  # type: ignore[misc]
    core.InfronRequestTimeoutError, _EndOfInit, openai.APIStatusError, ModelTimeoutError
):
    """408: the gateway timed the request out."""


class InfronRateLimitError(  # type: ignore[misc]
    core.InfronRateLimitError, _EndOfInit, openai.RateLimitError, ModelRateLimitError
):
    """429: rate limited; ``retry_after`` holds the gateway's Retry-After in seconds."""


class InfronServerError(  # type: ignore[misc]
    core.InfronServerError, _EndOfInit, openai.InternalServerError, ModelAPIError
):
    """5xx without a documented meaning (e.g. 500)."""


class InfronBadGatewayError(  # type: ignore[misc]
    core.InfronBadGatewayError, _EndOfInit, openai.InternalServerError, ModelAPIError
):
    """502: the chosen model is down or returned an invalid response."""


class InfronServiceUnavailableError(  # type: ignore[misc]
    core.InfronServiceUnavailableError, _EndOfInit, openai.InternalServerError, ModelAPIError
):
    """503: no provider meets the routing requirements."""


# --- transport and stream errors ---------------------------------------------------------------


class InfronConnectionError(
    core.InfronConnectionError, _EndOfInit, openai.APIConnectionError, ModelConnectionError
):
    """The gateway could not be reached."""


class InfronTimeoutError(
    core.InfronTimeoutError, _EndOfInit, openai.APITimeoutError, ModelTimeoutError
):
    """The client gave up waiting for the gateway."""


class InfronStreamError(core.InfronStreamError, ModelAPIError):
    """A stream broke: a malformed frame, a dropped connection, or no ``finish_reason``."""


#: this module's class for each core class (the status -> core class rule is the core's)
_NATIVE = core.classes_by_core(globals())

_CONTEXT_OVERFLOW_HINTS = (
    "context_length_exceeded",
    "context length",
    "context window",
    "prompt is too long",
    "maximum context",
)


def _class_for(error: core.InfronAPIError) -> type[core.InfronAPIError]:
    cls = _NATIVE[core.error_class_for(error.status_code)]
    if cls is InfronBadRequestError:
        text = f"{error.code} {error.message}".lower()
        if any(hint in text for hint in _CONTEXT_OVERFLOW_HINTS):
            return InfronContextOverflowError
    return cls


def _rebuild_api_error(
    error: core.InfronAPIError, response: RawResponse | None
) -> core.InfronAPIError:
    new = core.copy_api_error(error, _class_for(error))
    attach_sdk_fields(new, response, None)
    return new


def to_langchain_error(
    exc: BaseException,
    *,
    response: RawResponse | None = None,
    partial_text: str = "",
    request_id: str | None = None,
) -> BaseException:
    """The combined error for ``exc``, or ``exc`` itself when it is not an Infron/SDK/HTTP error.

    Args:
        exc: an ``openai`` SDK error, a core Infron error (e.g. an in-band error raised while
            reading a body or a stream) or an ``httpx``/``httpx2`` transport error raised mid-stream.
        response: the HTTP response the error came with, if any (kept as ``error.response``).
        partial_text: for errors mid-stream, the text received so far (kept on stream errors).
        request_id: the request id known to the caller (a stream's chunks or its
            ``x-request-id`` header), used when the error itself does not carry one.
    """
    if isinstance(exc, (_EndOfInit, InfronStreamError)):  # already combined
        return exc
    if isinstance(exc, openai.APIStatusError):
        response = exc.response
    request = getattr(exc, "request", None) if isinstance(exc, openai.APIError) else None
    converted: BaseException | None
    if isinstance(exc, core.InfronError):
        converted = exc
    elif is_timeout_error(exc):
        converted = core.InfronTimeoutError(
            f"Timed out waiting for Infron mid-response ({type(exc).__name__}); raise the "
            "timeout (timeout=...) or retry."
        )
    elif is_transport_error(exc):
        converted = core.InfronStreamError(
            f"The connection to Infron broke mid-response ({type(exc).__name__}: {exc}); the "
            "partial answer was not returned. Retry the request.",
            partial_text=partial_text,
        )
    else:
        converted = convert_openai_error(exc)
    if converted is None:
        return exc
    if isinstance(converted, core.InfronAPIError):
        return _rebuild_api_error(converted, response)
    if isinstance(converted, core.InfronTimeoutError):
        new_timeout = InfronTimeoutError(str(converted))
        attach_sdk_fields(new_timeout, response, request)
        return new_timeout
    if isinstance(converted, core.InfronConnectionError):
        new_conn = InfronConnectionError(str(converted))
        attach_sdk_fields(new_conn, response, request)
        return new_conn
    if isinstance(converted, core.InfronStreamError):
        return InfronStreamError(
            str(converted),
            partial_text=converted.partial_text or partial_text,
            request_id=converted.request_id or request_id,
        )
    return converted
