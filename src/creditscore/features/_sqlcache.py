"""A disk cache of the compiled feature query.

Compiling the Ibis expression of every feature to SQL takes a few seconds,
and its text depends only on the feature definitions, the catalogue, the
dialect and the versions of Ibis and sqlglot, never on the data or the
dates. For the package's own features the text is kept under
``$CREDITSCORE_CACHE_DIR`` (default ``~/.cache/creditscore``), keyed by a hash
of all of those (the source of every module of this package included), so a
changed definition can never reuse a stale query. The cache is best effort:
an unwritable directory only means compiling each time.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

__all__ = ["cached_sql", "cache_dir"]

#: bump to invalidate every cached query
FORMAT = "1"


def cache_dir() -> Path:
    """Where compiled queries are kept."""
    root = os.environ.get("CREDITSCORE_CACHE_DIR")
    return Path(root) if root else Path.home() / ".cache" / "creditscore"


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


def _key(catalogue_json: str, dialect: str) -> str:
    digest = hashlib.sha256()
    for part in (FORMAT, dialect, catalogue_json, _version("ibis-framework"), _version("sqlglot")):
        digest.update(part.encode() + b"\0")
    here = Path(__file__).parent
    for path in sorted(here.glob("*.py")) + [here.parent / "records" / "_contract.py"]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def cached_sql(catalogue_json: str, dialect: str, compile_: Callable[[], str],
               enabled: bool = True) -> str:
    """The cached query text, compiling (and storing) it on a miss."""
    if not enabled:
        return compile_()
    path = cache_dir() / "sql" / f"features-{_key(catalogue_json, dialect)}.sql"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        pass  # not cached yet (or unreadable): compile below
    sql = compile_()
    try:
        from .._atomic import write_text_atomic

        write_text_atomic(path, sql)
    except OSError:
        pass  # a read-only home: the query is simply compiled again next time
    return sql
