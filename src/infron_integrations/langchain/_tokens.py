"""Offline token counts for ChatInfron (``get_num_tokens``, ``get_num_tokens_from_messages``).

``ChatOpenAI`` counts with tiktoken, which downloads its encodings on first use (and fails
offline) and is OpenAI's tokenizer only, while Infron serves models of many vendors with tokenizers
of their own. ChatInfron therefore estimates, without any download or request:

* text, with langchain-core's ``count_tokens_approximately`` (the counter LangChain's agent
  middleware uses by default): one token per 4 characters (3.3 for ``anthropic/`` models, the
  ratio LangChain measured against Claude's token-counting API), rounded up per message, plus 3
  tokens per message for the role and separators; tool calls, tool-call ids and names count as
  text; each image counts 85 tokens; other attachments (PDF, audio) count their characters, so
  they are overestimated; tool schemas passed as ``tools=`` count the characters of their JSON;
* calibrated by the gateway: when the messages hold an answer from Infron (an ``AIMessage``
  with ``usage_metadata``), everything up to and including that answer counts what the gateway
  counted for it (its ``input_tokens`` plus ``output_tokens``, tools it was sent included), and
  only the messages after it are estimated. In an agent loop that makes the count nearly exact.

The accuracy, measured against the sandbox's counts, is pinned in
tests/langchain/test_chat_tokens.py and stated in docs/langchain.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.messages.utils import count_tokens_approximately
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

__all__ = ["CHARS_PER_TOKEN", "NO_TOKEN_IDS", "chars_per_token", "count_messages", "count_text"]

CHARS_PER_TOKEN = 4.0
#: model-id prefixes with a measured ratio of their own
_RATIOS = {"anthropic/": 3.3}

NO_TOKEN_IDS = (
    "ChatInfron has no token ids: Infron serves models with many tokenizers and ChatInfron "
    "counts tokens offline by estimate (get_num_tokens / get_num_tokens_from_messages; see the "
    "token counting section of docs/langchain.md). For ids, pass custom_get_token_ids= a "
    "tokenizer of your own."
)


def chars_per_token(model: str) -> float:
    """Characters per token assumed for ``model``."""
    for prefix, ratio in _RATIOS.items():
        if model.startswith(prefix):
            return ratio
    return CHARS_PER_TOKEN


def count_text(text: str, model: str) -> int:
    """Estimated tokens of a plain text."""
    return math.ceil(len(text) / chars_per_token(model)) if text else 0


def _tool_dicts(tools: Sequence[Any]) -> list[BaseTool | dict[str, Any]]:
    # pydantic classes and functions become the OpenAI tool schema that would be sent
    return [t if isinstance(t, (dict, BaseTool)) else convert_to_openai_tool(t) for t in tools]


def _from_gateway(message: BaseMessage) -> bool:
    meta = message.response_metadata
    return meta.get("model_provider") == "infron" or meta.get("gateway") == "infron"


def count_messages(
    messages: Sequence[BaseMessage],
    model: str,
    tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool] | None = None,
) -> int:
    """Estimated prompt tokens of ``messages`` (and ``tools``) for ``model``."""
    ratio = chars_per_token(model)
    for index in range(len(messages) - 1, -1, -1):
        message = messages[index]
        usage = message.usage_metadata if isinstance(message, AIMessage) else None
        if usage and _from_gateway(message):
            # the gateway's count of the conversation up to this answer (tools included)
            known = usage.get("input_tokens", 0) + usage.get("output_tokens", 0)
            rest = messages[index + 1 :]
            return known + (count_tokens_approximately(rest, chars_per_token=ratio) if rest else 0)
    return count_tokens_approximately(
        messages, chars_per_token=ratio, tools=_tool_dicts(tools) if tools else None
    )
