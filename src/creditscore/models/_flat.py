"""Flat tables: any CSV or Parquet file of one row per person, read as it is.

A flat table is not a creditscore feature table: its columns are whatever
the lender has (numbers, text categories, missing values) and its label may
be text ("good"/"bad"). :func:`flat_schema` decides, once and in writing,
what each column is:

- the **target** (``--target``) becomes 1 where it equals ``--positive``
  (compared as text), else it must hold exactly the values 0 and 1; rows
  with a missing target are not trained on;
- the **id** column (``--id``, optional) names rows and never enters the
  model; without one, rows are named by their position (0, 1, ...);
- **protected** columns (``--protected``, and any column named like a
  protected attribute, e.g. ``sex`` or ``age``) never enter the model and
  are kept for the audit;
- a numeric column is a number; a text, boolean or categorical column is a
  category (its values, sorted, are codes 0, 1, ...; a category first seen
  after training, like a missing value, is missing); a date column (a
  datetime type, date objects, or text in which nearly every value reads and
  parses as a date: :func:`date_like`; never a category), a constant or
  all-missing column, and a text column with more than
  ``MAX_CATEGORIES`` values (or one value per row, like a name) are dropped
  with a warning;
- a features YAML (:func:`read_feature_yaml`) may give a column a monotone
  direction, a plain-language description and ``type: categorical``.

The schema is stored in the model directory (``flat.json``) and encodes any
later table the same way (:meth:`FlatSchema.encode`). Reading the table, its labels and
the YAML: ``_flat_read``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import warnings
from dataclasses import dataclass, field

import numpy as np

from .._errors import InputError, did_you_mean
from ._features import PROTECTED_COLUMNS
from ._flat_read import (
    MIN_OUTCOME_ROWS,
    MSG_YAML,
    flat_labels,
    read_feature_yaml,
    read_flat_table,
)

__all__ = ["FlatSchema", "FlatFeature", "FlatTableWarning", "flat_schema", "read_flat_table",
           "read_feature_yaml", "flat_labels", "MIN_OUTCOME_ROWS", "MAX_CATEGORIES"]

MAX_CATEGORIES = 200

MSG_NO_COLUMN = "{path}: no {what} column {col!r} (columns: {cols}){hint}"
MSG_DUP_ID = "{path}: id column {col!r} has duplicates (first: {value!r} on rows {rows})"
MSG_PROTECTED_FEATURE = ("{path}: column {col!r} is protected (it never enters a model) and is "
                         "also named as a feature in {where}")
MSG_ROLE = "{path}: column {col!r} is both the {a} and the {b}"
MSG_NO_FEATURES = "{path}: no column is left to train on (all dropped, protected or excluded)"
MSG_MISSING = "{path}: missing column(s) {cols} that the model was trained on"
MSG_CAT_DIRECTION = ("{path}: column {col!r} is categorical; a monotone direction needs a "
                     "number (drop `direction` or the `type: categorical`)")


#: text that reads as a date: 2023-01-15, 2023/01, 2023-01-15 10:30, 15/01/2023, 15 Jan 2023,
#: Jan 15, 2023, January 2023
_DATE_TEXT = re.compile(
    r"^\s*(?:\d{4}[-/.]\d{1,2}(?:[-/.]\d{1,2})?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?"
    r"|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}(?: \d{1,2}:\d{2}(?::\d{2})?)?"
    r"|\d{1,2}[ -][A-Za-z]{3,9}\.?[ -]\d{2,4}"
    r"|[A-Za-z]{3,9}\.? \d{1,2},? \d{4}"
    r"|[A-Za-z]{3,9}[ -]\d{4})\s*$")
#: the share of a text column's known values that must read as dates for it to be dates
DATE_SHARE = 0.95
MSG_DATE_TEXT = ("text of dates (e.g. {example!r}) is not a model input; derive a number "
                 "from it (e.g. months since) to use it")


def date_like(s) -> str | None:
    """An example value if the text (or object) column ``s`` holds dates, else None.

    Dates as text (ISO, day/month/year, month names) or as date objects
    (Parquet dates read without a datetime type) count; the text must match
    a date form *and* parse as a date, in at least ``DATE_SHARE`` of the
    distinct known values, so codes such as "12-3" stay categories.
    """
    import pandas as pd

    known = pd.Series(s.dropna().unique())
    if known.empty:
        return None
    if known.map(lambda v: isinstance(v, (dt.date, pd.Timestamp))).all():
        return str(known.iloc[0])
    text = known.astype(str)
    matched = text[text.str.match(_DATE_TEXT)]
    if len(matched) < DATE_SHARE * len(text):
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas warns when it infers a format per element
        parsed = pd.to_datetime(matched, errors="coerce", format="mixed")
    if parsed.notna().sum() < DATE_SHARE * len(text):
        return None
    return str(matched.iloc[0])


class FlatTableWarning(UserWarning):
    """A column of a flat table that is dropped (constant, all missing, a date, ...)."""


def _show(value) -> str:
    v = float(value)
    if v.is_integer():
        return f"{int(v):,}"
    return f"{v:,.2f}" if abs(v) >= 100 else f"{v:.4g}"


@dataclass(frozen=True)
class FlatFeature:
    """A flat-table column as a model feature: what reasons and constraints read.

    Duck-types ``FeatureDef`` (name, description, source, direction, reason,
    actionable) and writes its own reason sentence (:meth:`sentence`): the
    YAML description with the person's value ("Amount of credit requested:
    12,000"), else the column name ("credit_amount is 12,000"); a category
    is named ("purpose is car").
    """

    name: str
    description: str = ""
    direction: int = 0
    categories: tuple = ()
    kind: str = "numeric"
    source: str = "flat table"
    actionable: bool = False

    @property
    def reason(self) -> str:
        """The reason template of this feature: its description (or name) and ``{value}``."""
        return f"{self.description or self.name}: {{value}}"

    def value_text(self, value) -> str | None:
        """``value`` as shown to a person (the category's label for a categorical), None if
        missing.
        """
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        if self.kind == "categorical":
            code = int(value)
            return str(self.categories[code]) if 0 <= code < len(self.categories) else None
        return _show(value)

    def sentence(self, value) -> str:
        """A reason sentence for this feature at ``value``: its description (or name) and the
        value.
        """
        shown = self.value_text(value)
        if self.description:
            text = f"{self.description}: {shown if shown is not None else 'not given'}"
            return text[:1].upper() + text[1:]
        return f"{self.name} is {shown if shown is not None else 'missing'}"

    def to_dict(self) -> dict:
        """The feature's schema entry: name, description, direction, categories and kind."""
        return {"name": self.name, "description": self.description, "direction": self.direction,
                "categories": list(self.categories), "kind": self.kind}


@dataclass(frozen=True)
class FlatSchema:
    """How a flat table becomes model input (stored as ``flat.json``)."""

    target: str
    positive: str | None
    id_column: str | None
    protected: tuple[str, ...]
    features: tuple[FlatFeature, ...]
    dropped: dict = field(default_factory=dict)
    source: str = ""

    @property
    def names(self) -> list[str]:
        """The model's feature names, in model order."""
        return [f.name for f in self.features]

    @property
    def categorical(self) -> dict[str, list]:
        """name -> categories of the categorical model columns (the estimators' parameter)."""
        return {f.name: list(f.categories) for f in self.features if f.kind == "categorical"}

    def encode(self, frame, where: str = "table"):
        """The model columns of ``frame`` as float64 (category codes, NaN for missing)."""
        import pandas as pd

        missing = [n for n in self.names if n not in frame.columns]
        if missing:
            raise InputError(MSG_MISSING.format(path=where, cols=", ".join(missing)))
        out = {}
        for f in self.features:
            col = frame[f.name]
            if f.kind == "categorical":
                lookup = {c: float(i) for i, c in enumerate(f.categories)}
                text = col.astype(object).map(lambda v: None if pd.isna(v) else str(v))
                out[f.name] = text.map(lookup).astype(float).to_numpy()
            else:
                out[f.name] = pd.to_numeric(col, errors="coerce").astype(float).to_numpy()
        return pd.DataFrame(out, index=frame.index)

    def row_ids(self, frame) -> np.ndarray:
        """The ids of ``frame``'s rows: the id column as text, else the row numbers."""
        if self.id_column and self.id_column in frame.columns:
            return frame[self.id_column].astype(str).to_numpy()
        return np.arange(len(frame)).astype(str)

    def to_dict(self) -> dict:
        """The schema as JSON-ready data: target, positive class, id, protected, dropped, features.
        """
        return {"target": self.target, "positive": self.positive, "id_column": self.id_column,
                "protected": list(self.protected), "dropped": dict(self.dropped),
                "features": [f.to_dict() for f in self.features]}

    @classmethod
    def from_dict(cls, d: dict) -> FlatSchema:
        """The schema from its JSON form (:meth:`to_dict`), as stored in the model directory."""
        feats = tuple(FlatFeature(f["name"], f.get("description", ""), int(f["direction"]),
                                  tuple(f.get("categories", ())), f.get("kind", "numeric"))
                      for f in d["features"])
        return cls(d["target"], d.get("positive"), d.get("id_column"), tuple(d["protected"]),
                   feats, dict(d.get("dropped", {})))




def _warn(dropped: dict, col: str, why: str, where: str) -> None:
    dropped[col] = why
    warnings.warn(f"{where}: column {col!r} dropped: {why}", FlatTableWarning, stacklevel=3)


def _check_roles(frame, target, id_column, protected, declared, exclude, where) -> None:
    cols = ", ".join(map(str, frame.columns[:12]))
    for what, names in (("id", [id_column] if id_column else []), ("protected", protected),
                        ("dropped", exclude)):
        for col in names:
            if col not in frame.columns:
                raise InputError(MSG_NO_COLUMN.format(path=where, what=what, col=col, cols=cols,
                                                      hint=did_you_mean(col, frame.columns)))
            if col == target:
                raise InputError(MSG_ROLE.format(path=where, col=col, a="target", b=what))
    if id_column and id_column in protected:
        raise InputError(MSG_ROLE.format(path=where, col=id_column, a="id", b="protected"))
    for col, yaml_where in declared.items():
        if col in protected:
            raise InputError(MSG_PROTECTED_FEATURE.format(path=where, col=col, where=yaml_where))
        if col not in frame.columns:
            raise InputError(MSG_NO_COLUMN.format(path=yaml_where, what="feature", col=col,
                                                  cols=cols, hint=did_you_mean(col, frame.columns)))
    if id_column:
        ids = frame[id_column].astype(str)
        dup = ids[ids.duplicated(keep=False)]
        if len(dup):
            first = dup.iloc[0]
            rows = ", ".join(str(r) for r in np.flatnonzero((ids == first).to_numpy())[:3])
            raise InputError(MSG_DUP_ID.format(path=where, col=id_column, value=first, rows=rows))


def _feature(frame, col, spec, where, dropped) -> FlatFeature | None:
    import pandas as pd

    s = frame[col]
    kind = spec.get("kind")
    if kind != "numeric" and not pd.api.types.is_numeric_dtype(s):
        example = None if pd.api.types.is_datetime64_any_dtype(s) else date_like(s)
        if example is not None:  # dates are never a category, even if declared one
            _warn(dropped, col, MSG_DATE_TEXT.format(example=example), where)
            return None
    if kind is None:
        numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
        if pd.api.types.is_datetime64_any_dtype(s):
            _warn(dropped, col, "a date column is not a model input", where)
            return None
        kind = "numeric" if numeric else "categorical"
    known = s.dropna()
    n_values = known.astype(str).nunique() if kind == "categorical" else known.nunique()
    if len(known) == 0:
        _warn(dropped, col, "every value is missing", where)
        return None
    if n_values < 2:
        _warn(dropped, col, f"constant (every known value is {known.iloc[0]!r})", where)
        return None
    if kind == "categorical":
        if spec.get("direction"):
            raise InputError(MSG_CAT_DIRECTION.format(path=where, col=col))
        if n_values > MAX_CATEGORIES or (n_values == len(known) and len(known) > 20):
            _warn(dropped, col, f"text with {n_values:,} distinct values is not a category",
                  where)
            return None
        cats = tuple(sorted(known.astype(str).unique()))
        return FlatFeature(col, spec.get("description", ""), 0, cats, "categorical")
    if pd.to_numeric(s, errors="coerce").isna().sum() > s.isna().sum():
        raise InputError(MSG_YAML.format(path=where, what=f"column {col!r} is declared numeric "
                                         "but holds text"))
    return FlatFeature(col, spec.get("description", ""), int(spec.get("direction", 0)))


def flat_schema(frame, target, *, positive=None, id_column=None, protected=(), exclude=(),
                features_yaml=None, where="table") -> FlatSchema:
    """Decide every column's role and type (see the module docstring).

    Raises
    ------
    InputError
        A column named twice in different roles, a missing column, a protected
        column named as a feature, duplicate ids, no column left.
    """
    declared = read_feature_yaml(features_yaml) if features_yaml else {}
    protected = list(dict.fromkeys(protected))
    _check_roles(frame, target, id_column, protected,
                 {c: str(features_yaml) for c in declared}, exclude, where)
    auto = [c for c in frame.columns if str(c).lower() in PROTECTED_COLUMNS
            and c not in protected and c not in (target, id_column) and c not in exclude]
    for col in auto:
        if col in declared:
            raise InputError(MSG_PROTECTED_FEATURE.format(path=where, col=col,
                                                          where=str(features_yaml)))
        warnings.warn(f"{where}: column {col!r} is named like a protected attribute; it is "
                      "kept for the audit and never enters the model", FlatTableWarning,
                      stacklevel=2)
    protected += auto
    skip = {target, id_column, *protected, *exclude}
    dropped, feats = {}, []
    for col in frame.columns:
        if col in skip:
            continue
        feat = _feature(frame, col, declared.get(col, {}), where, dropped)
        if feat is not None:
            feats.append(feat)
    if not feats:
        raise InputError(MSG_NO_FEATURES.format(path=where))
    return FlatSchema(target, None if positive is None else str(positive), id_column,
                      tuple(protected), tuple(feats), dropped, where)
