"""Exceptions that are both the core's Infron errors and the OpenAI SDK's.

Docs: Errors code. The Agents SDK's own OpenAI models raise the OpenAI SDK's exceptions
(``openai.RateLimitError``, ``openai.APIStatusError``, ``openai.APITimeoutError`` ...), so that is
what its users catch, and what its retry advice reads. :class:`~.model.InfronModel` raises classes
that are at once those and the core's typed errors (``InfronRateLimitError`` with ``status_code``,
``message``, ``request_id``, ``retry_after`` ...), so either ``except`` clause works, for HTTP
errors, for errors inside a 200 body or a stream, and for broken streams alike.

The OpenAI SDK's constructors need a live HTTP response, which in-band errors do not have; the
core's ``__init__`` runs instead and ``core.openai_compat.attach_sdk_fields`` sets the SDK's
attributes (``response``, ``request``) afterwards.
"""

from __future__ import annotations

import openai

from ..core import errors as core
from ..core.openai_compat import RawResponse, SDKInitStop, attach_sdk_fields, convert_openai_error

__all__ = [
    "InfronAPIError",
    "InfronAuthenticationError",
    "InfronBadGatewayError",
    "InfronBadRequestError",
    "InfronConnectionError",
    "InfronInsufficientCreditsError",
    "InfronNotFoundError",
    "InfronPermissionDeniedError",
    "InfronRateLimitError",
    "InfronRequestTimeoutError",
    "InfronServerError",
    "InfronServiceUnavailableError",
    "InfronStreamError",
    "InfronTimeoutError",
    "to_agents_error",
]


class _EndOfInit(SDKInitStop):
    """This adapter's marker: an error that is already one of the classes below."""


class InfronAPIError(core.InfronAPIError, _EndOfInit, openai.APIStatusError):  # type: ignore[misc]
    """An Infron error with no more specific class (an unknown status, or an in-band error)."""


class InfronBadRequestError(core.InfronBadRequestError, _EndOfInit, openai.BadRequestError):  # type: ignore[misc]
    """400 (and 413, 422): invalid or missing parameters, or a request too large."""


class InfronAuthenticationError(  # type: ignore[misc]
    core.InfronAuthenticationError, _EndOfInit, openai.AuthenticationError
):
    """401: invalid, disabled or missing API key."""


class InfronInsufficientCreditsError(  # type: ignore[misc]
    core.InfronInsufficientCreditsError, _EndOfInit, openai.APIStatusError
):
    """402: insufficient credits."""


class InfronPermissionDeniedError(  # type: ignore[misc]
    core.InfronPermissionDeniedError, _EndOfInit, openai.PermissionDeniedError
):
    """403: the input was flagged by moderation for this model."""


class InfronNotFoundError(core.InfronNotFoundError, _EndOfInit, openai.NotFoundError):  # type: ignore[misc]
    """404: unknown model or route."""


class InfronRequestTimeoutError(  # type: ignore[misc]
    core.InfronRequestTimeoutError, _EndOfInit, openai.APIStatusError
):
    """408: the gateway timed the request out."""


class InfronRateLimitError(core.InfronRateLimitError, _EndOfInit, openai.RateLimitError):  # type: ignore[misc]
    """429: rate limited; ``retry_after`` holds the gateway's Retry-After in seconds."""


class InfronServerError(core.InfronServerError, _EndOfInit, openai.InternalServerError):  # type: ignore[misc]
    """5xx without a documented meaning (e.g. 500)."""


class InfronBadGatewayError(  # type: ignore[misc]
    core.InfronBadGatewayError, _EndOfInit, openai.InternalServerError
):
    """502: the chosen model is down or returned an invalid response."""


class InfronServiceUnavailableError(  # type: ignore[misc]
    core.InfronServiceUnavailableError, _EndOfInit, openai.InternalServerError
):
    """503: no provider meets the routing requirements."""


class InfronConnectionError(core.InfronConnectionError, _EndOfInit, openai.APIConnectionError):
    """The gateway could not be reached."""


class InfronTimeoutError(core.InfronTimeoutError, _EndOfInit, openai.APITimeoutError):
    """The client gave up waiting for the gateway."""


class InfronStreamError(core.InfronStreamError, _EndOfInit, openai.APIError):
    """A stream broke (a malformed frame, a dropped connection, no ``finish_reason``), or a 200
    body was not JSON. ``partial_text`` is kept for diagnostics only."""


#: this module's class for each core class (the status -> core class rule is the core's)
_NATIVE = core.classes_by_core(globals())

_COMBINED = (_EndOfInit,)


def to_agents_error(
    exc: BaseException,
    *,
    response: RawResponse | None = None,
    request_id: str | None = None,
) -> BaseException:
    """The combined error for ``exc``, or ``exc`` itself when it is neither an Infron nor an
    OpenAI SDK error.

    Args:
        exc: a core Infron error (e.g. an in-band error) or an ``openai`` SDK error.
        response: the HTTP response it came with, if any (kept as ``error.response``).
        request_id: Infron's request id, for stream errors that do not carry one yet.
    """
    if isinstance(exc, _COMBINED):
        return exc
    if isinstance(exc, openai.APIStatusError):
        response = exc.response
    converted = convert_openai_error(exc) if not isinstance(exc, core.InfronError) else exc
    if converted is None:
        return exc
    new: BaseException
    if isinstance(converted, core.InfronAPIError):
        new = core.copy_api_error(
            converted,
            _NATIVE[core.error_class_for(converted.status_code)],
            request_id=converted.request_id or request_id,
        )
    elif isinstance(converted, core.InfronTimeoutError):
        new = InfronTimeoutError(str(converted))
    elif isinstance(converted, core.InfronConnectionError):
        new = InfronConnectionError(str(converted))
    elif isinstance(converted, core.InfronStreamError):
        new = InfronStreamError(
            str(converted),
            partial_text=converted.partial_text,
            request_id=converted.request_id or request_id,
        )
    else:
        return converted
    return attach_sdk_fields(new, response)
