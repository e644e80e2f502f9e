"""One subject's records at any scale, and the layout that makes reading them cheap.

:func:`read_subject_records` reads only the rows a few subjects own (the rule of
:mod:`._ownership`), with the filter pushed down into DuckDB's Parquet scan and only the
contract's columns read, then validates those rows. What it costs depends on the layout:
a Parquet file whose row groups are sorted by ``subject_id`` (``repayments`` by
``loan_id``) lets the scan skip every row group whose range cannot hold the subject, so
one subject costs a few row groups whatever the population. :func:`layout_records`
rewrites a record set into that layout (and ``creditscore synth`` writes it). A CSV record
set has no row groups to skip: it is read whole and filtered.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from ._contract import TABLES
from ._io import RecordSet, _to_contract, find_extracted_on, read_records, record_files
from ._layout import MANIFEST, locate
from ._ownership import loan_filter, ownership_filter, sql_list, subject_ids
from ._report import RecordError
from ._sources import _lit, _q

__all__ = ["read_subject_records", "records_fingerprint", "layout_records",
           "LAYOUT_ROW_GROUP_ROWS", "SORT_KEYS"]

#: rows per row group of the per-subject layout: small enough that a subject's row groups
#: are a small share of a large table, large enough that scans stay fast
LAYOUT_ROW_GROUP_ROWS = 1 << 17
#: the sort order of each table in the per-subject layout (then the stored order)
SORT_KEYS = {
    "subjects": ("subject_id",),
    "contributions": ("subject_id", "period", "insurance_type"),
    "loans": ("subject_id", "loan_id"),
    "repayments": ("loan_id", "due_on"),
    "public_records": ("subject_id", "recorded_on", "record_id"),
    "protected": ("subject_id",),
    "entities": ("subject_id",),
}
MSG_NO_SUBJECT = "{path}: subjects has no subject_id {missing}"
MSG_LAYOUT_CSV = "{path}: the per-subject layout is Parquet; this record set is CSV"
MSG_LAYOUT_SAME = "{path}: write the new layout to another directory (--out), then replace"


def read_subject_records(path, subjects, catalogue=None, *, employer: bool = False,
                         validate: bool = True) -> RecordSet:
    """The record set restricted to the rows ``subjects`` own, read without the rest.

    Parameters
    ----------
    path : str or Path
        A record-set directory.
    subjects : str or sequence of str
        Subject ids (persons, or entities with ``employer=True``).
    catalogue : Catalogue, str, Path or None, default=None
    employer : bool, default=False
        Entity subjects: also the contributions they owe as employers.
    validate : bool, default=True
        Validate the rows read (the contract's checks on those rows).

    Returns
    -------
    RecordSet
        Every contract table, holding only the subjects' rows; ``extracted_on`` is the
        whole record set's (its manifest, else its latest date).

    Raises
    ------
    RecordError
        A missing file or column, an id that is not in ``subjects``, or a problem in
        the rows read, naming the table, column and row.
    """
    import duckdb

    from ._validate import resolve_catalogue, validate_records

    try:
        ids = subject_ids(subjects)
    except ValueError as exc:
        raise RecordError(f"{path}: {exc}") from None
    files = record_files(path)
    cat = resolve_catalogue(catalogue, None)
    fmt = locate(path)[0]
    if fmt == "csv":  # no row groups to skip: read whole, then filter
        whole = read_records(path, cat, validate=validate)
        tables = _filter_in_memory(whole.tables, ids, employer)
        extracted_on = whole.extracted_on
    else:
        with duckdb.connect() as con:
            tables = _read_owned(con, files, ids, employer)
        extracted_on = find_extracted_on(path)
    found = set(tables["subjects"].column("subject_id").to_pylist())
    missing = [i for i in ids if i not in found]
    if missing:
        raise RecordError(MSG_NO_SUBJECT.format(
            path=path, missing=", ".join(repr(m) for m in missing[:5])))
    subset = RecordSet(Path(path), fmt, tables, extracted_on, cat)
    if validate and fmt != "csv":
        report = validate_records(subset, cat, max_messages=1)
        if not report.ok:
            raise RecordError(f"{path} (the rows of {', '.join(ids[:3])}): "
                              f"{report.headline()}; {report.problems[0]}")
    return subset


def records_fingerprint(records: RecordSet) -> str:
    """sha256 of a record set's content: each table's name, columns and cells, in order.

    What the audit log records as the input of a per-subject answer: the rows it was
    made from (never the file bytes of the whole population, which would cost a read of
    all of it, and which embed the writer's version).
    """
    import hashlib

    h = hashlib.sha256(f"extracted_on={records.extracted_on}".encode())
    for name in sorted(records.tables):
        table = records.tables[name]
        h.update(f"\n{name}:{','.join(table.column_names)}\n".encode())
        for column in table.columns:
            h.update(repr(column.to_pylist()).encode())
    return h.hexdigest()


def _read_owned(con, files: dict, ids: tuple[str, ...], employer: bool) -> dict:
    """Each table's owned rows: only the contract's columns, the filter in the scan."""
    import duckdb

    def scan(table: str, where: str, columns) -> str:
        cols = ", ".join(_q(c) for c in columns)
        return f"SELECT {cols} FROM read_parquet({_lit(str(files[table]))}) WHERE {where}"

    table = "loans"
    try:
        loans = [r[0] for r in con.sql(scan("loans", loan_filter(ids), ["loan_id"])).fetchall()]
        employees: list[str] = []
        if employer:
            table = "contributions"
            owed = f'"employer_id" IN {sql_list(ids)}'
            employees = [r[0] for r in con.sql(
                f"SELECT DISTINCT subject_id FROM ({scan(table, owed, ['subject_id'])})"
            ).fetchall()]
        out = {}
        for table in TABLES:
            where = ownership_filter(table, ids, loans, employer=employer, employees=employees)
            data = con.sql(scan(table, where, TABLES[table].column_names)).to_arrow_table()
            out[table] = _to_contract(table, data)
        return out
    except duckdb.Error as exc:
        raise RecordError(f"{files[table]}: {str(exc).splitlines()[0]}") from exc


def _filter_in_memory(tables: dict, ids: tuple[str, ...], employer: bool) -> dict:
    import pyarrow as pa
    import pyarrow.compute as pc

    wanted = pa.array(list(ids), pa.string())
    loans = tables["loans"].filter(pc.is_in(tables["loans"]["subject_id"], value_set=wanted))
    c = tables["contributions"]
    owed = c.filter(pc.fill_null(pc.is_in(c["employer_id"], value_set=wanted), False))
    employees = pc.unique(owed["subject_id"]) if employer else pa.array([], pa.string())
    out = {}
    for name, table in tables.items():
        if name == "repayments":
            mask = pc.is_in(table["loan_id"], value_set=loans["loan_id"])
        else:
            mask = pc.is_in(table["subject_id"], value_set=wanted)
            if employer and name == "contributions":
                mask = pc.or_kleene(mask, pc.is_in(table["employer_id"], value_set=wanted))
            if employer and name == "subjects":
                mask = pc.or_kleene(mask, pc.is_in(table["subject_id"], value_set=employees))
        out[name] = table.filter(pc.fill_null(mask, False))
    return out


def layout_records(path, out, *, catalogue=None, row_group_rows: int = LAYOUT_ROW_GROUP_ROWS,
                   memory_limit: str = "2GB") -> Path:
    """Rewrite a Parquet record set into the per-subject layout, atomically, validated.

    Each table is sorted by :data:`SORT_KEYS` and written in row groups of
    ``row_group_rows`` rows with zstd compression, every column kept (extra ones
    included); other files are copied; ``manifest.json`` is written with the record
    set's ``extracted_on`` when it had none, so a per-subject read never scans the
    whole set for it. The record set is validated first and refused with its first
    problem; ``out`` appears whole or not at all (an existing ``out`` is replaced).

    Returns
    -------
    Path
        ``out``.
    """
    import duckdb

    from .._atomic import atomic_dir
    from ._validate import resolve_catalogue, validate_records

    path, out = Path(path), Path(out)
    fmt, files, _ = locate(path)
    if fmt != "parquet":
        raise RecordError(MSG_LAYOUT_CSV.format(path=path))
    if out.resolve() == path.resolve():
        raise RecordError(MSG_LAYOUT_SAME.format(path=path))
    validate_records(path, resolve_catalogue(catalogue, None), max_messages=1).raise_if_invalid()
    extracted_on = find_extracted_on(path)
    extra = {"entities": path / "entities.parquet"}
    with atomic_dir(out) as tmp, duckdb.connect() as con:
        con.execute(f"SET memory_limit = {_lit(str(memory_limit))}")
        con.execute("SET preserve_insertion_order = false")
        for name, file in {**files, **{k: v for k, v in extra.items() if v.is_file()}}.items():
            source = f"read_parquet({_lit(str(file))})"
            columns = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
            names = [c[0] for c in columns]
            keys = [k for k in SORT_KEYS.get(name, ()) if k in names]
            order = ", ".join(_q(k) for k in keys) or "ALL"
            con.execute(
                f"COPY (SELECT * FROM read_parquet({_lit(str(file))}) ORDER BY {order}) "
                f"TO {_lit(str(tmp / file.name))} (FORMAT parquet, COMPRESSION zstd, "
                f"ROW_GROUP_SIZE {int(row_group_rows)})")
        for other in path.iterdir():
            if other.is_file() and not (tmp / other.name).exists():
                shutil.copy2(other, tmp / other.name)
        if not (tmp / MANIFEST).exists():
            (tmp / MANIFEST).write_text(json.dumps({"extracted_on": extracted_on.isoformat()}),
                                        encoding="utf-8")
    return out

