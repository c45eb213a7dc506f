"""Bad input for R2: option values that must be refused before anything is sent.

Each case is ``(id, options, words)``: ``options`` in the core's names (``provider``,
``reasoning``, ``web_search``, ``prompt_cache``, ``usage``), and the words the error message must
contain: the field's name (and the bad key), and what is expected instead. Each adapter renames
the options to its own keyword arguments.
"""

from __future__ import annotations

from typing import Any

OPTION_CASES: list[tuple[str, dict[str, Any], list[str]]] = [
    ("provider-unknown-field", {"provider": {"sortt": "price"}}, ["provider", "sortt", "'sort'"]),
    ("provider-not-an-object", {"provider": "anthropic"}, ["provider"]),
    (
        "provider-wrong-type",
        {"provider": {"allow_fallbacks": "maybe"}},
        ["allow_fallbacks", "bool"],
    ),
    ("provider-order-not-a-list", {"provider": {"order": "anthropic"}}, ["order", "list"]),
    ("provider-bad-sort", {"provider": {"sort": "cheapest"}}, ["sort", "price"]),
    ("reasoning-bad-effort", {"reasoning": {"effort": "extreme"}}, ["effort", "'high'"]),
    ("reasoning-wrong-type", {"reasoning": {"max_tokens": "lots"}}, ["max_tokens", "integer"]),
    ("reasoning-unknown-field", {"reasoning": {"budget": 100}}, ["reasoning", "budget"]),
    (
        "web-search-bad-size",
        {"web_search": {"search_context_size": "huge"}},
        ["search_context_size", "'medium'"],
    ),
    ("web-search-unknown-field", {"web_search": {"max_results": 3}}, ["max_results", "Valid"]),
    ("cache-bad-ttl", {"prompt_cache": {"ttl": "2h"}}, ["ttl", "'1h'"]),
    ("cache-unknown-field", {"prompt_cache": {"system_prompt": True}}, ["system_prompt"]),
    ("usage-wrong-type", {"usage": {"include": "yes"}}, ["usage", "bool"]),
]
OPTION_IDS = [case[0] for case in OPTION_CASES]

#: explicit ``cache_control`` markers in messages: (id, messages, words)
MARKER_CASES: list[tuple[str, list[dict[str, Any]], list[str]]] = [
    (
        "marker-bad-ttl",
        [
            {
                "role": "user",
                "content": [
                    {
                        "type": "text",
                        "text": "hi",
                        "cache_control": {"type": "ephemeral", "ttl": "2h"},
                    }
                ],
            }
        ],
        ["messages[0].content[0].cache_control", "ttl"],
    ),
    (
        "marker-on-the-message",
        [{"role": "user", "content": "hi", "cache_control": {"type": "ephemeral"}}],
        ["messages[0].cache_control", "text content part"],
    ),
    (
        "five-breakpoints",
        [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": f"part {i}", "cache_control": {"type": "ephemeral"}}
                    for i in range(5)
                ],
            }
        ],
        ["5 cache_control breakpoints", "at most 4"],
    ),
]
MARKER_IDS = [case[0] for case in MARKER_CASES]

#: (id, base URL, words)
URL_CASES: list[tuple[str, str, list[str]]] = [
    ("no-scheme", "llm.onerouter.pro/v1", ["llm.onerouter.pro/v1", "absolute http(s) URL"]),
    ("other-scheme", "ftp://llm.onerouter.pro/v1", ["ftp://", "absolute http(s) URL"]),
    ("no-host", "http://:8080/v1", ["http://:8080/v1", "absolute http(s) URL"]),
    ("bad-port", "http://127.0.0.1:99999/v1", ["99999", "port"]),
]
URL_IDS = [case[0] for case in URL_CASES]

#: an error message says what to do: the valid values, the closest name, or the expected type
HOW_TO_FIX = ("Valid fields", "Did you mean", "should be", "use a URL", "at most", "goes on")


def renamed(options: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """``options`` with the core's names replaced by an adapter's."""
    return {names.get(k, k): v for k, v in options.items()}


def assert_clear(error: BaseException, words: list[str]) -> None:
    """The message names the field and says how to fix it (and never echoes a key)."""
    text = str(error)
    missing = [w for w in words if w not in text]
    assert not missing, f"{missing} not in {text!r}"
    assert any(hint in text for hint in HOW_TO_FIX), f"no how-to-fix in {text!r}"
