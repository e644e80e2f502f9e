"""Neutralising proxies of a flat-table model, measured out of fold.

As for a record-set model (``_neutralise``), the candidate is the original
model itself with the proxies held at a constant (no refit of the other
inputs). Its accuracy is measured the way ``train_flat`` measures any flat
model: on the same seeded folds, each fold's model is fitted as the original
was, its proxies are neutralised at the same constants, and it predicts the
held-out fold; the calibration is fitted on those out-of-fold raw
predictions, and the risk tiers are the out-of-fold PD quantiles. A
categorical proxy of a LightGBM model is not neutralised (LightGBM's
categorical splits are not edited), so only numeric proxies are held for it.
"""

from __future__ import annotations

from sklearn.base import BaseEstimator, ClassifierMixin, clone

from ._neutralise import neutral_estimator

__all__ = ["neutralised_flat_model", "Neutralising"]


class Neutralising(BaseEstimator, ClassifierMixin):
    """An estimator whose fit fits ``estimator`` and returns it with ``values`` held."""

    def __init__(self, estimator=None, kind="scorecard", params=None, values=None):
        self.estimator, self.kind, self.params, self.values = estimator, kind, params, values

    def fit(self, X, y, sample_weight=None):
        fitted = clone(self.estimator)
        fitted = (fitted.fit(X, y) if sample_weight is None
                  else fitted.fit(X, y, sample_weight=sample_weight))
        return neutral_estimator(fitted, self.kind, list(X.columns), dict(self.params or {}),
                                 dict(self.values or {}))


def neutralised_flat_model(search, values: dict, out, *, n_boot: int = 200):
    """Write the search's base model with ``values`` held constant (see the module text)."""
    from ..models import Calibrator, PointsScale
    from ..models._calibration import CalibratedModel
    from ..models._flat_train import _evaluate, _fingerprint, _save, _tiers
    from ..models._oof import out_of_fold
    from ..models._train import _estimator

    base, schema, seed = search.base, search.schema, search.model_seed()
    rows = search.train_rows
    X, y = rows[schema.names], rows[search.target].astype(int).to_numpy()
    params = {**search.params(), "categorical_features": schema.categorical}
    est = _estimator(base.kind, schema.features, seed, params, PointsScale())
    oof = out_of_fold(Neutralising(est, base.kind, params, values), X, y, folds=search.folds,
                      repeats=search.repeats, seed=seed)
    final = neutral_estimator(base.estimator, base.kind, base.feature_names,
                              base.info["estimator_params"], values)
    # each row's out-of-fold raw score once, as train_flat fits its calibrator
    calibrator = Calibrator(base.model.calibrator_.method_).fit(oof.raw[0], y)
    fitted = CalibratedModel.from_fitted(final, calibrator, scale=PointsScale(),
                                         holdout_kind="out_of_fold", n_holdout=len(y))
    evaluation, summary = _evaluate(fitted, oof, X, y, n_boot, seed)
    data = {**_fingerprint(X, y, search.source if search.source is not None else X),
            "neutralised": dict(values)}
    path, _ = _save(fitted, out, schema, _tiers(oof.pd), evaluation, summary, seed, data)
    return path
