"""A mistyped model id: the gateway's 400 on ``param: "model"``, as LangChain users catch it.

Docs: Errors code (400, invalid or missing params). The sandbox serves only its catalog's ids, so
every LangChain entry point (chat invoke/stream, sync and async, embeddings, rerank) raises the
typed bad-request error naming the id, and nothing is charged.
"""

from __future__ import annotations

import asyncio
from typing import Any

import openai
import pytest
from langchain_core import exceptions as lc

from infron_integrations.core import errors as core
from infron_integrations.langchain import InfronEmbeddings, InfronRerank

UNKNOWN = "acme/gpt-9-turbo"


def _check(error: BaseException, sandbox: Any) -> None:
    assert isinstance(error, core.InfronBadRequestError), type(error).__mro__
    assert error.status_code == 400 and error.param == "model"
    assert f"'{UNKNOWN}'" in str(error)
    assert sandbox.state.balance(sandbox.api_key) == sandbox.state.config.initial_balance


@pytest.mark.parametrize("mode", ["invoke", "stream", "ainvoke", "astream"])
def test_chat_raises_a_bad_request_naming_the_id(
    infron_sandbox: Any, chat_model_factory: Any, mode: str
) -> None:
    llm = chat_model_factory(model=UNKNOWN, max_retries=0)

    async def consume() -> None:
        async for _ in llm.astream("hi"):
            pass

    calls = {
        "invoke": lambda: llm.invoke("hi"),
        "stream": lambda: list(llm.stream("hi")),
        "ainvoke": lambda: asyncio.run(llm.ainvoke("hi")),
        "astream": lambda: asyncio.run(consume()),
    }
    with pytest.raises(lc.ModelInvalidRequestError) as info:
        calls[mode]()
    assert isinstance(info.value, openai.BadRequestError)
    _check(info.value, infron_sandbox)
    assert len(infron_sandbox.requests) == 1  # a 400 is not retried


def test_embeddings_raise_a_bad_request_naming_the_id(infron_sandbox: Any) -> None:
    emb = InfronEmbeddings(
        model=UNKNOWN, api_key=infron_sandbox.api_key, base_url=infron_sandbox.base_url
    )
    with pytest.raises(core.InfronBadRequestError) as info:
        emb.embed_query("hello")
    _check(info.value, infron_sandbox)


def test_rerank_raises_a_bad_request_naming_the_id(infron_sandbox: Any) -> None:
    rr = InfronRerank(
        model=UNKNOWN, api_key=infron_sandbox.api_key, base_url=infron_sandbox.base_url
    )
    with pytest.raises(core.InfronBadRequestError) as info:
        rr.rerank("cats", ["a cat", "a car"])
    _check(info.value, infron_sandbox)


def test_responses_api_raises_a_bad_request_naming_the_id(
    infron_sandbox: Any, chat_model_factory: Any
) -> None:
    llm = chat_model_factory(model=UNKNOWN, max_retries=0, use_responses_api=True)
    with pytest.raises(lc.ModelInvalidRequestError) as info:
        llm.invoke("hi")
    _check(info.value, infron_sandbox)
    assert infron_sandbox.requests[-1].path == "/v1/responses"
