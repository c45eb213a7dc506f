"""One validation story for the LangChain classes: every bad Infron option raises before sending.

Docs: Inference Provider Routing, Reasoning & Thinking, Web Search, Billing Tracking (the option
models of :mod:`infron_integrations.core.options`).

A LangChain user can put Infron options in constructor fields, call keywords, ``bind``,
``extra_body`` and ``model_kwargs``. Wherever they go, they are checked by the core's option
models before anything is sent, and a mistake raises the core's
:class:`~infron_integrations.core.InfronConfigError` with the core's message (the one the LiteLLM
and Agents adapters raise too):

* constructor keywords that are near misses of an option (``provder=``) are refused before
  LangChain would move them into ``model_kwargs`` with a warning;
* option fields are validated by the core (``provider={"sortt": ...}`` reads "Did you mean
  'sort'?");
* any other invalid setting, which pydantic reports as a ``ValidationError``, is raised as an
  ``InfronConfigError`` naming the field;
* ``extra_body`` and ``model_kwargs`` keys are checked for near misses, and the option objects
  they carry (``provider``, ``reasoning``, ``web_search_options``, ``usage``) are validated.
  They are still sent as given: ``extra_body`` is the raw escape hatch and wins over the typed
  options, as with ``ChatOpenAI``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from ..core.errors import InfronConfigError
from ..core.options import (
    BODY_OPTION_KEYS,
    OPTION_ALIASES,
    OPTION_BODY_KEYS,
    check_option_spelling,
    coerce_prompt_cache,
    option_layer,
    parse_options,
)

__all__ = ["NO_PREVIOUS_RESPONSE", "check_body_extras", "check_init_kwargs"]

#: why ``use_previous_response_id`` / ``previous_response_id`` are refused (docs: the Responses
#: API's OpenAPI file, whose responses carry ``previous_response_id`` typed null and ``store``)
NO_PREVIOUS_RESPONSE = (
    "use_previous_response_id / previous_response_id: Infron's Responses API does not keep "
    "responses to continue from (the docs' response schema has previous_response_id always null), "
    "so a reply would lose the conversation. Leave it unset: ChatInfron sends the whole "
    "conversation with every call."
)

#: ChatInfron's keywords that are not request-body keys -> what the body calls it (if anything)
_KEYWORD_ONLY = {
    name: OPTION_BODY_KEYS.get(OPTION_ALIASES.get(name, name))
    for name in ("web_search", "prompt_cache", "usage_accounting")
}
#: constructor fields that are Infron options, validated by the core before pydantic sees them
_OPTION_FIELDS = ("provider", "reasoning", "web_search", "prompt_cache")

_known: dict[type, frozenset[str]] = {}


def _known_names(cls: type[BaseModel]) -> frozenset[str]:
    names = _known.get(cls)
    if names is None:
        fields = cls.model_fields
        aliases = {f.alias for f in fields.values() if f.alias}
        names = _known[cls] = frozenset(fields) | frozenset(aliases)
    return names


def check_init_kwargs(cls: type[BaseModel], kwargs: dict[str, Any]) -> None:
    """Check a constructor's keywords in place, before pydantic runs.

    Near misses of an option raise; option fields given as dicts are replaced by the core's
    validated models (so their errors read as everywhere else).

    Raises:
        InfronConfigError: naming the keyword or field and how to fix it.
    """
    known = _known_names(cls)
    unknown = [key for key in kwargs if key not in known]
    if unknown:
        check_option_spelling(unknown)
    fields = {
        name: kwargs[name]
        for name in _OPTION_FIELDS
        if name in known and kwargs.get(name) is not None and not isinstance(kwargs[name], bool)
    }
    if fields:
        options = parse_options(**fields)
        for name in fields:
            kwargs[name] = getattr(options, name)
    if "prompt_cache" in known and isinstance(kwargs.get("prompt_cache"), bool):
        kwargs["prompt_cache"] = coerce_prompt_cache(kwargs["prompt_cache"])
    for name in ("extra_body", "model_kwargs"):
        if name in known and kwargs.get(name) is not None:
            check_body_extras(kwargs[name], name)


def check_body_extras(extra: Any, where: str = "extra_body") -> None:
    """Validate keys a user adds to the request body (``extra_body``, ``model_kwargs``).

    Raises:
        InfronConfigError: ``extra`` is not a dict, a key is a near miss of an option, a key is
            one of ChatInfron's keywords that the body does not know, or an option object in it
            is invalid.
    """
    if extra is None:
        return
    if not isinstance(extra, Mapping):
        raise InfronConfigError(f"{where} must be a dict; got {type(extra).__name__}.")
    try:
        check_option_spelling(extra)
    except InfronConfigError as exc:
        raise InfronConfigError(f"In {where}: {exc}") from None
    for key, body_key in _KEYWORD_ONLY.items():
        if key in extra:
            wire = f"; in the request body it is {body_key!r}" if body_key else ""
            raise InfronConfigError(
                f"In {where}: {key!r} is a ChatInfron option, not a request-body key{wire}. "
                f"Pass {key}=... to the model or the call instead."
            )
    layer = option_layer(extra, BODY_OPTION_KEYS)
    if layer:
        try:
            parse_options(layer)
        except InfronConfigError as exc:
            raise InfronConfigError(f"In {where}: {exc}") from None
