"""A mistyped model id in an agent: the OpenAI SDK's ``BadRequestError`` family, naming the id.

Docs: Errors code (400, invalid or missing params). Agents on the Chat Completions and the
Responses API, run and streamed, fail on the first model call; nothing is charged.
"""

from __future__ import annotations

from typing import Any

import openai
import pytest
from agents import Agent, RunConfig, Runner

from infron_integrations.core.errors import InfronBadRequestError

UNKNOWN = "acme/gpt-9-turbo"


@pytest.mark.parametrize("api", ["chat", "responses"])
@pytest.mark.parametrize("streamed", [False, True])
async def test_unknown_model_is_a_bad_request_naming_the_id(
    make_provider: Any, sandbox: Any, api: str, streamed: bool
) -> None:
    provider = make_provider(api=api) if api == "responses" else make_provider()
    agent = Agent(name="a", model=UNKNOWN)
    config = RunConfig(model_provider=provider)
    with pytest.raises(openai.BadRequestError) as info:
        if streamed:
            result = Runner.run_streamed(agent, "hi", run_config=config)
            async for _ in result.stream_events():
                pass
        else:
            await Runner.run(agent, "hi", run_config=config)
    error = info.value
    assert isinstance(error, InfronBadRequestError)
    assert error.status_code == 400 and error.param == "model"
    assert f"'{UNKNOWN}'" in str(error)
    assert sandbox.state.balance(sandbox.api_key) == sandbox.state.config.initial_balance
