"""Chat completions: shape, deterministic answers, stop / max_tokens / n, token counting,
multimodal input and streaming (raw SSE and through the official OpenAI clients)."""

from __future__ import annotations

from typing import Any

import httpx
import openai
from sandbox_helpers import AUTH, HEX32, HTTP, chat, data_chunks, parse_sse

from infron_integrations.sandbox import count_tokens

USER = [{"role": "user", "content": "What is the capital of France?"}]


def _post(sb: Any, body: dict[str, Any]) -> httpx.Response:
    return HTTP.post(sb.base_url + "/chat/completions", json=body, headers=AUTH, timeout=10)


def test_non_stream_shape_with_sync_openai_client(infron_sandbox: Any) -> None:
    client = infron_sandbox.openai_client()
    r = client.chat.completions.create(model="anthropic/claude-sonnet-4.5", messages=USER)
    assert r.object == "chat.completion"
    assert r.model == "anthropic/claude-sonnet-4.5"
    assert r.id and r.created > 0
    assert r.system_fingerprint
    extra = r.model_extra or {}
    assert HEX32.match(extra["request_id"])
    assert extra["provider"] == "anthropic"
    choice = r.choices[0]
    assert choice.finish_reason == "stop"
    assert (choice.model_extra or {})["native_finish_reason"] == "end_turn"
    assert choice.message.role == "assistant"
    assert choice.message.content == (
        'You said: "What is the capital of France?". '
        "This is a deterministic answer from the Infron sandbox."
    )
    usage = r.usage
    assert usage is not None
    assert usage.prompt_tokens_details is not None and usage.completion_tokens_details is not None
    details = usage.prompt_tokens_details.model_dump()
    assert {"cached_tokens", "cache_write_tokens", "audio_tokens", "video_tokens"} <= set(details)
    completion = usage.completion_tokens_details.model_dump()
    assert {"reasoning_tokens", "image_tokens", "audio_tokens"} <= set(completion)
    assert "cost" not in (r.model_extra or {})


def test_answers_are_deterministic(infron_sandbox: Any) -> None:
    a = _post(infron_sandbox, chat("same input", model="qwen/qwen3-coder-plus")).json()
    b = _post(infron_sandbox, chat("same input", model="qwen/qwen3-coder-plus")).json()
    assert a["choices"] == b["choices"]
    assert a["usage"] == b["usage"]
    assert a["id"] != b["id"] and a["request_id"] != b["request_id"]
    assert a["provider"] == "alibaba"


def test_token_counting_convention(infron_sandbox: Any) -> None:
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hello, world!"},
    ]
    body = _post(infron_sandbox, {"model": "sandbox/echo", "messages": messages}).json()
    usage = body["usage"]
    assert count_tokens("Hello, world!") == 4
    assert usage["prompt_tokens"] == (3 + count_tokens("Be brief.")) + (3 + 4)
    content = body["choices"][0]["message"]["content"]
    assert usage["completion_tokens"] == count_tokens(content)
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_stop_cuts_before_first_stop_string(infron_sandbox: Any) -> None:
    full = _post(infron_sandbox, chat("tell me")).json()["choices"][0]["message"]["content"]
    body = _post(infron_sandbox, chat("tell me", stop=["deterministic", "said"])).json()
    choice = body["choices"][0]
    assert choice["message"]["content"] == full[: full.index("said")]
    assert choice["finish_reason"] == "stop"
    claude = _post(
        infron_sandbox, chat("tell me", model="anthropic/claude-haiku-4.5", stop="sandbox")
    ).json()["choices"][0]
    assert claude["native_finish_reason"] == "stop_sequence"
    assert claude["message"]["content"].endswith("Infron ")


def test_max_tokens_truncates_with_finish_length(infron_sandbox: Any) -> None:
    for key in ("max_tokens", "max_completion_tokens"):
        body = _post(infron_sandbox, chat("a long enough question", **{key: 5})).json()
        choice = body["choices"][0]
        assert choice["finish_reason"] == "length"
        assert choice["native_finish_reason"] == "length"
        assert count_tokens(choice["message"]["content"]) == 5
        assert body["usage"]["completion_tokens"] == 5
    claude = _post(infron_sandbox, chat("q", model="anthropic/claude-sonnet-4.5", max_tokens=3))
    assert claude.json()["choices"][0]["native_finish_reason"] == "max_tokens"


def test_n_choices_and_ignored_sampling_params(infron_sandbox: Any) -> None:
    body = _post(
        infron_sandbox,
        chat("pick", n=3, temperature=0.2, top_p=0.5, seed=7, presence_penalty=0.1, user="u1"),
    ).json()
    assert [c["index"] for c in body["choices"]] == [0, 1, 2]
    assert len({c["message"]["content"] for c in body["choices"]}) == 1
    one = count_tokens(body["choices"][0]["message"]["content"])
    assert body["usage"]["completion_tokens"] == 3 * one


def test_multimodal_parts_are_counted_and_mentioned(infron_sandbox: Any) -> None:
    content = [
        {"type": "text", "text": "Describe these."},
        {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
        {
            "type": "file",
            "file": {"filename": "doc.pdf", "file_data": "data:application/pdf;base64,JVBERi0="},
        },
        {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}},
        {"type": "video_url", "video_url": {"url": "https://example.com/v.mp4"}},
    ]
    body = _post(
        infron_sandbox,
        {"model": "google/gemini-2.5-flash", "messages": [{"role": "user", "content": content}]},
    ).json()
    text = body["choices"][0]["message"]["content"]
    assert "I see 2 images, 1 file, 1 audio clip and 1 video." in text
    details = body["usage"]["prompt_tokens_details"]
    assert details["image_tokens"] == 2 * 85
    assert details["audio_tokens"] == 50
    assert details["video_tokens"] == 120
    expected = 3 + count_tokens("Describe these.") + 2 * 85 + 100 + 50 + 120
    assert body["usage"]["prompt_tokens"] == expected


def test_raw_stream_frames(infron_sandbox: Any) -> None:
    body = chat(
        "Stream this answer please",
        model="anthropic/claude-sonnet-4.5",
        stream=True,
        stream_options={"include_usage": True},
    )
    with HTTP.stream(
        "POST", infron_sandbox.base_url + "/chat/completions", json=body, headers=AUTH
    ) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        text = r.read().decode()
    assert text.startswith(": INFRONAI PROCESSING\n\n")
    events = parse_sse(text)
    assert sum(1 for e, _ in events if e == ":") >= 2  # before the first frame and periodically
    assert events[-1] == (None, "[DONE]")
    chunks = data_chunks(text)
    assert {c["id"] for c in chunks} == {chunks[0]["id"]}
    assert {c["request_id"] for c in chunks} == {r.headers["x-request-id"]}
    assert {c["provider"] for c in chunks} == {"anthropic"}
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    content_deltas = [
        c["choices"][0]["delta"]["content"]
        for c in chunks[:-2]
        if c["choices"][0]["delta"].get("content")
    ]
    assert len(content_deltas) > 5
    final, usage = chunks[-2], chunks[-1]
    assert final["choices"][0]["finish_reason"] == "stop"
    assert final["choices"][0]["native_finish_reason"] == "end_turn"
    assert all("native_finish_reason" in c["choices"][0] for c in chunks[:-1])
    assert usage["choices"] == [] and usage["usage"]["completion_tokens"] > 0
    assert "cost" not in usage
    whole = _post(
        infron_sandbox, chat("Stream this answer please", model="anthropic/claude-sonnet-4.5")
    ).json()
    assert "".join(content_deltas) == whole["choices"][0]["message"]["content"]
    assert usage["usage"] == whole["usage"]


def test_stream_without_usage_request_has_no_usage_chunk(infron_sandbox: Any) -> None:
    with HTTP.stream(
        "POST",
        infron_sandbox.base_url + "/chat/completions",
        json=chat("x", stream=True),
        headers=AUTH,
    ) as r:
        chunks = data_chunks(r.read().decode())
    assert all(c["choices"] for c in chunks)
    assert all("usage" not in c for c in chunks)


def test_stream_usage_include_adds_usage_and_cost_chunk(infron_sandbox: Any) -> None:
    with HTTP.stream(
        "POST",
        infron_sandbox.base_url + "/chat/completions",
        json=chat("x", stream=True, usage={"include": True}),
        headers=AUTH,
    ) as r:
        chunks = data_chunks(r.read().decode())
    assert chunks[-1]["choices"] == []
    assert chunks[-1]["cost"] > 0 and "cost_details" in chunks[-1]


def test_sync_openai_stream_usage_chunk_last(infron_sandbox: Any) -> None:
    client = infron_sandbox.openai_client()
    stream = client.chat.completions.create(
        model="openai/gpt-4o-mini",
        messages=USER,
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert all(c.usage is None for c in chunks[:-1])
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.startswith('You said: "What is the capital of France?"')
    assert chunks[-2].choices[0].finish_reason == "stop"


async def test_async_openai_in_process_and_loopback(infron_sandbox: Any) -> None:
    for in_process in (True, False):
        client = infron_sandbox.async_openai_client(in_process=in_process)
        r = await client.chat.completions.create(model="sandbox/echo", messages=USER)
        assert r.choices[0].message.content is not None
        assert r.choices[0].message.content.startswith("You said:")
        stream = await client.chat.completions.create(
            model="sandbox/echo",
            messages=USER,
            stream=True,
            stream_options={"include_usage": True},
        )
        chunks = [c async for c in stream]
        assert chunks[-1].usage is not None and chunks[-1].choices == []
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        assert text == r.choices[0].message.content
        await client.close()
    paths = [r.path for r in infron_sandbox.requests]
    assert paths == ["/v1/chat/completions"] * 4


def test_openai_client_raw_response_has_request_id_header(infron_sandbox: Any) -> None:
    client = infron_sandbox.openai_client()
    raw = client.chat.completions.with_raw_response.create(model="sandbox/echo", messages=USER)
    parsed = raw.parse()
    assert raw.headers["x-request-id"] == (parsed.model_extra or {})["request_id"]


def test_tolerates_message_variants(infron_sandbox: Any) -> None:
    messages = [
        {"role": "developer", "content": "You are terse."},
        {
            "role": "user",
            "content": [{"type": "text", "text": "part one"}, {"type": "text", "text": "part two"}],
        },
        {"role": "assistant", "content": None, "refusal": None},
        {"role": "user", "content": "final question", "name": "bob"},
    ]
    body = _post(infron_sandbox, {"model": "sandbox/echo", "messages": messages}).json()
    assert 'You said: "final question"' in body["choices"][0]["message"]["content"]
    assert openai.__version__  # the official client is what the rest of the suite uses
