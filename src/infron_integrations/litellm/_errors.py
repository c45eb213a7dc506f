"""Exceptions that are both LiteLLM's types and the core's Infron types.

Docs: Errors code. LiteLLM users catch ``litellm.RateLimitError``, ``litellm.BadRequestError`` and
friends; users of this package catch ``InfronRateLimitError`` and friends. Every error raised by
the adapter is an instance of both, so either ``except`` works, and LiteLLM's own exception mapper
(``exception_type``) passes them through unchanged because they already are LiteLLM types.

The attributes of the core error (``status_code``, ``type``, ``param``, ``code``, ``request_id``,
``body``, ``in_band``, ``retry_after``) are kept. ``message`` follows LiteLLM's convention (the
``litellm.<Type>: ...`` text that ``str()`` shows); the gateway's own message is in
``gateway_message``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import litellm
from litellm import exceptions as lx

from ..core.errors import (
    API_ERROR_FIELDS,
    InfronAPIError,
    InfronAuthenticationError,
    InfronBadGatewayError,
    InfronBadRequestError,
    InfronBudgetExceededError,
    InfronConfigError,
    InfronConnectionError,
    InfronError,
    InfronInsufficientCreditsError,
    InfronNotFoundError,
    InfronPermissionDeniedError,
    InfronRateLimitError,
    InfronRequestTimeoutError,
    InfronServerError,
    InfronServiceUnavailableError,
    InfronStreamError,
    InfronTimeoutError,
    classes_by_core,
    copy_api_error,
    error_class_for,
)

__all__ = [
    "PROVIDER",
    "InfronLiteLLMAPIError",
    "InfronLiteLLMAuthenticationError",
    "InfronLiteLLMBadGatewayError",
    "InfronLiteLLMBadRequestError",
    "InfronLiteLLMBudgetExceededError",
    "InfronLiteLLMConfigError",
    "InfronLiteLLMConnectionError",
    "InfronLiteLLMInsufficientCreditsError",
    "InfronLiteLLMInternalServerError",
    "InfronLiteLLMNotFoundError",
    "InfronLiteLLMPermissionDeniedError",
    "InfronLiteLLMRateLimitError",
    "InfronLiteLLMRequestTimeoutError",
    "InfronLiteLLMServiceUnavailableError",
    "InfronLiteLLMStreamError",
    "InfronLiteLLMTimeoutError",
    "to_litellm_error",
]

PROVIDER = "infron"
# The request LiteLLM's exception classes want; it is only a label (nothing is sent with it).
_REQUEST = httpx.Request("POST", "https://llm.onerouter.pro/v1")


def _response(status: int, headers: Mapping[str, str] | None) -> httpx.Response:
    # Keep Retry-After and x-request-id visible on ``exc.response.headers`` (LiteLLM's router reads
    # Retry-After from there when it backs off).
    return httpx.Response(status, headers=dict(headers or {}), request=_REQUEST)


def _rebuild(cls: type[Any], message: str, kwargs: dict[str, Any]) -> Any:
    return cls(message, **kwargs)


class _APIErrorMixin:
    """Shared construction for the status-code errors (the core's :class:`InfronAPIError`)."""

    status_code: int | None
    message: str
    default_status: int | None

    def _setup(
        self,
        message: str,
        model: str | None,
        headers: Mapping[str, str] | None,
        infron: dict[str, Any],
    ) -> tuple[str, httpx.Response]:
        # The core __init__ computes the how-to-fix text from the status and the gateway message.
        InfronAPIError.__init__(self, message, **infron)  # type: ignore[arg-type]
        text = InfronAPIError._format(self)  # type: ignore[arg-type]
        self._infron_state = {name: getattr(self, name) for name in API_ERROR_FIELDS}
        self._infron_state["gateway_message"] = message
        self._model = model
        self._headers = dict(headers or {})
        status = self.status_code if self.status_code is not None else 500
        return text, _response(status, headers)

    def _restore(self) -> None:
        # LiteLLM's and the OpenAI SDK's __init__ overwrite code/type/body/status; put ours back.
        for name, value in self._infron_state.items():
            setattr(self, name, value)

    def __reduce__(self) -> Any:  # picklable across processes (the proxy uses workers)
        state = dict(self._infron_state)
        gateway_message = state.pop("gateway_message")
        return (
            _rebuild,
            (
                type(self),
                gateway_message,
                {**state, "model": self._model, "headers": self._headers},
            ),
        )


def _api_error_class(
    name: str,
    litellm_cls: type[Exception],
    infron_cls: type[InfronAPIError],
    build: Any,
    doc: str,
) -> type[Any]:
    def __init__(
        self: Any,
        message: str,
        *,
        model: str | None = None,
        headers: Mapping[str, str] | None = None,
        **infron: Any,
    ) -> None:
        text, response = self._setup(message, model, headers, infron)
        build(self, text, model, response, headers)
        self._restore()

    namespace: dict[str, Any] = {"__init__": __init__, "__doc__": doc, "__module__": __name__}
    return type(name, (_APIErrorMixin, litellm_cls, infron_cls), namespace)


def _with_body(litellm_cls: type[Any]) -> Any:
    def build(self: Any, text: str, model: str | None, response: httpx.Response, _h: Any) -> None:
        litellm_cls.__init__(
            self, message=text, model=model, llm_provider=PROVIDER, response=response, body=None
        )

    return build


def _plain(litellm_cls: type[Any]) -> Any:
    def build(self: Any, text: str, model: str | None, response: httpx.Response, _h: Any) -> None:
        litellm_cls.__init__(
            self, message=text, model=model, llm_provider=PROVIDER, response=response
        )

    return build


def _rate_limit(self: Any, text: str, model: str | None, response: httpx.Response, h: Any) -> None:
    retry = {k: v for k, v in (h or {}).items() if k.lower() in ("retry-after", "retry-after-ms")}
    lx.RateLimitError.__init__(
        self,
        message=text,
        model=model,
        llm_provider=PROVIDER,
        response=response,
        headers=retry or None,
    )


def _timeout(self: Any, text: str, model: str | None, response: httpx.Response, h: Any) -> None:
    lx.Timeout.__init__(
        self,
        message=text,
        model=model,
        llm_provider=PROVIDER,
        exception_status_code=408,
        headers=dict(h or {}),
        response=response,
    )


def _api_error(self: Any, text: str, model: str | None, response: httpx.Response, _h: Any) -> None:
    lx.APIError.__init__(
        self,
        status_code=response.status_code,
        message=text,
        llm_provider=PROVIDER,
        model=model,
        request=_REQUEST,
    )


InfronLiteLLMBadRequestError = _api_error_class(
    "InfronLiteLLMBadRequestError",
    lx.BadRequestError,
    InfronBadRequestError,
    _with_body(lx.BadRequestError),
    "400, 413 and 422: ``litellm.BadRequestError`` and ``InfronBadRequestError``.",
)
InfronLiteLLMAuthenticationError = _api_error_class(
    "InfronLiteLLMAuthenticationError",
    lx.AuthenticationError,
    InfronAuthenticationError,
    _plain(lx.AuthenticationError),
    "401: ``litellm.AuthenticationError`` and ``InfronAuthenticationError``.",
)
InfronLiteLLMInsufficientCreditsError = _api_error_class(
    "InfronLiteLLMInsufficientCreditsError",
    lx.PaymentRequiredError,
    InfronInsufficientCreditsError,
    _plain(lx.PaymentRequiredError),
    "402: ``litellm.exceptions.PaymentRequiredError`` (a ``BadRequestError``) and "
    "``InfronInsufficientCreditsError``.",
)
InfronLiteLLMPermissionDeniedError = _api_error_class(
    "InfronLiteLLMPermissionDeniedError",
    lx.PermissionDeniedError,
    InfronPermissionDeniedError,
    _plain(lx.PermissionDeniedError),
    "403: ``litellm.PermissionDeniedError`` and ``InfronPermissionDeniedError``.",
)
InfronLiteLLMNotFoundError = _api_error_class(
    "InfronLiteLLMNotFoundError",
    lx.NotFoundError,
    InfronNotFoundError,
    _plain(lx.NotFoundError),
    "404: ``litellm.NotFoundError`` and ``InfronNotFoundError`` (an unknown model or route).",
)
InfronLiteLLMRequestTimeoutError = _api_error_class(
    "InfronLiteLLMRequestTimeoutError",
    lx.Timeout,
    InfronRequestTimeoutError,
    _timeout,
    "408 from the gateway: ``litellm.Timeout`` and ``InfronRequestTimeoutError``.",
)
InfronLiteLLMRateLimitError = _api_error_class(
    "InfronLiteLLMRateLimitError",
    lx.RateLimitError,
    InfronRateLimitError,
    _rate_limit,
    "429: ``litellm.RateLimitError`` and ``InfronRateLimitError``.",
)
InfronLiteLLMInternalServerError = _api_error_class(
    "InfronLiteLLMInternalServerError",
    lx.InternalServerError,
    InfronServerError,
    _with_body(lx.InternalServerError),
    "500 and other 5xx: ``litellm.InternalServerError`` and ``InfronServerError``.",
)
InfronLiteLLMBadGatewayError = _api_error_class(
    "InfronLiteLLMBadGatewayError",
    lx.BadGatewayError,
    InfronBadGatewayError,
    _plain(lx.BadGatewayError),
    "502: ``litellm.BadGatewayError`` and ``InfronBadGatewayError``.",
)
InfronLiteLLMServiceUnavailableError = _api_error_class(
    "InfronLiteLLMServiceUnavailableError",
    lx.ServiceUnavailableError,
    InfronServiceUnavailableError,
    _plain(lx.ServiceUnavailableError),
    "503: ``litellm.ServiceUnavailableError`` and ``InfronServiceUnavailableError``.",
)
InfronLiteLLMAPIError = _api_error_class(
    "InfronLiteLLMAPIError",
    lx.APIError,
    InfronAPIError,
    _api_error,
    "Any other status (or an in-band error without one): ``litellm.APIError`` and "
    "``InfronAPIError``.",
)

#: this module's class for each core class (the status -> core class rule is the core's)
_NATIVE = classes_by_core(globals())


class InfronLiteLLMConnectionError(lx.APIConnectionError, InfronConnectionError):
    """The gateway could not be reached: ``litellm.APIConnectionError`` and ``InfronConnectionError``."""

    def __init__(self, message: str, *, model: str | None = None) -> None:
        lx.APIConnectionError.__init__(
            self, message=message, llm_provider=PROVIDER, model=model, request=_REQUEST
        )

    def __reduce__(self) -> Any:
        return (
            _rebuild,
            (type(self), self.message.removeprefix("litellm.APIConnectionError: "), {}),
        )


class InfronLiteLLMTimeoutError(lx.Timeout, InfronTimeoutError):
    """The client gave up waiting: ``litellm.Timeout`` and ``InfronTimeoutError``."""

    def __init__(self, message: str, *, model: str | None = None) -> None:
        lx.Timeout.__init__(self, message=message, model=model, llm_provider=PROVIDER)

    def __reduce__(self) -> Any:
        return (_rebuild, (type(self), self.message.removeprefix("litellm.Timeout: "), {}))


class InfronLiteLLMStreamError(lx.APIConnectionError, InfronStreamError):
    """A stream broke (dropped before it finished, or a malformed frame).

    ``litellm.APIConnectionError`` and ``InfronStreamError``; ``partial_text`` keeps what arrived
    for diagnostics only. LiteLLM's stream wrapper may raise it wrapped in
    ``litellm.MidStreamFallbackError`` (see its ``original_exception``) so its router can fall back.
    """

    def __init__(
        self,
        message: str,
        *,
        model: str | None = None,
        partial_text: str = "",
        request_id: str | None = None,
    ) -> None:
        lx.APIConnectionError.__init__(
            self, message=message, llm_provider=PROVIDER, model=model, request=_REQUEST
        )
        self.partial_text = partial_text
        self.request_id = request_id

    def __reduce__(self) -> Any:
        text = self.message.removeprefix("litellm.APIConnectionError: ")
        kw = {"partial_text": self.partial_text, "request_id": self.request_id}
        return (_rebuild, (type(self), text, kw))


class InfronLiteLLMConfigError(lx.BadRequestError, InfronConfigError):
    """Bad options or settings, raised before anything is sent.

    ``litellm.BadRequestError`` and ``InfronConfigError`` (a ``ValueError``); the message names
    the field and how to fix it.
    """

    def __init__(self, message: str, *, model: str | None = None) -> None:
        lx.BadRequestError.__init__(self, message=message, model=model, llm_provider=PROVIDER)

    def __reduce__(self) -> Any:
        return (_rebuild, (type(self), self.message.removeprefix("litellm.BadRequestError: "), {}))


class InfronLiteLLMBudgetExceededError(
    lx.BudgetExceededError, lx.OpenAIError, InfronBudgetExceededError
):
    """A usage tracker's budget was crossed by a completed request.

    ``litellm.BudgetExceededError`` and ``InfronBudgetExceededError``. It also derives from
    ``litellm.exceptions.OpenAIError`` so LiteLLM's exception mapper passes it through instead of
    re-wrapping it as a connection error.
    """

    def __init__(self, message: str, *, spent: float, budget: float) -> None:
        # Set LiteLLM's attributes directly: its __init__ chain would reach the core class's
        # __init__ without the keyword arguments it needs.
        Exception.__init__(self, message)
        self.message = message
        self.current_cost = spent
        self.max_budget = budget
        self.status_code = litellm.budget_exceeded_status_code
        self.llm_provider = PROVIDER
        self.entity_type = None
        self.entity_id = None
        self.category = lx.RateLimitErrorCategory.LITELLM_RATE_LIMIT.value
        self.rate_limit_type = lx.RateLimitType.BUDGET.value
        self.spent = spent
        self.budget = budget

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> Any:
        return (_rebuild, (type(self), self.message, {"spent": self.spent, "budget": self.budget}))


_DUAL = (
    _APIErrorMixin,
    InfronLiteLLMConnectionError,
    InfronLiteLLMTimeoutError,
    InfronLiteLLMStreamError,
    InfronLiteLLMConfigError,
    InfronLiteLLMBudgetExceededError,
)


def _from_api_error(exc: InfronAPIError, model: str | None) -> Exception:
    headers: dict[str, str] = {}
    if exc.retry_after is not None:
        headers["retry-after"] = f"{exc.retry_after:g}"
    if exc.request_id:
        headers["x-request-id"] = exc.request_id
    cls = _NATIVE[error_class_for(exc.status_code)]
    mapped: Exception = copy_api_error(exc, cls, model=model, headers=headers)
    return mapped


def to_litellm_error(exc: BaseException, model: str | None = None) -> BaseException:
    """The dual LiteLLM/Infron exception for a core error; other exceptions are returned as is."""
    if isinstance(exc, _DUAL):
        return exc
    mapped: BaseException
    if isinstance(exc, InfronAPIError):
        mapped = _from_api_error(exc, model)
    elif isinstance(exc, InfronTimeoutError):
        mapped = InfronLiteLLMTimeoutError(str(exc), model=model)
    elif isinstance(exc, InfronConnectionError):
        mapped = InfronLiteLLMConnectionError(str(exc), model=model)
    elif isinstance(exc, InfronStreamError):
        mapped = InfronLiteLLMStreamError(
            str(exc), model=model, partial_text=exc.partial_text, request_id=exc.request_id
        )
    elif isinstance(exc, InfronBudgetExceededError):
        mapped = InfronLiteLLMBudgetExceededError(str(exc), spent=exc.spent, budget=exc.budget)
    elif isinstance(exc, InfronConfigError):
        mapped = InfronLiteLLMConfigError(str(exc), model=model)
    elif isinstance(exc, InfronError):
        mapped = InfronLiteLLMAPIError(str(exc), model=model)
    else:
        return exc
    mapped.__cause__ = exc  # the core error, with its own traceback and cause
    return mapped
