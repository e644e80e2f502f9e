"""The Spark feature query: the compiled SQL bound to one build's views, and its release.

:func:`open_query` registers the record set (:func:`._spark_io.register`), then
returns the normalised feature DataFrame (DuckDB's column order and types)
and the :class:`_Run` that releases what the build made: temporary views,
cached intermediates and session settings. By default the query is one
statement (:func:`._engine.compile_sql`), in which Spark reuses the shuffles
of the shared intermediates; ``cache=True`` computes those first, once, into
the session cache (:func:`._engine.compile_staged`). The public API over it is
:mod:`._spark`.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ._engine import DATES_TABLE, compile_sql, compile_staged
from ._io import table_name
from ._labels import LABELS
from ._spark_env import configure
from ._spark_io import drop_views, register, run_action

if TYPE_CHECKING:  # pragma: no cover
    from ._definitions import FeatureDef

__all__ = ["CACHE_CONF", "open_query"]

_NAME = re.compile(r"`(cs_[a-z_]+)`")


#: session settings while a build's intermediates are cached (restored after): the cache
#: is read by several features and dropped at the end, so it is not worth compressing
CACHE_CONF = {"spark.sql.inMemoryColumnarStorage.compressed": "false"}


class _Run:
    """The views, cached intermediates and session settings of one build, released together."""

    def __init__(self, spark, views: dict[str, str]):
        self.spark, self.views, self.cached, self.saved = spark, views, [], {}

    def set_conf(self, conf: dict[str, str]) -> None:
        for key, value in conf.items():
            self.saved[key] = self.spark.conf.get(key, None)
            self.spark.conf.set(key, value)

    def close(self) -> None:
        for df in self.cached:
            df.unpersist()
        drop_views(self.spark, self.views)
        for key, value in self.saved.items():
            if value is None:
                self.spark.conf.unset(key)
            else:
                self.spark.conf.set(key, value)


def _bind(sql: str, names: dict[str, str]) -> str:
    return _NAME.sub(lambda m: f"`{names.get(m.group(1), m.group(1))}`", sql)


def _input_names(run: _Run) -> dict[str, str]:
    import ibis

    from ..records._contract import MODEL_TABLES

    ibis.pyspark  # noqa: B018 - registers the PySpark compiler's options
    names = {table_name(t): run.views[t] for t in MODEL_TABLES}
    names[DATES_TABLE] = run.views["as_of"]
    return names


def _one_query_frame(run: _Run, cat, features):
    """The feature query as one statement (Spark reuses the shared shuffles within it)."""
    names = _input_names(run)  # first: it registers the PySpark compiler's options
    sql = compile_sql(cat, features, dialect="pyspark")
    return _normalised(run.spark.sql(_bind(sql, names)), features)


def _staged_frame(run: _Run, cat, features, *, eager: bool):
    """The final query over the shared intermediates, each computed once and cached."""
    from pyspark import StorageLevel

    names = _input_names(run)  # first: it registers the PySpark compiler's options
    staged = compile_staged(cat, features, dialect="pyspark")
    token = uuid.uuid4().hex[:12]
    if eager:
        run.set_conf(CACHE_CONF)
    for name, sql in staged.prepared.items():
        df = run.spark.sql(_bind(sql, names)).persist(StorageLevel.MEMORY_AND_DISK)
        run.cached.append(df)
        names[name] = run.views[name] = f"{name}_{token}"
        df.createOrReplaceTempView(names[name])
        if eager:  # computed now, once: every reader below scans the cache
            df.count()
    return _normalised(run.spark.sql(_bind(staged.final, names)), features)


def _normalised(df, features: Sequence[FeatureDef]):
    """Output columns in order with the DuckDB engine's types (bigint labels)."""
    from pyspark.sql import functions as F

    cols = [F.col("subject_id").cast("string"), F.col("as_of").cast("date")]
    cols += [F.col(f.name).cast("double" if f.dtype == "float64" else "bigint")
             for f in features]
    cols += [F.col(name).cast("bigint") for name in LABELS]
    return df.select(*cols)


def open_query(spark, record_dir, as_of, catalogue, features, *, cache: bool,
               eager: bool = True):
    """(DataFrame, run): the normalised feature query and what to release after it."""
    configure(spark)
    views, _, cat = register(spark, record_dir, as_of, catalogue)
    run = _Run(spark, views)
    try:
        hint = os.fspath(record_dir)
        if cache:
            df = run_action(lambda: _staged_frame(run, cat, features, eager=eager), hint)
        else:
            df = _one_query_frame(run, cat, features)
    except BaseException:
        run.close()
        raise
    return df, run
