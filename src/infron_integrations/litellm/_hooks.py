"""A LiteLLM callback that lets OpenAI parameters LiteLLM refuses for custom providers through.

LiteLLM (1.106.2, 1.108.7 and 1.110.2 alike) checks a custom provider's parameters against its
generic OpenAI-compatible list before the handler is called, so for ``infron/`` models it refuses
``reasoning_effort`` and ``thinking`` unless the caller lists them in ``allowed_openai_params``,
and it refuses ``dimensions`` and ``encoding_format`` on embeddings whatever the caller says (the
``openai`` client sends ``encoding_format="base64"`` on every embeddings call, so the proxy's
embeddings route would always fail).

LiteLLM runs ``async_pre_call_deployment_hook`` of every callback in ``litellm.callbacks`` after the
deployment is chosen and before that check, on every async call (``acompletion``, ``aembedding``,
and so every proxy request). For ``infron/`` deployments only, this hook adds ``reasoning_effort``
and ``thinking`` to ``allowed_openai_params`` when they are present (the handler maps them onto
Infron's ``reasoning`` object), and moves ``dimensions``/``encoding_format`` into ``extra_body``,
which reaches the handler unchanged. Other providers' calls are not touched.

The synchronous SDK path has no such hook in LiteLLM: there, pass
``allowed_openai_params=["reasoning_effort", "thinking"]`` (or Infron's own ``reasoning={...}``),
and ``extra_body={"dimensions": ...}`` for embeddings.
"""

from __future__ import annotations

from typing import Any

from litellm.integrations.custom_logger import CustomLogger

__all__ = ["InfronHooks", "hooks"]

_REASONING = ("reasoning_effort", "thinking")
_EMBEDDING_PARAMS = ("dimensions", "encoding_format")
_CHAT_CALLS = frozenset({"acompletion", "completion"})
_EMBEDDING_CALLS = frozenset({"aembedding", "embedding"})


class InfronHooks(CustomLogger):  # type: ignore[misc]
    """LiteLLM callback for ``infron/`` deployments (see the module docstring).

    Args:
        providers: the model prefixes handled by :class:`~infron_integrations.litellm.InfronLLM`.
    """

    def __init__(self, providers: tuple[str, ...] = ("infron",)) -> None:
        super().__init__()
        self.providers = providers

    def __repr__(self) -> str:
        return f"InfronHooks(providers={self.providers!r})"

    def _ours(self, kwargs: dict[str, Any]) -> bool:
        if kwargs.get("custom_llm_provider") in self.providers:
            return True
        model = kwargs.get("model")
        return isinstance(model, str) and model.split("/", 1)[0] in self.providers

    async def async_pre_call_deployment_hook(
        self, kwargs: dict[str, Any], call_type: Any
    ) -> dict[str, Any] | None:
        """Adjust the kwargs of an ``infron/`` call before LiteLLM validates its parameters."""
        if not self._ours(kwargs):
            return None
        kind = getattr(call_type, "value", call_type)
        if kind in _CHAT_CALLS:
            wanted = [name for name in _REASONING if kwargs.get(name) is not None]
            if not wanted:
                return None
            allowed = list(kwargs.get("allowed_openai_params") or [])
            allowed += [name for name in wanted if name not in allowed]
            return {**kwargs, "allowed_openai_params": allowed}
        if kind in _EMBEDDING_CALLS:
            moved = {k: kwargs[k] for k in _EMBEDDING_PARAMS if kwargs.get(k) is not None}
            if not moved:
                return None
            out = {k: v for k, v in kwargs.items() if k not in moved}
            out["extra_body"] = {**(kwargs.get("extra_body") or {}), **moved}
            return out
        return None


#: The instance for ``litellm.callbacks`` / the proxy's ``litellm_settings.callbacks``;
#: :func:`~infron_integrations.litellm.register` adds it.
hooks = InfronHooks()
