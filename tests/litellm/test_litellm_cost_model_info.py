"""LiteLLM's own cost and model-info APIs know Infron models after ``register()``.

* ``litellm.completion_cost(completion_response=r)`` is the gateway's cost of ``r`` (chat,
  stream-built, embeddings, rerank), 0.0 for a LiteLLM cache hit, and an estimate from the
  catalog's prices only for a response without one.
* ``get_model_info`` / ``supports_*`` / the Router's context-window check answer from the
  catalog (``GET /v1/models``, fetched by the session fixture in conftest.py).

Recorded facts before this (LiteLLM 1.106.2 and 1.108.7): ``completion_cost`` raised
``ModelNotMappedError`` for ``infron/deepseek/deepseek-r1`` and returned 0.0 for
``infron/anthropic/claude-sonnet-4.5``; ``get_model_info("infron/deepseek/deepseek-r1")`` raised.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import litellm
import pytest

from infron_integrations.core import track_usage

USER = [{"role": "user", "content": "Hi"}]
ANY_MODEL = {"x-infron-sandbox-any-model": "true"}


def _spent(sb: Any) -> float:
    return float(Decimal(repr(sb.state.config.initial_balance)) - sb.state.balance(sb.api_key))


@pytest.fixture(scope="module")
def catalog(infron_sandbox_server: Any) -> dict[str, dict[str, Any]]:
    """The sandbox's catalog, as ``GET /v1/models`` serves it."""
    response = httpx.get(
        infron_sandbox_server.base_url + "/models",
        headers={"Authorization": f"Bearer {infron_sandbox_server.api_key}"},
        timeout=10,
    )
    return {entry["id"]: entry for entry in response.json()["data"]}


# --- cost -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model",
    [
        "anthropic/claude-sonnet-4.5",  # in LiteLLM's table (the vendor's price): 0.0 before
        "deepseek/deepseek-r1",  # not in it under infron/: ModelNotMappedError before
        "sandbox/echo",
    ],
)
def test_completion_cost_is_the_gateway_cost(
    infron_sandbox: Any, creds: dict[str, str], model: str
) -> None:
    response = litellm.completion(model=f"infron/{model}", messages=USER, **creds)
    charged = _spent(infron_sandbox)
    assert charged > 0
    assert litellm.completion_cost(completion_response=response) == pytest.approx(charged)
    assert response.usage.cost == pytest.approx(charged)


def test_completion_cost_of_a_stream_built_response(
    infron_sandbox: Any, creds: dict[str, str]
) -> None:
    chunks = list(
        litellm.completion(model="infron/deepseek/deepseek-r1", messages=USER, stream=True, **creds)
    )
    built = litellm.stream_chunk_builder(chunks, messages=USER)
    assert litellm.completion_cost(completion_response=built) == pytest.approx(
        _spent(infron_sandbox)
    )


async def test_completion_cost_of_an_async_stream(
    infron_sandbox: Any, creds: dict[str, str]
) -> None:
    stream = await litellm.acompletion(
        model="infron/openai/gpt-4o-mini", messages=USER, stream=True, **creds
    )
    chunks = [chunk async for chunk in stream]
    built = litellm.stream_chunk_builder(chunks, messages=USER)
    assert litellm.completion_cost(completion_response=built) == pytest.approx(
        _spent(infron_sandbox)
    )


def test_completion_cost_of_embeddings_when_reported(
    infron_sandbox: Any, creds: dict[str, str]
) -> None:
    model = "infron/qwen/qwen3-embedding-0.6b"
    response = litellm.embedding(model=model, input=["a", "b"], usage={"include": True}, **creds)
    assert litellm.completion_cost(completion_response=response) == pytest.approx(
        _spent(infron_sandbox)
    )


def test_completion_cost_without_a_gateway_cost_is_the_catalog_estimate(
    infron_sandbox: Any, creds: dict[str, str], catalog: dict[str, dict[str, Any]]
) -> None:
    """usage accounting turned off: the response carries no cost, LiteLLM prices it from the
    catalog's per-token prices."""
    response = litellm.completion(
        model="infron/deepseek/deepseek-r1", messages=USER, usage={"include": False}, **creds
    )
    assert getattr(response.usage, "cost", None) is None
    prices = catalog["deepseek/deepseek-r1"]["pricing"]
    expected = response.usage.prompt_tokens * float(
        prices["prompt"]
    ) + response.usage.completion_tokens * float(prices["completion"])
    assert litellm.completion_cost(completion_response=response) == pytest.approx(expected)


def test_caller_prices_still_win(infron_sandbox: Any, creds: dict[str, str]) -> None:
    response = litellm.completion(model="infron/deepseek/deepseek-r1", messages=USER, **creds)
    own = {"input_cost_per_token": 1.0, "output_cost_per_token": 2.0}
    usage = response.usage
    assert litellm.completion_cost(
        completion_response=response, custom_cost_per_token=own
    ) == pytest.approx(usage.prompt_tokens + 2 * usage.completion_tokens)


def test_other_providers_costs_are_litellms(infron_sandbox: Any, creds: dict[str, str]) -> None:
    """LiteLLM's own ``openai/`` route: priced from LiteLLM's table, not from ``usage.cost``."""
    # LiteLLM's route sends the bare "gpt-4o-mini", which the sandbox serves only when asked to
    response = litellm.completion(
        model="openai/gpt-4o-mini", messages=USER, extra_headers=ANY_MODEL, **creds
    )
    table = litellm.model_cost["gpt-4o-mini"]
    usage = response.usage
    expected = (
        usage.prompt_tokens * table["input_cost_per_token"]
        + usage.completion_tokens * table["output_cost_per_token"]
    )
    assert litellm.completion_cost(completion_response=response) == pytest.approx(expected)


def test_a_cache_hit_costs_nothing_and_is_tracked_once(
    infron_sandbox: Any, creds: dict[str, str]
) -> None:
    try:
        from litellm.caching.caching import Cache

        litellm.cache = Cache()
        kwargs = {"model": "infron/deepseek/deepseek-r1", "messages": USER, "caching": True}
        with track_usage() as run:
            first = litellm.completion(**kwargs, **creds)
            try:
                hit = litellm.completion(**kwargs, **creds)
            except ImportError as exc:  # LiteLLM 1.110.2 without the proxy extra
                pytest.skip(f"LiteLLM's response cache cannot answer without fastapi: {exc}")
    finally:
        litellm.cache = None
    assert hit._hidden_params["cache_hit"] is True
    charged = _spent(infron_sandbox)
    assert [r.path for r in infron_sandbox.requests] == ["/v1/chat/completions"]
    assert litellm.completion_cost(completion_response=first) == pytest.approx(charged)
    assert litellm.completion_cost(completion_response=hit) == 0.0
    assert run.total.requests == 1
    assert run.total_cost == pytest.approx(charged)


# --- model info ---------------------------------------------------------------------------------


def test_get_model_info_answers_from_the_catalog(catalog: dict[str, dict[str, Any]]) -> None:
    entry = catalog["deepseek/deepseek-r1"]
    info = litellm.get_model_info("infron/deepseek/deepseek-r1")
    assert info["litellm_provider"] == "infron"
    assert info["mode"] == "chat"
    assert info["max_input_tokens"] == entry["context_length"] == 163840
    assert info["max_output_tokens"] == entry["top_provider"]["max_completion_tokens"]
    assert info["input_cost_per_token"] == float(entry["pricing"]["prompt"])
    assert info["output_cost_per_token"] == float(entry["pricing"]["completion"])
    assert litellm.get_max_tokens("infron/deepseek/deepseek-r1") == 65536


def test_embedding_model_info(catalog: dict[str, dict[str, Any]]) -> None:
    info = litellm.get_model_info("infron/qwen/qwen3-embedding-0.6b")
    assert info["mode"] == "embedding"
    assert info["output_vector_size"] == catalog["qwen/qwen3-embedding-0.6b"]["dimensions"]


@pytest.mark.parametrize(
    ("model", "reasoning", "tools", "schema", "vision"),
    [
        ("deepseek/deepseek-r1", True, True, False, False),
        ("openai/gpt-4o-mini", False, True, True, True),
        ("anthropic/claude-sonnet-4.5", True, True, True, True),
        ("meta-llama/llama-3.3-70b-instruct", False, True, False, False),
    ],
)
def test_supports_flags_follow_the_catalog(
    catalog: dict[str, dict[str, Any]],
    model: str,
    reasoning: bool,
    tools: bool,
    schema: bool,
    vision: bool,
) -> None:
    entry = catalog[model]
    params = entry["supported_parameters"]
    # the expectations are the catalog's own statements
    assert reasoning == (entry["supports_reasoning"] or "reasoning" in params)
    assert (tools, schema) == ("tools" in params, "structured_outputs" in params)
    assert vision == ("image" in entry["architecture"]["input_modalities"])
    name = f"infron/{model}"
    assert litellm.supports_reasoning(name) is reasoning
    assert litellm.supports_function_calling(name) is tools
    assert litellm.supports_response_schema(name) is schema
    assert litellm.supports_vision(name) is vision


def test_router_context_window_check_uses_the_catalog(
    infron_sandbox: Any, creds: dict[str, str]
) -> None:
    """The Router's pre-call check drops the deployment whose catalog context window (128k) the
    prompt exceeds and sends to the one with 1M; with only the small one it refuses to send."""
    long = [{"role": "user", "content": "word " * 140_000}]
    small = {"model": "infron/openai/gpt-4o-mini", **creds}
    large = {"model": "infron/anthropic/claude-sonnet-4.5", **creds}
    router = litellm.Router(
        model_list=[
            {"model_name": "m", "litellm_params": small},
            {"model_name": "m", "litellm_params": large},
        ],
        enable_pre_call_checks=True,
    )
    router.completion(model="m", messages=long, max_tokens=5)
    assert infron_sandbox.last_request("/v1/chat/completions").body["model"] == (
        "anthropic/claude-sonnet-4.5"
    )
    only_small = litellm.Router(
        model_list=[{"model_name": "m", "litellm_params": small}], enable_pre_call_checks=True
    )
    infron_sandbox.state.reset()
    with pytest.raises(Exception, match=r"(?i)context"):
        only_small.completion(model="m", messages=long, max_tokens=5)
    assert infron_sandbox.requests == []
