"""ChatInfron construction: cheap init on pooled clients, serialization, tracing, exports."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import openai
import pytest
from langchain_core.caches import InMemoryCache
from langchain_core.load import dumpd, load

import infron_integrations.langchain as lc_pkg
from infron_integrations.langchain import ChatInfron

CHAT = "/v1/chat/completions"


def test_instances_share_pooled_clients_and_build_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = ChatInfron(model="a", api_key="k")  # warms the shared pool for these settings
    built: list[str] = []
    for cls in (openai.OpenAI, openai.AsyncOpenAI, httpx.Client, httpx.AsyncClient):
        original = cls.__init__

        def counting(
            self: Any, *args: Any, _o: Any = original, _n: str = cls.__name__, **kw: Any
        ) -> None:
            built.append(_n)
            _o(self, *args, **kw)

        monkeypatch.setattr(cls, "__init__", counting)
    others = [ChatInfron(model=f"m{i}", api_key="k") for i in range(50)]
    assert built == []
    assert all(o.root_client is first.root_client for o in others)
    assert "pooled AsyncOpenAI" in repr(others[0].root_async_client)


def test_the_same_instance_works_across_event_loops(chat_model: Any) -> None:
    # pooled async connections are per loop; a second asyncio.run must not reuse the first's
    first = asyncio.run(chat_model.ainvoke("loop one"))
    second = asyncio.run(chat_model.ainvoke("loop two"))
    assert "loop one" in first.content and "loop two" in second.content


def _http_libraries() -> list[str]:
    # openai 2 takes httpx clients; openai 3 takes httpx2 clients natively and httpx ones in its
    # legacy mode: a user may bring either
    import importlib.metadata

    major = int(importlib.metadata.version("openai").split(".")[0])
    return ["httpx", "httpx2"] if major >= 3 else ["httpx"]


@pytest.mark.parametrize("library", _http_libraries())
def test_user_supplied_http_clients_are_honoured(infron_sandbox: Any, library: str) -> None:
    import importlib

    http = importlib.import_module(library)
    seen: list[str] = []
    sync_client = http.Client(event_hooks={"request": [lambda r: seen.append(str(r.url))]})
    in_process = http.AsyncClient(transport=http.ASGITransport(app=infron_sandbox.app))
    llm = ChatInfron(
        model="openai/gpt-4o-mini",
        api_key=infron_sandbox.api_key,
        base_url=infron_sandbox.base_url,
        http_client=sync_client,
        http_async_client=in_process,
    )
    assert llm.invoke("through my client").content.startswith('You said: "through my')
    assert seen == [infron_sandbox.base_url + "/chat/completions"]
    chunks = list(llm.stream("streamed through my client"))
    assert "".join(str(c.content) for c in chunks).startswith('You said: "streamed')
    assert sum(1 for c in chunks if c.usage_metadata) == 1
    message = asyncio.run(llm.ainvoke("in process"))  # ASGITransport: no socket at all
    assert message.response_metadata["cost"] > 0
    assert infron_sandbox.last_request(CHAT).body["messages"][0]["content"] == "in process"

    async def astream() -> str:
        return "".join([str(c.content) async for c in llm.astream("astream in process")])

    assert asyncio.run(astream()).startswith('You said: "astream in process')


@pytest.mark.filterwarnings("ignore:The function `load` is in beta")
def test_serialization_round_trip_keeps_options_and_hides_the_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    llm = ChatInfron(
        model="openai/gpt-4o",
        api_key="sk-secret",
        base_url="http://127.0.0.1:9/v1",
        provider={"order": ["openai"], "sort": {"by": "latency"}},
        reasoning={"effort": "low"},
        web_search={"search_context_size": "low"},
        prompt_cache={"ttl": "1h"},
        reasoning_replay="all",
    )
    data = dumpd(llm)
    assert "sk-secret" not in str(data)
    assert data["kwargs"]["openai_api_key"] == {"lc": 1, "type": "secret", "id": ["INFRON_API_KEY"]}
    assert data["kwargs"]["provider"] == {"order": ["openai"], "sort": {"by": "latency"}}
    monkeypatch.setenv("INFRON_API_KEY", "sk-secret")
    loaded = load(
        data,
        valid_namespaces=["infron_integrations"],
        allowed_objects=[ChatInfron],
        secrets_from_env=True,
    )
    assert isinstance(loaded, ChatInfron)
    assert loaded.asdict() == llm.asdict()
    assert loaded.openai_api_key.get_secret_value() == "sk-secret"
    assert loaded.provider == llm.provider and loaded.prompt_cache == llm.prompt_cache


def test_tracing_params_and_cache_identity(infron_sandbox: Any, chat_model_factory: Any) -> None:
    cache = InMemoryCache()
    by_price = chat_model_factory(provider={"sort": "price"}, cache=cache, temperature=0.5)
    by_latency = chat_model_factory(provider={"sort": "latency"}, cache=cache, temperature=0.5)
    params = by_price._get_ls_params(stop=["x"])
    assert params == {
        "ls_provider": "infron",
        "ls_model_name": "openai/gpt-4o-mini",
        "ls_model_type": "chat",
        "ls_temperature": 0.5,
        "ls_stop": ["x"],
    }
    assert by_price._get_invocation_params()["provider"] == {"sort": "price"}
    by_price.invoke("same prompt")
    by_latency.invoke("same prompt")  # other routing: not served from the other's cache entry
    by_price.invoke("same prompt")  # cached
    assert len(infron_sandbox.requests) == 2
    assert by_price._llm_type == "infron-chat"


def test_request_payload_is_what_is_sent(infron_sandbox: Any, chat_model_factory: Any) -> None:
    llm = chat_model_factory(extra_body={"top_k": 3}, provider={"only": ["openai"]})
    payload = llm._get_request_payload("hello")
    llm.invoke("hello")
    sent = infron_sandbox.last_request(CHAT).body
    assert payload == sent


def test_package_exports() -> None:
    assert {"ChatInfron", "InfronCallbackHandler", "get_infron_callback"} <= set(lc_pkg.__all__)
    from infron_integrations.langchain import InfronCallbackHandler, get_infron_callback

    assert callable(get_infron_callback) and InfronCallbackHandler.__name__
    assert ChatInfron.__module__ == "infron_integrations.langchain.chat_models"


def test_model_copy_applies_updated_options_and_connection(
    infron_sandbox: Any, chat_model_factory: Any
) -> None:
    llm = chat_model_factory(provider={"sort": "price"})
    llm.invoke("warm the fragment cache")
    copy = llm.model_copy(update={"provider": {"sort": "latency"}, "usage_accounting": False})
    copy.invoke("copy")
    body = infron_sandbox.last_request(CHAT).body
    assert body["provider"] == {"sort": "latency"} and "usage" not in body
    llm.invoke("original")
    assert infron_sandbox.last_request(CHAT).body["provider"] == {"sort": "price"}

    moved = llm.model_copy(update={"base_url": "http://127.0.0.1:9/v1", "max_retries": 0})
    assert moved.openai_api_base == "http://127.0.0.1:9/v1"
    assert moved.root_client is not llm.root_client
    with pytest.raises(Exception, match="Connection"):
        moved.invoke("nowhere")
