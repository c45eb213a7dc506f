"""dumpd/dumps and load/loads of ChatInfron, InfronEmbeddings and InfronRerank.

With the settings docs/langchain.md gives (``valid_namespaces=["infron_integrations"]``, the
classes in ``allowed_objects``, the key from the environment or ``secrets_map``), each class
round-trips through LangChain's loader, the key never appears in the serialized text, and the
loaded object works against the sandbox over HTTP.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.documents import Document
from langchain_core.load import dumpd, dumps, load, loads

from infron_integrations.langchain import ChatInfron, InfronEmbeddings, InfronRerank

pytestmark = [
    pytest.mark.filterwarnings("ignore:The function `loads?` is in beta"),
    pytest.mark.filterwarnings("ignore:The default value of `allowed_objects` will change"),
]

SECRET = "sk-infron-never-serialized"
LOAD = {
    "valid_namespaces": ["infron_integrations"],
    "allowed_objects": [ChatInfron, InfronEmbeddings, InfronRerank],
}


def _objects(base_url: str) -> list[Any]:
    return [
        ChatInfron(model="openai/gpt-4o-mini", api_key=SECRET, base_url=base_url,
                   provider={"sort": "price"}, reasoning={"effort": "low"}),
        InfronEmbeddings(model="qwen/qwen3-embedding-0.6b", api_key=SECRET, base_url=base_url,
                         provider={"only": ["novita"]}, dimensions=None),
        InfronRerank(model="qwen/qwen3-reranker-0.6b", api_key=SECRET, base_url=base_url,
                     top_n=1, provider={"order": ["novita"]}),
    ]  # fmt: skip


def test_every_class_serializes_without_the_key() -> None:
    for obj in _objects("http://127.0.0.1:9/v1"):
        data = dumpd(obj)
        assert data["type"] == "constructor", type(obj).__name__
        assert data["id"][:2] == ["infron_integrations", "langchain"]
        assert SECRET not in dumps(obj) and SECRET not in repr(obj)
        key_field = "openai_api_key" if isinstance(obj, ChatInfron) else "api_key"
        assert data["kwargs"][key_field] == {"lc": 1, "type": "secret", "id": ["INFRON_API_KEY"]}
        assert isinstance(data["kwargs"]["provider"], dict)  # the docs' JSON, not a model


def test_load_with_the_documented_settings_and_use_the_result(infron_sandbox: Any) -> None:
    chat, embeddings, rerank = (
        loads(dumps(obj), secrets_map={"INFRON_API_KEY": infron_sandbox.api_key}, **LOAD)
        for obj in _objects(infron_sandbox.base_url)
    )
    assert isinstance(chat, ChatInfron) and chat.provider is not None
    assert chat.invoke("hi").response_metadata["cost"] > 0
    assert infron_sandbox.last_request("/v1/chat/completions").body["provider"] == {"sort": "price"}
    assert isinstance(embeddings, InfronEmbeddings)
    assert len(embeddings.embed_query("hello")) > 0
    assert infron_sandbox.last_request("/v1/embeddings").body["provider"] == {"only": ["novita"]}
    assert isinstance(rerank, InfronRerank) and rerank.top_n == 1
    docs = rerank.compress_documents([Document("cats"), Document("cars")], "pets like cats")
    assert [d.page_content for d in docs] == ["cats"]
    assert infron_sandbox.last_request("/v1/rerank").body["provider"] == {"order": ["novita"]}


def test_the_key_comes_from_the_environment_when_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("INFRON_API_KEY", "sk-from-env")
    for obj in _objects("http://127.0.0.1:9/v1"):
        loaded = load(dumpd(obj), secrets_from_env=True, **LOAD)
        key = loaded.openai_api_key if isinstance(loaded, ChatInfron) else loaded.api_key
        assert key.get_secret_value() == "sk-from-env"


def test_loading_is_refused_without_the_settings() -> None:
    data = dumpd(_objects("http://127.0.0.1:9/v1")[1])
    with pytest.raises(ValueError, match=r"not allowed|Invalid namespace"):
        load(data, secrets_from_env=True)
