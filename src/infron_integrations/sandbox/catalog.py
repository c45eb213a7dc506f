"""Models, upstream providers and prices known to the sandbox, read from ``catalog.json``.

The catalog is data, not code: ``catalog.json`` (next to this module) lists every model the
sandbox serves with the fields a gateway catalog carries: context length, maximum output tokens,
input and output modalities, the request parameters it supports, and the upstream providers
(endpoints) that serve it, each with its own prices (USD per token and per request, as decimal
strings), quantization, latency and throughput. Routing picks one endpoint and the request is
billed at that endpoint's prices; ``/v1/models`` lists the same entries (the model's prices are its
first endpoint's).

Like the gateway, the sandbox answers only the ids in its catalog: any other id is a 400
``invalid_request_error`` on ``param: "model"`` (the "invalid or missing params" row of the docs'
error table), raised by :func:`get_model`. Two ways around that, both for tests:

* ids of the form ``sandbox/fault-<kind>`` (see ``faults.py``): such a request fails or misbehaves
  on purpose, and when it does answer it is served like ``sandbox/echo`` by ``sandbox`` and
  ``sandbox-backup``;
* the request header ``x-infron-sandbox-any-model: true``: any id is served by a stand-in entry
  (providers: the id's author, then ``sandbox``; $1/M input and $2/M output tokens, $0.01/M for
  embeddings and rerank). It exists for clients that rewrite the id on the way out (LiteLLM's own
  ``openai/`` route sends ``gpt-4o-mini``), never for what a user of the gateway would see.

The Infron docs publish no schema for catalog entries, so ``/v1/models`` follows the
OpenAI-compatible catalog shape that gateways of this kind use (``architecture.input_modalities``,
``top_provider.max_completion_tokens``, ``supported_parameters``, ``pricing.request``). The values
are the model vendors' published limits, capabilities and list prices for the models the Infron
docs name, not figures read from Infron's live catalog; ``scripts/generate_profiles.py`` turns them
into the model profiles shipped with the LangChain adapter.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from .errors import SandboxError

PERCENTILES = ("p50", "p75", "p90", "p99")
CACHE_READ_MULTIPLIER = 0.1
"""Cache reads cost 0.1x the provider's input price."""
CACHE_WRITE_5M_MULTIPLIER = 1.25
"""5-minute cache writes cost 1.25x the input price."""
CACHE_WRITE_1H_MULTIPLIER = 2.0
"""1-hour cache writes cost 2x the input price."""
WEB_SEARCH_PRICE = {"low": 0.005, "medium": 0.01, "high": 0.02}
"""USD per web search request, by ``search_context_size`` (default ``medium``)."""
CREATED = 1_735_689_600  # 2025-01-01T00:00:00Z, the fixed ``created`` of every catalog model
FAULT_PREFIX = "sandbox/fault-"
"""Ids under this prefix choose a fault (``faults.py``) instead of naming a catalog model."""
ANY_MODEL_HEADER = "x-infron-sandbox-any-model"
"""Request header that makes the sandbox serve ids outside its catalog (tests only)."""
CATALOG_FILE = "catalog.json"

_LATENCY_FACTORS = {"p50": 1.0, "p75": 1.3, "p90": 1.8, "p99": 3.0}
_THROUGHPUT_FACTORS = {"p50": 1.0, "p75": 0.85, "p90": 0.7, "p99": 0.5}


@dataclass(frozen=True)
class ProviderEndpoint:
    """One upstream provider serving a model."""

    slug: str
    prompt_price: float
    completion_price: float
    quantization: str = "fp16"
    latency: float = 1.0
    """p50 latency in seconds; p75/p90/p99 are 1.3x/1.8x/3x."""
    throughput: float = 50.0
    """p50 throughput in tokens/s; p75/p90/p99 are 0.85x/0.7x/0.5x."""
    zdr: bool = False
    collects_data: bool = False
    request_price: float = 0.0
    """USD charged per request on top of the token prices."""

    def latency_at(self, percentile: str) -> float:
        return round(self.latency * _LATENCY_FACTORS[percentile], 4)

    def throughput_at(self, percentile: str) -> float:
        return round(self.throughput * _THROUGHPUT_FACTORS[percentile], 4)


@dataclass(frozen=True)
class ModelInfo:
    id: str
    name: str
    providers: tuple[ProviderEndpoint, ...]
    context_length: int = 128_000
    reasoning: bool = False
    """Reasons by default (reasoning is returned unless ``reasoning.effort`` is ``"none"``)."""
    kind: str = "chat"
    """``chat``, ``embedding`` or ``rerank``."""
    dimensions: int = 0
    """Default embedding size (embedding models only)."""
    distillable: bool = False
    inputs: tuple[str, ...] = ("text",)
    """Input modalities: ``text``, ``image``, ``file`` (PDF), ``audio``, ``video``."""
    outputs: tuple[str, ...] = ("text",)
    max_output: int = 16_384
    """Maximum completion tokens."""
    supported_parameters: tuple[str, ...] = ()
    """Request parameters the model supports (chat models only)."""
    owned_by: str = ""
    """The model's vendor, when the id has no ``vendor/`` prefix (``voyage-rerank-2.5``)."""

    @property
    def author(self) -> str:
        if self.owned_by:
            return self.owned_by
        return self.id.split("/", 1)[0] if "/" in self.id else "sandbox"

    @property
    def primary(self) -> ProviderEndpoint:
        return self.providers[0]


def _price(pricing: dict[str, Any], name: str) -> float:
    return float(pricing.get(name, "0"))


def _endpoint(entry: dict[str, Any]) -> ProviderEndpoint:
    pricing = entry["pricing"]
    return ProviderEndpoint(
        entry["provider"],
        _price(pricing, "prompt"),
        _price(pricing, "completion"),
        quantization=entry.get("quantization", "fp16"),
        latency=float(entry.get("latency_p50", 1.0)),
        throughput=float(entry.get("throughput_p50", 50.0)),
        zdr=bool(entry.get("zdr", False)),
        collects_data=bool(entry.get("collects_data", False)),
        request_price=_price(pricing, "request"),
    )


def model_from_entry(entry: dict[str, Any]) -> ModelInfo:
    """One ``catalog.json`` entry as a :class:`ModelInfo`."""
    kind = entry.get("type", "chat")
    return ModelInfo(
        entry["id"],
        entry["name"],
        tuple(_endpoint(e) for e in entry["endpoints"]),
        context_length=int(entry["context_length"]),
        reasoning=bool(entry.get("reasoning", False)),
        kind=kind,
        dimensions=int(entry.get("dimensions") or 0),
        distillable=bool(entry.get("distillable", False)),
        inputs=tuple(entry.get("input_modalities", ("text",))),
        outputs=tuple(entry.get("output_modalities", ("text",))),
        max_output=int(entry.get("max_output") or 0),
        supported_parameters=tuple(entry.get("supported_parameters", ())) if kind == "chat" else (),
        owned_by=entry.get("owned_by", ""),
    )


def load_catalog(text: str | None = None) -> dict[str, ModelInfo]:
    """The catalog by model id, from ``text`` or else the packaged ``catalog.json``."""
    if text is None:
        text = resources.files(__package__).joinpath(CATALOG_FILE).read_text(encoding="utf-8")
    models = [model_from_entry(e) for e in json.loads(text)["models"]]
    return {m.id: m for m in models}


MODELS: dict[str, ModelInfo] = load_catalog()


def _stand_in(model_id: str, kind: str) -> ModelInfo:
    """An entry for an id outside the catalog, with a backup provider to fail over to."""
    author = model_id.split("/", 1)[0] if "/" in model_id else "sandbox"
    backup = "sandbox-backup" if author == "sandbox" else "sandbox"
    prices = (1 / 1e6, 2 / 1e6) if kind == "chat" else (0.01 / 1e6, 0.0)
    echo = MODELS["sandbox/echo"]
    return ModelInfo(
        model_id,
        model_id,
        (
            ProviderEndpoint(author, *prices, latency=1.0, throughput=50.0),
            ProviderEndpoint(backup, *prices, latency=1.1, throughput=45.0),
        ),
        kind=kind,
        dimensions=256 if kind == "embedding" else 0,
        distillable=True,
        inputs=echo.inputs,
        supported_parameters=echo.supported_parameters if kind == "chat" else (),
    )


def unknown_model(model_id: str, kind: str = "chat") -> SandboxError:
    """The gateway's answer to an id it does not serve: 400 on ``param: "model"``."""
    noun = {"chat": "model", "embedding": "embedding model", "rerank": "rerank model"}[kind]
    return SandboxError(
        400,
        f"'{model_id}' is not a valid {noun} ID: list the available ids with GET /v1/models.",
        param="model",
    )


def get_model(model_id: str, kind: str = "chat", *, any_model: bool = False) -> ModelInfo:
    """The catalog entry for ``model_id`` serving ``kind`` requests.

    ``any_model`` (the :data:`ANY_MODEL_HEADER` header) serves ids outside the catalog with a
    stand-in entry instead of refusing them.

    Raises:
        SandboxError: 400 when the id is not in the catalog, or names a model of another kind
            (a chat model sent to ``/v1/embeddings``).
    """
    model = MODELS.get(model_id)
    if model is not None and model.kind == kind:
        return model
    if model_id.lower().startswith(FAULT_PREFIX) or (any_model and model is None):
        return _stand_in(model_id, kind)
    raise unknown_model(model_id, kind)


def price_string(value: float) -> str:
    """USD as a plain decimal string, e.g. ``3e-06`` -> ``"0.000003"``."""
    text = f"{value:.12f}".rstrip("0").rstrip(".")
    return text or "0"


def _endpoint_listing(p: ProviderEndpoint) -> dict[str, object]:
    return {
        "provider": p.slug,
        "quantization": p.quantization,
        "pricing": {
            "prompt": price_string(p.prompt_price),
            "completion": price_string(p.completion_price),
            "request": price_string(p.request_price),
        },
        "latency": {q: p.latency_at(q) for q in PERCENTILES},
        "throughput": {q: p.throughput_at(q) for q in PERCENTILES},
        "zdr": p.zdr,
    }


def model_listing(model: ModelInfo) -> dict[str, object]:
    """The ``/v1/models`` entry of one model."""
    primary = model.primary
    return {
        "id": model.id,
        "object": "model",
        "created": CREATED,
        "owned_by": model.author,
        "name": model.name,
        "context_length": model.context_length,
        "type": model.kind,
        "pricing": {
            "prompt": price_string(primary.prompt_price),
            "completion": price_string(primary.completion_price),
            "request": price_string(primary.request_price),
            "input_cache_read": price_string(primary.prompt_price * CACHE_READ_MULTIPLIER),
            "input_cache_write": price_string(primary.prompt_price * CACHE_WRITE_5M_MULTIPLIER),
        },
        "providers": [p.slug for p in model.providers],
        "endpoints": [_endpoint_listing(p) for p in model.providers],
        "supports_reasoning": model.reasoning,
        "dimensions": model.dimensions or None,
        "architecture": {
            "modality": f"{'+'.join(model.inputs)}->{'+'.join(model.outputs)}",
            "input_modalities": list(model.inputs),
            "output_modalities": list(model.outputs),
        },
        "top_provider": {
            "context_length": model.context_length,
            "max_completion_tokens": model.max_output if model.kind == "chat" else None,
        },
        "supported_parameters": list(model.supported_parameters),
    }
