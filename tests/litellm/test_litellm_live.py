"""Against the real gateway (``INFRON_API_KEY`` set): the same calls as the sandbox tests, small."""

from __future__ import annotations

import litellm
import pytest

pytestmark = pytest.mark.live
MODEL = "infron/openai/gpt-4o-mini"
USER = [{"role": "user", "content": "Reply with the single word: pong"}]


def test_live_completion_reports_cost() -> None:
    response = litellm.completion(model=MODEL, messages=USER, max_tokens=5)
    assert response.choices[0].message.content
    assert response.usage.cost is not None and response.usage.cost >= 0
    assert response._hidden_params["response_cost"] == response.usage.cost


def test_live_stream_ends_with_usage_and_cost() -> None:
    chunks = list(
        litellm.completion(
            model=MODEL,
            messages=USER,
            max_tokens=5,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert chunks[-1].usage.cost is not None


async def test_live_acompletion_with_reasoning_effort() -> None:
    response = await litellm.acompletion(
        model="infron/deepseek/deepseek-r1", messages=USER, reasoning_effort="low", max_tokens=200
    )
    assert response.choices[0].message.content is not None
