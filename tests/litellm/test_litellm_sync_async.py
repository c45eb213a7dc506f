"""Sync = async: every parameter an async ``infron/`` call takes, the sync paths take too, with the
same body on the wire (completion, streams, the Router; embeddings).

Recorded fact behind it (LiteLLM 1.106.2, 1.108.7 and 1.110.2): LiteLLM checks a custom
provider's parameters against its generic OpenAI-compatible list, which lacks
``reasoning_effort``, ``thinking`` and ``verbosity``, and refuses ``dimensions``,
``encoding_format`` and ``user`` on a custom provider's embeddings; its only request hook runs on
async calls. ``register()`` lets them through for ``infron/`` (``_compat.accept_openai_params``);
the last tests show other providers keep LiteLLM's behaviour.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import litellm
import pytest
from litellm.llms.custom_llm import CustomLLM

CHAT = "/v1/chat/completions"
EMBEDDINGS = "/v1/embeddings"
USER = [{"role": "user", "content": "Think about it"}]
MODEL = "openai/gpt-5-mini"
EMBEDDING_MODEL = "qwen/qwen3-embedding-0.6b"
ANY_MODEL = {"x-infron-sandbox-any-model": "true"}

KNOBS: list[dict[str, Any]] = [
    {"reasoning_effort": "high", "verbosity": "low"},
    {"thinking": {"type": "enabled", "budget_tokens": 1024}},
    {"reasoning_effort": "minimal", "thinking": {"type": "disabled"}, "seed": 7},
]


def _router(creds: dict[str, str], model: str) -> litellm.Router:
    deployment = {"model": f"infron/{model}", **creds}
    return litellm.Router(model_list=[{"model_name": "m", "litellm_params": deployment}])


def _drain(stream: Any) -> None:
    for _ in stream:
        pass


async def _adrain(stream: Any) -> None:
    async for _ in stream:
        pass


def _chat_paths(creds: dict[str, str]) -> dict[str, Callable[[dict[str, Any]], None]]:
    kw = {"model": f"infron/{MODEL}", "messages": USER, **creds}

    async def astream(extra: dict[str, Any]) -> None:
        await _adrain(await litellm.acompletion(stream=True, **kw, **extra))

    async def router_astream(extra: dict[str, Any]) -> None:
        router = _router(creds, MODEL)
        await _adrain(await router.acompletion(model="m", messages=USER, stream=True, **extra))

    return {
        "completion": lambda extra: litellm.completion(**kw, **extra),
        "stream": lambda extra: _drain(litellm.completion(stream=True, **kw, **extra)),
        "acompletion": lambda extra: asyncio.run(litellm.acompletion(**kw, **extra)),
        "astream": lambda extra: asyncio.run(astream(extra)),
        "router": lambda extra: _router(creds, MODEL).completion(model="m", messages=USER, **extra),
        "router_stream": lambda extra: _drain(
            _router(creds, MODEL).completion(model="m", messages=USER, stream=True, **extra)
        ),
        "arouter": lambda extra: asyncio.run(
            _router(creds, MODEL).acompletion(model="m", messages=USER, **extra)
        ),
        "arouter_stream": lambda extra: asyncio.run(router_astream(extra)),
    }


def _without_stream(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in ("stream", "stream_options")}


@pytest.mark.parametrize("extra", KNOBS, ids=["effort+verbosity", "thinking", "disabled"])
def test_every_chat_path_sends_the_same_body(
    infron_sandbox: Any, creds: dict[str, str], extra: dict[str, Any]
) -> None:
    bodies = {}
    for name, call in _chat_paths(creds).items():
        call(extra)
        bodies[name] = _without_stream(infron_sandbox.last_request(CHAT).body)
    reference = bodies["acompletion"]
    assert "reasoning" in reference
    for name in ("reasoning_effort", "thinking"):
        assert name not in reference  # mapped onto Infron's `reasoning`
    if "verbosity" in extra:
        assert reference["verbosity"] == "low"
    assert {name: body for name, body in bodies.items() if body != reference} == {}


def test_wire_values_of_the_mapped_knobs(infron_sandbox: Any, creds: dict[str, str]) -> None:
    """What the shared body is, on the sync path LiteLLM used to refuse."""
    sent = []
    for extra in KNOBS:
        litellm.completion(model=f"infron/{MODEL}", messages=USER, **extra, **creds)
        body = infron_sandbox.last_request(CHAT).body
        sent.append({k: body[k] for k in ("reasoning", "verbosity", "seed") if k in body})
    assert sent == [
        {"reasoning": {"effort": "high"}, "verbosity": "low"},
        {"reasoning": {"max_tokens": 1024}},
        {"reasoning": {"effort": "none"}, "seed": 7},
    ]


def test_every_embedding_path_sends_the_same_body(
    infron_sandbox: Any, creds: dict[str, str]
) -> None:
    kw = {"model": f"infron/{EMBEDDING_MODEL}", "input": ["hello"], **creds}
    extra = {"dimensions": 16, "encoding_format": "float", "user": "user-7"}
    router = _router(creds, EMBEDDING_MODEL)
    paths: dict[str, Callable[[], Any]] = {
        "embedding": lambda: litellm.embedding(**kw, **extra),
        "aembedding": lambda: asyncio.run(litellm.aembedding(**kw, **extra)),
        "router": lambda: router.embedding(model="m", input=["hello"], **extra),
        "arouter": lambda: asyncio.run(router.aembedding(model="m", input=["hello"], **extra)),
    }
    for name, call in paths.items():
        response = call()
        assert len(response.data[0]["embedding"]) == 16, name
        assert infron_sandbox.last_request(EMBEDDINGS).body == {
            "model": EMBEDDING_MODEL,
            "input": ["hello"],
            **extra,
        }, name


class _Recorder(CustomLLM):  # type: ignore[misc]
    """Another custom provider: records what LiteLLM hands it."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[dict[str, Any]] = []

    def completion(self, *args: Any, **kwargs: Any) -> Any:
        self.seen.append(dict(kwargs["optional_params"]))
        return litellm.completion(model="gpt-4o", messages=USER, mock_response="ok")

    def embedding(self, *args: Any, **kwargs: Any) -> Any:
        self.seen.append(dict(kwargs["optional_params"]))
        response = kwargs["model_response"]
        response.data = [{"object": "embedding", "index": 0, "embedding": [0.0]}]
        return response


@pytest.fixture
def other_provider() -> Any:
    recorder = _Recorder()
    saved = list(litellm.custom_provider_map)
    litellm.custom_provider_map = [*saved, {"provider": "not-infron", "custom_handler": recorder}]
    try:
        yield recorder
    finally:
        litellm.custom_provider_map = saved


def test_other_custom_providers_keep_litellms_checks(other_provider: Any) -> None:
    with pytest.raises(litellm.UnsupportedParamsError, match="reasoning_effort"):
        litellm.completion(model="not-infron/m", messages=USER, reasoning_effort="high")
    with pytest.raises(litellm.UnsupportedParamsError, match="dimensions"):
        litellm.embedding(model="not-infron/m", input=["x"], dimensions=8)
    # LiteLLM's own opt-in still works for them, untouched
    litellm.completion(
        model="not-infron/m",
        messages=USER,
        reasoning_effort="high",
        allowed_openai_params=["reasoning_effort"],
    )
    assert other_provider.seen[-1]["reasoning_effort"] == "high"


def test_litellms_own_openai_route_is_untouched(infron_sandbox: Any, creds: dict[str, str]) -> None:
    """``openai/`` through LiteLLM's own client: reasoning_effort goes out as LiteLLM sends it."""
    litellm.completion(
        model="openai/o4-mini",
        messages=USER,
        reasoning_effort="low",
        extra_headers=ANY_MODEL,  # the route sends the bare "o4-mini"
        **creds,
    )
    body = infron_sandbox.last_request(CHAT).body
    assert body["reasoning_effort"] == "low"
    assert "reasoning" not in body
