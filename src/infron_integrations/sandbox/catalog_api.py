"""``GET /v1/models``, ``GET /v1/models/{id}``, ``GET /v1/balance`` and ``GET /health``.

The endpoints that read the catalog or the account rather than run a model.
"""

from __future__ import annotations

from starlette.responses import Response

from .catalog import MODELS, model_listing
from .errors import SandboxError
from .pipeline import JSON, Ctx


async def health(ctx: Ctx) -> Response:
    return JSON({"status": "ok", "request_id": ctx.request_id})


async def list_models(ctx: Ctx) -> Response:
    data = [model_listing(m) for m in MODELS.values()]
    return JSON({"object": "list", "data": data, "request_id": ctx.request_id})


async def get_model_detail(ctx: Ctx) -> Response:
    model_id = ctx.request.path_params["model_id"]
    if model_id not in MODELS:
        raise SandboxError(404, f"Model '{model_id}' not found.", param="model")
    return JSON({**model_listing(MODELS[model_id]), "request_id": ctx.request_id})


async def balance(ctx: Ctx) -> Response:
    remaining = float(ctx.state.balance(ctx.api_key))
    return JSON(
        {
            "account_name": ctx.config.account_name,
            "credit_balance": remaining,
            "request_id": ctx.request_id,
        }
    )
