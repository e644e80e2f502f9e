"""Record sets in memory: a ``RecordSet`` or a dict of tables, for notebooks.

:func:`as_records` turns what a user passes to ``build_feature_table`` into
either a path (a record-set directory, as before) or :class:`MemoryRecords`:
the model tables cast to the contract (a missing table or column, or a value
that does not cast, is refused with one line naming the table and column).
The DuckDB back-end registers them in place of the files (:func:`register`)
and computes the same features with the same expressions, writing nothing.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass

from .._errors import InputError, did_you_mean

__all__ = ["MemoryRecords", "as_records", "register"]

MSG_WHAT = ("records: expected a record-set directory, a RecordSet or a dict of tables "
            "(pandas or pyarrow), got {got}")
MSG_TABLE = "tables[{name!r}]: expected a pandas DataFrame or a pyarrow Table, got {got}"
MSG_MISSING = "tables: missing {names} (features read {expected})"
MSG_UNKNOWN = "tables: {name!r} is not a table of the record contract{hint}"
MSG_CAST = "tables[{name!r}]: {error}"
MSG_EXTRACTED = "extracted_on {got!r} is not a date (expected YYYY-MM-DD)"
#: tables a dict may hold beside the model tables (features do not read them)
OTHER_TABLES = ("protected", "entities")


@dataclass(frozen=True, eq=False)
class MemoryRecords:
    """The model tables of a record set, typed as the contract, in memory.

    Attributes
    ----------
    tables : dict of str to pyarrow.Table
    extracted_on : datetime.date or None
        The day the records were drawn (None: the latest date in them).
    source : str
        How messages name it.
    """

    tables: dict
    extracted_on: dt.date | None
    source: str

    def __str__(self) -> str:
        return self.source


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise InputError(MSG_EXTRACTED.format(got=value)) from None


def _table(name: str, data):
    """One model table cast to the contract; a ``kind`` column of subjects is kept."""
    import pandas as pd
    import pyarrow as pa

    from ..records._io import _to_contract
    from ..records._report import RecordError

    if not isinstance(data, (pd.DataFrame, pa.Table)):
        raise InputError(MSG_TABLE.format(name=name, got=type(data).__name__))
    try:
        typed = _to_contract(name, data)
    except (RecordError, pa.ArrowException, ValueError, TypeError) as exc:
        raise InputError(MSG_CAST.format(name=name, error=str(exc).splitlines()[0])) from None
    names = data.column_names if isinstance(data, pa.Table) else list(data.columns)
    if name == "subjects" and "kind" in names:  # docs/entities.md: persons only, as on disk
        kind = data["kind"] if isinstance(data, pa.Table) else pa.array(data["kind"].astype(
            object).where(data["kind"].notna(), None), type=pa.string())
        typed = typed.append_column("kind", kind.cast(pa.string()))
    return typed


def as_records(records, extracted_on=None):
    """A path as it is; a RecordSet or a dict of tables as :class:`MemoryRecords`.

    Raises
    ------
    InputError
        Anything else; a dict without a model table, with an unknown table, or
        with a table that does not cast to the contract.
    """
    from ..records import RecordSet
    from ..records._contract import MODEL_TABLES, TABLES

    if isinstance(records, (str, os.PathLike)):
        return records
    if isinstance(records, MemoryRecords):
        return records
    if isinstance(records, RecordSet):
        day = _date(extracted_on) if extracted_on is not None else records.extracted_on
        return MemoryRecords({t: records.tables[t] for t in MODEL_TABLES}, day,
                             f"record set {records.path}")
    if not isinstance(records, Mapping):
        raise InputError(MSG_WHAT.format(got=type(records).__name__))
    for name in records:
        if name not in TABLES and name not in OTHER_TABLES:
            raise InputError(MSG_UNKNOWN.format(name=name, hint=did_you_mean(
                name, [*TABLES, *OTHER_TABLES])))
    missing = [t for t in MODEL_TABLES if t not in records]
    if missing:
        raise InputError(MSG_MISSING.format(names=", ".join(missing),
                                            expected=", ".join(MODEL_TABLES)))
    tables = {t: _table(t, records[t]) for t in MODEL_TABLES}
    return MemoryRecords(tables, _date(extracted_on), "tables")


def register(con, records: MemoryRecords) -> dict[str, str]:
    """Register the tables as ``cs_raw_<table>`` with their typed views; a label of each."""
    from ._io import typed_view

    for table, data in records.tables.items():
        con.register(f"cs_raw_{table}", data)
        typed_view(con, table)
    return {t: f"{records.source}: {t}" for t in records.tables}
