"""Prompt-cache breakpoints: placement, limits and validation (docs: Prompt Caching)."""

from __future__ import annotations

import copy

import pytest

from infron_integrations.core import (
    InfronConfigError,
    PromptCache,
    apply_prompt_cache,
    cache_text,
    validate_cache_markers,
)

EPHEMERAL = {"type": "ephemeral"}

TOOLS = [
    {"type": "function", "function": {"name": "search_documents", "parameters": {}}},
    {"type": "function", "function": {"name": "get_document", "parameters": {}}},
]


def test_automatic_breakpoints_match_the_docs_multi_breakpoint_example() -> None:
    messages = [
        {"role": "system", "content": "You are a research assistant."},
        {"role": "user", "content": "Can you search for information about Mars rovers?"},
        {"role": "assistant", "content": "I found 3 relevant documents."},
        {"role": "user", "content": "Tell me about the Perseverance rover."},
    ]
    snapshot = copy.deepcopy((messages, TOOLS))
    out_messages, out_tools = apply_prompt_cache(messages, TOOLS, PromptCache())
    # inputs untouched
    assert (messages, TOOLS) == snapshot
    # "Mark cache on last tool": the marker sits on the tool object itself
    assert out_tools is not None
    assert "cache_control" not in out_tools[0]
    assert out_tools[1]["cache_control"] == EPHEMERAL
    assert out_messages[0]["content"] == [
        {"type": "text", "text": "You are a research assistant.", "cache_control": EPHEMERAL}
    ]
    assert out_messages[1] == messages[1]  # earlier user turns untouched
    assert out_messages[3]["content"][-1]["cache_control"] == EPHEMERAL
    assert validate_cache_markers(out_messages, out_tools) == 3


def test_ttl_one_hour() -> None:
    out, _ = apply_prompt_cache(
        [{"role": "system", "content": "Long stable world state"}],
        None,
        PromptCache(ttl="1h", last_user=False),
    )
    assert out[0]["content"][0]["cache_control"] == {"type": "ephemeral", "ttl": "1h"}


def test_last_text_part_of_multipart_user_turn_is_marked() -> None:
    messages = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Given the book below:"},
                {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
                {"type": "text", "text": "Name all the characters"},
                {"type": "image_url", "image_url": {"url": "https://example.com/b.png"}},
            ],
        }
    ]
    out, _ = apply_prompt_cache(messages, None, PromptCache())
    parts = out[0]["content"]
    assert "cache_control" in parts[2]
    assert all("cache_control" not in p for i, p in enumerate(parts) if i != 2)
    assert "cache_control" not in messages[0]["content"][2]


def test_never_more_than_four_breakpoints() -> None:
    explicit = [cache_text(f"block {i}") for i in range(3)]
    messages = [
        {"role": "system", "content": [*explicit]},
        {"role": "user", "content": "question"},
    ]
    out_messages, out_tools = apply_prompt_cache(messages, TOOLS, PromptCache())
    # 3 explicit + only one automatic (tools come first)
    assert validate_cache_markers(out_messages, out_tools) == 4
    assert out_tools is not None and "cache_control" in out_tools[-1]
    assert out_messages[1]["content"] == "question"


def test_more_than_four_explicit_breakpoints_is_an_error() -> None:
    messages = [{"role": "system", "content": [cache_text(f"block {i}") for i in range(5)]}]
    with pytest.raises(InfronConfigError, match="at most 4"):
        apply_prompt_cache(messages, None, None)


@pytest.mark.parametrize(
    ("messages", "needle"),
    [
        (
            [{"role": "user", "content": "hi", "cache_control": EPHEMERAL}],
            "messages[0].cache_control",
        ),
        (
            [
                {
                    "role": "user",
                    "content": [
                        {"type": "image_url", "image_url": {"url": "x"}, "cache_control": EPHEMERAL}
                    ],
                }
            ],
            "only allowed on text parts",
        ),
        (
            [{"role": "user", "content": [{"type": "text", "text": "x", "cache_control": {}}]}],
            "messages[0].content[0].cache_control",
        ),
        (
            [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "x", "cache_control": {"type": "persistent"}}
                    ],
                }
            ],
            "ephemeral",
        ),
        (
            [
                {
                    "role": "user",
                    "content": [
                        {
                            "type": "text",
                            "text": "x",
                            "cache_control": {"type": "ephemeral", "ttl": "2h"},
                        }
                    ],
                }
            ],
            "ttl",
        ),
    ],
)
def test_misplaced_or_malformed_markers_are_rejected(messages: list, needle: str) -> None:
    with pytest.raises(InfronConfigError) as info:
        apply_prompt_cache(messages, None, PromptCache())
    assert needle in str(info.value)


def test_explicit_marker_on_last_user_part_is_kept_not_doubled() -> None:
    messages = [{"role": "user", "content": [cache_text("big reference", ttl="1h")]}]
    out, _ = apply_prompt_cache(messages, None, PromptCache(system=False, tools=False))
    assert out[0]["content"] == [cache_text("big reference", ttl="1h")]
    assert validate_cache_markers(out) == 1


def test_no_cache_settings_keeps_messages() -> None:
    messages = [{"role": "user", "content": "hello"}]
    out, tools = apply_prompt_cache(messages, None, None)
    assert out == messages
    assert tools is None
