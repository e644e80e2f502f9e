"""Where the parts of a record set are on disk (private).

A record set is a directory holding ``<table>.parquet`` (or ``<table>.csv``)
for each contract table and an optional ``manifest.json`` with
``{"extracted_on": "YYYY-MM-DD"}``. Other files are ignored.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from ._contract import TABLES
from ._report import RecordError

__all__ = ["MANIFEST", "FORMATS", "locate", "manifest_date", "read_manifest"]

MANIFEST = "manifest.json"
FORMATS = ("parquet", "csv")

MSG_NOT_A_DIR = "{path}: not a record set directory"
MSG_NO_FILES = "{path}: holds no record set (expected {files})"
MSG_MANIFEST = 'unreadable {file} ({error}; expected {{"extracted_on": "YYYY-MM-DD"}})'
MSG_MANIFEST_DATE = "extracted_on is not a date in {file} (got {got!r}, expected YYYY-MM-DD)"


def locate(path: str | Path) -> tuple[str, dict[str, Path], list[str]]:
    """The format of a record set, the file of each table, and the missing file names.

    The format is the one most tables are found in (Parquet on a tie); a
    table's file is ``<table>.<format>``.
    """
    path = Path(path)
    if not path.is_dir():
        raise RecordError(MSG_NOT_A_DIR.format(path=path))
    found = {fmt: [t for t in TABLES if (path / f"{t}.{fmt}").is_file()] for fmt in FORMATS}
    fmt = max(FORMATS, key=lambda f: (len(found[f]), f == "parquet"))
    if not found[fmt]:
        raise RecordError(
            MSG_NO_FILES.format(path=path, files=", ".join(f"{t}.parquet" for t in TABLES))
        )
    files = {t: path / f"{t}.{fmt}" for t in found[fmt]}
    return fmt, files, [f"{t}.{fmt}" for t in TABLES if t not in files]


def manifest_date(path: Path) -> tuple[dt.date | None, str | None]:
    """``extracted_on`` of the manifest (None without one) and what is wrong with it."""
    file = path / MANIFEST
    if not file.is_file():
        return None, None
    try:
        value = json.loads(file.read_text(encoding="utf-8"))["extracted_on"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return None, MSG_MANIFEST.format(file=MANIFEST, error=f"{type(exc).__name__}: {exc}")
    try:
        return dt.date.fromisoformat(value), None
    except (TypeError, ValueError):
        return None, MSG_MANIFEST_DATE.format(file=MANIFEST, got=value)


def read_manifest(path: str | Path) -> dt.date | None:
    """``extracted_on`` from the manifest of a record set, None without one.

    Raises
    ------
    RecordError
        When ``manifest.json`` exists but holds no readable ``extracted_on``.
    """
    date, wrong = manifest_date(Path(path))
    if wrong:
        raise RecordError(f"{Path(path) / MANIFEST}: {wrong}")
    return date
