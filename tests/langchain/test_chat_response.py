"""ChatInfron responses: nothing Infron returns is lost (reasoning, signatures, usage, cost, ids).

Docs: Reasoning & Thinking, Billing Tracking, Web Search, Streaming, and the chat-completion
OpenAPI schema (``thought_signature``, ``native_finish_reason``, ``request_id``).
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.tools import tool

from infron_integrations.core.wire import COST_DETAIL_FIELDS

CHAT = "/v1/chat/completions"


@tool
def get_weather(city: str) -> str:
    """Weather for a city."""
    return f"sunny in {city}"


def _merge(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    return full


def _sent_messages(sandbox: Any) -> list[dict[str, Any]]:
    return sandbox.last_request(CHAT).body["messages"]  # type: ignore[no-any-return]


# --- reasoning --------------------------------------------------------------------------------


def test_reasoning_becomes_content_blocks_and_additional_kwargs(chat_model_factory: Any) -> None:
    llm = chat_model_factory(model="deepseek/deepseek-r1")
    message = llm.invoke("Is 9.11 bigger than 9.9?")
    reasoning = message.additional_kwargs["reasoning_content"]
    assert reasoning.startswith('The user wrote: "Is 9.11 bigger than 9.9?"')
    blocks = message.content_blocks
    assert blocks[0] == {"type": "reasoning", "reasoning": reasoning}
    assert blocks[1]["type"] == "text" and blocks[1]["text"] == message.content
    assert message.usage_metadata["output_token_details"]["reasoning"] > 0


def test_streamed_reasoning_arrives_before_the_answer(chat_model_factory: Any) -> None:
    llm = chat_model_factory(model="deepseek/deepseek-r1")
    chunks = list(llm.stream("Is 9.11 bigger than 9.9?"))
    kinds = [
        "reasoning" if c.additional_kwargs.get("reasoning_content") else "text"
        for c in chunks
        if c.additional_kwargs.get("reasoning_content") or c.content
    ]
    assert kinds[0] == "reasoning" and kinds[-1] == "text"
    assert kinds == sorted(kinds)  # all reasoning, then all text
    first_thought = next(c for c in chunks if c.additional_kwargs.get("reasoning_content"))
    assert first_thought.content_blocks[0]["type"] == "reasoning"  # per chunk, too
    full = _merge(chunks)
    invoked = llm.invoke("Is 9.11 bigger than 9.9?")
    # the sandbox sends each piece as both `reasoning_content` and `reasoning`: not doubled
    assert (
        full.additional_kwargs["reasoning_content"]
        == invoked.additional_kwargs["reasoning_content"]
    )
    assert full.content == invoked.content
    assert full.content_blocks[0]["type"] == "reasoning"


def test_reasoning_sent_as_reasoning_only_is_normalized(
    infron_sandbox: Any, chat_model_factory: Any, chat_body: Any
) -> None:
    infron_sandbox.script(chat_body("42", reasoning="thinking under the `reasoning` key"))
    message = chat_model_factory().invoke("hi")
    assert message.additional_kwargs["reasoning_content"] == "thinking under the `reasoning` key"
    assert "reasoning" not in message.additional_kwargs
    assert message.content_blocks[0]["type"] == "reasoning"


def test_output_version_v1_puts_reasoning_blocks_in_content(chat_model_factory: Any) -> None:
    llm = chat_model_factory(model="deepseek/deepseek-r1", output_version="v1")
    message = llm.invoke("hi")
    assert isinstance(message.content, list)
    assert message.content[0]["type"] == "reasoning"
    assert message.content[-1]["type"] == "text"


def test_reasoning_effort_none_disables_it(infron_sandbox: Any, chat_model_factory: Any) -> None:
    llm = chat_model_factory(model="deepseek/deepseek-r1", reasoning={"effort": "none"})
    message = llm.invoke("hi")
    assert infron_sandbox.last_request(CHAT).body["reasoning"] == {"effort": "none"}
    assert "reasoning_content" not in message.additional_kwargs


# --- thought signatures and reasoning replay --------------------------------------------------


@pytest.mark.parametrize("stream", [False, True])
def test_thought_signatures_survive_a_tool_round_trip(
    infron_sandbox: Any, chat_model_factory: Any, stream: bool
) -> None:
    llm = chat_model_factory(model="google/gemini-2.5-flash").bind_tools([get_weather])
    question = HumanMessage("What is the weather in Paris? Use get_weather.")
    if stream:
        first: AIMessage = _merge(list(llm.stream([question])))
    else:
        first = llm.invoke([question])
    assert first.tool_calls and first.tool_calls[0]["name"] == "get_weather"
    call_id = first.tool_calls[0]["id"]
    signature = first.additional_kwargs["tool_call_thought_signatures"][call_id]
    assert signature.startswith("sandbox-sig-")
    message_signature = first.additional_kwargs["thought_signature"]

    result = ToolMessage("sunny", tool_call_id=call_id)
    answer = llm.invoke([question, first, result])

    sent_assistant = _sent_messages(infron_sandbox)[1]
    assert sent_assistant["role"] == "assistant"
    assert sent_assistant["tool_calls"][0]["id"] == call_id
    assert sent_assistant["tool_calls"][0]["thought_signature"] == signature
    assert sent_assistant["thought_signature"] == message_signature
    assert answer.content.startswith("Based on get_weather: sunny")


def _conversation() -> list[Any]:
    return [
        HumanMessage("first question"),
        AIMessage("first answer", additional_kwargs={"reasoning_content": "old thoughts"}),
        HumanMessage("weather in Oslo? use get_weather"),
        AIMessage(
            "",
            tool_calls=[{"name": "get_weather", "args": {"city": "Oslo"}, "id": "call_1"}],
            additional_kwargs={
                "reasoning_content": "current thoughts",
                "reasoning_details": [{"type": "reasoning.encrypted", "data": "opaque"}],
            },
        ),
        ToolMessage("sunny", tool_call_id="call_1"),
    ]


@pytest.mark.parametrize(
    ("replay", "expected"),
    [
        ("current_turn", [None, "current thoughts"]),
        ("all", ["old thoughts", "current thoughts"]),
        ("none", [None, None]),
    ],
)
def test_reasoning_replay_policy(
    infron_sandbox: Any, chat_model_factory: Any, replay: str, expected: list[str | None]
) -> None:
    llm = chat_model_factory(model="deepseek/deepseek-r1", reasoning_replay=replay)
    llm.bind_tools([get_weather]).invoke(_conversation())
    sent = [m for m in _sent_messages(infron_sandbox) if m["role"] == "assistant"]
    assert [m.get("reasoning_content") for m in sent] == expected
    details = sent[1].get("reasoning_details")
    assert details == ([{"type": "reasoning.encrypted", "data": "opaque"}] if expected[1] else None)


# --- usage, cost and metadata -----------------------------------------------------------------

_METADATA_KEYS = {
    "model_provider",
    "model_name",
    "finish_reason",
    "native_finish_reason",
    "provider",
    "request_id",
    "cost",
    "cost_details",
    "annotations",
}


def _check_metadata(message: AIMessage) -> None:
    metadata = message.response_metadata
    assert set(metadata) >= _METADATA_KEYS, _METADATA_KEYS - set(metadata)
    assert metadata["model_provider"] == "infron"
    assert metadata["model_name"] == "anthropic/claude-sonnet-4.5"
    assert metadata["finish_reason"] == "stop"
    assert metadata["native_finish_reason"] == "end_turn"
    assert metadata["provider"] == "anthropic"
    assert len(metadata["request_id"]) == 32
    assert set(COST_DETAIL_FIELDS) <= set(metadata["cost_details"])
    assert metadata["cost_details"]["native_web_search_cost"] > 0
    assert metadata["annotations"][0]["url_citation"]["url"].startswith("https://")


@pytest.mark.parametrize("mode", ["invoke", "stream"])
def test_response_metadata_keeps_every_infron_extra(chat_model_factory: Any, mode: str) -> None:
    llm = chat_model_factory(
        model="anthropic/claude-sonnet-4.5", web_search={"search_context_size": "low"}
    )
    if mode == "invoke":
        message: AIMessage = llm.invoke("latest news about bridges")
    else:
        message = _merge(list(llm.stream("latest news about bridges")))
    _check_metadata(message)
    ls_params = llm._get_ls_params()
    assert ls_params["ls_provider"] == "infron"
    assert ls_params["ls_model_name"] == "anthropic/claude-sonnet-4.5"


def test_cost_is_exactly_the_gateways(infron_sandbox: Any, chat_model_factory: Any) -> None:
    llm = chat_model_factory(model="openai/gpt-4o")
    message = llm.invoke("price check")
    direct = infron_sandbox.openai_client().chat.completions.create(
        model="openai/gpt-4o",
        messages=[{"role": "user", "content": "price check"}],
        extra_body={"usage": {"include": True}},
    )
    assert message.response_metadata["cost"] == direct.model_extra["cost"]
    assert message.response_metadata["cost_details"] == direct.model_extra["cost_details"]
    usage = message.usage_metadata
    assert usage["input_tokens"] == direct.usage.prompt_tokens
    assert usage["output_tokens"] == direct.usage.completion_tokens


@pytest.mark.parametrize("use_async", [False, True])
async def test_exactly_one_stream_chunk_carries_usage_and_cost(
    chat_model_factory: Any, use_async: bool
) -> None:
    llm = chat_model_factory(model="anthropic/claude-haiku-4.5", prompt_cache=True)
    question = [HumanMessage("A long question about caching. " * 40)]
    if use_async:
        chunks = [c async for c in llm.astream(question)]
        chunks2 = [c async for c in llm.astream(question)]
    else:
        chunks = list(llm.stream(question))
        chunks2 = list(llm.stream(question))
    for run in (chunks, chunks2):
        with_usage = [c for c in run if c.usage_metadata]
        with_cost = [c for c in run if "cost" in c.response_metadata]
        with_name = [c for c in run if "model_name" in c.response_metadata]
        assert len(with_usage) == len(with_cost) == len(with_name) == 1
        assert with_usage[0] is run[-1]
        assert run[-1].chunk_position == "last"
    first, second = _merge(chunks), _merge(chunks2)
    assert first.usage_metadata["input_token_details"]["cache_creation"] > 0
    assert second.usage_metadata["input_token_details"]["cache_read"] > 0
    assert second.usage_metadata["input_tokens"] == first.usage_metadata["input_tokens"]


def test_unknown_gateway_fields_are_kept(
    infron_sandbox: Any, chat_model_factory: Any, chat_body: Any
) -> None:
    body = chat_body("hello", new_message_field={"x": 1})
    body["new_top_level_field"] = "kept"
    body["provider"] = "scripted-provider"
    infron_sandbox.script(body)
    message = chat_model_factory().invoke("hi")
    assert message.additional_kwargs["new_message_field"] == {"x": 1}
    assert message.response_metadata["new_top_level_field"] == "kept"
    assert message.response_metadata["provider"] == "scripted-provider"


def test_several_choices_each_become_a_generation(
    infron_sandbox: Any, chat_model_factory: Any
) -> None:
    llm = chat_model_factory(n=2)
    result = llm.generate([[HumanMessage("hi")]])
    assert infron_sandbox.last_request(CHAT).body["n"] == 2
    generations = result.generations[0]
    assert len(generations) == 2
    assert all(g.message.content.startswith('You said: "hi"') for g in generations)
