"""The sampling frame: an entity model's scores, bound to that model, with the entities'
ownership and size band.

``creditscore score`` writes the model's hash, the kind of subject it scores and the
fingerprint of the feature file into the Parquet metadata of SCORES
(:data:`creditscore.scoring.SCORES_METADATA`). A draw is made only from scores that name
the very model (``--model``) whose passed audit is checked (exit 3 otherwise); scores of
persons are refused (exit 2: persons are not inspected by lottery). The frame is one row
per entity at one ``as_of`` (the latest in the file unless one is given).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .._errors import InputError, PolicyRefusal

__all__ = ["read_scores", "read_entities", "frame_of", "MSG_PERSONS"]

MSG_PERSONS = ("{what} scores persons: persons are never drawn for inspection by lottery; "
               "`supervise` takes the scores of an entity model (guide: entities)")
MSG_NO_FILE = "{path}: no such scores file"
MSG_UNREADABLE = "{path}: not a readable Parquet scores file ({error})"
MSG_COLUMNS = "{path}: missing column(s) {cols}; expected the output of `creditscore score`"
MSG_UNBOUND = ("{path}: the scores do not name the model that wrote them (no model hash in "
               "their metadata); score again with `creditscore score {model} ...`")
MSG_OTHER_MODEL = ("{path}: these scores are not {model}'s (written by model {theirs:.12}, "
                   "{model} is {ours:.12}); score with this model first")
MSG_NO_DATE = "{path}: no rows at --as-of {day} (dates in the file: {dates})"
MSG_EMPTY = "{path}: no scored rows"
MSG_DUPLICATE = "{path} row {row}: subject_id {id!r} is scored twice at {day}"
MSG_TIER = "{path} row {row}: tier {tier!r} is not one of A, B, C, D"
MSG_PD = "{path} row {row}: pd is {pd!r}; a probability in [0, 1] is expected"
MSG_NO_ENTITIES = "{path}: no entities table (expected entities.parquet or entities.csv)"
MSG_ENTITY_COLUMN = "{path}: column {column!r} is missing; the entities table has {columns}"
MSG_NOT_LISTED = ("{path}: {n} scored entities have no row in the entities table (e.g. "
                  "{example!r}); give the record set the scores were built from")
MSG_ENTITY_DUP = "{path} row {row}: subject_id {id!r} appears twice"
NEEDED = ("subject_id", "as_of", "pd", "tier")


def read_scores(path, model_hash: str, model_dir) -> tuple:
    """The scores (pandas) and their metadata; refused unless ``model_hash`` wrote them."""
    import pyarrow.parquet as pq

    path = Path(path)
    if not path.is_file():
        raise InputError(MSG_NO_FILE.format(path=path))
    try:
        schema = pq.read_schema(path)
        meta = {k.decode(): v.decode() for k, v in (schema.metadata or {}).items()}
        missing = [c for c in NEEDED if c not in schema.names]
        if missing:
            raise InputError(MSG_COLUMNS.format(path=path, cols=", ".join(missing)))
        table = pq.read_table(path, columns=list(NEEDED)).to_pandas()
    except InputError:
        raise
    except Exception as exc:  # pyarrow raises several types for damaged files
        error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(MSG_UNREADABLE.format(path=path, error=error)) from exc
    if meta.get("creditscore.kind") == "person":
        raise InputError(MSG_PERSONS.format(what=path))
    theirs = meta.get("creditscore.model_hash")
    if not theirs:
        raise PolicyRefusal(MSG_UNBOUND.format(path=path, model=model_dir))
    if theirs != model_hash:
        raise PolicyRefusal(MSG_OTHER_MODEL.format(path=path, model=model_dir, theirs=theirs,
                                                   ours=model_hash))
    return table, meta


def _one_date(scores, path: Path, as_of: dt.date | None):
    import pandas as pd

    if scores.empty:
        raise InputError(MSG_EMPTY.format(path=path))
    days = pd.to_datetime(scores["as_of"]).dt.date
    day = as_of or max(days)
    rows = scores[days == day]
    if rows.empty:
        listed = ", ".join(str(d) for d in sorted(set(days))[:5])
        raise InputError(MSG_NO_DATE.format(path=path, day=day, dates=listed))
    dup = rows["subject_id"].duplicated()
    if dup.any():
        at = int(dup.to_numpy().argmax())
        raise InputError(MSG_DUPLICATE.format(path=path, row=int(rows.index[at]) + 1,
                                              id=rows["subject_id"].iloc[at], day=day))
    return rows, day


def _check_values(rows, path: Path) -> None:
    bad_tier = ~rows["tier"].isin(["A", "B", "C", "D"])
    if bad_tier.any():
        i = rows.index[bad_tier.to_numpy().argmax()]
        raise InputError(MSG_TIER.format(path=path, row=int(i) + 1, tier=rows.at[i, "tier"]))
    bad_pd = ~rows["pd"].between(0, 1)
    if bad_pd.any():
        i = rows.index[bad_pd.to_numpy().argmax()]
        raise InputError(MSG_PD.format(path=path, row=int(i) + 1, pd=rows.at[i, "pd"]))


def read_entities(source, columns: tuple[str, ...]):
    """The ``entities`` table of a record set (or the file itself), with ``columns``."""
    import pandas as pd

    source = Path(source)
    path = source
    if source.is_dir():
        found = [source / f"entities.{ext}" for ext in ("parquet", "csv")]
        found = [p for p in found if p.is_file()]
        if not found:
            raise InputError(MSG_NO_ENTITIES.format(path=source))
        path = found[0]
    elif not source.is_file():
        raise InputError(MSG_NO_ENTITIES.format(path=source))
    try:
        table = (pd.read_csv(path, dtype=str) if path.suffix == ".csv"
                 else pd.read_parquet(path))
    except Exception as exc:  # pandas/pyarrow raise several types for damaged files
        error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(MSG_UNREADABLE.format(path=path, error=error)) from exc
    for column in ("subject_id", *columns):
        if column not in table.columns:
            raise InputError(MSG_ENTITY_COLUMN.format(path=path, column=column,
                                                      columns=", ".join(table.columns)))
    dup = table["subject_id"].duplicated()
    if dup.any():
        at = int(dup.to_numpy().argmax())
        raise InputError(MSG_ENTITY_DUP.format(path=path, row=at + 1,
                                               id=table["subject_id"].iloc[at]))
    return table.astype({"subject_id": str}), path


def frame_of(scores, path, entities, entities_path, as_of: dt.date | None = None):
    """One row per scored entity at one date, with its ``entities`` columns; the date."""
    rows, day = _one_date(scores, Path(path), as_of)
    _check_values(rows, Path(path))
    rows = rows.astype({"subject_id": str})
    frame = rows.merge(entities, on="subject_id", how="left", indicator=True)
    lost = frame["_merge"] == "left_only"
    if lost.any():
        raise InputError(MSG_NOT_LISTED.format(path=entities_path, n=int(lost.sum()),
                                               example=frame.loc[lost, "subject_id"].iloc[0]))
    frame = frame.drop(columns="_merge").sort_values("subject_id", kind="stable")
    return frame.reset_index(drop=True), day
