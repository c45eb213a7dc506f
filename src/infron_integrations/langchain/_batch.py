"""``ChatInfron`` on Infron's Batch API: half price for work that can wait.

Docs: Batch ("All usage is charged at 50% of the standard API prices"). ``batch_api`` takes what
``batch`` takes and returns the ``AIMessage``\\ s ``invoke`` would (content, tool calls,
reasoning, ``usage_metadata``, ``cost`` and ``request_id`` in ``response_metadata``), in input
order; ``submit_batch_api`` returns a job to collect later, from this process or another one
(``batch_api_job(batch_id)``).

Each input is turned into a chat-completions body exactly as ``invoke`` builds it (options,
tools, prompt-cache markers, replayed reasoning), then into the Messages-API ``params`` a batch
request carries (:func:`infron_integrations.core.messages_shape.messages_params_from_chat`).
Answers come back through the same conversion as ``invoke``'s (``_chat_convert.chat_result``),
so the messages look alike; the usage and cost are recorded once per job, into the core's
trackers and LangChain's callbacks (``get_infron_callback()``, tracers), when it is collected.

Requests are named ``lc-<input index>``: a job resumed from a bare batch id puts the answers back
in input order from those names.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from langchain_core.callbacks import AsyncCallbackManager, CallbackManager
from langchain_core.load import dumpd
from langchain_core.messages import LC_ID_PREFIX, AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from langchain_core.runnables.config import RunnableConfig, get_config_list

from ..core.batch_wire import BatchInfo, BatchResultItem, BatchResults
from ..core.batches import BatchJob, BatchPolling, InfronBatches, OnUpdate, record_batch_usage
from ..core.errors import InfronConfigError
from ..core.messages_shape import messages_params_from_chat
from ..core.settings import InfronSettings
from ._chat_convert import chat_result
from ._compat import convert_input
from ._errors import to_langchain_error

if TYPE_CHECKING:
    from langchain_core.language_models import LanguageModelInput

    from .chat_models import ChatInfron

__all__ = ["BatchAPIMixin", "InfronBatchAPIJob"]

FRAMEWORK = "langchain"
PREFIX = "lc-"


def custom_id(index: int) -> str:
    """The ``custom_id`` of input number ``index``."""
    return f"{PREFIX}{index}"


def _index(name: str) -> int | None:
    digits = name[len(PREFIX) :] if name.startswith(PREFIX) else ""
    return int(digits) if digits.isdigit() else None


def _client(model: ChatInfron, polling: BatchPolling | None) -> InfronBatches:
    # the model's own connection settings, from its public fields (resolved when it was built)
    timeout = model.request_timeout
    settings = InfronSettings.resolve(
        api_key=model.openai_api_key,
        base_url=model.openai_api_base,
        timeout=float(timeout) if isinstance(timeout, (int, float)) and timeout else None,
        max_retries=model.max_retries,
        default_headers=model.default_headers,
    )
    return InfronBatches(settings, polling=polling)


def _requests(
    model: ChatInfron, inputs: Sequence[LanguageModelInput], kwargs: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[list[BaseMessage]], type | None]:
    """One batch request per input, built like ``invoke``'s body; plus the messages and schema."""
    if not inputs:
        raise InfronConfigError("batch_api needs at least one input.")
    stop = kwargs.pop("stop", None)
    tools = kwargs.pop("tools", None)
    if tools is not None:  # what bind_tools accepts: functions, pydantic classes, BaseTools...
        tool_choice = kwargs.pop("tool_choice", None)
        kwargs.update(model.bind_tools(tools, tool_choice=tool_choice).kwargs)  # type: ignore[attr-defined]
    requests: list[dict[str, Any]] = []
    conversations: list[list[BaseMessage]] = []
    schema: type | None = None
    for index, input_ in enumerate(inputs):
        payload, schema, options = model._prepare(input_, stop, dict(kwargs))
        if options.get("headers") or options.get("params"):
            raise InfronConfigError(
                "extra_headers and extra_query apply to a whole batch, not to one request: set "
                "default_headers / default_query on ChatInfron instead."
            )
        payload.update(options.get("extra_json") or {})  # extra_body wins, as with invoke
        params = messages_params_from_chat(payload)
        requests.append({"custom_id": custom_id(index), "params": params})
        conversations.append(convert_input(model, input_).to_messages())
    return requests, conversations, schema


def _message(model: ChatInfron, item: BatchResultItem, schema: type | None) -> AIMessage:
    """The answer as ``invoke`` returns it (metadata merged the way LangChain merges it)."""
    completion = item.completion() or {}
    result = chat_result(
        completion,
        model_name=model.model_name,
        schema=schema,
        cost_in_usage=model.cost_in_usage_metadata,
    )
    generation = result.generations[0]
    message = generation.message
    assert isinstance(message, AIMessage)
    message.response_metadata = {
        **(result.llm_output or {}),
        **(generation.generation_info or {}),
        **message.response_metadata,
        "batch_custom_id": item.custom_id,
    }
    return message


def _error(item: BatchResultItem) -> BaseException:
    exc = item.exception()
    assert exc is not None
    return to_langchain_error(exc)


class InfronBatchAPIJob:
    """A batch of ``ChatInfron`` inputs submitted to the Batch API: collect it now or later.

    Attributes:
        id: the batch id (keep it, or the journal, to collect from another process).
        job: the core :class:`~infron_integrations.core.BatchJob`.
    """

    def __init__(
        self,
        model: ChatInfron,
        job: BatchJob,
        *,
        conversations: list[list[BaseMessage]] | None = None,
        schema: type | None = None,
        polling: BatchPolling | None = None,
    ) -> None:
        self.model = model
        self.job = job
        self.schema = schema
        self._conversations = conversations
        self._client = _client(model, polling)
        self._outputs: list[AIMessage | BaseException] | None = None

    @property
    def id(self) -> str:
        return self.job.batch_id

    def __repr__(self) -> str:
        return f"InfronBatchAPIJob(id={self.id!r}, requests={len(self.job.custom_ids) or '?'})"

    # -- status ------------------------------------------------------------------------------

    def status(self) -> BatchInfo:
        """The batch's :class:`~infron_integrations.core.BatchInfo` (state, request counts)."""
        return self._client.status(self.job)

    async def astatus(self) -> BatchInfo:
        """Async :meth:`status`."""
        return await self._client.astatus(self.job)

    def cancel(self) -> BatchInfo:
        """Cancel the batch; answers already produced are still collected."""
        return self._client.cancel(self.job)

    async def acancel(self) -> BatchInfo:
        """Async :meth:`cancel`."""
        return await self._client.acancel(self.job)

    # -- collect -----------------------------------------------------------------------------

    def collect(
        self,
        config: RunnableConfig | Sequence[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        timeout: float | None = None,
        on_update: OnUpdate | None = None,
    ) -> list[Any]:
        """Wait for the batch (bounded by ``timeout``) and return one message per input.

        Args:
            config: LangChain config(s) for the callbacks each answer is reported to.
            return_exceptions: put each failed input's error in its place (as ``batch`` does);
                otherwise the first one is raised (the others stay collectable).
            timeout: seconds to wait at most (default: the polling's timeout).
            on_update: called with every status seen while waiting.

        Raises:
            InfronBatchTimeoutError: the batch was still running after ``timeout``.
        """
        if self._outputs is None:
            self._client.wait(self.job, timeout=timeout, on_update=on_update)
            results = self._client.results(self.job, record=False)
            outputs, managers = self._outputs_and_runs(results, config, CallbackManager)
            for manager, output in zip(managers, outputs, strict=True):
                self._report(manager, output)
            self._outputs = outputs
            record_batch_usage(results, framework=FRAMEWORK)  # once per job (may be over budget)
        return self._returned(return_exceptions)

    async def acollect(
        self,
        config: RunnableConfig | Sequence[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        timeout: float | None = None,
        on_update: OnUpdate | None = None,
    ) -> list[Any]:
        """Async :meth:`collect`."""
        if self._outputs is None:
            await self._client.await_batch(self.job, timeout=timeout, on_update=on_update)
            results = await self._client.aresults(self.job, record=False)
            outputs, managers = self._outputs_and_runs(results, config, AsyncCallbackManager)
            for manager, output in zip(managers, outputs, strict=True):
                await self._areport(manager, output)
            self._outputs = outputs
            record_batch_usage(results, framework=FRAMEWORK)
        return self._returned(return_exceptions)

    def _returned(self, return_exceptions: bool) -> list[Any]:
        outputs = list(self._outputs or [])
        if not return_exceptions:
            first = next((o for o in outputs if isinstance(o, BaseException)), None)
            if first is not None:
                raise first
        return outputs

    def _items(self, results: BatchResults) -> list[BatchResultItem]:
        """The items in input order; from a bare batch id, by the index in each ``custom_id``."""
        if self.job.custom_ids:
            return list(results.items)
        info = results.info
        total = info.request_counts.total if info is not None else 0
        indexed = {i: item for item in results.items if (i := _index(item.custom_id)) is not None}
        size = max(total, max(indexed, default=-1) + 1)
        ordered = [indexed.get(i) or BatchResultItem.missing(custom_id(i)) for i in range(size)]
        return ordered + [item for item in results.items if _index(item.custom_id) is None]

    def _outputs_and_runs(
        self, results: BatchResults, config: Any, manager_class: Any
    ) -> tuple[list[AIMessage | BaseException], list[Any]]:
        items = self._items(results)
        outputs: list[AIMessage | BaseException] = [
            _message(self.model, item, self.schema) if item.status == "succeeded" else _error(item)
            for item in items
        ]
        known = self._conversations or []
        conversations = known + [[] for _ in range(len(items) - len(known))]
        managers = []
        serialized = dumpd(self.model)
        params = {"model_name": self.model.model_name, "batch_api": True, "batch_id": self.id}
        for conversation, cfg in zip(
            conversations, get_config_list(config, len(items)), strict=False
        ):
            callbacks = manager_class.configure(
                inheritable_callbacks=cfg.get("callbacks"),
                local_callbacks=self.model.callbacks,
                verbose=self.model.verbose,
                inheritable_tags=cfg.get("tags"),
                local_tags=self.model.tags,
                inheritable_metadata=cfg.get("metadata"),
                local_metadata=self.model.metadata,
            )
            managers.append((callbacks, serialized, conversation, params, cfg))
        return outputs, managers

    @staticmethod
    def _result(output: AIMessage | BaseException, run_id: Any) -> LLMResult | None:
        if isinstance(output, BaseException):
            return None
        output.id = output.id or f"{LC_ID_PREFIX}-{run_id}-0"
        return LLMResult(generations=[[ChatGeneration(message=output)]])

    def _report(self, manager: Any, output: AIMessage | BaseException) -> None:
        callbacks, serialized, conversation, params, cfg = manager
        (run,) = callbacks.on_chat_model_start(
            serialized, [conversation], invocation_params=params, name=cfg.get("run_name")
        )
        result = self._result(output, run.run_id)
        if result is None:
            run.on_llm_error(output)
        else:
            run.on_llm_end(result)

    async def _areport(self, manager: Any, output: AIMessage | BaseException) -> None:
        callbacks, serialized, conversation, params, cfg = manager
        (run,) = await callbacks.on_chat_model_start(
            serialized, [conversation], invocation_params=params, name=cfg.get("run_name")
        )
        result = self._result(output, run.run_id)
        if result is None:
            await run.on_llm_error(output)
        else:
            await run.on_llm_end(result)


def _chat_model(mixin: object) -> ChatInfron:
    # the mixin is only ever a base of ChatInfron
    return cast("ChatInfron", mixin)


class BatchAPIMixin:
    """The Batch API methods of :class:`~infron_integrations.langchain.ChatInfron`."""

    __slots__ = ()

    def submit_batch_api(
        self,
        inputs: Sequence[LanguageModelInput],
        *,
        journal: str | os.PathLike[str] | None = None,
        polling: BatchPolling | None = None,
        **kwargs: Any,
    ) -> InfronBatchAPIJob:
        """Submit ``inputs`` to the Batch API (50% price) and return the job at once.

        Args:
            inputs: what ``batch`` takes (strings, message lists, prompt values).
            journal: a file recording the job (batch id, request names), written before the
                batch is sent and once its id is known; ``batch_api_job(journal)`` resumes it.
            polling: how ``collect`` waits (interval, backoff, timeout).
            **kwargs: what ``invoke`` takes: ``stop``, Infron options (``provider``,
                ``reasoning``...), ``tools``/``tool_choice`` (as ``bind_tools`` takes them),
                ``response_format``, ``max_tokens``, ``model`` (a batch model id) ...

        Raises:
            InfronConfigError: an input or option the Messages API cannot express (nothing sent).
        """
        model = _chat_model(self)
        requests, conversations, schema = _requests(model, inputs, kwargs)
        job = _client(model, polling).create(requests, journal=journal)
        return InfronBatchAPIJob(
            model, job, conversations=conversations, schema=schema, polling=polling
        )

    async def asubmit_batch_api(
        self,
        inputs: Sequence[LanguageModelInput],
        *,
        journal: str | os.PathLike[str] | None = None,
        polling: BatchPolling | None = None,
        **kwargs: Any,
    ) -> InfronBatchAPIJob:
        """Async :meth:`submit_batch_api`."""
        model = _chat_model(self)
        requests, conversations, schema = _requests(model, inputs, kwargs)
        job = await _client(model, polling).acreate(requests, journal=journal)
        return InfronBatchAPIJob(
            model, job, conversations=conversations, schema=schema, polling=polling
        )

    def batch_api_job(
        self,
        batch: str | os.PathLike[str] | BatchJob,
        *,
        response_format: type | None = None,
        polling: BatchPolling | None = None,
    ) -> InfronBatchAPIJob:
        """A job to collect, from its batch id or journal (e.g. after a restart).

        Args:
            batch: the batch id, or the journal file given to ``submit_batch_api``.
            response_format: the pydantic class the answers were asked in, to parse them again.
            polling: how ``collect`` waits.
        """
        model = _chat_model(self)
        job = _client(model, polling).job(batch)
        return InfronBatchAPIJob(model, job, schema=response_format, polling=polling)

    def batch_api(
        self,
        inputs: Sequence[LanguageModelInput],
        config: RunnableConfig | Sequence[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        journal: str | os.PathLike[str] | None = None,
        polling: BatchPolling | None = None,
        on_update: OnUpdate | None = None,
        **kwargs: Any,
    ) -> list[Any]:
        """``batch`` through the Batch API: submit, wait (bounded), return the messages in order.

        Takes what :meth:`submit_batch_api` and :meth:`InfronBatchAPIJob.collect` take. If the
        process stops while waiting, nothing is lost: collect later with
        ``batch_api_job(batch_id_or_journal).collect()``.
        """
        job = self.submit_batch_api(inputs, journal=journal, polling=polling, **kwargs)
        return job.collect(config, return_exceptions=return_exceptions, on_update=on_update)

    async def abatch_api(
        self,
        inputs: Sequence[LanguageModelInput],
        config: RunnableConfig | Sequence[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        journal: str | os.PathLike[str] | None = None,
        polling: BatchPolling | None = None,
        on_update: OnUpdate | None = None,
        **kwargs: Any,
    ) -> list[Any]:
        """Async :meth:`batch_api`."""
        job = await self.asubmit_batch_api(inputs, journal=journal, polling=polling, **kwargs)
        return await job.acollect(config, return_exceptions=return_exceptions, on_update=on_update)
