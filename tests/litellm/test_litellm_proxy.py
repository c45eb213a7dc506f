"""The real ``litellm --config`` proxy with ``examples/litellm_proxy/config.yaml``, against the sandbox.

The proxy runs as a subprocess (its own process group, ``proxy_process.py``) pointed at the
session's loopback sandbox; it is stopped by pid at the end of the module. Calls go through the
``openai`` client, as a proxy user's would.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from proxy_process import LITELLM, ROOT, Proxy, run_proxy

pytestmark = pytest.mark.litellm_proxy

CONFIG = ROOT / "examples" / "litellm_proxy" / "config.yaml"


@pytest.fixture(scope="module")
def proxy(
    infron_sandbox_server: Any, catalog_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Proxy]:
    if not LITELLM.exists():
        pytest.skip(f"the litellm proxy CLI is not installed at {LITELLM}")
    with run_proxy(
        CONFIG,
        api_key=infron_sandbox_server.api_key,
        base_url=infron_sandbox_server.base_url,
        workdir=tmp_path_factory.mktemp("litellm-proxy"),
        # the session's catalog, fresh on disk: the proxy has no reason to fetch it
        env={"INFRON_CACHE_DIR": str(catalog_dir)},
    ) as running:
        yield running
    assert running.process.poll() is not None


def _spent(sb: Any) -> float:
    return float(Decimal(repr(sb.state.config.initial_balance)) - sb.state.balance(sb.api_key))


USER = [{"role": "system", "content": "You are terse. " * 30}, {"role": "user", "content": "Hi"}]


def test_chat_cost_header_and_wire_body(proxy: Proxy, infron_sandbox: Any) -> None:
    raw = proxy.client().chat.completions.with_raw_response.create(
        model="claude-sonnet",
        messages=USER,  # type: ignore[arg-type]
        reasoning_effort="high",
    )
    completion = raw.parse()
    assert completion.choices[0].message.content.startswith('You said: "Hi"')
    assert (completion.choices[0].message.model_extra or {})["reasoning_content"]
    cost = _spent(infron_sandbox)
    assert cost > 0
    assert float(raw.headers["x-litellm-response-cost"]) == pytest.approx(cost)
    assert (completion.usage.model_extra or {})["cost"] == pytest.approx(cost)

    body = infron_sandbox.last_request("/v1/chat/completions").body
    assert body["model"] == "anthropic/claude-sonnet-4.5"
    # per-deployment options from config.yaml, the client's reasoning_effort mapped by the handler
    assert body["provider"] == {"order": ["anthropic", "amazon-bedrock"], "allow_fallbacks": True}
    assert body["reasoning"] == {"effort": "high"}
    assert body["usage"] == {"include": True}
    assert body["messages"][0]["content"][0]["cache_control"] == {"type": "ephemeral"}
    assert "reasoning_effort" not in body


def test_stream_usage_and_cost(proxy: Proxy, infron_sandbox: Any) -> None:
    stream = proxy.client().chat.completions.create(
        model="deepseek-r1",
        messages=[{"role": "user", "content": "Hi"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    reasoning = "".join(
        (c.choices[0].delta.model_extra or {}).get("reasoning_content") or ""
        for c in chunks
        if c.choices
    )
    assert text.startswith('You said: "Hi"')
    assert reasoning.startswith("The user wrote")
    usage = chunks[-1].usage
    assert usage is not None and usage.completion_tokens > 0
    assert (usage.model_extra or {})["cost"] == pytest.approx(_spent(infron_sandbox))
    assert infron_sandbox.last_request("/v1/chat/completions").body["stream"] is True


def test_a_stream_ends_with_its_cost_without_include_usage(
    proxy: Proxy, infron_sandbox: Any
) -> None:
    """The cost header is sent before a stream has a cost, and the usage chunk exists only with
    include_usage: the closing chunk carries the gateway's ``cost`` at its top level."""
    chunks = list(
        proxy.client().chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}], stream=True
        )
    )
    assert all(c.usage is None for c in chunks)
    costs = [(c.model_extra or {}).get("cost") for c in chunks]
    said = [cost for cost in costs if cost is not None]
    assert said == [pytest.approx(_spent(infron_sandbox))]
    assert costs.index(said[0]) >= len(chunks) - 2  # at the end


def test_sync_only_parameters_of_litellm_pass_the_proxy(proxy: Proxy, infron_sandbox: Any) -> None:
    proxy.client().chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "Hi"}],
        extra_body={"verbosity": "low", "thinking": {"type": "enabled", "budget_tokens": 900}},
    )
    body = infron_sandbox.last_request("/v1/chat/completions").body
    assert body["verbosity"] == "low"
    assert body["reasoning"] == {"max_tokens": 900}


def test_embeddings_cost_header(proxy: Proxy, infron_sandbox: Any) -> None:
    # the openai client asks for base64 unless told otherwise; the hooks let it through
    raw = proxy.client().embeddings.with_raw_response.create(
        model="qwen-embedding", input=["hello", "world"]
    )
    result = raw.parse()
    assert len(result.data) == 2 and len(result.data[0].embedding) == 1024
    cost = _spent(infron_sandbox)
    assert cost > 0
    assert float(raw.headers["x-litellm-response-cost"]) == pytest.approx(cost)
    body = infron_sandbox.last_request("/v1/embeddings").body
    assert body == {
        "model": "qwen/qwen3-embedding-0.6b",
        "input": ["hello", "world"],
        "encoding_format": "base64",
        "usage": {"include": True},
    }


def test_embeddings_dimensions(proxy: Proxy, infron_sandbox: Any) -> None:
    result = proxy.client().embeddings.create(
        model="qwen-embedding", input="hello", dimensions=16, encoding_format="float"
    )
    assert len(result.data[0].embedding) == 16
    body = infron_sandbox.last_request("/v1/embeddings").body
    assert body["dimensions"] == 16 and body["encoding_format"] == "float"


def test_rerank_route(proxy: Proxy, infron_sandbox: Any) -> None:
    response = httpx.post(
        proxy.url + "/rerank",
        headers={"Authorization": f"Bearer {proxy.master_key}"},
        json={
            "model": "qwen-reranker",
            "query": "what is a cat",
            "documents": ["Paris is a city.", "A cat is an animal."],
            "top_n": 1,
        },
        timeout=60,
    )
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["index"] for r in results] == [1]
    request = infron_sandbox.last_request("/v1/rerank")
    assert request.body == {
        "model": "qwen/qwen3-reranker-0.6b",
        "query": "what is a cat",
        "documents": ["Paris is a city.", "A cat is an animal."],
        "top_n": 1,
        "usage": {"include": True},
    }
    # the rerank route's cost header is Infron's cost (LiteLLM's own client reported 0.0)
    cost = _spent(infron_sandbox)
    assert cost > 0
    assert float(response.headers["x-litellm-response-cost"]) == pytest.approx(cost)


def test_search_route(proxy: Proxy, infron_sandbox: Any) -> None:
    """The config's search tool (``search_provider: infron/exa``) on the proxy's /v1/search."""
    response = httpx.post(
        proxy.url + "/v1/search",
        headers={"Authorization": f"Bearer {proxy.master_key}"},
        json={"search_tool_name": "web-search", "query": "Who is Leo Messi?", "max_results": 2},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    assert len(response.json()["results"]) == 2
    request = infron_sandbox.last_request("/v1/exa")
    assert request is not None
    assert request.body == {"model": "exa-search", "query": "Who is Leo Messi?", "numResults": 2}
    # Exa's answer carries the gateway's charge, and that is the proxy's cost header
    assert float(response.headers["x-litellm-response-cost"]) == pytest.approx(
        _spent(infron_sandbox)
    )


def test_gateway_errors_keep_their_status(proxy: Proxy, infron_sandbox: Any) -> None:
    infron_sandbox.set_down("openai", "azure")
    client = proxy.client()
    with pytest.raises(openai.APIStatusError) as info:
        client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "Hi"}],
            extra_body={"provider": {"allow_fallbacks": False}},
        )
    assert info.value.status_code == 503
    assert "No provider met the routing requirements" in str(info.value)


def test_invalid_options_are_400_naming_the_field(proxy: Proxy, infron_sandbox: Any) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        proxy.client().chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "Hi"}],
            extra_body={"provider": {"sortt": "price"}},
        )
    assert "options.provider" in str(info.value)
    assert infron_sandbox.requests == []


def test_transient_errors_are_retried_by_the_router(proxy: Proxy, infron_sandbox: Any) -> None:
    from infron_integrations.sandbox.state import ScriptedError

    infron_sandbox.script(ScriptedError(503, "busy", headers={"retry-after": "0"}))
    completion = proxy.client().chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}]
    )
    assert completion.choices[0].message.content
    assert [r.status for r in infron_sandbox.requests] == [503, 200]


def test_cached_tokens_and_tool_calls_through_the_proxy(proxy: Proxy, infron_sandbox: Any) -> None:
    client = proxy.client()
    tool = {
        "type": "function",
        "function": {
            "name": "get_time",
            "parameters": {
                "type": "object",
                "properties": {"zone": {"type": "string"}},
                "required": ["zone"],
            },
        },
    }
    first = client.chat.completions.create(
        model="claude-sonnet",
        messages=USER,  # type: ignore[arg-type]
        tools=[tool],  # type: ignore[list-item]
    )
    call = first.choices[0].message.tool_calls[0]  # type: ignore[index]
    assert call.function.name == "get_time"  # type: ignore[union-attr]
    second = client.chat.completions.create(
        model="claude-sonnet",
        messages=USER,  # type: ignore[arg-type]
        tools=[tool],  # type: ignore[list-item]
    )
    details = first.usage.prompt_tokens_details.model_dump()  # type: ignore[union-attr]
    written = details["cache_write_tokens"]
    assert written > 0
    assert second.usage.prompt_tokens_details.cached_tokens == written  # type: ignore[union-attr]


# --- reasoning_details through the proxy (docs: Reasoning & Thinking) ------------------------

_WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
_QUESTION = [{"role": "user", "content": "What is the weather in Paris? Use get_weather."}]


def _issued_details(sb: Any) -> list[dict[str, Any]]:
    """What the gateway issued for the first turn (the deterministic sandbox, asked again)."""
    first = next(r for r in sb.requests if r.path == "/v1/chat/completions")
    body = {k: v for k, v in first.body.items() if k not in ("stream", "stream_options")}
    r = httpx.post(
        sb.base_url + "/chat/completions",
        json=body,
        headers={"Authorization": f"Bearer {sb.api_key}"},
        timeout=10,
    )
    return r.json()["choices"][0]["message"]["reasoning_details"]  # type: ignore[no-any-return]


def _replayed(sb: Any) -> dict[str, Any]:
    return sb.last_request("/v1/chat/completions").body["messages"][1]  # type: ignore[no-any-return]


def test_reasoning_details_go_back_with_the_tool_result(proxy: Proxy, infron_sandbox: Any) -> None:
    """A proxy user appends the message as received; the handler lifts the details."""
    client = proxy.client()
    first = client.chat.completions.create(
        model="deepseek-r1",
        messages=_QUESTION,  # type: ignore[arg-type]
        tools=[_WEATHER],  # type: ignore[list-item]
    )
    message = first.choices[0].message
    issued = _issued_details(infron_sandbox)
    extra = message.model_extra or {}
    assert extra["provider_specific_fields"]["reasoning_details"] == issued
    call = message.tool_calls[0]  # type: ignore[index]
    result = {"role": "tool", "tool_call_id": call.id, "content": "sunny"}
    answer = client.chat.completions.create(
        model="deepseek-r1",
        messages=[*_QUESTION, message, result],  # type: ignore[list-item]
        tools=[_WEATHER],  # type: ignore[list-item]
    )
    assert answer.choices[0].message.content == "Based on get_weather: sunny."
    sent = _replayed(infron_sandbox)
    assert sent["reasoning_details"] == issued
    assert "provider_specific_fields" not in sent


def test_streamed_reasoning_details_arrive_merged_once(proxy: Proxy, infron_sandbox: Any) -> None:
    """The handler's closing chunk carries the merged list in ``provider_specific_fields``; a
    proxy user sends it back as the assistant message's ``reasoning_details``."""
    client = proxy.client()
    stream = client.chat.completions.create(
        model="deepseek-r1",
        messages=_QUESTION,  # type: ignore[arg-type]
        tools=[_WEATHER],  # type: ignore[list-item]
        stream=True,
    )
    chunks = [c for c in stream if c.choices]
    closing = [
        (c.choices[0].delta.model_extra or {}).get("provider_specific_fields") or {} for c in chunks
    ]
    merged = [fields["reasoning_details"] for fields in closing if "reasoning_details" in fields]
    issued = _issued_details(infron_sandbox)
    assert merged == [issued]  # once, whole
    heads = [c.choices[0].delta.tool_calls[0] for c in chunks if c.choices[0].delta.tool_calls]
    arguments = "".join(h.function.arguments or "" for h in heads)  # type: ignore[union-attr]
    call = {
        "id": heads[0].id,
        "type": "function",
        "function": {"name": heads[0].function.name, "arguments": arguments},  # type: ignore[union-attr]
    }
    assistant = {
        "role": "assistant",
        "content": None,
        "tool_calls": [call],
        "reasoning_details": merged[0],
    }
    result = {"role": "tool", "tool_call_id": call["id"], "content": "sunny"}
    answer = client.chat.completions.create(
        model="deepseek-r1",
        messages=[*_QUESTION, assistant, result],  # type: ignore[list-item]
        tools=[_WEATHER],  # type: ignore[list-item]
    )
    assert answer.choices[0].message.content == "Based on get_weather: sunny."
    assert _replayed(infron_sandbox)["reasoning_details"] == issued
