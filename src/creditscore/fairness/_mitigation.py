"""Mitigation: search less discriminatory alternatives when the gate fails.

``mitigate`` splits the labelled rows by subject into a training part and an
evaluation part, fits an unmitigated baseline on the same footing as the
alternatives, names its proxies, and then tries:

- ``drop_proxies``: retrain without the named proxies;
- ``neutralise_proxies``: the baseline with each named proxy held at its
  training median when predicting (no retraining);
- ``reweigh``: Kamiran & Calders sample weights, so that every
  (group, label) cell weighs as if group and label were independent;
- ``reweigh_drop_proxies``: both;
- ``grid_dp`` / ``grid_eo``: every member of fairlearn's ``GridSearch`` grid
  under ``DemographicParity`` / ``EqualizedOdds`` over LightGBM. Each member
  is a deterministic classifier that needs only X to predict (the sensitive
  feature is used in ``fit`` alone); we do not use GridSearch's own pick, as
  every member is a point of the frontier.

Every candidate is Platt-calibrated on held-out training rows and then
audited on the evaluation rows under the same policy as any model: only
those whose audit passes are offered. The frontier frame sets accuracy
(AUC) against disparity (worst flag-rate ratio, worst FPR difference).
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd

from .._errors import InputError
from ._audit import flag_decision
from ._candidates import CandidateModel, fit_lgbm, reweigh
from ._gate import AuditResult, _load_model, _read_table, run_audit
from ._groups import sensitive_frame
from ._mitigation_result import Candidate, MitigationResult
from ._policy import load_policy

__all__ = ["mitigate", "MitigationResult", "Candidate", "DEFAULT_CANDIDATES"]

DEFAULT_CANDIDATES = ("drop_proxies", "neutralise_proxies", "reweigh", "reweigh_drop_proxies",
                      "grid_dp", "grid_eo")
MSG_NO_TARGET = "mitigate: give target= or a base_model (whose target is used)"
MSG_UNKNOWN = "mitigate: unknown candidate {name!r}; expected some of {expected}"
MSG_TOO_FEW = "mitigate: {what} holds {n} labelled rows; need at least 200 to train and audit"
_ID_COLUMNS = {"subject_id", "as_of", "default_12m", "breach_12m"}


def mitigate(features, protected, *, target=None, base_model=None, policy=None,
             candidates=DEFAULT_CANDIDATES, attributes=None, eval_fraction: float = 0.3,
             params=None, grid_size: int = 7, random_state: int = 0) -> MitigationResult:
    """Search less discriminatory alternatives; audit each one under the policy.

    Parameters
    ----------
    features : DataFrame or path
        Feature rows with labels (``subject_id``, ``as_of``, features, target).
    protected : DataFrame or path
        The protected table; used for training weights and GridSearch's
        constraint, and for the audits, never as a model input.
    target : str, default=None
        Label column; default the base model's target.
    base_model : path or LoadedModel, default=None
        The model that failed: its features, its tier bands (the operating
        decision) and its own audit on the evaluation rows ("original").
    policy : Policy, path or dict, default=None
    candidates : sequence of str, default=DEFAULT_CANDIDATES
    attributes : list of str, default=None
        Attributes to mitigate for; default those of the failing gate checks.
    eval_fraction : float, default=0.3
        Share of subjects held out for the audits.
    params : dict, default=None
        LightGBM parameters over ``LGBM_DEFAULTS``.
    grid_size : int, default=7
    random_state : int, default=0

    Returns
    -------
    MitigationResult
    """
    policy = load_policy(policy)
    unknown = sorted(set(candidates) - set(DEFAULT_CANDIDATES))
    if unknown:
        raise InputError(MSG_UNKNOWN.format(name=unknown[0], expected=list(DEFAULT_CANDIDATES)))
    frame, _ = _read_table(features, "features")
    prot, _ = _read_table(protected, "protected")
    base = _load_model(base_model)[0] if base_model is not None else None
    target = target or getattr(base, "target", None)
    if target is None:
        raise InputError(MSG_NO_TARGET)
    names = list(base.feature_names) if base is not None else [
        c for c in frame.columns if c not in _ID_COLUMNS | {target}
        and pd.api.types.is_numeric_dtype(frame[c])]
    train, calib, evaluation = _split(frame.reset_index(drop=True), target, eval_fraction,
                                      random_state)
    ctx = _Context(train, calib, evaluation, prot, policy, target, names,
                   getattr(base, "tier", None), params, random_state)
    out = []
    if base is not None:
        out.append(ctx.judge("original", "original", base, proxies=True))
    baseline = ctx.candidate("baseline", names)
    out.append(ctx.judge("baseline", "baseline", baseline, proxies=True))
    proxy_source = out[0].audit.proxies if base is not None else out[-1].audit.proxies
    proxies = [p for p in proxy_source.names if p in names] if proxy_source is not None else []
    attrs = list(attributes) if attributes else _failing_attributes(out[0].audit, policy)
    out += _alternatives(ctx, candidates, baseline, proxies, attrs, grid_size)
    return MitigationResult(out, proxies, attrs)


def _split(frame, target, eval_fraction, random_state):
    labelled = frame[frame[target].notna()]
    subjects = np.unique(labelled["subject_id"].astype(str))
    rng = np.random.default_rng(random_state)
    subjects = subjects[rng.permutation(len(subjects))]
    n_eval = int(round(eval_fraction * len(subjects)))
    n_cal = int(round(0.25 * (len(subjects) - n_eval)))
    sid = frame["subject_id"].astype(str)
    evaluation = frame[sid.isin(set(subjects[:n_eval]))].reset_index(drop=True)
    calib = labelled[labelled["subject_id"].astype(str).isin(
        set(subjects[n_eval:n_eval + n_cal]))].reset_index(drop=True)
    train = labelled[labelled["subject_id"].astype(str).isin(
        set(subjects[n_eval + n_cal:]))].reset_index(drop=True)
    for what, part in (("the training part", train), ("the evaluation part", evaluation)):
        if part[target].notna().sum() < 200:
            raise InputError(MSG_TOO_FEW.format(what=what, n=int(part[target].notna().sum())))
    return train, calib, evaluation


def _failing_attributes(audit: AuditResult, policy) -> list[str]:
    checks = audit.checks
    bad = checks.loc[(checks["status"] == "fail") & checks["gate"].astype(bool)]
    if bad.empty:
        ratios = checks[checks["metric"] == "flag_rate_ratio"].dropna(subset=["value"])
        bad = ratios.nsmallest(1, "value")
    attrs = [a for attr in bad["attribute"] for a in attr.split(" x ")]
    return list(dict.fromkeys(attrs)) or [policy.attributes[0]]


class _Context:
    """Shared data and settings of one mitigation search."""

    def __init__(self, train, calib, evaluation, prot, policy, target, names, tier_fn, params,
                 random_state):
        self.train, self.calib, self.eval, self.prot = train, calib, evaluation, prot
        self.policy, self.target, self.names = policy, target, names
        self.tier_fn, self.params, self.seed = tier_fn, params, random_state

    def groups(self, attrs) -> pd.Series:
        policy = dataclasses.replace(self.policy, attributes=tuple(attrs),
                                     missing_attributes="error")
        sens, _ = sensitive_frame(self.train, self.prot, policy)
        return sens[list(attrs)].astype(str).agg(" & ".join, axis=1)

    def finish(self, name, estimator, features, recipe, neutralise=None) -> CandidateModel:
        model = CandidateModel(estimator, features, self.target, name, tier_fn=self.tier_fn,
                               neutralise=neutralise, recipe=recipe)
        return model.calibrate(self.calib, self.calib[self.target])

    def candidate(self, name, features, weights=None, recipe=None) -> CandidateModel:
        est = fit_lgbm(self.train[features], self.train[self.target], weights, self.params,
                       self.seed)
        return self.finish(name, est, features, {"drop_features": sorted(
            set(self.names) - set(features)), **(recipe or {})})

    def judge(self, name, method, model, proxies=False) -> Candidate:
        from sklearn.metrics import roc_auc_score

        audit = run_audit(model, self.eval, self.prot, policy=self.policy, proxies=proxies,
                          random_state=self.seed)
        pd_ = np.asarray(model.predict_pd(self.eval), dtype=float)
        flags = flag_decision(pd_, model.tier(pd_) if self.policy.flag_tiers else None,
                              self.policy)
        known = self.eval[self.target].notna().to_numpy()
        y = self.eval.loc[known, self.target].astype(int).to_numpy()
        auc = float(roc_auc_score(y, pd_[known])) if len(np.unique(y)) == 2 else np.nan
        return Candidate(name, method, model, audit, auc, float(np.mean(flags)))


def _alternatives(ctx, candidates, baseline, proxies, attrs, grid_size) -> list[Candidate]:
    out = []
    kept = [f for f in ctx.names if f not in proxies]
    if proxies and kept and "drop_proxies" in candidates:
        out.append(ctx.judge("drop_proxies", "drop", ctx.candidate("drop_proxies", kept)))
    if proxies and "neutralise_proxies" in candidates:
        medians = {f: float(ctx.train[f].median()) for f in proxies}
        model = ctx.finish("neutralise_proxies", baseline.estimator, ctx.names,
                           {"neutralise": medians}, neutralise=medians)
        out.append(ctx.judge("neutralise_proxies", "neutralise", model))
    groups = ctx.groups(attrs)
    weights = reweigh(groups, ctx.train[ctx.target])
    recipe = {"sample_weight": "reweigh", "attributes": attrs}
    if "reweigh" in candidates:
        out.append(ctx.judge("reweigh", "reweigh", ctx.candidate("reweigh", ctx.names, weights,
                                                                 recipe)))
    if proxies and kept and "reweigh_drop_proxies" in candidates:
        model = ctx.candidate("reweigh_drop_proxies", kept, weights, recipe)
        out.append(ctx.judge("reweigh_drop_proxies", "reweigh+drop", model))
    for key, moment in (("grid_dp", "DemographicParity"), ("grid_eo", "EqualizedOdds")):
        if key in candidates:
            out += _grid(ctx, key, moment, groups, attrs, grid_size)
    return out


def _grid(ctx, key, moment, groups, attrs, grid_size) -> list[Candidate]:
    from fairlearn import reductions
    from lightgbm import LGBMClassifier

    from ._candidates import LGBM_DEFAULTS

    est = LGBMClassifier(**{**LGBM_DEFAULTS, "random_state": ctx.seed, **(ctx.params or {})})
    search = reductions.GridSearch(est, constraints=getattr(reductions, moment)(),
                                   grid_size=grid_size)
    x = ctx.train[ctx.names]
    with warnings.catch_warnings():
        # fairlearn 0.15's moments use a pandas idiom pandas 3 deprecates; not ours to fix
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"fairlearn\.")
        search.fit(x, ctx.train[ctx.target].astype(int).to_numpy(),
                   sensitive_features=groups.to_numpy())
    out = []
    for i, member in enumerate(search.predictors_):
        name = f"{key}[{i}]"
        lam = search.lambda_vecs_.iloc[:, i].round(4).to_dict()
        recipe = {"gridsearch": moment, "attributes": attrs, "lambda": {str(k): v for k, v in
                                                                        lam.items()}}
        model = ctx.finish(name, member, ctx.names, recipe)
        out.append(ctx.judge(name, key, model))
    return out
