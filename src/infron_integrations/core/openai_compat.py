"""Bridges between the OpenAI SDK (the transport for chat, embeddings and responses) and the core.

* :func:`convert_openai_error` turns the SDK's exceptions into this package's typed errors, keeping
  status, message, param, type and the request id.
* :func:`response_extras` pulls Infron's additions out of a response body (``request_id``,
  upstream ``provider``, ``cost``, ``cost_details``, ``native_finish_reason``, annotations,
  reasoning) so adapters put them where their framework keeps provider metadata.
* :class:`SDKInitStop` and :func:`attach_sdk_fields` let an adapter's exception class be at once
  a core error and an OpenAI SDK error (see :class:`SDKInitStop`).
* :func:`sdk_http` is the HTTP library the installed SDK sends through natively (``httpx`` for
  openai 2, ``httpx2`` for openai 3); :func:`is_http_response`, :func:`is_timeout_error` and
  :func:`is_transport_error` recognise either library's objects, since a client a user passes in
  may be of either kind.

This module is the core's one seam with the OpenAI SDK's versions: every version switch lives here.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import sys
from collections.abc import Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeAlias

from typing_extensions import TypeIs

from .errors import (
    InfronAPIError,
    InfronConnectionError,
    InfronError,
    InfronStreamError,
    InfronTimeoutError,
    error_from_response,
)
from .settings import ENV_BASE_URL

if TYPE_CHECKING:
    import httpx
    import httpx2

    #: a raw response from either library (what the SDK returns for ``cast_to=<Response class>``)
    RawResponse: TypeAlias = httpx.Response | httpx2.Response
else:
    RawResponse = Any

__all__ = [
    "INFRON_EXTRA_KEYS",
    "RawResponse",
    "SDKInitStop",
    "attach_sdk_fields",
    "convert_openai_error",
    "is_http_response",
    "is_timeout_error",
    "is_transport_error",
    "raw_response_type",
    "response_extras",
    "sdk_http",
]

#: top-level keys Infron adds to OpenAI's response shape
INFRON_EXTRA_KEYS = ("request_id", "provider", "cost", "cost_details")


class SDKInitStop(Exception):
    """Ends the cooperative ``__init__`` chain before the OpenAI SDK's exception constructors.

    An adapter's combined class lists it between the core error and the SDK error
    (``class X(core.InfronRateLimitError, SDKInitStop, openai.RateLimitError)``). The core's
    ``__init__`` passes the formatted message up the MRO, where the SDK's constructors would demand
    a live ``httpx`` response or request; in-band and stream errors have none, so the chain stops
    here and :func:`attach_sdk_fields` sets the SDK's attributes afterwards. Each adapter derives
    its own marker from it, so "already one of this adapter's errors" stays a per-adapter check.
    """

    def __init__(self, *args: Any, **_: Any) -> None:
        Exception.__init__(self, *args)


def attach_sdk_fields(
    error: BaseException, response: Any = None, request: Any = None
) -> BaseException:
    """Give ``error`` the attributes the OpenAI SDK's errors carry; returns ``error``.

    ``request`` defaults to the response's request (when it has one); ``body``, ``code``,
    ``param`` and ``type`` default to None and ``message`` to the error's text, where the error
    does not set them already.
    """
    if request is None and response is not None:
        try:
            request = response.request
        except RuntimeError:  # a response built without a request
            request = None
    target: Any = error
    target.response = response
    target.request = request
    for name in ("body", "code", "param", "type"):
        if not hasattr(target, name):
            setattr(target, name, None)
    if not hasattr(target, "message"):
        target.message = str(error)
    return error


def convert_openai_error(exc: BaseException) -> InfronError | None:
    """The typed Infron error for an ``openai`` SDK exception, or None if it is not one."""
    import openai

    if isinstance(exc, InfronError):
        return exc
    if isinstance(exc, openai.APIStatusError):
        try:
            body: Any = exc.response.json()
        except ValueError:
            body = exc.response.text
        return error_from_response(exc.status_code, body, exc.response.headers)
    if isinstance(exc, openai.APITimeoutError):
        return InfronTimeoutError(
            f"Timed out waiting for Infron at {_url_of(exc)}: {exc}. Raise the timeout "
            f"(timeout=...) or retry; the URL comes from base_url= or {ENV_BASE_URL}."
        )
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__ or exc
        return InfronConnectionError(
            f"Could not reach Infron at {_url_of(exc)} (the connection failed or broke: "
            f"{cause}). Check base_url= or the {ENV_BASE_URL} environment variable, which choose "
            "that URL, and the network."
        )
    if isinstance(exc, openai.APIResponseValidationError):
        return InfronStreamError(f"Infron sent a response that could not be parsed: {exc}")
    if isinstance(exc, openai.APIError):
        body = exc.body
        if isinstance(body, Mapping):
            # errors the SDK raises from a stream's `error` event keep the body
            return error_from_response(_status(body), body)
        return InfronAPIError(str(exc.message))
    return None


def _url_of(exc: BaseException) -> str:
    """The URL a failed request went to, without its query (which a caller may fill)."""
    try:
        url = str(exc.request.url)  # type: ignore[attr-defined]
    except (AttributeError, RuntimeError):
        return "(unknown URL)"
    return url.split("?", 1)[0]


def _status(body: Mapping[str, Any]) -> int:
    inner = body.get("error")
    code = (inner if isinstance(inner, Mapping) else body).get("code")
    return code if isinstance(code, int) and not isinstance(code, bool) else 500


def response_extras(body: Mapping[str, Any]) -> dict[str, Any]:
    """Infron's additions to a chat-completion body (or chunk), present keys only."""
    extras: dict[str, Any] = {k: body[k] for k in INFRON_EXTRA_KEYS if body.get(k) is not None}
    choices = body.get("choices")
    if choices:
        first = choices[0]
        native = first.get("native_finish_reason")
        if native is not None:
            extras["native_finish_reason"] = native
        message = first.get("message") or first.get("delta") or {}
        annotations = message.get("annotations")
        if annotations:
            extras["annotations"] = annotations
    return extras


# --- the SDK's HTTP library ----------------------------------------------------------------------
# openai 3 sends through ``httpx2`` and drives a plain ``httpx`` client only in a legacy mode that
# converts timeouts, auth, URLs and responses on every request; openai 2 sends through ``httpx``.
# Checked on openai 2.45.0 and 3.60.0. The two libraries share their API but not their classes, so
# isinstance checks must accept both: a user may hand ChatInfron either kind of client.


@functools.cache
def sdk_http() -> ModuleType:
    """The HTTP library (``httpx`` or ``httpx2``) the installed OpenAI SDK uses natively.

    Our pooled clients are built from it, raw responses are asked for as its ``Response`` and the
    sandbox's in-process transport is its ``ASGITransport``. Read from the installed distribution's
    metadata, so asking does not import the SDK.
    """
    major = int(importlib.metadata.version("openai").split(".", 1)[0])
    return importlib.import_module("httpx2" if major >= 3 else "httpx")


def raw_response_type() -> Any:
    """What to pass as the SDK's ``cast_to`` to get the raw HTTP response back, unparsed."""
    return sdk_http().Response


def _loaded_http_modules() -> tuple[ModuleType, ...]:
    # only a library that is imported can have made the object in question
    return tuple(m for m in (sys.modules.get("httpx"), sys.modules.get("httpx2")) if m is not None)


def is_http_response(value: object) -> TypeIs[RawResponse]:
    """Whether ``value`` is an ``httpx`` or ``httpx2`` response."""
    return any(isinstance(value, module.Response) for module in _loaded_http_modules())


def is_timeout_error(exc: BaseException) -> bool:
    """Whether ``exc`` is an ``httpx`` or ``httpx2`` timeout."""
    return any(isinstance(exc, module.TimeoutException) for module in _loaded_http_modules())


def is_transport_error(exc: BaseException) -> bool:
    """Whether ``exc`` is an ``httpx`` or ``httpx2`` transport failure (timeouts included)."""
    return any(isinstance(exc, module.TransportError) for module in _loaded_http_modules())
