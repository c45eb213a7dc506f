"""Chat-completions bodies <-> Messages-API bodies (the ``params`` of a batch request).

Pure functions: these tests pin the mapping itself; the LangChain and sandbox tests check it on
the wire.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from infron_integrations.core import InfronConfigError, MessagesParams
from infron_integrations.core.messages_shape import (
    DEFAULT_MAX_TOKENS,
    chat_completion_from_message,
    messages_params_from_chat,
)

TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}


def test_a_tool_loop_conversation_becomes_alternating_turns() -> None:
    body: dict[str, Any] = {
        "model": "anthropic/claude-sonnet-4.5",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "developer", "content": [{"type": "text", "text": "Use tools."}]},
            {"role": "user", "content": "Weather in Paris?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                    }
                ],
                "reasoning_details": [
                    {"type": "reasoning.text", "text": "think", "signature": "sig", "index": 0}
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
            {"role": "user", "content": "Thanks!"},
        ],
        "tools": [TOOL],
        "tool_choice": "required",
        "parallel_tool_calls": False,
        "stop": "END",
        "temperature": 0.2,
        "provider": {"sort": "price"},
        "usage": {"include": True},
        "stream": False,
        "n": 1,
        "user": "u-1",
    }
    before = copy.deepcopy(body)
    params = messages_params_from_chat(body)
    assert body == before  # pure
    assert params == {
        "model": "anthropic/claude-sonnet-4.5",
        "system": "Be brief.\n\nUse tools.",
        "messages": [
            {"role": "user", "content": "Weather in Paris?"},
            {
                "role": "assistant",
                "content": [
                    {"type": "thinking", "thinking": "think", "signature": "sig"},
                    {
                        "type": "tool_use",
                        "id": "call_1",
                        "name": "get_weather",
                        "input": {"city": "Paris"},
                    },
                ],
            },
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": "call_1", "content": [
                        {"type": "text", "text": "sunny"}]},
                    {"type": "text", "text": "Thanks!"},
                ],
            },
        ],
        "tools": [
            {
                "name": "get_weather",
                "description": "Weather for a city.",
                "input_schema": TOOL["function"]["parameters"],  # type: ignore[index]
            }
        ],
        "tool_choice": {"type": "any", "disable_parallel_tool_use": True},
        "stop_sequences": ["END"],
        "temperature": 0.2,
        "provider": {"sort": "price"},
        "usage": {"include": True},
        "metadata": {"user_id": "u-1"},
        "max_tokens": DEFAULT_MAX_TOKENS,
    }  # fmt: skip
    MessagesParams.model_validate(params)  # what a batch request accepts


def test_media_cache_markers_reasoning_and_structured_output() -> None:
    body = {
        "model": "m",
        "max_completion_tokens": 300,
        "messages": [
            {
                "role": "system",
                "content": [
                    {"type": "text", "text": "long", "cache_control": {"type": "ephemeral"}}
                ],
            },
            {
                "role": "user",
                "content": [
                    {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
                    {"type": "image_url", "image_url": {"url": "https://x.invalid/a.png"}},
                    {"type": "file", "file": {"filename": "a.pdf", "file_data": "https://x/a.pdf"}},
                ],
            },
        ],
        "reasoning": {"effort": "high"},
        "response_format": {"type": "json_schema", "json_schema": {"name": "C", "schema": {}}},
        "web_search_options": {"user_location": {"approximate": {"city": "Lisbon"}}},
    }
    params = messages_params_from_chat(body)
    assert params["system"] == body["messages"][0]["content"]  # type: ignore[index]
    assert params["messages"][0]["content"] == [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"}},
        {"type": "image", "source": {"type": "url", "url": "https://x.invalid/a.png"}},
        {"type": "document", "source": {"type": "url", "url": "https://x/a.pdf"}},
    ]
    assert params["thinking"] == {"type": "adaptive"}
    assert params["output_config"] == {
        "effort": "high",
        "format": {"type": "json_schema", "schema": {}},
    }
    assert params["tools"] == [
        {
            "type": "web_search_20250305",
            "name": "web_search",
            "user_location": {"type": "approximate", "city": "Lisbon"},
        }
    ]
    assert params["max_tokens"] == 300


@pytest.mark.parametrize(
    ("reasoning", "thinking", "max_tokens"),
    [
        (
            {"max_tokens": 2000},
            {"type": "enabled", "budget_tokens": 2000},
            2000 + DEFAULT_MAX_TOKENS,
        ),
        ({"effort": "none"}, {"type": "disabled"}, DEFAULT_MAX_TOKENS),
    ],
)
def test_reasoning_becomes_thinking(
    reasoning: dict[str, Any], thinking: dict[str, Any], max_tokens: int
) -> None:
    params = messages_params_from_chat(
        {"model": "m", "messages": [{"role": "user", "content": "x"}], "reasoning": reasoning}
    )
    assert params["thinking"] == thinking and params["max_tokens"] == max_tokens


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ({"n": 2}, "n > 1"),
        ({"seed": 1, "logprobs": True}, "logprobs, seed has no Messages-API equivalent"),
        ({"response_format": {"type": "json_object"}}, "json_object"),
        ({"messages": [{"role": "user", "content": [{"type": "input_audio"}]}]}, "audio"),
        ({"messages": [{"role": "user", "content": [{"type": "file", "file": {"file_id": "f"}}]}]},
         "file ids"),
    ],
)  # fmt: skip
def test_what_the_messages_api_cannot_express_is_refused(
    extra: dict[str, Any], needle: str
) -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": "x"}], **extra}
    with pytest.raises(InfronConfigError, match=needle):
        messages_params_from_chat(body)


def test_a_messages_answer_reads_as_a_chat_completion() -> None:
    message = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "anthropic/claude-sonnet-4.5",
        "content": [
            {"type": "thinking", "thinking": "hmm", "signature": "s1"},
            {"type": "text", "text": "It is sunny", "citations": [
                {"type": "web_search_result_location", "url": "https://w.invalid", "title": "W",
                 "cited_text": "sunny"}]},
            {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "P"}},
        ],
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 5, "cache_read_input_tokens": 4,
                  "cache_creation_input_tokens": 2},
        "cost": 0.001,
        "request_id": "r1",
        "novel": 1,
    }  # fmt: skip
    chat = chat_completion_from_message(message)
    choice = chat["choices"][0]
    assert choice["finish_reason"] == "tool_calls" and choice["native_finish_reason"] == "tool_use"
    reply = choice["message"]
    assert reply["content"] == "It is sunny" and reply["reasoning_content"] == "hmm"
    assert reply["reasoning_details"] == [
        {
            "type": "reasoning.text",
            "text": "hmm",
            "format": "anthropic-claude-v1",
            "signature": "s1",
            "index": 0,
        }
    ]
    assert reply["tool_calls"][0]["function"] == {
        "name": "get_weather",
        "arguments": json.dumps({"city": "P"}),
    }
    assert reply["annotations"][0]["url_citation"]["url"] == "https://w.invalid"
    assert chat["usage"] == {
        "prompt_tokens": 16,  # input + cache read + cache write, as Billing Tracking counts
        "completion_tokens": 5,
        "total_tokens": 21,
        "prompt_tokens_details": {"cached_tokens": 4, "cache_write_tokens": 2},
    }
    assert (chat["cost"], chat["request_id"], chat["novel"], chat["id"]) == (
        0.001,
        "r1",
        1,
        "msg_1",
    )
    already = {"choices": [], "id": "x"}
    assert chat_completion_from_message(already) == already
