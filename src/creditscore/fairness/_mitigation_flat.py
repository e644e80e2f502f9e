"""Mitigation of a flat-table model: the same search, gate and outputs, out of fold.

``mitigate_flat`` is what ``creditscore mitigate MODEL_DIR TABLE --protected
COL[,COL]`` runs for a model ``train`` fitted on a flat table. The search is
the record-set one (``_mitigation``) with what a flat table has:

- the **rows**: the table, encoded by the model's own schema; the protected
  columns become attributes as ``audit`` makes them (``--bands``,
  ``--split``, the policy's age bands);
- the **candidates**: ``drop_proxies``, ``neutralise_proxies``, ``reweigh``,
  ``reweigh_drop_proxies``, ``expgrad_dp``, ``expgrad_eo``, ``gridsearch_dp``
  and ``flag_rate_constraint`` (no record families in a flat table), each
  trained by ``train_flat`` with the original's schema (its columns, their
  directions, descriptions and types, its protected and id columns), model
  kind, parameters, seed and folds, less what the candidate drops;
- the **accuracy**: each model's out-of-fold AUC (``model.json``), from the
  same seeded folds for every candidate, so the AUCs are comparable;
- the **gate**: each candidate is audited by ``audit_flat_model`` on the
  table, as ``creditscore audit`` audits it, verdict in its own ``audit/``;
- the **flag-rate constraint**: its strength is measured on out-of-fold
  flags (each row flagged by a model that did not see it, tiers from the
  out-of-fold PDs as ``train_flat`` makes them), never on the audited fit.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import numpy as np

from .._errors import InputError
from ._candidates import Recipe
from ._flag_constraint import flags, worst_ratio
from ._flat_audit import FLAT_AS_OF, AnnotatedAuditResult, audit_flat_model, outcome_labels
from ._flat_groups import attribute_frame, flat_policy
from ._gate import run_audit
from ._mitigation import MSG_ATTRIBUTE, MSG_UNKNOWN, _Search
from ._mitigation_result import CandidateResult, MitigationResult

__all__ = ["mitigate_flat", "FLAT_CANDIDATES"]

FLAT_CANDIDATES = ("drop_proxies", "neutralise_proxies", "reweigh", "reweigh_drop_proxies",
                   "expgrad_dp", "expgrad_eo", "gridsearch_dp", "flag_rate_constraint")
MSG_NOT_FLAT = ("{path}: not a flat-table model (mitigate it with its feature table and "
                "--protected FILE)")
ACCURACY = "out-of-fold AUC (the same seeded folds for every model)"


def mitigate_flat(model_dir, table, out, *, protected=None, bands=None, split=None,
                  attributes=None, policy=None, candidates=FLAT_CANDIDATES, n_boot: int = 200,
                  random_state: int = 0, say=None) -> MitigationResult:
    """Audit a flat-table model; if the gate fails, train, audit and compare alternatives.

    Parameters
    ----------
    model_dir : path
        A model directory written by ``train_flat`` (``creditscore train`` on
        a flat table).
    table : path or DataFrame
        The table it was trained on (the candidates are trained and audited
        on it).
    out : path
        Written as by ``mitigate``.
    protected : sequence of str, optional
        Protected columns (default: those named at training).
    bands, split : dict, optional
        As ``audit_flat_model``.
    attributes : list of str, optional
        Attributes to mitigate for (default: those of the failing checks).
    policy : Policy, path or dict, optional
    candidates : sequence of str, default=FLAT_CANDIDATES
    n_boot : int, default=200
    random_state : int, default=0
    say : callable, optional

    Returns
    -------
    MitigationResult
    """
    unknown = sorted(set(candidates) - set(FLAT_CANDIDATES))
    if unknown:
        raise InputError(MSG_UNKNOWN.format(name=unknown[0],
                                            expected=", ".join(FLAT_CANDIDATES)))
    search = _FlatSearch(model_dir, table, Path(out), policy, protected, bands, split, n_boot,
                         random_state, say or (lambda _m: None))
    for a in attributes or ():
        if a not in search.policy.attributes:
            raise InputError(MSG_ATTRIBUTE.format(name=a,
                                                  expected=", ".join(search.policy.attributes)))
    return search.search(candidates, attributes)


class _FlatSearch(_Search):
    """A mitigation search over a flat table (see the module docstring)."""

    def __init__(self, model_dir, table, out, policy, protected, bands, split, n_boot, seed,
                 say):
        from ..models import load_model
        from ..models._flat import read_flat_table

        self.base, self.model_dir = load_model(model_dir), Path(model_dir)
        self.where = "table" if hasattr(table, "columns") else str(table)
        if self.base.flat is None:
            raise InputError(MSG_NOT_FLAT.format(path=model_dir))
        self.schema, self.target = self.base.flat, self.base.target
        self.table = read_flat_table(table).reset_index(drop=True)
        self.source = table if not hasattr(table, "columns") else None
        self.cols = list(protected) if protected else list(self.schema.protected)
        self.bands, self.split, self.given_policy = bands, split, policy
        attrs, self.how = attribute_frame(self.table, self.cols, bands=bands, split=split,
                                          policy=policy, where=self.where)
        self.policy = flat_policy(policy, list(attrs.columns))
        ids = self.schema.row_ids(self.table)
        rows = self.base.encode(self.table, self.where)
        rows["subject_id"], rows["as_of"] = ids, FLAT_AS_OF
        rows[self.target] = outcome_labels(self.table, self.target, self.schema.positive,
                                           self.where)
        self.frame, self.prot, self.prot_source = rows, attrs.assign(subject_id=ids), None
        self.train_mask = rows[self.target].notna().to_numpy()
        self.train_rows = rows[self.train_mask].reset_index(drop=True)
        self.audit_rows, self.audit_kind = rows, "the table (in sample)"
        self.n_boot, self.seed, self.out, self.say = n_boot, seed, out, say
        oof = self.base.info.get("out_of_fold") or {}
        self.folds, self.repeats = int(oof.get("folds", 5)), int(oof.get("repeats", 2))

    # -- audits --------------------------------------------------------------------
    def audit_original(self) -> CandidateResult:
        self.say(f"audit the model {self.model_dir} on {len(self.frame):,} rows of "
                 f"{self.where}")
        found = run_audit(self.base, self.frame, self.prot, policy=self.policy, proxies=True,
                          random_state=self.seed)
        result = AnnotatedAuditResult(found, model_dir=self.model_dir,
                                      extra={"table": {"file": self.where,
                                                       "rows": len(self.table)},
                                             "attributes_from": self.how},
                                      notes=[f"{a}: {h}" for a, h in self.how.items()])
        report_dir = self.out / "reports" / "original"
        result.write(report_dir)
        return self._judged(Recipe("original", "original", "the model as it is"), self.base,
                            self.model_dir, report_dir, result)

    def audit_candidate(self, model, model_dir, report_dir):
        """``creditscore audit`` of the candidate on the table (report, verdict, log)."""
        return audit_flat_model(model_dir, self.table, report_dir, self.given_policy,
                                protected=self.cols, bands=self.bands, split=self.split,
                                proxies=False, random_state=self.seed)

    def _judged(self, recipe, model, model_dir, report_dir, audit) -> CandidateResult:
        if recipe.name == "original":
            self.first_audit = audit
        auc = (model.info.get("out_of_fold") or {}).get("auc") or {}
        ci = auc.get("ci") or (np.nan, np.nan)
        flagged = flags(np.asarray(model.predict_pd(self.frame), dtype=float), model,
                        self.policy)
        return CandidateResult(recipe, model_dir, report_dir, audit,
                               float(auc.get("value", np.nan)), (float(ci[0]), float(ci[1])),
                               float(np.mean(flagged)))

    # -- training ------------------------------------------------------------------
    def recipes(self, wanted, attrs, proxies):
        for recipe in super().recipes(wanted, attrs, proxies):
            if recipe.neutralise:
                # the median of a number; a category's most frequent value (scorecards
                # only: LightGBM's categorical splits are not edited)
                kinds = {f: self._feature(f).kind for f in recipe.neutralise}
                values = {f: _typical(self.train_rows[f], k) for f, k in kinds.items()
                          if k == "numeric" or self.base.kind == "scorecard"}
                if not values:
                    continue
                listed = ", ".join(list(values)[:6]) + (" ..." if len(values) > 6 else "")
                recipe = Recipe(recipe.name, recipe.method,
                                f"the proxies {listed} held at a constant (not refitted)",
                                neutralise=values, detail=recipe.detail)
            yield recipe

    def _feature(self, name):
        return next(f for f in self.schema.features if f.name == name)

    def model_seed(self) -> int:
        return int(self.base.info.get("seed") or 0)

    def params(self) -> dict:
        keep = self.base.info.get("estimator_params") or {}
        return {k: v for k, v in keep.items() if k not in ("features", "categorical_features")}

    def train_recipe(self, recipe, out, n_boot=None):
        from ._neutralise_flat import neutralised_flat_model

        n_boot = self.n_boot if n_boot is None else n_boot
        if recipe.neutralise:
            return neutralised_flat_model(self, recipe.neutralise, out, n_boot=n_boot)
        weights = None
        if recipe.weights is not None:
            weights = np.ones(len(self.table))
            weights[self.train_mask] = recipe.weights
        return self.train_flat(out, drop=recipe.drop, weights=weights, n_boot=n_boot)

    def train_flat(self, out, *, drop=(), weights=None, n_boot=None, repeats=None):
        """``train_flat`` with the original's schema, kind, parameters, seed and folds."""
        import yaml

        from ..models import FlatTableWarning, train_flat

        kept = [f for f in self.schema.features if f.name not in set(drop)]
        roles = {self.target, self.schema.id_column, *self.schema.protected}
        exclude = [c for c in self.table.columns
                   if c not in roles and c not in {f.name for f in kept}]
        spec = {f.name: {"direction": f.direction, "description": f.description,
                         "type": f.kind} for f in kept}
        with tempfile.TemporaryDirectory(prefix="creditscore-mitigate-") as tmp, \
                warnings.catch_warnings():
            warnings.simplefilter("ignore", FlatTableWarning)
            path = Path(tmp) / "features.yaml"
            path.write_text(yaml.safe_dump({"features": [{"column": k, **v}
                                                          for k, v in spec.items()]}))
            return train_flat(self.table, self.target, self.base.kind, out,
                              positive=self.schema.positive, id_column=self.schema.id_column,
                              protected=self.schema.protected, exclude=exclude,
                              features_yaml=path, folds=self.folds,
                              repeats=repeats or self.repeats, seed=self.model_seed(),
                              params=self.params(), sample_weight=weights,
                              n_boot=self.n_boot if n_boot is None else n_boot)

    def constraint_ratio(self, attrs, sens, y):
        """weights -> the worst flag-rate ratio of out-of-fold flags (one repeat of the
        model's folds; tiers from the out-of-fold PDs as ``train_flat`` makes them)."""
        from ..models import PointsScale
        from ..models._flat_train import _tiers
        from ..models._oof import out_of_fold
        from ..models._train import _estimator
        from ._audit import flag_decision

        X = self.train_rows[self.schema.names]
        est = _estimator(self.base.kind, self.schema.features, self.model_seed(),
                         {**self.params(), "categorical_features": self.schema.categorical},
                         PointsScale())
        groups = sens.reset_index(drop=True)

        def ratio(weights) -> float:
            self.say("  fit a flag-rate constraint step out of fold")
            oof = out_of_fold(est, X, y, folds=self.folds, repeats=1, seed=self.model_seed(),
                              sample_weight=np.asarray(weights, dtype=float))
            pd_ = oof.pd[0]
            tiers = _tiers(oof.pd).assign(pd_) if self.policy.flag_tiers else None
            flagged = flag_decision(pd_, tiers, self.policy)
            return worst_ratio(flagged, groups, attrs, self.policy.min_group_size)

        return ratio

    def facts(self) -> dict:
        return {**super().facts(), "table": self.where, "accuracy": ACCURACY,
                "folds": self.folds, "repeats": self.repeats,
                "attributes_from": dict(self.how)}


def _typical(values, kind: str) -> float:
    """The median of a numeric column's known values; a category's most frequent code."""
    known = values.dropna()
    if known.empty:
        return float("nan")
    if kind == "categorical":
        return float(known.value_counts().sort_index().idxmax())
    return float(known.median())
