"""Read and write record sets (private).

A record set is a directory with one file per contract table, all Parquet
or all CSV, and an optional ``manifest.json`` holding ``extracted_on``.
Reading types every table exactly as :func:`arrow_schema` and validates it;
writing is atomic: the directory appears whole or not at all.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from .._atomic import atomic_dir
from ._catalogue import Catalogue
from ._contract import TABLES, arrow_schema
from ._layout import FORMATS, MANIFEST, locate, read_manifest
from ._report import RecordError
from ._sources import max_date, open_record_set

__all__ = [
    "RecordSet",
    "RecordError",
    "read_records",
    "write_records",
    "record_files",
    "find_extracted_on",
]

MSG_MISSING_FILES = "{path}: missing {files} (a record set holds {expected})"
MSG_NO_DATES = "{path}: no {manifest} and no date in the records to take extracted_on from"
MSG_FORMAT = "format must be one of {formats} (got {got!r})"
MSG_TABLES = "write_records: {what} {names} (expected exactly the tables {expected})"
MSG_COLUMN = "{table}.{column}: {what} (expected {expected})"


@dataclass(frozen=True, eq=False, repr=False)
class RecordSet:
    """A record set read from disk, every table typed as the contract.

    Attributes
    ----------
    path : Path
    format : {"parquet", "csv"}
    tables : dict of str to pyarrow.Table
        Each typed exactly as ``arrow_schema(name)``, rows in file order;
        extra columns of the files are left out.
    extracted_on : datetime.date
    catalogue : Catalogue
    """

    path: Path
    format: str
    tables: dict[str, pa.Table]
    extracted_on: dt.date
    catalogue: Catalogue

    def to_pandas(self, table: str):
        """One table as a pandas DataFrame.

        Dates become ``datetime64``, ints ``Int64`` and bools ``boolean``
        (nullable pandas dtypes), strings ``object``.
        """
        import pandas as pd

        mapper = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}.get
        return self.tables[table].to_pandas(types_mapper=mapper, date_as_object=False)

    @property
    def n_rows(self) -> dict[str, int]:
        """Rows of each table."""
        return {name: t.num_rows for name, t in self.tables.items()}

    def __repr__(self) -> str:
        rows = ", ".join(f"{k}={v:,}" for k, v in self.n_rows.items())
        return (
            f"RecordSet({str(self.path)!r}, format={self.format!r}, "
            f"extracted_on={self.extracted_on}, rows: {rows})"
        )


def record_files(path: str | Path) -> dict[str, Path]:
    """The file of each table of a record set, in contract order.

    Raises
    ------
    RecordError
        Naming the missing files when the directory does not hold every table.
    """
    fmt, files, missing = locate(path)
    if missing:
        raise RecordError(
            MSG_MISSING_FILES.format(
                path=path,
                files=", ".join(missing),
                expected=", ".join(f"{t}.{fmt}" for t in TABLES),
            )
        )
    return files


def find_extracted_on(path: str | Path) -> dt.date:
    """The day a record set was drawn: the manifest's, else the latest date in its records.

    Dates before 1900 or after 2200 are not taken (the validator refuses them).
    """
    import duckdb

    found = read_manifest(path)
    if found is not None:
        return found
    with duckdb.connect() as con:
        found = max_date(con, open_record_set(con, Path(path)))
    if found is None:
        raise RecordError(MSG_NO_DATES.format(path=path, manifest=MANIFEST))
    return found


def read_records(path: str | Path, catalogue=None, validate: bool = True) -> RecordSet:
    """Read a record-set directory, typed as the contract, validated.

    Parameters
    ----------
    path : str or Path
        A directory with ``subjects.parquet`` ... ``protected.parquet`` (or
        the same names in ``.csv``: dates ``YYYY-MM-DD``, an empty cell is
        null, bools True/False/true/false/1/0) and an optional
        ``manifest.json``. Extra columns and files are ignored.
    catalogue : Catalogue, str, Path or None, default=None
        The catalogue to check record types against (None: the default).
    validate : bool, default=True
        Run :func:`validate_records` and refuse a record set with any
        problem. With False only unreadable files, missing columns and
        wrong types are refused; a CSV cell that does not parse is read as null.

    Returns
    -------
    RecordSet

    Raises
    ------
    RecordError
        Naming the file, table, column and row of the first problem.
    """
    import duckdb

    from ._validate import report_for, resolve_catalogue

    record_files(path)
    cat = resolve_catalogue(catalogue, None)
    with duckdb.connect() as con:
        opened = open_record_set(con, Path(path))
        if validate:
            report_for(con, opened, cat, max_messages=1).raise_if_invalid()
        elif opened.problems:
            raise RecordError(str(opened.problems[0]))
        tables = {t: _export(con, t) for t in TABLES}
        extracted_on = opened.manifest_date or max_date(con, opened)
    if extracted_on is None:
        raise RecordError(MSG_NO_DATES.format(path=path, manifest=MANIFEST))
    return RecordSet(Path(path), opened.format, tables, extracted_on, cat)


def _export(con, table: str) -> pa.Table:
    cols = ", ".join(f'"{c}"' for c in TABLES[table].column_names)
    data = con.sql(f'SELECT {cols} FROM "{table}" ORDER BY _row').to_arrow_table()
    try:
        return data.cast(arrow_schema(table))
    except (pa.ArrowInvalid, ValueError) as exc:
        raise RecordError(f"{table}: {exc}") from exc


def _to_contract(name: str, data) -> pa.Table:
    """``data`` (Arrow or pandas) cast to the contract schema of table ``name``."""
    if not isinstance(data, pa.Table):
        data = pa.Table.from_pandas(data, preserve_index=False)
    arrays = []
    for f in arrow_schema(name):
        if f.name not in data.column_names:
            raise RecordError(
                MSG_COLUMN.format(
                    table=name, column=f.name, what="missing column", expected=f"{f.type}"
                )
            )
        try:
            arr = data.column(f.name).cast(f.type)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise RecordError(
                MSG_COLUMN.format(table=name, column=f.name, what=str(exc), expected=str(f.type))
            ) from exc
        if arr.null_count and not f.nullable:
            raise RecordError(
                MSG_COLUMN.format(
                    table=name,
                    column=f.name,
                    what=f"{arr.null_count:,} nulls",
                    expected="no null: the column is not nullable",
                )
            )
        arrays.append(arr)
    return pa.Table.from_arrays(arrays, schema=arrow_schema(name))


def _write_table(table: pa.Table, file: Path, fmt: str) -> None:
    if fmt == "parquet":
        import pyarrow.parquet as pq

        pq.write_table(table, file)
    else:
        import pyarrow.csv as pcsv

        pcsv.write_csv(table, file, pcsv.WriteOptions(quoting_style="needed"))


def write_records(
    tables: dict, out_dir: str | Path, extracted_on: dt.date | str, fmt: str = "parquet"
) -> Path:
    """Write a record set atomically: every table and ``manifest.json``, or nothing.

    Parameters
    ----------
    tables : dict of str to pyarrow.Table or pandas.DataFrame
        Exactly the contract's tables; each is cast to ``arrow_schema(name)``
        (extra columns are dropped).
    out_dir : str or Path
        The record-set directory; a previous one there is replaced whole.
    extracted_on : datetime.date or str
        The day the records were drawn, written to ``manifest.json``.
    fmt : {"parquet", "csv"}, default="parquet"

    Returns
    -------
    Path
        ``out_dir``.

    Raises
    ------
    RecordError
        A missing or unknown table, a missing column, a value that does not
        cast, or a null in a non-nullable column; nothing is written then.
    """
    if fmt not in FORMATS:
        raise RecordError(MSG_FORMAT.format(formats=", ".join(FORMATS), got=fmt))
    for what, names in (
        ("missing", set(TABLES) - set(tables)),
        ("unknown", set(tables) - set(TABLES)),
    ):
        if names:
            raise RecordError(
                MSG_TABLES.format(
                    what=what, names=", ".join(sorted(names)), expected=", ".join(TABLES)
                )
            )
    day = dt.date.fromisoformat(extracted_on) if isinstance(extracted_on, str) else extracted_on
    if isinstance(day, dt.datetime):
        day = day.date()
    typed = {name: _to_contract(name, tables[name]) for name in TABLES}
    with atomic_dir(out_dir) as tmp:
        for name, table in typed.items():
            _write_table(table, tmp / f"{name}.{fmt}", fmt)
        (tmp / MANIFEST).write_text(json.dumps({"extracted_on": day.isoformat()}), encoding="utf-8")
    return Path(out_dir)
