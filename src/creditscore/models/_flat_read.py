"""Reading a flat table's inputs: the table itself, its label column, its features YAML.

``read_flat_table`` reads a CSV or Parquet file as it is; ``flat_labels`` turns the
target column into 0/1 labels (``--positive`` compared as text, else exactly 0 and 1;
at least ``MIN_OUTCOME_ROWS`` of each outcome); ``read_feature_yaml`` reads the optional
YAML of columns (direction, description, type). Each refusal is one line naming the
file and the column. ``_flat`` decides the columns' roles from what these read.
"""

from __future__ import annotations

from pathlib import Path

from .._errors import InputError, did_you_mean

__all__ = ["read_flat_table", "flat_labels", "read_feature_yaml", "MIN_OUTCOME_ROWS",
           "DIRECTIONS", "MSG_YAML"]

MIN_OUTCOME_ROWS = 50
DIRECTIONS = {"1": 1, "+1": 1, "-1": -1, "0": 0, "up": 1, "down": -1, "none": 0,
              "increasing": 1, "decreasing": -1, "riskier": 1, "safer": -1,
              "higher is riskier": 1, "higher is safer": -1, "ascending": 1, "descending": -1}

MSG_NO_FILE = "{path}: no such table"
MSG_READ = "{path}: not a readable CSV or Parquet table ({error})"
MSG_NO_TARGET = "{path}: no target column {col!r} (columns: {cols}){hint}"
MSG_NO_LABELS = "{path}: column {col!r} has no known value"
MSG_MANY_VALUES = ("{path}: column {col!r} has {n} distinct values ({shown}); a target has two: "
                   "pass --positive VALUE to say which value is the event (e.g. --positive bad)")
MSG_TWO_TEXT = ("{path}: column {col!r} holds {shown}, not 0 and 1; pass --positive VALUE to "
                "say which value is the event (e.g. --positive {first})")
MSG_POSITIVE = "{path}: column {col!r} never equals --positive {value!r} (values: {shown})"
MSG_FEW = ("{path}: column {col!r} has {n} rows with outcome {outcome}; at least "
           f"{MIN_OUTCOME_ROWS} of each outcome are needed to train and audit")
MSG_YAML = "{path}: {what}"


def read_flat_table(source):
    """A DataFrame from a CSV or Parquet path (or a DataFrame, copied)."""
    import pandas as pd

    if isinstance(source, pd.DataFrame):
        return source.copy()
    path = Path(source)
    if not path.is_file():
        raise InputError(MSG_NO_FILE.format(path=path))
    try:
        if path.suffix.lower() in (".csv", ".txt", ".tsv"):
            return pd.read_csv(path, sep="\t" if path.suffix.lower() == ".tsv" else ",")
        return pd.read_parquet(path)
    except (OSError, ValueError, ImportError, UnicodeDecodeError) as exc:
        error = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(MSG_READ.format(path=path, error=error)) from exc


def flat_labels(frame, target, positive, where):
    """(known mask, 0/1 labels of the known rows) of the target column."""
    import pandas as pd

    if target not in frame.columns:
        cols = ", ".join(map(str, frame.columns[:12]))
        raise InputError(MSG_NO_TARGET.format(path=where, col=target, cols=cols,
                                              hint=did_you_mean(target, frame.columns)))
    col = frame[target]
    known = col.notna().to_numpy()
    if not known.any():
        raise InputError(MSG_NO_LABELS.format(path=where, col=target))
    text = col[known].astype(str).str.strip()
    values = sorted(text.unique())
    shown = ", ".join(repr(v) for v in values[:5]) + (" ..." if len(values) > 5 else "")
    if positive is not None:
        y = (text == str(positive).strip()).to_numpy().astype(int)
        if not y.any():
            raise InputError(MSG_POSITIVE.format(path=where, col=target, value=positive,
                                                 shown=shown))
    else:
        if len(values) > 2:
            raise InputError(MSG_MANY_VALUES.format(path=where, col=target, n=len(values),
                                                    shown=shown))
        num = pd.to_numeric(col[known], errors="coerce")
        if num.isna().any() or not set(num.unique()) <= {0, 1}:
            raise InputError(MSG_TWO_TEXT.format(path=where, col=target, shown=shown,
                                                 first=values[0]))
        y = num.astype(int).to_numpy()
    for outcome in (0, 1):
        n = int((y == outcome).sum())
        if n < MIN_OUTCOME_ROWS:
            raise InputError(MSG_FEW.format(path=where, col=target, n=n, outcome=outcome))
    return known, y


def read_feature_yaml(path) -> dict[str, dict]:
    """A features YAML: column -> {direction, description, type}.

    Either a list under ``features:`` (``- column: NAME``) or a mapping of
    column names. ``direction``: 1 / "higher is riskier", -1 / "higher is
    safer", 0; ``type``: numeric or categorical.
    """
    import yaml

    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(MSG_YAML.format(path=path, what=f"not a readable YAML file ({exc})")
                         ) from exc
    items = raw.get("features", raw) if isinstance(raw, dict) else raw
    if isinstance(items, dict):
        items = [{"column": k, **(v or {})} for k, v in items.items()]
    if not isinstance(items, list):
        raise InputError(MSG_YAML.format(path=path, what="expected a list of columns under "
                                         "`features:` (column, direction, description)"))
    return dict(_yaml_entry(path, i, item) for i, item in enumerate(items))


def _yaml_entry(path, i, item) -> tuple[str, dict]:
    if not isinstance(item, dict) or not item.get("column"):
        raise InputError(MSG_YAML.format(path=path, what=f"features[{i}] has no `column`"))
    unknown = sorted(set(item) - {"column", "direction", "description", "type"})
    if unknown:
        raise InputError(MSG_YAML.format(path=path, what=f"features[{i}]: unknown key "
                                         f"{unknown[0]!r} (expected column, direction, "
                                         "description, type)"))
    raw = str(item.get("direction", 0)).strip().lower()
    if raw not in DIRECTIONS:
        raise InputError(MSG_YAML.format(path=path, what=f"features[{i}] ({item['column']}): "
                                         f"direction {item['direction']!r} is not 1, -1 or 0"))
    kind = str(item.get("type", "")).strip().lower() or None
    if kind not in (None, "numeric", "categorical"):
        raise InputError(MSG_YAML.format(path=path, what=f"features[{i}] ({item['column']}): "
                                         f"type {kind!r} is not numeric or categorical"))
    return str(item["column"]), {"direction": DIRECTIONS[raw], "kind": kind,
                                 "description": str(item.get("description") or "").strip()}
