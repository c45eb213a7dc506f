"""Error bodies and in-band errors into the right exception; settings and the secret key."""

from __future__ import annotations

import pickle

import pytest

from infron_integrations.core import (
    InfronAPIError,
    InfronAuthenticationError,
    InfronBadGatewayError,
    InfronBadRequestError,
    InfronConfigError,
    InfronInsufficientCreditsError,
    InfronNotFoundError,
    InfronPermissionDeniedError,
    InfronRateLimitError,
    InfronRequestTimeoutError,
    InfronServerError,
    InfronServiceUnavailableError,
    InfronSettings,
    error_from_response,
    raise_for_inband_error,
)
from infron_integrations.core.errors import parse_retry_after

SECRET = "sk-infron-test-secret-0123456789"


@pytest.mark.parametrize(
    ("status", "cls", "retryable"),
    [
        (400, InfronBadRequestError, False),
        (401, InfronAuthenticationError, False),
        (402, InfronInsufficientCreditsError, False),
        (403, InfronPermissionDeniedError, False),
        (408, InfronRequestTimeoutError, True),
        (429, InfronRateLimitError, True),
        (502, InfronBadGatewayError, True),
        (503, InfronServiceUnavailableError, True),
        (404, InfronNotFoundError, False),
        (413, InfronBadRequestError, False),
        (422, InfronBadRequestError, False),
        (500, InfronServerError, False),
    ],
)
def test_documented_error_body_maps_to_class(status: int, cls: type, retryable: bool) -> None:
    body = {
        "error": {"message": "boom", "type": "some_type", "param": "provider.sort", "code": status}
    }
    err = error_from_response(status, body, {"x-request-id": "req-1", "Retry-After": "2"})
    assert type(err) is cls
    assert isinstance(err, InfronAPIError)
    assert (err.status_code, err.message, err.type, err.param) == (
        status,
        "boom",
        "some_type",
        "provider.sort",
    )
    assert err.request_id == "req-1"
    assert err.body == body
    assert err.retryable is retryable
    assert err.retry_after == 2.0
    text = str(err)
    assert "boom" in text and "provider.sort" in text and "req-1" in text


def test_messages_say_what_to_do() -> None:
    assert "INFRON_API_KEY" in str(error_from_response(401, {"error": {"message": "bad key"}}))
    assert "credits" in str(error_from_response(402, {"error": {"message": "no money"}}))
    assert "allow_fallbacks" in str(error_from_response(503, {"error": {"message": "none"}}))


def test_non_json_error_body() -> None:
    err = error_from_response(502, "<html>Bad gateway</html>")
    assert isinstance(err, InfronBadGatewayError)
    assert "Bad gateway" in err.message


def test_inband_error_in_200_body() -> None:
    body = {
        "id": "x",
        "request_id": "req-9",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": ""},
                "finish_reason": "error",
                "error": {"code": 502, "message": "upstream died"},
            }
        ],
    }
    with pytest.raises(InfronBadGatewayError) as info:
        raise_for_inband_error(body)
    assert info.value.in_band is True
    assert info.value.request_id == "req-9"
    assert "upstream died" in str(info.value)


def test_inband_error_with_unknown_code_and_in_stream_chunk() -> None:
    chunk = {
        "choices": [{"index": 0, "delta": {}, "finish_reason": "error", "error": {"code": "oops"}}]
    }
    with pytest.raises(InfronAPIError) as info:
        raise_for_inband_error(chunk)
    assert info.value.status_code is None and info.value.code == "oops"
    # a normal chunk passes
    raise_for_inband_error({"choices": [{"index": 0, "delta": {"content": "hi"}}]})
    raise_for_inband_error({"choices": []})


def test_errors_pickle() -> None:
    err = error_from_response(429, {"error": {"message": "slow down"}}, {"retry-after": "3"})
    clone = pickle.loads(pickle.dumps(err))
    assert type(clone) is InfronRateLimitError and clone.retry_after == 3.0


def test_retry_after_forms() -> None:
    assert parse_retry_after({"retry-after-ms": "250"}) == 0.25
    assert parse_retry_after({"Retry-After": "7"}) == 7.0
    assert parse_retry_after({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, now=1445412470) == 10
    assert parse_retry_after({}) is None
    assert parse_retry_after({"Retry-After": "soon"}) is None


def test_settings_from_env_and_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFRON_API_KEY", SECRET)
    monkeypatch.delenv("INFRON_BASE_URL", raising=False)
    monkeypatch.delenv("INFRON_MANAGEMENT_URL", raising=False)
    s = InfronSettings.resolve()
    assert s.base_url == "https://llm.onerouter.pro/v1"
    assert s.management_url == "https://api.onerouter.pro/v1"
    assert s.headers()["Authorization"] == f"Bearer {SECRET}"
    assert s.headers()["User-Agent"].startswith("infron-integrations/")
    monkeypatch.setenv("INFRON_BASE_URL", "http://127.0.0.1:8080/v1/")
    s2 = InfronSettings.resolve(api_key="other-key", default_headers={"X-Title": "app"})
    assert s2.base_url == "http://127.0.0.1:8080/v1"
    assert s2.management_url == "http://127.0.0.1:8080/v1"  # a non-default base serves both
    assert s2.headers()["X-Title"] == "app"
    assert s2.api_key.get_secret_value() == "other-key"


def test_key_is_masked_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    s = InfronSettings.resolve(api_key=SECRET)
    for text in (repr(s), str(s), s.model_dump_json(), str(s.model_dump()), repr(s.api_key)):
        assert SECRET not in text
    assert SECRET not in s.public_headers().values()


def test_missing_key_says_how_to_set_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INFRON_API_KEY", raising=False)
    with pytest.raises(InfronConfigError, match="INFRON_API_KEY") as info:
        InfronSettings.resolve()
    assert "api_key=" in str(info.value)
    with pytest.raises(InfronConfigError, match="INFRON_API_KEY"):
        InfronSettings.resolve(api_key="   ")


@pytest.mark.parametrize(
    "url", ["llm.onerouter.pro/v1", "ftp://x/v1", "http://", "not a url", "http://host:99999/v1"]
)
def test_malformed_base_url(url: str) -> None:
    with pytest.raises(InfronConfigError, match=r"base_url|port"):
        InfronSettings.resolve(api_key=SECRET, base_url=url)


def test_bad_timeout_and_retries() -> None:
    with pytest.raises(InfronConfigError, match="timeout"):
        InfronSettings.resolve(api_key=SECRET, timeout=0)
    with pytest.raises(InfronConfigError, match="max_retries"):
        InfronSettings.resolve(api_key=SECRET, max_retries=-1)
    with pytest.raises(InfronConfigError) as info:
        InfronSettings.resolve(api_key=SECRET, timeout=-5)
    assert SECRET not in str(info.value)
