"""Which columns a model may use, and in which monotone direction.

Models take their feature definitions as a parameter (default: the package's
``creditscore.features.FEATURES``, imported only when needed). This module
resolves them, maps a definition's direction to LightGBM's monotone
constraint and to optbinning's monotonic trend, refuses protected attributes,
and writes the definitions a model used into its directory so that it loads
without the features package.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .._errors import InputError

__all__ = [
    "ThresholdPredictMixin",
    "PROTECTED_COLUMNS",
    "resolve_features",
    "directions_for",
    "check_no_protected",
    "features_to_json",
    "features_from_json",
    "feature_matrix",
    "column_names",
    "FitInputs",
    "fit_inputs",
    "categorical_names",
    "keep_params",
]

#: column names that are protected attributes (or derived from one) and never
#: enter a model; the audit reads them from ``protected.parquet`` instead
PROTECTED_COLUMNS = (
    "sex",
    "birth_year",
    "age",
    "ethnicity",
    "hukou",
    "region",
    "education",
    "marriage",
    # an entity's audit attributes (the guide (entities), the entities table)
    "ownership",
    "size_band",
    "headcount",
)

MSG_PROTECTED = (
    "{where}: protected attribute column(s) {cols} may not enter a model; "
    "pass them to the fairness audit as sensitive features instead"
)


def resolve_features(features=None) -> tuple:
    """The feature definitions to use: ``features`` or the package default.

    Parameters
    ----------
    features : sequence of FeatureDef or None
        None means ``creditscore.features.FEATURES`` (imported lazily).
    """
    if features is None:
        from ..features import FEATURES

        features = FEATURES
    return tuple(features)


def directions_for(features, columns: Iterable[str]) -> dict[str, int]:
    """Monotone direction (+1, -1, 0) of each column; 0 where undefined."""
    known = {f.name: int(f.direction) for f in resolve_features(features)}
    return {c: known.get(c, 0) for c in columns}


def check_no_protected(columns: Iterable[str], where: str = "model input") -> None:
    """Raise InputError if any column is a protected attribute."""
    bad = sorted(c for c in columns if str(c).lower() in PROTECTED_COLUMNS)
    if bad:
        raise InputError(MSG_PROTECTED.format(where=where, cols=", ".join(bad)))


def features_to_json(features: Sequence, names: Sequence[str]) -> list[dict]:
    """The definitions of ``names`` (in that order) as plain JSON records."""
    by_name = {f.name: f for f in resolve_features(features)}
    out = []
    for name in names:
        f = by_name.get(name)
        out.append(
            {
                "name": name,
                "description": getattr(f, "description", ""),
                "source": getattr(f, "source", ""),
                "direction": int(getattr(f, "direction", 0)),
                "reason": getattr(f, "reason", ""),
                "actionable": bool(getattr(f, "actionable", False)),
            }
        )
    return out


def features_from_json(records: list[dict]) -> tuple:
    """Rebuild ``FeatureDef`` objects (without builders) from JSON records."""
    from ..features._definitions import FeatureDef

    return tuple(FeatureDef(**rec) for rec in records)


MSG_MISSING = "{where}: missing feature column(s) {cols} (the model was trained on them)"
MSG_SHAPE = "{where}: expected {n} feature columns, got shape {shape}"


def feature_matrix(X, names: Sequence[str], where: str = "feature frame"):
    """``X[names]`` as a float64 array with NaN for missing values.

    ``X`` is a DataFrame (columns are selected by name; extra columns are
    ignored) or a 2-D array already in the order of ``names``.
    """
    import numpy as np
    import pandas as pd

    if isinstance(X, pd.DataFrame):
        missing = [n for n in names if n not in X.columns]
        if missing:
            raise InputError(MSG_MISSING.format(where=where, cols=", ".join(missing)))
        X = X[list(names)].to_numpy(dtype=np.float64, na_value=np.nan)
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != len(names):
        raise InputError(MSG_SHAPE.format(where=where, n=len(names), shape=X.shape))
    return X


def column_names(X) -> list[str]:
    """Column names of a DataFrame, or ``x0, x1, ...`` for an array."""
    if hasattr(X, "columns"):
        return [str(c) for c in X.columns]
    import numpy as np

    return [f"x{i}" for i in range(np.shape(X)[1])]


MSG_WEIGHTS = "sample_weight: {what} (got {got}); expected one finite weight >= 0 per row"


def categorical_names(categorical, names: Sequence[str]) -> dict[str, list]:
    """The categorical columns among ``names``: name -> category labels (may be empty).

    ``categorical`` is None, a list of names, or a mapping name -> labels
    (the labels of codes 0, 1, ...); categorical columns hold those codes.
    """
    if not categorical:
        return {}
    items = categorical.items() if hasattr(categorical, "items") else ((c, []) for c in categorical)
    wanted = {str(k): list(v or []) for k, v in items}
    return {n: wanted[n] for n in names if n in wanted}


@dataclass(frozen=True)
class FitInputs:
    """What every model's ``fit`` starts from (one prologue for both estimators)."""

    names: list
    X: object
    y: object
    directions: dict
    categorical: dict
    weight: object


def fit_inputs(est, X, y, sample_weight=None, *, y_dtype=float) -> FitInputs:
    """Column names, float matrix, labels, monotone directions, categorical columns and
    weights of a ``fit`` call. Categorical columns are never monotone-constrained."""
    import numpy as np

    names = column_names(X)
    Xa, y = feature_matrix(X, names, "X"), np.asarray(y, dtype=y_dtype)
    cats = categorical_names(getattr(est, "categorical_features", None), names)
    dirs = directions_for(getattr(est, "features", None), names)
    dirs.update({n: 0 for n in cats})
    w = None
    if sample_weight is not None:
        w = np.asarray(sample_weight, dtype=float)
        if w.shape != (len(y),):
            raise InputError(MSG_WEIGHTS.format(what="wrong length", got=w.shape))
        if not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
            raise InputError(MSG_WEIGHTS.format(what="not finite, negative or all 0", got="w"))
    return FitInputs(names, Xa, y, dirs, cats, w)


def keep_params(est, values: dict) -> None:
    """Store every ``__init__`` parameter under its own name, untouched (scikit-learn's
    convention, so that ``get_params``, ``set_params`` and ``clone`` work): call it with
    ``locals()`` as the first line of ``__init__``."""
    for name, value in values.items():
        if name not in ("self", "__class__"):
            setattr(est, name, value)


class ThresholdPredictMixin:
    """``predict`` as the class at probability 0.5 of ``predict_proba`` (1: the event)."""

    def predict(self, X):
        """The class at probability 0.5 (1: the event); :meth:`predict_proba` gives the PDs.

        Parameters
        ----------
        X : DataFrame of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)

