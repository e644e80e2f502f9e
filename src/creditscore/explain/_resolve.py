"""Which explainable model is inside what the caller passes (booster, scorecard, wrapper)."""

from __future__ import annotations

import pandas as pd

from .._errors import InputError

__all__ = ["resolve_model", "default_features"]

MSG_MODEL = (
    "cannot explain a {kind}: expected a lightgbm.Booster, an estimator with "
    "`booster_` (MonotoneLGBM), a scorecard with `points_table_`, a points table, "
    "or a loaded model holding one of these"
)


def resolve_model(model, depth: int = 0):
    """("tree", booster, num_iteration) or ("points", scorecard-or-table, None)."""
    import lightgbm as lgb

    if isinstance(model, lgb.Booster):
        return "tree", model, None
    if isinstance(getattr(model, "booster_", None), lgb.Booster):
        return "tree", model.booster_, getattr(model, "best_iteration_", None)
    if isinstance(model, pd.DataFrame) or hasattr(model, "points_table_"):
        return "points", model, None
    if depth < 3:
        for attr in ("estimator", "estimator_", "model", "model_"):
            inner = getattr(model, attr, None)
            if inner is not None and inner is not model:
                return resolve_model(inner, depth + 1)
    raise InputError(MSG_MODEL.format(kind=type(model).__name__))


def default_features(model):
    """The model's own stored definitions if it has them, else the package's."""
    own = getattr(model, "features", None)
    if own and all(hasattr(f, "reason") for f in own):
        return tuple(own)
    from ..features import FEATURES

    return FEATURES
