"""A mistyped model id through LiteLLM: ``litellm.BadRequestError`` naming the id.

Docs: Errors code (400, invalid or missing params). ``infron/<id>`` with an id the gateway does not
serve fails the same way for completion (sync, async, streamed), embedding and rerank.
"""

from __future__ import annotations

import asyncio
from typing import Any

import litellm
import pytest

from infron_integrations import core
from infron_integrations.litellm import rerank

UNKNOWN = "acme/gpt-9-turbo"
USER = [{"role": "user", "content": "hi"}]


def _stream(creds: dict[str, str]) -> None:
    for _ in litellm.completion(
        model=f"infron/{UNKNOWN}", messages=USER, stream=True, max_retries=0, **creds
    ):
        pass


CALLS = {
    "completion": lambda creds: litellm.completion(
        model=f"infron/{UNKNOWN}", messages=USER, max_retries=0, **creds
    ),
    "stream": _stream,
    "acompletion": lambda creds: asyncio.run(
        litellm.acompletion(model=f"infron/{UNKNOWN}", messages=USER, max_retries=0, **creds)
    ),
    "embedding": lambda creds: litellm.embedding(
        model=f"infron/{UNKNOWN}", input=["x"], max_retries=0, **creds
    ),
    "rerank": lambda creds: rerank(f"infron/{UNKNOWN}", "cats", ["a cat", "a car"], **creds),
}


@pytest.mark.parametrize("call", list(CALLS))
def test_unknown_model_is_a_bad_request_naming_the_id(
    infron_sandbox: Any, creds: dict[str, str], call: str
) -> None:
    with pytest.raises(litellm.BadRequestError) as info:
        CALLS[call](creds)
    error: Any = info.value
    assert isinstance(error, core.InfronBadRequestError)
    assert error.status_code == 400 and error.param == "model"
    assert f"'{UNKNOWN}'" in str(error)
    assert error.llm_provider == "infron"
    assert len(infron_sandbox.requests) == 1
