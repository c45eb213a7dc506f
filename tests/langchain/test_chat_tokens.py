"""Token counting that never reaches the network, and how close it is to the gateway's count.

``ChatOpenAI.get_num_tokens`` downloads tiktoken's encodings (and fails offline); ChatInfron's
estimate (see ``langchain/_tokens.py``) needs nothing. Its accuracy is measured here against the
sandbox's ``prompt_tokens`` over HTTP and the measured bounds are pinned, so a change to the
method that makes it worse fails.
"""

from __future__ import annotations

import socket
import statistics
import time
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, trim_messages
from langchain_core.tools import tool

from infron_integrations.langchain import ChatInfron

CORPUS = [
    "Hello!",
    "Why is the sky blue?",
    "Plan a three-day trip to Lisbon with museums, food and a day at the beach.",
    "Summarize: The quick brown fox jumps over the lazy dog. The dog, startled, barks twice and "
    "runs into the garden, where it hides behind a rose bush until the fox leaves.",
    "def fib(n):\n    return n if n < 2 else fib(n-1) + fib(n-2)\n\nExplain this code.",
    "Translate to French: I would like two coffees and a croissant, please.",
    "List the planets of the solar system in order from the sun, with one fact about each.",
    "What's 17 * 23? Show your work step by step.",
    "Write a haiku about autumn leaves falling on a quiet pond.",
    "Compare REST and GraphQL APIs: performance, caching, tooling and typical use cases.",
]
SYSTEM = SystemMessage("You are a helpful assistant.")


@tool
def get_weather(city: str) -> str:
    """Weather for a city."""
    return f"sunny in {city}"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection attempt (a tokenizer download included) fails the test."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("token counting tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    import tiktoken

    monkeypatch.setattr(tiktoken, "get_encoding", refuse)
    monkeypatch.setattr(tiktoken, "encoding_for_model", refuse)


@pytest.mark.usefixtures("no_network")
def test_counts_work_offline_and_fast() -> None:
    llm = ChatInfron(model="openai/gpt-4o-mini", api_key="k", base_url="http://127.0.0.1:9/v1")
    started = time.monotonic()
    assert llm.get_num_tokens("hello world") == 3  # 11 characters / 4, rounded up
    assert llm.get_num_tokens("") == 0
    messages = [SYSTEM, HumanMessage("hello")]
    # per message: ceil((len(content) + len(role)) / 4) + 3: ceil(34 / 4) + 3, ceil(9 / 4) + 3
    assert llm.get_num_tokens_from_messages(messages) == (9 + 3) + (3 + 3)
    with_tools = llm.get_num_tokens_from_messages(messages, tools=[get_weather])
    assert with_tools > llm.get_num_tokens_from_messages(messages)
    assert time.monotonic() - started < 1.0
    claude = ChatInfron(model="anthropic/claude-haiku-4.5", api_key="k")
    assert claude.get_num_tokens("hello world") == 4  # 3.3 characters per token


@pytest.mark.usefixtures("no_network")
def test_token_ids_are_not_invented() -> None:
    llm = ChatInfron(model="openai/gpt-4o-mini", api_key="k")
    with pytest.raises(NotImplementedError, match="custom_get_token_ids"):
        llm.get_token_ids("hello")
    own = ChatInfron(model="openai/gpt-4o-mini", api_key="k", custom_get_token_ids=lambda t: [1, 2])
    assert own.get_token_ids("hello") == [1, 2]
    assert own.get_num_tokens("hello") == 2


@pytest.mark.usefixtures("no_network")
def test_trim_messages_uses_the_offline_count() -> None:
    llm = ChatInfron(model="openai/gpt-4o-mini", api_key="k")
    history = [SYSTEM] + [HumanMessage(text) for text in CORPUS]
    trimmed = trim_messages(history, max_tokens=60, token_counter=llm, include_system=True)
    assert trimmed[0] == SYSTEM and len(trimmed) < len(history)
    assert llm.get_num_tokens_from_messages(trimmed) <= 60


@pytest.mark.parametrize(
    ("model", "mean_error", "worst_error"),
    [
        # measured: +21% mean, +34% worst (4 characters per token)
        ("openai/gpt-4o-mini", 0.25, 0.40),
        # measured: +40% mean, +59% worst (3.3 characters per token, tuned to Claude's tokenizer)
        ("anthropic/claude-haiku-4.5", 0.45, 0.65),
    ],
)
def test_accuracy_against_the_sandbox_count(
    chat_model_factory: Any, model: str, mean_error: float, worst_error: float
) -> None:
    llm = chat_model_factory(model=model)
    errors = []
    for text in CORPUS:
        messages = [SYSTEM, HumanMessage(text)]
        estimate = llm.get_num_tokens_from_messages(messages)
        actual = llm.invoke(messages).usage_metadata["input_tokens"]
        errors.append((estimate - actual) / actual)
    # the sandbox counts words (its tokenizer is a word regex): English text has fewer of them
    # than BPE tokens, so the estimate lands above it
    assert statistics.mean(abs(e) for e in errors) <= mean_error
    assert max(abs(e) for e in errors) <= worst_error


def test_a_gateway_answer_calibrates_the_count(
    infron_sandbox: Any, chat_model_factory: Any
) -> None:
    llm = chat_model_factory(model="anthropic/claude-haiku-4.5")
    first = [SYSTEM, HumanMessage(CORPUS[3])]
    answer = llm.invoke(first)
    assert isinstance(answer, AIMessage) and answer.usage_metadata is not None
    conversation = [*first, answer, HumanMessage(CORPUS[9])]
    estimate = llm.get_num_tokens_from_messages(conversation)
    actual = llm.invoke(conversation).usage_metadata["input_tokens"]
    # the prefix is the gateway's own count; only the last question is estimated
    known = answer.usage_metadata["input_tokens"] + answer.usage_metadata["output_tokens"]
    assert estimate - known == llm.get_num_tokens_from_messages([HumanMessage(CORPUS[9])])
    assert abs(estimate - actual) / actual <= 0.10  # measured: +8%
