"""Fixtures for the LangChain adapter tests (shared; add new fixtures, keep existing ones).

Chat fixtures (``chat_*``) build ChatInfron against the session's loopback sandbox and provide
small, valid media files made locally (no downloads: only loopback is reachable).
"""

from __future__ import annotations

import io
import struct
import wave
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

CHAT_MODEL = "openai/gpt-4o-mini"


def _png_1x1() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _pdf_minimal() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 72 72]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def _wav_silence() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x00" * 800)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _private_catalog_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Keep fetched model catalogs out of the user's cache dir and out of other tests."""
    from infron_integrations.langchain._profiles import forget_cached_profiles

    monkeypatch.setenv("INFRON_CACHE_DIR", str(tmp_path_factory.mktemp("catalog-cache")))
    forget_cached_profiles()
    yield
    forget_cached_profiles()


@pytest.fixture(scope="session")
def chat_media() -> dict[str, bytes]:
    """Small valid files: ``png``, ``pdf`` and ``wav``."""
    return {"png": _png_1x1(), "pdf": _pdf_minimal(), "wav": _wav_silence()}


@pytest.fixture
def chat_model_factory(infron_sandbox: Any) -> Callable[..., Any]:
    """``make(**fields)`` -> a ChatInfron on the sandbox (``model`` defaults to CHAT_MODEL)."""
    from infron_integrations.langchain import ChatInfron

    def make(**fields: Any) -> Any:
        fields.setdefault("model", CHAT_MODEL)
        fields.setdefault("api_key", infron_sandbox.api_key)
        fields.setdefault("base_url", infron_sandbox.base_url)
        return ChatInfron(**fields)

    return make


@pytest.fixture
def chat_model(chat_model_factory: Callable[..., Any]) -> Any:
    """A default ChatInfron on the sandbox."""
    return chat_model_factory()


def _completion_body(
    content: str | None = None,
    *,
    model: str = CHAT_MODEL,
    tool_calls: list[dict[str, Any]] | None = None,
    finish_reason: str | None = None,
    **message_extra: Any,
) -> dict[str, Any]:
    """A scripted ``chat.completion`` body (the sandbox streams it when the request streams)."""
    message: dict[str, Any] = {"role": "assistant", "content": content, **message_extra}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion",
        "created": 1_735_689_600,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": finish_reason or ("tool_calls" if tool_calls else "stop"),
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


@pytest.fixture(scope="session")
def chat_body() -> Callable[..., dict[str, Any]]:
    """``chat_body(content, tool_calls=..., **message_extra)`` -> a scripted completion body."""
    return _completion_body
