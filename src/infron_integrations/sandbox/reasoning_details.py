"""``reasoning_details``: issued with the reasoning, streamed in fragments, checked on replay.

Docs: Reasoning & Thinking, and the structured-output response example (typed entries with
``format`` and ``index``; a ``reasoning.encrypted`` entry with opaque ``data``).

Every choice with reasoning carries two entries at index 0 (like the docs' example, where two
entries of different types share an index)::

    {"type": "reasoning.text", "text": <the reasoning>, "signature": "sandbox-rsig-...",
     "format": <fmt>, "index": 0}
    {"type": "reasoning.encrypted", "id": "rs_sandbox_...", "data": "sandbox-enc-...",
     "format": <fmt>, "index": 0}

``<fmt>`` follows the model family (``anthropic-claude-v1``, ``google-gemini-v1``,
``openai-responses-v1``). A stream sends the text entry in fragments, one per reasoning delta
(each repeating ``type``, ``format`` and ``index``; the ``signature`` only on the last), then the
encrypted entry whole, the way signing providers stream them.

The signature is an HMAC of the format and text under a fixed sandbox key, and the encrypted
entry seals its id, format and the text's signature; both are deterministic. So when an assistant
message comes back with a ``reasoning_details`` list holding any sandbox-issued value, the sandbox
checks it the way a signing upstream would, and answers 400 when the list is not exactly what it
issued: fragments left unmerged (``param`` ``messages.N.reasoning_details``), an entry altered
(``messages.N.reasoning_details.J``), or one of the pair missing. Lists holding no sandbox value
(details from elsewhere) are accepted unchecked. With the header
``x-infron-sandbox-reasoning-replay: required`` every assistant message after the last user
message that calls tools must carry a valid list (the strict mode of signing upstreams).

The Responses endpoint does the same for ``encrypted_content`` on reasoning items (issued when the
request's ``include`` asks for ``reasoning.encrypted_content``); with the header set to
``required``, every reasoning item after the last user input item must carry one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from .errors import bad_request
from .tokens import canonical_json, stream_pieces

REPLAY_HEADER = "x-infron-sandbox-reasoning-replay"
FORMATS = {
    "anthropic": "anthropic-claude-v1",
    "google": "google-gemini-v1",
    "openai": "openai-responses-v1",
}
SIGNATURE_PREFIX = "sandbox-rsig-"
DATA_PREFIX = "sandbox-enc-"
ID_PREFIX = "rs_sandbox_"
TEXT = "reasoning.text"
ENCRYPTED = "reasoning.encrypted"
INCLUDE_ENCRYPTED = "reasoning.encrypted_content"
# Fixed on purpose: the sandbox is deterministic, and this only makes tampering detectable.
_KEY = b"infron-sandbox reasoning_details v1"
# Fields a stream splits over several deltas (core.reasoning joins them back).
_SPLIT = ("text", "summary")
_OPAQUE = ("signature", "data")


def _mac(*parts: str) -> str:
    message = "\x00".join(parts).encode("utf-8", "surrogatepass")
    return hmac.new(_KEY, message, hashlib.sha256).hexdigest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _seal(payload: dict[str, str]) -> str:
    body = _b64(canonical_json(payload).encode("utf-8"))
    return f"{DATA_PREFIX}{body}.{_mac('sealed', body)[:32]}"


def _unseal(data: Any) -> dict[str, Any] | None:
    """The payload of a sandbox-sealed string, or None when it is not one or was altered."""
    if not isinstance(data, str) or not data.startswith(DATA_PREFIX):
        return None
    body, _, tag = data[len(DATA_PREFIX) :].rpartition(".")
    expected = _mac("sealed", body)[:32].encode()
    if not body or not hmac.compare_digest(tag.encode("utf-8", "surrogatepass"), expected):
        return None
    try:
        payload = json.loads(_unb64(body))
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


# --- issuing ---------------------------------------------------------------------------------


def _text_entry(fmt: str, text: str) -> dict[str, Any]:
    return {
        "type": TEXT,
        "text": text,
        "signature": SIGNATURE_PREFIX + _mac("text", fmt, text),
        "format": fmt,
        "index": 0,
    }


def _encrypted_entry(fmt: str, signature: str) -> dict[str, Any]:
    entry_id = ID_PREFIX + _mac("id", fmt, signature)[:24]
    data = _seal({"id": entry_id, "format": fmt, "signature": signature})
    return {"type": ENCRYPTED, "id": entry_id, "data": data, "format": fmt, "index": 0}


def issue(family: str, text: str) -> list[dict[str, Any]]:
    """The ``reasoning_details`` of a choice whose reasoning is ``text`` (model ``family``)."""
    fmt = FORMATS.get(family, FORMATS["openai"])
    entry = _text_entry(fmt, text)
    return [entry, _encrypted_entry(fmt, entry["signature"])]


def _fragments(entry: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One entry as a stream sends it: split text, opaque fields on the last fragment.

    Only an entry with a type and an integer index is split: a client merges by those two.
    """
    index = entry.get("index")
    if not isinstance(entry.get("type"), str) or not isinstance(index, int):
        return [dict(entry)]
    field = next((f for f in _SPLIT if isinstance(entry.get(f), str)), None)
    pieces = stream_pieces(entry[field]) if field else []
    if len(pieces) < 2:
        return [dict(entry)]
    head = {k: v for k, v in entry.items() if k not in _OPAQUE}
    out = [{**head, field: piece} for piece in pieces]
    out[-1].update({k: entry[k] for k in _OPAQUE if k in entry})
    return out


def reasoning_deltas(reasoning: str | None, details: Any) -> list[dict[str, Any]]:
    """The reasoning deltas of a stream: ``reasoning_content``/``reasoning`` pieces, each with
    its fragment of the matching ``reasoning.text`` entry, then every other entry's fragments."""
    pieces = stream_pieces(reasoning or "")
    entries = [e for e in details if isinstance(e, Mapping)] if isinstance(details, list) else []
    paired: list[dict[str, Any]] = []
    if entries and entries[0].get("type") == TEXT and entries[0].get("text") == reasoning:
        paired = _fragments(entries[0])
        if len(paired) == len(pieces):
            entries = entries[1:]
        else:
            paired = []
    deltas: list[dict[str, Any]] = []
    for i, piece in enumerate(pieces):
        delta: dict[str, Any] = {"reasoning_content": piece, "reasoning": piece}
        if paired:
            delta["reasoning_details"] = [paired[i]]
        deltas.append(delta)
    for entry in entries:
        deltas += [{"reasoning_details": [fragment]} for fragment in _fragments(entry)]
    return deltas


def encrypted_content(text: str) -> str:
    """The ``encrypted_content`` of a Responses reasoning item whose reasoning is ``text``."""
    return _seal({"kind": "responses", "text_mac": _mac("responses", text)})


# --- checking replays ------------------------------------------------------------------------


def _marked(entry: Any) -> bool:
    if not isinstance(entry, Mapping):
        return False
    return (
        str(entry.get("signature") or "").startswith(SIGNATURE_PREFIX)
        or str(entry.get("data") or "").startswith(DATA_PREFIX)
        or str(entry.get("id") or "").startswith(ID_PREFIX)
    )


def _check_list(details: Any, path: str) -> None:
    """Check a list holding sandbox-issued values: merged, complete and unchanged."""
    if not isinstance(details, list) or not all(isinstance(e, Mapping) for e in details):
        raise bad_request(
            f"Invalid '{path}': expected the array of objects the gateway returned.", path
        )
    seen: dict[tuple[Any, Any], int] = {}
    for j, entry in enumerate(details):
        key = (entry.get("type"), entry.get("index"))
        if key in seen:
            raise bad_request(
                f"'{path}' has unmerged stream fragments: entries {seen[key]} and {j} share "
                f"type {key[0]!r} and index {key[1]!r}. Merge the fragments of each (type, index) "
                "before sending them back (text concatenated; signature, data, format and id "
                "taken once, unchanged).",
                path,
            )
        seen[key] = j
    signatures: set[str] = set()
    sealed: list[tuple[int, str]] = []
    for j, entry in enumerate(details):
        kind = entry.get("type")
        if kind == TEXT:
            fmt, text = entry.get("format"), entry.get("text")
            if not (isinstance(fmt, str) and isinstance(text, str)):
                raise _altered(path, j)
            expected = _text_entry(fmt, text)
            if dict(entry) != expected:
                raise _altered(path, j)
            signatures.add(expected["signature"])
        elif kind == ENCRYPTED:
            payload = _unseal(entry.get("data")) or {}
            fmt, signature = payload.get("format"), payload.get("signature")
            if not (isinstance(fmt, str) and isinstance(signature, str)):
                raise _altered(path, j)
            if dict(entry) != _encrypted_entry(fmt, signature):
                raise _altered(path, j)
            sealed.append((j, signature))
    for j, signature in sealed:
        if signature not in signatures:
            raise bad_request(
                f"'{path}.{j}' is sent without the reasoning.text entry it was issued with; send "
                "back every entry of the assistant turn's reasoning_details.",
                f"{path}.{j}",
            )
    if len(signatures) > len(sealed):
        raise bad_request(
            f"'{path}' lacks the reasoning.encrypted entry issued with its reasoning.text entry; "
            "send back every entry of the assistant turn's reasoning_details.",
            path,
        )


def _altered(path: str, j: int) -> Exception:
    return bad_request(
        f"'{path}.{j}' does not match what the gateway returned (its text, signature, data, "
        "format or id changed). Send reasoning_details back exactly as received.",
        f"{path}.{j}",
    )


def check_chat_replay(messages: list[Any], headers: Mapping[str, str]) -> None:
    """Reject (400) replayed ``reasoning_details`` that were altered or left unmerged.

    Only lists holding a sandbox-issued value are checked. With :data:`REPLAY_HEADER` set to
    ``required``, the assistant tool-call messages of the current user turn must carry one.
    """
    required = headers.get(REPLAY_HEADER, "").strip().lower() == "required"
    last_user = max((i for i, m in enumerate(messages) if m.get("role") == "user"), default=-1)
    for i, message in enumerate(messages):
        if message.get("role") != "assistant":
            continue
        path = f"messages.{i}.reasoning_details"
        details = message.get("reasoning_details")
        malformed = details is not None and (
            not isinstance(details, list) or not all(isinstance(e, Mapping) for e in details)
        )
        if malformed or (isinstance(details, list) and any(_marked(e) for e in details)):
            _check_list(details, path)
        elif required and i > last_user and message.get("tool_calls"):
            raise bad_request(
                f"'{path}' is missing: this assistant turn called tools after reasoning, and its "
                "reasoning_details must be sent back with the tool results.",
                path,
            )


def check_responses_replay(items: Any, headers: Mapping[str, str] | None = None) -> None:
    """Reject (400) a replayed reasoning item whose sandbox-issued ``encrypted_content`` changed.

    With :data:`REPLAY_HEADER` set to ``required``, the reasoning items of the current user turn
    (after the last user input item) must carry one.
    """
    if not isinstance(items, list):
        return
    required = (headers or {}).get(REPLAY_HEADER, "").strip().lower() == "required"
    last_user = max(
        (i for i, m in enumerate(items) if isinstance(m, Mapping) and m.get("role") == "user"),
        default=-1,
    )
    for i, item in enumerate(items):
        if not isinstance(item, Mapping) or item.get("type") != "reasoning":
            continue
        content = item.get("encrypted_content")
        if required and i > last_user and not content:
            raise bad_request(
                f"'input.{i}.encrypted_content' is missing: send reasoning items back with the "
                "encrypted_content returned for them (ask for it with include: "
                f"['{INCLUDE_ENCRYPTED}']).",
                f"input.{i}.encrypted_content",
            )
        if not isinstance(content, str) or not content.startswith(DATA_PREFIX):
            continue
        payload = _unseal(content)
        if payload is None or payload.get("kind") != "responses":
            raise bad_request(
                f"'input.{i}.encrypted_content' does not match what the gateway returned; send "
                "reasoning items back exactly as received.",
                f"input.{i}.encrypted_content",
            )
