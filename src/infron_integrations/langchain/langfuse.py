"""Langfuse's LangChain ``CallbackHandler``, recording Infron's own cost instead of an estimate.

Docs: Billing Tracking. Langfuse's handler sends a generation's token usage only, and Langfuse
prices it from its own table: list price for the ids it knows, nothing for the others.
:class:`InfronLangfuseHandler` is that handler with one addition: for an answer from
``ChatInfron`` it sets the generation's ``cost_details`` to the gateway's figures (``total`` is
the gateway's ``cost``; ``input`` / ``output`` its two sides, from ``cost_details``), which
Langfuse records as given. Runs of other providers are left exactly as Langfuse's handler sends
them.

Needs the ``langfuse`` extra: ``pip install "infron-integrations[langfuse]"``::

    from langfuse import Langfuse
    from infron_integrations.langchain.langfuse import InfronLangfuseHandler

    Langfuse()  # LANGFUSE_PUBLIC_KEY / LANGFUSE_SECRET_KEY / LANGFUSE_BASE_URL
    llm.invoke("hi", config={"callbacks": [InfronLangfuseHandler()]})
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from .._compat import require

require("langfuse", "langfuse")

from langchain_core.messages import AIMessage  # noqa: E402
from langchain_core.outputs import ChatGeneration, LLMResult  # noqa: E402
from langfuse.langchain import CallbackHandler  # noqa: E402

from ..core.usage import cost_split  # noqa: E402
from ._compat import langfuse_observation  # noqa: E402
from .callbacks import record_from_message  # noqa: E402

__all__ = ["COST_KEYS", "InfronLangfuseHandler", "langfuse_cost_details"]

#: the LangSmith cost keys ``cost_in_usage_metadata=True`` adds to ``usage_metadata``; Langfuse
#: would take them for token counts, so they are kept out of its ``usage_details``
COST_KEYS = frozenset(
    {"total_cost", "input_cost", "output_cost", "input_cost_details", "output_cost_details"}
)


def langfuse_cost_details(message: AIMessage) -> dict[str, float] | None:
    """Langfuse's ``cost_details`` for one ChatInfron answer (None for other providers).

    ``total`` is the gateway's ``cost``; ``input`` and ``output`` are present when the response
    carried ``cost_details`` (``core.usage.cost_split``).
    """
    record = record_from_message(message)
    split = cost_split(record.cost, record.cost_details) if record is not None else None
    if split is None:
        return None
    details = {"total": split.total}
    if split.input is not None:
        details["input"] = split.input
    if split.output is not None:
        details["output"] = split.output
    return details


def _answer(response: LLMResult) -> AIMessage | None:
    # the generation Langfuse's handler reads its output from: the last of the last prompt
    try:
        generation = response.generations[-1][-1]
    except IndexError:
        return None
    if isinstance(generation, ChatGeneration) and isinstance(generation.message, AIMessage):
        return generation.message
    return None


def _without_cost_keys(response: LLMResult) -> LLMResult:
    """``response`` with the LangSmith cost keys out of every ``usage_metadata`` (no copy when
    there are none)."""

    def strip(generation: Any) -> Any:
        message = getattr(generation, "message", None)
        usage = getattr(message, "usage_metadata", None)
        if not isinstance(message, AIMessage) or not usage or COST_KEYS.isdisjoint(usage):
            return generation
        kept = {k: v for k, v in usage.items() if k not in COST_KEYS}
        return generation.model_copy(
            update={"message": message.model_copy(update={"usage_metadata": kept})}
        )

    generations = [[strip(g) for g in batch] for batch in response.generations]
    if all(
        new is old
        for new_batch, old_batch in zip(generations, response.generations, strict=True)
        for new, old in zip(new_batch, old_batch, strict=True)
    ):
        return response
    return response.model_copy(update={"generations": generations})


class InfronLangfuseHandler(CallbackHandler):
    """``langfuse.langchain.CallbackHandler`` that records Infron's cost on each generation.

    Takes the same arguments (``public_key``, ``trace_context``) and does everything the Langfuse
    handler does; a ChatInfron generation gets ``cost_details`` with the gateway's figures, and
    its ``usage_details`` stay token counts.
    """

    def on_llm_end(
        self,
        response: LLMResult,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        **kwargs: Any,
    ) -> Any:
        message = _answer(response)
        cost = langfuse_cost_details(message) if message is not None else None
        if cost is not None:
            observation = langfuse_observation(self, run_id)
            if observation is not None:
                observation.update(cost_details=cost)
        return super().on_llm_end(
            _without_cost_keys(response), run_id=run_id, parent_run_id=parent_run_id, **kwargs
        )
