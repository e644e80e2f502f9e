"""Features and labels on Spark: the very same Ibis expression, run by Spark SQL.

:func:`build_features_spark` computes exactly what the DuckDB engine computes:
the feature and label definitions are one engine-neutral Ibis expression
(:func:`._engine.feature_expression`), compiled here by Ibis's PySpark
compiler (:func:`._engine.compile_sql` with ``dialect="pyspark"``; the text is
the query ``ibis.pyspark.connect(session).compile(expr)`` gives, and is cached
like DuckDB's) and run with ``session.sql``. Same columns in the same order,
same types (``as_of`` date32, string ids, float64/int64 features, nullable
Int64 labels), same values, sorted by ``as_of``, ``subject_id``;
``tests/spark`` proves it cell by cell on the contract's label edge cases, a
synthetic world and random record sets. :func:`feature_ibis_table` gives the
same expression bound to an Ibis PySpark connection, to compose further.

Where Spark and DuckDB could differ, and why they do not here:

* dates: window starts and label horizons are computed in Python (the
  observation-date table), so the query compares dates; the display period is
  ``date + INTERVAL 'M' MONTH``, clamped to the month's last day on both
  (2020-02-29 + 60 months = 2025-02-28); day counts are ``DATEDIFF``.
* time zone: only dates are compared, and the session's
  ``spark.sql.session.timeZone`` is set to UTC (as ``ibis.pyspark.connect``
  does), so a timestamp column cast to a date gives the same calendar day.
* ANSI mode (on by default in Spark 4): the query never divides by zero
  (``NULLIF``), casts only in-range values and sums money as whole cents in
  float64 (exact below 2**53, so independent of the order of addition). A
  session made here runs with ANSI on, so an impossible value fails loudly;
  a caller's session keeps its own setting (the tests run both).
* null handling: aggregates are ``SUM(IF(cond, x, NULL))``/``COUNT`` with
  ``COALESCE`` fills, as on DuckDB; ``row_number`` orders distinct values.
* ordering: ``ORDER BY as_of, subject_id`` compares strings by bytes (UTF-8),
  as DuckDB does.

Where it runs: :func:`spark_session` reuses an active session, else builds
one from the usual configuration: ``SPARK_REMOTE`` (Spark Connect: no local
Java needed), else ``master`` / ``$SPARK_MASTER`` / ``spark.master`` from
``spark-submit`` or ``spark-defaults.conf`` (default ``local[*]``). Classic
mode needs Java (``$JAVA_HOME/bin/java``, else ``java`` on PATH; 17+ for
PySpark 4): missing, a clear :class:`InputError` names what to set. Without
PySpark the error names the ``spark`` extra (``pip install
'creditscore[spark]'``). On a cluster the executors' Python needs only
PySpark and Arrow for features (the query is SQL); scoring runs Python on the
executors, so there ``creditscore`` must be installed too (a wheel via
``--py-files``/``spark.archives`` with a packed virtual environment).

Inputs: a record set directory on any filesystem Spark reads (``/data/x``,
``file:///``, ``hdfs://``, ``s3a://``, ``abfss://``): ``<table>.parquet`` (a
file or a directory of part files) or ``<table>.csv`` per table, and
``manifest.json``. Each table is checked for the contract's columns and
types and projected onto them (one temporary view per table and run).

Outputs (``write``):

``"file"`` (default)
    the result is collected to the driver as Arrow (``DataFrame.toArrow``)
    and written as one Parquet file, atomically (temporary file, then
    rename), with the same pandas metadata as the DuckDB engine's. The
    driver holds the whole table: about 1 KB per row (100 columns), so
    about 2.5 GB for 600,000 subjects at 4 dates; set
    ``spark.driver.memory`` and ``spark.driver.maxResultSize`` accordingly.
``"dataset"``
    Spark writes part files (``part-*.parquet``, in sort order) into a
    temporary directory beside ``out``, which is then renamed to ``out``:
    nothing passes through the driver, for any size. The rename is atomic
    on a local filesystem and HDFS; on object stores (S3, ABFS) a rename is
    a copy, so use a committer for them (e.g. the S3A magic committer) or
    write into a table format. Read it back with ``pandas.read_parquet(out)``
    (labels come back as float64 with NaN; ``.astype("Int64")``), DuckDB
    ``read_parquet('out/*.parquet')`` or Spark.

Training at scale
-----------------
How practitioners fit LightGBM on national-scale features:

1. Features on Spark: ``build_features_spark(records, dates, "features",
   write="dataset")``, or :func:`feature_frame` to keep the DataFrame.
2. One node is usually enough: a row is ~100 float64 features, so 10
   million training rows are ~8 GB in memory; LightGBM fits that on one
   large node in minutes. Collect either the full known rows
   (``df.filter(df[target].isNotNull())``) or a stratified sample with
   :func:`sample_for_training`, which down-samples the negatives (defaults
   are rare) by Bernoulli sampling within each (as_of, label) stratum
   (``DataFrame.sampleBy``) and returns pandas, ready for
   ``creditscore.models.train_model(frame, target, ...)``.
3. Calibration after down-sampling: a model fitted on a sample that keeps
   negatives at rate ``f0`` and positives at ``f1`` overstates the odds by
   ``f1 / f0``. ``sample_for_training`` therefore keeps the latest known
   ``as_of`` whole by default: ``train_model`` uses exactly that date for
   early stopping, calibration and evaluation, so its calibrated PDs need
   no correction. If that slice is sampled too, either weight each row by
   ``1 / f`` of its label in a weighted learner, or correct the PD by prior
   correction: ``odds = pd / (1 - pd) * f0 / f1``, ``pd = odds / (1 +
   odds)``. Discrimination (AUC, Gini, KS) is unaffected either way; Brier,
   ECE and calibration-in-the-large are only meaningful on unsampled rows.
4. Beyond one node: ``lightgbm.dask.DaskLGBMClassifier`` on a Dask cluster
   reading the same Parquet dataset (``dask.dataframe.read_parquet``),
   with the same monotone constraints (``creditscore.models.MonotoneLGBM``
   parameters); calibrate on the (small) out-of-time slice on one node.
   Scoring is embarrassingly parallel: :func:`creditscore.spark_scoring.
   score_features_spark`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from functools import reduce
from pathlib import Path
from typing import TYPE_CHECKING

from .._errors import InputError
from ._engine import DATES_TABLE, KEYS, FeatureResult, _features, compile_sql
from ._io import (
    MSG_COLUMN,
    MSG_EMPTY,
    MSG_MANIFEST,
    MSG_MISSING,
    MSG_NO_DIR,
    MSG_RECORD_TYPE,
    MSG_TYPE,
    output_schema,
    parse_catalogue,
    parse_dates,
    table_name,
)
from ._labels import LABELS
from ._visibility import dates_frame

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import pyarrow as pa

    from ._definitions import FeatureDef

__all__ = [
    "spark_session",
    "find_java",
    "require_pyspark",
    "feature_frame",
    "feature_ibis_table",
    "build_feature_table_spark",
    "build_features_spark",
    "sample_for_training",
    "WRITE_MODES",
]

MSG_NO_PYSPARK = (
    "the Spark engine needs PySpark, which is not installed: install the spark extra "
    "(pip install 'creditscore[spark]')"
)
MSG_NO_JAVA = (
    "Spark needs Java {need}+ and none was found: set JAVA_HOME to a JDK {need}+ or put "
    "`java` on PATH (or set SPARK_REMOTE to use a Spark Connect server)"
)
MSG_BAD_JAVA_HOME = (
    "JAVA_HOME={home} holds no bin/java: set JAVA_HOME to a JDK {need}+ (or unset it to use "
    "`java` on PATH)"
)
MSG_OLD_JAVA = (
    "{java} is Java {got}; PySpark {pyspark} needs Java {need}+: set JAVA_HOME to a newer JDK"
)
MSG_JAVA_BROKEN = "{java} -version failed ({error}); set JAVA_HOME to a working JDK {need}+"
MSG_WRITE = "write={got!r}: choose 'file' or 'dataset'"
MSG_LOCAL_OUT = "{out}: write='file' writes a local file; use write='dataset' for {scheme}:// paths"
MSG_CSV = "{file}: cannot be read with the contract's types ({error})"
MSG_FRACTION = "fraction for label {label}: {got!r} is not a number in (0, 1]"
MSG_TARGET = "no column {target!r} in the feature frame; a label is one of: {labels}"

WRITE_MODES = ("file", "dataset")
SESSION_DEFAULTS = {
    "spark.app.name": "creditscore",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "true",
    "spark.ui.showConsoleProgress": "false",
}
_SPARK_TYPES = {"str": "string", "date": "date", "float": "double", "int": "bigint",
                "bool": "boolean"}


# --------------------------------------------------------------- environment
def require_pyspark():
    """The ``pyspark`` module, or an :class:`InputError` naming the ``spark`` extra."""
    try:
        import pyspark
    except ImportError as exc:
        raise InputError(MSG_NO_PYSPARK) from exc
    return pyspark


def _java_needed(pyspark_version: str) -> int:
    major = int(re.match(r"\d+", pyspark_version).group(0))
    return 17 if major >= 4 else 8


def _java_major(text: str) -> int | None:
    """The major version from ``java -version`` output ('1.8.0_392' -> 8, '17.0.15' -> 17)."""
    found = re.search(r'version "(\d+)(?:\.(\d+))?', text)
    if not found:
        return None
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major


def find_java(pyspark_version: str | None = None) -> str:
    """The ``java`` executable Spark will start, checked to run and to be recent enough.

    ``$JAVA_HOME/bin/java`` when ``JAVA_HOME`` is set (as PySpark's launcher
    does), else ``java`` on PATH.

    Raises
    ------
    InputError
        No Java, a ``JAVA_HOME`` without ``bin/java``, or a Java too old for
        this PySpark, naming what to set.
    """
    if pyspark_version is None:
        pyspark_version = require_pyspark().__version__
    need = _java_needed(pyspark_version)
    home = os.environ.get("JAVA_HOME")
    if home:
        java = Path(home) / "bin" / "java"
        if not (java.is_file() and os.access(java, os.X_OK)):
            raise InputError(MSG_BAD_JAVA_HOME.format(home=home, need=need))
        java = str(java)
    else:
        java = shutil.which("java")
        if java is None:
            raise InputError(MSG_NO_JAVA.format(need=need))
    try:
        done = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InputError(MSG_JAVA_BROKEN.format(java=java, error=exc, need=need)) from exc
    got = _java_major(done.stderr + done.stdout)
    if done.returncode != 0 or got is None:
        error = (done.stderr or done.stdout).strip().splitlines()
        raise InputError(MSG_JAVA_BROKEN.format(
            java=java, error=error[0] if error else f"exit {done.returncode}", need=need))
    if got < need:
        raise InputError(MSG_OLD_JAVA.format(java=java, got=got, pyspark=pyspark_version,
                                             need=need))
    return java


def spark_session(master: str | None = None, *, conf: dict | None = None):
    """The active SparkSession, or a new one from the usual Spark configuration.

    Parameters
    ----------
    master : str, optional
        ``spark.master`` of a new session (``local[2]``, ``spark://host:7077``,
        ``yarn``, ``k8s://...``). Default: ``$SPARK_MASTER``, else what
        ``spark-submit``/``spark-defaults.conf`` say, else ``local[*]``.
        With ``$SPARK_REMOTE`` set, a Spark Connect session is made instead.
    conf : dict, optional
        More Spark settings for a new session (they win over the defaults:
        UTC session time zone, ANSI mode on, no console progress bar).

    Returns
    -------
    pyspark.sql.SparkSession
        With ``spark.sql.session.timeZone`` set to UTC.

    Raises
    ------
    InputError
        PySpark missing (naming the ``spark`` extra), or Java missing or too
        old for a local or classic session (naming JAVA_HOME / PATH).
    """
    pyspark = require_pyspark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return _configure(active)
    settings = {**SESSION_DEFAULTS, **(conf or {})}
    builder = SparkSession.builder
    remote = os.environ.get("SPARK_REMOTE")
    if remote and master is None:
        builder = builder.remote(remote)
        settings.pop("spark.ui.showConsoleProgress")
    else:
        submitted = "PYSPARK_GATEWAY_PORT" in os.environ  # spark-submit started the JVM
        if not submitted:
            find_java(pyspark.__version__)
        master = master or os.environ.get("SPARK_MASTER")
        if master:
            builder = builder.master(master)
        if master.startswith("local") if master else not submitted:
            # Python workers of a local session must import this package: use this interpreter
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    for key, value in settings.items():
        builder = builder.config(key, value)
    return _configure(builder.getOrCreate())


def _configure(session):
    session.conf.set("spark.sql.session.timeZone", "UTC")
    return session


# -------------------------------------------------------------------- inputs
def _is_local(path: str) -> bool:
    """A local path (no URI scheme, or ``file:``)."""
    scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", path)
    return scheme is None or scheme.group(1) == "file" or len(scheme.group(1)) == 1


def _local(path: str) -> Path:
    return Path(re.sub(r"^file:(//)?", "", path)) if path.startswith("file:") else Path(path)


def _join(root: str, name: str) -> str:
    return root.rstrip("/") + "/" + name


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


def _extracted_on(spark, root: str, views: dict[str, str]) -> dt.date:
    """``manifest.json``'s extracted_on, else the latest date in the records (as DuckDB's)."""
    from ..records._contract import MODEL_TABLES, TABLES

    text = _read_manifest(spark, root)
    if text is not None:
        raw = None
        try:
            raw = json.loads(text).get("extracted_on")
            return dt.date.fromisoformat(str(raw))
        except (ValueError, AttributeError, TypeError) as exc:
            raise InputError(MSG_MANIFEST.format(file=_join(root, "manifest.json"),
                                                 got=raw)) from exc
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


def _register(spark, record_dir, as_of, catalogue):
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
            typed = _typed(raw, files[table], table)
            views[table] = f"{table_name(table)}_{token}"
            typed.createOrReplaceTempView(views[table])
        _run(lambda: _check_record_types(spark, views["public_records"],
                                         files["public_records"], cat), root)
        extracted = _run(lambda: _extracted_on(spark, root, views), root)
        views["as_of"] = f"{DATES_TABLE}_{token}"
        frame = _create_frame(spark, dates_frame(dates, extracted))
        frame.createOrReplaceTempView(views["as_of"])
    except BaseException:
        _drop_views(spark, views)
        raise
    return views, dates, cat


def _create_frame(spark, table: pa.Table):
    """A Spark DataFrame from an Arrow table (PySpark 4 takes Arrow; 3.5 takes pandas)."""
    try:
        return spark.createDataFrame(table)
    except TypeError:  # pragma: no cover - PySpark 3.5
        return spark.createDataFrame(table.to_pandas())


def _drop_views(spark, views: dict[str, str]) -> None:
    for name in views.values():
        spark.catalog.dropTempView(name)


def _bound_sql(cat, features, views: dict[str, str]) -> str:
    """The cached PySpark query, with this run's view names."""
    import ibis

    from ..records._contract import MODEL_TABLES

    ibis.pyspark  # noqa: B018 - registers the PySpark compiler's options
    sql = compile_sql(cat, features, dialect="pyspark")
    names = {table_name(t): views[t] for t in MODEL_TABLES}
    names[DATES_TABLE] = views["as_of"]
    return re.sub(r"`(cs_[a-z_]+)`", lambda m: f"`{names.get(m.group(1), m.group(1))}`", sql)


def _normalised(df, features: Sequence[FeatureDef]):
    """Output columns in order with the DuckDB engine's types (bigint labels)."""
    from pyspark.sql import functions as F

    cols = [F.col("subject_id").cast("string"), F.col("as_of").cast("date")]
    cols += [F.col(f.name).cast("double" if f.dtype == "float64" else "bigint")
             for f in features]
    cols += [F.col(name).cast("bigint") for name in LABELS]
    return df.select(*cols)


# ----------------------------------------------------------------- public API
def feature_frame(record_dir, as_of, catalogue=None, *, spark=None,
                  features: Sequence[FeatureDef] | None = None):
    """The feature and label table as a (lazy) Spark DataFrame.

    Same rows, columns, types and order as :func:`build_features_spark`
    writes. Nothing is computed until an action (``write``, ``toArrow``,
    ``count``) runs; the temporary views it reads stay registered in the
    session.

    Parameters
    ----------
    record_dir : str or path
        A record set on any filesystem Spark reads.
    as_of : date, str or sequence of them
    catalogue : path, Catalogue or None
    spark : SparkSession, optional
        Default: :func:`spark_session`.
    features : sequence of FeatureDef, optional

    Raises
    ------
    InputError
        A missing table, column, type, manifest date or record type, naming
        the file; PySpark or Java missing.
    """
    spark = spark if spark is not None else spark_session()
    features = tuple(_features() if features is None else features)
    return _frame(spark, record_dir, as_of, catalogue, features)[0]


def _frame(spark, record_dir, as_of, catalogue, features):
    """(DataFrame, views): the normalised feature query and the views it reads."""
    _configure(spark)
    views, _, cat = _register(spark, record_dir, as_of, catalogue)
    try:
        df = spark.sql(_bound_sql(cat, features, views))
    except BaseException:
        _drop_views(spark, views)
        raise
    return _normalised(df, features), views


def feature_ibis_table(record_dir, as_of, catalogue=None, *, spark=None,
                       features: Sequence[FeatureDef] | None = None):
    """The feature expression bound to ``ibis.pyspark.connect(spark)``, to compose in Ibis.

    The same expression :func:`feature_frame` runs (compiling it takes a few
    seconds; :func:`feature_frame` reuses the cached query text instead).
    """
    import ibis

    from ..records._contract import MODEL_TABLES
    from ._engine import feature_expression

    spark = spark if spark is not None else spark_session()
    features = tuple(_features() if features is None else features)
    views, _, cat = _register(spark, record_dir, as_of, catalogue)
    con = ibis.pyspark.connect(spark)
    tables = {t: con.table(views[t]) for t in MODEL_TABLES}
    return feature_expression(tables, con.table(views["as_of"]), cat, features)


def _run(action, files_hint: str):
    """Run a Spark action; a CSV value that cannot be parsed is the input's fault (exit 2)."""
    try:
        return action()
    except Exception as exc:
        text = str(exc)
        if "MALFORMED_RECORD" in text or "Malformed records" in text:
            raise InputError(MSG_CSV.format(file=files_hint, error=_first_line(exc))) from exc
        raise


def build_feature_table_spark(record_dir, as_of, catalogue=None, *, spark=None,
                              features: Sequence[FeatureDef] | None = None) -> pa.Table:
    """The feature and label table computed on Spark, collected as Arrow.

    Identical (columns, types, values, order) to
    :func:`creditscore.features.build_feature_table` with the DuckDB engine.
    """
    spark = spark if spark is not None else spark_session()
    features = tuple(_features() if features is None else features)
    df, views = _frame(spark, record_dir, as_of, catalogue, features)
    try:
        table = _run(lambda: _to_arrow(df), os.fspath(record_dir))
    finally:
        _drop_views(spark, views)
    return table.cast(output_schema(features))


def _to_arrow(df) -> pa.Table:
    if hasattr(df, "toArrow"):
        return df.toArrow()
    return df._collect_as_arrow_table()  # pragma: no cover - PySpark 3.5


def build_features_spark(record_dir, as_of, out, catalogue=None, *, spark=None,
                         features: Sequence[FeatureDef] | None = None,
                         write: str = "file") -> FeatureResult:
    """Write one row per (subject_id, as_of) with the features and both labels, on Spark.

    Parameters
    ----------
    record_dir : str or path
        A record set on any filesystem Spark reads (Parquet or CSV tables).
    as_of : date, str or sequence of them
    out : str or path
        ``write="file"``: a local Parquet file. ``write="dataset"``: a
        directory of Parquet part files, on any filesystem Spark writes.
    catalogue : path, Catalogue or None
    spark : SparkSession, optional
        Default: :func:`spark_session` (the active session, or a new one).
    features : sequence of FeatureDef, optional
    write : {"file", "dataset"}, default="file"
        See the module documentation: collect to the driver and write one
        file atomically, or let Spark write part files into a temporary
        directory that is renamed into place.

    Returns
    -------
    FeatureResult

    Raises
    ------
    InputError
        As :func:`feature_frame`; an unknown ``write``.
    """
    if write not in WRITE_MODES:
        raise InputError(MSG_WRITE.format(got=write))
    target = os.fspath(out)
    if write == "file" and not _is_local(target):
        raise InputError(MSG_LOCAL_OUT.format(out=target, scheme=target.split(":", 1)[0]))
    start = time.perf_counter()
    spark = spark if spark is not None else spark_session()
    features = tuple(_features() if features is None else features)
    df, views = _frame(spark, record_dir, as_of, catalogue, features)
    hint = os.fspath(record_dir)
    try:
        if write == "file":
            import pyarrow.parquet as pq

            from .._atomic import atomic_file
            from ._engine import BATCH_ROWS

            table = _run(lambda: _to_arrow(df), hint).cast(output_schema(features))
            with atomic_file(_local(target)) as tmp:
                pq.write_table(table, tmp, row_group_size=BATCH_ROWS)
            n_rows = table.num_rows
        else:
            n_rows = _run(lambda: write_dataset(spark, df, target), hint)
    finally:
        _drop_views(spark, views)
    return FeatureResult(n_rows, len(features), Path(target) if _is_local(target) else target,
                         time.perf_counter() - start)


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


# ------------------------------------------------------------------ training
def sample_for_training(spark_df, target: str, fraction_by_label: dict | None = None,
                        seed: int = 0, *, keep_latest: bool = True) -> pd.DataFrame:
    """A stratified sample of the rows with a known ``target``, as pandas, for LightGBM.

    Bernoulli sampling within each (as_of, label) stratum
    (``DataFrame.sampleBy``): every date keeps the same share of its
    positives and of its negatives. Rows with a null ``target`` (outside the
    population, or unknown) are dropped.

    Parameters
    ----------
    spark_df : pyspark DataFrame
        A feature table (:func:`feature_frame`, or ``spark.read.parquet`` of
        one).
    target : {"default_12m", "breach_12m"}
    fraction_by_label : dict, default={0: 0.1, 1: 1.0}
        Share of rows kept per label value.
    seed : int, default=0
    keep_latest : bool, default=True
        Keep the latest known ``as_of`` whole: it is the slice
        ``creditscore.models.train_model`` calibrates and evaluates on, so the
        calibrated PD needs no correction for the down-sampling (see the
        module documentation for the correction otherwise).

    Returns
    -------
    pandas.DataFrame
        The feature table's columns, with the labels as nullable ``Int64``
        (as ``pandas.read_parquet`` reads a DuckDB-built feature file).
    """
    from pyspark.sql import functions as F

    fractions = {0: 0.1, 1: 1.0} if fraction_by_label is None else dict(fraction_by_label)
    for label, f in fractions.items():
        if isinstance(f, bool) or not isinstance(f, (int, float)) or not 0 < f <= 1:
            raise InputError(MSG_FRACTION.format(label=label, got=f))
    if target not in spark_df.columns:
        raise InputError(MSG_TARGET.format(target=target, labels=", ".join(LABELS)))
    known = spark_df.filter(F.col(target).isNotNull())
    dates = sorted(r[0] for r in known.select("as_of").distinct().collect())
    latest = dates[-1] if (keep_latest and dates) else None
    stratum = F.concat_ws("|", F.col("as_of").cast("string"), F.col(target).cast("string"))
    strata = {f"{d}|{label}": (1.0 if d == latest else float(f))
              for d in dates for label, f in fractions.items()}
    sample = (known.withColumn("_cs_stratum", stratum)
              .sampleBy("_cs_stratum", strata, seed).drop("_cs_stratum"))
    frame = _to_arrow(sample).to_pandas()
    for name in LABELS:
        if name in frame.columns:
            frame[name] = frame[name].astype("Int64")
    return frame.sort_values(KEYS[::-1], kind="stable").reset_index(drop=True)

