"""The sandbox ASGI app (Starlette): the routes, assembled.

Each route's handler lives with its endpoint module; ``pipeline.py`` holds what they share
(authentication, body parsing, the request log, faults, scripts, routing and billing).
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import Route

from .batches import batch_routes
from .catalog_api import balance, get_model_detail, health, list_models
from .chat import chat_completions
from .config import SandboxConfig
from .embeddings import embeddings, rerank
from .messages_api import messages
from .pipeline import CHAT, EMBEDDINGS, MESSAGES, RERANK, RESPONSES, endpoint, http_error
from .responses_api import responses
from .search import routes as search_routes
from .search import with_deepsearch
from .state import SandboxState


def create_app(
    config: SandboxConfig | None = None, *, state: SandboxState | None = None
) -> Starlette:
    """Build a sandbox app. Its state is ``app.state.sandbox`` (a :class:`SandboxState`)."""
    state = state or SandboxState(config)
    routes = [
        Route("/health", endpoint(health, auth=False), methods=["GET"]),
        Route("/v1/models", endpoint(list_models), methods=["GET"]),
        Route("/v1/models/{model_id:path}", endpoint(get_model_detail), methods=["GET"]),
        Route("/v1/balance", endpoint(balance), methods=["GET"]),
        Route(CHAT, endpoint(with_deepsearch(chat_completions)), methods=["POST"]),
        Route(EMBEDDINGS, endpoint(embeddings), methods=["POST"]),
        Route(RERANK, endpoint(rerank), methods=["POST"]),
        Route(MESSAGES, endpoint(messages, x_api_key=True), methods=["POST"]),
        Route(RESPONSES, endpoint(responses), methods=["POST"]),
        *batch_routes(endpoint),
        *search_routes(endpoint),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error})
    app.state.sandbox = state
    return app


__all__ = ["create_app"]
