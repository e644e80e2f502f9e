"""Opening the tables of a record set in DuckDB (private).

Each table opens as a DuckDB view of its own name with a 1-based ``_row``
(the data row in the table's file), every contract column under its own name
with its contract type, and ``<column>__raw``: the cell as stored (for CSV
the text), so that a check can tell an empty cell from one that did not
parse. A column that is missing or of the wrong type is NULL in the view and
reported once, as a problem of the column. Extra columns and extra files are
ignored.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from ._contract import TABLES
from ._layout import locate, manifest_date
from ._report import Problem

__all__ = ["Opened", "open_record_set", "max_date", "CSV_EXPECTED"]

MSG_MISSING_FILE = "missing file {file}"
MSG_UNREADABLE = "unreadable file {file} ({error})"
MSG_MISSING_COLUMN = "missing column in {file}"
MSG_WRONG_TYPE = "wrong type in {file}"
MSG_NOT_UTF8 = "line {line} is not UTF-8 text (got {got!r}); save the file as UTF-8"

#: SQL type and how a CSV cell (VARCHAR x) parses, NULL when it does not
SQL_TYPES = {
    "str": "VARCHAR",
    "date": "DATE",
    "float": "DOUBLE",
    "int": "BIGINT",
    "bool": "BOOLEAN",
}
_FLOAT = r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?(nan|inf|infinity)"
CSV_PARSE = {
    "str": "{x}",
    "date": r"CASE WHEN regexp_full_match({x}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}')"
    " THEN TRY_CAST({x} AS DATE) END",
    "float": f"CASE WHEN regexp_full_match(trim({{x}}), '{_FLOAT}', 'i')"
    " THEN TRY_CAST(trim({x}) AS DOUBLE) END",
    "int": r"CASE WHEN regexp_full_match(trim({x}), '[+-]?[0-9]+(\.0*)?')"
    r" THEN TRY_CAST(regexp_replace(trim({x}), '\.0*$', '') AS BIGINT) END",
    "bool": "CASE WHEN lower(trim({x})) IN ('true', '1') THEN TRUE"
    " WHEN lower(trim({x})) IN ('false', '0') THEN FALSE END",
}
#: what a CSV cell of each kind must look like
CSV_EXPECTED = {
    "date": "YYYY-MM-DD",
    "float": "a number",
    "int": "a whole number",
    "bool": "True/False/true/false/1/0",
}
ARROW_EXPECTED = {
    "str": "string",
    "date": "date32",
    "float": "double",
    "int": "int64",
    "bool": "bool",
}


@dataclass
class Opened:
    """A record set opened in a DuckDB connection.

    ``tables`` maps each table that could be opened to its row count,
    ``broken`` each table to its columns that are missing or mistyped.
    """

    path: Path | None
    format: str
    tables: dict[str, int] = field(default_factory=dict)
    broken: dict[str, set[str]] = field(default_factory=dict)
    csv: bool = False
    problems: list[Problem] = field(default_factory=list)
    manifest_date: dt.date | None = None


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _compatible(kind: str, typ: pa.DataType) -> bool:
    if pa.types.is_null(typ):
        return True  # an all-empty column: the null check speaks for it
    if pa.types.is_dictionary(typ):
        typ = typ.value_type
    return {
        "str": pa.types.is_string(typ) or pa.types.is_large_string(typ) or typ == pa.string_view(),
        "date": pa.types.is_date(typ),
        "float": pa.types.is_float32(typ) or pa.types.is_float64(typ) or pa.types.is_integer(typ),
        "int": pa.types.is_integer(typ),
        "bool": pa.types.is_boolean(typ),
    }[kind]


def _schema_problems(name: str, schema: pa.Schema, file: str, csv_file: bool):
    """Problems of missing and mistyped columns, and the set of those columns."""
    problems, broken = [], set()
    for col in TABLES[name].columns:
        if col.name not in schema.names:
            problems.append(
                Problem(
                    name,
                    col.name,
                    None,
                    MSG_MISSING_COLUMN.format(file=file),
                    expected=f"a {col.kind} column",
                )
            )
            broken.add(col.name)
        elif not csv_file and not _compatible(col.kind, schema.field(col.name).type):
            problems.append(
                Problem(
                    name,
                    col.name,
                    None,
                    MSG_WRONG_TYPE.format(file=file),
                    got=str(schema.field(col.name).type),
                    expected=ARROW_EXPECTED[col.kind],
                )
            )
            broken.add(col.name)
    return problems, broken


def _view_sql(name: str, source: str, broken: set[str], csv_file: bool, row: str) -> str:
    cols = [f"{row} AS _row"]
    for col in TABLES[name].columns:
        typ, q = SQL_TYPES[col.kind], _q(col.name)
        if col.name in broken:
            cols += [
                f"CAST(NULL AS {typ}) AS {q}",
                f"CAST(NULL AS VARCHAR) AS {_q(col.name + '__raw')}",
            ]
        elif csv_file:
            cols += [
                f"{CSV_PARSE[col.kind].format(x=q)} AS {q}",
                f"{q} AS {_q(col.name + '__raw')}",
            ]
        else:
            cols += [f"TRY_CAST({q} AS {typ}) AS {q}", f"{q} AS {_q(col.name + '__raw')}"]
    return f"SELECT {', '.join(cols)} FROM {source}"


def _read_csv(file: Path) -> pa.Table:
    """The contract columns of a CSV file as text (empty cell: null), plus ``_row``."""
    import pyarrow.csv as pcsv

    with open(file, newline="", encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh), [])
    wanted = [c for c in TABLES[file.stem].column_names if c in header] or header[:1]
    table = pcsv.read_csv(
        file,
        convert_options=pcsv.ConvertOptions(
            include_columns=wanted,
            column_types={c: pa.string() for c in wanted},
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            null_values=[""],
        ),
    )
    return table.append_column("_row", pa.array(range(1, table.num_rows + 1), pa.int64()))


def _first_non_utf8_line(file: Path) -> tuple[int, bytes] | None:
    """The first line of ``file`` that is not UTF-8 (1-based) and its bad bytes, or None."""
    with open(file, "rb") as fh:
        for i, raw in enumerate(fh, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                return i, raw[max(exc.start - 8, 0) : exc.end + 8]
    return None


def _open_file(con, opened: Opened, name: str, file: Path) -> None:
    import pyarrow.parquet as pq

    try:
        if opened.csv:
            table = _read_csv(file)
            con.register(f"{name}__src", table)
            schema, n_rows, source, row = table.schema, table.num_rows, _q(f"{name}__src"), "_row"
        else:
            meta = pq.ParquetFile(file)
            schema, n_rows = meta.schema_arrow, meta.metadata.num_rows
            source = f"read_parquet({_lit(str(file))}, file_row_number=true)"
            row = "file_row_number + 1"
    except Exception as exc:  # any reader error is the file's problem, reported
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        bad = _first_non_utf8_line(file) if opened.csv else None
        if bad is not None:
            msg = MSG_NOT_UTF8.format(line=bad[0], got=bad[1])
        opened.problems.append(
            Problem(name, None, None, MSG_UNREADABLE.format(file=file.name, error=msg))
        )
        return
    _add_view(con, opened, name, schema, n_rows, source, row, file.name)


def _add_view(con, opened, name, schema, n_rows, source, row, file_name) -> None:
    problems, broken = _schema_problems(name, schema, file_name, opened.csv)
    opened.problems += problems
    sql = _view_sql(name, source, broken, opened.csv, row)
    if opened.csv:  # parse each cell once, not once per check
        con.execute(f"CREATE TEMP TABLE {_q(name)} AS {sql}")
    else:
        con.execute(f"CREATE VIEW {_q(name)} AS {sql}")
    opened.tables[name], opened.broken[name] = n_rows, broken


def _open_tables(con, tables: dict[str, pa.Table], opened: Opened) -> None:
    for name in TABLES:
        if name not in tables:
            opened.problems.append(Problem(name, None, None, "missing table"))
            continue
        table = tables[name]
        rows = pa.array(range(1, table.num_rows + 1), pa.int64())
        con.register(f"{name}__src", table.append_column("_row", rows))
        _add_view(con, opened, name, table.schema, table.num_rows, _q(f"{name}__src"), "_row", name)


def open_record_set(con, records) -> Opened:
    """Open a record-set directory (or a RecordSet's tables) as views in ``con``."""
    if not isinstance(records, (str, os.PathLike)):
        opened = Opened(getattr(records, "path", None), "arrow", manifest_date=records.extracted_on)
        _open_tables(con, records.tables, opened)
        return opened
    fmt, files, missing = locate(records)
    opened = Opened(Path(records), fmt, csv=fmt == "csv")
    opened.problems += [
        Problem(f.rsplit(".", 1)[0], None, None, MSG_MISSING_FILE.format(file=f)) for f in missing
    ]
    opened.manifest_date, wrong = manifest_date(Path(records))
    if wrong:
        opened.problems.append(Problem("manifest", None, None, wrong))
    for name, file in files.items():
        _open_file(con, opened, name, file)
    return opened


def max_date(con, opened: Opened) -> dt.date | None:
    """The latest date between 1900 and 2200 in any date column of the open tables."""
    parts = [
        f"SELECT max({_q(c)}) AS d FROM {_q(t)} WHERE {_q(c)} BETWEEN "
        "DATE '1900-01-01' AND DATE '2200-12-31'"
        for t in opened.tables
        for c in TABLES[t].date_columns
        if c not in opened.broken[t]
    ]
    if not parts:
        return None
    return con.execute(f"SELECT max(d) FROM ({' UNION ALL '.join(parts)})").fetchall()[0][0]
