"""The fairness audit: outcomes of a scored population, group by group.

Built from what the model decided (PD and flag) and what happened (the
label), with the protected attributes passed as ``sensitive_features``; it
never sees model inputs. Point estimates come from fairlearn's
``MetricFrame``; intervals from a vectorised subject-level bootstrap.

Which rows count: the flag rate uses every scored row (the decision falls on
all of them, known outcome or not); the false-positive and false-negative
rates, calibration and AUC use only rows whose label is known.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._errors import InputError
from . import _checks
from ._bootstrap import bootstrap
from ._groups import groupings, resolve_attributes
from ._groupstats import availability, group_rows, metric_frame
from ._policy import load_policy

__all__ = ["FairnessAudit", "flag_decision", "check_seed"]

MSG_LENGTH = "{name} has {got} rows but the scores have {expected}; pass one value per scored row"
MSG_SEED = "seed is {got!r}; the audit's seed must be a whole number >= 0 (e.g. --seed 0)"
MSG_NO_DECISION = (
    "the policy's decision is flag_tiers {tiers} but no tiers were given; pass the model's tiers "
    "(or booleans) as flagged"
)
MSG_NOTHING_EVALUATED = (
    "no gate check could be evaluated (every group suppressed or alone in its attribute); "
    "audit a larger population"
)


def check_seed(random_state) -> int:
    """The audit's seed as an int >= 0 (numpy's seed sequences take no negative seed)."""
    if isinstance(random_state, (bool, np.bool_)) or not isinstance(
            random_state, (int, np.integer)) or random_state < 0:
        raise InputError(MSG_SEED.format(got=random_state))
    return int(random_state)


def flag_decision(pd_, flagged, policy) -> np.ndarray:
    """Who is flagged: booleans as given, tiers in ``policy.flag_tiers``, or PD >= cutoff."""
    if flagged is None:
        if policy.pd_cutoff is None:
            raise InputError(MSG_NO_DECISION.format(tiers=list(policy.flag_tiers)))
        return np.asarray(pd_, dtype=float) >= policy.pd_cutoff
    arr = np.asarray(flagged)
    if arr.dtype == bool:
        return arr
    if policy.flag_tiers is None:
        return np.asarray(pd_, dtype=float) >= policy.pd_cutoff
    return np.isin(arr.astype(str), policy.flag_tiers)


def _label_array(y) -> np.ndarray:
    s = pd.Series(y).reset_index(drop=True)
    return pd.to_numeric(s, errors="coerce").astype("Float64").to_numpy(dtype=float,
                                                                          na_value=np.nan)


class FairnessAudit(_checks.CheckTable):
    """Group outcomes of one scored population, with intervals and checks.

    ``checks`` has one row per (attribute, metric, compared group); ``failed`` the gate
    checks that failed.

    Parameters
    ----------
    y_true : array-like of {0, 1, missing}
        The observed label; missing where unknown (those rows count for flag
        rates only).
    y_pd : array-like of float
        Calibrated probability of default.
    flagged : array-like of bool or of tier names, default=None
        The operating decision: booleans, or tiers (flagged when in the
        policy's ``flag_tiers``). None with a ``pd_cutoff`` policy.
    sensitive_features : DataFrame
        One row per score: the protected attributes (``age_band``, or
        ``birth_year`` with ``as_of``). Never the model's inputs.
    subject_ids : array-like, default=None
        Pseudonyms; rows of one subject are resampled together and group
        sizes count subjects. Default: every row its own subject.
    as_of : date or array-like, default=None
        Observation date(s), to band ages from ``birth_year``.
    policy : Policy, path or dict, default=None
        The gate policy (the shipped default when None).
    random_state : int, default=0
        Seed of the bootstrap.

    Examples
    --------
    >>> audit = FairnessAudit(y, pd_, tiers, sensitive_features=prot)  # doctest: +SKIP
    >>> audit.passed, audit.checks.query("status == 'fail'")  # doctest: +SKIP
    """

    def __init__(self, y_true, y_pd, flagged=None, *, sensitive_features, subject_ids=None,
                 as_of=None, policy=None, random_state=0):
        self._policy = load_policy(policy)
        self._seed = check_seed(random_state)
        pd_ = np.asarray(y_pd, dtype=float)
        n = len(pd_)
        y = _label_array(y_true)
        flag = flag_decision(pd_, flagged, self._policy)
        subjects = (np.arange(n) if subject_ids is None else np.asarray(subject_ids)).astype(str)
        sens = pd.DataFrame(sensitive_features).reset_index(drop=True)
        for name, arr in (("y_true", y), ("flagged", flag), ("subject_ids", subjects),
                          ("sensitive_features", sens)):
            if len(arr) != n:
                raise InputError(MSG_LENGTH.format(name=name, got=len(arr), expected=n))
        sens, self._unavailable = resolve_attributes(sens, as_of, self._policy)
        self._groupings = groupings(sens, subjects, self._policy)
        labelled = ~np.isnan(y)
        point, boot = bootstrap([g.codes for g in self._groupings], subjects, flag, y, labelled,
                                pd_, self._policy.n_boot, random_state)
        self._population = {"n_rows": int(n), "n_subjects": int(len(np.unique(subjects))),
                            "n_labelled": int(labelled.sum())}
        checks, groups = [], []
        for grouping, (psums, _), (bsums, baucs) in zip(self._groupings, point, boot, strict=True):
            rates = metric_frame(grouping, flag, y, labelled, pd_)
            rates["fnr_excess"] = _checks.group_rates(psums[0])["fnr_excess"]
            avail = availability(grouping, subjects, y, labelled, self._policy.min_cell_size)
            brates = {**_checks.group_rates(bsums), "auc": baucs, "_sums": bsums}
            counts = psums[0]
            for spec in self._policy.checks:
                if spec.metric in _checks.SCREEN_METRICS:
                    continue  # judged on the records, not the outcomes (see _records)
                key = _checks.rate_key(spec.metric)
                checks += _checks.family_checks(
                    spec, grouping.attribute, grouping.names, rates, brates, counts, avail[key],
                    self._policy.ci_level, self._policy.adjust)
            groups += group_rows(grouping, rates, brates, counts, avail, subjects,
                                 _checks.z_value(self._policy.ci_level),
                                 outcomes=(pd_, y, labelled))
        self._checks = pd.DataFrame(checks, columns=_CHECK_COLUMNS)
        self._groups = pd.DataFrame(groups)

    # -- read-only views -------------------------------------------------------
    @property
    def seed(self) -> int:
        """The seed of the bootstrap (``random_state``): the same seed gives the same audit."""
        return self._seed

    @property
    def policy(self):
        """The policy the audit ran under."""
        return self._policy

    @property
    def passed(self) -> bool:
        """True unless a gate check failed (inconclusive checks pass, for review).

        An audit in which no gate check could be evaluated at all (every group
        suppressed, or no attribute with two groups) is not a pass: it holds
        no evidence either way.
        """
        c = self._checks.loc[self._checks["gate"].astype(bool)]
        evaluated = (c["status"] != _checks.INSUFFICIENT).any()
        return bool(evaluated) and not bool((c["status"] == _checks.FAIL).any())

    @property
    def reason(self) -> str:
        """One line: why the audit passed or failed."""
        failed = self.failed
        if len(failed):
            first = failed.iloc[0]
            return (f"{len(failed)} gate checks failed, first {first['attribute']}/"
                    f"{first['metric']}/{first['group']} = {first['value']:.3f} "
                    f"(threshold {first['threshold']})")
        if not self.passed:
            return MSG_NOTHING_EVALUATED
        return "no gate check failed"

    @property
    def suppressed(self) -> pd.DataFrame:
        """Groups too small to show: named, never valued."""
        rows = [{"attribute": g.attribute, "group": name,
                 "reason": f"fewer than {self._policy.min_group_size} subjects"}
                for g in self._groupings for name in g.suppressed]
        return pd.DataFrame(rows, columns=["attribute", "group", "reason"])

    @property
    def unavailable_attributes(self) -> list[str]:
        """Protected attributes asked for but absent or entirely unknown in the data."""
        return list(self._unavailable)

    @property
    def population(self) -> dict:
        """Sizes of the audited population (no rates: see ``to_dict``)."""
        return dict(self._population)

    def to_frame(self) -> pd.DataFrame:
        """Per-group metrics with intervals (reported groups only)."""
        return self._groups.copy()

    def to_dict(self) -> dict:
        """JSON-ready: verdict, checks, groups, suppressed groups.

        No population-wide rate is included: beside the reported groups' rates
        it would let a reader subtract their way to a suppressed group's.
        """
        return {
            "passed": self.passed,
            "seed": self._seed,
            "reason": self.reason,
            "checks": _json_rows(self._checks, ci=True),
            "groups": _json_rows(self._groups),
            "suppressed": self.suppressed.to_dict("records"),
            "unavailable_attributes": self.unavailable_attributes,
            "missing": {g.attribute: g.n_missing for g in self._groupings if g.n_missing},
            "population": self.population,
        }

    def to_markdown(self) -> str:
        """A short human summary: verdict, failing and inconclusive checks, suppressed groups."""
        from ._render import audit_markdown

        return audit_markdown(self)

    def __repr__(self) -> str:
        n_fail = len(self.failed)
        return (f"FairnessAudit(passed={self.passed}, checks={len(self._checks)}, "
                f"failed={n_fail}, suppressed={len(self.suppressed)})")


_CHECK_COLUMNS = ["attribute", "metric", "group", "reference", "value", "threshold", "ci_low",
                  "ci_high", "ci_level", "n", "gate", "status", "passed", "exemption"]


def _json_rows(frame: pd.DataFrame, ci: bool = False) -> list[dict]:
    out = []
    for row in frame.to_dict("records"):
        row = {k: (None if isinstance(v, float) and not np.isfinite(v) else v)
               for k, v in row.items()}
        row = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}
        if ci:
            lo, hi = row.pop("ci_low"), row.pop("ci_high")
            row["ci"] = None if lo is None else [lo, hi]
        out.append(row)
    return out
