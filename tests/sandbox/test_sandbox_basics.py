"""Ways to run the sandbox, authentication, the envelope (request ids, error shape), models,
balance and the request log."""

from __future__ import annotations

import re
from typing import Any

import httpx
import openai
import pytest
from sandbox_helpers import AUTH, HEX32, HTTP, KEY, chat

from infron_integrations.sandbox import (
    DEFAULT_NO_CREDIT_KEY,
    SandboxConfig,
    SandboxServer,
    create_app,
    run_sandbox,
)


def _client(sb: Any) -> httpx.Client:
    return httpx.Client(base_url=sb.base_url, timeout=10)


def test_health_needs_no_auth(infron_sandbox: Any) -> None:
    r = HTTP.get(infron_sandbox.url + "/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"
    assert r.headers["x-request-id"] == r.json()["request_id"]


async def test_in_process_with_asgi_transport() -> None:
    app = create_app()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox/v1") as client:
        r = await client.post("/chat/completions", json=chat("hi"), headers=AUTH)
    assert r.status_code == 200
    assert r.json()["choices"][0]["message"]["content"].startswith('You said: "hi"')
    assert app.state.sandbox.last_request("/v1/chat/completions").status == 200


def test_run_sandbox_loopback_thread() -> None:
    with run_sandbox() as sb:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v1", sb.base_url)
        assert sb.port > 0
        r = HTTP.post(sb.base_url + "/chat/completions", json=chat(), headers=AUTH)
        assert r.status_code == 200
        url = sb.url
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/health", timeout=2)


def test_server_refuses_non_loopback_host() -> None:
    with pytest.raises(ValueError, match="loopback"):
        SandboxServer(host="0.0.0.0")


def test_fixture_handle(infron_sandbox: Any) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v1", infron_sandbox.base_url)
    assert infron_sandbox.api_key == KEY
    assert infron_sandbox.app.state.sandbox is infron_sandbox.state
    assert infron_sandbox.requests == []
    client = infron_sandbox.openai_client()
    client.chat.completions.create(
        model="sandbox/echo", messages=[{"role": "user", "content": "x"}]
    )
    assert len(infron_sandbox.requests) == 1
    assert infron_sandbox.last_request().path == "/v1/chat/completions"
    infron_sandbox.reset()
    assert infron_sandbox.requests == []


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}, {"x-api-key": KEY}],
)
def test_missing_or_wrong_key_is_401(infron_sandbox: Any, headers: dict[str, str]) -> None:
    with _client(infron_sandbox) as c:
        r = c.post("/chat/completions", json=chat(), headers=headers)
    assert r.status_code == 401
    body = r.json()
    assert set(body["error"]) == {"message", "type", "param", "code"}
    assert body["error"]["code"] == 401
    assert body["error"]["param"] is None
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert r.headers["x-request-id"] == body["request_id"]
    assert HEX32.match(body["request_id"])


def test_openai_client_sees_authentication_error(infron_sandbox: Any) -> None:
    client = infron_sandbox.openai_client(api_key="sk-wrong")
    with pytest.raises(openai.AuthenticationError) as info:
        client.models.list()
    assert info.value.status_code == 401


def test_out_of_credit_key_gets_402(infron_sandbox: Any) -> None:
    client = infron_sandbox.openai_client(api_key=DEFAULT_NO_CREDIT_KEY)
    with pytest.raises(openai.APIStatusError) as info:
        client.chat.completions.create(
            model="sandbox/echo", messages=[{"role": "user", "content": "x"}]
        )
    assert info.value.status_code == 402
    assert info.value.body["code"] == 402  # type: ignore[index]
    with _client(infron_sandbox) as c:
        r = c.get("/balance", headers={"Authorization": f"Bearer {DEFAULT_NO_CREDIT_KEY}"})
    assert r.json()["credit_balance"] == 0


async def test_configured_keys_and_out_of_credit_keys() -> None:
    app = create_app(SandboxConfig(api_keys=("k1", "k2"), out_of_credit_keys=("broke",)))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox/v1") as client:
        for key, status in (("k1", 200), ("k2", 200), (KEY, 401), ("broke", 402)):
            r = await client.post(
                "/chat/completions", json=chat(), headers={"Authorization": f"Bearer {key}"}
            )
            assert r.status_code == status, key
            if status != 200:
                assert r.json()["error"]["code"] == status


def test_models_list_shape(infron_sandbox: Any) -> None:
    client = infron_sandbox.openai_client()
    models = client.models.list()
    ids = [m.id for m in models.data]
    assert "anthropic/claude-sonnet-4.5" in ids and "deepseek/deepseek-r1" in ids
    with _client(infron_sandbox) as c:
        body = c.get("/models", headers=AUTH).json()
    assert body["object"] == "list"
    for entry in body["data"]:
        assert {
            "id",
            "object",
            "created",
            "owned_by",
            "name",
            "context_length",
            "pricing",
            "providers",
            "supports_reasoning",
        } <= set(entry)
        assert entry["object"] == "model"
        for key in ("prompt", "completion", "input_cache_read", "input_cache_write"):
            assert isinstance(entry["pricing"][key], str)
            float(entry["pricing"][key])
        assert isinstance(entry["supports_reasoning"], bool)
    claude = next(m for m in body["data"] if m["id"] == "anthropic/claude-sonnet-4.5")
    assert claude["providers"] == ["anthropic", "amazon-bedrock", "google-vertex"]
    assert claude["pricing"]["prompt"] == "0.000003"
    assert next(m for m in body["data"] if m["id"] == "deepseek/deepseek-r1")["supports_reasoning"]


def test_model_detail_and_unknown_routes(infron_sandbox: Any) -> None:
    with _client(infron_sandbox) as c:
        r = c.get("/models/anthropic/claude-sonnet-4.5", headers=AUTH)
        assert r.status_code == 200 and r.json()["id"] == "anthropic/claude-sonnet-4.5"
        missing = c.get("/models/nope/nope", headers=AUTH)
        assert missing.status_code == 404 and missing.json()["error"]["code"] == 404
        route = c.get("/does-not-exist", headers=AUTH)
        assert route.status_code == 404
        assert route.json()["error"]["code"] == 404
        assert route.headers["x-request-id"] == route.json()["request_id"]
        wrong_method = c.get("/chat/completions", headers=AUTH)
        assert wrong_method.status_code == 405 and wrong_method.json()["error"]["code"] == 405


def test_balance_decreases_by_each_cost(infron_sandbox: Any) -> None:
    with _client(infron_sandbox) as c:
        start = c.get("/balance", headers=AUTH).json()
        assert set(start) >= {"account_name", "credit_balance"}
        assert start["credit_balance"] == 100.0
        cost = c.post(
            "/chat/completions",
            json=chat(
                "spend some credits", model="anthropic/claude-sonnet-4.5", usage={"include": True}
            ),
            headers=AUTH,
        ).json()["cost"]
        after = c.get("/balance", headers=AUTH).json()["credit_balance"]
    assert cost > 0
    assert after == pytest.approx(100.0 - cost, abs=1e-12)
    assert after < start["credit_balance"]


def test_request_log_redacts_secrets(infron_sandbox: Any) -> None:
    with _client(infron_sandbox) as c:
        c.post("/chat/completions", json=chat("logged"), headers={**AUTH, "X-Custom": "yes"})
        c.post(
            "/messages",
            json={"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]},
            headers={"x-api-key": KEY, "content-type": "application/json"},
        )
    first, second = infron_sandbox.requests
    assert first.method == "POST" and first.path == "/v1/chat/completions"
    assert first.headers["authorization"] == "***"
    assert first.headers["x-custom"] == "yes"
    assert first.body["messages"][0]["content"] == "logged"
    assert first.status == 200
    assert HEX32.match(first.request_id)
    assert second.headers["x-api-key"] == "***"
    assert KEY not in repr(infron_sandbox.requests)


def test_every_response_carries_x_request_id(infron_sandbox: Any) -> None:
    with _client(infron_sandbox) as c:
        for method, path, body in [
            ("GET", "/models", None),
            ("GET", "/balance", None),
            ("POST", "/chat/completions", chat()),
            ("POST", "/embeddings", {"model": "sandbox/embedding", "input": "x"}),
            ("POST", "/rerank", {"model": "sandbox/rerank", "query": "q", "documents": ["d"]}),
            ("POST", "/responses", {"model": "sandbox/echo", "input": "x"}),
            ("POST", "/chat/completions", {"model": "m"}),
        ]:
            r = c.request(method, path, json=body, headers=AUTH)
            assert r.headers["x-request-id"] == r.json()["request_id"], path
        with c.stream("POST", "/chat/completions", json=chat(stream=True), headers=AUTH) as r:
            text = r.read().decode()
        assert f'"request_id":"{r.headers["x-request-id"]}"' in text
