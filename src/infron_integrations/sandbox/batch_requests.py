"""Running one request of a sandbox batch: the Messages pipeline at half price, and its line.

Docs: Batch ("charged at 50% of the standard API prices"; each request's ``params`` is a Messages
API body). A request runs like ``POST /v1/messages`` (same validation, answer and usage, no prompt
cache) and is charged half: every cost part is halved (rounded like every sandbox cost) and
``cost_details.discount_rate`` is 0.5. A failure becomes an ``errored`` line carrying the
documented error object (``code`` = the HTTP status) and leaves the other requests alone. Lines are
Anthropic message-batch result lines, or OpenAI batch output lines for the ``format=openai``
directive.
"""

from __future__ import annotations

import uuid
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any

from .behaviours import CacheOutcome, generate
from .billing import QUANTUM, SUMMED_FIELDS, CostBreakdown
from .catalog import MODELS, get_model
from .errors import SandboxError, bad_request, error_body
from .faults import fault_from_request, status_error
from .messages_api import from_messages, messages_body
from .routing import choose_provider
from .state import SandboxState
from .validation import validate_messages_api

if TYPE_CHECKING:
    from .batches import SandboxBatch

__all__ = ["DISCOUNT", "half_price", "result_line", "run_request"]

DISCOUNT = Decimal("0.5")


def half_price(cost: CostBreakdown) -> CostBreakdown:
    parts = {
        name: (value * DISCOUNT).quantize(QUANTUM, rounding=ROUND_HALF_EVEN)
        for name, value in cost.parts.items()
    }
    parts["prompt_cache_write_cost"] = (
        parts["prompt_cache_write_5_min"] + parts["prompt_cache_write_1_h"]
    )
    return CostBreakdown(sum((parts[n] for n in SUMMED_FIELDS), Decimal(0)), parts)


def _base_model(model_id: str) -> str:
    base = model_id.removesuffix("-batch")
    return base if base != model_id and base in MODELS else model_id


def result_line(
    batch: SandboxBatch, custom_id: str, rid: str, kind: str, payload: Any
) -> dict[str, Any]:
    """A result line in the batch's format (see the module docstring)."""
    if batch.directives.line_format == "openai":
        line: dict[str, Any] = {"id": f"batch_req_{rid[:24]}", "custom_id": custom_id}
        if kind == "succeeded":
            line.update(
                response={"status_code": 200, "request_id": rid, "body": payload}, error=None
            )
        elif kind == "errored":
            body = {"error": payload, "request_id": rid}
            line.update(
                response={"status_code": payload["code"], "request_id": rid, "body": body},
                error=None,
            )
        else:
            code = "batch_cancelled" if kind == "canceled" else "batch_expired"
            message = f"This request was not executed because the batch was {kind}."
            line.update(response=None, error={"code": code, "message": message})
        return line
    result: dict[str, Any] = {"type": kind}
    if kind == "succeeded":
        result["message"] = payload
    elif kind == "errored":
        result["error"] = {"type": "error", "error": payload, "request_id": rid}
    return {"custom_id": custom_id, "result": result}


def run_request(batch: SandboxBatch, index: int, state: SandboxState) -> None:
    entry = batch.requests[index]
    params = entry["params"]
    rid = uuid.uuid4().hex
    try:
        validate_messages_api(params)
        if params.get("stream"):
            raise bad_request("A batch request is never streamed: remove 'stream'.", "stream")
        req = from_messages(params)
        output = params.get("output_config")
        fmt = output.get("format") if isinstance(output, dict) else None
        if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
            req.response_format = {"type": "json_schema", "schema": fmt.get("schema") or {}}
        fault = fault_from_request({}, req.model)
        if fault is not None and fault.kind == "status" and fault.status is not None:
            raise status_error(fault.status, {})
        model = get_model(_base_model(req.model))
        prefs = params.get("provider")
        endpoint = choose_provider(
            model, prefs if isinstance(prefs, dict) else None, state.down_providers
        )
        result = generate(req, model, endpoint, CacheOutcome())
    except SandboxError as err:
        body = error_body(err.status, err.message, err.type, err.param, rid)["error"]
        batch.lines[index] = result_line(batch, entry["custom_id"], rid, "errored", body)
        batch.errored += 1
        return
    envelope = {
        "id": f"msg_{rid[:24]}",
        "model": req.model,
        "provider": result.provider,
        "request_id": rid,
    }
    body = messages_body(result, envelope, include_cost=False)
    cost = half_price(result.cost())
    if req.usage_include:
        fields = cost.fields()
        fields["cost_details"]["discount_rate"] = float(DISCOUNT)
        body.update(fields)
    state.charge(batch.api_key, cost.cost, rid)
    batch.spent += cost.cost
    batch.prompt_tokens += result.prompt_tokens
    batch.completion_tokens += result.completion_tokens
    batch.lines[index] = result_line(batch, entry["custom_id"], rid, "succeeded", body)
    batch.ok += 1
