"""Structured output with LiteLLM's ``infron/`` provider: a pydantic object from the model.

    python examples/litellm_structured_output.py

``response_format=<pydantic class>`` makes LiteLLM send the class's JSON schema as a
``json_schema`` response format (the Infron docs' "Structured Outputs"); the answer is JSON that
validates into the class. Without ``INFRON_API_KEY`` it runs against the built-in sandbox.
"""

from __future__ import annotations

import os

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no price-table download

import litellm
from pydantic import BaseModel, Field

from infron_integrations.gateway import live_or_sandbox
from infron_integrations.litellm import register

MODEL = "infron/" + os.environ.get("INFRON_CHAT_MODEL", "openai/gpt-4o-mini")


class City(BaseModel):
    """A city and a few facts about it."""

    name: str = Field(description="The city's name")
    country: str = Field(description="The country it is in")
    population: int = Field(description="Approximate number of inhabitants")
    landmarks: list[str] = Field(description="Two or three famous landmarks")


def main() -> None:
    register()
    with live_or_sandbox():
        response = litellm.completion(
            model=MODEL,
            messages=[{"role": "user", "content": "Tell me about Lisbon."}],
            response_format=City,
        )
        raw = response.choices[0].message.content
        print(f"raw JSON: {raw}")
        city = City.model_validate_json(raw)
        print(f"parsed: {city!r}")
        print(f"type: {type(city).__name__}, name={city.name!r}, population={city.population}")
        print(f"cost: ${response._hidden_params['response_cost']:.8f}")


if __name__ == "__main__":
    main()
