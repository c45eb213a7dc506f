"""The search tools' framework-free pieces: the model-facing arguments and the tool output.

Docs: "Search". The LangChain tools, the Agents SDK tools and :meth:`InfronSearch.run_tool
<infron_integrations.core.search.InfronSearch.run_tool>` (for an OpenAI-style tool loop with
LiteLLM or the OpenAI SDK) all take the same arguments from the model and return the same text,
so an agent sees the same tool whichever framework runs it.

Usage (LiteLLM)::

    search = InfronSearch(framework="litellm")
    tools = [search_tool_definition()]
    reply = litellm.completion(model="infron/openai/gpt-4o-mini", messages=messages, tools=tools)
    for call in reply.choices[0].message.tool_calls or ():
        messages.append({"role": "tool", "tool_call_id": call.id,
                         "content": search.run_tool(call.function.arguments)})
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .errors import InfronConfigError
from .search_wire import DeepSearchResponse, SearchHit, SearchResponse

__all__ = [
    "SEARCH_TOOL_DESCRIPTION",
    "TOOL_CONTENT_CHARS",
    "DeepSearchToolInput",
    "ExtractToolInput",
    "SearchToolInput",
    "search_tool_definition",
    "tool_output",
]

#: per-result text cut in tool output (a page of markdown would flood the model's context)
TOOL_CONTENT_CHARS = 2000


class _ToolInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @classmethod
    def parse(cls, arguments: str | Mapping[str, Any]) -> Any:
        """Validate a model's tool-call arguments (a JSON string or a dict)."""
        try:
            data = json.loads(arguments) if isinstance(arguments, str) else dict(arguments)
            return cls.model_validate(data)
        except (ValueError, TypeError) as exc:  # ValidationError is a ValueError
            raise InfronConfigError(f"Invalid {cls.__name__} arguments: {exc}") from None

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """The arguments' JSON schema, in the strict form tool-calling APIs accept."""
        schema = cls.model_json_schema()
        schema.pop("title", None)
        schema.pop("description", None)  # the class docstring is for readers, not the model
        for prop in schema.get("properties", {}).values():
            prop.pop("title", None)
            # strict tool schemas (OpenAI's structured outputs) refuse minLength; parse() checks it
            prop.pop("minLength", None)
        schema["required"] = list(schema.get("properties", {}))
        schema["additionalProperties"] = False
        return schema


class SearchToolInput(_ToolInput):
    """What the model sends to the search tool."""

    query: str = Field(min_length=1, description="What to search the web for.")


class ExtractToolInput(_ToolInput):
    """What the model sends to the extract tool."""

    urls: list[str] = Field(min_length=1, description="The web page URLs to read.")


class DeepSearchToolInput(_ToolInput):
    """What the model sends to the DeepSearch tool."""

    question: str = Field(min_length=1, description="The question to research on the web.")


SEARCH_TOOL_DESCRIPTION = (
    "Search the web. Returns JSON with the results (title, url, content and, when known, score "
    "and published_date), best first."
)


def search_tool_definition(
    name: str = "infron_search", description: str = SEARCH_TOOL_DESCRIPTION
) -> dict[str, Any]:
    """The search tool as an OpenAI-style ``tools`` entry (for LiteLLM or the OpenAI SDK).

    Run the model's calls of it with :meth:`InfronSearch.run_tool`.
    """
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": SearchToolInput.json_schema(),
        },
    }


def _cut(text: str, limit: int | None) -> str:
    if limit is None or len(text) <= limit:
        return text
    return text[:limit] + " [...]"


def tool_output(
    response: SearchResponse | DeepSearchResponse | Iterable[SearchHit],
    *,
    max_results: int | None = None,
    content_chars: int | None = TOOL_CONTENT_CHARS,
) -> str:
    """The text a tool returns to the model: JSON ``{"answer": ..., "results": [...]}``.

    Each result has ``title``, ``url``, ``content`` (cut at ``content_chars``, marked ``[...]``)
    and ``score`` / ``published_date`` when the engine gave them; ``answer`` is there when the
    engine answered (Tavily's ``include_answer``, DeepSearch).
    """
    if isinstance(response, (SearchResponse, DeepSearchResponse)):
        hits = response.hits
    else:
        hits = list(response)
    results = []
    for hit in hits[:max_results] if max_results is not None else hits:
        item = hit.model_dump(
            include={"title", "url", "score", "published_date"}, exclude_none=True
        )
        item["content"] = _cut(hit.content, content_chars)
        results.append(item)
    out: dict[str, Any] = {}
    answer = getattr(response, "answer", None)
    if isinstance(answer, str) and answer:
        out["answer"] = answer  # first: the model reads it before the sources
    out["results"] = results
    return json.dumps(out, ensure_ascii=False)
