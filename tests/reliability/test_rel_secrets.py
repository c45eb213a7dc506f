"""R3: the API key never appears in a repr, str, log record (DEBUG included), printed output,
exception, LangChain serialization, LiteLLM logging payload or trace export.

A sandbox accepting only a fresh random key serves every call here; each adapter is exercised
end to end (success, stream, async, a retried fault, gateway errors, a broken stream, a wrong
key), and everything it left behind is scanned for the key. Each scan also checks that it saw
something (records, payloads, exported runs), so it cannot pass by looking at nothing.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from typing import Any

import litellm
import pytest
from agents import Agent, RunConfig, Runner, set_tracing_disabled
from agents.tracing import flush_traces
from agents.tracing.processors import default_exporter
from langchain_core.load import Serializable, dumpd, dumps, loads
from langchain_core.prompts import ChatPromptTemplate
from litellm.integrations.custom_logger import CustomLogger
from rel_secrets import Collector, debug_logs, exception_texts, leaks, make_secret

from infron_integrations.core.http import InfronHTTP
from infron_integrations.core.settings import InfronSettings
from infron_integrations.langchain import ChatInfron, InfronEmbeddings, InfronRerank
from infron_integrations.litellm import handler
from infron_integrations.litellm import rerank as litellm_rerank
from infron_integrations.litellm._transport import endpoint
from infron_integrations.openai_agents import InfronProvider
from infron_integrations.openai_agents import tracing as agents_tracing
from infron_integrations.sandbox import SandboxConfig, SandboxServer

SECRET = make_secret("rel")
WRONG = make_secret("wrong")
CHAT = "openai/gpt-4o-mini"
USER = [{"role": "user", "content": "hi"}]


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(api_keys=(SECRET,))) as sandbox:
        yield sandbox


def _try(errors: list[BaseException], call: Any) -> Any:
    try:
        return call()
    except Exception as exc:
        errors.append(exc)
        return None


# --- every adapter, end to end ------------------------------------------------------------------


def _langchain(server: SandboxServer, errors: list[BaseException]) -> list[Any]:
    def chat(model: str = CHAT, key: str = SECRET) -> ChatInfron:
        return ChatInfron(model=model, api_key=key, base_url=server.base_url, max_retries=1)

    results = [chat().invoke("hi"), list(chat().stream("hi"))]
    results.append(asyncio.run(chat().ainvoke("hi")))
    results.append(chat("sandbox/fault-fail-once:503").invoke("hi"))  # retried: logged
    _try(errors, lambda: chat("sandbox/fault-400").invoke("hi"))
    _try(errors, lambda: list(chat("sandbox/fault-malformed-sse").stream("hi")))
    _try(errors, lambda: list(chat("sandbox/fault-drop-mid-stream").stream("hi")))
    _try(errors, lambda: chat(key=WRONG).invoke("hi"))
    embeddings = InfronEmbeddings(
        model="qwen/qwen3-embedding-0.6b", api_key=SECRET, base_url=server.base_url
    )
    results.append(embeddings.embed_query("hi"))
    rerank = InfronRerank(
        model="qwen/qwen3-reranker-0.6b", api_key=SECRET, base_url=server.base_url
    )
    results.append(rerank.rerank("cat", ["a cat", "a dog"]))
    return results


def _litellm(server: SandboxServer, errors: list[BaseException], **auth: Any) -> list[Any]:
    base = {"api_base": server.base_url, "max_retries": 1, **auth}

    def call(model: str = CHAT, **kwargs: Any) -> Any:
        return litellm.completion(model="infron/" + model, messages=USER, **{**base, **kwargs})

    results = [call(), list(call(stream=True)), call("sandbox/fault-fail-once:503")]

    async def acall() -> Any:
        return await litellm.acompletion(model="infron/" + CHAT, messages=USER, **base)

    results.append(asyncio.run(acall()))
    _try(errors, lambda: call("sandbox/fault-400"))
    _try(errors, lambda: list(call("sandbox/fault-malformed-sse", stream=True)))
    _try(errors, lambda: call(api_key=WRONG))
    results.append(
        litellm.embedding(model="infron/qwen/qwen3-embedding-0.6b", input=["hi"], **base)
    )
    results.append(
        litellm_rerank(
            model="infron/qwen/qwen3-reranker-0.6b",
            query="cat",
            documents=["a cat", "a dog"],
            api_key=auth.get("api_key") or os.environ.get("INFRON_API_KEY"),
            api_base=server.base_url,
        )
    )
    return results


def _agents(server: SandboxServer, errors: list[BaseException]) -> list[Any]:
    provider = InfronProvider(api_key=SECRET, base_url=server.base_url, max_retries=1)
    config = RunConfig(model_provider=provider)

    async def run(model: str, streamed: bool = False) -> Any:
        agent = Agent(name="secrets", model=model)
        if not streamed:
            return await Runner.run(agent, "hi", run_config=config)
        result = Runner.run_streamed(agent, "hi", run_config=config)
        async for _ in result.stream_events():
            pass
        return result

    results = [asyncio.run(run(CHAT)), asyncio.run(run(CHAT, streamed=True))]
    results.append(asyncio.run(run("sandbox/fault-fail-once:503")))
    _try(errors, lambda: asyncio.run(run("sandbox/fault-400")))
    _try(errors, lambda: asyncio.run(run("sandbox/fault-malformed-sse", streamed=True)))
    wrong = InfronProvider(api_key=WRONG, base_url=server.base_url, max_retries=0)
    _try(
        errors,
        lambda: asyncio.run(
            Runner.run(
                Agent(name="w", model=CHAT), "hi", run_config=RunConfig(model_provider=wrong)
            )
        ),
    )
    return results


def _core(server: SandboxServer, errors: list[BaseException]) -> list[Any]:
    http = InfronHTTP(InfronSettings.resolve(SECRET, server.base_url, max_retries=0))
    results = [http.models(), http.balance()]
    wrong = InfronHTTP(InfronSettings.resolve(WRONG, server.base_url, max_retries=0))
    _try(errors, wrong.balance)
    return results


def test_key_never_in_logs_printed_output_or_exceptions(
    server: SandboxServer, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(litellm, "set_verbose", True)  # LiteLLM's own debug prints, too
    errors: list[BaseException] = []
    with debug_logs() as capture:
        results = _langchain(server, errors)
        results += _litellm(server, errors, api_key=SECRET)
        results += _agents(server, errors)
        results += _core(server, errors)
    out, err = capfd.readouterr()
    # the capture saw the traffic: requests were logged at DEBUG by the HTTP clients
    assert len(capture.lines) > 200
    assert "openai._base_client" in capture.names
    # the SDKs' HTTP library (httpx under openai 2, httpx2 under openai 3); the LiteLLM handler's
    # own HTTP/1.1 client (litellm/_http1.py) logs nothing at all
    assert capture.names & {"httpx", "httpx2"}
    assert any(server.base_url in line for line in capture.lines)
    assert len(errors) == 11, [type(e).__name__ for e in errors]
    for secret in (SECRET, WRONG):
        assert not leaks(secret, capture.lines), leaks(secret, capture.lines)[:3]
        assert not leaks(secret, [out, err]), leaks(secret, [out, err])[:3]
        texts = [exception_texts(e) for e in errors]
        assert not leaks(secret, texts), leaks(secret, texts)[:3]
        assert not leaks(secret, [repr(r) for r in results])


@pytest.mark.filterwarnings("ignore:The function `loads` is in beta")
def test_key_never_in_reprs_or_serializations(server: SandboxServer) -> None:
    settings = InfronSettings.resolve(SECRET, server.base_url)
    llm = ChatInfron(model=CHAT, api_key=SECRET, base_url=server.base_url)
    chain = ChatPromptTemplate.from_messages([("user", "{q}")]) | llm
    embeddings = InfronEmbeddings(
        model="qwen/qwen3-embedding-0.6b", api_key=SECRET, base_url=server.base_url
    )
    rerank = InfronRerank(
        model="qwen/qwen3-reranker-0.6b", api_key=SECRET, base_url=server.base_url
    )
    provider = InfronProvider(api_key=SECRET, base_url=server.base_url)
    objects: list[Any] = [
        settings,
        llm,
        llm.root_client,
        llm.root_async_client,
        embeddings,
        rerank,
        chain,
        handler,
        endpoint(SECRET, server.base_url),
        provider,
        provider.get_model(CHAT),
        InfronHTTP(settings),
    ]
    texts = [repr(o) for o in objects] + [str(o) for o in objects]
    texts += [
        settings.model_dump_json(),
        repr(settings.model_dump()),
        repr(settings.public_headers()),
    ]
    for model in (llm, embeddings, rerank):
        texts += [repr(model.model_dump()), model.model_dump_json(), dumps(model)]
        texts += [repr(dumpd(model))]
        if isinstance(model, Serializable):
            texts.append(repr(model.to_json()))
    texts += [dumps(chain), repr(llm._get_invocation_params()), repr(llm._get_ls_params())]
    message = llm.invoke("hi")
    texts += [dumps(message), repr(message), message.model_dump_json()]
    assert not leaks(SECRET, texts), leaks(SECRET, texts)[:3]
    # the key is serialized by name; loading it back needs the secret from the caller
    serialized = dumps(llm)
    assert '"INFRON_API_KEY"' in serialized
    loaded = loads(
        serialized,
        secrets_map={"INFRON_API_KEY": SECRET},
        valid_namespaces=["infron_integrations"],
        allowed_objects=[ChatInfron],
    )
    assert loaded.invoke("hi").content.startswith('You said: "hi"')


# --- LiteLLM logging payloads ------------------------------------------------------------------


class _Payloads(CustomLogger):  # type: ignore[misc]
    """Every kwargs dict LiteLLM hands its logging callbacks."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, dict[str, Any]]] = []

    # LiteLLM calls these with keyword arguments: the parameter names matter
    def log_success_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self.events.append(("success", kwargs))

    def log_failure_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self.events.append(("failure", kwargs))

    async def async_log_success_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self.events.append(("success", kwargs))

    async def async_log_failure_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self.events.append(("failure", kwargs))


_PAYLOADS = _Payloads()  # LiteLLM keeps one logger per class: one instance for the session


@pytest.fixture
def payloads() -> Iterator[_Payloads]:
    if _PAYLOADS not in litellm.callbacks:
        litellm.callbacks = [*litellm.callbacks, _PAYLOADS]
    _PAYLOADS.events.clear()
    yield _PAYLOADS
    _PAYLOADS.events.clear()


def _wait_for_events(payloads: _Payloads, count: int) -> None:
    import time

    deadline = time.monotonic() + 10
    while len(payloads.events) < count and time.monotonic() < deadline:
        time.sleep(0.05)  # LiteLLM logs success from a background thread


def test_litellm_payloads_never_carry_a_key_litellm_was_not_given(
    server: SandboxServer, payloads: _Payloads, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the usual setup: the key in INFRON_API_KEY, read by the adapter, never handed to LiteLLM
    monkeypatch.setenv("INFRON_API_KEY", SECRET)
    errors: list[BaseException] = []
    _litellm(server, errors)
    _wait_for_events(payloads, 7)
    assert len(payloads.events) >= 7
    assert {kind for kind, _ in payloads.events} == {"success", "failure"}
    texts = [repr(kwargs) for _, kwargs in payloads.events]
    assert not leaks(SECRET, texts), leaks(SECRET, texts)[:3]


def test_litellm_payloads_keep_a_given_key_only_in_its_own_arguments(
    server: SandboxServer, payloads: _Payloads
) -> None:
    # passed as api_key=..., LiteLLM records its own arguments (litellm_params["api_key"]), as it
    # does for every provider; what it exports to logging integrations (the standard logging
    # payload) and everything else it hands the callbacks stay clean
    errors: list[BaseException] = []
    _litellm(server, errors, api_key=SECRET)
    _wait_for_events(payloads, 7)
    assert len(payloads.events) >= 7
    for _, kwargs in payloads.events:
        standard = kwargs.get("standard_logging_object")
        assert standard is not None
        assert not leaks(SECRET, [repr(standard)])
        rest = {k: v for k, v in kwargs.items() if k != "litellm_params"}
        params = {k: v for k, v in (kwargs.get("litellm_params") or {}).items() if k != "api_key"}
        assert not leaks(SECRET, [repr(rest), repr(params)]), leaks(SECRET, [repr(rest)])[:2]


# --- trace exports -------------------------------------------------------------------------------


def test_langchain_trace_export_has_no_key(server: SandboxServer) -> None:
    from langchain_core.tracers.langchain import LangChainTracer, wait_for_all_tracers
    from langsmith import Client

    with Collector() as collector:
        client = Client(api_url=collector.url, api_key="lsv2-test-not-a-real-key")
        tracer = LangChainTracer(client=client, project_name="reliability")
        config: Any = {"callbacks": [tracer]}
        llm = ChatInfron(model=CHAT, api_key=SECRET, base_url=server.base_url, max_retries=0)
        llm.invoke("hi", config=config)
        list(llm.stream("hi", config=config))
        bad = ChatInfron(model="sandbox/fault-400", api_key=SECRET, base_url=server.base_url)
        with pytest.raises(Exception, match="Infron 400"):
            bad.invoke("hi", config=config)
        wait_for_all_tracers()
        client.flush()
        texts = collector.texts()
    runs = [t for t in texts if "/runs" in t]
    assert runs and any("gpt-4o-mini" in t for t in runs)  # the runs were exported, with params
    assert not leaks(SECRET, texts), leaks(SECRET, texts)[:3]


@pytest.fixture
def agents_exporter(monkeypatch: pytest.MonkeyPatch) -> Iterator[Collector]:
    """The Agents SDK's trace exporter, pointed at a loopback collector for the test."""
    exporter = default_exporter()
    saved = (exporter.endpoint, exporter._api_key, vars(exporter).get("api_key"))
    # the adapter's export guard starts clean: only this test's providers protect their keys
    guard = agents_tracing._guard
    saved_guard = (guard.protected, guard.disabled, guard._warned)
    guard.protected, guard.disabled, guard._warned = frozenset(), False, False
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with Collector() as collector:
        exporter.endpoint = collector.url + "/v1/traces/ingest"
        exporter.set_api_key(None)  # type: ignore[arg-type]
        vars(exporter).pop("api_key", None)
        set_tracing_disabled(False)
        try:
            yield collector
        finally:
            flush_traces()
            set_tracing_disabled(True)
            exporter.endpoint, exporter._api_key = saved[0], saved[1]
            vars(exporter).pop("api_key", None)
            if saved[2] is not None:
                vars(exporter)["api_key"] = saved[2]
            guard.protected, guard.disabled, guard._warned = saved_guard


def test_agents_trace_export_has_no_key(server: SandboxServer, agents_exporter: Collector) -> None:
    default_exporter().set_api_key("sk-openai-trace-export-test")
    errors: list[BaseException] = []
    _agents(server, errors)
    flush_traces()
    texts = agents_exporter.texts()
    assert texts and any('"secrets"' in t for t in texts)  # the agent's spans were exported
    assert len(errors) == 3
    assert not leaks(SECRET, texts), leaks(SECRET, texts)[:3]


def test_agents_trace_export_never_authenticates_with_the_infron_key(
    server: SandboxServer, agents_exporter: Collector, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a gateway setup that puts the Infron key in OPENAI_API_KEY: export must not use it
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    _agents(server, [])
    flush_traces()
    assert not leaks(SECRET, agents_exporter.texts())


# --- the LiteLLM proxy ---------------------------------------------------------------------------


@pytest.mark.litellm_proxy
def test_proxy_log_and_errors_have_no_key(rel_proxy: Any, infron_sandbox: Any) -> None:
    import openai

    client = rel_proxy.client()
    client.chat.completions.create(model="infron/" + CHAT, messages=USER)  # type: ignore[arg-type]
    list(client.chat.completions.create(model="infron/" + CHAT, messages=USER, stream=True))  # type: ignore[arg-type]
    texts = []
    for fault in ("400", "401", "malformed-sse"):
        with pytest.raises(openai.APIError) as info:
            client.chat.completions.create(model=f"infron/sandbox/fault-{fault}", messages=USER)  # type: ignore[arg-type]
        texts.append(exception_texts(info.value))
    log = rel_proxy.log.read_text(errors="replace")
    assert "Infron 400" in log  # the proxy logged the failures it answered
    key = infron_sandbox.api_key
    assert not leaks(key, [log, *texts]), leaks(key, [log, *texts])[:3]
