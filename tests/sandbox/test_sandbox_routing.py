"""Provider routing: order, only, ignore, sort, quantizations, performance preferences,
policy filters, simulated outages with fallback, and 503 when nothing is eligible."""

from __future__ import annotations

from typing import Any

import httpx
import openai
import pytest
from sandbox_helpers import AUTH, HTTP, chat

from infron_integrations.sandbox import SandboxConfig, create_app

CLAUDE = "anthropic/claude-sonnet-4.5"  # anthropic, amazon-bedrock, google-vertex
DOWN = "x-infron-sandbox-down"


def _route(
    sb: Any,
    provider: dict[str, Any] | None = None,
    model: str = CLAUDE,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    body = chat("route me", model=model)
    if provider is not None:
        body["provider"] = provider
    return HTTP.post(
        sb.base_url + "/chat/completions",
        json=body,
        headers={**AUTH, **(headers or {})},
        timeout=10,
    )


def _provider(
    sb: Any,
    provider: dict[str, Any] | None = None,
    model: str = CLAUDE,
    headers: dict[str, str] | None = None,
) -> str:
    r = _route(sb, provider, model, headers)
    assert r.status_code == 200, r.text
    return str(r.json()["provider"])


@pytest.mark.parametrize(
    ("prefs", "expected"),
    [
        (None, "anthropic"),
        ({"order": ["google-vertex"]}, "google-vertex"),
        ({"order": ["unknown-provider", "amazon-bedrock"]}, "amazon-bedrock"),
        ({"only": ["amazon-bedrock"]}, "amazon-bedrock"),
        ({"only": ["google-vertex", "amazon-bedrock"]}, "amazon-bedrock"),
        ({"ignore": ["anthropic"]}, "amazon-bedrock"),
        ({"ignore": ["anthropic", "amazon-bedrock"]}, "google-vertex"),
        ({"sort": "price"}, "anthropic"),
        ({"sort": "throughput"}, "google-vertex"),
        ({"sort": "latency"}, "amazon-bedrock"),
        ({"sort": {"by": "latency", "partition": "model"}}, "amazon-bedrock"),
        ({"sort": "price", "ignore": ["anthropic"]}, "google-vertex"),
        ({"preferred_max_latency": 1.0}, "amazon-bedrock"),
        ({"preferred_max_latency": {"p90": 2.0}}, "amazon-bedrock"),
        ({"preferred_min_throughput": {"p90": 60}}, "google-vertex"),
        ({"preferred_min_throughput": 1000}, "anthropic"),  # nobody qualifies: order unchanged
        ({"sort": "price", "preferred_min_throughput": 70}, "google-vertex"),
        ({"sort": "price", "preferred_min_throughput": {"p50": 70, "p90": 60}}, "google-vertex"),
        ({"sort": "price", "preferred_max_latency": {"p50": 1.4}}, "anthropic"),
        ({"zdr": True, "sort": "throughput"}, "amazon-bedrock"),
        ({"data_collection": "deny", "order": ["google-vertex"]}, "anthropic"),
        ({"order": ["google-vertex", "anthropic"], "allow_fallbacks": False}, "google-vertex"),
    ],
)
def test_routing_choices(infron_sandbox: Any, prefs: dict[str, Any] | None, expected: str) -> None:
    assert _provider(infron_sandbox, prefs) == expected


def test_quantizations_filter(infron_sandbox: Any) -> None:
    r1 = "deepseek/deepseek-r1"  # deepseek fp8, novita fp16, deepinfra int8, together fp8
    assert _provider(infron_sandbox, {"quantizations": ["int8"]}, r1) == "deepinfra"
    assert _provider(infron_sandbox, {"quantizations": ["fp16"]}, r1) == "novita"
    assert (
        _provider(infron_sandbox, {"quantizations": ["fp8"], "sort": "throughput"}, r1)
        == "together"
    )
    r = _route(infron_sandbox, {"quantizations": ["int4"]}, r1)
    assert r.status_code == 503


def test_down_provider_falls_back(infron_sandbox: Any) -> None:
    assert _provider(infron_sandbox, headers={DOWN: "anthropic"}) == "amazon-bedrock"
    assert _provider(infron_sandbox, headers={DOWN: "anthropic, amazon-bedrock"}) == "google-vertex"
    ordered = {"order": ["anthropic", "google-vertex"]}
    assert _provider(infron_sandbox, ordered, headers={DOWN: "anthropic"}) == "google-vertex"
    assert (
        _provider(infron_sandbox, ordered, headers={DOWN: "anthropic,google-vertex"})
        == "amazon-bedrock"
    )


def test_all_down_is_503_naming_the_requirements(infron_sandbox: Any) -> None:
    r = _route(
        infron_sandbox, {"sort": "price"}, headers={DOWN: "anthropic,amazon-bedrock,google-vertex"}
    )
    assert r.status_code == 503
    error = r.json()["error"]
    assert error["code"] == 503 and error["type"]
    assert "routing requirements" in error["message"]
    assert "sort='price'" in error["message"]
    assert "anthropic" in error["message"]


def test_no_fallbacks_when_disabled(infron_sandbox: Any) -> None:
    strict = {"order": ["anthropic"], "allow_fallbacks": False}
    r = _route(infron_sandbox, strict, headers={DOWN: "anthropic"})
    assert r.status_code == 503
    assert "allow_fallbacks=False" in r.json()["error"]["message"]
    # the cheapest only, no fallback
    r = _route(
        infron_sandbox, {"sort": "price", "allow_fallbacks": False}, headers={DOWN: "anthropic"}
    )
    assert r.status_code == 503
    loose = {"order": ["anthropic"], "allow_fallbacks": True}
    assert _provider(infron_sandbox, loose, headers={DOWN: "anthropic"}) == "amazon-bedrock"


def test_only_and_enforce_distillable_can_leave_nothing(infron_sandbox: Any) -> None:
    assert _route(infron_sandbox, {"only": ["openai"]}).status_code == 503
    assert _route(infron_sandbox, {"enforce_distillable_text": True}).status_code == 503
    assert (
        _provider(
            infron_sandbox, {"enforce_distillable_text": True}, "meta-llama/llama-3.3-70b-instruct"
        )
        == "together"
    )


def test_set_down_through_the_handle(infron_sandbox: Any) -> None:
    infron_sandbox.set_down("anthropic", "amazon-bedrock")
    assert _provider(infron_sandbox) == "google-vertex"
    infron_sandbox.set_down()
    assert _provider(infron_sandbox) == "anthropic"


async def test_config_down_providers() -> None:
    app = create_app(SandboxConfig(down_providers=frozenset({"anthropic"})))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox/v1") as client:
        r = await client.post("/chat/completions", json=chat("x", model=CLAUDE), headers=AUTH)
    assert r.json()["provider"] == "amazon-bedrock"


def test_openai_client_503_and_provider_extra(infron_sandbox: Any) -> None:
    client = infron_sandbox.openai_client()
    r = client.chat.completions.create(
        model=CLAUDE,
        messages=[{"role": "user", "content": "x"}],
        extra_body={"provider": {"order": ["google-vertex"]}},
    )
    assert (r.model_extra or {})["provider"] == "google-vertex"
    with pytest.raises(openai.InternalServerError) as info:
        client.chat.completions.create(
            model=CLAUDE,
            messages=[{"role": "user", "content": "x"}],
            extra_body={"provider": {"only": ["nobody"]}},
        )
    assert info.value.status_code == 503


def test_routing_applies_to_messages_and_responses(infron_sandbox: Any) -> None:
    base = infron_sandbox.base_url
    m = HTTP.post(
        base + "/messages",
        headers=AUTH,
        json={
            "model": CLAUDE,
            "max_tokens": 50,
            "messages": [{"role": "user", "content": "x"}],
            "provider": {"sort": "latency"},
        },
    )
    assert m.json()["provider"] == "amazon-bedrock"
    r = HTTP.post(
        base + "/responses",
        headers={**AUTH, DOWN: "anthropic"},
        json={"model": CLAUDE, "input": "x"},
    )
    assert r.json()["provider"] == "amazon-bedrock"
