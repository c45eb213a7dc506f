"""The catalog as data (catalog.json) and the gateway's answer to a model id it does not serve.

The docs' error table has no row for an unknown model: it is an invalid parameter, so a 400
``invalid_request_error`` on ``param: "model"``, on every endpoint that runs a model, before any
credit is spent.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import anthropic
import httpx
import openai
import pytest
from sandbox_helpers import AUTH, HEX32, HTTP

from infron_integrations.sandbox.catalog import MODELS, load_catalog, model_listing

UNKNOWN = "acme/new-model-v9"
USER = [{"role": "user", "content": "hi"}]


def _bodies(model: str) -> dict[str, dict[str, Any]]:
    return {
        "/chat/completions": {"model": model, "messages": USER},
        "/chat/completions#stream": {"model": model, "messages": USER, "stream": True},
        "/embeddings": {"model": model, "input": "x"},
        "/rerank": {"model": model, "query": "q", "documents": ["a", "b"]},
        "/responses": {"model": model, "input": "x"},
        "/responses#stream": {"model": model, "input": "x", "stream": True},
        "/messages": {"model": model, "max_tokens": 10, "messages": USER},
    }


def _assert_unknown(r: httpx.Response, model: str) -> None:
    assert r.status_code == 400, r.text
    body = r.json()
    assert set(body) == {"error", "request_id"}
    error = body["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["code"] == 400 and error["type"] == "invalid_request_error"
    assert error["param"] == "model"
    assert f"'{model}'" in error["message"] and "/v1/models" in error["message"]
    assert HEX32.match(body["request_id"]) and r.headers["x-request-id"] == body["request_id"]


@pytest.mark.parametrize("path", list(_bodies(UNKNOWN)))
def test_unknown_model_is_a_400_on_every_model_endpoint(infron_sandbox: Any, path: str) -> None:
    before = infron_sandbox.state.balance(AUTH["Authorization"].split()[1])
    r = HTTP.post(
        infron_sandbox.base_url + path.split("#")[0], json=_bodies(UNKNOWN)[path], headers=AUTH
    )
    _assert_unknown(r, UNKNOWN)
    assert infron_sandbox.state.balance(AUTH["Authorization"].split()[1]) == before


@pytest.mark.parametrize(
    ("path", "model"),
    [
        ("/embeddings", "openai/gpt-4o-mini"),
        ("/rerank", "openai/text-embedding-3-small"),
        ("/chat/completions", "openai/text-embedding-3-small"),
    ],
)
def test_a_model_of_another_kind_is_refused(infron_sandbox: Any, path: str, model: str) -> None:
    r = HTTP.post(infron_sandbox.base_url + path, json=_bodies(model)[path], headers=AUTH)
    _assert_unknown(r, model)


def test_bare_and_misspelled_ids_are_refused(infron_sandbox: Any) -> None:
    client = infron_sandbox.openai_client()
    for model in ("gpt-4o", "openai/gpt-4o-mni", "OpenAI/GPT-4o-mini"):
        with pytest.raises(openai.BadRequestError) as info:
            client.chat.completions.create(model=model, messages=USER)  # type: ignore[arg-type]
        assert info.value.status_code == 400 and model in str(info.value)


def test_unknown_model_through_the_anthropic_client(infron_sandbox: Any) -> None:
    with pytest.raises(anthropic.BadRequestError, match=UNKNOWN):
        infron_sandbox.anthropic_client().messages.create(
            model=UNKNOWN, max_tokens=5, messages=USER
        )


def test_fault_ids_stay_usable(infron_sandbox: Any) -> None:
    ok = HTTP.post(
        infron_sandbox.base_url + "/chat/completions",
        json={"model": "sandbox/fault-empty-200", "messages": USER},
        headers=AUTH,
    )
    assert ok.status_code == 200 and ok.json()["provider"] == "sandbox"


def test_the_any_model_header_serves_ids_outside_the_catalog(infron_sandbox: Any) -> None:
    headers = {**AUTH, "x-infron-sandbox-any-model": "true"}
    for path, body in _bodies(UNKNOWN).items():
        r = HTTP.post(infron_sandbox.base_url + path.split("#")[0], json=body, headers=headers)
        assert r.status_code == 200, (path, r.text)
    chat = HTTP.post(
        infron_sandbox.base_url + "/chat/completions",
        json={**_bodies(UNKNOWN)["/chat/completions"], "usage": {"include": True}},
        headers=headers,
    ).json()
    assert chat["provider"] == "acme" and chat["model"] == UNKNOWN
    tokens = chat["usage"]
    expected = tokens["prompt_tokens"] * 1e-6 + tokens["completion_tokens"] * 2e-6
    assert chat["cost"] == pytest.approx(expected)
    # a catalog id of the wrong kind stays refused: the header is about unknown ids only
    wrong = HTTP.post(
        infron_sandbox.base_url + "/embeddings",
        json={"model": "openai/gpt-4o-mini", "input": "x"},
        headers=headers,
    )
    _assert_unknown(wrong, "openai/gpt-4o-mini")


def test_catalog_file_holds_what_a_real_catalog_has() -> None:
    text = resources.files("infron_integrations.sandbox").joinpath("catalog.json").read_text()
    entries = json.loads(text)["models"]
    assert [e["id"] for e in entries] == list(MODELS)
    for entry in entries:
        assert {"id", "name", "type", "context_length", "endpoints"} <= set(entry)
        assert entry["context_length"] > 0
        for endpoint in entry["endpoints"]:
            assert set(endpoint["pricing"]) == {"prompt", "completion", "request"}
        if entry["type"] == "chat":
            assert entry["max_output"] > 0
            assert entry["input_modalities"] and entry["output_modalities"] == ["text"]
            assert "max_tokens" in entry["supported_parameters"]
    assert load_catalog(text) == MODELS


def test_listing_carries_the_catalog_fields(infron_sandbox: Any) -> None:
    body = HTTP.get(infron_sandbox.base_url + "/models", headers=AUTH).json()
    sonnet = next(m for m in body["data"] if m["id"] == "anthropic/claude-sonnet-4.5")
    assert sonnet["context_length"] == 1_000_000
    assert sonnet["top_provider"] == {"context_length": 1_000_000, "max_completion_tokens": 64_000}
    assert sonnet["pricing"]["prompt"] == "0.000003"
    assert sonnet["pricing"]["completion"] == "0.000015"
    assert sonnet["pricing"]["request"] == "0"
    assert sonnet["endpoints"][1]["pricing"] == {
        "prompt": "0.0000033",
        "completion": "0.0000165",
        "request": "0",
    }
    assert sonnet["architecture"]["input_modalities"] == ["text", "image", "file"]
    assert "reasoning" in sonnet["supported_parameters"]
    assert body["data"] == json.loads(json.dumps([model_listing(m) for m in MODELS.values()]))


def test_a_per_request_price_is_billed() -> None:
    """The per-request price from the catalog lands in ``prompt_cost`` and ``cost``."""
    from dataclasses import replace

    from infron_integrations.sandbox.billing import compute_cost

    route = replace(MODELS["sandbox/echo"].primary, request_price=0.002)
    plain = compute_cost(
        prompt_price=route.prompt_price, completion_price=0, prompt_tokens=10, completion_tokens=0
    )
    priced = compute_cost(
        prompt_price=route.prompt_price,
        completion_price=0,
        prompt_tokens=10,
        completion_tokens=0,
        request_price=route.request_price,
    )
    assert priced.cost - plain.cost == priced.parts["prompt_cost"] - plain.parts["prompt_cost"]
    assert str(priced.cost - plain.cost) == "0.0020000000"
