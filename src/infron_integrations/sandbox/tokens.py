"""The sandbox's one deterministic tokenizer.

Convention (documented, relied upon by tests):

* ``count_tokens(text)`` is the number of matches of the regex ``\\w+|[^\\w\\s]`` in ``text``:
  every run of word characters is one token and every other non-space character is one token.
  ``"Hello, world!"`` is 4 tokens.
* A chat prompt costs ``MESSAGE_OVERHEAD`` (3) tokens per message, plus the tokens of its text
  parts, plus the tokens of assistant tool calls (name and arguments), plus a fixed number per
  attachment: ``IMAGE_TOKENS`` per image, ``AUDIO_TOKENS`` per audio clip, ``VIDEO_TOKENS`` per
  video and ``FILE_TOKENS`` per file. Each tool definition costs the tokens of its canonical JSON
  (sorted keys, ``cache_control`` removed).
* Completion tokens are the tokens of the answer text plus the reasoning text plus, for each tool
  call, the tokens of its name and of its JSON arguments.
"""

from __future__ import annotations

import json
import re
from typing import Any

TOKEN_RE = re.compile(r"\w+|[^\w\s]")
PIECE_RE = re.compile(r"\S+\s*|\s+")

MESSAGE_OVERHEAD = 3
IMAGE_TOKENS = 85
AUDIO_TOKENS = 50
VIDEO_TOKENS = 120
FILE_TOKENS = 100


def count_tokens(text: str) -> int:
    """Number of tokens in ``text`` (regex ``\\w+|[^\\w\\s]``)."""
    return sum(1 for _ in TOKEN_RE.finditer(text))


def truncate_to_tokens(text: str, limit: int) -> str:
    """The longest prefix of ``text`` holding at most ``limit`` tokens (original spacing kept)."""
    if limit <= 0:
        return ""
    end = None
    for i, match in enumerate(TOKEN_RE.finditer(text)):
        if i == limit:
            break
        end = match.end()
    else:
        return text
    return text[: end or 0]


def words(text: str) -> list[str]:
    """Lower-cased word tokens of ``text`` (used by embeddings and rerank)."""
    return [m.group(0).lower() for m in re.finditer(r"\w+", text)]


def stream_pieces(text: str) -> list[str]:
    """Split ``text`` into stream deltas (one word with its trailing space each).

    ``"".join(stream_pieces(t)) == t`` always holds.
    """
    return PIECE_RE.findall(text)


def split_evenly(text: str, parts: int) -> list[str]:
    """Split ``text`` into ``parts`` contiguous non-empty pieces (fewer if it is short)."""
    if not text:
        return [""]
    parts = max(1, min(parts, len(text)))
    size = -(-len(text) // parts)
    return [text[i : i + size] for i in range(0, len(text), size)]


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
