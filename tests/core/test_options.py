"""Every option field into its request-body shape, compared with the docs' own examples."""

from __future__ import annotations

import copy

import pytest

from infron_integrations.core import (
    InfronConfigError,
    InfronOptions,
    PromptCache,
    ProviderPreferences,
    Reasoning,
    WebSearchOptions,
    merge_options,
    parse_options,
    request_fragment,
)

# Each pair: the options as a user writes them, and the `provider` object from the docs
# (Inference Provider Routing) that must go over the wire.
PROVIDER_DOC_EXAMPLES = [
    ({"order": ["novita", "deepinfra"]}, {"order": ["novita", "deepinfra"]}),
    (
        {"order": ["google-ai-studio"], "allow_fallbacks": False},
        {"order": ["google-ai-studio"], "allow_fallbacks": False},
    ),
    ({"order": ["minimax/fp8"], "allow_fallbacks": False}, None),
    ({"sort": "price"}, None),
    ({"sort": "throughput"}, None),
    ({"sort": "latency"}, None),
    (
        {"sort": "price", "preferred_min_throughput": {"p90": 50}},
        {"sort": "price", "preferred_min_throughput": {"p90": 50}},
    ),
    ({"sort": "price", "preferred_max_latency": {"p90": 3}}, None),
    (
        {
            "preferred_max_latency": {"p50": 1, "p90": 3, "p99": 5},
            "preferred_min_throughput": {"p50": 100, "p90": 50},
        },
        None,
    ),
    ({"preferred_max_latency": 2.5, "preferred_min_throughput": 80}, None),
    ({"require_parameters": True}, None),
    ({"data_collection": "deny"}, None),
    ({"zdr": True}, None),
    ({"enforce_distillable_text": True}, None),
    ({"sort": "price", "allow_fallbacks": False}, None),
    ({"only": ["azure"]}, None),
    ({"ignore": ["deepinfra"]}, None),
    ({"quantizations": ["fp8"]}, None),
    ({"sort": {"by": "price", "partition": "none"}}, None),
]


@pytest.mark.parametrize(("given", "expected"), PROVIDER_DOC_EXAMPLES)
def test_provider_preferences_match_docs(given: dict, expected: dict | None) -> None:
    expected = expected or given
    assert request_fragment({"provider": given})["provider"] == expected
    # the typed model gives the same bytes as the dict
    assert (
        request_fragment(InfronOptions(provider=ProviderPreferences(**given)))["provider"]
        == expected
    )


def test_all_twelve_provider_fields_are_modelled() -> None:
    documented = {
        "order",
        "allow_fallbacks",
        "sort",
        "preferred_min_throughput",
        "preferred_max_latency",
        "require_parameters",
        "data_collection",
        "zdr",
        "enforce_distillable_text",
        "only",
        "ignore",
        "quantizations",
    }
    assert set(ProviderPreferences.model_fields) == documented
    full = {
        "order": ["anthropic", "openai"],
        "allow_fallbacks": True,
        "sort": "latency",
        "preferred_min_throughput": {"p50": 100, "p75": 90, "p90": 50, "p99": 10},
        "preferred_max_latency": {"p50": 1, "p75": 1.5, "p90": 3, "p99": 5},
        "require_parameters": False,
        "data_collection": "allow",
        "zdr": False,
        "enforce_distillable_text": False,
        "only": ["anthropic", "openai"],
        "ignore": ["azure"],
        "quantizations": ["fp16", "fp8", "int8", "int4", "none"],
    }
    assert request_fragment({"provider": full})["provider"] == full


@pytest.mark.parametrize(
    ("given", "wire"),
    [
        ({"effort": "high", "max_tokens": 2000}, {"effort": "high", "max_tokens": 2000}),
        ({"max_tokens": 200}, {"max_tokens": 200}),
        ({"effort": "none"}, {"effort": "none"}),
        *[({"effort": e}, {"effort": e}) for e in ("xhigh", "medium", "low", "minimal")],
    ],
)
def test_reasoning_matches_docs(given: dict, wire: dict) -> None:
    assert request_fragment({"reasoning": given})["reasoning"] == wire
    assert request_fragment(InfronOptions(reasoning=Reasoning(**given)))["reasoning"] == wire


def test_web_search_matches_docs() -> None:
    doc = {
        "search_context_size": "high",
        "user_location": {
            "approximate": {"timezone": "Asia/Shanghai", "country": "CN", "city": "Beijing"}
        },
    }
    assert request_fragment({"web_search": doc})["web_search_options"] == doc
    typed = WebSearchOptions.model_validate(doc)
    assert request_fragment(InfronOptions(web_search=typed))["web_search_options"] == doc
    assert request_fragment({"web_search": {"search_context_size": "low"}}) == {
        "web_search_options": {"search_context_size": "low"},
        "usage": {"include": True},
    }


def test_usage_accounting_is_on_by_default_and_can_be_turned_off() -> None:
    assert request_fragment(None) == {"usage": {"include": True}}
    assert request_fragment({"usage": False}) == {}
    assert request_fragment({"usage": {"include": False}}) == {}


def test_fragment_is_pure() -> None:
    given = {"provider": {"order": ["a", "b"], "preferred_max_latency": {"p90": 3}}}
    snapshot = copy.deepcopy(given)
    out = request_fragment(given)
    out["provider"]["order"].append("c")
    assert given == snapshot
    options = parse_options(given)
    again = request_fragment(options)
    assert again["provider"]["order"] == ["a", "b"]


def test_prompt_cache_flag_forms() -> None:
    assert parse_options(prompt_cache=True).prompt_cache == PromptCache()
    assert parse_options(prompt_cache=False).prompt_cache is None
    assert parse_options(prompt_cache={"ttl": "1h", "tools": False}).prompt_cache == PromptCache(
        ttl="1h", tools=False
    )


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        ({"provider": {"sortt": "price"}}, "'sortt'"),
        ({"provider": {"sortt": "price"}}, "Did you mean 'sort'"),
        ({"provider": {"sort": "cheapest"}}, "options.provider.sort"),
        ({"provider": {"allow_fallbacks": "yes"}}, "options.provider.allow_fallbacks"),
        ({"provider": {"order": "anthropic"}}, "options.provider.order"),
        ({"provider": {"order": [""]}}, "non-empty"),
        ({"provider": {"data_collection": "maybe"}}, "data_collection"),
        ({"provider": {"quantizations": ["int3"]}}, "quantizations"),
        ({"provider": {"preferred_max_latency": -1}}, "positive"),
        ({"provider": {"preferred_max_latency": {"p95": 3}}}, "'p95'"),
        ({"provider": {"preferred_max_latency": {}}}, "at least one of p50"),
        ({"provider": {"only": ["a"], "ignore": ["a"]}}, "both 'only' and 'ignore'"),
        ({"provider": {"zdr": 1}}, "options.provider.zdr"),
        ({"reasoning": {"effort": "extreme"}}, "options.reasoning.effort"),
        ({"reasoning": {"max_tokens": 0}}, "options.reasoning.max_tokens"),
        ({"reasoning": {"max_tokens": "2000"}}, "options.reasoning.max_tokens"),
        ({"reasoning": {}}, "effort"),
        ({"reasoning": {"budget": 5}}, "'budget'"),
        ({"web_search": {"search_context_size": "huge"}}, "search_context_size"),
        ({"web_search": {"user_location": {"city": "Paris"}}}, "'city'"),
        ({"prompt_cache": {"ttl": "10m"}}, "options.prompt_cache.ttl"),
        ({"prompt_cache": {"sytem": True}}, "Did you mean 'system'"),
        ({"usage": {"include": "yes"}}, "options.usage.include"),
        ({"routing": {}}, "'routing'"),
    ],
)
def test_bad_options_are_rejected_with_the_field_named(options: dict, needle: str) -> None:
    with pytest.raises(InfronConfigError) as info:
        parse_options(options)
    assert needle in str(info.value)
    assert isinstance(info.value, ValueError)


def test_merge_is_deep_and_later_layers_win() -> None:
    provider_defaults = {"provider": {"order": ["anthropic"], "allow_fallbacks": True}}
    agent = {"provider": {"sort": "price"}, "reasoning": {"effort": "high"}}
    run = {"provider": {"allow_fallbacks": False}, "reasoning": {"max_tokens": 500}}
    merged = merge_options(provider_defaults, agent, run)
    assert request_fragment(merged) == {
        "provider": {"order": ["anthropic"], "allow_fallbacks": False, "sort": "price"},
        "reasoning": {"effort": "high", "max_tokens": 500},
        "usage": {"include": True},
    }
    # an explicit None clears a field set by an earlier layer
    cleared = merge_options(agent, InfronOptions(reasoning=None))
    assert cleared.reasoning is None
    assert cleared.provider == ProviderPreferences(sort="price")


def test_option_layer_resolves_aliases_once() -> None:
    from infron_integrations.core.options import BODY_OPTION_KEYS, option_layer

    source = {
        "provider": {"sort": "price"},
        "web_search_options": {"search_context_size": "low"},
        "usage_accounting": False,
        "temperature": 0.2,
    }
    names = ("provider", "web_search", "web_search_options", "usage_accounting")
    assert option_layer(source, names) == {
        "provider": {"sort": "price"},
        "web_search": {"search_context_size": "low"},
        "usage": False,
    }
    assert "web_search_options" in source and "usage_accounting" in source  # not mutated
    # both spellings: the later name wins
    both = {"web_search": {"search_context_size": "high"}, "web_search_options": {}}
    assert option_layer(both, ("web_search", "web_search_options")) == {"web_search": {}}
    assert option_layer({"temperature": 1}, BODY_OPTION_KEYS) is None
    # a body's wire names come back as the fields the fragment is made from
    fragment = request_fragment({"web_search": {"search_context_size": "low"}})
    layer = option_layer(fragment, BODY_OPTION_KEYS)
    assert layer == {
        "web_search": {"search_context_size": "low"},
        "usage": {"include": True},
    }
    assert request_fragment(layer) == fragment
