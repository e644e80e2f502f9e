"""Record sets and outputs named by a path or a URI.

The Spark engine reads and writes any filesystem Spark has a connector for
(``file://``, ``hdfs://``, ``s3a://``, ``gs://``, ``abfss://``); paths are
kept as strings, since ``pathlib.Path`` folds ``s3a://b/x`` into
``s3a:/b/x``. The DuckDB engine reads local paths and ``file://`` URIs.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

__all__ = ["scheme", "is_local", "local_path", "join", "REMOTE_SCHEMES"]

#: URI schemes the CLI passes to Spark as they are
REMOTE_SCHEMES = ("s3a", "s3", "hdfs", "gs", "abfss", "abfs", "wasbs", "viewfs")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def scheme(path) -> str | None:
    """The URI scheme of ``path`` (``"s3a"``), ``"file"``, or None for a plain path."""
    found = _SCHEME.match(os.fspath(path))
    if found is None or len(found.group(1)) == 1:  # none, or a Windows drive letter
        return None
    return found.group(1).lower()


def is_local(path) -> bool:
    """A local path: no URI scheme, or ``file:``."""
    return scheme(path) in (None, "file")


def local_path(path) -> Path:
    """The local path of a plain path or a ``file:`` URI."""
    text = os.fspath(path)
    return Path(re.sub(r"^file:(//)?", "", text)) if scheme(text) == "file" else Path(text)


def join(root: str, name: str) -> str:
    """``root/name`` for a path or a URI (never through ``Path``)."""
    return root.rstrip("/") + "/" + name
