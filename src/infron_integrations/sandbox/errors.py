"""The documented error shape and the exception used to produce it."""

from __future__ import annotations

from typing import Any

ERROR_TYPES: dict[int, str] = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "insufficient_credits",
    403: "moderation_error",
    404: "not_found_error",
    405: "invalid_request_error",
    408: "timeout_error",
    413: "invalid_request_error",
    429: "rate_limit_error",
    500: "internal_error",
    502: "upstream_error",
    503: "no_available_provider",
}

DEFAULT_MESSAGES: dict[int, str] = {
    400: "Bad Request: invalid or missing params",
    401: "Invalid credentials: disabled or invalid API key",
    402: "Your account or API key has insufficient credits. Add more credits and retry the request.",
    403: "Your chosen model requires moderation and your input was flagged",
    404: "Not found",
    408: "Your request timed out",
    429: "You are being rate limited",
    500: "Internal sandbox error",
    502: "Your chosen model is down or we received an invalid response from it",
    503: "There is no available model provider that meets your routing requirements",
}


class SandboxError(Exception):
    """An error answered as ``{"error": {message, type, param, code}}`` with HTTP status == code."""

    def __init__(
        self,
        status: int,
        message: str | None = None,
        *,
        param: str | None = None,
        type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status = status
        self.message = message or DEFAULT_MESSAGES.get(status, f"HTTP {status}")
        self.param = param
        self.type = type or ERROR_TYPES.get(status, "api_error")
        self.headers = dict(headers or {})
        super().__init__(f"{status}: {self.message}")

    def body(self, request_id: str) -> dict[str, Any]:
        return error_body(self.status, self.message, self.type, self.param, request_id)


class SandboxConnectionDropped(Exception):
    """Raised by the app to abort a connection on purpose (fault ``drop-mid-stream``)."""


def error_body(
    status: int, message: str, type_: str, param: str | None, request_id: str
) -> dict[str, Any]:
    return {
        "error": {"message": message, "type": type_, "param": param, "code": status},
        "request_id": request_id,
    }


def bad_request(message: str, param: str | None = None) -> SandboxError:
    return SandboxError(400, message, param=param)
