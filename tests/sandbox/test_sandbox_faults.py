"""Faults on demand, chosen by model id (``sandbox/fault-<kind>``) or by header."""

from __future__ import annotations

import json
import time
from typing import Any

import anthropic
import httpx
import openai
import pytest
from sandbox_helpers import AUTH, HTTP, chat, data_chunks

from infron_integrations.sandbox import create_app
from infron_integrations.sandbox.errors import SandboxConnectionDropped

FAULT = "x-infron-sandbox-fault"
USER = [{"role": "user", "content": "Tell me a fairly long story about faults please"}]


def _create(client: openai.OpenAI, model: str = "sandbox/echo", **kw: Any) -> Any:
    return client.chat.completions.create(model=model, messages=USER, **kw)  # type: ignore[arg-type]


STATUS_EXCEPTIONS = [
    ("400", openai.BadRequestError),
    ("401", openai.AuthenticationError),
    ("402", openai.APIStatusError),
    ("403", openai.PermissionDeniedError),
    ("404", openai.NotFoundError),
    ("408", openai.APIStatusError),
    ("413", openai.APIStatusError),
    ("422", openai.UnprocessableEntityError),
    ("429", openai.RateLimitError),
    ("500", openai.InternalServerError),
    ("502", openai.InternalServerError),
    ("503", openai.InternalServerError),
]


@pytest.mark.parametrize(("kind", "exc"), STATUS_EXCEPTIONS)
def test_status_faults_by_model_and_header(
    infron_sandbox: Any, kind: str, exc: type[openai.APIStatusError]
) -> None:
    client = infron_sandbox.openai_client()
    with pytest.raises(exc) as by_model:
        _create(client, f"sandbox/fault-{kind}")
    assert by_model.value.status_code == int(kind)
    body = by_model.value.response.json()
    assert body["error"]["code"] == int(kind)
    assert by_model.value.response.headers["x-request-id"] == body["request_id"]
    with pytest.raises(exc) as by_header:
        _create(client, "openai/gpt-4o", extra_headers={FAULT: kind})
    assert by_header.value.status_code == int(kind)


def test_429_retry_after(infron_sandbox: Any) -> None:
    client = infron_sandbox.openai_client()
    with pytest.raises(openai.RateLimitError) as info:
        _create(client, "sandbox/fault-429")
    assert info.value.response.headers["retry-after"] == "1"
    with pytest.raises(openai.RateLimitError) as info:
        _create(client, extra_headers={FAULT: "429", "x-infron-sandbox-retry-after": "7"})
    assert info.value.response.headers["retry-after"] == "7"


def test_fail_once_succeeds_with_client_retries(infron_sandbox: Any) -> None:
    client = infron_sandbox.openai_client(max_retries=2)
    r = _create(client, "sandbox/fault-fail-once:503")
    assert r.choices[0].message.content.startswith("You said:")
    statuses = [q.status for q in infron_sandbox.requests]
    assert statuses == [503, 200]
    assert len(infron_sandbox.state.fault_counts) == 1
    infron_sandbox.reset()
    assert infron_sandbox.state.fault_counts == {}
    with pytest.raises(openai.InternalServerError):
        _create(infron_sandbox.openai_client(), "sandbox/fault-fail-once:503")


def test_fail_twice_and_fault_key(infron_sandbox: Any) -> None:
    client = infron_sandbox.openai_client(max_retries=2)
    headers = {FAULT: "fail-twice:429", "x-infron-sandbox-retry-after": "0"}
    r = _create(client, extra_headers=headers)
    assert r.choices
    assert [q.status for q in infron_sandbox.requests] == [429, 429, 200]
    no_retry = infron_sandbox.openai_client()
    keyed = {FAULT: "fail-once:502", "x-infron-sandbox-fault-key": "k1"}
    with pytest.raises(openai.InternalServerError):
        _create(no_retry, "sandbox/echo", extra_headers=keyed)
    # another body, same key: already failed once, so it succeeds
    assert _create(no_retry, "openai/gpt-4o", extra_headers=keyed).choices


def test_error_in_200(infron_sandbox: Any) -> None:
    r = _create(infron_sandbox.openai_client(), "sandbox/fault-error-in-200")
    choice = r.choices[0]
    assert choice.finish_reason == "error"
    assert choice.message.content == ""
    error = (choice.model_extra or {})["error"]
    assert error["code"] == 502 and error["message"]
    assert (choice.model_extra or {})["native_finish_reason"] == "error"


def test_error_in_stream(infron_sandbox: Any) -> None:
    stream = _create(infron_sandbox.openai_client(), "sandbox/fault-error-in-stream", stream=True)
    chunks = list(stream)
    content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert content  # some content before the error
    last = chunks[-1].choices[0]
    assert last.finish_reason == "error"
    assert (last.model_extra or {})["error"]["code"] == 502


def test_slow_fault_and_client_timeout(infron_sandbox: Any) -> None:
    client = infron_sandbox.openai_client(timeout=0.3)
    with pytest.raises(openai.APITimeoutError):
        _create(client, "sandbox/fault-slow:2")
    start = time.monotonic()
    assert _create(infron_sandbox.openai_client(), extra_headers={FAULT: "slow:0.3"}).choices
    assert time.monotonic() - start >= 0.3


def test_drop_mid_stream_over_loopback(infron_sandbox: Any) -> None:
    client = infron_sandbox.openai_client()
    seen = []
    with pytest.raises((httpx.RemoteProtocolError, openai.APIConnectionError)):
        for chunk in _create(client, "sandbox/fault-drop-mid-stream", stream=True):
            seen.append(chunk)
    assert seen  # some deltas arrived before the connection dropped
    with pytest.raises(openai.APIConnectionError):
        _create(client, "sandbox/fault-drop-mid-stream")
    assert _create(client).choices  # the server is fine afterwards


async def test_drop_mid_stream_in_process_raises() -> None:
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox/v1") as client:
        with pytest.raises(SandboxConnectionDropped):
            await client.post(
                "/chat/completions",
                headers={**AUTH, FAULT: "drop-mid-stream"},
                json=chat(stream=True),
            )


def test_malformed_sse(infron_sandbox: Any) -> None:
    with pytest.raises(json.JSONDecodeError):
        list(_create(infron_sandbox.openai_client(), "sandbox/fault-malformed-sse", stream=True))
    r = HTTP.post(
        infron_sandbox.base_url + "/chat/completions",
        headers={**AUTH, FAULT: "malformed-sse"},
        json=chat(stream=True),
    )
    frames = [line for line in r.text.split("\n") if line.startswith("data: ")]
    bad = [f for f in frames if f != "data: [DONE]" and not _is_json(f[6:])]
    assert len(bad) == 1


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def test_empty_200(infron_sandbox: Any) -> None:
    client = infron_sandbox.openai_client()
    r = _create(client, "sandbox/fault-empty-200")
    assert r.choices[0].message.content == "" and r.usage.completion_tokens == 0
    chunks = list(_create(client, extra_headers={FAULT: "empty-200"}, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == ""


def test_unknown_fault_header_is_400(infron_sandbox: Any) -> None:
    r = HTTP.post(
        infron_sandbox.base_url + "/chat/completions",
        headers={**AUTH, FAULT: "explode"},
        json=chat(),
    )
    assert r.status_code == 400
    assert r.json()["error"]["param"] == FAULT
    other = HTTP.post(
        infron_sandbox.base_url + "/chat/completions",
        headers=AUTH,
        json=chat(model="sandbox/fault-nothing-known"),
    )
    assert other.status_code == 200


def test_faults_on_other_endpoints(infron_sandbox: Any) -> None:
    base = infron_sandbox.base_url
    bodies = {
        "/embeddings": {"model": "sandbox/embedding", "input": "x"},
        "/rerank": {"model": "sandbox/rerank", "query": "q", "documents": ["a"]},
        "/messages": {
            "model": "sandbox/echo",
            "max_tokens": 10,
            "messages": [{"role": "user", "content": "x"}],
        },
        "/responses": {"model": "sandbox/echo", "input": "x"},
    }
    for path, body in bodies.items():
        for kind, status in (("429", 429), ("502", 502), ("fail-once:503", 503)):
            r = HTTP.post(base + path, json=body, headers={**AUTH, FAULT: kind})
            assert r.status_code == status, (path, kind)
            assert r.json()["error"]["code"] == status
        assert (
            HTTP.post(base + path, json=body, headers={**AUTH, FAULT: "fail-once:503"}).status_code
            == 200
        )
        empty = HTTP.post(base + path, json=body, headers={**AUTH, FAULT: "error-in-200"})
        assert empty.status_code == 200
    model = HTTP.post(
        base + "/embeddings", headers=AUTH, json={"model": "sandbox/fault-429", "input": "x"}
    )
    assert model.status_code == 429


def test_messages_stream_error_event(infron_sandbox: Any) -> None:
    client = anthropic.Anthropic(
        base_url=infron_sandbox.url, api_key=infron_sandbox.api_key, max_retries=0
    )
    with (
        pytest.raises(anthropic.APIStatusError),
        client.messages.stream(
            model="sandbox/fault-error-in-stream",
            max_tokens=100,
            messages=[{"role": "user", "content": "hello there"}],
        ) as stream,
    ):
        for _ in stream:
            pass


def test_responses_stream_failed_event(infron_sandbox: Any) -> None:
    client = infron_sandbox.openai_client()
    events = list(
        client.responses.create(
            model="sandbox/fault-error-in-stream", input="hello there friend", stream=True
        )
    )
    assert any(e.type == "response.output_text.delta" for e in events)
    assert events[-1].type == "response.failed"
    assert events[-1].response.error is not None  # type: ignore[union-attr]
    failed = client.responses.create(model="sandbox/fault-error-in-200", input="x")
    assert failed.status == "failed"


def test_stream_data_chunks_after_error_in_stream_have_done(infron_sandbox: Any) -> None:
    r = HTTP.post(
        infron_sandbox.base_url + "/chat/completions",
        headers={**AUTH, FAULT: "error-in-stream"},
        json=chat(stream=True),
    )
    assert r.text.rstrip().endswith("data: [DONE]")
    assert data_chunks(r.text)[-1]["choices"][0]["error"]["code"] == 502
