"""The gateway's model catalog (``GET /models``), kept in an on-disk cache.

Docs: the Models API the FAQ points to ("fetch the list through the models api"); the Infron docs
publish no schema for its entries, so entries are kept as the JSON objects the gateway sends and
each adapter reads the fields it knows (see ``langchain/_profiles.py``).

Nothing here runs at import and nothing reads the network unless :func:`fetch_catalog` (or
:func:`afetch_catalog`) is called: adapters look the cache up with :func:`cached_catalog`, which
only reads a file. The cache is one JSON file per base URL (the sandbox and the real gateway have
different catalogs) in ``INFRON_CACHE_DIR``, else ``$XDG_CACHE_HOME/infron-integrations``, else
``~/.cache/infron-integrations``. It holds the entries, the base URL and the fetch time, never the
API key. A cached catalog is fresh for :func:`catalog_ttl` seconds after it was fetched
(``INFRON_CATALOG_TTL``, one day by default); an adapter that refreshes lazily refetches it the
first time it needs it after that.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import InfronAPIError, InfronConfigError
from .settings import InfronSettings

__all__ = [
    "DEFAULT_CATALOG_TTL",
    "ENV_CACHE_DIR",
    "ENV_CATALOG_TTL",
    "CachedCatalog",
    "afetch_catalog",
    "cache_dir",
    "cache_file",
    "cached_catalog",
    "catalog_ttl",
    "entry_limits",
    "fetch_catalog",
    "positive_int",
]

ENV_CACHE_DIR = "INFRON_CACHE_DIR"
ENV_CATALOG_TTL = "INFRON_CATALOG_TTL"
#: seconds a fetched catalog stays fresh: models and prices change rarely within a day
DEFAULT_CATALOG_TTL = 24 * 3600.0


class CachedCatalog(dict[str, dict[str, Any]]):
    """Catalog entries by model id, with the time they were fetched (epoch seconds)."""

    fetched_at: float = 0.0

    @property
    def age(self) -> float:
        """Seconds since the entries were fetched."""
        return max(0.0, time.time() - self.fetched_at)

    def is_fresh(self, ttl: float | None = None) -> bool:
        """Whether the entries are younger than ``ttl`` seconds (default :func:`catalog_ttl`)."""
        return self.age < (catalog_ttl() if ttl is None else ttl)


def catalog_ttl() -> float:
    """How long a fetched catalog stays fresh, in seconds (``INFRON_CATALOG_TTL`` wins).

    Raises:
        InfronConfigError: ``INFRON_CATALOG_TTL`` is not a non-negative number of seconds.
    """
    raw = os.environ.get(ENV_CATALOG_TTL)
    if raw is None or not raw.strip():
        return DEFAULT_CATALOG_TTL
    try:
        ttl = float(raw)
    except ValueError:
        ttl = -1.0
    if not ttl >= 0:  # also refuses NaN
        raise InfronConfigError(
            f"{ENV_CATALOG_TTL} must be a number of seconds (e.g. 86400 for a day); got {raw!r}."
        )
    return ttl


def positive_int(value: Any) -> int | None:
    """``value`` when it is a positive int (not a bool), else None: how catalog counts are read."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def entry_limits(entry: Mapping[str, Any]) -> tuple[int | None, int | None]:
    """The context window and the maximum output of one ``/v1/models`` entry, where stated.

    The context window is ``context_length``, else ``top_provider.context_length``; the maximum
    output is ``top_provider.max_completion_tokens``.
    """
    top = entry.get("top_provider")
    top = top if isinstance(top, Mapping) else {}
    context = positive_int(entry.get("context_length")) or positive_int(top.get("context_length"))
    return context, positive_int(top.get("max_completion_tokens"))


def cache_dir() -> Path:
    """Where catalog files are kept (``INFRON_CACHE_DIR`` wins)."""
    explicit = os.environ.get(ENV_CACHE_DIR)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "infron-integrations"


def cache_file(base_url: str) -> Path:
    """The cache file of the catalog served at ``base_url``."""
    digest = hashlib.sha256(base_url.rstrip("/").encode()).hexdigest()[:16]
    return cache_dir() / f"models-{digest}.json"


def cached_catalog(base_url: str) -> CachedCatalog | None:
    """The last fetched catalog of ``base_url`` from disk, or None (no file, or unreadable).

    Never touches the network.
    """
    try:
        raw = json.loads(cache_file(base_url).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(raw, Mapping) or not isinstance(raw.get("data"), list):
        return None
    catalog = _by_id(raw["data"])
    fetched = raw.get("fetched_at")
    catalog.fetched_at = float(fetched) if isinstance(fetched, (int, float)) else 0.0
    return catalog


def _by_id(entries: list[Any]) -> CachedCatalog:
    catalog = CachedCatalog()
    for entry in entries:
        if isinstance(entry, Mapping) and isinstance(entry.get("id"), str):
            catalog[entry["id"]] = dict(entry)
    return catalog


def _store(base_url: str, body: Any) -> CachedCatalog:
    data = body.get("data") if isinstance(body, Mapping) else None
    if not isinstance(data, list):
        raise InfronAPIError(
            f"Infron's {base_url}/models answered without a 'data' list; the model catalog "
            "could not be read. Check base_url (it should end in /v1).",
            body=body,
        )
    catalog = _by_id(data)
    catalog.fetched_at = time.time()
    text = json.dumps(
        {"base_url": base_url, "fetched_at": catalog.fetched_at, "data": list(catalog.values())},
        ensure_ascii=False,
    )
    path = cache_file(base_url)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # written aside and renamed, so a reader never sees half a file
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".models-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home still gets the fresh catalog for this process
    return catalog


def fetch_catalog(settings: InfronSettings) -> CachedCatalog:
    """``GET /models`` on ``settings.base_url``; the result is written to the cache.

    Raises:
        InfronAPIError: the gateway answered with an error or without a ``data`` list.
        InfronConnectionError: the gateway could not be reached (the message names the URL).
    """
    from .http import InfronHTTP

    return _store(settings.base_url, InfronHTTP(settings).request("GET", "/models"))


async def afetch_catalog(settings: InfronSettings) -> CachedCatalog:
    """Async :func:`fetch_catalog`."""
    from .http import InfronHTTP

    return _store(settings.base_url, await InfronHTTP(settings).arequest("GET", "/models"))
