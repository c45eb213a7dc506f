"""The framework-free core: settings, options, cache breakpoints, wire models, usage, errors, HTTP.

Nothing here imports LangChain, LiteLLM or the Agents SDK (a test checks it).
"""

import importlib

TYPE_CHECKING = False

_LAZY: dict[str, str] = {
    "ApproximateLocation": "options",
    "BatchInfo": "batch_wire",
    "BatchJob": "batches",
    "BatchPolling": "batches",
    "BatchRequest": "batch_wire",
    "BatchResultItem": "batch_wire",
    "BatchResults": "batch_wire",
    "CacheControl": "options",
    "ChatCompletion": "wire",
    "ChatCompletionChunk": "wire",
    "CostDetails": "wire",
    "DEFAULT_BASE_URL": "settings",
    "InfronAPIError": "errors",
    "InfronAuthenticationError": "errors",
    "InfronBadGatewayError": "errors",
    "InfronBadRequestError": "errors",
    "InfronBatchError": "batches",
    "InfronBatchTimeoutError": "batches",
    "InfronBatches": "batches",
    "InfronBudgetExceededError": "errors",
    "InfronConfigError": "errors",
    "InfronConnectionError": "errors",
    "InfronError": "errors",
    "InfronHTTP": "http",
    "InfronInsufficientCreditsError": "errors",
    "InfronNotFoundError": "errors",
    "InfronOptions": "options",
    "InfronPermissionDeniedError": "errors",
    "InfronRateLimitError": "errors",
    "InfronRequestTimeoutError": "errors",
    "InfronSearch": "search",
    "InfronServerError": "errors",
    "InfronServiceUnavailableError": "errors",
    "InfronSettings": "settings",
    "InfronStreamError": "errors",
    "InfronTimeoutError": "errors",
    "MAX_BREAKPOINTS": "cache",
    "MessagesParams": "batch_wire",
    "Percentiles": "options",
    "PromptCache": "options",
    "ProviderPreferences": "options",
    "ProviderSort": "options",
    "Reasoning": "options",
    "RetryPolicy": "http",
    "SearchHit": "search_wire",
    "StreamAccumulator": "stream",
    "Usage": "wire",
    "UsageAccounting": "options",
    "UsageRecord": "usage",
    "UsageTotals": "usage",
    "UsageTracker": "usage",
    "UserLocation": "options",
    "WebSearchOptions": "options",
    "aiter_sse_json": "stream",
    "apply_prompt_cache": "cache",
    "async_openai_client": "http",
    "cache_text": "cache",
    "convert_openai_error": "openai_compat",
    "error_from_inband": "errors",
    "error_from_response": "errors",
    "iter_sse_json": "stream",
    "merge_options": "options",
    "merge_reasoning_details": "reasoning",
    "openai_client": "http",
    "parse_options": "options",
    "raise_for_inband_error": "errors",
    "record_usage": "usage",
    "request_fragment": "options",
    "search_tool_definition": "search_tools",
    "response_extras": "openai_compat",
    "track_usage": "usage",
    "validate_cache_markers": "cache",
}

__all__ = [
    "DEFAULT_BASE_URL",
    "MAX_BREAKPOINTS",
    "ApproximateLocation",
    "BatchInfo",
    "BatchJob",
    "BatchPolling",
    "BatchRequest",
    "BatchResultItem",
    "BatchResults",
    "CacheControl",
    "ChatCompletion",
    "ChatCompletionChunk",
    "CostDetails",
    "InfronAPIError",
    "InfronAuthenticationError",
    "InfronBadGatewayError",
    "InfronBadRequestError",
    "InfronBatchError",
    "InfronBatchTimeoutError",
    "InfronBatches",
    "InfronBudgetExceededError",
    "InfronConfigError",
    "InfronConnectionError",
    "InfronError",
    "InfronHTTP",
    "InfronInsufficientCreditsError",
    "InfronNotFoundError",
    "InfronOptions",
    "InfronPermissionDeniedError",
    "InfronRateLimitError",
    "InfronRequestTimeoutError",
    "InfronSearch",
    "InfronServerError",
    "InfronServiceUnavailableError",
    "InfronSettings",
    "InfronStreamError",
    "InfronTimeoutError",
    "MessagesParams",
    "Percentiles",
    "PromptCache",
    "ProviderPreferences",
    "ProviderSort",
    "Reasoning",
    "RetryPolicy",
    "SearchHit",
    "StreamAccumulator",
    "Usage",
    "UsageAccounting",
    "UsageRecord",
    "UsageTotals",
    "UsageTracker",
    "UserLocation",
    "WebSearchOptions",
    "aiter_sse_json",
    "apply_prompt_cache",
    "async_openai_client",
    "cache_text",
    "convert_openai_error",
    "error_from_inband",
    "error_from_response",
    "iter_sse_json",
    "merge_options",
    "merge_reasoning_details",
    "openai_client",
    "parse_options",
    "raise_for_inband_error",
    "record_usage",
    "request_fragment",
    "response_extras",
    "search_tool_definition",
    "track_usage",
    "validate_cache_markers",
]


def __getattr__(name: str) -> object:
    # PEP 562: load on first use, so using the options does not import httpx or the OpenAI SDK.
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # pragma: no cover
    from .batch_wire import BatchInfo, BatchRequest, BatchResultItem, BatchResults, MessagesParams
    from .batches import (
        BatchJob,
        BatchPolling,
        InfronBatchError,
        InfronBatches,
        InfronBatchTimeoutError,
    )
    from .cache import MAX_BREAKPOINTS, apply_prompt_cache, cache_text, validate_cache_markers
    from .errors import (
        InfronAPIError,
        InfronAuthenticationError,
        InfronBadGatewayError,
        InfronBadRequestError,
        InfronBudgetExceededError,
        InfronConfigError,
        InfronConnectionError,
        InfronError,
        InfronInsufficientCreditsError,
        InfronNotFoundError,
        InfronPermissionDeniedError,
        InfronRateLimitError,
        InfronRequestTimeoutError,
        InfronServerError,
        InfronServiceUnavailableError,
        InfronStreamError,
        InfronTimeoutError,
        error_from_inband,
        error_from_response,
        raise_for_inband_error,
    )
    from .http import InfronHTTP, RetryPolicy, async_openai_client, openai_client
    from .openai_compat import convert_openai_error, response_extras
    from .options import (
        ApproximateLocation,
        CacheControl,
        InfronOptions,
        Percentiles,
        PromptCache,
        ProviderPreferences,
        ProviderSort,
        Reasoning,
        UsageAccounting,
        UserLocation,
        WebSearchOptions,
        merge_options,
        parse_options,
        request_fragment,
    )
    from .reasoning import merge_reasoning_details
    from .search import InfronSearch
    from .search_tools import search_tool_definition
    from .search_wire import SearchHit
    from .settings import DEFAULT_BASE_URL, InfronSettings
    from .stream import StreamAccumulator, aiter_sse_json, iter_sse_json
    from .usage import UsageRecord, UsageTotals, UsageTracker, record_usage, track_usage
    from .wire import ChatCompletion, ChatCompletionChunk, CostDetails, Usage
