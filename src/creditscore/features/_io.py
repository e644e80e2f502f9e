"""Reading a record set into an embedded DuckDB, typed by the contract.

Parquet files are read in place (DuckDB views, nothing loaded up front);
CSV files are parsed with the contract's column types and loaded, so that a
malformed value is reported here, naming the file and column. Every table
is projected onto the contract's columns with the contract's types, so the
feature definitions see one shape whatever the input format.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from .._errors import InputError
from ..records._contract import MODEL_TABLES, TABLES
from ._labels import LABELS

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

    from ..records._catalogue import Catalogue
    from ._definitions import FeatureDef

__all__ = [
    "connect",
    "read_record_set",
    "resolve_extracted_on",
    "check_as_of",
    "check_record_types",
    "table_name",
    "contract_schema",
    "typed_view",
    "restrict_to_subjects",
    "subject_chunks",
    "parse_dates",
    "parse_catalogue",
    "output_schema",
]

MSG_NO_DIR = "{path}: not a record set directory"
MSG_MISSING = "{dir}: missing {table}.parquet (or {table}.csv); a record set holds every table"
MSG_COLUMN = "{file}: column {column} is missing; the contract's {table} table has {columns}"
MSG_TYPE = "{file}: column {column} has type {got}; the contract expects {kind}"
MSG_READ = "{file}: cannot be read ({error})"
MSG_MANIFEST = "{file}: extracted_on {got!r} is not a date (expected YYYY-MM-DD)"
MSG_RECORD_TYPE = (
    "{file}: column record_type holds {got!r}, which the catalogue ({source}) does not list; "
    "unknown record types are refused"
)
MSG_DATES = "no --as-of date given; at least one observation date is needed"
MSG_DATE = "as_of {got!r} is not a date (expected YYYY-MM-DD)"
MSG_EMPTY = "{dir}: the record set holds no dates and no manifest.json with extracted_on"
MSG_UNKNOWN_SUBJECTS = (
    "{dir}: subjects has no subject_id {missing} ({n:,} of the {asked:,} asked for are "
    "not in the record set{kind})"
)
MSG_AFTER_EXTRACTION = ("{file}: as_of {as_of} is after the record set's extracted_on "
                        "{extracted}; nothing later is on record, so choose dates up to "
                        "{extracted}")

IBIS_TYPES = {"str": "string", "date": "date", "float": "float64", "int": "int64",
              "bool": "boolean"}
DUCKDB_TYPES = {"str": "VARCHAR", "date": "DATE", "float": "DOUBLE", "int": "BIGINT",
                "bool": "BOOLEAN"}


def connect(memory_limit: str = "2GB", threads: int | None = None, temp_directory=None):
    """An embedded DuckDB connection with a memory cap and a spill directory."""
    import contextlib
    import os

    import duckdb

    config = {
        "memory_limit": memory_limit,
        "threads": threads or min(os.cpu_count() or 1, 8),
    }
    if temp_directory is not None:
        config["temp_directory"] = str(temp_directory)
    con = duckdb.connect(config=config)
    # In Jupyter without ipywidgets DuckDB refuses to touch the setting at all;
    # its bar cannot be drawn there either, so there is nothing to turn off.
    with contextlib.suppress(duckdb.InvalidInputException):
        con.execute("SET enable_progress_bar = false")
    return con


def _locate(record_dir: Path, table: str) -> Path:
    for suffix in (".parquet", ".csv"):
        path = record_dir / f"{table}{suffix}"
        if path.is_file():
            return path
    raise InputError(MSG_MISSING.format(dir=record_dir, table=table))


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _compatible(duckdb_type: str, kind: str) -> bool:
    t = duckdb_type.upper()
    if t == '"NULL"' or t == "NULL":
        return True
    integer = t in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
                    "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT")
    return {
        "str": t == "VARCHAR",
        "date": t == "DATE" or t.startswith("TIMESTAMP"),
        "float": integer or t in ("FLOAT", "DOUBLE") or t.startswith("DECIMAL"),
        "int": integer,
        "bool": t == "BOOLEAN",
    }[kind]


def _run(con, sql: str) -> list[tuple]:
    """Execute one statement and fetch all of its result (DuckDB wants results finished)."""
    return con.execute(sql).fetchall()


def _sql_str(text) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _read_one(con, path: Path, table: str) -> None:
    """Register ``cs_raw_<table>`` (the file) and ``cs_<table>`` (contract-typed view)."""
    spec = TABLES[table]
    raw_name = f"cs_raw_{table}"
    if path.suffix == ".csv":
        types = ", ".join(f"{_sql_str(c.name)}: '{DUCKDB_TYPES[c.kind]}'" for c in spec.columns)
        source = f"read_csv({_sql_str(path)}, header = true, types = {{{types}}})"
        ddl = f'CREATE TABLE "{raw_name}" AS SELECT * FROM {source}'
    else:
        ddl = f'CREATE VIEW "{raw_name}" AS SELECT * FROM read_parquet({_sql_str(path)})'
    try:
        _run(con, ddl)
        schema = {r[0]: r[1] for r in _run(con, f'DESCRIBE "{raw_name}"')}
    except Exception as exc:  # DuckDB's parse and I/O errors, reported with the file
        raise InputError(MSG_READ.format(file=path, error=_first_line(exc))) from exc
    for col in spec.columns:
        if col.name not in schema:
            raise InputError(MSG_COLUMN.format(file=path, column=col.name, table=table,
                                               columns=", ".join(spec.column_names)))
        if not _compatible(schema[col.name], col.kind):
            raise InputError(MSG_TYPE.format(file=path, column=col.name, got=schema[col.name],
                                             kind=col.kind))
    typed_view(con, table)


def typed_view(con, table: str, subjects: tuple[str | None, str | None] = (None, None),
               only: str | None = None) -> None:
    """(Re)define ``cs_<table>``: the contract's columns and types, for a range of subjects.

    ``subjects`` = (first, end): only subjects with ``first <= subject_id <
    end`` (None: unbounded). Instalments follow their loan's subject.
    ``only``: a condition on the stored columns (:func:`restrict_to_subjects`) that
    every row must meet as well, pushed down into the Parquet scan.
    """
    spec = TABLES[table]
    cols = ", ".join(
        f'CAST("{c.name}" AS {DUCKDB_TYPES[c.kind]}) AS "{c.name}"' for c in spec.columns
    )
    where = _subject_range(*subjects)
    if where and table == "repayments":
        where = f'loan_id IN (SELECT loan_id FROM "cs_raw_loans" WHERE {where})'
    if only:
        where = " AND ".join(w for w in (where, only) if w)
    if table == "subjects" and _has_column(con, "cs_raw_subjects", "kind"):
        # the entity extension (guide: entities): person features are for persons only
        where = " AND ".join(w for w in (where, "\"kind\" = 'person'") if w)
    sql = f'CREATE OR REPLACE VIEW "{table_name(table)}" AS SELECT {cols} FROM "cs_raw_{table}"'
    _run(con, sql + (f" WHERE {where}" if where else ""))


def restrict_to_subjects(con, record_dir, ids: tuple[str, ...], *, employer: bool = False,
                         kind: str = "person") -> dict[str, str]:
    """Narrow every ``cs_<table>`` view to the rows the subjects ``ids`` own.

    The rule of which rows a subject owns is :mod:`creditscore.records._ownership`'s;
    the conditions are literal lists, so DuckDB pushes them into the Parquet scan and
    skips row groups whose range cannot hold them. Refuses ids that are not subjects
    of ``kind`` in the record set, naming them.

    Returns
    -------
    dict of str to str
        The condition applied to each table (what the caller may apply to other tables).
    """
    from ..records._ownership import loan_filter, ownership_filter, sql_list

    kind_sql = ' AND "kind" = ' + _sql_str(kind) if _has_column(con, "cs_raw_subjects",
                                                                  "kind") else ""
    found = {r[0] for r in _run(con, (
        'SELECT DISTINCT CAST(subject_id AS VARCHAR) FROM "cs_raw_subjects" '
        f"WHERE subject_id IN {sql_list(ids)}{kind_sql}"))}
    missing = [i for i in ids if i not in found]
    if missing:
        shown = ", ".join(repr(m) for m in missing[:5]) + (", ..." if len(missing) > 5 else "")
        raise InputError(MSG_UNKNOWN_SUBJECTS.format(
            dir=record_dir, missing=shown, n=len(missing), asked=len(ids),
            kind=f" as {kind} subjects" if kind_sql else ""))
    loans = [r[0] for r in _run(con, (
        f'SELECT DISTINCT CAST(loan_id AS VARCHAR) FROM "cs_raw_loans" WHERE {loan_filter(ids)}'))]
    conditions = {t: ownership_filter(t, ids, loans, employer=employer) for t in MODEL_TABLES}
    for table in MODEL_TABLES:
        typed_view(con, table, only=conditions[table])
    return conditions


def _has_column(con, relation: str, column: str) -> bool:
    return any(r[0] == column for r in _run(con, f'DESCRIBE "{relation}"'))


def _subject_range(first: str | None, end: str | None) -> str:
    parts = []
    if first is not None:
        parts.append(f"subject_id >= {_sql_str(first)}")
    if end is not None:
        parts.append(f"subject_id < {_sql_str(end)}")
    return " AND ".join(parts)


def subject_chunks(con, max_records: int) -> list[tuple[str | None, str | None]]:
    """Ranges of subjects holding about ``max_records`` records each (one range if few).

    Every feature and label of a subject depends on that subject's records
    only, so a large record set is computed range by range in bounded memory.
    """
    counts = [_run(con, f'SELECT count(*) FROM "cs_raw_{t}"')[0][0] for t in MODEL_TABLES]
    k = -(-sum(counts) // max_records)
    if k <= 1:
        return [(None, None)]
    step = -(-counts[0] // k)
    cuts = [r[0] for r in _run(con, (
        'SELECT subject_id FROM (SELECT subject_id, row_number() OVER (ORDER BY subject_id) '
        f'AS rn FROM (SELECT DISTINCT subject_id FROM "cs_raw_subjects")) '
        f"WHERE rn % {step} = 1 AND rn > 1 ORDER BY subject_id"))]
    bounds = [None, *cuts, None]
    return list(zip(bounds[:-1], bounds[1:], strict=True))


def table_name(table: str) -> str:
    """The name a contract table is registered under (the compiled SQL refers to it)."""
    return f"cs_{table}"


def contract_schema(table: str):
    """The Ibis schema of a contract table."""
    import ibis

    return ibis.schema({c.name: IBIS_TYPES[c.kind] for c in TABLES[table].columns})


def read_record_set(con, record_dir) -> dict[str, Path]:
    """Register the model tables of a record set in ``con``; the file of each table."""
    record_dir = Path(record_dir)
    if not record_dir.is_dir():
        raise InputError(MSG_NO_DIR.format(path=record_dir))
    files = {t: _locate(record_dir, t) for t in MODEL_TABLES}
    for table, path in files.items():
        _read_one(con, path, table)
    return files


def check_record_types(con, file: Path, catalogue: Catalogue) -> None:
    """Refuse a record type the catalogue does not list (never silently used)."""
    known = ", ".join(_sql_str(k) for k in catalogue.record_types)
    first = _run(
        con,
        f'SELECT min(record_type) FROM "{table_name("public_records")}" '
        f"WHERE record_type NOT IN ({known})",
    )[0][0]
    if first is not None:
        raise InputError(MSG_RECORD_TYPE.format(file=file, got=first, source=catalogue.source))


def check_as_of(dates, extracted_on: dt.date, file) -> None:
    """Refuse an observation date after the extraction date a manifest states.

    Features at such a date would read every later record as absent and every
    label as unknown, which looks like data. Without a manifest the extraction
    date is only the latest date found, so nothing is refused.
    """
    late = [d for d in dates if d > extracted_on]
    if late:
        raise InputError(MSG_AFTER_EXTRACTION.format(file=file, as_of=max(late),
                                                     extracted=extracted_on))


def resolve_extracted_on(con, record_dir, dates=()) -> dt.date:
    """``manifest.json``'s extracted_on, else the latest date found in the records.

    ``dates`` after a manifest's extracted_on are refused (:func:`check_as_of`).
    Records in memory (``_memory.MemoryRecords``) carry their own ``extracted_on``
    (a RecordSet's manifest, or the caller's), else the latest date counts.
    """
    known = getattr(record_dir, "extracted_on", None) if not isinstance(
        record_dir, (str, os.PathLike)) else None
    if known is not None:
        check_as_of(dates, known, record_dir)
        return known
    manifest = Path(record_dir) / "manifest.json" if isinstance(
        record_dir, (str, os.PathLike)) else None
    if manifest is not None and manifest.is_file():
        raw = None
        try:
            raw = json.loads(manifest.read_text(encoding="utf-8")).get("extracted_on")
            found = dt.date.fromisoformat(str(raw))
        except (ValueError, AttributeError, TypeError) as exc:
            raise InputError(MSG_MANIFEST.format(file=manifest, got=raw)) from exc
        check_as_of(dates, found, manifest)
        return found
    maxima = [
        f'(SELECT max("{col}") FROM "{table_name(name)}")'
        for name in MODEL_TABLES
        for col in TABLES[name].date_columns
    ]
    latest = _run(con, f"SELECT greatest({', '.join(maxima)})")[0][0]
    if latest is None:
        raise InputError(MSG_EMPTY.format(dir=record_dir))
    return _as_date(latest)


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def parse_dates(as_of: Iterable) -> list[dt.date]:
    """Observation dates from dates or ISO strings: sorted, without duplicates."""
    dates = []
    for d in [as_of] if isinstance(as_of, (str, dt.date)) else list(as_of):
        if isinstance(d, dt.datetime):
            d = d.date()
        if not isinstance(d, dt.date):
            try:
                d = dt.date.fromisoformat(str(d))
            except ValueError as exc:
                raise InputError(MSG_DATE.format(got=d)) from exc
        dates.append(d)
    if not dates:
        raise InputError(MSG_DATES)
    return sorted(set(dates))


def parse_catalogue(catalogue) -> Catalogue:
    """A Catalogue from a path, a Catalogue or None (the shipped default)."""
    from ..records._catalogue import Catalogue, CatalogueError, load_catalogue

    if isinstance(catalogue, Catalogue):
        return catalogue
    try:
        return load_catalogue(catalogue)
    except CatalogueError as exc:
        raise InputError(str(exc)) from exc


@functools.lru_cache(maxsize=8)
def output_schema(features: tuple[FeatureDef, ...]) -> pa.Schema:
    """The Parquet schema of the feature table.

    Its pandas metadata (written by hand, so that pandas need not be imported
    here) makes ``pandas.read_parquet`` give the labels the nullable ``Int64``
    dtype.
    """
    import json
    from importlib import metadata

    import pyarrow as pa

    fields = [pa.field("subject_id", pa.string()), pa.field("as_of", pa.date32())]
    fields += [pa.field(f.name, pa.float64() if f.dtype == "float64" else pa.int64())
               for f in features]
    fields += [pa.field(name, pa.int64()) for name in LABELS]
    kinds = {"subject_id": ("unicode", "object"), "as_of": ("date", "object"),
             **{f.name: (f.dtype, f.dtype) for f in features},
             **{name: ("int64", "Int64") for name in LABELS}}
    pandas_meta = {
        "index_columns": [], "column_indexes": [], "attributes": {},
        "columns": [{"name": n, "field_name": n, "pandas_type": p, "numpy_type": t,
                     "metadata": None} for n, (p, t) in kinds.items()],
        "creator": {"library": "pyarrow", "version": pa.__version__},
        "pandas_version": _version("pandas", metadata),
    }
    return pa.schema(fields).with_metadata({"pandas": json.dumps(pandas_meta)})


def _version(dist: str, metadata) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "2.2.0"
