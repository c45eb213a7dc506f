"""Reasoning: catalog reasoning models and explicit ``reasoning`` requests, token accounting,
effort and budget, streaming order, and Gemini thought signatures."""

from __future__ import annotations

from typing import Any

from sandbox_helpers import AUTH, HTTP, chat, data_chunks

from infron_integrations.sandbox import count_tokens


def _post(sb: Any, body: dict[str, Any]) -> dict[str, Any]:
    r = HTTP.post(sb.base_url + "/chat/completions", json=body, headers=AUTH, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def test_reasoning_model_returns_reasoning_and_counts_tokens(infron_sandbox: Any) -> None:
    for model in ("deepseek/deepseek-r1", "openai/o4-mini", "sandbox/reasoning"):
        body = _post(infron_sandbox, chat("Why is the sky blue?", model=model))
        message = body["choices"][0]["message"]
        assert message["reasoning_content"] == message["reasoning"]
        assert "Why is the sky blue?" in message["reasoning"]
        usage = body["usage"]
        reasoning_tokens = usage["completion_tokens_details"]["reasoning_tokens"]
        assert reasoning_tokens == count_tokens(message["reasoning"]) > 0
        assert usage["completion_tokens"] == reasoning_tokens + count_tokens(message["content"])


def test_plain_model_has_no_reasoning_unless_requested(infron_sandbox: Any) -> None:
    plain = _post(infron_sandbox, chat("x", model="openai/gpt-4o-mini"))
    assert "reasoning" not in plain["choices"][0]["message"]
    assert plain["usage"]["completion_tokens_details"]["reasoning_tokens"] == 0
    for reasoning in ({"effort": "low"}, {"max_tokens": 50}, {}):
        body = _post(infron_sandbox, chat("x", model="openai/gpt-4o-mini", reasoning=reasoning))
        assert body["choices"][0]["message"]["reasoning"]


def test_effort_none_disables_reasoning(infron_sandbox: Any) -> None:
    body = _post(
        infron_sandbox, chat("x", model="deepseek/deepseek-r1", reasoning={"effort": "none"})
    )
    assert "reasoning_content" not in body["choices"][0]["message"]
    assert body["usage"]["completion_tokens_details"]["reasoning_tokens"] == 0


def test_effort_scales_and_max_tokens_bounds_reasoning(infron_sandbox: Any) -> None:
    def tokens(reasoning: dict[str, Any]) -> int:
        body = _post(infron_sandbox, chat("Plan a trip", model="sandbox/echo", reasoning=reasoning))
        return int(body["usage"]["completion_tokens_details"]["reasoning_tokens"])

    efforts = [tokens({"effort": e}) for e in ("minimal", "low", "medium", "high", "xhigh")]
    assert efforts == sorted(efforts) and len(set(efforts)) == 5
    assert tokens({"effort": "xhigh", "max_tokens": 7}) == 7
    assert tokens({"max_tokens": 3}) == 3


def test_reasoning_share_of_max_tokens(infron_sandbox: Any) -> None:
    body = _post(
        infron_sandbox,
        chat("Plan a trip", model="sandbox/echo", max_tokens=20, reasoning={"effort": "low"}),
    )
    usage = body["usage"]
    assert usage["completion_tokens_details"]["reasoning_tokens"] == 4  # 20% of 20
    assert usage["completion_tokens"] == 20
    assert body["choices"][0]["finish_reason"] == "length"


def test_stream_reasoning_before_content(infron_sandbox: Any) -> None:
    client = infron_sandbox.openai_client()
    stream = client.chat.completions.create(
        model="deepseek/deepseek-r1",
        messages=[{"role": "user", "content": "Explain tides"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    kinds = []
    reasoning = ""
    for chunk in stream:
        if not chunk.choices:
            continue
        extra = chunk.choices[0].delta.model_extra or {}
        if extra.get("reasoning_content"):
            assert extra["reasoning"] == extra["reasoning_content"]
            reasoning += extra["reasoning_content"]
            kinds.append("r")
        if chunk.choices[0].delta.content:
            kinds.append("c")
    assert "r" in kinds and "c" in kinds
    assert kinds.index("c") > len(kinds) - 1 - kinds[::-1].index("r")
    full = _post(infron_sandbox, chat("Explain tides", model="deepseek/deepseek-r1"))
    assert reasoning == full["choices"][0]["message"]["reasoning"]


def test_gemini_thought_signatures(infron_sandbox: Any) -> None:
    body = _post(infron_sandbox, chat("hi", model="google/gemini-2.5-pro"))
    message = body["choices"][0]["message"]
    assert isinstance(message["thought_signature"], str) and message["thought_signature"]
    again = _post(infron_sandbox, chat("hi", model="google/gemini-2.5-pro"))
    assert again["choices"][0]["message"]["thought_signature"] == message["thought_signature"]
    assert body["choices"][0]["native_finish_reason"] == "STOP"
    other = _post(infron_sandbox, chat("hi", model="openai/gpt-4o"))
    assert "thought_signature" not in other["choices"][0]["message"]
    with HTTP.stream(
        "POST",
        infron_sandbox.base_url + "/chat/completions",
        headers=AUTH,
        json=chat("hi", model="google/gemini-2.5-pro", stream=True),
    ) as r:
        chunks = data_chunks(r.read().decode())
    signatures = [c["choices"][0]["delta"].get("thought_signature") for c in chunks]
    assert message["thought_signature"] in signatures
