"""The back-end interface: one small protocol, one module per engine.

A back-end turns a :class:`FeatureRequest` (a record set, observation
dates, a catalogue and the features) into the feature and label table of
:func:`._engine.feature_expression`, either in memory (``table``, Arrow) or
written to ``out`` (``write``, the number of rows). It takes only the
options it names in ``OPTIONS``. ``duckdb`` (:mod:`._duckdb`, embedded, the
default) and ``spark`` (:mod:`._spark`, a local or remote Spark) are the two
shipped; they are imported only when asked for, and neither imports this
module, so there is no import circle: ``_engine`` <- ``_duckdb``/``_spark``
<- ``_backend``.

:func:`build_features` and :func:`build_feature_table` are the public entry
points; both refuse an unknown engine, naming the ones there are.
"""

from __future__ import annotations

import importlib
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from .._errors import InputError
from ._definitions import FeatureDef
from ._engine import FeatureResult, default_features
from ._uri import is_local, local_path

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

__all__ = ["Backend", "FeatureRequest", "ENGINES", "get_backend", "build_features",
           "build_feature_table"]

#: engine name -> the module holding its ``BACKEND``
ENGINES = {"duckdb": "._duckdb", "spark": "._spark"}
ALIASES = {"pyspark": "spark", "duck": "duckdb"}
MSG_SUBJECTS_ENGINE = "subjects: a per-subject build runs on the duckdb engine, not {engine}"
MSG_ENGINE = "engine {engine!r} is not available; choose one of: {engines}"
MSG_OPTION = "{option} is a setting of the {other} engine, not of {engine!r}"
MSG_MEMORY_ENGINE = ("records in memory ({source}) are computed by the duckdb engine; the "
                     "{engine} engine reads record sets from files (write_records them first)")
MSG_OUTPUT = "output must be 'pandas' or 'arrow', got {got!r}"
#: above this many records, DuckDB computes by ranges of subjects
CHUNK_RECORDS = 25_000_000


@dataclass(frozen=True)
class FeatureRequest:
    """What to compute: the inputs every back-end takes.

    Attributes
    ----------
    record_dir : str or path
        A record set (a local path; Spark also takes a URI).
    as_of : date, str or sequence of them
    catalogue : path, Catalogue or None
    features : tuple of FeatureDef
    progress : bool
        Whether to show progress on the terminal (stderr).
    subjects : tuple of str or None
        Only these subjects' rows (read with the filter pushed down); None: every subject.
    """

    record_dir: Any
    as_of: Any
    catalogue: Any
    features: tuple[FeatureDef, ...]
    progress: bool = False
    subjects: tuple[str, ...] | None = None


class Backend(Protocol):
    """What an engine provides."""

    name: str
    #: the keyword options it accepts (others are refused)
    OPTIONS: tuple[str, ...]

    def table(self, request: FeatureRequest, **options) -> pa.Table:
        """The feature table in memory, sorted by ``as_of``, ``subject_id``."""

    def write(self, request: FeatureRequest, out, **options) -> int:
        """Write the feature table to ``out`` atomically; the number of rows."""


def get_backend(engine: str) -> Backend:
    """The back-end called ``engine`` (``duckdb``, ``spark``; ``pyspark`` is ``spark``)."""
    name = ALIASES.get(str(engine).lower(), str(engine).lower())
    if name not in ENGINES:
        raise InputError(MSG_ENGINE.format(engine=engine, engines=", ".join(ENGINES)))
    return importlib.import_module(ENGINES[name], __package__).BACKEND


def _options(backend: Backend, given: dict) -> dict:
    """The options meant for ``backend``; a non-default option of another engine is refused."""
    out = {}
    for key, value in given.items():
        if key in backend.OPTIONS:
            out[key] = value
        elif value is not None:
            other = next(e for e in ENGINES if e != backend.name)
            raise InputError(MSG_OPTION.format(option=key, other=other, engine=backend.name))
    return out


def _subjects(backend: Backend, subjects) -> tuple[str, ...] | None:
    """The subject ids of a per-subject build, checked; None for every subject."""
    if subjects is None:
        return None
    if backend.name != "duckdb":
        raise InputError(MSG_SUBJECTS_ENGINE.format(engine=backend.name))
    from ..records._ownership import subject_ids

    try:
        return subject_ids(subjects)
    except ValueError as exc:
        raise InputError(str(exc)) from None


def build_feature_table(
    records, as_of, engine: str = "duckdb", catalogue=None, *,
    features: Sequence[FeatureDef] | None = None, progress: bool = False,
    subjects: Sequence[str] | None = None, extracted_on=None, output: str = "pandas",
    **options,
):
    """The feature and label table of a record set, in memory.

    Same rows, columns and order as :func:`build_features` writes, computed by
    the same expressions; nothing is written when the records are in memory.

    Parameters
    ----------
    records : path, RecordSet or dict of DataFrame or pyarrow.Table
        A record-set directory; a :class:`creditscore.records.RecordSet`; or
        the contract's tables by name (``subjects``, ``contributions``,
        ``loans``, ``repayments``, ``public_records``; ``protected`` and
        ``entities`` may be there too and are not read), each cast to the
        contract (a missing table or column is refused, naming it).
    as_of : date, str or sequence of them
    engine, catalogue, features, progress, subjects
        As :func:`build_features`; records in memory need ``engine="duckdb"``.
    extracted_on : date or str, optional
        The day in-memory records were drawn (a RecordSet's own by default;
        for a dict, the latest date in the tables). An ``as_of`` after it is refused.
    output : {"pandas", "arrow"}, default="pandas"
        A pandas DataFrame (as ``pandas.read_parquet`` reads the file
        :func:`build_features` writes), or the pyarrow Table itself.
    **options
        The engine's settings, as :func:`build_features`.

    Returns
    -------
    pandas.DataFrame or pyarrow.Table

    Examples
    --------
    >>> rs = read_records("records/")  # doctest: +SKIP
    >>> frame = build_feature_table(rs, ["2023-06-30", "2023-12-31"])  # doctest: +SKIP
    >>> frame = build_feature_table({"subjects": subjects, ...}, ["2023-06-30"])  # doctest: +SKIP
    """
    from ._memory import MemoryRecords, as_records

    if output not in ("pandas", "arrow"):
        raise InputError(MSG_OUTPUT.format(got=output))
    backend = get_backend(engine)
    records = as_records(records, extracted_on)
    if isinstance(records, MemoryRecords) and backend.name != "duckdb":
        raise InputError(MSG_MEMORY_ENGINE.format(source=records.source, engine=backend.name))
    request = FeatureRequest(records, as_of, catalogue, _chosen(features), progress,
                             _subjects(backend, subjects))
    table = backend.table(request, **_options(backend, options))
    return table.to_pandas() if output == "pandas" else table


def build_features(
    record_dir, as_of, out, engine: str = "duckdb", catalogue=None, *,
    features: Sequence[FeatureDef] | None = None, progress: bool = False,
    memory_limit: str | None = None, threads: int | None = None,
    chunk_records: int | None = None, spark=None, master: str | None = None,
    write: str | None = None, subjects: Sequence[str] | None = None,
) -> FeatureResult:
    """Write one row per (subject_id, as_of) with the features and both labels.

    Parameters
    ----------
    record_dir : path or str
        A record set (guide: records), Parquet or CSV. The Spark
        engine also takes a URI (``file://``, ``s3a://``, ``hdfs://``, ``gs://``).
    as_of : date, str or sequence of them
        Observation dates.
    out : path or str
        The Parquet file to write (atomically: it appears whole or not at
        all); with ``engine="spark", write="dataset"`` a directory of part
        files, which may be a URI.
    engine : {"duckdb", "spark"}, default="duckdb"
    catalogue : path, Catalogue or None, default=None
        The shipped catalogue when None.
    features : sequence of FeatureDef, optional
    progress : bool, default=False
        Show progress on stderr.
    memory_limit : str, default="2GB"
        DuckDB: its memory cap; larger intermediates spill to a temporary directory.
    threads : int, optional
        DuckDB: threads (default: the machine's cores, at most 8).
    chunk_records : int, default=25_000_000
        DuckDB: a record set with more records is computed by ranges of
        subjects of about this many records each (exact: a subject's
        features depend on its own records only), keeping memory bounded.
    spark : SparkSession, optional
        Spark: the session (default: the active one, else a new one).
    master : str, optional
        Spark: ``spark.master`` of a new session (``local[2]``,
        ``spark://host:7077``, ``yarn``); default ``$SPARK_MASTER``.
    write : {"file", "dataset"}, default="file"
        Spark: one Parquet file collected on the driver, or part files
        written by the executors.
    subjects : sequence of str, optional
        DuckDB: only these subjects' rows (for a rescore after a dispute). Only their
        records are read, the filter pushed down into the Parquet scan (see
        :func:`creditscore.records.layout_records`); the rows equal theirs in a
        whole-population build. An id that is not a subject is refused.

    Returns
    -------
    FeatureResult

    Raises
    ------
    InputError
        A missing or malformed table, column, date or catalogue, naming it;
        an unknown engine or an option of the other engine.
    """
    start = time.perf_counter()
    backend = get_backend(engine)
    options = _options(backend, {
        "memory_limit": memory_limit, "threads": threads, "chunk_records": chunk_records,
        "spark": spark, "master": master, "write": write})
    request = FeatureRequest(record_dir, as_of, catalogue, _chosen(features), progress,
                             _subjects(backend, subjects))
    n_rows = backend.write(request, out, **options)
    target = os.fspath(out)
    path = local_path(target) if is_local(target) else target
    return FeatureResult(n_rows, len(request.features), path, time.perf_counter() - start)


def _chosen(features) -> tuple[FeatureDef, ...]:
    return tuple(default_features() if features is None else features)
