"""One function per adapter path of the fault matrix: make one call the way a user would.

Each driver sends ``PROMPT`` to a model id (``sandbox/fault-<kind>`` injects the fault) and returns
an :class:`Observation`: the complete answer the user got (or ``None``), the text a stream showed
before it ended or broke, whether the stream's closing chunk arrived, the exception, the usage
records the core's ``track_usage()`` saw, and the wall time. Nothing is mocked: every call goes
over loopback HTTP to the session's sandbox (or through the LiteLLM proxy to it).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from infron_integrations.core.usage import track_usage

PROMPT = "hello there"
ANSWER = 'You said: "hello there". This is a deterministic answer from the Infron sandbox.'
#: ``Retry-After`` of the sandbox's 429 faults, in whole seconds (the header's standard form)
RETRY_AFTER = 1
HEADERS = {"x-infron-sandbox-retry-after": str(RETRY_AFTER)}


@dataclass
class Observation:
    """What one call showed its user."""

    answer: str | None = None
    #: text the consumer received from a stream before it ended or broke
    streamed: str = ""
    #: the stream's closing chunk (finish reason / usage) reached the consumer
    finished: bool = False
    error: BaseException | None = None
    elapsed: float = 0.0
    #: usage records in a ``track_usage()`` around the call (None: another process, the proxy)
    usage_records: int | None = None
    usage_cost: float | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Call:
    """Where and how to call: the sandbox, the proxy (when the column needs it), the limits."""

    sandbox: Any
    model: str
    max_retries: int
    timeout: float | None
    proxy: Any = None


Driver = Callable[[Call, Observation], None]


def _run(call: Call, driver: Driver, *, tracked: bool = True) -> Observation:
    obs = Observation()
    start = time.perf_counter()
    try:
        if tracked:
            with track_usage() as tracker:
                try:
                    driver(call, obs)
                finally:
                    obs.usage_records = len(tracker.records)
                    obs.usage_cost = tracker.total_cost
        else:
            driver(call, obs)
    except Exception as exc:
        obs.error = exc
    obs.elapsed = time.perf_counter() - start
    return obs


# --- LangChain ----------------------------------------------------------------------------------


def _chat(call: Call) -> Any:
    from infron_integrations.langchain import ChatInfron

    return ChatInfron(
        model=call.model,
        api_key=call.sandbox.api_key,
        base_url=call.sandbox.base_url,
        max_retries=call.max_retries,
        timeout=call.timeout,
        default_headers=HEADERS,
    )


def _lc_finished(chunk: Any) -> bool:
    return chunk.chunk_position == "last" or bool(chunk.response_metadata.get("finish_reason"))


def lc_invoke(call: Call, obs: Observation) -> None:
    obs.answer = _chat(call).invoke(PROMPT).content


def lc_ainvoke(call: Call, obs: Observation) -> None:
    async def go() -> None:
        obs.answer = (await _chat(call).ainvoke(PROMPT)).content

    asyncio.run(go())


def lc_stream(call: Call, obs: Observation) -> None:
    parts: list[str] = []
    for chunk in _chat(call).stream(PROMPT):
        parts.append(chunk.content)
        obs.streamed = "".join(parts)
        obs.finished = obs.finished or _lc_finished(chunk)
    obs.answer = obs.streamed


def lc_astream(call: Call, obs: Observation) -> None:
    async def go() -> None:
        parts: list[str] = []
        async for chunk in _chat(call).astream(PROMPT):
            parts.append(chunk.content)
            obs.streamed = "".join(parts)
            obs.finished = obs.finished or _lc_finished(chunk)
        obs.answer = obs.streamed

    asyncio.run(go())


# --- LiteLLM SDK --------------------------------------------------------------------------------


def _litellm_kwargs(call: Call) -> dict[str, Any]:
    return {
        "model": "infron/" + call.model,
        "messages": [{"role": "user", "content": PROMPT}],
        "api_key": call.sandbox.api_key,
        "api_base": call.sandbox.base_url,
        "max_retries": call.max_retries,
        "timeout": call.timeout,
        "extra_headers": HEADERS,
    }


def _litellm_chunk(chunk: Any, parts: list[str], obs: Observation) -> None:
    if chunk.choices:
        choice = chunk.choices[0]
        parts.append(choice.delta.content or "")
        obs.streamed = "".join(parts)
        obs.finished = obs.finished or bool(choice.finish_reason)


def litellm_completion(call: Call, obs: Observation) -> None:
    import litellm

    obs.answer = litellm.completion(**_litellm_kwargs(call)).choices[0].message.content


def litellm_acompletion(call: Call, obs: Observation) -> None:
    import litellm

    async def go() -> None:
        response = await litellm.acompletion(**_litellm_kwargs(call))
        obs.answer = response.choices[0].message.content

    asyncio.run(go())


def litellm_stream(call: Call, obs: Observation) -> None:
    import litellm

    parts: list[str] = []
    for chunk in litellm.completion(stream=True, **_litellm_kwargs(call)):
        _litellm_chunk(chunk, parts, obs)
    obs.answer = obs.streamed


def litellm_astream(call: Call, obs: Observation) -> None:
    import litellm

    async def go() -> None:
        parts: list[str] = []
        async for chunk in await litellm.acompletion(stream=True, **_litellm_kwargs(call)):
            _litellm_chunk(chunk, parts, obs)
        obs.answer = obs.streamed

    asyncio.run(go())


# --- LiteLLM proxy (an OpenAI client talking to `litellm --config`) ----------------------------


def _proxy_model(call: Call) -> str:
    # the "timeout/*" route has the short upstream timeout (see rel_proxy)
    return ("timeout/" if call.timeout is not None else "infron/") + call.model


def proxy_completion(call: Call, obs: Observation) -> None:
    completion = call.proxy.client().chat.completions.create(
        model=_proxy_model(call), messages=[{"role": "user", "content": PROMPT}]
    )
    obs.answer = completion.choices[0].message.content


def proxy_stream(call: Call, obs: Observation) -> None:
    parts: list[str] = []
    stream = call.proxy.client().chat.completions.create(
        model=_proxy_model(call), messages=[{"role": "user", "content": PROMPT}], stream=True
    )
    for chunk in stream:
        _litellm_chunk(chunk, parts, obs)
    obs.answer = obs.streamed


# --- OpenAI Agents SDK --------------------------------------------------------------------------


def _agent_run(call: Call) -> tuple[Any, Any]:
    from agents import Agent, ModelSettings, RunConfig

    from infron_integrations.openai_agents import InfronProvider

    provider = InfronProvider(
        api_key=call.sandbox.api_key,
        base_url=call.sandbox.base_url,
        max_retries=call.max_retries,
        timeout=call.timeout,
    )
    agent = Agent(
        name="assistant", model=call.model, model_settings=ModelSettings(extra_headers=HEADERS)
    )
    return agent, RunConfig(model_provider=provider)


def agents_run(call: Call, obs: Observation) -> None:
    from agents import Runner

    agent, config = _agent_run(call)

    async def go() -> None:
        result = await Runner.run(agent, PROMPT, run_config=config)
        obs.answer = result.final_output

    asyncio.run(go())


def agents_streamed(call: Call, obs: Observation) -> None:
    from agents import Runner

    agent, config = _agent_run(call)

    async def go() -> None:
        result = Runner.run_streamed(agent, PROMPT, run_config=config)
        parts: list[str] = []
        try:
            async for event in result.stream_events():
                if event.type != "raw_response_event":
                    continue
                if event.data.type == "response.output_text.delta":
                    parts.append(event.data.delta)
                    obs.streamed = "".join(parts)
                elif event.data.type == "response.completed":
                    obs.finished = True
        finally:
            if result.final_output is not None:
                obs.notes.append(f"final_output={result.final_output!r}")
        obs.answer = result.final_output

    asyncio.run(go())


DRIVERS: dict[str, Driver] = {
    "lc-invoke": lc_invoke,
    "lc-ainvoke": lc_ainvoke,
    "lc-stream": lc_stream,
    "lc-astream": lc_astream,
    "litellm-completion": litellm_completion,
    "litellm-acompletion": litellm_acompletion,
    "litellm-stream": litellm_stream,
    "litellm-astream": litellm_astream,
    "proxy": proxy_completion,
    "proxy-stream": proxy_stream,
    "agents-run": agents_run,
    "agents-streamed": agents_streamed,
}


def observe(column: str, call: Call) -> Observation:
    """Run the column's driver once and return what the user saw."""
    return _run(call, DRIVERS[column], tracked=not column.startswith("proxy"))
