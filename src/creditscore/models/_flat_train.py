"""Train a scorecard or LightGBM model on a flat table; evaluate it out of fold.

``train_flat`` is what ``creditscore train TABLE --target COL ...`` runs when
TABLE is not a creditscore feature table (see ``is_flat_request``). The
columns are read as they are (``_flat``), the model is evaluated by repeated
stratified K-fold with calibration fitted out of fold (``_oof``), then fitted
on every labelled row; LightGBM's rounds are the median of the folds' early-
stopped rounds, fitted without early stopping on every row (so the rounds are
never chosen on the model's own rows). The calibrator is fitted once on the
out-of-fold raw predictions of the first repeat (each row once), with the
method the evaluated cross-fitted calibrators used. The risk tiers of a flat
model are PD bands at quantiles of the out-of-fold PDs (``TIER_QUANTILES``:
tiers C and D hold the riskiest 30%), because a fixed PD band means nothing on
a population whose base rate is unknown in advance; the bands are written in
``model.json``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._flat import flat_labels, flat_schema, read_flat_table
from ._inputs import TARGETS
from ._tiers import PointsScale, RiskTiers
from ._train import _estimator, model_name

__all__ = ["train_flat", "FlatTrainResult", "is_flat_request", "TIER_QUANTILES",
           "DEFAULT_FOLDS", "DEFAULT_REPEATS"]

DEFAULT_FOLDS, DEFAULT_REPEATS = 5, 2
#: tiers A | B | C | D split at these quantiles of the out-of-fold PD
TIER_QUANTILES = (0.5, 0.7, 0.85)


def is_flat_request(columns, target: str) -> bool:
    """The rule of ``creditscore train``: a table is a creditscore feature table (the
    record-set path) when ``target`` is default_12m or breach_12m and it has the
    columns subject_id and as_of; any other table is flat."""
    return not (target in TARGETS and {"subject_id", "as_of"} <= set(columns))


def train_flat(table, target, model="scorecard", out=None, *, positive=None, id_column=None,
               protected=(), exclude=(), features_yaml=None, folds=DEFAULT_FOLDS,
               repeats=DEFAULT_REPEATS, seed=0, params=None, sample_weight=None,
               n_boot=200) -> FlatTrainResult:
    """Train and evaluate a model of a flat table; write its model directory.

    Parameters
    ----------
    table : path or DataFrame
        CSV or Parquet, one row per person.
    target : str
        The label column; with ``positive``, 1 where it equals that value.
    model : {"scorecard", "lgbm"} (also "lightgbm", "woe")
    out : path, optional
        The model directory (replaced whole); None writes nothing.
    positive : str, optional
    id_column : str, optional
    protected : sequence of str
        Kept for the audit, never model input.
    exclude : sequence of str
        Columns left out of the model.
    features_yaml : path, optional
        Column directions, descriptions and types.
    folds, repeats : int
        Repeated stratified K-fold (seeded by ``seed``).
    params : dict, optional
        Estimator parameters.
    sample_weight : array-like, optional
        One weight per row of ``table`` (rows with an unknown target are
        ignored); every fit, in and out of fold, is weighted.
    n_boot : int, default=200
    """
    where = "table" if hasattr(table, "columns") else str(table)
    frame = read_flat_table(table)
    kind = model_name(model)
    known, y = flat_labels(frame, target, positive, where)
    schema = flat_schema(frame, target, positive=positive, id_column=id_column,
                         protected=protected, exclude=exclude, features_yaml=features_yaml,
                         where=where)
    rows = frame.loc[known].reset_index(drop=True)
    X = schema.encode(rows, where)
    w = None if sample_weight is None else np.asarray(sample_weight, dtype=float)[known]
    scale = PointsScale()
    est = _estimator(kind, schema.features, seed, {**(params or {}),
                     "categorical_features": schema.categorical}, scale)
    fitted, oof = _fit_all(est, X, y, w, folds, repeats, seed)
    tiers = _tiers(oof.pd)
    evaluation, summary = _evaluate(fitted, oof, X, y, n_boot, seed)
    path = digest = None
    if out is not None:
        path, digest = _save(fitted, out, schema, tiers, evaluation, summary, seed,
                             _fingerprint(X, y, table))
    return FlatTrainResult(fitted, evaluation, summary, path, digest, target, kind, len(y),
                           int(y.sum()), schema, tiers)


def _fit_all(est, X, y, w, folds, repeats, seed):
    from ._calibration import CalibratedModel, Calibrator
    from ._oof import out_of_fold

    oof = out_of_fold(est, X, y, folds=folds, repeats=repeats, seed=seed, sample_weight=w)
    final = est
    if oof.best_iterations:  # rounds chosen out of fold; the final fit does not early-stop
        rounds = max(int(np.median(oof.best_iterations)), 1)
        final = est.set_params(num_iterations=rounds, early_stopping_rounds=0)
    final = final.fit(X, y, **({} if w is None else {"sample_weight": w}))
    # one calibrator, on each row's out-of-fold raw score once (the first repeat), with
    # the method the evaluated cross-fitted calibrators used
    calibrator = Calibrator(oof.method).fit(oof.raw[0], y)
    fitted = CalibratedModel.from_fitted(final, calibrator, scale=PointsScale(),
                                         holdout_kind="out_of_fold", n_holdout=len(y))
    return fitted, oof


def _tiers(pd_by_repeat) -> RiskTiers:
    bands = np.quantile(np.asarray(pd_by_repeat).ravel(), TIER_QUANTILES)
    bands = np.round(bands, 6)
    try:
        return RiskTiers(tuple(float(b) for b in bands))
    except ValueError:  # ties (a model with few distinct PDs): the fixed default
        return RiskTiers()


def _evaluate(fitted, oof, X, y, n_boot, seed):
    from ._evaluation import Evaluation
    from ._oof import oof_summary

    first = oof.pd[0]
    evaluation = Evaluation(y, first, score=fitted.scale_.from_pd(first), n_boot=n_boot,
                            random_state=seed)
    summary = {"method": "repeated stratified k-fold; calibration fitted out of fold",
               "folds": oof.folds, "repeats": oof.repeats, "seed": oof.seed,
               "rows": int(len(y)), "events": int(y.sum()),
               **oof_summary(y, oof.pd, n_boot=n_boot, seed=seed)}
    if oof.best_iterations:
        summary["lgbm_rounds"] = {"folds": oof.best_iterations,
                                  "final": int(fitted.estimator_.best_iteration_)}
    return evaluation, summary


def _fingerprint(X, y, source) -> dict:
    import pandas as pd

    h = hashlib.sha256("\0".join(map(str, X.columns)).encode())
    h.update(pd.util.hash_pandas_object(X, index=False).to_numpy().tobytes())
    h.update(np.asarray(y, dtype=np.int8).tobytes())
    out = {"rows": int(len(y)), "events": int(np.sum(y)), "rows_sha256": h.hexdigest()}
    if not hasattr(source, "columns"):
        out["table_file_sha256"] = hashlib.sha256(Path(source).read_bytes()).hexdigest()
    return out


def _save(fitted, out, schema, tiers, evaluation, summary, seed, data):
    from ._modeldir import model_hash, save_model

    path = save_model(fitted, out, target=schema.target, features=schema.features, seed=seed,
                      data=data, evaluation=evaluation, tiers=tiers, flat=schema,
                      extra={"out_of_fold": summary})
    return path, model_hash(path)


@dataclass(frozen=True)
class FlatTrainResult:
    """What ``train_flat`` did: the fitted model, its out-of-fold figures, where it went.

    Attributes
    ----------
    model : CalibratedModel
    evaluation : Evaluation
        Of the first repeat's out-of-fold PDs (metrics.json, figures).
    out_of_fold : dict
        AUC, KS, Brier: mean over repeats, bootstrap interval, per repeat.
    model_dir : Path or None
    model_hash : str or None
    target, kind : str
    n_rows, n_events : int
    schema : FlatSchema
    tiers : RiskTiers
    """

    model: object
    evaluation: object
    out_of_fold: dict
    model_dir: Path | None
    model_hash: str | None
    target: str
    kind: str
    n_rows: int
    n_events: int
    schema: object
    tiers: object

    def value(self, metric: str) -> float:
        """The out-of-fold value of ``metric`` (for example ``'auc'``)."""
        return self.out_of_fold[metric]["value"]

    def to_dict(self) -> dict:
        """The training result as JSON-ready data: model, counts and out-of-fold metrics."""
        return {"model_dir": None if self.model_dir is None else str(self.model_dir),
                "model_hash": self.model_hash, "target": self.target, "kind": self.kind,
                "n_rows": self.n_rows, "n_events": self.n_events,
                "out_of_fold": self.out_of_fold, "schema": self.schema.to_dict(),
                "tiers": self.tiers.to_dict()}

    def to_frame(self):
        """The out-of-fold metrics as a table: metric, value, interval bounds."""
        import pandas as pd

        return pd.DataFrame([{"metric": k, "value": v["value"],
                              "ci_low": (v["ci"] or [np.nan])[0],
                              "ci_high": (v["ci"] or [np.nan, np.nan])[1]}
                             for k, v in self.out_of_fold.items() if isinstance(v, dict)
                             and "value" in v])

    def summary(self) -> str:
        """One line for the command line."""
        o = self.out_of_fold
        parts = [f"{k.upper()} {o[k]['value']:.3f} ({o[k]['ci'][0]:.3f}-{o[k]['ci'][1]:.3f})"
                 for k in ("auc", "ks", "brier") if o[k]["ci"]]
        where = f"; wrote {self.model_dir}" if self.model_dir is not None else ""
        return (f"{self.kind} model of {self.target} on {self.n_rows:,} rows "
                f"({self.n_events:,} events, {len(self.schema.features)} columns); "
                f"out of fold ({o['folds']} folds x {o['repeats']}): {', '.join(parts)}{where}")
