"""The inputs of training: the feature table, its rows, columns and fingerprint.

Every check that turns bad input into a one-line ``InputError`` (naming the
file and the column) lives here: missing file or column, protected
attributes, labels other than 0/1, no known labels, a bad date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import numpy as np

from .._errors import InputError, did_you_mean
from ._features import check_no_protected, resolve_features

__all__ = [
    "TARGETS",
    "KEYS",
    "read_feature_table",
    "feature_columns",
    "parse_date",
    "training_rows",
    "fingerprint",
    "where",
]

TARGETS = ("default_12m", "breach_12m", "entity_breach_12m")
KEYS = ("subject_id", "as_of")
MSG_NO_FILE = "{path}: no such feature file"
MSG_READ = "{path}: not a readable Parquet feature table ({error})"
MSG_COLUMN = "{path}: no column {col!r} ({hint})"
MSG_LABELS = "{path}: {target} has values other than 0, 1 and null: {values}"
MSG_NO_ROWS = "{path}: no rows with a known {target}{until}"
MSG_ONE_CLASS = "{path}: every known {target}{until} is {value}; a model needs both outcomes"
MSG_FEATURES = "{path}: missing feature column(s) {cols} (rebuild the features)"
MSG_DATE = "train_until {value!r} is not a date (expected YYYY-MM-DD)"


def read_feature_table(source):
    """A feature table (Parquet path or DataFrame) with ``as_of`` as datetime64."""
    import pandas as pd

    if isinstance(source, pd.DataFrame):
        frame = source.copy()
    else:
        path = Path(source)
        if not path.is_file():
            raise InputError(MSG_NO_FILE.format(path=path))
        try:
            frame = pd.read_parquet(path)
        except (OSError, ValueError) as exc:
            raise InputError(MSG_READ.format(path=path, error=exc)) from exc
    for col in KEYS:
        if col not in frame.columns:
            raise InputError(
                MSG_COLUMN.format(
                    path=where(source),
                    col=col,
                    hint="a feature table has subject_id, as_of, features, labels"
                    + did_you_mean(col, frame.columns),
                )
            )
    frame["as_of"] = pd.to_datetime(frame["as_of"]).astype("datetime64[ns]")
    return frame


def where(source) -> str:
    return "feature frame" if hasattr(source, "columns") else str(source)


def feature_columns(frame, features, where) -> tuple[tuple, list[str]]:
    check_no_protected(frame.columns, where)
    defs = resolve_features(features)
    names = [f.name for f in defs]
    check_no_protected(names, "feature definitions")
    missing = [n for n in names if n not in frame.columns]
    if missing:
        shown = ", ".join(missing[:5]) + (
            f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        )
        raise InputError(MSG_FEATURES.format(path=where, cols=shown))
    return defs, names


def parse_date(value):
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(MSG_DATE.format(value=value)) from None


def training_rows(frame, target, until, where):
    if target not in frame.columns:
        hint = "expected " + " or ".join(TARGETS) + did_you_mean(
            target, [*TARGETS, *(c for c in frame.columns if c not in TARGETS)])
        raise InputError(MSG_COLUMN.format(path=where, col=target, hint=hint))
    known = frame[target].notna().to_numpy()
    values = sorted(set(frame.loc[known, target].astype(float).unique()) - {0.0, 1.0})
    if values:
        raise InputError(MSG_LABELS.format(path=where, target=target, values=values[:5]))
    keep = known
    if until is not None:
        keep = known & (frame["as_of"] <= np.datetime64(until)).to_numpy()
    rows = frame.loc[keep].reset_index(drop=True)
    text = f" with as_of <= {until}" if until else ""
    if rows.empty:
        raise InputError(MSG_NO_ROWS.format(path=where, target=target, until=text))
    if rows[target].nunique() < 2:
        value = int(rows[target].iloc[0])
        raise InputError(MSG_ONE_CLASS.format(path=where, target=target, until=text, value=value))
    return rows


def fingerprint(rows, names, target, source=None) -> dict:
    """sha256 of the training rows (keys, features, label) and of the feature file."""
    import pandas as pd

    cols = [*KEYS, *names, target]
    h = hashlib.sha256("\0".join(cols).encode())
    h.update(pd.util.hash_pandas_object(rows[cols], index=False).to_numpy().tobytes())
    dates = sorted({str(d.date()) for d in rows["as_of"]})
    out = {
        "rows": len(rows),
        "events": int(rows[target].sum()),
        "as_of": dates,
        "rows_sha256": h.hexdigest(),
    }
    if source is not None and not hasattr(source, "columns"):
        out["features_file_sha256"] = hashlib.sha256(Path(source).read_bytes()).hexdigest()
    return out
