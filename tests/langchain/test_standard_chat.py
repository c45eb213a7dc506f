"""langchain-tests' standard suites for ChatInfron: unit, and integration against the sandbox.

The integration suite runs in the normal test command over loopback HTTP against the session's
sandbox (``INFRON_API_KEY``/``INFRON_BASE_URL`` point at it, so the model is built the way a
user builds it). The live class runs the same suite against the real gateway.

Skips, each a capability flag with its reason:

* ``test_stream_time``: VCR cassettes record a real gateway; the sandbox is local and
  deterministic already (``enable_vcr_tests`` is False).
* ``test_audio_inputs`` ... see the flags below: every flag that is False says why.

The capability flags the model's profile covers (tool calling, tool choice, structured output,
image, image-URL and PDF inputs) are read from ``ChatInfron(...).profile``, so a wrong profile
changes which standard tests run and each claim it makes is exercised end to end.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from langchain_core.load import load
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_tests.integration_tests import ChatModelIntegrationTests
from langchain_tests.unit_tests import ChatModelUnitTests
from langchain_tests.unit_tests import chat_models as unit_suite

from infron_integrations.langchain import ChatInfron

MODEL = "openai/gpt-4o-mini"
REASONING_MODEL = "deepseek/deepseek-r1"

# A long, stable system prompt: the prefix that prompt caching stores and then reads.
_LONG_SYSTEM = " ".join(
    f"Rule {i}: answer politely, concisely and accurately about topic number {i}."
    for i in range(60)
)


def _profile() -> dict[str, Any]:
    """The shipped profile of MODEL (the test's catalog cache is empty: no refresh applies)."""
    profile = ChatInfron(model=MODEL, api_key="profile-only").profile
    assert profile, f"no profile for {MODEL}"
    return dict(profile)


class _ProfileFlags:
    """Standard-suite flags taken from the model's profile."""

    @property
    def has_tool_calling(self) -> bool:
        return bool(_profile()["tool_calling"])

    @property
    def has_tool_choice(self) -> bool:
        return bool(_profile()["tool_choice"])

    @property
    def has_structured_output(self) -> bool:
        return bool(_profile()["structured_output"])

    @property
    def supports_image_inputs(self) -> bool:
        return bool(_profile()["image_inputs"])

    @property
    def supports_image_urls(self) -> bool:
        return bool(_profile()["image_url_inputs"])

    @property
    def supports_pdf_inputs(self) -> bool:
        return bool(_profile()["pdf_inputs"])

    @property
    def supports_audio_inputs(self) -> bool:
        # Not from the profile: MODEL's says audio_inputs=False (OpenAI takes audio on its audio
        # models). The sandbox accepts input_audio parts for any model, so the standard audio
        # test still checks the wire format ChatInfron sends.
        return True


class TestChatInfronUnit(_ProfileFlags, ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[ChatInfron]:
        return ChatInfron

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": MODEL, "api_key": "unit-test-key"}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"INFRON_API_KEY": "env-key", "INFRON_BASE_URL": "http://127.0.0.1:9/v1"},
            {"model": MODEL},
            {"openai_api_key": "env-key", "openai_api_base": "http://127.0.0.1:9/v1"},
        )

    @property
    def supports_json_mode(self) -> bool:
        return True

    @pytest.fixture(autouse=True)
    def _allow_chat_infron_in_load(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Load as docs/langchain.md says, in the standard ``test_serdes``.

        That test loads with ``allowed_objects="all"``, which in langchain-core means the classes
        of its own serialization mapping (its partner packages); a third-party class is allowed
        by name. The suite's ``load`` is given the documented settings instead.
        """

        def documented_load(obj: Any, **kwargs: Any) -> Any:
            if kwargs.get("allowed_objects") == "all":
                kwargs["allowed_objects"] = [ChatInfron]
            return load(obj, **kwargs)

        monkeypatch.setattr(unit_suite, "load", documented_load)


class _SandboxChatSuite(_ProfileFlags, ChatModelIntegrationTests):
    """Flags and hooks shared by the sandbox and the live runs."""

    @property
    def chat_model_class(self) -> type[ChatInfron]:
        return ChatInfron

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": MODEL}

    @property
    def model_override_value(self) -> str:
        return "openai/gpt-4o"

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def supports_image_tool_message(self) -> bool:
        return True

    @property
    def supports_pdf_tool_message(self) -> bool:
        return True

    @property
    def supports_anthropic_inputs(self) -> bool:
        # Anthropic-format content (tool_use/tool_result blocks) is for ChatAnthropic; Infron's
        # chat completions speak the OpenAI format, which langchain-openai's converter emits.
        return False

    @property
    def enable_vcr_tests(self) -> bool:
        # VCR replays recordings of a real gateway; the sandbox is local and deterministic.
        return False

    @property
    def supported_usage_metadata_details(self) -> dict[str, list[Any]]:
        details = ["reasoning_output", "cache_read_input", "cache_creation_input"]
        return {"invoke": list(details), "stream": list(details)}

    # hooks for the usage-detail checks -----------------------------------------------------

    def _run(self, llm: ChatInfron, messages: list[Any], *, stream: bool) -> AIMessage:
        if not stream:
            result = llm.invoke(messages)
            assert isinstance(result, AIMessage)
            return result
        full: Any = None
        for chunk in llm.stream(messages):
            full = chunk if full is None else full + chunk
        assert isinstance(full, AIMessage)
        return full

    def invoke_with_reasoning_output(self, *, stream: bool = False) -> AIMessage:
        llm = ChatInfron(model=REASONING_MODEL, reasoning={"effort": "high"})
        return self._run(llm, [HumanMessage("Is 9.11 bigger than 9.9?")], stream=stream)

    def _cached(self, *, stream: bool, salt: str) -> tuple[AIMessage, AIMessage]:
        llm = ChatInfron(model="anthropic/claude-haiku-4.5", prompt_cache=True)
        messages = [SystemMessage(f"{salt} {_LONG_SYSTEM}"), HumanMessage("Hello")]
        first = self._run(llm, messages, stream=stream)
        second = self._run(llm, messages, stream=stream)
        return first, second

    def invoke_with_cache_creation_input(self, *, stream: bool = False) -> AIMessage:
        first, _ = self._cached(stream=stream, salt=f"creation-{stream}")
        return first

    def invoke_with_cache_read_input(self, *, stream: bool = False) -> AIMessage:
        _, second = self._cached(stream=stream, salt=f"read-{stream}")
        return second


class TestChatInfronSandbox(_SandboxChatSuite):
    """The standard integration suite, over loopback HTTP against the sandbox."""

    @pytest.fixture(autouse=True)
    def _sandbox_env(
        self,
        request: pytest.FixtureRequest,
        infron_sandbox: Any,
        chat_media: dict[str, bytes],
        chat_body: Any,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setenv("INFRON_API_KEY", infron_sandbox.api_key)
        monkeypatch.setenv("INFRON_BASE_URL", infron_sandbox.base_url)
        _offline_downloads(monkeypatch, chat_media)
        scripted = _SCRIPTED.get(request.node.originalname)
        if scripted is not None:
            for body, times in scripted(chat_body):
                infron_sandbox.script(body, times=times)


def _offline_downloads(monkeypatch: pytest.MonkeyPatch, media: dict[str, bytes]) -> None:
    """The standard multimodal tests download sample files; serve local ones instead.

    Only loopback is reachable here. The files are valid PNG/PDF/WAV data, so the request the
    sandbox receives has the same shape as with the originals.
    """
    real_get = httpx.get

    def fake_get(url: Any, *args: Any, **kwargs: Any) -> httpx.Response:
        text = str(url)
        if text.startswith(("http://127.0.0.1", "http://localhost")):
            return real_get(url, *args, **kwargs)
        suffix = text.rsplit(".", 1)[-1].lower()
        kind = {"png": "png", "jpg": "png", "pdf": "pdf", "wav": "wav"}.get(suffix, "png")
        return httpx.Response(200, content=media[kind], request=httpx.Request("GET", text))

    monkeypatch.setattr(httpx, "get", fake_get)


def _joke_answers(chat_completion_body: Any) -> list[tuple[dict[str, Any], int]]:
    # JSON mode has no schema on the wire; the sandbox's own json_object answer has a fixed
    # shape, so the model's answer is scripted (4 calls: invoke and stream, class and schema).
    joke = json.dumps(
        {"setup": "Why did the cat sit on the laptop?", "punchline": "To keep an eye on the mouse."}
    )
    return [(chat_completion_body(joke), 4)]


def _unicode_answers(chat_completion_body: Any) -> list[tuple[dict[str, Any], int]]:
    # The sandbox fills tool arguments from the schema, not from the prompt's names; script the
    # model's choice (the arguments stay JSON-escaped on the wire, as providers send them).
    def call(name: str) -> dict[str, Any]:
        args = json.dumps({"customer_name": name, "description": "company"})  # \\uXXXX escapes
        return chat_completion_body(
            None,
            tool_calls=[
                {
                    "id": "call_unicode",
                    "type": "function",
                    "function": {"name": "unicode_customer", "arguments": args},
                }
            ],
        )

    return [(call("你好啊集团"), 1), (call("こんにちは株式会社"), 1)]


_SCRIPTED = {
    "test_json_mode": _joke_answers,
    "test_unicode_tool_call_integration": _unicode_answers,
}


@pytest.mark.live
class TestChatInfronLive(_SandboxChatSuite):
    """The same suite against the real gateway (``INFRON_API_KEY`` set; a key costs money)."""
