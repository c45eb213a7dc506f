"""R2 through the LiteLLM proxy: bad options and markers are a 400 naming the field, and nothing
reaches the gateway (the proxy's clients send Infron options in the request body)."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from rel_bad_input import MARKER_CASES, MARKER_IDS, OPTION_CASES, OPTION_IDS, assert_clear, renamed

pytestmark = pytest.mark.litellm_proxy

BODY_NAMES = {"web_search": "web_search_options"}
USER = [{"role": "user", "content": "hi"}]


@pytest.mark.parametrize(("case", "options", "words"), OPTION_CASES, ids=OPTION_IDS)
@pytest.mark.parametrize("stream", [False, True], ids=["create", "stream"])
def test_proxy_refuses_bad_options(
    rel_proxy: Any, infron_sandbox: Any, stream: bool, case: str, options: dict, words: list[str]
) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        response = rel_proxy.client().chat.completions.create(
            model="infron/openai/gpt-4o-mini",
            messages=USER,  # type: ignore[arg-type]
            extra_body=renamed(options, BODY_NAMES),
            stream=stream,
        )
        if stream:
            list(response)
    assert info.value.status_code == 400
    assert_clear(info.value, words)
    assert infron_sandbox.requests == []


@pytest.mark.parametrize(("case", "messages", "words"), MARKER_CASES, ids=MARKER_IDS)
def test_proxy_refuses_bad_cache_markers(
    rel_proxy: Any, infron_sandbox: Any, case: str, messages: list, words: list[str]
) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        rel_proxy.client().chat.completions.create(
            model="infron/openai/gpt-4o-mini",
            messages=messages,  # type: ignore[arg-type]
        )
    assert_clear(info.value, words)
    assert infron_sandbox.requests == []
