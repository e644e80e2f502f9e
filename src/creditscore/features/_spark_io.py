"""Reading a record set into Spark temporary views, typed by the contract.

A record set directory on any filesystem Spark reads (``/data/x``,
``file:///``, ``hdfs://``, ``s3a://``, ``gs://``, ``abfss://``):
``<table>.parquet`` (a file or a directory of part files) or ``<table>.csv``
per table, and ``manifest.json``. Each table is checked for the contract's
columns and types and projected onto them (one temporary view per table and
run, named with a fresh token so that concurrent builds do not collide).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from functools import reduce
from typing import TYPE_CHECKING

from .._errors import InputError
from ._engine import DATES_TABLE
from ._io import (
    MSG_COLUMN,
    MSG_EMPTY,
    MSG_MANIFEST,
    MSG_MISSING,
    MSG_NO_DIR,
    MSG_RECORD_TYPE,
    MSG_TYPE,
    check_as_of,
    parse_catalogue,
    parse_dates,
    table_name,
)
from ._spark_env import configure, spark_session
from ._uri import is_local as _is_local
from ._uri import join as _join
from ._uri import local_path as _local
from ._visibility import dates_frame

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

__all__ = ["register", "drop_views", "create_frame", "run_action", "to_arrow", "write_dataset",
           "check_records_spark", "MSG_CSV"]

MSG_CSV = "{file}: cannot be read with the contract's types ({error})"
_SPARK_TYPES = {"str": "string", "date": "date", "float": "double", "int": "bigint",
                "bool": "boolean"}


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _locate(root: str, table: str) -> list[tuple[str, str]]:
    """Where ``table`` may be: (path, "parquet" or "csv"), in the order to try."""
    if not _is_local(root):
        return [(_join(root, f"{table}.parquet"), "parquet"), (_join(root, f"{table}.csv"), "csv")]
    for kind in ("parquet", "csv"):  # a file, or a directory of part files written by Spark
        path = _local(root) / f"{table}.{kind}"
        if path.exists():
            return [(str(path), kind)]
    raise InputError(MSG_MISSING.format(dir=root, table=table))


def _read_raw(spark, root: str, table: str):
    """(DataFrame, file) of one table: ``<table>.parquet``, else ``<table>.csv``."""
    from pyspark.errors import AnalysisException

    for path, kind in _locate(root, table):
        try:
            if kind == "parquet":
                return spark.read.parquet(path), path
            return _read_csv(spark, path, table), path
        except AnalysisException as exc:
            if "PATH_NOT_FOUND" in str(exc) or "Path does not exist" in str(exc):
                continue
            raise InputError(f"{path}: cannot be read ({_first_line(exc)})") from exc
    raise InputError(MSG_MISSING.format(dir=root, table=table))


def _read_csv(spark, path: str, table: str):
    """A CSV table parsed by column name with the contract's types, every value checked.

    Spark reads the text; a value that does not parse as its column's type
    is reported naming the file, column and value (DuckDB's reader does the
    same), never turned into a null.
    """
    from pyspark.sql import functions as F

    from ..records._contract import TABLES

    raw = spark.read.csv(path, header=True, inferSchema=False, mode="FAILFAST")
    spec = TABLES[table]
    for col in spec.columns:
        if col.name not in raw.columns:
            raise InputError(MSG_COLUMN.format(file=path, column=col.name, table=table,
                                               columns=", ".join(spec.column_names)))
    parsed = {c.name: F.expr(f"try_cast(`{c.name}` AS {_SPARK_TYPES[c.kind]})")
              for c in spec.columns}
    checked = [c for c in spec.columns if c.kind != "str"]
    fails = [F.col(c.name).isNotNull() & parsed[c.name].isNull() for c in checked]
    if fails:  # one pass over the file: the first row holding a value that does not parse
        flags = [f.alias(f"_cs_bad_{i}") for i, f in enumerate(fails)]
        first = raw.select(*[F.col(c.name) for c in checked], *flags).filter(
            reduce(lambda a, b: a | b, fails)).limit(1).collect()
        if first:
            i = next(i for i in range(len(checked)) if first[0][f"_cs_bad_{i}"])
            c = checked[i]
            raise InputError(MSG_CSV.format(file=path, error=f"column {c.name} holds "
                                            f"{first[0][c.name]!r}, not a {c.kind}"))
    return raw.select([parsed[c.name].alias(c.name) for c in spec.columns])


def _compatible(data_type, kind: str) -> bool:
    from pyspark.sql import types as T

    integral = isinstance(data_type, T.IntegralType)
    return isinstance(data_type, T.NullType) or {
        "str": isinstance(data_type, (T.StringType, T.VarcharType, T.CharType)),
        "date": isinstance(data_type, (T.DateType, T.TimestampType, T.TimestampNTZType)),
        "float": integral or isinstance(data_type, (T.FloatType, T.DoubleType, T.DecimalType)),
        "int": integral,
        "bool": isinstance(data_type, T.BooleanType),
    }[kind]


def _typed(df, file: str, table: str):
    """The contract's columns of ``df``, cast to the contract's types (checked first)."""
    from pyspark.sql import functions as F

    from ..records._contract import TABLES

    spec = TABLES[table]
    fields = {f.name: f.dataType for f in df.schema.fields}
    for col in spec.columns:
        if col.name not in fields:
            raise InputError(MSG_COLUMN.format(file=file, column=col.name, table=table,
                                               columns=", ".join(spec.column_names)))
        if not _compatible(fields[col.name], col.kind):
            raise InputError(MSG_TYPE.format(file=file, column=col.name,
                                             got=fields[col.name].simpleString().upper(),
                                             kind=col.kind))
    return df.select([F.col(c.name).cast(_SPARK_TYPES[c.kind]).alias(c.name)
                      for c in spec.columns])


def _read_manifest(spark, root: str) -> str | None:
    """The text of ``manifest.json``, or None if there is none."""
    if _is_local(root):
        path = _local(root) / "manifest.json"
        return path.read_text(encoding="utf-8") if path.is_file() else None
    from pyspark.errors import AnalysisException

    try:
        rows = spark.read.text(_join(root, "manifest.json"), wholetext=True).collect()
    except AnalysisException:
        return None
    return rows[0][0] if rows else None


def _extracted_on(spark, root: str, views: dict[str, str], dates=()) -> dt.date:
    """``manifest.json``'s extracted_on, else the latest date in the records (as DuckDB's);
    ``dates`` after a manifest's are refused (``_io.check_as_of``)."""
    from ..records._contract import MODEL_TABLES, TABLES

    text = _read_manifest(spark, root)
    if text is not None:
        raw = None
        try:
            raw = json.loads(text).get("extracted_on")
            found = dt.date.fromisoformat(str(raw))
        except (ValueError, AttributeError, TypeError) as exc:
            raise InputError(MSG_MANIFEST.format(file=_join(root, "manifest.json"),
                                                 got=raw)) from exc
        check_as_of(dates, found, _join(root, "manifest.json"))
        return found
    maxima = [f"(SELECT max(`{col}`) FROM `{views[t]}`)"
              for t in MODEL_TABLES for col in TABLES[t].date_columns]
    latest = spark.sql(f"SELECT greatest({', '.join(maxima)}) AS d").collect()[0][0]
    if latest is None:
        raise InputError(MSG_EMPTY.format(dir=root))
    return latest if not isinstance(latest, dt.datetime) else latest.date()


def _check_record_types(spark, view: str, file: str, catalogue) -> None:
    from pyspark.sql import functions as F

    df = spark.table(view)
    first = (df.filter(~F.col("record_type").isin(list(catalogue.record_types)))
             .agg(F.min("record_type")).collect()[0][0])
    if first is not None:
        raise InputError(MSG_RECORD_TYPE.format(file=file, got=first, source=catalogue.source))


def register(spark, record_dir, as_of, catalogue):
    """Register the record set and the dates as temporary views; (views, dates, catalogue).

    The view names carry a fresh token, so concurrent builds in one session
    do not collide.
    """
    from ..records._contract import MODEL_TABLES

    root = os.fspath(record_dir)
    if _is_local(root) and not _local(root).is_dir():
        raise InputError(MSG_NO_DIR.format(path=root))
    dates = parse_dates(as_of)
    cat = parse_catalogue(catalogue)
    token = uuid.uuid4().hex[:12]
    views, files = {}, {}
    try:
        for table in MODEL_TABLES:
            raw, files[table] = _read_raw(spark, root, table)
            if table == "subjects" and "kind" in raw.columns:  # the guide (entities)
                raw = raw.filter(raw["kind"] == "person")  # person features: persons only
            typed = _typed(raw, files[table], table)
            views[table] = f"{table_name(table)}_{token}"
            typed.createOrReplaceTempView(views[table])
        run_action(lambda: _check_record_types(spark, views["public_records"],
                                         files["public_records"], cat), root)
        extracted = run_action(lambda: _extracted_on(spark, root, views, dates), root)
        views["as_of"] = f"{DATES_TABLE}_{token}"
        frame = create_frame(spark, dates_frame(dates, extracted))
        frame.createOrReplaceTempView(views["as_of"])
    except BaseException:
        drop_views(spark, views)
        raise
    return views, dates, cat


def create_frame(spark, table: pa.Table):
    """A Spark DataFrame from an Arrow table (PySpark 4 takes Arrow; 3.5 takes pandas)."""
    try:
        return spark.createDataFrame(table)
    except TypeError:  # pragma: no cover - PySpark 3.5
        return spark.createDataFrame(table.to_pandas())


def drop_views(spark, views: dict[str, str]) -> None:
    for name in views.values():
        spark.catalog.dropTempView(name)



def run_action(action, files_hint: str):
    """Run a Spark action; a CSV value that cannot be parsed is the input's fault (exit 2)."""
    try:
        return action()
    except Exception as exc:
        text = str(exc)
        if "MALFORMED_RECORD" in text or "Malformed records" in text:
            raise InputError(MSG_CSV.format(file=files_hint, error=_first_line(exc))) from exc
        raise



def to_arrow(df) -> pa.Table:
    """A Spark DataFrame collected as Arrow (PySpark 4 ``toArrow``; 3.5's private path)."""
    if hasattr(df, "toArrow"):
        return df.toArrow()
    return df._collect_as_arrow_table()  # pragma: no cover - PySpark 3.5


def write_dataset(spark, df, out: str, before_commit=None) -> int:
    """Write ``df`` as Parquet part files into ``out``, atomically where renames are; rows.

    Spark writes into a temporary sibling of ``out``; on success
    ``before_commit(n_rows)`` runs (if given) and the temporary replaces
    ``out`` (a local ``os.replace``, else a Hadoop ``FileSystem.rename``,
    atomic on HDFS, a copy on object stores). On failure the temporary is
    removed and a previous ``out`` is left intact.
    """
    if _is_local(out):
        from .._atomic import atomic_dir

        with atomic_dir(_local(out)) as tmp:
            df.write.mode("overwrite").parquet(str(tmp))
            n = spark.read.parquet(str(tmp)).count()
            if before_commit is not None:
                before_commit(n)
            return n
    return _write_remote(spark, df, out, before_commit)


def _write_remote(spark, df, out: str, before_commit) -> int:  # pragma: no cover - a cluster FS
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    hpath = jvm.org.apache.hadoop.fs.Path
    dest, base = hpath(out), out.rstrip("/")
    tmp, old = hpath(f"{base}.{uuid.uuid4().hex[:8]}.tmp"), hpath(f"{base}.old")
    fs = dest.getFileSystem(conf)
    try:
        df.write.mode("overwrite").parquet(tmp.toString())
        n = spark.read.parquet(tmp.toString()).count()
        if before_commit is not None:
            before_commit(n)
        if fs.exists(dest):
            fs.delete(old, True)
            fs.rename(dest, old)
        if not fs.rename(tmp, dest):
            raise OSError(f"{out}: cannot rename the written dataset into place")
        fs.delete(old, True)
        return n
    finally:
        if fs.exists(tmp):
            fs.delete(tmp, True)


def check_records_spark(record_dir, catalogue=None, *, spark=None,
                        master: str | None = None) -> dict[str, int]:
    """Read a record set on Spark as the engine does; the rows of each table.

    Checks what the Spark engine checks before computing (every table there,
    the contract's columns and types, CSV values that parse, record types
    the catalogue lists, the manifest's date), on any filesystem Spark
    reads. The full contract rules (keys, ranges, date order) are
    :func:`creditscore.records.validate_records` on a local copy.

    Raises
    ------
    InputError
        Naming the file, table and column at fault.
    """
    from ..records._contract import MODEL_TABLES

    spark = spark if spark is not None else spark_session(master)
    configure(spark)
    views, _, _ = register(spark, record_dir, "1970-01-01", catalogue)
    try:
        return {t: run_action(lambda t=t: spark.table(views[t]).count(), os.fspath(record_dir))
                for t in MODEL_TABLES}
    finally:
        drop_views(spark, views)
