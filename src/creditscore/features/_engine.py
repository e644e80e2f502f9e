"""Compile the feature definitions and labels to one Ibis expression, and run it.

:func:`feature_expression` is engine-neutral: Ibis tables in, one Ibis table
out (inequality joins to the observation dates, group-by aggregates, two
small windows, left joins onto the subject x date grid). :func:`compile_sql`
turns it into SQL text over named tables, for DuckDB here; the same
expression compiles for PySpark through Ibis. :func:`build_features` runs it
on an embedded DuckDB that reads the Parquet files in place (by ranges of
subjects when the record set is large) and streams the sorted result into a
Parquet file written atomically.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .._errors import InputError
from ._definitions import FeatureDef
from ._labels import label_columns, label_parts
from ._visibility import DATES_SCHEMA, dates_frame, visible_relations

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir
    import pyarrow as pa

    from ..records._catalogue import Catalogue

__all__ = [
    "FeatureResult",
    "build_features",
    "build_feature_table",
    "feature_expression",
    "compile_sql",
]

KEYS = ["subject_id", "as_of"]
ENGINES = ("duckdb", "spark")
MSG_ENGINE = "engine {engine!r} is not available; choose one of: {engines}"
BATCH_ROWS = 262_144
#: above this many records, compute by ranges of subjects (see ``_batches``)
CHUNK_RECORDS = 25_000_000


@dataclass(frozen=True)
class FeatureResult:
    """What :func:`build_features` wrote.

    Attributes
    ----------
    n_rows : int
        Rows written: one per subject and observation date.
    n_features : int
        Feature columns (labels and keys not counted).
    path : pathlib.Path
    seconds : float
        Wall time of the build.
    """

    n_rows: int
    n_features: int
    path: Path
    seconds: float


def _features() -> tuple[FeatureDef, ...]:
    from . import FEATURES

    return FEATURES


def _source_parts(v: ir.Table, features: Sequence[FeatureDef]) -> list[ir.Table]:
    """One aggregate over the visible rows, plus one table per shared table-builder."""
    parts = []
    aggregates = {f.name: f.build(v) for f in features if f.kind == "aggregate"}
    if aggregates:
        parts.append(v.group_by(KEYS).aggregate(**aggregates))
    builders: dict = {}
    for f in features:
        if f.kind == "table":
            builders.setdefault(f.build, []).append(f.name)
    for build, names in builders.items():
        parts.append(build(v).select(*KEYS, *names))
    return parts


def feature_expression(
    tables: dict[str, ir.Table],
    dates: ir.Table,
    catalogue: Catalogue,
    features: Sequence[FeatureDef] | None = None,
) -> ir.Table:
    """The feature and label table as one engine-neutral Ibis expression.

    Parameters
    ----------
    tables : dict of str to ibis Table
        The model tables of the contract (``subjects``, ``contributions``,
        ``loans``, ``repayments``, ``public_records``) with contract types.
    dates : ibis Table
        The observation dates, as made by :func:`._visibility.dates_frame`.
    catalogue : Catalogue
    features : sequence of FeatureDef, optional
        Default: every feature in ``FEATURES``.
    """
    features = tuple(_features() if features is None else features)
    relations, prepared = visible_relations(tables, dates, catalogue)
    parts = []
    for name, v in relations.items():
        parts += _source_parts(v, [f for f in features if f.reads == name])
    parts += label_parts(
        prepared["contributions"], prepared["repayments"], prepared["loans"],
        prepared["public_records"], dates,
    )

    subjects = tables["subjects"].select("subject_id").distinct()
    w = subjects.cross_join(dates.select("as_of", "label_known"))
    for part in parts:
        w = w.left_join(part, KEYS).drop("subject_id_right", "as_of_right")
    w = w.mutate(**{f.name: _filled(w[f.name], f) for f in features if f.kind != "derived"})
    w = w.mutate(**{f.name: f.build(w) for f in features if f.kind == "derived"})
    out = {
        "subject_id": w.subject_id,
        "as_of": w.as_of,
        **{f.name: w[f.name].cast(f.dtype) for f in features},
        **label_columns(w),
    }
    return w.select(**out).order_by(["as_of", "subject_id"])


def _filled(col: ir.Value, f: FeatureDef) -> ir.Value:
    return col if f.fill is None else col.fill_null(f.fill)


# ----------------------------------------------------------------- running it
DATES_TABLE = "cs_as_of"
_SQL_CACHE: dict = {}


def compile_sql(catalogue: Catalogue, features: Sequence[FeatureDef], dialect: str = "duckdb"):
    """The feature query as SQL over the registered tables ``cs_<table>`` and ``cs_as_of``.

    The text depends only on the catalogue and the features (not on the data
    or the dates), so it is compiled once per process and reused; for the
    package's own features it is also kept on disk (see :mod:`._sqlcache`).
    """
    import json

    from ._sqlcache import cached_sql

    key = (json.dumps(catalogue.to_dict(), sort_keys=True), tuple(features),
           tuple(id(f.build) for f in features), dialect)
    if key not in _SQL_CACHE:
        own = tuple(features) == tuple(_features())
        _SQL_CACHE[key] = cached_sql(
            key[0], dialect, lambda: _compile(catalogue, features, dialect), enabled=own)
    return _SQL_CACHE[key]


def _compile(catalogue: Catalogue, features: Sequence[FeatureDef], dialect: str) -> str:
    import ibis

    from ..records._contract import MODEL_TABLES
    from ._io import contract_schema, table_name

    tables = {t: ibis.table(contract_schema(t), name=table_name(t)) for t in MODEL_TABLES}
    dates = ibis.table(ibis.Schema.from_pyarrow(_dates_arrow_schema()), name=DATES_TABLE)
    expr = feature_expression(tables, dates, catalogue, features)
    return str(ibis.to_sql(expr, dialect=dialect))


def _dates_arrow_schema():
    import pyarrow as pa

    return pa.schema(list(DATES_SCHEMA.items()))


def _prepare(con, record_dir, as_of, catalogue, features) -> tuple[str, list[dt.date]]:
    """Register the record set and the dates in ``con``; the SQL to run, and the dates."""
    from ._io import (
        check_record_types,
        parse_catalogue,
        parse_dates,
        read_record_set,
        resolve_extracted_on,
    )

    dates = parse_dates(as_of)
    cat = parse_catalogue(catalogue)
    files = read_record_set(con, record_dir)
    check_record_types(con, files["public_records"], cat)
    extracted = resolve_extracted_on(con, record_dir)
    con.register(DATES_TABLE, dates_frame(dates, extracted))
    return compile_sql(cat, features), dates


def _batches(con, sql: str, dates, spill: Path, chunk_records: int):
    """The result in (as_of, subject_id) order, computed by ranges of subjects if large.

    One range: the query streams. Several: each range is computed into a
    Parquet file in the spill directory (sorted by as_of, subject_id), then
    the files are read back date by date, range by range, which is the
    global order, so memory stays bounded and time linear in the records.
    """
    from ..records._contract import MODEL_TABLES
    from ._io import subject_chunks, typed_view

    chunks = subject_chunks(con, chunk_records)
    if len(chunks) == 1:
        yield from con.sql(sql).to_arrow_reader(BATCH_ROWS)
        return
    files = []
    for i, subjects in enumerate(chunks):
        for table in MODEL_TABLES:
            typed_view(con, table, subjects)
        files.append(spill / f"chunk-{i:04d}.parquet")
        con.execute(f"COPY ({sql}) TO '{files[-1]}' (FORMAT parquet)").fetchall()
    for day in dates:
        for path in files:
            part = con.sql(f"SELECT * FROM read_parquet('{path}') WHERE as_of = DATE '{day}'")
            yield from part.to_arrow_reader(BATCH_ROWS)


def _check_engine(engine: str) -> None:
    if engine not in ENGINES:
        raise InputError(MSG_ENGINE.format(engine=engine, engines=", ".join(ENGINES)))


def build_feature_table(
    record_dir,
    as_of,
    engine: str = "duckdb",
    catalogue=None,
    *,
    features: Sequence[FeatureDef] | None = None,
    memory_limit: str = "2GB",
    threads: int | None = None,
    chunk_records: int = CHUNK_RECORDS,
) -> pa.Table:
    """The feature and label table of a record set, in memory (Arrow).

    Same rows, columns and order as :func:`build_features` writes; same
    parameters but ``out``.
    """
    import pyarrow as pa

    from ._io import connect, output_schema

    _check_engine(engine)
    features = tuple(_features() if features is None else features)
    if engine == "spark":
        from ._spark import build_feature_table_spark

        return build_feature_table_spark(record_dir, as_of, catalogue, features=features)
    schema = output_schema(features)
    with tempfile.TemporaryDirectory(prefix="creditscore-duckdb-") as spill:
        con = connect(memory_limit, threads, spill)
        try:
            sql, dates = _prepare(con, record_dir, as_of, catalogue, features)
            batches = [b.cast(schema) for b in _batches(con, sql, dates, Path(spill),
                                                        chunk_records)]
            return pa.Table.from_batches(batches, schema=schema)
        finally:
            con.close()


def build_features(
    record_dir,
    as_of,
    out,
    engine: str = "duckdb",
    catalogue=None,
    *,
    features: Sequence[FeatureDef] | None = None,
    memory_limit: str = "2GB",
    threads: int | None = None,
    chunk_records: int = CHUNK_RECORDS,
) -> FeatureResult:
    """Write one row per (subject_id, as_of) with the features and both labels.

    Parameters
    ----------
    record_dir : path
        A record set (shared/spec/records.md), Parquet or CSV.
    as_of : date, str or sequence of them
        Observation dates.
    out : path
        The Parquet file to write (atomically: it appears whole or not at all).
    engine : {"duckdb", "spark"}, default="duckdb"
        ``"spark"``: the same query on Spark (active session, else $SPARK_REMOTE /
        $SPARK_MASTER / spark-defaults); memory_limit, threads, chunk_records are DuckDB's.
    catalogue : path, Catalogue or None, default=None
        The shipped catalogue when None.
    memory_limit : str, default="2GB"
        DuckDB's memory cap; larger intermediates spill to a temporary directory.
    threads : int, optional
        DuckDB threads (default: the machine's cores, at most 8).
    chunk_records : int, default=25_000_000
        A record set with more records is computed by ranges of subjects of
        about this many records each (exact: a subject's features depend on
        its own records only), keeping memory bounded and time linear.

    Returns
    -------
    FeatureResult

    Raises
    ------
    InputError
        A missing or malformed table, column, date or catalogue, naming it.
    """
    import pyarrow.parquet as pq

    from .._atomic import atomic_file
    from ._io import connect, output_schema

    _check_engine(engine)
    if engine == "spark":
        from ._spark import build_features_spark

        return build_features_spark(record_dir, as_of, out, catalogue, features=features)
    start = time.perf_counter()
    features = tuple(_features() if features is None else features)
    schema = output_schema(tuple(features))
    n_rows = 0
    with tempfile.TemporaryDirectory(prefix="creditscore-duckdb-") as spill:
        con = connect(memory_limit, threads, spill)
        try:
            sql, dates = _prepare(con, record_dir, as_of, catalogue, features)
            with atomic_file(out) as tmp, pq.ParquetWriter(tmp, schema) as writer:
                for batch in _batches(con, sql, dates, Path(spill), chunk_records):
                    writer.write_batch(batch.cast(schema), row_group_size=BATCH_ROWS)
                    n_rows += batch.num_rows
        finally:
            con.close()
    return FeatureResult(n_rows, len(features), Path(out), time.perf_counter() - start)
