"""Mitigation: when the gate fails, search less discriminatory alternatives.

``mitigate`` is what ``creditscore mitigate`` runs. It audits the failing
model on the audit rows (by default the rows after its ``train_until``: out
of time), and, when the gate fails, trains candidates the way ``train`` does
(same kind, parameters, seed, points scale, tiers and ``train_until``):

- ``drop_proxies``: without the features the audit names as proxies of the
  failing attributes;
- ``neutralise_proxies``: the model itself with those proxies held at their
  training median (see ``_neutralise``; not refitted);
- ``drop_<family>``: without a whole record family the model uses (public
  records, late contributions, late instalments);
- ``reweigh`` and ``reweigh_drop_proxies``: Kamiran & Calders weights;
- ``expgrad_dp``, ``expgrad_eo``, ``gridsearch_dp``: fairlearn reductions
  reduced to one deterministic refit (see ``_candidates``);
- ``flag_rate_constraint``: the events of the most flagged groups down-weighted
  with the smallest strength whose flag-rate ratio on the training rows' own
  out-of-time slice reaches the policy's threshold (training time only);
- ``stacked``: on the most accurate family drop that left only outcome checks
  failing, one more change at a time (see ``_stacking``).

Every candidate is a model directory under ``OUT/candidates/NAME`` audited by
``audit_model`` under the same policy on the same rows (report files in
``OUT/reports/NAME``, verdict in its own ``audit/``). The chosen candidate is
the most accurate one (out-of-time AUC) that passes and flags somebody but not
everybody. The protected table weighs training rows and groups audits; it is
never a model input, and no decision is made per group.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from .._errors import InputError
from ._candidates import REDUCTIONS, Recipe, family_recipes, reduction_weights, reweigh
from ._flag_constraint import flag_recipe, flags, holdout_ratio
from ._gate import AuditResult, _log_audit, _read_table, run_audit
from ._groups import sensitive_frame
from ._mitigation_result import CandidateResult, MitigationResult, clear_outputs
from ._policy import load_policy
from ._verdict import record_verdict

__all__ = ["mitigate", "DEFAULT_CANDIDATES"]

DEFAULT_CANDIDATES = ("drop_proxies", "neutralise_proxies", "drop_families", "reweigh",
                      "reweigh_drop_proxies", "expgrad_dp", "expgrad_eo", "gridsearch_dp",
                      "flag_rate_constraint", "stacked")
MSG_UNKNOWN = "mitigate: unknown candidate {name!r}; expected some of {expected}"
MSG_ATTRIBUTE = ("mitigate: attribute {name!r} is not audited by the policy "
                 "(expected one of {expected})")
MSG_NO_AUDIT_ROWS = ("{path}: no rows to audit on: give audit rows, or rows after the model's "
                     "train_until {until}")
MSG_TARGET = "{path}: the model's target {target!r} is not a column of the features"
MSG_TOO_FEW = "{path}: {n} labelled training rows for {target}; need at least 200"


def mitigate(model_dir, features, protected, out, *, attributes=None, policy=None,
             candidates=DEFAULT_CANDIDATES, audit_rows=None, n_boot: int = 200,
             random_state: int = 0, say=None) -> MitigationResult:
    """Audit a model; if the gate fails, train, audit and compare alternatives.

    Parameters
    ----------
    model_dir : path
        The model directory that failed (or may fail) the gate.
    features : path or DataFrame
        The feature table it was trained on (rows up to its ``train_until``
        train the candidates; by default the later rows are the audit rows).
    protected : path or DataFrame
        The protected table: training weights and audits only.
    out : path
        Written: ``candidates/NAME/``, ``reports/NAME/``, ``frontier.json``,
        ``frontier.csv``, ``frontier.png``, ``mitigation.md`` and ``chosen``.
    attributes : list of str, default=None
        Attributes to mitigate for; default those of the failing gate checks.
    policy : Policy, path or dict, default=None
    candidates : sequence of str, default=DEFAULT_CANDIDATES
    audit_rows : path or DataFrame, default=None
        The rows to audit every model on (default: the features after the
        model's ``train_until``; every row when it has none).
    n_boot : int, default=200
        Bootstrap replicates of each candidate's AUC interval.
    random_state : int, default=0
    say : callable, default=None
        Progress messages (one line each).

    Returns
    -------
    MitigationResult
    """
    unknown = sorted(set(candidates) - set(DEFAULT_CANDIDATES))
    if unknown:
        raise InputError(MSG_UNKNOWN.format(name=unknown[0], expected=", ".join(
            DEFAULT_CANDIDATES)))
    policy = load_policy(policy)
    for a in attributes or ():
        if a not in policy.attributes:
            raise InputError(MSG_ATTRIBUTE.format(name=a, expected=", ".join(policy.attributes)))
    search = _Search(model_dir, features, protected, Path(out), policy, audit_rows, n_boot,
                     random_state, say or (lambda _m: None))
    return search.search(candidates, attributes)


class _Search:
    """The data, model and settings one mitigation search shares."""

    def search(self, candidates, attributes) -> MitigationResult:
        """Audit the model; if it fails, run every recipe (the outputs of a previous run
        into the same directory are removed first: nothing stale is left)."""
        clear_outputs(self.out)
        original = self.audit_original()
        if original.passed:
            self.say("the model passes the gate already: no change is needed")
            return self.result(original, [], [], [])
        attrs = self.attributes(original, attributes)
        proxies = self.proxies(original, attrs)
        found = [self.run(recipe) for recipe in self.recipes(list(candidates), attrs, proxies)]
        if "stacked" in candidates:
            from ._stacking import stacked_recipes

            found += [self.run(r) for r in list(stacked_recipes(self, found, candidates, attrs))]
        return self.result(original, found, attrs, proxies)

    def __init__(self, model_dir, features, protected, out, policy, audit_rows, n_boot,
                 seed, say):
        from ..models import load_model
        from ..models._inputs import read_feature_table

        self.base, self.model_dir = load_model(model_dir), Path(model_dir)
        self.source = features if isinstance(features, pd.DataFrame) else Path(features)
        self.where = "features" if isinstance(features, pd.DataFrame) else str(features)
        self.frame = read_feature_table(features)
        self.prot, self.prot_source = _read_table(protected, "protected")[0], protected
        self.policy, self.out, self.n_boot, self.seed, self.say = policy, out, n_boot, seed, say
        self.target = self.base.target
        if self.target not in self.frame.columns:
            raise InputError(MSG_TARGET.format(path=self.where, target=self.target))
        self._split(audit_rows)

    def _split(self, audit_rows) -> None:
        until = self.base.info.get("train_until")
        as_of = self.frame["as_of"]
        before = (as_of <= pd.Timestamp(until)) if until else pd.Series(True, index=as_of.index)
        known = self.frame[self.target].notna()
        self.train_mask = (before & known).to_numpy()
        if self.train_mask.sum() < 200:
            raise InputError(MSG_TOO_FEW.format(path=self.where, n=int(self.train_mask.sum()),
                                                target=self.target))
        self.train_rows = self.frame[self.train_mask].reset_index(drop=True)
        if audit_rows is not None:
            from ..models._inputs import read_feature_table

            self.audit_rows, self.audit_kind = read_feature_table(audit_rows), "given"
        elif until and (~before).any():
            self.audit_rows, self.audit_kind = self.frame[~before.to_numpy()], "out_of_time"
        else:
            self.audit_rows, self.audit_kind = self.frame, "all rows (in sample)"
        self.audit_rows = self.audit_rows.reset_index(drop=True)
        if not len(self.audit_rows):
            raise InputError(MSG_NO_AUDIT_ROWS.format(path=self.where, until=until))

    # -- the original --------------------------------------------------------------
    def audit_original(self) -> CandidateResult:
        self.say(f"audit the model {self.model_dir} on {len(self.audit_rows):,} rows "
                 f"({self.audit_kind})")
        result = run_audit(self.base, self.audit_rows, self.prot, policy=self.policy,
                           proxies=True, random_state=self.seed)
        report_dir = self.out / "reports" / "original"
        result.write(report_dir)
        recipe = Recipe("original", "original", "the model as it is")
        return self._judged(recipe, self.base, self.model_dir, report_dir, result)

    def attributes(self, original, given) -> list[str]:
        if given:
            return list(dict.fromkeys(given))
        # the attributes whose own checks failed; an intersection's parts only when
        # no single attribute failed
        failed = [str(a) for a in original.audit.failed["attribute"]]
        single = [a for a in failed if a in self.policy.attributes]
        attrs = single or [a for attr in failed for a in attr.split(" x ")
                           if a in self.policy.attributes]
        return list(dict.fromkeys(attrs)) or [self.policy.attributes[0]]

    def proxies(self, original, attrs) -> list[str]:
        report = original.audit.proxies
        if report is None or report.named.empty:
            return []
        named = report.named
        named = named[named["attribute"].isin(attrs)]
        return [f for f in dict.fromkeys(named["feature"]) if f in self.base.feature_names]

    # -- the candidates ------------------------------------------------------------
    def groups(self, attrs) -> tuple[pd.Series, pd.DataFrame]:
        import dataclasses

        policy = dataclasses.replace(self.policy, attributes=tuple(attrs),
                                     missing_attributes="error")
        sens, _ = sensitive_frame(self.train_rows, self.prot, policy)
        return sens[list(attrs)].astype(str).agg(" & ".join, axis=1), sens

    def recipes(self, wanted, attrs, proxies):
        """Yield each recipe in a fixed order (weights computed when reached)."""
        names = self.base.feature_names
        kept = [f for f in names if f not in proxies]
        listed = ", ".join(proxies[:6]) + (" ..." if len(proxies) > 6 else "")
        if "drop_proxies" in wanted and proxies and kept:
            yield Recipe("drop_proxies", "drop", f"without the proxies {listed}", tuple(proxies))
        if "neutralise_proxies" in wanted and proxies:
            values = {f: float(self.train_rows[f].median()) for f in proxies}
            values = {f: (v if np.isfinite(v) else float("nan")) for f, v in values.items()}
            yield Recipe("neutralise_proxies", "neutralise",
                         f"the proxies {listed} held at their training median",
                         neutralise=values)
        if "drop_families" in wanted:
            yield from family_recipes(names, proxies, self.first_audit)
        groups, sens = self.groups(attrs)
        y = self.train_rows[self.target].astype(int).to_numpy()
        detail = {"attributes": attrs}
        if "reweigh" in wanted:
            yield Recipe("reweigh", "reweigh", f"reweighed by {' x '.join(attrs)} and outcome",
                         weights=reweigh(groups, y), detail=detail)
        if "reweigh_drop_proxies" in wanted and proxies and kept:
            yield Recipe("reweigh_drop_proxies", "reweigh", f"reweighed, and without {listed}",
                         tuple(proxies), weights=reweigh(groups, y), detail=detail)
        for key, kind, moment in REDUCTIONS:
            if key in wanted:
                self.say(f"search {key} (fairlearn {kind}, {moment}) on the training rows")
                w, more = reduction_weights(self.train_rows[names], y, groups, kind=kind,
                                            moment=moment, random_state=self.seed)
                yield Recipe(key, "reduction", f"refitted with the weights of fairlearn's "
                             f"{kind} under {moment.upper()} by {' x '.join(attrs)}",
                             weights=w, detail={**detail, **more})
        if "flag_rate_constraint" in wanted:
            yield flag_recipe(self, attrs, sens, y)

    def constraint_ratio(self, attrs, sens, y):
        """How the flag-rate constraint measures a strength (see ``_flag_constraint``)."""
        return holdout_ratio(self, attrs, sens, y)

    def model_seed(self) -> int:
        return int(self.base.info.get("seed") or 0)

    def train_recipe(self, recipe: Recipe, out, n_boot=None):
        from ..models import train_model

        n_boot = self.n_boot if n_boot is None else n_boot
        if recipe.neutralise:
            from ._neutralise import neutralised_model

            return neutralised_model(self.base, self.train_rows, recipe.neutralise, out,
                                     n_boot=n_boot)
        weights = None
        if recipe.weights is not None:
            weights = np.ones(len(self.frame))
            weights[self.train_mask] = recipe.weights
        params = {k: v for k, v in self.base.info["estimator_params"].items() if k != "features"}
        defs = tuple(f for f in self.base.features if f.name not in set(recipe.drop))
        return train_model(self.source, self.target, self.base.kind, out,
                           train_until=self.base.info.get("train_until"), seed=self.model_seed(),
                           params=params, features=defs, scale=self.base.scale,
                           tiers=self.base.tiers, n_boot=n_boot, sample_weight=weights)

    def run(self, recipe: Recipe) -> CandidateResult:
        from ..models import load_model

        model_dir = self.out / "candidates" / recipe.name
        report_dir = self.out / "reports" / recipe.name
        self.say(f"candidate {recipe.name}: {recipe.changed}")
        self.train_recipe(recipe, model_dir)
        model = load_model(model_dir)
        return self._judged(recipe, model, model_dir, report_dir,
                            self.audit_candidate(model, model_dir, report_dir))

    def audit_candidate(self, model, model_dir, report_dir) -> AuditResult:
        """``audit_model`` of a candidate (report files, verdict, audit log) with the original's
        record screen: it depends on the rows, not on the model (which families a model uses
        is re-read from its features)."""
        found = run_audit(model, self.audit_rows, self.prot, policy=self.policy, proxies=False,
                          random_state=self.seed, records=self.first_audit.records or False)
        result = AuditResult(found.audit, model_hash=found.model_hash, target=found.target,
                             model_dir=model_dir, created=found.created, records=found.records,
                             outside=found.outside_population)
        result.write(report_dir)
        record_verdict(model_dir, (report_dir / "audit.json").read_bytes(),
                       model_hash=result.model_hash)
        _log_audit(result, self.source, self.prot_source, report_dir)
        return result

    def _judged(self, recipe, model, model_dir, report_dir, audit) -> CandidateResult:
        from ..models import Evaluation

        if recipe.name == "original":
            self.first_audit = audit
        pd_ = np.asarray(model.predict_pd(self.audit_rows), dtype=float)
        flagged = flags(pd_, model, self.policy)
        known = self.audit_rows[self.target].notna().to_numpy()
        y = self.audit_rows.loc[known, self.target].astype(int).to_numpy()
        auc, ci = np.nan, (np.nan, np.nan)
        if len(np.unique(y)) == 2:
            ev = Evaluation(y, pd_[known], n_boot=self.n_boot, random_state=self.seed)
            auc, ci = ev.value("auc"), ev.ci("auc")
        return CandidateResult(recipe, model_dir, report_dir, audit, float(auc),
                               (float(ci[0]), float(ci[1])), float(np.mean(flagged)))

    def facts(self) -> dict:
        """What frontier.json says of the search."""
        return {"model_dir": str(self.model_dir), "target": self.target,
                "kind": self.base.kind, "train_until": self.base.info.get("train_until"),
                "audit_rows": self.audit_kind, "accuracy": "AUC on the audit rows",
                "n_audit_rows": int(len(self.audit_rows)),
                "n_training_rows": int(self.train_mask.sum()),
                "policy_sha256": self.policy.sha256,
                "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}

    def result(self, original, found, attrs, proxies) -> MitigationResult:
        result = MitigationResult(original, found, attributes=attrs, proxies=proxies,
                                  facts=self.facts())
        result.write(self.out)
        return result
