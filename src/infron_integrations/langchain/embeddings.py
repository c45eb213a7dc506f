"""``InfronEmbeddings``: LangChain embeddings through Infron's ``/embeddings`` endpoint.

Docs: Embedding & Reranker Quickstart, Embeddings API ("Submit an embedding request"), Billing
Tracking. Requests go through the pooled OpenAI SDK clients of :mod:`infron_integrations.core.http`,
so they get the SDK's retries (408/429/5xx, ``Retry-After``) and share one connection pool with
every other adapter; each request's usage is recorded into the core's run-level tracker.
"""

from __future__ import annotations

import array
import asyncio
import base64
from collections.abc import Awaitable, Iterable, Mapping
from typing import Any, Literal

from langchain_core.embeddings import Embeddings
from langchain_core.load import Serializable
from langchain_core.utils import from_env, secret_from_env
from pydantic import ConfigDict, Field, PrivateAttr, SecretStr, ValidationError, field_validator

from ..core.errors import InfronAPIError, InfronConfigError, raise_for_inband_error
from ..core.http import async_openai_client, openai_client
from ..core.openai_compat import RawResponse, raw_response_type
from ..core.options import ProviderPreferences, check_option_spelling, config_error, parse_options
from ..core.settings import InfronSettings
from ..core.usage import UsageRecord, record_usage
from ._errors import to_langchain_error
from ._serde import SECRET_ENV, plain_options
from ._validation import check_init_kwargs

__all__ = ["InfronEmbeddings"]

_FRAMEWORK = "langchain"
#: body keys that have fields of their own and may not come through `model_kwargs`
_RESERVED = ("model", "input", "encoding_format", "dimensions", "provider", "usage")


class _InfronConnection(Serializable):
    """Connection fields shared by the LangChain embeddings and rerank classes.

    Settings are resolved once, when the object is built, so a missing key or a malformed URL
    fails at construction with the core's how-to-fix message, and no call builds a client. Any
    bad setting raises ``InfronConfigError``, as with ChatInfron. Both classes serialize with
    LangChain's ``dumpd``/``load`` (see ``._serde``); the key is written as a secret reference.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True, protected_namespaces=())

    api_key: SecretStr | None = Field(
        default_factory=secret_from_env("INFRON_API_KEY", default=None)
    )
    """Infron API key; read from ``INFRON_API_KEY`` when not given."""
    base_url: str | None = Field(default_factory=from_env("INFRON_BASE_URL", default=None))
    """Base URL; ``INFRON_BASE_URL`` or ``https://llm.onerouter.pro/v1`` when not given."""
    timeout: float | None = Field(default=None, gt=0)
    """Seconds to wait for a response (default 60)."""
    max_retries: int | None = Field(default=None, ge=0, le=10)
    """Retries on 408/429/502/503 and connection errors (default 2)."""
    default_headers: dict[str, str] | None = None
    """Extra headers sent with every request."""

    _settings: InfronSettings = PrivateAttr()

    def __init__(self, **kwargs: Any) -> None:
        check_init_kwargs(type(self), kwargs)
        try:
            super().__init__(**kwargs)
        except ValidationError as exc:
            raise config_error(exc, type(self).__name__) from None

    @classmethod
    def is_lc_serializable(cls) -> bool:
        return True

    @property
    def lc_secrets(self) -> dict[str, str]:
        return {"api_key": SECRET_ENV}

    def to_json(self) -> Any:
        """Serialize with ``provider`` as a plain dict; the key as a secret reference."""
        return plain_options(super().to_json())

    def model_post_init(self, context: Any, /) -> None:
        self._settings = InfronSettings.resolve(
            api_key=self.api_key,
            base_url=self.base_url,
            timeout=self.timeout,
            max_retries=self.max_retries,
            default_headers=self.default_headers,
        )

    @property
    def settings(self) -> InfronSettings:
        """The resolved connection settings (the key stays a masked ``SecretStr``)."""
        return self._settings


def _validate_provider(value: Any) -> ProviderPreferences | None:
    # the core's validation, so a typo reads "options.provider.sortt: ... Did you mean 'sort'?"
    if value is None:
        return None
    return parse_options(provider=value).provider


def _check_model_kwargs(value: dict[str, Any], reserved: Iterable[str]) -> dict[str, Any]:
    check_option_spelling(value)  # `provder` would be sent and ignored
    clash = sorted(set(value) & set(reserved))
    if clash:
        raise InfronConfigError(
            f"model_kwargs may not set {clash}: the class sets these keys itself, from its own "
            "fields (model, encoding_format, dimensions, top_n, provider, usage_accounting) or from "
            "the call's arguments; use those instead."
        )
    return value


def _check_texts(texts: Any) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("embed_documents takes a list of strings, not a string; use embed_query.")
    items: list[str] = list(texts)
    for i, text in enumerate(items):
        if not isinstance(text, str):
            raise TypeError(
                f"texts[{i}] is a {type(text).__name__}, not a str; embeddings take text only."
            )
    return items


def _decode_vector(value: Any) -> list[float]:
    if isinstance(value, str):
        # base64 of little-endian float32, the format OpenAI-compatible endpoints use
        return array.array("f", base64.b64decode(value)).tolist()
    if isinstance(value, list):
        # JSON numbers written without a fraction ("0") parse as int; LangChain wants floats
        return [float(x) for x in value]
    raise InfronAPIError(
        f"Infron returned an embedding of type {type(value).__name__}; expected a list of floats "
        "or a base64 string. Try encoding_format='float'."
    )


class InfronEmbeddings(_InfronConnection, Embeddings):
    """Text embeddings from any embedding model on Infron.

    Implements the Infron docs' "Embeddings API" (``POST /embeddings``): batched input, the
    documented ``encoding_format``, and usage from Billing Tracking recorded into
    :func:`infron_integrations.core.track_usage` (kind ``"embeddings"``). The docs' embeddings
    response carries token counts but no ``cost``: a record's cost is the gateway's figure when a
    response carries one and stays unknown (``None``) otherwise; nothing here estimates a price.

    Example:
        ```python
        from infron_integrations.langchain import InfronEmbeddings

        embeddings = InfronEmbeddings(model="qwen/qwen3-embedding-0.6b")
        vectors = embeddings.embed_documents(["first text", "second text"])
        query = embeddings.embed_query("which text?")
        ```

    Args:
        model: the embedding model id, e.g. ``"qwen/qwen3-embedding-0.6b"``.
        chunk_size: texts per request; longer lists are split into several requests.
        encoding_format: wire format of the vectors; results are always ``list[float]``.
        dimensions: output size, for models that support shortening (not in the Infron schema).
        provider: provider routing preferences (docs: Inference Provider Routing).
        usage_accounting: send ``usage: {"include": true}`` to ask for ``cost``.
        model_kwargs: other request-body fields, sent as given.
        max_concurrency: chunk requests in flight at once in the async methods.
    """

    model: str = Field(min_length=1)
    """Embedding model id, e.g. ``"qwen/qwen3-embedding-0.6b"``."""
    chunk_size: int = Field(default=1000, ge=1, le=2048)
    """Texts per request; ``embed_documents`` splits longer lists into several requests."""
    encoding_format: Literal["float", "base64"] = "base64"
    """How vectors travel on the wire (the docs allow ``float`` and ``base64``). ``base64`` (the
    OpenAI SDK's default) is about a quarter of the bytes and faster to decode; a model that
    answers with floats anyway is handled too. Results are ``list[float]`` either way."""
    dimensions: int | None = Field(default=None, ge=1)
    """Output size for models that can shorten their vectors (e.g. ``openai/text-embedding-3-*``).
    Not part of the Infron embeddings schema: it is forwarded as-is, and a response whose vectors
    have another size raises instead of being returned."""
    provider: ProviderPreferences | None = None
    """Provider routing preferences, sent as ``provider`` (docs: Inference Provider Routing)."""
    usage_accounting: bool = False
    """Send ``usage: {"include": true}`` to ask for ``cost`` (Billing Tracking). The docs show it
    for chat only (where ``ChatInfron`` sends it by default), so here it is off by default; when a
    response carries ``cost`` it is recorded either way."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Other request-body fields, sent as given (e.g. ``{"user": "u-42"}``)."""
    max_concurrency: int = Field(default=4, ge=1)
    """Chunk requests in flight at once in ``aembed_documents``."""

    _body: dict[str, Any] = PrivateAttr()

    @field_validator("provider", mode="before")
    @classmethod
    def _provider(cls, value: Any) -> Any:
        return _validate_provider(value)

    @field_validator("model_kwargs")
    @classmethod
    def _kwargs(cls, value: dict[str, Any]) -> dict[str, Any]:
        return _check_model_kwargs(value, _RESERVED)

    def model_post_init(self, context: Any, /) -> None:
        super().model_post_init(context)
        # the static part of every request body, built once; each request adds only `input`
        body: dict[str, Any] = {"model": self.model, "encoding_format": self.encoding_format}
        if self.dimensions is not None:
            body["dimensions"] = self.dimensions
        if self.provider is not None:
            body["provider"] = self.provider.to_wire()
        if self.usage_accounting:
            body["usage"] = {"include": True}
        body.update(self.model_kwargs)
        self._body = body

    # --- LangChain API -----------------------------------------------------------------------

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed texts, ``chunk_size`` per request; ``[]`` gives ``[]`` without a request.

        Raises:
            InfronAPIError: the gateway answered with an error (a typed subclass per status).
            InfronConnectionError: the gateway could not be reached.
            InfronBudgetExceededError: a usage tracker's budget was crossed.
        """
        texts = _check_texts(texts)
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.chunk_size):
            vectors.extend(self._request(texts[start : start + self.chunk_size]))
        return vectors

    def embed_query(self, text: str) -> list[float]:
        """Embed one text (one request)."""
        return self._request(_check_texts([text]))[0]

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        """Async :meth:`embed_documents`; up to ``max_concurrency`` chunks in flight at once."""
        texts = _check_texts(texts)
        size = self.chunk_size
        chunks = [texts[start : start + size] for start in range(0, len(texts), size)]
        if len(chunks) <= 1:
            return await self._arequest(chunks[0]) if chunks else []
        gate = asyncio.Semaphore(self.max_concurrency)

        async def one(chunk: list[str]) -> list[list[float]]:
            async with gate:
                return await self._arequest(chunk)

        vectors: list[list[float]] = []
        for part in await _gather_or_cancel([one(chunk) for chunk in chunks]):
            vectors.extend(part)
        return vectors

    async def aembed_query(self, text: str) -> list[float]:
        """Async :meth:`embed_query`."""
        return (await self._arequest(_check_texts([text])))[0]

    # --- transport ---------------------------------------------------------------------------

    def _request(self, chunk: list[str]) -> list[list[float]]:
        client = openai_client(self._settings)
        try:
            # raw response: we parse the JSON once, see in-band errors and Infron's extras, and
            # decode vectors ourselves; the SDK still applies its retries
            response = client.post(
                "/embeddings", body={**self._body, "input": chunk}, cast_to=raw_response_type()
            )
            return self._finish(response, len(chunk))
        except Exception as exc:
            error = to_langchain_error(exc)
            if error is exc:
                raise
            raise error from exc

    async def _arequest(self, chunk: list[str]) -> list[list[float]]:
        client = async_openai_client(self._settings)
        try:
            response = await client.post(
                "/embeddings", body={**self._body, "input": chunk}, cast_to=raw_response_type()
            )
            return self._finish(response, len(chunk))
        except Exception as exc:
            error = to_langchain_error(exc)
            if error is exc:
                raise
            raise error from exc

    def _finish(self, response: RawResponse, expected: int) -> list[list[float]]:
        try:
            body = response.json()
        except ValueError:
            raise InfronAPIError(
                f"Infron answered /embeddings with a body that is not JSON: {response.text[:200]!r}",
                status_code=response.status_code,
                request_id=response.headers.get("x-request-id"),
                body=response.text,
            ) from None
        if not isinstance(body, Mapping):
            raise InfronAPIError(
                "Infron answered /embeddings with an unexpected JSON shape.", body=body
            )
        raise_for_inband_error(body)
        vectors = self._vectors(body, expected)
        record = UsageRecord.from_response(body, kind="embeddings", framework=_FRAMEWORK)
        if record.request_id is None and "x-request-id" in response.headers:
            record_usage(record, request_id=response.headers["x-request-id"])
        else:
            record_usage(record)
        return vectors

    def _vectors(self, body: Mapping[str, Any], expected: int) -> list[list[float]]:
        data = body.get("data")
        if not isinstance(data, list) or len(data) != expected:
            got = len(data) if isinstance(data, list) else 0
            raise InfronAPIError(
                f"Infron returned {got} embeddings for {expected} inputs; nothing was returned "
                "to avoid mismatching texts and vectors.",
                request_id=body.get("request_id"),
                body=body,
            )
        try:
            items = sorted(data, key=lambda item: item["index"])
        except (KeyError, TypeError):
            items = data  # no indices: the documented order is the input order
        vectors = [_decode_vector(item.get("embedding")) for item in items]
        if self.dimensions is not None:
            for vector in vectors:
                if len(vector) != self.dimensions:
                    raise InfronAPIError(
                        f"Model {self.model!r} returned {len(vector)}-dimensional vectors, not "
                        f"the {self.dimensions} asked for: it does not support `dimensions`. "
                        "Unset dimensions or choose a model that supports it.",
                        request_id=body.get("request_id"),
                        body=None,
                    )
        return vectors


async def _gather_or_cancel(aws: list[Awaitable[list[list[float]]]]) -> list[list[list[float]]]:
    # like TaskGroup (3.11+): the first failure cancels the chunks still in flight
    tasks = [asyncio.ensure_future(aw) for aw in aws]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
