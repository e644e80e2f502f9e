"""Scoring: PD, score, tier and reasons, refused without a passed audit.

:func:`score_features` is the one scoring path, used by ``creditscore score``
and by Python callers alike. It refuses (``PolicyRefusal``, exit 3) before
reading or writing anything unless the model directory holds a passed audit
of this very model; it requires a purpose; it streams the feature file in
batches (bounded memory, a progress bar on request), writes the output
atomically, and appends one entry to the audit log before the output is
renamed into place: there are never scores without their entry (a run
killed between the two leaves an entry for scores it did not deliver). The
scores' Parquet metadata names the model's hash, the kind of subject it scores
and the sha256 of the feature file (``SCORES_METADATA``), so that a later use of
the file (``supervise``) can check which model wrote it.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from . import audit_log
from ._atomic import atomic_file
from ._errors import InputError

__all__ = ["score_features", "ScoreResult", "OUTPUT_COLUMNS", "SCORES_METADATA",
           "scores_metadata"]

OUTPUT_COLUMNS = ("subject_id", "as_of", "pd", "score", "tier",
                  "reason_1", "reason_2", "reason_3", "reason_4")
#: up to this many rows, reasons come from pred_contrib (no per-leaf tables to build)
FEW_ROWS = 1_000
MSG_NO_FILE = "{path}: no such feature file"
MSG_NO_MODEL = "{path}: no such model directory"
MSG_MISSING = "{path}: missing column(s) {cols} the model needs"
MSG_UNREADABLE = "{path}: not a readable Parquet feature file ({error})"
MSG_CORRUPT = "{path}: the rows from row {row} cannot be read; the file is damaged ({error})"


@dataclass(frozen=True)
class ScoreResult:
    """What a scoring run did: rows scored, output path, model hash, seconds."""

    n_rows: int
    out: Path
    model_hash: str
    seconds: float


#: the Parquet metadata keys of SCORES that bind the scores to what wrote them
#: (``supervise`` draws only from scores of the very model it is given)
SCORES_METADATA = ("creditscore.model_hash", "creditscore.kind", "creditscore.features_sha256")


def scores_metadata(model, features: Path | None) -> dict[str, str]:
    """The SCORES metadata: the model's hash, the kind of subject it scores, the input's
    sha256 (left out when the input is no local file)."""
    from .models._entity_tiers import is_entity_model

    kind = "entity" if is_entity_model(model.feature_names, model.target) else "person"
    values = (model.model_hash(), kind,
              audit_log.fingerprint(features) if features is not None else None)
    return {k: v for k, v in zip(SCORES_METADATA, values, strict=True) if v is not None}


def _output_schema(metadata: dict[str, str] | None = None):
    import pyarrow as pa

    return pa.schema([("subject_id", pa.string()), ("as_of", pa.date32()),
                      ("pd", pa.float64()), ("score", pa.float64()), ("tier", pa.string()),
                      *[(f"reason_{i}", pa.string()) for i in range(1, 5)]],
                     metadata=metadata)


def _open(path: Path, needed: list[str]):
    import pyarrow.parquet as pq

    if not path.is_file():
        raise InputError(MSG_NO_FILE.format(path=path))
    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for corrupt files
        raise InputError(MSG_UNREADABLE.format(path=path, error=str(exc).splitlines()[0])) from exc
    missing = [c for c in needed if c not in pf.schema_arrow.names]
    if missing:
        raise InputError(MSG_MISSING.format(path=path, cols=", ".join(missing)))
    return pf


def _score_batch(model, coder, frame):
    import pyarrow as pa

    out = model.score_frame(frame)
    reasons = coder.reasons(frame[model.feature_names])
    for i in range(1, 5):
        out[f"reason_{i}"] = reasons[f"reason_{i}"].to_numpy()
    out["tier"] = out["tier"].astype(str)
    return pa.Table.from_pandas(out[list(OUTPUT_COLUMNS)], schema=_output_schema(),
                                preserve_index=False)


def _progress(total: int, enabled: bool):
    from rich.console import Console
    from rich.progress import Progress

    # on stderr, where the CLI checks for a terminal: stdout may be piped to a file
    bar = Progress(console=Console(stderr=True), disable=not enabled, transient=True)
    return bar, bar.add_task("scoring", total=total)


def score_features(model_dir, features, out, *, purpose: str, batch_size: int = 200_000,
                   progress: bool = False, log: str | os.PathLike | None = None) -> ScoreResult:
    """Score a feature file with an audited model and write SCORES.parquet.

    Parameters
    ----------
    model_dir : path
    features : path
        Parquet from ``creditscore features`` (subject_id, as_of and the model's features).
    out : path
        Output Parquet: subject_id, as_of, pd, score, tier, reason_1..reason_4.
    purpose : str
        Why these subjects are scored; required, written to the audit log.
    batch_size : int, default=200_000
        Rows per batch; memory is bounded by one batch.

    Raises
    ------
    PolicyRefusal
        No passed audit of this very model (nothing is read or written).
    InputError
        No purpose, a missing or unreadable feature file, missing columns.
    """
    from .explain import ReasonCoder
    from .fairness import load_audited_model

    start = time.perf_counter()
    if not (purpose and purpose.strip()):
        raise InputError(audit_log.MSG_NO_PURPOSE.format(action="score"))
    if not Path(model_dir).is_dir():
        raise InputError(MSG_NO_MODEL.format(path=model_dir))
    model = load_audited_model(model_dir)  # the audited hash checked before any parsing
    features, out = Path(features), Path(out)
    if model.flat is not None:
        return _score_flat(model, features, out, purpose, log, start)
    pf = _open(features, ["subject_id", "as_of", *model.feature_names])
    # a few rows (a rescore after a dispute) are explained by LightGBM's own exact
    # TreeSHAP; tabulating every leaf for the fast route pays off only in bulk
    method = "lightgbm" if pf.metadata.num_rows <= FEW_ROWS else "fast"
    coder = ReasonCoder(features=model.features, method=method).fit(model)
    meta = scores_metadata(model, features)
    model_hash, fingerprint = meta["creditscore.model_hash"], meta["creditscore.features_sha256"]

    def log_it(n: int) -> None:
        # before the output is renamed into place: no scores without their log entry
        audit_log.append("score", purpose=purpose, model_hash=model_hash,
                         input_fingerprint=fingerprint, n_subjects=n, output=out, path=log)

    n = _write_scores(model, coder, pf, features, out, batch_size, progress, log_it, meta)
    return ScoreResult(n, out, model_hash, time.perf_counter() - start)


def _score_flat(model, table: Path, out: Path, purpose: str, log, start) -> ScoreResult:
    """A flat-table model scores a flat table (CSV or Parquet, read whole): id, pd, score,
    tier, reason_1..reason_4."""
    from .explain._flat import flat_scores
    from .models._flat import read_flat_table

    scores = flat_scores(model, read_flat_table(table), str(table))
    model_hash = model.model_hash()
    with atomic_file(out) as tmp:
        scores.to_parquet(tmp, index=False)
        audit_log.append("score", purpose=purpose, model_hash=model_hash,
                         input_fingerprint=audit_log.fingerprint(table),
                         n_subjects=len(scores), output=out, path=log)
    return ScoreResult(len(scores), out, model_hash, time.perf_counter() - start)


def _batches(pf, source: Path, batch_size: int, columns: list[str]):
    """The feature file's batches; a page that fails to read is the file's fault (exit 2)."""
    import pyarrow as pa

    batches, first_row = pf.iter_batches(batch_size=batch_size, columns=columns), 1
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except (OSError, pa.ArrowException) as exc:
            error = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise InputError(MSG_CORRUPT.format(path=source, row=first_row, error=error)) from exc
        yield batch
        first_row += batch.num_rows


def _write_scores(model, coder, pf, source: Path, out: Path, batch_size: int,
                  progress: bool, before_commit, metadata: dict[str, str]) -> int:
    import pyarrow.parquet as pq

    columns = ["subject_id", "as_of", *model.feature_names]
    bar, task = _progress(pf.metadata.num_rows, progress)
    n = 0
    with atomic_file(out) as tmp:
        with bar, pq.ParquetWriter(tmp, _output_schema(metadata)) as writer:
            for batch in _batches(pf, source, batch_size, columns):
                frame = batch.to_pandas()
                writer.write_table(_score_batch(model, coder, frame))
                n += len(frame)
                bar.advance(task, len(frame))
        before_commit(n)
    return n
