"""The sandbox ASGI app (Starlette): routes, authentication and the request pipeline.

Every response carries ``x-request-id`` equal to the body's ``request_id`` (chunks of a stream
carry it too). Errors use the documented shape ``{"error": {message, type, param, code}}`` with
HTTP status == code.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .batches import batch_routes
from .behaviours import GenResult, generate
from .billing import compute_cost
from .caching import breakpoints
from .catalog import MODELS, get_model, model_listing
from .chat import blank, chat_body
from .config import SandboxConfig
from .embeddings import (
    embedding_inputs,
    embeddings_data,
    prompt_tokens,
    rerank_results,
    validate_embeddings,
    validate_rerank,
)
from .errors import SandboxConnectionDropped, SandboxError, error_body
from .faults import DOWN_HEADER, apply_fault, fault_from_request
from .messages_api import (
    from_messages,
    messages_body,
    messages_body_to_events,
    messages_stream_frames,
)
from .normalize import GenRequest, from_chat
from .reasoning_details import check_chat_replay, check_responses_replay
from .responses_api import (
    from_responses,
    response_body,
    response_body_to_events,
    responses_stream_frames,
)
from .routing import choose_provider
from .search import routes as search_routes
from .search import with_deepsearch
from .state import RecordedRequest, SandboxState, ScriptedError, redact_headers
from .streaming import (
    DONE,
    DroppingJSONResponse,
    FrameResponse,
    chat_body_to_chunks,
    chat_stream_frames,
    dumps,
    sse_data,
    sse_event,
)
from .validation import (
    json_depth_ok,
    validate_chat,
    validate_messages_api,
    validate_model,
    validate_provider,
    validate_responses,
    validate_usage,
)

logger = logging.getLogger("infron_integrations.sandbox")

CHAT = "/v1/chat/completions"
MESSAGES = "/v1/messages"
RESPONSES = "/v1/responses"
EMBEDDINGS = "/v1/embeddings"
RERANK = "/v1/rerank"
SYSTEM_FINGERPRINT = "fp_infron_sandbox"


class JSON(JSONResponse):
    def render(self, content: Any) -> bytes:
        return dumps(content).encode("utf-8")


@dataclass
class Ctx:
    request: Request
    state: SandboxState
    request_id: str
    headers: dict[str, str]
    api_key: str = ""
    body: Any = None
    raw: bytes = b""

    @property
    def config(self) -> SandboxConfig:
        return self.state.config

    def down(self) -> set[str]:
        header = {p.strip().lower() for p in self.headers.get(DOWN_HEADER, "").split(",")}
        return (
            {p for p in header if p} | self.state.down_providers | set(self.config.down_providers)
        )


Handler = Callable[[Ctx], Awaitable[Response]]


def _authenticate(headers: dict[str, str], config: SandboxConfig, allow_x_api_key: bool) -> str:
    auth = headers.get("authorization", "")
    key = ""
    if auth:
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise SandboxError(401, "Invalid Authorization header: expected 'Bearer <API key>'.")
        key = token.strip()
    elif allow_x_api_key and headers.get("x-api-key"):
        key = headers["x-api-key"].strip()
    if not key:
        hint = " or x-api-key" if allow_x_api_key else ""
        raise SandboxError(401, f"Missing API key: send an 'Authorization: Bearer' header{hint}.")
    if key not in config.api_keys and key not in config.out_of_credit_keys:
        raise SandboxError(401, "Invalid API key.")
    return key


async def _read_body(request: Request, limit: int) -> bytes:
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit:
        raise SandboxError(413, f"Request body too large (limit {limit} bytes).")
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise SandboxError(413, f"Request body too large (limit {limit} bytes).")
        chunks.append(chunk)
    return b"".join(chunks)


def _reject_constant(name: str) -> Any:
    # Python's json accepts NaN/Infinity/-Infinity; JSON (RFC 8259) and the gateway do not
    raise ValueError(f"{name} is not valid JSON (RFC 8259 has no NaN or Infinity)")


def _parse_json(raw: bytes, content_type: str) -> dict[str, Any]:
    if "json" not in content_type.lower():
        raise SandboxError(
            400, f"Unsupported Content-Type {content_type or '(none)'!r}: send application/json."
        )
    try:
        body = json.loads(raw, parse_constant=_reject_constant)
    except RecursionError:
        raise SandboxError(400, "Request JSON is nested too deeply.") from None
    except ValueError as exc:
        raise SandboxError(400, f"Invalid JSON in request body: {exc}") from None
    if not isinstance(body, dict):
        raise SandboxError(400, "The request body must be a JSON object.")
    if not json_depth_ok(body):
        raise SandboxError(400, "Request JSON is nested too deeply.")
    return body


def _endpoint(handler: Handler, *, auth: bool = True, x_api_key: bool = False) -> Any:
    async def run(request: Request) -> Response:
        state: SandboxState = request.app.state.sandbox
        rid = uuid.uuid4().hex
        headers = {k.lower(): v for k, v in request.headers.items()}
        entry = state.record(
            RecordedRequest(
                request.method,
                request.url.path,
                redact_headers(request.headers),
                None,
                query=request.url.query,
                request_id=rid,
            )
        )
        ctx = Ctx(request, state, rid, headers)
        try:
            if request.method == "POST":
                ctx.raw = await _read_body(request, state.config.max_body_bytes)
                entry.body = ctx.raw[:65536].decode("utf-8", "replace")
            if auth:
                ctx.api_key = _authenticate(headers, state.config, x_api_key)
            if request.method == "POST":
                ctx.body = entry.body = _parse_json(ctx.raw, headers.get("content-type", ""))
            response = await handler(ctx)
        except SandboxError as err:
            response = JSON(err.body(rid), err.status, err.headers)
        except SandboxConnectionDropped:
            entry.status = 200
            raise
        except ClientDisconnect:
            # the client went away before its body arrived: nobody to answer; logged as 499
            # (the status proxies use for it) instead of a server traceback
            entry.status = 499
            return Response(status_code=499)
        except RecursionError:
            response = JSON(
                error_body(
                    400, "Request JSON is nested too deeply.", "invalid_request_error", None, rid
                ),
                400,
            )
        except Exception:  # pragma: no cover - a bug; still answer in the documented shape
            logger.exception("sandbox handler failed")
            response = JSON(
                error_body(500, "Internal sandbox error", "internal_error", None, rid), 500
            )
        entry.status = response.status_code
        response.headers["x-request-id"] = rid
        return response

    return run


# -- shared pipeline ---------------------------------------------------------------------------
def _ensure_credit(ctx: Ctx) -> None:
    if ctx.state.balance(ctx.api_key) <= 0:
        raise SandboxError(402)


def _scripted(ctx: Ctx, path: str, model: str) -> Response | None:
    scripted = ctx.state.take_script(path, model)
    if scripted is None:
        return None
    if isinstance(scripted, ScriptedError):
        raise SandboxError(
            scripted.status,
            scripted.message,
            param=scripted.param,
            type=scripted.type,
            headers=scripted.headers,
        )
    stream = isinstance(ctx.body, dict) and ctx.body.get("stream") is True
    if isinstance(scripted, list):
        return FrameResponse(_script_frames(path, scripted))
    body = {**scripted}
    body.setdefault("request_id", ctx.request_id)
    if not stream or path not in (CHAT, MESSAGES, RESPONSES):
        return JSON(body)
    if path == CHAT:
        return FrameResponse(_script_frames(path, chat_body_to_chunks(body)))
    if path == MESSAGES:
        return FrameResponse([sse_event(n, d) for n, d in messages_body_to_events(body)])
    return FrameResponse([sse_event(e["type"], e) for e in response_body_to_events(body)])


def _script_frames(path: str, chunks: list[dict[str, Any]]) -> list[str]:
    if path == CHAT:
        return [*(sse_data(c) for c in chunks), DONE]
    return [sse_event(str(c.get("type", "message")), c) for c in chunks]


async def _run_model(
    ctx: Ctx, path: str, req: GenRequest, prefs: Any, *, any_part_cache: bool = False
) -> tuple[GenResult, str | None]:
    _ensure_credit(ctx)
    mode = await apply_fault(
        fault_from_request(ctx.headers, req.model), ctx.state, ctx.headers, ctx.raw, path
    )
    model = get_model(req.model)
    endpoint = choose_provider(model, prefs if isinstance(prefs, dict) else None, ctx.down())
    cache = ctx.state.cache.apply(
        ctx.api_key,
        req,
        min_tokens=ctx.config.min_cache_tokens,
        implicit_min_tokens=ctx.config.implicit_cache_min_tokens,
        any_part=any_part_cache,
    )
    result = generate(req, model, endpoint, cache)
    if mode in ("empty-200", "error-in-200"):
        blank(result)
    ctx.state.charge(ctx.api_key, result.cost().cost, ctx.request_id)
    return result, mode


def _stream(ctx: Ctx, frames: list[str]) -> FrameResponse:
    return FrameResponse(frames, delay=ctx.config.stream_delay)


# -- endpoints ---------------------------------------------------------------------------------
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


async def chat_completions(ctx: Ctx) -> Response:
    body = ctx.body
    validate_chat(body)
    check_chat_replay(body["messages"], ctx.headers)
    req = from_chat(body)
    breakpoints(req, "")  # more than 4 cache breakpoints is a 400
    scripted = _scripted(ctx, CHAT, req.model)
    if scripted is not None:
        return scripted
    result, mode = await _run_model(ctx, CHAT, req, body.get("provider"))
    envelope = {
        "id": f"gen-{ctx.request_id[:24]}",
        "object": "chat.completion.chunk" if req.stream else "chat.completion",
        "created": int(time.time()),
        "model": req.model,
        "provider": result.provider,
        "system_fingerprint": SYSTEM_FINGERPRINT,
        "request_id": ctx.request_id,
    }
    if req.stream:
        frames = chat_stream_frames(
            result,
            envelope,
            include_usage=req.include_usage_chunk,
            include_cost=req.usage_include,
            mode=mode,
            keepalive_every=ctx.config.keepalive_every,
        )
        return _stream(ctx, frames)
    out = chat_body(result, envelope, include_cost=req.usage_include, mode=mode)
    return _finish_json(out, mode)


def _finish_json(body: dict[str, Any], mode: str | None) -> Response:
    if mode == "drop-mid-stream":
        return DroppingJSONResponse(body)
    if mode == "malformed-sse":
        return Response(dumps(body)[: len(dumps(body)) // 2], media_type="application/json")
    return JSON(body)


async def messages(ctx: Ctx) -> Response:
    body = ctx.body
    validate_messages_api(body)
    req = from_messages(body)
    breakpoints(req, "", any_part=True)
    scripted = _scripted(ctx, MESSAGES, req.model)
    if scripted is not None:
        return scripted
    result, mode = await _run_model(ctx, MESSAGES, req, body.get("provider"), any_part_cache=True)
    envelope = {
        "id": f"msg_{ctx.request_id[:24]}",
        "model": req.model,
        "provider": result.provider,
        "request_id": ctx.request_id,
    }
    if req.stream:
        out = messages_body(result, envelope, include_cost=req.usage_include)
        return _stream(
            ctx, messages_stream_frames(out, mode=mode, keepalive_every=ctx.config.keepalive_every)
        )
    return _finish_json(
        messages_body(result, envelope, include_cost=req.usage_include, mode=mode), mode
    )


async def responses(ctx: Ctx) -> Response:
    body = ctx.body
    validate_responses(body)
    check_responses_replay(body["input"], ctx.headers)
    req = from_responses(body)
    breakpoints(req, "")
    scripted = _scripted(ctx, RESPONSES, req.model)
    if scripted is not None:
        return scripted
    result, mode = await _run_model(ctx, RESPONSES, req, body.get("provider"))
    envelope = {
        "id": f"resp_{ctx.request_id[:24]}",
        "created_at": int(time.time()),
        "model": req.model,
        "provider": result.provider,
        "request_id": ctx.request_id,
    }
    if req.stream:
        out = response_body(result, envelope, body, include_cost=req.usage_include)
        return _stream(
            ctx, responses_stream_frames(out, mode=mode, keepalive_every=ctx.config.keepalive_every)
        )
    return _finish_json(
        response_body(result, envelope, body, include_cost=req.usage_include, mode=mode), mode
    )


async def _simple_model_call(ctx: Ctx, path: str, kind: str) -> tuple[Any, str | None, Any]:
    """Common steps of embeddings and rerank: validation of model, script, credit, fault."""
    body = ctx.body
    model_id = body["model"]
    _ensure_credit(ctx)
    mode = await apply_fault(
        fault_from_request(ctx.headers, model_id), ctx.state, ctx.headers, ctx.raw, path
    )
    model = get_model(model_id, kind)
    endpoint = choose_provider(
        model, body.get("provider") if isinstance(body.get("provider"), dict) else None, ctx.down()
    )
    return model, mode, endpoint


def _require_model(body: dict[str, Any]) -> None:
    validate_model(body)
    if body.get("provider") is not None:
        validate_provider(body["provider"])
    if body.get("usage") is not None:
        validate_usage(body["usage"])


def _usage_extra(ctx: Ctx, endpoint: Any, tokens: int) -> dict[str, Any]:
    cost = compute_cost(
        prompt_price=endpoint.prompt_price,
        completion_price=0.0,
        prompt_tokens=tokens,
        completion_tokens=0,
    )
    ctx.state.charge(ctx.api_key, cost.cost, ctx.request_id)
    usage = ctx.body.get("usage")
    return cost.fields() if isinstance(usage, dict) and usage.get("include") is True else {}


async def embeddings(ctx: Ctx) -> Response:
    body = ctx.body
    _require_model(body)
    validate_embeddings(body)
    texts = embedding_inputs(body["input"])
    scripted = _scripted(ctx, EMBEDDINGS, body["model"])
    if scripted is not None:
        return scripted
    model, mode, endpoint = await _simple_model_call(ctx, EMBEDDINGS, "embedding")
    dims = body.get("dimensions") or model.dimensions or 256
    tokens = prompt_tokens(texts)
    data = (
        []
        if mode in ("empty-200", "error-in-200", "error-in-stream")
        else embeddings_data(texts, dims, body.get("encoding_format") or "float")
    )
    out: dict[str, Any] = {
        "id": f"emb-{ctx.request_id[:24]}",
        "object": "list",
        "data": data,
        "model": model.id,
        "provider": endpoint.slug,
        "usage": {"prompt_tokens": tokens, "completion_tokens": 0, "total_tokens": tokens},
        "request_id": ctx.request_id,
        **_usage_extra(ctx, endpoint, tokens),
    }
    if mode in ("error-in-200", "error-in-stream"):
        out["error"] = {"code": 502, "message": "Upstream provider error (sandbox fault)"}
    return _finish_json(out, mode)


async def rerank(ctx: Ctx) -> Response:
    body = ctx.body
    _require_model(body)
    docs = validate_rerank(body)
    scripted = _scripted(ctx, RERANK, body["model"])
    if scripted is not None:
        return scripted
    model, mode, endpoint = await _simple_model_call(ctx, RERANK, "rerank")
    tokens = prompt_tokens([body["query"], *docs])
    results = (
        []
        if mode in ("empty-200", "error-in-200", "error-in-stream")
        else rerank_results(
            body["query"], docs, body.get("top_n"), body.get("return_documents") is True
        )
    )
    out: dict[str, Any] = {
        "id": f"rerank-{ctx.request_id[:24]}",
        "model": model.id,
        "provider": endpoint.slug,
        "results": results,
        "usage": {"prompt_tokens": tokens, "completion_tokens": 0, "total_tokens": tokens},
        "request_id": ctx.request_id,
        **_usage_extra(ctx, endpoint, tokens),
    }
    if mode in ("error-in-200", "error-in-stream"):
        out["error"] = {"code": 502, "message": "Upstream provider error (sandbox fault)"}
    return _finish_json(out, mode)


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    rid = uuid.uuid4().hex
    message = "Not found" if status == 404 else str(getattr(exc, "detail", "")) or "Error"
    if status == 404:
        message = f"No route for {request.method} {request.url.path}"
    state: SandboxState = request.app.state.sandbox
    state.record(
        RecordedRequest(
            request.method,
            request.url.path,
            redact_headers(request.headers),
            None,
            status=status,
            query=request.url.query,
            request_id=rid,
        )
    )
    return JSON(
        error_body(
            status,
            message,
            "invalid_request_error" if status != 404 else "not_found_error",
            None,
            rid,
        ),
        status,
        headers={"x-request-id": rid},
    )


def create_app(
    config: SandboxConfig | None = None, *, state: SandboxState | None = None
) -> Starlette:
    """Build a sandbox app. Its state is ``app.state.sandbox`` (a :class:`SandboxState`)."""
    state = state or SandboxState(config)
    routes = [
        Route("/health", _endpoint(health, auth=False), methods=["GET"]),
        Route("/v1/models", _endpoint(list_models), methods=["GET"]),
        Route("/v1/models/{model_id:path}", _endpoint(get_model_detail), methods=["GET"]),
        Route("/v1/balance", _endpoint(balance), methods=["GET"]),
        Route(CHAT, _endpoint(with_deepsearch(chat_completions)), methods=["POST"]),
        Route(EMBEDDINGS, _endpoint(embeddings), methods=["POST"]),
        Route(RERANK, _endpoint(rerank), methods=["POST"]),
        Route(MESSAGES, _endpoint(messages, x_api_key=True), methods=["POST"]),
        Route(RESPONSES, _endpoint(responses), methods=["POST"]),
        *batch_routes(_endpoint),
        *search_routes(_endpoint),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: _http_error})
    app.state.sandbox = state
    return app


__all__ = ["create_app"]
