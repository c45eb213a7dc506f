"""One gateway reply, one core error class, through the core and every adapter.

Docs: Errors code. The sandbox answers each status of the docs' error table (and 404, 413, 422,
500 that a gateway also sends) in the documented body, and an error inside a 200 body; the same
reply must become the same core class in the core's client, LangChain's ``ChatInfron``,
LiteLLM's ``infron/`` route and the Agents SDK's ``InfronProvider``, and at the same time the
class that framework's users already catch.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import openai
import pytest

pytest.importorskip("agents")
pytest.importorskip("langchain_core")
pytest.importorskip("litellm")

import litellm
from agents import Agent, ModelSettings, RunConfig, Runner, set_tracing_disabled
from langchain_core import exceptions as lc

from infron_integrations.core import errors as core
from infron_integrations.core.http import InfronHTTP
from infron_integrations.core.settings import InfronSettings
from infron_integrations.langchain import ChatInfron
from infron_integrations.openai_agents import InfronProvider
from infron_integrations.sandbox.faults import FAULT_HEADER

CHAT = "/v1/chat/completions"
MODEL = "openai/gpt-4o-mini"
USER = [{"role": "user", "content": "hi"}]


class Expected(NamedTuple):
    """The core class, and what LangChain, the OpenAI SDK (LangChain and Agents) and LiteLLM
    users catch for one gateway reply."""

    status: int
    core: type[core.InfronAPIError]
    langchain: type[Exception]
    openai: type[Exception]
    litellm: type[Exception]


# fault kind -> what every path must raise (pinned here, not read from the table under test)
VOCABULARY: dict[str, Expected] = {
    "400": Expected(
        400,
        core.InfronBadRequestError,
        lc.ModelInvalidRequestError,
        openai.BadRequestError,
        litellm.BadRequestError,
    ),
    "401": Expected(
        401,
        core.InfronAuthenticationError,
        lc.ModelAuthenticationError,
        openai.AuthenticationError,
        litellm.AuthenticationError,
    ),
    "402": Expected(
        402,
        core.InfronInsufficientCreditsError,
        lc.ModelError,
        openai.APIStatusError,
        litellm.exceptions.PaymentRequiredError,
    ),
    "403": Expected(
        403,
        core.InfronPermissionDeniedError,
        lc.ModelPermissionDeniedError,
        openai.PermissionDeniedError,
        litellm.PermissionDeniedError,
    ),
    "404": Expected(
        404,
        core.InfronNotFoundError,
        lc.ModelNotFoundError,
        openai.NotFoundError,
        litellm.NotFoundError,
    ),
    "408": Expected(
        408,
        core.InfronRequestTimeoutError,
        lc.ModelTimeoutError,
        openai.APIStatusError,
        litellm.Timeout,
    ),
    "413": Expected(
        413,
        core.InfronBadRequestError,
        lc.ModelInvalidRequestError,
        openai.BadRequestError,
        litellm.BadRequestError,
    ),
    "422": Expected(
        422,
        core.InfronBadRequestError,
        lc.ModelInvalidRequestError,
        openai.BadRequestError,
        litellm.BadRequestError,
    ),
    "429": Expected(
        429,
        core.InfronRateLimitError,
        lc.ModelRateLimitError,
        openai.RateLimitError,
        litellm.RateLimitError,
    ),
    "500": Expected(
        500,
        core.InfronServerError,
        lc.ModelAPIError,
        openai.InternalServerError,
        litellm.InternalServerError,
    ),
    "502": Expected(
        502,
        core.InfronBadGatewayError,
        lc.ModelAPIError,
        openai.InternalServerError,
        litellm.BadGatewayError,
    ),
    "503": Expected(
        503,
        core.InfronServiceUnavailableError,
        lc.ModelAPIError,
        openai.InternalServerError,
        litellm.ServiceUnavailableError,
    ),
    # the sandbox's in-band error carries code 502 inside an HTTP 200 body
    "error-in-200": Expected(
        502,
        core.InfronBadGatewayError,
        lc.ModelAPIError,
        openai.InternalServerError,
        litellm.BadGatewayError,
    ),
}


def _core_class_of(error: BaseException) -> type:
    """The most specific core class ``error`` is an instance of."""
    return next(c for c in type(error).__mro__ if c.__module__ == core.__name__)


def _via_core(sandbox: Any, kind: str) -> BaseException:
    settings = InfronSettings.resolve(
        sandbox.api_key, sandbox.base_url, max_retries=0, default_headers={FAULT_HEADER: kind}
    )
    with pytest.raises(core.InfronAPIError) as info:
        InfronHTTP(settings).request(
            "POST", "/chat/completions", json={"model": MODEL, "messages": USER}
        )
    return info.value


def _via_langchain(sandbox: Any, kind: str) -> BaseException:
    llm = ChatInfron(
        model=MODEL,
        api_key=sandbox.api_key,
        base_url=sandbox.base_url,
        max_retries=0,
        default_headers={FAULT_HEADER: kind},
    )
    with pytest.raises(core.InfronAPIError) as info:
        llm.invoke("hi")
    return info.value


def _via_litellm(sandbox: Any, kind: str) -> BaseException:
    with pytest.raises(core.InfronAPIError) as info:
        litellm.completion(
            model=f"infron/{MODEL}",
            messages=USER,
            api_key=sandbox.api_key,
            api_base=sandbox.base_url,
            max_retries=0,
            extra_headers={FAULT_HEADER: kind},
        )
    return info.value


def _via_agents(sandbox: Any, kind: str) -> BaseException:
    provider = InfronProvider(api_key=sandbox.api_key, base_url=sandbox.base_url, max_retries=0)
    agent: Agent[Any] = Agent(
        name="vocabulary",
        model=MODEL,
        model_settings=ModelSettings(extra_headers={FAULT_HEADER: kind}),
    )
    with pytest.raises(core.InfronAPIError) as info:
        Runner.run_sync(agent, "hi", run_config=RunConfig(model_provider=provider))
    return info.value


PATHS: dict[str, Callable[[Any, str], BaseException]] = {
    "core": _via_core,
    "langchain": _via_langchain,
    "litellm": _via_litellm,
    "agents": _via_agents,
}


def _native(path: str, expected: Expected) -> tuple[type[Exception], ...]:
    return {
        "core": (),
        "langchain": (expected.langchain, expected.openai),
        "litellm": (expected.litellm,),
        "agents": (expected.openai,),
    }[path]


@pytest.fixture(autouse=True)
def _frameworks_ready(catalog_dir: Path, litellm_registered: None) -> None:
    """LiteLLM knows ``infron/`` and the catalog is cached (``tests/conftest.py``); no trace
    leaves the process."""
    set_tracing_disabled(True)


@pytest.mark.parametrize("path", sorted(PATHS))
@pytest.mark.parametrize("kind", list(VOCABULARY))
def test_same_reply_same_core_class_everywhere(infron_sandbox: Any, kind: str, path: str) -> None:
    expected = VOCABULARY[kind]
    error: Any = PATHS[path](infron_sandbox, kind)
    assert _core_class_of(error) is expected.core, type(error).__mro__
    for native in _native(path, expected):
        assert isinstance(error, native), (type(error).__mro__, native)
    assert error.status_code == expected.status
    assert error.in_band is (kind == "error-in-200")
    chats = [r for r in infron_sandbox.requests if r.path == CHAT]
    assert len(chats) == 1  # no retries: max_retries=0 everywhere
    assert error.request_id == chats[0].request_id
    assert infron_sandbox.api_key not in str(error)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (404, core.InfronNotFoundError),
        (413, core.InfronBadRequestError),
        (422, core.InfronBadRequestError),
        (500, core.InfronServerError),
        (504, core.InfronServerError),
        (418, core.InfronAPIError),
        (None, core.InfronAPIError),
    ],
)
def test_statuses_outside_the_table(status: int | None, cls: type) -> None:
    assert core.error_class_for(status) is cls


def test_every_adapter_covers_every_core_class() -> None:
    from infron_integrations.langchain import _errors as lc_errors
    from infron_integrations.litellm import _errors as litellm_errors
    from infron_integrations.openai_agents import _errors as agents_errors

    core_classes = {core.InfronAPIError, *core.STATUS_CLASSES.values()}
    for module in (lc_errors, litellm_errors, agents_errors):
        table = module._NATIVE
        assert set(table) == core_classes, module.__name__
        for core_cls, native in table.items():
            assert issubclass(native, core_cls)
    with pytest.raises(TypeError, match="has no error class for"):
        core.classes_by_core({"__name__": "nowhere"})
