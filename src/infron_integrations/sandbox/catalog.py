"""Models, upstream providers and prices known to the sandbox.

Prices are USD per token. Every model lists the upstream providers (endpoints) that serve it,
each with its own price, quantization, latency and throughput percentiles; routing picks one and
the request is billed at that provider's price. Unknown model ids get a default entry (see
:func:`get_model`), so any id, including ids with slashes, is accepted.

Each chat model also carries what a client needs to know about it (its model profile): input and
output modalities, maximum output tokens and the request parameters it supports, served by
``/v1/models`` as ``architecture``, ``top_provider`` and ``supported_parameters``. The Infron docs
publish no schema for catalog entries, so these fields follow the OpenAI-compatible catalog shape
that gateways of this kind use (``architecture.input_modalities``,
``top_provider.max_completion_tokens``, ``supported_parameters``). The values are the model
vendors' published limits and capabilities for the models the Infron docs name, not figures read
from Infron's live catalog; ``scripts/generate_profiles.py`` turns them into the model profiles
shipped with the LangChain adapter.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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

#: what an OpenAI-compatible chat model takes (``supported_parameters`` of the catalog)
CHAT_PARAMETERS = (
    "max_tokens", "temperature", "top_p", "stop", "seed", "frequency_penalty",
    "presence_penalty", "response_format", "structured_outputs", "tools", "tool_choice",
)  # fmt: skip
REASONING_PARAMETERS = ("reasoning", "include_reasoning")
#: vendors whose models take images and PDF files next to text
_VISION = ("text", "image", "file")
_ANTHROPIC = (
    "max_tokens", "temperature", "top_p", "top_k", "stop", "tools", "tool_choice",
    "response_format", "structured_outputs", *REASONING_PARAMETERS,
)  # fmt: skip
# OpenAI's reasoning models take no sampling parameters (temperature, top_p)
_OPENAI_REASONING = (
    "max_tokens", "seed", "response_format", "structured_outputs", "tools", "tool_choice",
    *REASONING_PARAMETERS,
)  # fmt: skip
_GOOGLE = (*CHAT_PARAMETERS, *REASONING_PARAMETERS)
# open-weight models behind several providers: JSON mode, but no strict json_schema outputs
_OPEN_WEIGHTS = (
    "max_tokens", "temperature", "top_p", "stop", "seed", "frequency_penalty",
    "presence_penalty", "response_format", "tools", "tool_choice",
)  # fmt: skip
_ALL_INPUTS = ("text", "image", "file", "audio", "video")


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

    def latency_at(self, percentile: str) -> float:
        return round(self.latency * {"p50": 1.0, "p75": 1.3, "p90": 1.8, "p99": 3.0}[percentile], 4)

    def throughput_at(self, percentile: str) -> float:
        factor = {"p50": 1.0, "p75": 0.85, "p90": 0.7, "p99": 0.5}[percentile]
        return round(self.throughput * factor, 4)


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
    known: bool = True
    extra: dict[str, str] = field(default_factory=dict)
    inputs: tuple[str, ...] = ("text",)
    """Input modalities: ``text``, ``image``, ``file`` (PDF), ``audio``, ``video``."""
    outputs: tuple[str, ...] = ("text",)
    max_output: int = 16_384
    """Maximum completion tokens."""
    parameters: tuple[str, ...] = ()
    """Request parameters the model supports; empty means :data:`CHAT_PARAMETERS` for chat
    models (plus ``reasoning`` for reasoning models)."""

    @property
    def supported_parameters(self) -> tuple[str, ...]:
        if self.kind != "chat":
            return ()
        if self.parameters:
            return self.parameters
        return CHAT_PARAMETERS + (REASONING_PARAMETERS if self.reasoning else ())

    @property
    def author(self) -> str:
        return self.id.split("/", 1)[0] if "/" in self.id else "sandbox"

    @property
    def primary(self) -> ProviderEndpoint:
        return self.providers[0]


def _p(
    slug: str,
    prompt: float,
    completion: float,
    *,
    quantization: str = "fp16",
    latency: float = 1.0,
    throughput: float = 50.0,
    zdr: bool = False,
    collects_data: bool = False,
) -> ProviderEndpoint:
    """Provider endpoint with prices given in USD per million tokens."""
    return ProviderEndpoint(
        slug,
        prompt / 1e6,
        completion / 1e6,
        quantization=quantization,
        latency=latency,
        throughput=throughput,
        zdr=zdr,
        collects_data=collects_data,
    )


_MODELS: list[ModelInfo] = [
    ModelInfo(
        "anthropic/claude-sonnet-4.5",
        "Anthropic: Claude Sonnet 4.5",
        (
            _p("anthropic", 3, 15, latency=1.2, throughput=60, zdr=True),
            _p("amazon-bedrock", 3.3, 16.5, latency=0.9, throughput=80, zdr=True),
            _p("google-vertex", 3.15, 15.75, latency=1.5, throughput=95, collects_data=True),
        ),
        context_length=1_000_000,
        inputs=_VISION,
        max_output=64_000,
        parameters=_ANTHROPIC,
    ),
    ModelInfo(
        "anthropic/claude-haiku-4.5",
        "Anthropic: Claude Haiku 4.5",
        (
            _p("anthropic", 1, 5, latency=0.6, throughput=120, zdr=True),
            _p("amazon-bedrock", 1.1, 5.5, latency=0.7, throughput=110, zdr=True),
        ),
        context_length=200_000,
        inputs=_VISION,
        max_output=64_000,
        parameters=_ANTHROPIC,
    ),
    ModelInfo(
        "anthropic/claude-opus-4.6",
        "Anthropic: Claude Opus 4.6",
        (
            _p("anthropic", 5, 25, latency=1.8, throughput=40, zdr=True),
            _p("google-vertex", 5, 25, latency=2.0, throughput=45),
        ),
        context_length=1_000_000,
        inputs=_VISION,
        max_output=128_000,
        parameters=_ANTHROPIC,
    ),
    ModelInfo(
        "openai/gpt-4o-mini",
        "OpenAI: GPT-4o-mini",
        (
            _p("openai", 0.15, 0.6, latency=0.5, throughput=90),
            _p("azure", 0.165, 0.66, latency=0.45, throughput=100, zdr=True),
        ),
        inputs=_VISION,
        parameters=(*CHAT_PARAMETERS, "logprobs", "top_logprobs", "logit_bias"),
    ),
    ModelInfo(
        "openai/gpt-4o",
        "OpenAI: GPT-4o",
        (
            _p("openai", 2.5, 10, latency=0.7, throughput=80),
            _p("azure", 2.75, 11, latency=0.6, throughput=85, zdr=True),
        ),
        inputs=_VISION,
        parameters=(*CHAT_PARAMETERS, "logprobs", "top_logprobs", "logit_bias"),
    ),
    ModelInfo(
        "openai/gpt-5-mini",
        "OpenAI: GPT-5 Mini",
        (
            _p("openai", 0.25, 2, latency=2.5, throughput=70),
            _p("azure", 0.275, 2.2, latency=2.2, throughput=75, zdr=True),
        ),
        context_length=400_000,
        reasoning=True,
        inputs=_VISION,
        max_output=128_000,
        parameters=_OPENAI_REASONING,
    ),
    ModelInfo(
        "openai/o4-mini",
        "OpenAI: o4 Mini",
        (
            _p("openai", 1.1, 4.4, latency=3.0, throughput=85),
            _p("azure", 1.21, 4.84, latency=2.8, throughput=90, zdr=True),
        ),
        context_length=200_000,
        reasoning=True,
        inputs=_VISION,
        max_output=100_000,
        parameters=_OPENAI_REASONING,
    ),
    ModelInfo(
        "google/gemini-2.5-flash",
        "Google: Gemini 2.5 Flash",
        (
            _p("google-ai-studio", 0.3, 2.5, latency=0.6, throughput=150),
            _p("google-vertex", 0.33, 2.75, latency=0.5, throughput=140, zdr=True),
        ),
        context_length=1_048_576,
        inputs=_ALL_INPUTS,
        max_output=65_535,
        parameters=_GOOGLE,
    ),
    ModelInfo(
        "google/gemini-2.5-pro",
        "Google: Gemini 2.5 Pro",
        (
            _p("google-ai-studio", 1.25, 10, latency=2.5, throughput=90),
            _p("google-vertex", 1.25, 10, latency=2.3, throughput=85, zdr=True),
        ),
        context_length=1_048_576,
        reasoning=True,
        inputs=_ALL_INPUTS,
        max_output=65_536,
        parameters=_GOOGLE,
    ),
    ModelInfo(
        "google/gemini-3-flash-preview",
        "Google: Gemini 3 Flash Preview",
        (
            _p("google-ai-studio", 0.5, 3, latency=0.8, throughput=160),
            _p("google-vertex", 0.5, 3, latency=0.9, throughput=150, zdr=True),
        ),
        context_length=1_048_576,
        inputs=_ALL_INPUTS,
        max_output=65_536,
        parameters=_GOOGLE,
    ),
    ModelInfo(
        "deepseek/deepseek-r1",
        "DeepSeek: R1",
        (
            _p(
                "deepseek",
                0.55,
                2.19,
                quantization="fp8",
                latency=2.0,
                throughput=30,
                collects_data=True,
            ),
            _p("novita", 0.7, 2.5, quantization="fp16", latency=1.6, throughput=35),
            _p("deepinfra", 0.5, 2.15, quantization="int8", latency=1.4, throughput=45),
            _p("together", 3.0, 7.0, quantization="fp8", latency=0.8, throughput=90, zdr=True),
        ),
        context_length=163_840,
        reasoning=True,
        distillable=True,
        max_output=65_536,
        parameters=(*_OPEN_WEIGHTS, *REASONING_PARAMETERS),
    ),
    ModelInfo(
        "deepseek/deepseek-v3.2",
        "DeepSeek: V3.2",
        (
            _p(
                "deepseek",
                0.28,
                0.42,
                quantization="fp8",
                latency=1.2,
                throughput=40,
                collects_data=True,
            ),
            _p("novita", 0.27, 0.41, quantization="fp8", latency=1.0, throughput=45),
            _p("deepinfra", 0.26, 0.39, quantization="int4", latency=0.9, throughput=60),
        ),
        context_length=163_840,
        distillable=True,
        max_output=65_536,
        parameters=(*_OPEN_WEIGHTS, *REASONING_PARAMETERS),
    ),
    ModelInfo(
        "meta-llama/llama-3.3-70b-instruct",
        "Meta: Llama 3.3 70B Instruct",
        (
            _p("together", 0.88, 0.88, quantization="fp8", latency=0.5, throughput=120),
            _p("deepinfra", 0.23, 0.4, quantization="int4", latency=0.7, throughput=70),
            _p("groq", 0.59, 0.79, quantization="fp16", latency=0.2, throughput=300),
        ),
        context_length=131_072,
        distillable=True,
        parameters=_OPEN_WEIGHTS,
    ),
    ModelInfo(
        "qwen/qwen3-coder-plus",
        "Qwen: Qwen3 Coder Plus",
        (_p("alibaba", 1, 5, latency=1.0, throughput=70),),
        context_length=1_000_000,
        max_output=65_536,
        parameters=_OPEN_WEIGHTS,
    ),
    ModelInfo(
        "x-ai/grok-4.1-fast-reasoning",
        "xAI: Grok 4.1 Fast Reasoning",
        (_p("xai", 0.2, 0.5, latency=0.9, throughput=110),),
        context_length=2_000_000,
        reasoning=True,
        inputs=("text", "image"),
        max_output=30_000,
        parameters=(*CHAT_PARAMETERS, *REASONING_PARAMETERS),
    ),
    ModelInfo(
        "z-ai/glm-5",
        "Z.AI: GLM 5",
        (
            _p("z-ai", 0.6, 2.2, latency=1.2, throughput=60),
            _p("novita", 0.6, 2.2, quantization="fp8", latency=1.3, throughput=55),
        ),
        reasoning=True,
        distillable=True,
        context_length=202_752,
        max_output=131_072,
        parameters=(*_OPEN_WEIGHTS, *REASONING_PARAMETERS),
    ),
    ModelInfo(
        "sandbox/echo",
        "Sandbox: Echo",
        (_p("sandbox", 1, 2),),
        distillable=True,
        inputs=_ALL_INPUTS,
    ),
    ModelInfo(
        "sandbox/reasoning",
        "Sandbox: Reasoning",
        (_p("sandbox", 1, 4),),
        reasoning=True,
        distillable=True,
        inputs=_ALL_INPUTS,
    ),
    ModelInfo(
        "sandbox/free",
        "Sandbox: Free",
        (_p("sandbox", 0, 0),),
        distillable=True,
        inputs=_ALL_INPUTS,
    ),
    # Embedding models
    ModelInfo(
        "openai/text-embedding-3-small",
        "OpenAI: Text Embedding 3 Small",
        (_p("openai", 0.02, 0),),
        context_length=8192,
        kind="embedding",
        dimensions=1536,
    ),
    ModelInfo(
        "openai/text-embedding-3-large",
        "OpenAI: Text Embedding 3 Large",
        (_p("openai", 0.13, 0),),
        context_length=8192,
        kind="embedding",
        dimensions=3072,
    ),
    ModelInfo(
        "qwen/qwen3-embedding-0.6b",
        "Qwen: Qwen3 Embedding 0.6B",
        (_p("novita", 0.01, 0), _p("deepinfra", 0.012, 0)),
        context_length=32_768,
        kind="embedding",
        dimensions=1024,
    ),
    ModelInfo(
        "sandbox/embedding",
        "Sandbox: Embedding",
        (_p("sandbox", 0.01, 0),),
        context_length=8192,
        kind="embedding",
        dimensions=256,
    ),
    # Rerank models
    ModelInfo(
        "qwen/qwen3-reranker-0.6b",
        "Qwen: Qwen3 Reranker 0.6B",
        (_p("novita", 0.01, 0),),
        context_length=32_768,
        kind="rerank",
    ),
    ModelInfo("sandbox/rerank", "Sandbox: Rerank", (_p("sandbox", 0.01, 0),), kind="rerank"),
]

MODELS: dict[str, ModelInfo] = {m.id: m for m in _MODELS}
DEFAULT_PROMPT_PRICE = 1 / 1e6
DEFAULT_COMPLETION_PRICE = 2 / 1e6
DEFAULT_EMBEDDING_DIMENSIONS = 256


def get_model(model_id: str, kind: str = "chat") -> ModelInfo:
    """The catalog entry for ``model_id``, or a default entry for an unknown id.

    The default entry is served by two providers: the id's author (the part before ``/``, or
    ``sandbox``) and ``sandbox`` (or ``sandbox-backup`` when the author is ``sandbox``), at
    $1/M input and $2/M output tokens ($0.01/M for embeddings and rerank).
    """
    known = MODELS.get(model_id)
    if known is not None:
        return known
    author = model_id.split("/", 1)[0] if "/" in model_id else "sandbox"
    backup = "sandbox-backup" if author == "sandbox" else "sandbox"
    if kind == "chat":
        prices = (DEFAULT_PROMPT_PRICE, DEFAULT_COMPLETION_PRICE)
    else:
        prices = (0.01 / 1e6, 0.0)
    providers = (
        ProviderEndpoint(author, *prices, latency=1.0, throughput=50.0),
        ProviderEndpoint(backup, *prices, latency=1.1, throughput=45.0),
    )
    return ModelInfo(
        model_id,
        model_id,
        providers,
        reasoning=model_id.startswith("sandbox/reasoning"),
        kind=kind,
        dimensions=DEFAULT_EMBEDDING_DIMENSIONS if kind == "embedding" else 0,
        distillable=True,
        known=False,
    )


def price_string(value: float) -> str:
    """USD per token as a plain decimal string, e.g. ``3e-06`` -> ``"0.000003"``."""
    text = f"{value:.12f}".rstrip("0").rstrip(".")
    return text or "0"


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
            "input_cache_read": price_string(primary.prompt_price * CACHE_READ_MULTIPLIER),
            "input_cache_write": price_string(primary.prompt_price * CACHE_WRITE_5M_MULTIPLIER),
        },
        "providers": [p.slug for p in model.providers],
        "endpoints": [
            {
                "provider": p.slug,
                "quantization": p.quantization,
                "pricing": {
                    "prompt": price_string(p.prompt_price),
                    "completion": price_string(p.completion_price),
                },
                "latency": {q: p.latency_at(q) for q in PERCENTILES},
                "throughput": {q: p.throughput_at(q) for q in PERCENTILES},
                "zdr": p.zdr,
            }
            for p in model.providers
        ],
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
