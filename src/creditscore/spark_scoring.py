"""Bulk scoring on Spark: PD, score, tier and reasons, refused without a passed audit.

:func:`score_features_spark` is :func:`creditscore.scoring.score_features` as
a Spark job. It refuses exactly as the local path does, and before Spark is
even touched: no purpose is an ``InputError``; no passed audit of this very
model a ``PolicyRefusal`` (exit 3), with nothing read, run or written. Then
``DataFrame.mapInPandas`` scores each partition's Arrow batches on the
executors with the local path's own batch function
(``scoring._score_batch``: ``LoadedModel.score_frame`` for PD, score and
tier, ``ReasonCoder`` for the four reasons), so PDs, tiers and reasons are
those of the local path row by row. The output has the local path's columns
and types (``scoring.OUTPUT_COLUMNS``), in the input's row order, and one
``score`` entry goes into the audit log before the output is renamed into
place (no scores without their log entry).

Shipping the model to the executors (``ship``):

``"path"``
    the executors read ``model_dir`` where it is: local mode, or a model
    directory on a filesystem every node mounts (NFS, a shared volume).
``"files"``
    the model directory is zipped once per model hash (into
    ``$CREDITSCORE_CACHE_DIR/models``, default ``~/.cache/creditscore``) and
    shipped with ``SparkContext.addFile`` (``SparkSession.addArtifacts(...,
    file=True)`` on Spark Connect); each executor unzips it beside the
    shipped file (``SparkFiles.get``), once.

Default: ``"path"`` for a local master, else ``"files"``. Either way each
executor checks that the model files it loaded hash to the audited model's
hash before scoring a row. The executors' Python must import
``creditscore`` (install the wheel on the cluster image, or ship a packed
virtual environment with ``spark.archives``).
"""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

from . import audit_log
from ._atomic import atomic_file
from ._errors import InputError
from .features._uri import is_local as _is_local
from .features._uri import local_path as _local
from .scoring import (
    MSG_MISSING,
    MSG_NO_FILE,
    MSG_NO_MODEL,
    MSG_UNREADABLE,
    OUTPUT_COLUMNS,
    ScoreResult,
    scores_metadata,
)

__all__ = ["score_features_spark", "SHIP_MODES", "OUTPUT_DDL"]

SHIP_MODES = ("path", "files")
#: the Spark schema of the scores (scoring.OUTPUT_COLUMNS, with the local path's types)
OUTPUT_DDL = ("subject_id string, as_of date, pd double, score double, tier string, "
              "reason_1 string, reason_2 string, reason_3 string, reason_4 string")
MSG_SHIP = "ship={got!r}: choose 'path' or 'files'"
MSG_WRITE = "write={got!r}: choose 'file' or 'dataset'"
MSG_LOCAL_OUT = "{out}: write='file' writes a local file; use write='dataset' for {scheme}:// paths"
MSG_EXECUTOR_HASH = (
    "the model files on this executor ({path}) hash to {got:.12}, not to the audited model "
    "{want:.12}; refusing to score"
)


def score_features_spark(model_dir, features, out, *, purpose: str, spark=None,
                         master: str | None = None, write: str = "file",
                         ship: str | None = None,
                         log: str | os.PathLike | None = None) -> ScoreResult:
    """Score a feature table on Spark with an audited model.

    Parameters
    ----------
    model_dir : path
        The model directory (on the driver).
    features : pyspark DataFrame, str or path
        The feature table: a DataFrame (e.g.
        ``creditscore.features._spark.feature_frame``) or a Parquet path on
        any filesystem Spark reads (a file or a directory of part files).
        Needs ``subject_id``, ``as_of`` and the model's features.
    out : str or path
        ``write="file"``: a local Parquet file, written atomically.
        ``write="dataset"``: a directory of Parquet part files written by
        Spark into a temporary sibling and renamed into place.
    purpose : str
        Why these subjects are scored; required, written to the audit log.
    spark : SparkSession, optional
        Default: ``creditscore.features._spark.spark_session(master)``, made
        only once the audit check has passed.
    master : str, optional
        ``spark.master`` of a new session (default ``$SPARK_MASTER``).
    write : {"file", "dataset"}, default="file"
        ``"file"`` collects the scores to the driver (about 200 bytes per
        row); ``"dataset"`` never does.
    ship : {"path", "files"}, optional
        How executors get the model (module documentation); default by master.
    log : path, optional
        The audit log (default ``$CREDITSCORE_AUDIT_LOG``).

    Returns
    -------
    ScoreResult

    Raises
    ------
    PolicyRefusal
        No passed audit of this very model: nothing is read, run or written.
    InputError
        No purpose, a missing or unreadable feature input, missing columns,
        PySpark or Java missing, an unknown ``write`` or ``ship``.
    """
    from .fairness import load_audited_model

    start = time.perf_counter()
    if not (purpose and purpose.strip()):
        raise InputError(audit_log.MSG_NO_PURPOSE.format(action="score"))
    if not Path(model_dir).is_dir():
        raise InputError(MSG_NO_MODEL.format(path=model_dir))
    model = load_audited_model(model_dir)  # as the local path: hash checked before parsing
    if write not in ("file", "dataset"):
        raise InputError(MSG_WRITE.format(got=write))
    if ship is not None and ship not in SHIP_MODES:
        raise InputError(MSG_SHIP.format(got=ship))
    target = os.fspath(out)
    from .features._spark import spark_session

    if write == "file" and not _is_local(target):
        raise InputError(MSG_LOCAL_OUT.format(out=target, scheme=target.split(":", 1)[0]))
    model_hash = model.model_hash()
    needed = ["subject_id", "as_of", *model.feature_names]

    spark = spark if spark is not None else spark_session(master)
    df, source = _input_frame(spark, features, needed)
    scorer = _Scorer(*_ship(spark, Path(model_dir), model_hash, ship), model_hash)
    scored = df.select(*needed).mapInPandas(scorer, schema=OUTPUT_DDL)

    def log_it(n: int) -> None:
        # before the output is renamed into place: no scores without their log entry
        local_input = isinstance(source, str) and _is_local(source)
        audit_log.append(
            "score", purpose=purpose, model_hash=model_hash,
            input_fingerprint=audit_log.fingerprint(_local(source)) if local_input else None,
            n_subjects=n, output=target, path=log,
            extra={"engine": "spark", "input": source if isinstance(source, str) else
                   "spark DataFrame"})

    if write == "file":
        local_input = isinstance(source, str) and _is_local(source)
        meta = scores_metadata(model, _local(source) if local_input else None)
        n = _write_file(scored, _local(target), log_it, meta)
    else:
        from .features._spark import write_dataset

        n = write_dataset(spark, scored, target, before_commit=log_it)
    result_out = _local(target) if _is_local(target) else target
    return ScoreResult(n, result_out, model_hash, time.perf_counter() - start)


def _input_frame(spark, features, needed: list[str]):
    """(DataFrame, source): the feature input, checked for the model's columns."""
    from pyspark.errors import AnalysisException

    if hasattr(features, "mapInPandas"):
        df, source, where = features, None, "the feature DataFrame"
    else:
        source = os.fspath(features)
        where = source
        if _is_local(source) and not _local(source).exists():
            raise InputError(MSG_NO_FILE.format(path=source))
        try:
            df = spark.read.parquet(source)
        except AnalysisException as exc:
            error = str(exc).strip().splitlines()[0] if str(exc).strip() else "unreadable"
            raise InputError(MSG_UNREADABLE.format(path=source, error=error)) from exc
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise InputError(MSG_MISSING.format(path=where, cols=", ".join(missing)))
    return df, source


def _is_connect(spark) -> bool:
    return type(spark).__module__.startswith("pyspark.sql.connect")


def _ship(spark, model_dir: Path, model_hash: str, ship: str | None) -> tuple[str, str]:
    """(kind, reference) that executors resolve to the model directory."""
    if ship is None:
        master = "" if _is_connect(spark) else spark.sparkContext.master
        ship = "path" if master.startswith("local") else "files"
    if ship == "path":
        return "path", str(model_dir.resolve())
    archive = _zip_model(model_dir, model_hash)
    if _is_connect(spark):  # pragma: no cover - needs a Spark Connect server
        spark.addArtifacts(str(archive), file=True)
    else:
        spark.sparkContext.addFile(str(archive))
    return "files", archive.name


def _zip_model(model_dir: Path, model_hash: str) -> Path:
    """The model directory zipped once per model hash, kept in the package's cache directory."""
    from .features._sqlcache import cache_dir

    folder = cache_dir() / "models"
    folder.mkdir(parents=True, exist_ok=True)
    archive = folder / f"model-{model_hash[:16]}.zip"
    if archive.is_file():
        return archive
    with atomic_file(archive) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in model_dir.rglob("*") if p.is_file()):
            zf.write(path, path.relative_to(model_dir).as_posix())
    return archive


#: per Python worker: (kind, reference, hash) -> (LoadedModel, fitted ReasonCoder)
_LOADED: dict = {}


class _Scorer:
    """The ``mapInPandas`` function: pandas batches of features in, batches of scores out.

    Small and picklable: it carries only where the model is and its audited
    hash; each Python worker loads the model and fits the reason coder once.
    """

    def __init__(self, kind: str, reference: str, model_hash: str):
        self.kind, self.reference, self.model_hash = kind, reference, model_hash

    def _load(self):
        key = (self.kind, self.reference, self.model_hash)
        if key not in _LOADED:
            from .explain import ReasonCoder
            from .models import load_model, model_hash

            path = self._resolve()
            got = model_hash(path)
            if got != self.model_hash:
                from ._errors import PolicyRefusal

                raise PolicyRefusal(MSG_EXECUTOR_HASH.format(path=path, got=got,
                                                             want=self.model_hash))
            model = load_model(path)
            _LOADED[key] = (model, ReasonCoder(features=model.features).fit(model))
        return _LOADED[key]

    def _resolve(self) -> Path:
        if self.kind == "path":
            return Path(self.reference)
        from pyspark import SparkFiles

        # unpacked beside the shipped archive, in the application's own directory
        # (removed with the application)
        archive = Path(SparkFiles.get(self.reference))
        dest = archive.with_name(archive.stem)
        if not dest.is_dir():
            from ._atomic import atomic_dir

            with atomic_dir(dest) as tmp, zipfile.ZipFile(archive) as zf:
                zf.extractall(tmp)
        return dest

    def __call__(self, frames):
        from .scoring import _score_batch

        model, coder = self._load()
        for frame in frames:
            yield _score_batch(model, coder, frame).to_pandas()


def _write_file(scored, out: Path, before_commit, metadata: dict[str, str] | None = None) -> int:
    """Collect the scores as Arrow and write one Parquet file atomically (its metadata naming
    the model, ``scoring.SCORES_METADATA``); the row count."""
    import pyarrow.parquet as pq

    from .features._spark import to_arrow
    from .scoring import _output_schema

    table = to_arrow(scored)
    table = table.select(list(OUTPUT_COLUMNS)).cast(_output_schema(metadata))
    with atomic_file(out) as tmp:
        pq.write_table(table, tmp)
        before_commit(table.num_rows)
    return table.num_rows
