"""Connection settings: API key, base URL, timeout, retries and headers.

Implements the "Authentication" section of the Infron docs (Bearer key) and the base URLs from the
OpenAPI files: inference at ``https://llm.onerouter.pro/v1``, account endpoints such as the balance
at ``https://api.onerouter.pro/v1``, and the Search APIs (Tavily, Exa, Perplexity, Firecrawl,
Cloudsway, Jina DeepSearch) at ``https://search.onerouter.pro/v1``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from .._version import __version__
from .errors import InfronConfigError

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MANAGEMENT_URL",
    "DEFAULT_SEARCH_URL",
    "ENV_API_KEY",
    "ENV_BASE_URL",
    "ENV_MANAGEMENT_URL",
    "ENV_SEARCH_URL",
    "USER_AGENT",
    "InfronSettings",
    "validate_base_url",
]

DEFAULT_BASE_URL = "https://llm.onerouter.pro/v1"
#: The balance endpoint lives on another host (see openapi/balance-get-remaining-credits.json).
DEFAULT_MANAGEMENT_URL = "https://api.onerouter.pro/v1"
#: The Search APIs live on a third host (see the Search section and openapi/tavily-*.json etc.).
DEFAULT_SEARCH_URL = "https://search.onerouter.pro/v1"
ENV_API_KEY = "INFRON_API_KEY"
ENV_BASE_URL = "INFRON_BASE_URL"
ENV_MANAGEMENT_URL = "INFRON_MANAGEMENT_URL"
ENV_SEARCH_URL = "INFRON_SEARCH_URL"
USER_AGENT = f"infron-integrations/{__version__}"

_MISSING_KEY = (
    "No Infron API key. Pass api_key='...' or set the environment variable INFRON_API_KEY "
    "(create a key at https://infron.ai/dashboard/apiKeys). For offline work, start the built-in "
    "sandbox (`infron sandbox` or `python -m infron_integrations.sandbox`) and use its key."
)


def validate_base_url(url: str, *, name: str = "base_url") -> str:
    """Check that ``url`` is an absolute http(s) URL and return it without a trailing slash."""
    text = url.strip() if isinstance(url, str) else url
    if not isinstance(text, str) or not text:
        raise InfronConfigError(f"{name} must be a non-empty URL such as {DEFAULT_BASE_URL!r}.")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InfronConfigError(
            f"{name} {text!r} is not an absolute http(s) URL; use a URL such as "
            f"{DEFAULT_BASE_URL!r} (or set {ENV_BASE_URL})."
        )
    try:
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError as exc:
        raise InfronConfigError(
            f"{name} {text!r} has an invalid port ({exc}); use a URL such as "
            f"{DEFAULT_BASE_URL!r} or 'http://127.0.0.1:8765/v1' (or set {ENV_BASE_URL})."
        ) from None
    return text.rstrip("/")


class InfronSettings(BaseModel):
    """How to reach Infron. Build it with :meth:`resolve` to read the environment.

    The key is a :class:`pydantic.SecretStr`: it shows as ``'**********'`` in every repr, str and
    serialization, and is only revealed when a request header is built.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    api_key: SecretStr
    base_url: str = DEFAULT_BASE_URL
    management_url: str = DEFAULT_MANAGEMENT_URL
    search_url: str = DEFAULT_SEARCH_URL
    timeout: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=2, ge=0, le=10)
    default_headers: Mapping[str, str] = Field(default_factory=dict)

    @field_validator("base_url", "management_url", "search_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return validate_base_url(value)

    @field_validator("api_key")
    @classmethod
    def _check_key(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError(_MISSING_KEY)
        return value

    @classmethod
    def resolve(
        cls,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        *,
        management_url: str | None = None,
        search_url: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        default_headers: Mapping[str, str] | None = None,
    ) -> InfronSettings:
        """Settings from arguments, falling back to ``INFRON_API_KEY`` / ``INFRON_BASE_URL``.

        When the base URL is not the default (a sandbox, a proxy) and no management URL (or
        search URL) is given, account endpoints (and the Search APIs) are asked at the base URL
        too: a gateway stand-in serves every path under one ``/v1`` (the sandbox does). The
        search URL comes from ``search_url``, else ``INFRON_SEARCH_URL``.

        Raises:
            InfronConfigError: no key anywhere, or a malformed URL.
        """
        key = api_key.get_secret_value() if isinstance(api_key, SecretStr) else api_key
        key = key or os.environ.get(ENV_API_KEY)
        if not key or not key.strip():
            raise InfronConfigError(_MISSING_KEY)
        url = validate_base_url(base_url or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL)
        mgmt = management_url or os.environ.get(ENV_MANAGEMENT_URL)
        if not mgmt:
            mgmt = DEFAULT_MANAGEMENT_URL if url == DEFAULT_BASE_URL else url
        search = search_url or os.environ.get(ENV_SEARCH_URL)
        if not search:
            search = DEFAULT_SEARCH_URL if url == DEFAULT_BASE_URL else url
        kwargs: dict[str, Any] = {
            "api_key": SecretStr(key.strip()),
            "base_url": url,
            "management_url": validate_base_url(mgmt, name="management_url"),
            "search_url": validate_base_url(search, name="search_url"),
        }
        if timeout is not None:
            kwargs["timeout"] = timeout
        if max_retries is not None:
            kwargs["max_retries"] = max_retries
        if default_headers:
            kwargs["default_headers"] = dict(default_headers)
        try:
            return cls(**kwargs)
        except ValueError as exc:  # pydantic's ValidationError names the field
            raise InfronConfigError(f"Invalid Infron settings: {exc}") from None

    def headers(self) -> dict[str, str]:
        """Request headers: auth, User-Agent with this package's version, then user headers."""
        headers = {
            "Authorization": f"Bearer {self.api_key.get_secret_value()}",
            "User-Agent": USER_AGENT,
        }
        headers.update(self.default_headers)
        return headers

    def public_headers(self) -> dict[str, str]:
        """The headers without the Authorization one (for clients that set auth themselves)."""
        headers = {"User-Agent": USER_AGENT}
        headers.update(self.default_headers)
        return headers

    def cache_key(self) -> tuple[Any, ...]:
        """A hashable identity used to share pooled clients between equal settings."""
        return (
            self.api_key.get_secret_value(),
            self.base_url,
            self.management_url,
            self.search_url,
            self.timeout,
            self.max_retries,
            tuple(sorted(self.default_headers.items())),
        )
