"""Infron's Search APIs through LiteLLM's own search API: ``litellm.search``/``asearch`` with
``search_provider="infron/<engine>"`` (routed by ``register()``) and a Router's search tools,
against the sandbox over loopback."""

from __future__ import annotations

from typing import Any

import litellm
import pytest

from infron_integrations.core import track_usage

QUESTION = "Who is Leo Messi?"
CASES = [
    # engine, path, unified parameters, the body the sandbox receives
    (
        "tavily",
        "/v1/tavily/search",
        {"search_domain_filter": ["wikipedia.org"], "country": "united states"},
        {
            "query": QUESTION,
            "max_results": 3,
            "include_domains": ["wikipedia.org"],
            "country": "united states",
        },
    ),
    (
        "exa",
        "/v1/exa",
        {"search_domain_filter": ["wikipedia.org"]},
        {
            "model": "exa-search",
            "query": QUESTION,
            "numResults": 3,
            "includeDomains": ["wikipedia.org"],
        },
    ),
    (
        "perplexity",
        "/v1/perplexity",
        {"max_tokens_per_page": 256, "country": "US"},
        {
            "model": "perplexity-search",
            "query": QUESTION,
            "max_results": 3,
            "max_tokens_per_page": 256,
            "country": "US",
        },
    ),
]


def _search_creds(sandbox: Any) -> dict[str, str]:
    # api_base is the Search APIs' base URL; the sandbox serves them beside the inference API
    return {"api_key": sandbox.api_key, "api_base": sandbox.base_url}


@pytest.mark.parametrize(("engine", "path", "unified", "body"), CASES, ids=[c[0] for c in CASES])
def test_litellm_search_each_engine(
    infron_sandbox: Any,
    cost_logger: Any,
    engine: str,
    path: str,
    unified: dict[str, Any],
    body: dict[str, Any],
) -> None:
    with track_usage() as run:
        response = litellm.search(
            QUESTION,
            search_provider=f"infron/{engine}",
            max_results=3,
            **unified,
            **_search_creds(infron_sandbox),
        )
    sent = infron_sandbox.last_request(path)
    assert sent is not None and sent.body == body
    assert [r.title for r in response.results] == [
        f"Sandbox {engine} result {i} for {QUESTION}" for i in (1, 2, 3)
    ]
    assert response.results[0].snippet == f"Deterministic {engine} snippet 1 about {QUESTION}."
    assert response.results[0].url.startswith(f"https://search.sandbox.invalid/{engine}/")
    (record,) = run.records
    assert record.framework == "litellm" and record.request_id == sent.request_id
    event = cost_logger.wait(lambda r: r is response)
    assert event["payload"]["custom_llm_provider"] == "infron"
    if engine == "exa":  # the only engine whose answer reports a cost: the gateway's charge
        assert run.total_cost == 0.005
        assert response._hidden_params["response_cost"] == 0.005
        assert litellm.completion_cost(completion_response=response) == 0.005
        assert event["response_cost"] == 0.005
    else:  # unknown, never estimated
        assert record.cost is None and record.unknown_cost_requests == 1
        assert response._hidden_params.get("response_cost") is None


async def test_litellm_asearch_and_engine_fields(infron_sandbox: Any) -> None:
    response = await litellm.asearch(
        QUESTION,
        search_provider="infron/firecrawl",
        max_results=2,
        sources=["web"],
        **_search_creds(infron_sandbox),
    )
    sent = infron_sandbox.last_request("/v1/firecrawl")
    assert sent is not None
    assert sent.body["limit"] == 2 and sent.body["sources"] == [{"type": "web"}]
    assert len(response.results) == 2
    plain = await litellm.asearch(
        QUESTION, search_provider="infron", **_search_creds(infron_sandbox)
    )
    assert plain.results and infron_sandbox.last_request("/v1/tavily/search") is not None


async def test_router_search_tools(infron_sandbox: Any) -> None:
    """A Router's ``search_tools`` (what the proxy's ``/v1/search`` uses) with an Infron engine."""
    router = litellm.Router(
        model_list=[],
        search_tools=[
            {
                "search_tool_name": "web",
                "litellm_params": {
                    "search_provider": "infron/exa",
                    **_search_creds(infron_sandbox),
                },
            }
        ],
    )
    response = await router.asearch(query=QUESTION, search_tool_name="web", max_results=2)
    assert len(response.results) == 2
    assert response._hidden_params["response_cost"] == 0.005


def test_refused_before_sending(infron_sandbox: Any) -> None:
    creds = _search_creds(infron_sandbox)
    with pytest.raises(litellm.BadRequestError, match=r"search_domain_filter.*tavily, exa"):
        litellm.search(
            QUESTION, search_provider="infron/cloudsway", search_domain_filter=["a.b"], **creds
        )
    with pytest.raises(litellm.BadRequestError, match=r"'infron/tavily'"):
        litellm.search(QUESTION, search_provider="infron/bing", **creds)
    with pytest.raises(litellm.BadRequestError, match=r"numResult.*Did you mean"):
        litellm.search(QUESTION, search_provider="infron/exa", numResult=3, **creds)
    assert not [r for r in infron_sandbox.requests if r.method == "POST"]


def test_gateway_errors_are_litellms(infron_sandbox: Any) -> None:
    with pytest.raises(litellm.AuthenticationError):
        litellm.search(
            QUESTION,
            search_provider="infron/tavily",
            api_key="sk-wrong",
            api_base=infron_sandbox.base_url,
            max_retries=0,
        )


def test_other_search_providers_are_litellms(infron_sandbox: Any) -> None:
    with pytest.raises(Exception) as info:  # LiteLLM's own Tavily, with no Tavily key here
        litellm.search(QUESTION, search_provider="tavily", api_key=None)
    assert "infron" not in str(info.value).lower()
    assert not infron_sandbox.requests
