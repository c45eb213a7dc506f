"""Typed, validated models of everything an Infron request can carry beyond plain OpenAI.

Sections of the Infron docs implemented here: "Inference Provider Routing" (``provider``),
"Reasoning & Thinking" (``reasoning``), "Web Search" (``web_search_options``), "Prompt Caching"
(``cache_control`` breakpoints, see :mod:`.cache`) and "Billing Tracking" (``usage``).

Every model rejects unknown fields and wrong types *before* anything is sent, with a message that
names the field and lists the valid ones. :func:`request_fragment` is the one pure function that
turns options into the request-body fragment; it never mutates its input.
"""

import difflib
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, Literal, TypeAlias

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    field_validator,
    model_validator,
)

from .errors import InfronConfigError

__all__ = [
    "BODY_OPTION_KEYS",
    "OPTION_ALIASES",
    "OPTION_BODY_KEYS",
    "OPTION_HINTS",
    "ApproximateLocation",
    "CacheControl",
    "InfronOptions",
    "Percentiles",
    "PromptCache",
    "ProviderPreferences",
    "ProviderSort",
    "Reasoning",
    "UsageAccounting",
    "UserLocation",
    "WebSearchOptions",
    "check_option_spelling",
    "coerce_prompt_cache",
    "config_error",
    "merge_options",
    "option_layer",
    "parse_options",
    "request_fragment",
]

ReasoningEffort: TypeAlias = Literal["xhigh", "high", "medium", "low", "minimal", "none"]
SortBy: TypeAlias = Literal["price", "throughput", "latency"]
Quantization: TypeAlias = Literal["fp16", "fp8", "int8", "int4", "none"]
CacheTTL: TypeAlias = Literal["5m", "1h"]


class _Strict(BaseModel):
    """Base: unknown fields are an error that names the closest valid field."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, defer_build=True)

    #: the docs section a user should read when a field is wrong
    _doc_section: str = ""

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            allowed = set(cls.model_fields)
            unknown = [k for k in data if k not in allowed]
            if unknown:
                key = unknown[0]
                close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
                suggestion = f" Did you mean {close[0]!r}?" if close else ""
                raise ValueError(
                    f"unknown field {key!r} in {cls.__name__}.{suggestion} "
                    f"Valid fields: {', '.join(sorted(allowed))}."
                )
        return data

    def to_wire(self) -> dict[str, Any]:
        """The JSON shape the docs show, without unset fields."""
        return self.model_dump(mode="json", exclude_none=True)


class Percentiles(_Strict):
    """Percentile cutoffs for ``preferred_min_throughput`` / ``preferred_max_latency``."""

    p50: int | float | None = Field(default=None, gt=0)
    p75: int | float | None = Field(default=None, gt=0)
    p90: int | float | None = Field(default=None, gt=0)
    p99: int | float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _one_needed(self) -> "Percentiles":
        if all(v is None for v in (self.p50, self.p75, self.p90, self.p99)):
            raise ValueError("give at least one of p50, p75, p90, p99")
        return self


class ProviderSort(_Strict):
    """The object form of ``provider.sort``."""

    by: SortBy
    partition: Literal["model", "none"] | None = None


class ProviderPreferences(_Strict):
    """Provider routing preferences: the ``provider`` object (docs: Inference Provider Routing).

    All 12 documented fields; leave a field unset to keep the gateway's default.
    """

    order: list[str] | None = Field(
        default=None, description="Provider slugs to try in order, e.g. ['anthropic', 'openai']."
    )
    allow_fallbacks: StrictBool | None = Field(
        default=None, description="Allow backup providers when the listed ones fail (default true)."
    )
    sort: SortBy | ProviderSort | None = Field(
        default=None, description="Sort providers by 'price', 'throughput' or 'latency'."
    )
    preferred_min_throughput: int | float | Percentiles | None = Field(
        default=None,
        description="Preferred minimum tokens/s: a number (p50) or percentile cutoffs.",
    )
    preferred_max_latency: int | float | Percentiles | None = Field(
        default=None, description="Preferred maximum latency in seconds: a number (p50) or cutoffs."
    )
    require_parameters: StrictBool | None = Field(
        default=None, description="Only use providers that support every parameter sent."
    )
    data_collection: Literal["allow", "deny"] | None = Field(
        default=None, description="'deny' to use only providers that do not store data."
    )
    zdr: StrictBool | None = Field(
        default=None, description="Restrict routing to Zero Data Retention endpoints."
    )
    enforce_distillable_text: StrictBool | None = Field(
        default=None, description="Restrict routing to models that allow text distillation."
    )
    only: list[str] | None = Field(default=None, description="Provider slugs to allow.")
    ignore: list[str] | None = Field(default=None, description="Provider slugs to skip.")
    quantizations: list[Quantization] | None = Field(
        default=None, description="Quantization levels to filter by: fp16, fp8, int8, int4, none."
    )

    @field_validator("order", "only", "ignore")
    @classmethod
    def _slugs(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        for slug in value:
            if not isinstance(slug, str) or not slug.strip():
                raise ValueError("provider slugs must be non-empty strings, e.g. 'anthropic'")
        return value

    @field_validator("preferred_min_throughput", "preferred_max_latency")
    @classmethod
    def _positive(cls, value: float | Percentiles | None) -> float | Percentiles | None:
        if isinstance(value, (int, float)) and value <= 0:
            raise ValueError("must be a positive number or an object with p50/p75/p90/p99")
        return value

    @model_validator(mode="after")
    def _only_vs_ignore(self) -> "ProviderPreferences":
        both = set(self.only or ()) & set(self.ignore or ())
        if both:
            raise ValueError(
                f"provider(s) {sorted(both)} are in both 'only' and 'ignore'; keep each in one list"
            )
        return self


class Reasoning(_Strict):
    """Infron's unified ``reasoning`` object (docs: Reasoning & Thinking).

    ``effort`` and/or ``max_tokens``; ``effort="none"`` disables reasoning.
    """

    effort: ReasoningEffort | None = Field(
        default=None, description="xhigh, high, medium, low, minimal, or none (disables it)."
    )
    max_tokens: int | None = Field(
        default=None, gt=0, strict=True, description="Token budget for reasoning."
    )

    @model_validator(mode="after")
    def _one_needed(self) -> "Reasoning":
        if self.effort is None and self.max_tokens is None:
            raise ValueError(
                "set effort ('xhigh'|'high'|'medium'|'low'|'minimal'|'none') and/or max_tokens"
            )
        return self


class ApproximateLocation(_Strict):
    """``user_location.approximate`` for localized search results."""

    country: str | None = None
    city: str | None = None
    region: str | None = None
    timezone: str | None = None


class UserLocation(_Strict):
    """``web_search_options.user_location``."""

    type: Literal["approximate"] | None = None
    approximate: ApproximateLocation


class WebSearchOptions(_Strict):
    """``web_search_options`` for chat completions (docs: Web Search)."""

    search_context_size: Literal["low", "medium", "high"] | None = Field(
        default=None, description="How much search context to give the model."
    )
    user_location: UserLocation | None = Field(
        default=None, description="Approximate location for localized results."
    )


class CacheControl(_Strict):
    """One explicit ``cache_control`` marker (docs: Prompt Caching)."""

    type: Literal["ephemeral"] = Field(default="ephemeral", description="Always 'ephemeral'.")
    ttl: CacheTTL | None = Field(default=None, description="'5m' (default) or '1h'.")


class PromptCache(_Strict):
    """Automatic prompt-cache breakpoints (docs: Prompt Caching, explicit caching).

    Each flag places one ``cache_control`` breakpoint; together with the explicit markers already
    in the request they never exceed the provider limit of 4 (automatic ones are dropped first, in
    the order last_user, system, tools).
    """

    system: StrictBool = Field(default=True, description="Break after the system prompt.")
    tools: StrictBool = Field(default=True, description="Break after the tool definitions.")
    last_user: StrictBool = Field(default=True, description="Break after the last user turn.")
    ttl: CacheTTL | None = Field(default=None, description="'5m' (default) or '1h'.")


class UsageAccounting(_Strict):
    """``usage: {include: true}`` asks for ``cost`` and ``cost_details`` (docs: Billing Tracking)."""

    include: StrictBool = True


def coerce_prompt_cache(value: Any) -> Any:
    """``True`` means the default :class:`PromptCache`, ``False`` none; anything else as given."""
    if value is True:
        return PromptCache()
    if value is False:
        return None
    return value


class InfronOptions(_Strict):
    """Everything beyond plain OpenAI that an Infron request can carry.

    Usage accounting is on by default so every response reports its exact cost.
    """

    provider: ProviderPreferences | None = Field(
        default=None, description="Provider routing, sent as `provider`."
    )
    reasoning: Reasoning | None = Field(default=None, description="Sent as `reasoning`.")
    web_search: WebSearchOptions | None = Field(
        default=None, description="Sent as `web_search_options`."
    )
    prompt_cache: PromptCache | None = Field(
        default=None, description="Automatic cache breakpoints; `True` for the defaults."
    )
    usage: UsageAccounting = Field(
        default_factory=UsageAccounting, description="Sent as `usage`; on by default."
    )

    @field_validator("prompt_cache", mode="before")
    @classmethod
    def _cache_flag(cls, value: Any) -> Any:
        return coerce_prompt_cache(value)

    @field_validator("usage", mode="before")
    @classmethod
    def _usage_flag(cls, value: Any) -> Any:
        if isinstance(value, bool):
            return UsageAccounting(include=value)
        return value


_OPTION_NAMES = frozenset(InfronOptions.model_fields)


#: Infron's own keyword arguments, as the adapters accept them next to the framework's.
OPTION_KEYWORDS = (
    "provider",
    "reasoning",
    "web_search",
    "web_search_options",
    "prompt_cache",
    "usage",
    "usage_accounting",
)
#: Request-body keys that carry an Infron option (the wire names :func:`request_fragment` writes).
BODY_OPTION_KEYS = ("provider", "reasoning", "web_search_options", "usage")
#: Other names of an option field that adapters accept: the wire name of ``web_search`` (also
#: LiteLLM's and OpenAI's parameter name) and LangChain's ``usage_accounting``.
OPTION_ALIASES: Mapping[str, str] = MappingProxyType(
    {"web_search_options": "web_search", "usage_accounting": "usage"}
)
#: Each option field's request-body key (``prompt_cache`` has none: it edits messages and tools).
OPTION_BODY_KEYS: Mapping[str, str] = MappingProxyType(
    {OPTION_ALIASES.get(key, key): key for key in BODY_OPTION_KEYS}
)
#: Names users reach for, to the option field they mean (for "did you mean" messages where only
#: the field names are accepted).
OPTION_HINTS: Mapping[str, str] = MappingProxyType(
    {**OPTION_ALIASES, "cache": "prompt_cache", "provider_preferences": "provider"}
)


def option_layer(source: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any] | None:
    """The options among ``names`` that ``source`` holds, keyed by their field names.

    The one place an alias (:data:`OPTION_ALIASES`) becomes the field it names; where a field is
    given under two names, the one later in ``names`` wins. Pure: ``source`` is not changed.
    Returns None when ``source`` holds none of ``names``.
    """
    layer = {OPTION_ALIASES.get(name, name): source[name] for name in names if name in source}
    return layer or None


#: Chat-completions parameters (OpenAI's and the SDK's request options) that look like an Infron
#: option without being a misspelling of one (``prompt_cache_key`` is OpenAI's own).
_KNOWN_PARAMETERS = frozenset(
    {
        *OPTION_KEYWORDS,
        "audio", "frequency_penalty", "function_call", "functions", "logit_bias", "logprobs",
        "max_completion_tokens", "max_tokens", "messages", "metadata", "modalities", "model",
        "moderation", "n", "parallel_tool_calls", "prediction", "presence_penalty",
        "prompt_cache_key", "prompt_cache_options", "prompt_cache_retention", "reasoning_effort",
        "response_format", "safety_identifier", "seed", "service_tier", "stop", "store", "stream",
        "stream_options", "temperature", "tool_choice", "tools", "top_logprobs", "top_p", "user",
        "verbosity", "extra_body", "extra_headers", "extra_query", "timeout", "thinking",
    }
)  # fmt: skip


def check_option_spelling(keys: Iterable[str]) -> None:
    """Refuse a keyword argument that is a near miss of an Infron option (``reasonning=``).

    Frameworks pass keyword arguments they do not know straight into the request body, where a
    misspelled option would be silently ignored (or refused by the gateway after the request was
    sent). Only near misses of Infron's own names are refused; other unknown keywords keep going
    through, as the framework's own OpenAI route sends them.

    Raises:
        InfronConfigError: naming the keyword and the option it resembles.
    """
    for key in keys:
        if key in _KNOWN_PARAMETERS or not isinstance(key, str):
            continue
        close = difflib.get_close_matches(key, OPTION_KEYWORDS, n=1, cutoff=0.8)
        if close:
            raise InfronConfigError(
                f"Unknown keyword argument {key!r}. Did you mean {close[0]!r}? Infron's options "
                f"are {', '.join(OPTION_KEYWORDS)}."
            )


def _format_validation(exc: ValidationError, prefix: str) -> str:
    lines = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-"))
        # pydantic puts union-branch names in loc (e.g. 'float', 'Percentiles'); keep them, they help
        path = f"{prefix}.{loc}" if loc else prefix
        msg = err["msg"].removeprefix("Value error, ")
        lines.append(f"{path}: {msg}")
    return "; ".join(lines)


def config_error(exc: ValidationError, where: str) -> InfronConfigError:
    """The :class:`InfronConfigError` for a pydantic error in the settings of ``where``.

    Adapters whose classes are pydantic models (LangChain's) raise it from their constructors, so
    a bad setting raises the same class everywhere. An ``InfronConfigError`` raised inside a
    validator comes back unchanged (its message already says what to do); other errors are
    listed as ``where.field: message``.
    """
    errors = exc.errors(include_url=False)
    if len(errors) == 1:
        inner = (errors[0].get("ctx") or {}).get("error")
        if isinstance(inner, InfronConfigError):
            return inner
    return InfronConfigError(f"Invalid {where} settings: " + _format_validation(exc, where))


def parse_options(
    value: InfronOptions | Mapping[str, Any] | None = None, **fields: Any
) -> InfronOptions:
    """Validate options given as a model, a dict or keyword arguments.

    Raises:
        InfronConfigError: naming each bad field (e.g. ``provider.sortt``) and what to do.
    """
    if isinstance(value, InfronOptions) and not fields:
        return value
    data: dict[str, Any] = {}
    if isinstance(value, InfronOptions):
        data.update({k: getattr(value, k) for k in value.model_fields_set})
    elif value is not None:
        data.update(value)
    data.update({k: v for k, v in fields.items() if v is not None})
    try:
        return InfronOptions.model_validate(data)
    except ValidationError as exc:
        raise InfronConfigError(
            "Invalid Infron options: " + _format_validation(exc, "options")
        ) from None


def _merge_value(base: Any, override: Any) -> Any:
    if (
        isinstance(base, BaseModel)
        and isinstance(override, BaseModel)
        and type(base) is type(override)
    ):
        merged = dict(base.model_dump(exclude_unset=True))
        for name in override.model_fields_set:
            merged[name] = _merge_value(getattr(base, name, None), getattr(override, name))
        return type(base).model_validate(merged)
    return override


def merge_options(*layers: InfronOptions | Mapping[str, Any] | None) -> InfronOptions:
    """Merge option layers deeply; later layers win field by field.

    ``merge_options(provider_defaults, agent_options, run_options)`` keeps the agent's
    ``provider.order`` when the run only sets ``provider.sort``. A field set to ``None``
    explicitly in a later layer clears it.
    """
    result = InfronOptions()
    fields_set: set[str] = set()
    for layer in layers:
        if layer is None:
            continue
        options = parse_options(layer)
        data = {name: getattr(result, name) for name in fields_set}
        for name in options.model_fields_set:
            data[name] = _merge_value(data.get(name), getattr(options, name))
        fields_set |= options.model_fields_set
        result = InfronOptions.model_validate(data)
    return result


def request_fragment(options: InfronOptions | Mapping[str, Any] | None) -> dict[str, Any]:
    """The request-body fragment for ``options``, exactly as the docs show it.

    Pure: returns a new dict and never mutates ``options``. Prompt caching is not part of the
    fragment (it edits messages and tools): see :func:`infron_integrations.core.cache.apply_prompt_cache`.
    """
    opts = parse_options(options)
    body: dict[str, Any] = {}
    if opts.provider is not None:
        body["provider"] = opts.provider.to_wire()
    if opts.reasoning is not None:
        body["reasoning"] = opts.reasoning.to_wire()
    if opts.web_search is not None:
        body["web_search_options"] = opts.web_search.to_wire()
    if opts.usage.include:
        body["usage"] = {"include": True}
    return body
