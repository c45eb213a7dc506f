"""Infron options inside the Agents SDK's ``ModelSettings``, merged deeply across levels.

The SDK merges a run's ``ModelSettings`` over an agent's with ``ModelSettings.resolve``: a run-level
``extra_body`` replaces the agent's whole (the agent's routing is lost) and ``extra_args`` is merged
one key deep, then spread into ``chat.completions.create(**kwargs)``. The model is only ever given
the merged result, so nothing here can tell that an agent's ``extra_body`` was replaced. So each
:func:`infron_settings` call stores its options under a key of its own in ``extra_args``
(``"infron_options:<n>"``): both levels survive the SDK's merge, in agent-then-run order, and
:class:`InfronModel` takes them out again before the SDK builds the request.

The options of one call, lowest first (later layers win field by field):

1. the provider's defaults;
2. Infron keys (``provider``, ``reasoning``, ``web_search_options``, ``usage``) in the plain
   ``extra_body`` the SDK's merge kept (the run's if it set one, else the agent's);
3. the SDK's own ``ModelSettings.reasoning.effort``;
4. the :func:`infron_settings` layers: the agent's, then the run's.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import itertools
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from agents import ModelSettings

from ..core.errors import InfronConfigError
from ..core.options import (
    BODY_OPTION_KEYS,
    OPTION_HINTS,
    InfronOptions,
    PromptCache,
    ProviderPreferences,
    Reasoning,
    UsageAccounting,
    WebSearchOptions,
    check_option_spelling,
    merge_options,
    option_layer,
    parse_options,
    request_fragment,
)

__all__ = ["OPTIONS_KEY_PREFIX", "PreparedCall", "infron_settings", "prepare_call"]

#: the ``extra_args`` key prefix under which :func:`infron_settings` stores one options layer
OPTIONS_KEY_PREFIX = "infron_options:"

#: the Responses ``include`` value that returns a reasoning item's ``encrypted_content``
ENCRYPTED_REASONING = "reasoning.encrypted_content"

_counter = itertools.count(1)

#: what infron_settings() accepts besides ModelSettings' own fields
_INFRON_ARGS = ("provider", "reasoning", "web_search", "prompt_cache", "usage", "options", "base")


def infron_settings(
    *,
    provider: ProviderPreferences | Mapping[str, Any] | None = None,
    reasoning: Reasoning | Mapping[str, Any] | None = None,
    web_search: WebSearchOptions | Mapping[str, Any] | None = None,
    prompt_cache: PromptCache | Mapping[str, Any] | bool | None = None,
    usage: UsageAccounting | Mapping[str, Any] | bool | None = None,
    options: InfronOptions | Mapping[str, Any] | None = None,
    base: ModelSettings | None = None,
    **model_settings: Any,
) -> ModelSettings:
    """Build an agent's (or a run's) ``ModelSettings`` carrying Infron options.

    Implements, for the Agents SDK, the request options of the Infron docs sections "Inference
    Provider Routing" (``provider``), "Reasoning & Thinking" (``reasoning``), "Web Search"
    (``web_search``), "Prompt Caching" (``prompt_cache``) and "Billing Tracking" (``usage``).

    Options are validated now, so a typo fails here and not at request time. Use the result as
    ``Agent(model_settings=...)`` and/or ``RunConfig(model_settings=...)``: the provider's defaults,
    the agent's and the run's options are merged deeply, later levels winning field by field (a run
    that sets ``provider.sort`` keeps the agent's ``provider.order``). Infron keys found in an
    ``extra_body`` given here or on ``base`` are moved into this layer (keyword options win over
    them), so ``infron_settings(base=plain_settings)`` makes plain settings merge the same way.

    Args:
        provider: provider routing preferences.
        reasoning: the unified ``reasoning`` object (``effort`` and/or ``max_tokens``). The SDK's
            own ``ModelSettings(reasoning=Reasoning(effort=...))`` works too and is sent the same
            way (as the ``reasoning`` object, never as ``reasoning_effort``).
        web_search: ``web_search_options`` for chat completions.
        prompt_cache: automatic ``cache_control`` breakpoints (``True`` for the defaults).
        usage: usage accounting (on by default; ``False`` turns the cost report off).
        options: all of the above as one :class:`InfronOptions` or dict (keyword fields win).
        base: settings to extend instead of a fresh ``ModelSettings``.
        **model_settings: any other ``ModelSettings`` field (``temperature=0.2``, ...).

    Returns:
        A new ``ModelSettings``; ``base`` is not modified.

    Raises:
        InfronConfigError: an option is invalid (the message names the field).
    """
    if model_settings:
        _check_setting_names(model_settings)
    opts = parse_options(
        options,
        provider=provider,
        reasoning=reasoning,
        web_search=web_search,
        prompt_cache=prompt_cache,
        usage=usage,
    )
    layer = opts.model_dump(mode="json", exclude_unset=True)
    if base is None:
        settings = ModelSettings(**model_settings)
    elif model_settings:
        settings = dataclasses.replace(base, **model_settings)
    else:
        settings = base
    body = settings.extra_body if isinstance(settings.extra_body, Mapping) else None
    from_body = _body_layer(body) if body else None
    if body is not None and from_body is not None:
        # in extra_body they would not survive a run-level extra_body (see the module docstring)
        try:
            opts = merge_options(parse_options(from_body), opts)
        except InfronConfigError as exc:
            raise InfronConfigError(f"In extra_body: {exc}") from None
        layer = opts.model_dump(mode="json", exclude_unset=True)
        rest = {k: v for k, v in body.items() if k not in BODY_OPTION_KEYS}
        settings = dataclasses.replace(settings, extra_body=rest or None)
    extra_args = dict(settings.extra_args or {})
    extra_args[f"{OPTIONS_KEY_PREFIX}{next(_counter)}"] = layer
    return dataclasses.replace(settings, extra_args=extra_args)


def _check_setting_names(model_settings: Mapping[str, Any]) -> None:
    """Refuse names that are neither Infron options nor ``ModelSettings`` fields.

    ``ModelSettings`` itself silently ignores unknown keyword arguments, so a typo such as
    ``cache=True`` (the provider's name for ``prompt_cache``) would be dropped without a word.
    """
    known = {f.name for f in dataclasses.fields(ModelSettings)}
    for name in model_settings:
        if name in known:
            continue
        hint = OPTION_HINTS.get(name)
        if hint is None:
            close = difflib.get_close_matches(name, sorted({*known, *_INFRON_ARGS}), n=1)
            hint = close[0] if close else None
        suggestion = f" Did you mean {hint!r}?" if hint else ""
        raise InfronConfigError(
            f"infron_settings() got an unknown setting {name!r}.{suggestion} It takes the Infron "
            f"options {', '.join(_INFRON_ARGS[:6])} and any ModelSettings field (temperature, "
            "max_tokens, extra_headers, ...)."
        )


@dataclasses.dataclass(frozen=True)
class PreparedCall:
    """What one model call sends: SDK settings cleaned of Infron keys, and the merged options."""

    settings: ModelSettings
    options: InfronOptions
    #: the request-body fragment (``provider``, ``reasoning``, ``web_search_options``, ``usage``)
    fragment: Mapping[str, Any]


#: (provider defaults, merged options, fragment); holding the defaults keeps their id() unique
_Entry = tuple[InfronOptions, InfronOptions, dict[str, Any]]


class _MergeCache:
    """Merged options and their wire fragment, by the identity of their inputs.

    Merging and validating the option layers costs ~0.2 ms; a run repeats the same layers every
    turn, so the result is kept (bounded) and the per-turn overhead is a dict lookup.
    """

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._data: OrderedDict[tuple[Any, ...], _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> _Entry | None:
        with self._lock:
            hit = self._data.get(key)
            if hit is not None:
                self._data.move_to_end(key)
            return hit

    def put(self, key: tuple[Any, ...], value: _Entry) -> None:
        with self._lock:
            self._data[key] = value
            if len(self._data) > self._size:
                self._data.popitem(last=False)


_cache = _MergeCache()


def _body_layer(extra_body: Mapping[str, Any]) -> dict[str, Any] | None:
    return option_layer(extra_body, BODY_OPTION_KEYS)


def _effort_of(settings: ModelSettings) -> str | None:
    reasoning = settings.reasoning
    effort = getattr(reasoning, "effort", None) if reasoning is not None else None
    if effort == "max":
        raise InfronConfigError(
            "ModelSettings.reasoning.effort 'max' is not an Infron effort level; use 'xhigh' "
            "(docs: Reasoning & Thinking)."
        )
    return effort


def _merged(
    defaults: InfronOptions,
    layers: list[tuple[str, Any]],
    body_layer: dict[str, Any] | None,
    effort: str | None,
) -> tuple[InfronOptions, dict[str, Any]]:
    try:
        body_key = json.dumps(body_layer, sort_keys=True, default=str) if body_layer else None
    except (TypeError, ValueError):  # pragma: no cover - extra_body must be JSON anyway
        body_key = repr(body_layer)
    key = (id(defaults), tuple(name for name, _ in layers), body_key, effort)
    hit = _cache.get(key)
    if hit is not None and hit[0] is defaults:
        return hit[1], hit[2]
    stack: list[InfronOptions | Mapping[str, Any] | None] = [defaults]
    if body_layer is not None:
        try:
            stack.append(parse_options(body_layer))
        except InfronConfigError as exc:
            raise InfronConfigError(f"In ModelSettings.extra_body: {exc}") from None
    if effort is not None:
        stack.append({"reasoning": {"effort": effort}})
    for name, layer in layers:
        if not isinstance(layer, Mapping):
            raise InfronConfigError(
                f"ModelSettings.extra_args[{name!r}] must be an options dict; build settings "
                "with infron_settings(...)."
            )
        stack.append(layer)
    merged = merge_options(*stack)
    fragment = request_fragment(merged)
    _cache.put(key, (defaults, merged, fragment))
    return merged, fragment


def prepare_call(
    defaults: InfronOptions,
    settings: ModelSettings,
    *,
    stream: bool,
    api: str = "chat",
) -> PreparedCall:
    """Resolve the options of one call and the ``ModelSettings`` handed to the SDK's model.

    Infron keys leave ``extra_args`` (which the SDK would pass to ``create()`` as keyword
    arguments) and ``extra_body``; the merged fragment goes into ``extra_body``; the SDK's
    ``reasoning.effort`` becomes the ``reasoning`` object (so ``reasoning_effort`` is never sent);
    streamed chat calls ask for the final usage chunk unless ``include_usage`` was set; Responses
    calls with the reasoning on ask for ``reasoning.encrypted_content``.
    """
    layers: list[tuple[str, Any]] = []
    rest_args: dict[str, Any] | None = None
    if settings.extra_args:
        rest_args = {}
        for name, value in settings.extra_args.items():
            if isinstance(name, str) and name.startswith(OPTIONS_KEY_PREFIX):
                layers.append((name, value))
            else:
                rest_args[name] = value
    extra_body = settings.extra_body if isinstance(settings.extra_body, Mapping) else None
    if settings.extra_body is not None and extra_body is None:
        raise InfronConfigError("ModelSettings.extra_body must be a dict for Infron models.")
    body_layer = _body_layer(extra_body) if extra_body else None
    effort = _effort_of(settings)
    options, fragment = _merged(defaults, layers, body_layer, effort)

    body: dict[str, Any] = {}
    if extra_body:
        body.update((k, v) for k, v in extra_body.items() if k not in BODY_OPTION_KEYS)
        check_option_spelling(body)
    if rest_args:
        check_option_spelling(rest_args)
    body.update(fragment)
    changes: dict[str, Any] = {"extra_body": body, "extra_args": rest_args or None}
    if api == "chat":
        changes["reasoning"] = None
        if stream and settings.include_usage is None:
            changes["include_usage"] = True
    else:
        _check_responses_options(options)
        if settings.reasoning is not None:
            summary = getattr(settings.reasoning, "summary", None) or getattr(
                settings.reasoning, "generate_summary", None
            )
            if summary is not None and "reasoning" in body:
                body["reasoning"] = {**body["reasoning"], "summary": summary}
            changes["reasoning"] = None
        if _reasoning_on(options, settings):
            include = list(settings.response_include or ())
            if ENCRYPTED_REASONING not in include:
                # the reasoning's opaque state, which the SDK sends back with the reasoning item
                # in a tool loop: signing providers refuse the next turn without it
                changes["response_include"] = [*include, ENCRYPTED_REASONING]
    # a shallow copy with a few fields changed: dataclasses.replace() would re-validate every
    # field of the pydantic dataclass (~10x slower), for values that were validated already
    prepared = copy.copy(settings)
    for name, value in changes.items():
        object.__setattr__(prepared, name, value)
    return PreparedCall(settings=prepared, options=options, fragment=fragment)


def _reasoning_on(options: InfronOptions, settings: ModelSettings) -> bool:
    if options.reasoning is not None:
        return options.reasoning.effort != "none"
    return settings.reasoning is not None  # e.g. a summary alone: the model's own effort


def _check_responses_options(options: InfronOptions) -> None:
    if options.web_search is not None:
        raise InfronConfigError(
            "web_search options are for chat completions; with the Responses API add "
            "agents.WebSearchTool() to the agent's tools instead (docs: Web Search)."
        )
    if options.prompt_cache is not None:
        raise InfronConfigError(
            "prompt_cache breakpoints are placed on chat-completions messages; they are not "
            "available with the Responses API. Use api='chat_completions' or drop prompt_cache."
        )
