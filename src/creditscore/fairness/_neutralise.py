"""Neutralising proxies: the base model with some inputs held at a constant.

Not a refit: the base model itself is edited so that a neutralised feature
no longer changes any prediction, and the result is written as an ordinary
model directory (no wrapper, nothing a scorer has to know about).

- LightGBM: every split on the feature is fixed to the branch its constant
  (the training median) takes: the threshold becomes +-1e300 and the
  missing-value branch the same side, so every value, missing or not, goes
  that way. The booster stays LightGBM model text.
- Scorecard: every bin of the feature gets the WoE of the constant's bin, so
  its points are the same for everyone.

The calibration is then refitted on the base model's own out-of-time slice
(unweighted, true labels), so the PDs mean the observed rate again.
"""

from __future__ import annotations

import numpy as np

__all__ = ["neutralised_model", "neutralise_booster", "neutral_estimator"]

_FAR = 1e300


def neutralise_booster(text: str, feature_names, values: dict) -> str:
    """LightGBM model text with each feature in ``values`` fixed at its value."""
    index = {i: float(values[n]) for i, n in enumerate(feature_names) if n in values}
    # the block sizes change; LightGBM parses the model text without them
    lines = [ln for ln in text.split("\n") if not ln.startswith("tree_sizes=")]
    at: dict[str, int] = {}
    for i, line in enumerate(lines):
        key = line.partition("=")[0]
        if key == "Tree":
            at = {}
        if key in ("split_feature", "threshold", "decision_type"):
            at[key] = i
        if len(at) == 3:
            _fix_tree(lines, at, index)
            at = {}
    return "\n".join(lines)


def _fix_tree(lines: list[str], at: dict, index: dict) -> None:
    """Rewrite one tree's threshold and decision_type lines in place."""
    feats, thr, dts = (lines[at[k]].partition("=")[2].split(" ")
                       for k in ("split_feature", "threshold", "decision_type"))
    for j, (f, t, d) in enumerate(zip(feats, thr, dts, strict=True)):
        d = int(d)
        if int(f) not in index or d & 1:  # categorical splits are never made by MonotoneLGBM
            continue
        value = index[int(f)]
        left = bool(d & 2) if np.isnan(value) else value <= float(t)
        thr[j], dts[j] = repr(_FAR if left else -_FAR), str(d | 2 if left else d & ~2)
    lines[at["threshold"]] = "threshold=" + " ".join(thr)
    lines[at["decision_type"]] = "decision_type=" + " ".join(dts)


def neutral_estimator(est, kind: str, names, params: dict, values: dict):
    """A fitted MonotoneLGBM or WoEScorecard with ``values`` held constant."""
    from ..models import MonotoneLGBM, WoEScorecard
    from ..models._woe import bin_index

    if kind == "lgbm":
        text = neutralise_booster(est.model_text(), list(names), values)
        params = {k: v for k, v in params.items() if k != "features"}
        return MonotoneLGBM.from_model_text(text, list(names), est.monotone_constraints_,
                                            **params)
    state = est.to_state()
    for name, value in values.items():
        if name in state["bins"]:
            bins = dict(state["bins"][name])
            k = int(bin_index(bins, np.array([value], dtype=float))[0])
            bins["woe"] = [bins["woe"][k]] * len(bins["woe"])
            state["bins"][name] = bins
    return WoEScorecard.from_state(state)


def _neutral_estimator(model, values: dict):
    """The base model's estimator with ``values`` held constant."""
    return neutral_estimator(model.estimator, model.kind, model.feature_names,
                             model.info["estimator_params"], values)


def neutralised_model(model, rows, values: dict, out, *, n_boot: int = 200):
    """Write the base model with ``values`` held constant as a model directory.

    Parameters
    ----------
    model : LoadedModel
        The base model.
    rows : DataFrame
        Its training rows (known label, ``as_of <= train_until``): the
        out-of-time slice among them recalibrates, the rest are the PSI's
        reference, as ``train_model`` does.
    values : dict
        feature -> constant.
    out : path

    Returns
    -------
    Path
    """
    from ..models import Calibrator, holdout_mask, save_model
    from ..models._calibration import CalibratedModel
    from ..models._inputs import fingerprint
    from ..models._train import _evaluate, development_record

    target, names, seed = model.target, list(model.feature_names), model.info.get("seed") or 0
    est = _neutral_estimator(model, values)
    X, y = rows[names], rows[target].astype(int).to_numpy()
    as_of = rows["as_of"].to_numpy()
    mask, kind = holdout_mask(as_of, y, random_state=seed)
    raw = est.predict_proba(X.iloc[np.flatnonzero(mask)])[:, 1]
    calibrator = Calibrator(model.model.calibrator_.method_).fit(raw, y[mask])
    fitted = CalibratedModel.from_fitted(est, calibrator, scale=model.scale, holdout_kind=kind,
                                         n_holdout=int(mask.sum()))
    evaluation = _evaluate(fitted, X, y, as_of, mask, seed, n_boot)
    data = {**fingerprint(rows, names, target), "neutralised": dict(values)}
    samples, reference = development_record(fitted, rows, names, target, mask)
    return save_model(fitted, out, target=target, features=model.features,
                      train_until=model.info.get("train_until"), seed=seed, data=data,
                      evaluation=evaluation, tiers=model.tiers,
                      catalogue_version=model.info.get("catalogue_version"),
                      samples=samples, reference=reference)
