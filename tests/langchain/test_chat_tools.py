"""ChatInfron tools, structured output and multimodal inputs (wire shapes and results).

Docs: Tool Calling, Structured Outputs, Images Inputs, PDF Inputs (``file`` parts with a URL or a
data URL in ``file_data``), Audio Inputs (base64 ``input_audio``).
"""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from pydantic import BaseModel, Field

CHAT = "/v1/chat/completions"


@tool
def get_weather(city: str) -> str:
    """Weather for a city."""
    return f"sunny in {city}"


@tool
def get_time(city: str) -> str:
    """Local time in a city."""
    return "12:00"


class Answer(BaseModel):
    """An answer with a confidence."""

    answer: str = Field(description="the answer")
    confidence: int = Field(description="0 to 100")


def _body(sandbox: Any) -> dict[str, Any]:
    return sandbox.last_request(CHAT).body  # type: ignore[no-any-return]


def _merge(chunks: list[Any]) -> Any:
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    return full


@pytest.mark.parametrize("mode", ["invoke", "stream", "ainvoke"])
def test_parallel_tool_calls(infron_sandbox: Any, chat_model_factory: Any, mode: str) -> None:
    llm = chat_model_factory().bind_tools([get_weather, get_time])
    prompt = "Use get_weather and get_time for Lisbon."
    if mode == "invoke":
        message = llm.invoke(prompt)
    elif mode == "stream":
        message = _merge(list(llm.stream(prompt)))
    else:
        message = asyncio.run(llm.ainvoke(prompt))
    assert [c["name"] for c in message.tool_calls] == ["get_weather", "get_time"]
    assert all(c["id"] and isinstance(c["args"].get("city"), str) for c in message.tool_calls)
    tools = _body(infron_sandbox)["tools"]
    assert [t["function"]["name"] for t in tools] == ["get_weather", "get_time"]
    assert tools[0]["function"]["parameters"]["required"] == ["city"]


def test_tool_choice_and_the_answer_after_tool_results(
    infron_sandbox: Any, chat_model_factory: Any
) -> None:
    llm = chat_model_factory().bind_tools(
        [get_weather, get_time], tool_choice="get_time", parallel_tool_calls=False
    )
    first = llm.invoke("What time is it in Rome?")
    body = _body(infron_sandbox)
    assert body["tool_choice"] == {"type": "function", "function": {"name": "get_time"}}
    assert body["parallel_tool_calls"] is False
    call = first.tool_calls[0]
    assert call["name"] == "get_time"

    result = ToolMessage("13:45", tool_call_id=call["id"])
    answer = llm.invoke([HumanMessage("What time is it in Rome?"), first, result])
    sent = _body(infron_sandbox)["messages"]
    assert sent[1]["tool_calls"][0]["id"] == call["id"]
    assert sent[2] == {"role": "tool", "tool_call_id": call["id"], "content": "13:45"}
    assert answer.content == "Based on get_time: 13:45."


@pytest.mark.parametrize("method", ["function_calling", "json_schema", "json_mode"])
@pytest.mark.parametrize("stream", [False, True])
def test_structured_output(
    infron_sandbox: Any, chat_model_factory: Any, method: str, stream: bool
) -> None:
    llm = chat_model_factory()
    schema: Any = Answer
    if method == "json_mode":

        class Loose(BaseModel):  # the sandbox's JSON-mode answer is {"answer": "..."}
            answer: str

        schema = Loose
    structured = llm.with_structured_output(schema, method=method)
    prompt = "Is the sky blue? Reply in JSON."
    result = list(structured.stream(prompt))[-1] if stream else structured.invoke(prompt)
    assert isinstance(result, schema)
    body = _body(infron_sandbox)
    if method == "function_calling":
        assert body["tool_choice"] == {"type": "function", "function": {"name": "Answer"}}
        assert body["tools"][0]["function"]["name"] == "Answer"
    elif method == "json_schema":
        response_format = body["response_format"]
        assert response_format["type"] == "json_schema"
        assert response_format["json_schema"]["name"] == "Answer"
        assert response_format["json_schema"]["strict"] is True
        assert response_format["json_schema"]["schema"]["required"] == ["answer", "confidence"]
    else:
        assert body["response_format"] == {"type": "json_object"}


def test_structured_output_include_raw_keeps_cost(chat_model_factory: Any) -> None:
    structured = chat_model_factory().with_structured_output(
        Answer, method="json_schema", include_raw=True
    )
    out = structured.invoke("Is water wet?")
    assert isinstance(out["parsed"], Answer)
    raw: AIMessage = out["raw"]
    assert raw.response_metadata["cost"] > 0
    assert out["parsing_error"] is None


def test_images_pdfs_and_audio_reach_the_wire_as_documented(
    infron_sandbox: Any, chat_model_factory: Any, chat_media: dict[str, bytes]
) -> None:
    png = base64.b64encode(chat_media["png"]).decode()
    pdf = base64.b64encode(chat_media["pdf"]).decode()
    wav = base64.b64encode(chat_media["wav"]).decode()
    message = HumanMessage(
        [
            {"type": "text", "text": "Describe all of these."},
            {"type": "image", "url": "https://example.invalid/cat.png"},
            {"type": "image", "base64": png, "mime_type": "image/png"},
            {"type": "file", "base64": pdf, "mime_type": "application/pdf", "filename": "a.pdf"},
            {"type": "file", "url": "https://example.invalid/docs/paper.pdf"},
            {"type": "audio", "base64": wav, "mime_type": "audio/wav"},
        ]
    )
    answer = chat_model_factory().invoke([message])
    parts = _body(infron_sandbox)["messages"][0]["content"]
    assert parts[1] == {
        "type": "image_url",
        "image_url": {"url": "https://example.invalid/cat.png"},
    }
    assert parts[2] == {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{png}"}}
    assert parts[3] == {
        "type": "file",
        "file": {"filename": "a.pdf", "file_data": f"data:application/pdf;base64,{pdf}"},
    }
    # PDF URLs: OpenAI's converter refuses them, Infron takes them in file_data
    assert parts[4] == {
        "type": "file",
        "file": {"filename": "paper.pdf", "file_data": "https://example.invalid/docs/paper.pdf"},
    }
    assert parts[5] == {"type": "input_audio", "input_audio": {"data": wav, "format": "wav"}}
    assert "I see 2 images, 2 files and 1 audio clip." in answer.content
    assert answer.usage_metadata["input_token_details"]["audio"] > 0
