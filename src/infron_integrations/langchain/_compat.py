"""Every private name of langchain-core, langchain-openai and the OpenAI SDK that the LangChain
adapter relies on, in one place.

``ChatInfron`` extends langchain-openai's ``BaseChatOpenAI``: it reuses its message conversion,
tool binding, structured output and Responses support, and replaces its request building and
transport. Those seams are private in langchain-openai; nothing else in this adapter names them.
Each entry of :data:`PRIVATE_NAMES` says why it is used and the versions it was checked on; the
test suite checks that every one still exists in the installed versions (both ends of the
supported range run the suite).

Checked on langchain-core 1.7.0 and 1.8.3, langchain-openai 1.7.0 and 1.8.1, openai 2.45.0 and
3.60.0.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from langchain_core.messages import ai as _core_ai
from langchain_openai.chat_models import _client_utils
from langchain_openai.chat_models import _compat as _openai_compat
from langchain_openai.chat_models import base as _base
from langchain_openai.chat_models.base import BaseChatOpenAI

if TYPE_CHECKING:
    from langchain_core.language_models import LangSmithParams, LanguageModelInput, ModelProfile
    from langchain_core.messages import BaseMessage
    from langchain_core.outputs import ChatGenerationChunk
    from langchain_core.prompt_values import PromptValue

__all__ = [
    "PRIVATE_NAMES",
    "ChatOpenAIHooks",
    "PrivateName",
    "StreamChunkTimeoutError",
    "allow_cost_in_usage",
    "astream_responses",
    "construct_responses_payload",
    "construct_responses_result",
    "convert_input",
    "default_params",
    "langfuse_observation",
    "message_to_dict",
    "request_payload",
    "response_format_param",
    "should_stream_usage",
    "stream_responses",
    "v1_to_chat_completions",
]

CHECKED_ON = "langchain-core 1.7.0, 1.8.3; langchain-openai 1.7.0, 1.8.1"


class PrivateName(NamedTuple):
    owner: str  # "module" or "module:Class"
    name: str
    why: str


#: what this adapter uses of the frameworks' private surface (checked on :data:`CHECKED_ON`)
PRIVATE_NAMES: tuple[PrivateName, ...] = (
    PrivateName(
        "langchain_openai.chat_models.base:BaseChatOpenAI",
        "_get_request_payload",
        "the request body; overridden to build Infron's (options, cache markers, replayed "
        "reasoning) and called by the Responses route",
    ),
    PrivateName(
        "langchain_openai.chat_models.base:BaseChatOpenAI",
        "_default_params",
        "the model's parameters; overridden to drop OpenAI's own `reasoning` (Infron's comes "
        "from the options)",
    ),
    PrivateName(
        "langchain_openai.chat_models.base:BaseChatOpenAI",
        "_get_invocation_params",
        "the identity of a call (cache key, traces); overridden to include Infron's options",
    ),
    PrivateName(
        "langchain_openai.chat_models.base:BaseChatOpenAI",
        "_get_ls_params",
        "LangSmith's params; overridden so traces name the provider `infron`",
    ),
    PrivateName(
        "langchain_openai.chat_models.base:BaseChatOpenAI",
        "_use_responses_api",
        "overridden: only the explicit use_responses_api=True goes to /v1/responses",
    ),
    PrivateName(
        "langchain_openai.chat_models.base:BaseChatOpenAI",
        "_should_stream_usage",
        "whether a stream asks for its usage chunk (stream_usage field and keyword)",
    ),
    PrivateName(
        "langchain_openai.chat_models.base:BaseChatOpenAI",
        "_stream_responses",
        "langchain-openai's Responses-API stream parser, reused by use_responses_api=True",
    ),
    PrivateName(
        "langchain_openai.chat_models.base:BaseChatOpenAI",
        "_astream_responses",
        "async twin of _stream_responses",
    ),
    PrivateName(
        "langchain_core.language_models.chat_models:BaseChatModel",
        "_resolve_model_profile",
        "where a chat model's default profile comes from (langchain-core's docstring asks "
        "partners to override it); overridden to read Infron's catalog instead of OpenAI's ids",
    ),
    PrivateName(
        "langchain_core.language_models.chat_models:BaseChatModel",
        "_convert_input",
        "turns a LanguageModelInput (str, messages, prompt value) into messages",
    ),
    PrivateName(
        "langchain_openai.chat_models.base",
        "_convert_message_to_dict",
        "LangChain message -> chat-completions message (content blocks, tools, images, audio)",
    ),
    PrivateName(
        "langchain_openai.chat_models._compat",
        "_convert_from_v1_to_chat_completions",
        "LangChain v1 content blocks -> the chat-completions shape, before the conversion above",
    ),
    PrivateName(
        "langchain_openai.chat_models.base",
        "_construct_responses_api_payload",
        "the /v1/responses body from messages (use_responses_api=True)",
    ),
    PrivateName(
        "langchain_openai.chat_models.base",
        "_construct_lc_result_from_responses_api",
        "a Responses-API response -> ChatResult (use_responses_api=True)",
    ),
    PrivateName(
        "langchain_openai.chat_models._client_utils",
        "StreamChunkTimeoutError",
        "the error ChatOpenAI raises when stream_chunk_timeout passes; ChatInfron raises the same",
    ),
    PrivateName(
        "langchain_core.messages.ai",
        "_dict_int_op",
        "what add_usage / subtract_usage combine usage_metadata with; it accepts ints only, so "
        "the LangSmith cost keys (floats) would make every later sum raise: replaced by "
        "allow_cost_in_usage() when, and only when, the installed version rejects floats",
    ),
    PrivateName(
        "openai.lib._parsing._completions",
        "type_to_response_format_param",
        "a pydantic class -> the strict json_schema response_format, as the SDK's parse() does",
    ),
)


# --- names used as they are ---------------------------------------------------------------------

message_to_dict = _base._convert_message_to_dict
v1_to_chat_completions = _openai_compat._convert_from_v1_to_chat_completions
construct_responses_payload = _base._construct_responses_api_payload
construct_responses_result = _base._construct_lc_result_from_responses_api
StreamChunkTimeoutError = _client_utils.StreamChunkTimeoutError


def response_format_param(schema: type) -> Any:
    """The strict ``json_schema`` ``response_format`` for a pydantic class."""
    from openai.lib._parsing._completions import type_to_response_format_param

    return type_to_response_format_param(schema)


# --- usage_metadata with the gateway's cost -----------------------------------------------------

_USAGE_LOCK = threading.Lock()
#: the module-level name add_usage / subtract_usage call (langchain_core.messages.ai)
_USAGE_COMBINER = "_dict_int_op"
#: set once add_usage is known to accept floats (checked once per process)
_FLOATS_ADD = False


def _number_dict_op(
    left: dict[str, Any],
    right: dict[str, Any],
    op: Callable[[Any, Any], Any],
    *,
    default: int = 0,
    depth: int = 0,
    max_depth: int = 100,
) -> dict[str, Any]:
    """langchain-core's usage combiner, for ints and floats alike (same signature and errors).

    Ints combine exactly as before; floats (``total_cost``, ``input_cost`` ...) with the same
    ``op``; nested dicts recursively, through this function (the original recursion would meet
    ``input_cost_details`` floats again).
    """
    if depth >= max_depth:
        raise ValueError(f"{max_depth=} exceeded, unable to combine dicts.")
    combined: dict[str, Any] = {}
    for key in set(left).union(right):
        a, b = left.get(key, default), right.get(key, default)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            combined[key] = op(a, b)
        elif isinstance(left.get(key, {}), dict) and isinstance(right.get(key, {}), dict):
            combined[key] = _number_dict_op(
                left.get(key, {}),
                right.get(key, {}),
                op,
                default=default,
                depth=depth + 1,
                max_depth=max_depth,
            )
        else:
            types = [type(d[key]) for d in (left, right) if key in d]
            raise ValueError(
                f"Unknown value types: {types}. Only dict, int and float values are supported."
            )
    return combined


def _adds_floats() -> bool:
    usage: Any = {"input_tokens": 1, "output_tokens": 1, "total_tokens": 2, "total_cost": 0.5}
    try:
        return _core_ai.add_usage(usage, usage).get("total_cost") == 1.0
    except ValueError:
        return False


def allow_cost_in_usage() -> bool:
    """Make langchain-core's ``add_usage`` accept the cost keys LangSmith reads (floats).

    langchain-core 1.7.0 and 1.8.3 combine ``usage_metadata`` with ``_dict_int_op``, which raises
    on any float: with ``total_cost`` on messages, ``get_usage_metadata_callback()`` would raise on
    the second call, and so would LangChainTracer for a response with several choices. The
    module-level name ``add_usage`` and ``subtract_usage`` call is replaced by a combiner that
    also adds floats; int sums are unchanged, and nothing that worked before behaves differently
    (a float used to raise). Applied once, when the first cost key is put in ``usage_metadata``
    (``ChatInfron(cost_in_usage_metadata=True)``), and only when a probe shows the installed
    version rejects floats (a version that accepts them is left untouched).

    Returns:
        True when ``add_usage`` now accepts floats.
    """
    global _FLOATS_ADD
    if _FLOATS_ADD:
        return True
    with _USAGE_LOCK:
        if not _adds_floats():
            setattr(_core_ai, _USAGE_COMBINER, _number_dict_op)
        _FLOATS_ADD = _adds_floats()
        return _FLOATS_ADD


# --- Langfuse's LangChain handler ---------------------------------------------------------------

#: where langfuse.langchain.CallbackHandler keeps each run's open observation, by run id
_LANGFUSE_RUNS = "_runs"


def langfuse_observation(handler: Any, run_id: Any) -> Any:
    """The Langfuse observation ``handler`` keeps open for ``run_id`` (None when there is none).

    Langfuse's ``CallbackHandler.on_llm_end`` ends the generation with the token usage only, and
    no public hook sees the generation between its start and that end: the cost is written on it
    just before (langfuse 5.2.0: ``self._runs``, run id -> observation; not in the checked
    PRIVATE_NAMES table above because langfuse is optional: tests/langchain check it instead).
    """
    runs = getattr(handler, _LANGFUSE_RUNS, None)
    return runs.get(run_id) if isinstance(runs, dict) else None


# --- what ChatInfron calls on itself or on langchain-openai's machinery -------------------------


def convert_input(chat_model: BaseChatOpenAI, input_: LanguageModelInput) -> PromptValue:
    return chat_model._convert_input(input_)


def default_params(chat_model: BaseChatOpenAI) -> dict[str, Any]:
    return chat_model._default_params


def should_stream_usage(
    chat_model: BaseChatOpenAI, stream_usage: bool | None, kwargs: dict[str, Any]
) -> bool:
    # kwargs as a dict: they may hold a `model` override (a call keyword, not the chat model)
    return chat_model._should_stream_usage(stream_usage, **kwargs)


def request_payload(
    chat_model: BaseChatOpenAI,
    input_: LanguageModelInput,
    stop: list[str] | None,
    kwargs: dict[str, Any],
) -> dict[str, Any]:
    return chat_model._get_request_payload(input_, stop=stop, **kwargs)


def stream_responses(
    chat_model: BaseChatOpenAI,
    messages: list[BaseMessage],
    stop: list[str] | None,
    run_manager: Any,
    kwargs: dict[str, Any],
) -> Iterator[ChatGenerationChunk]:
    return chat_model._stream_responses(messages, stop, run_manager, **kwargs)


def astream_responses(
    chat_model: BaseChatOpenAI,
    messages: list[BaseMessage],
    stop: list[str] | None,
    run_manager: Any,
    kwargs: dict[str, Any],
) -> AsyncIterator[ChatGenerationChunk]:
    return chat_model._astream_responses(messages, stop, run_manager, **kwargs)


# --- the overridden seams -----------------------------------------------------------------------


class ChatOpenAIHooks(BaseChatOpenAI):  # type: ignore[override]
    """``BaseChatOpenAI`` with its private seams routed to ChatInfron's ``_infron_*`` hooks.

    The defaults here keep langchain-openai's behaviour; ChatInfron overrides the hooks.
    """

    def _infron_request_payload(
        self, input_: LanguageModelInput, stop: list[str] | None, kwargs: dict[str, Any]
    ) -> dict[str, Any]:
        return super()._get_request_payload(input_, stop=stop, **kwargs)

    def _infron_default_params(self, params: dict[str, Any]) -> dict[str, Any]:
        return params

    def _infron_invocation_params(self, params: dict[str, Any]) -> dict[str, Any]:
        return params

    def _infron_ls_params(self, params: LangSmithParams) -> LangSmithParams:
        return params

    def _infron_use_responses_api(self, payload: dict[str, Any]) -> bool:
        return super()._use_responses_api(payload)

    def _infron_model_profile(self) -> ModelProfile | None:
        return super()._resolve_model_profile()

    # the private names themselves

    def _resolve_model_profile(self) -> ModelProfile | None:
        return self._infron_model_profile()

    def _get_request_payload(
        self,
        input_: LanguageModelInput,
        *,
        stop: list[str] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        return self._infron_request_payload(input_, stop, kwargs)

    @property
    def _default_params(self) -> dict[str, Any]:
        return self._infron_default_params(super()._default_params)

    def _get_invocation_params(
        self, stop: list[str] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        return self._infron_invocation_params(super()._get_invocation_params(stop=stop, **kwargs))

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        return self._infron_ls_params(super()._get_ls_params(stop=stop, **kwargs))

    def _use_responses_api(self, payload: dict[str, Any]) -> bool:
        return self._infron_use_responses_api(payload)
