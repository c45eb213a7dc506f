"""The request pipeline every sandbox endpoint shares: log, authenticate, parse, answer.

Every response carries ``x-request-id`` equal to the body's ``request_id`` (chunks of a stream
carry it too). Errors use the documented shape ``{"error": {message, type, param, code}}`` with
HTTP status == code. The endpoint handlers live with their endpoint modules (``chat.py``,
``messages_api.py``, ``responses_api.py``, ``embeddings.py``, ``catalog_api.py``, ``batches.py``,
``search.py``); they share the steps below so that credit, faults, scripts, routing, caching and
billing work the same on every model endpoint.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from .behaviours import GenResult, blank, generate
from .catalog import ANY_MODEL_HEADER, ModelInfo, get_model
from .config import SandboxConfig
from .errors import SandboxConnectionDropped, SandboxError, error_body
from .faults import DOWN_HEADER, apply_fault, fault_from_request
from .normalize import GenRequest
from .routing import choose_provider
from .state import RecordedRequest, SandboxState, ScriptedError, redact_headers
from .streaming import DONE, DroppingJSONResponse, FrameResponse, dumps, sse_data, sse_event
from .validation import json_depth_ok

logger = logging.getLogger("infron_integrations.sandbox")

CHAT = "/v1/chat/completions"
MESSAGES = "/v1/messages"
RESPONSES = "/v1/responses"
EMBEDDINGS = "/v1/embeddings"
RERANK = "/v1/rerank"


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

    def model(self, model_id: str, kind: str = "chat") -> ModelInfo:
        """The catalog entry for ``model_id``, or the gateway's 400 for an id it does not serve."""
        any_model = self.headers.get(ANY_MODEL_HEADER, "").strip().lower() == "true"
        return get_model(model_id, kind, any_model=any_model)

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


def endpoint(handler: Handler, *, auth: bool = True, x_api_key: bool = False) -> Any:
    """The Starlette endpoint running ``handler`` after logging, authentication and parsing."""

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


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own errors (no route, wrong method) in the documented error shape."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    rid = uuid.uuid4().hex
    message = str(getattr(exc, "detail", "")) or "Error"
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


# -- steps shared by the model endpoints --------------------------------------------------------
def ensure_credit(ctx: Ctx) -> None:
    if ctx.state.balance(ctx.api_key) <= 0:
        raise SandboxError(402)


StreamOf = Callable[[dict[str, Any]], list[str]]
"""Turns a scripted non-stream body into the frames of the same answer streamed."""


def scripted(ctx: Ctx, path: str, model: str, stream_of: StreamOf | None = None) -> Response | None:
    """The next scripted answer for ``path``/``model``, if a test scripted one."""
    script = ctx.state.take_script(path, model)
    if script is None:
        return None
    if isinstance(script, ScriptedError):
        raise SandboxError(
            script.status,
            script.message,
            param=script.param,
            type=script.type,
            headers=script.headers,
        )
    if isinstance(script, list):
        return FrameResponse(_script_frames(path, script))
    body = {**script}
    body.setdefault("request_id", ctx.request_id)
    stream = isinstance(ctx.body, dict) and ctx.body.get("stream") is True
    if stream and stream_of is not None:
        return FrameResponse(stream_of(body))
    return JSON(body)


def _script_frames(path: str, chunks: list[dict[str, Any]]) -> list[str]:
    if path == CHAT:
        return [*(sse_data(c) for c in chunks), DONE]
    return [sse_event(str(c.get("type", "message")), c) for c in chunks]


async def run_model(
    ctx: Ctx, path: str, req: GenRequest, prefs: Any, *, any_part_cache: bool = False
) -> tuple[GenResult, str | None]:
    """Credit, fault, routing, cache and generation of one model request; charges its cost."""
    ensure_credit(ctx)
    mode = await apply_fault(
        fault_from_request(ctx.headers, req.model), ctx.state, ctx.headers, ctx.raw, path
    )
    model = ctx.model(req.model)
    route = choose_provider(model, prefs if isinstance(prefs, dict) else None, ctx.down())
    cache = ctx.state.cache.apply(
        ctx.api_key,
        req,
        min_tokens=ctx.config.min_cache_tokens,
        implicit_min_tokens=ctx.config.implicit_cache_min_tokens,
        any_part=any_part_cache,
    )
    result = generate(req, model, route, cache)
    if mode in ("empty-200", "error-in-200"):
        blank(result)
    ctx.state.charge(ctx.api_key, result.cost().cost, ctx.request_id)
    return result, mode


def stream(ctx: Ctx, frames: list[str]) -> FrameResponse:
    return FrameResponse(frames, delay=ctx.config.stream_delay)


def finish_json(body: dict[str, Any], mode: str | None) -> Response:
    """A JSON answer, broken on purpose when the request asked for a transport fault."""
    if mode == "drop-mid-stream":
        return DroppingJSONResponse(body)
    if mode == "malformed-sse":
        return Response(dumps(body)[: len(dumps(body)) // 2], media_type="application/json")
    return JSON(body)
