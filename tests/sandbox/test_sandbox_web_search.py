"""Web search: url_citation annotations pointing into the content, search request counting and
native web search cost, in plain and streamed responses."""

from __future__ import annotations

from typing import Any

import pytest
from sandbox_helpers import AUTH, HTTP, assert_cost_adds_up, chat, data_chunks


def _post(sb: Any, body: dict[str, Any]) -> dict[str, Any]:
    r = HTTP.post(sb.base_url + "/chat/completions", json=body, headers=AUTH, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize(
    ("size", "count", "price"),
    [("low", 1, 0.005), ("medium", 2, 0.01), ("high", 3, 0.02), (None, 2, 0.01)],
)
def test_annotations_and_cost(
    infron_sandbox: Any, size: str | None, count: int, price: float
) -> None:
    options: dict[str, Any] = {}
    if size:
        options["search_context_size"] = size
    body = _post(
        infron_sandbox,
        chat(
            "Latest news about Mars",
            model="anthropic/claude-opus-4.6",
            web_search_options=options,
            usage={"include": True},
        ),
    )
    message = body["choices"][0]["message"]
    content = message["content"]
    annotations = message["annotations"]
    assert len(annotations) == count
    for ann in annotations:
        assert ann["type"] == "url_citation"
        cite = ann["url_citation"]
        assert cite["url"].startswith("https://")
        assert content[cite["start_index"] : cite["end_index"]] == cite["title"]
    assert body["usage"]["server_tool_use"]["web_search_requests"] == 1
    assert body["cost_details"]["native_web_search_cost"] == price
    assert_cost_adds_up(body)


def test_user_location_and_openai_client(infron_sandbox: Any) -> None:
    client = infron_sandbox.openai_client()
    r = client.chat.completions.create(
        model="anthropic/claude-opus-4.6",
        messages=[{"role": "user", "content": "How is the weather in Beijing today?"}],
        extra_body={
            "web_search_options": {
                "search_context_size": "high",
                "user_location": {
                    "approximate": {"timezone": "Asia/Shanghai", "country": "CN", "city": "Beijing"}
                },
            }
        },
    )
    annotations = r.choices[0].message.annotations or []
    assert len(annotations) == 3
    assert all("near Beijing" in a.url_citation.title for a in annotations)


def test_no_search_without_options(infron_sandbox: Any) -> None:
    body = _post(infron_sandbox, chat("x"))
    assert "annotations" not in body["choices"][0]["message"]
    assert "server_tool_use" not in body["usage"]


def test_stream_annotations_arrive_on_a_delta(infron_sandbox: Any) -> None:
    body = chat(
        "Search the web",
        web_search_options={"search_context_size": "low"},
        stream=True,
        stream_options={"include_usage": True},
    )
    with HTTP.stream(
        "POST", infron_sandbox.base_url + "/chat/completions", json=body, headers=AUTH
    ) as r:
        chunks = data_chunks(r.read().decode())
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    annotations = [
        a for c in chunks if c["choices"] for a in c["choices"][0]["delta"].get("annotations") or []
    ]
    assert len(annotations) == 1
    cite = annotations[0]["url_citation"]
    assert text[cite["start_index"] : cite["end_index"]] == cite["title"]
    assert chunks[-1]["usage"]["server_tool_use"]["web_search_requests"] == 1
