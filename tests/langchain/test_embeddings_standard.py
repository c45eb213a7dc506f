"""langchain-tests' standard suites for InfronEmbeddings: unit, and integration against the sandbox.

The live class runs the same integration suite against the real gateway (INFRON_API_KEY set).
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_tests.integration_tests import EmbeddingsIntegrationTests
from langchain_tests.unit_tests import EmbeddingsUnitTests

from infron_integrations.langchain import InfronEmbeddings

MODEL = "qwen/qwen3-embedding-0.6b"


class TestInfronEmbeddingsUnit(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[InfronEmbeddings]:
        return InfronEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": MODEL, "api_key": "unit-test-key"}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"INFRON_API_KEY": "env-key", "INFRON_BASE_URL": "http://127.0.0.1:9/v1"},
            {"model": MODEL},
            {"api_key": "env-key", "base_url": "http://127.0.0.1:9/v1", "model": MODEL},
        )


class TestInfronEmbeddingsIntegration(EmbeddingsIntegrationTests):
    """The standard integration suite, over loopback HTTP against the sandbox."""

    @property
    def embeddings_class(self) -> type[InfronEmbeddings]:
        return InfronEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": MODEL}

    @pytest.fixture
    def model(self, infron_sandbox: Any) -> InfronEmbeddings:
        return InfronEmbeddings(
            **self.embedding_model_params,
            api_key=infron_sandbox.api_key,
            base_url=infron_sandbox.base_url,
        )


@pytest.mark.live
class TestInfronEmbeddingsLive(EmbeddingsIntegrationTests):
    """The standard integration suite against the real gateway (key and URL from the env)."""

    @property
    def embeddings_class(self) -> type[InfronEmbeddings]:
        return InfronEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": MODEL}
