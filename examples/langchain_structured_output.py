"""Structured output with LangChain's ``ChatInfron``: a pydantic object from the model.

    python examples/langchain_structured_output.py

``with_structured_output(Model)`` sends the pydantic model's JSON schema as a ``json_schema``
``response_format`` (the Infron docs' "Structured Outputs") and parses the answer into an
instance; ``include_raw=True`` also keeps the raw message with its cost. Without
``INFRON_API_KEY`` it runs against the built-in sandbox.
"""

from __future__ import annotations

import os

from pydantic import BaseModel, Field

from infron_integrations.gateway import live_or_sandbox
from infron_integrations.langchain import ChatInfron

MODEL = os.environ.get("INFRON_CHAT_MODEL", "openai/gpt-4o-mini")


class City(BaseModel):
    """A city and a few facts about it."""

    name: str = Field(description="The city's name")
    country: str = Field(description="The country it is in")
    population: int = Field(description="Approximate number of inhabitants")
    landmarks: list[str] = Field(description="Two or three famous landmarks")


def main() -> None:
    with live_or_sandbox():
        llm = ChatInfron(model=MODEL)
        structured = llm.with_structured_output(City, method="json_schema", include_raw=True)
        result = structured.invoke("Tell me about Lisbon.")
        city = result["parsed"]
        assert isinstance(city, City), result.get("parsing_error")
        print(f"parsed: {city!r}")
        print(f"type: {type(city).__name__}, name={city.name!r}, population={city.population}")
        print(f"cost: ${result['raw'].response_metadata.get('cost', 0):.8f}")


if __name__ == "__main__":
    main()
