"""The record-disparity screen: are a group's records uneven for its behaviour?

When a group's records are entered more often for the same behaviour (over-
recording), the labels built from those records are biased the same way, so
error rates and calibration measured against them can look fair. This screen
looks at the records themselves, using only the feature table, the model's
feature names and the protected table (never how the records were made).

Method (``METHOD``): for each record family in the table (``_families``), a
Poisson gradient-boosted model predicts each row's count of that family from
the features of the *other* record sources (contribution and repayment
history, loans; never public records, never a label, never a protected
attribute), cross-fitted over subjects so no row is predicted by a model that
saw it, and repeated over several fold assignments drawn from the audit's seed.
For each group, the ratio is its observed records over those expected for it,
where "expected" is the prediction rescaled to what everyone else with the same
predicted behaviour has (observed over predicted of the rest of the
population): 1 means recorded like everyone else, 3 means three times the
records its other behaviour predicts. The fold assignments' log ratios are
averaged; the interval's variance is their mean cluster-robust variance (the
delta method over subjects, which a subject-level bootstrap with the predictions
held fixed estimates, here without Monte Carlo noise; at least the Poisson
variance ``1/(O + 1/2)`` on each side) plus their variance between fold
assignments (the fitting variance a single cross-fit ignores), on the log scale,
Bonferroni-adjusted over the groups of one attribute and family.
A ratio fails under the gate rule (estimate and whole interval above the
threshold) and fails the *gate* when the model uses the family.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import _checks
from ._families import families_used, predictors, record_families
from ._record_counts import FIT_ROWS, FOLDS, REFERENCE, REPEATS, expected_counts, judge_groups

__all__ = ["RecordScreen", "screen_records", "power_curve", "METHOD", "REFERENCE", "POWER_FILE"]

METHOD = (
    "For each record family in the feature table (public records, each public-record type, late "
    "social insurance contributions, late loan instalments), a Poisson gradient-boosted model "
    "predicts each row's count of that family from the person's other, independently recorded "
    "behaviour (the features of the other record sources: contribution and repayment history "
    "and loans; never public records, never a label, never a protected attribute), cross-fitted "
    "over subjects in {folds} folds (each fold's model learning from at most {fit_rows:,} of the "
    "other folds' rows), {repeats} times over independent fold assignments drawn from the "
    "audit's seed. A group's ratio is its observed records over the records "
    "expected for it, the expectation rescaled to what everyone else with the same predicted "
    "behaviour has: 1 means recorded like everyone else; the estimate is the geometric mean of "
    "the {repeats} fold assignments' ratios. Intervals: log scale; the variance is the mean over "
    "fold assignments of the cluster-robust sampling variance (delta method over subjects, the "
    "limit of a subject-level bootstrap with the predictions held fixed, at least the Poisson "
    "variance) plus the variance of the log ratio between fold assignments (the expected "
    "counts' fitting variance), so that the verdict does not hinge on one fold draw; "
    "Bonferroni over the groups of one attribute and family. A ratio whose "
    "estimate and whole interval lie above {threshold} fails; it fails the gate when the model "
    "uses the family."
)
SKIP_NO_CHECK = "not run: the policy has no record_disparity check"
SKIP_NO_FAMILIES = ("not run: the table has no record family the screen can count (no public "
                    "records, late contributions or late instalments of the feature catalogue)")
SKIP_NO_PREDICTORS = "not screened: fewer than {k} features of other record sources to predict it"
#: the measured power curve, written by benchmarks/bench_gate_power.py --curve
POWER_FILE = Path(__file__).with_name("gate_power.yaml")
MIN_PREDICTORS = 3
#: at most this many rows are screened (whole subjects drawn at random beyond it)
MAX_ROWS = 200_000


class RecordScreen(_checks.CheckTable):
    """The screen's result: one check row per (attribute, group, family), and the rates.

    ``checks``: the rows (``metric == "record_disparity"``, with ``family``); ``failed``:
    the gate checks that failed, an uneven family the model uses. Read-only; built by
    ``screen_records``.
    """

    def __init__(self, checks: pd.DataFrame, table: pd.DataFrame, *, skipped: str | None,
                 families: dict[str, dict], method: str, ci_level: float, gate: bool = True,
                 seed: int = 0):
        self._checks, self._table, self._skipped = checks, table, skipped
        self._families, self._method, self._level = families, method, ci_level
        self._gate, self._seed = gate, seed

    def for_model(self, feature_names) -> RecordScreen:
        """The same screen, gated on the families a model with these features uses."""
        if not len(self._checks):
            return self
        fams = {name: _FamilyRef(name, info) for name, info in self._families.items()}
        used = families_used(feature_names, list(fams.values()))
        families = {k: {**v, "used": bool(used[k])} for k, v in self._families.items()}
        checks = self._checks.copy()
        checks["gate"] = (checks["family"].map(used).astype(bool) & checks["exemption"].isna()
                          & self._gate)
        table = self._table.copy()
        table["used_by_model"] = table["family"].map(used).astype(bool)
        return RecordScreen(checks, table, skipped=self._skipped, families=families,
                            method=self._method, ci_level=self._level, gate=self._gate,
                            seed=self._seed)

    @property
    def seed(self) -> int:
        """The seed of the fold assignments."""
        return self._seed

    @property
    def uneven(self) -> pd.DataFrame:
        """Every family found significantly beyond the threshold (used by the model or not)."""
        c = self._checks
        return c.loc[c["status"] == _checks.FAIL].sort_values("value", ascending=False)

    def families_used_by_model(self) -> set[str]:
        """The screened families the model uses (its features say so)."""
        return {name for name, info in self._families.items() if info.get("used")}

    @property
    def skipped(self) -> str | None:
        """Why the screen did not run (None when it ran)."""
        return self._skipped

    def to_frame(self) -> pd.DataFrame:
        """Per (attribute, group, family): observed and expected rates per row, the ratio."""
        return self._table.copy()

    def to_dict(self) -> dict:
        """The ``record_screen`` object of audit.json."""
        from ._audit import _json_rows

        return {"method": self._method, "seed": self._seed, "skipped": self._skipped,
                "families": self._families,
                "table": _json_rows(self._table), "sentences": self.sentences()}

    def sentences(self, limit: int | None = None) -> list[str]:
        """Plain words for each uneven family, worst first (``limit``: at most that many)."""
        rows = self.uneven if limit is None else self.uneven.head(limit)
        pct = f"{self._level:.0%}"
        out = []
        for r in rows.to_dict("records"):
            fam = self._families.get(r["family"], {})
            uses = ("the model uses them" if r["gate"] else
                    "the model does not use them" if not fam.get("used") else
                    "exempted by the policy")
            out.append(
                f"The group '{r['group']}' ({r['attribute']}) has {r['value']:.1f}x the "
                f"{fam.get('plain', r['family'])} its other recorded behaviour predicts "
                f"({pct} CI {r['ci_low']:.1f} to {r['ci_high']:.1f}; {r['n']:,} rows); {uses}.")
        if not out and self._skipped is None:
            out.append(f"No group's records are uneven beyond {self._threshold_text()} for its "
                       "other recorded behaviour.")
        return out

    def _threshold_text(self) -> str:
        t = self._checks["threshold"].dropna()
        return f"{t.iloc[0]:g}x" if len(t) else "the threshold"

    def __repr__(self) -> str:
        return (f"RecordScreen(checks={len(self._checks)}, uneven={len(self.uneven)}, "
                f"failed={len(self.failed)}, skipped={self._skipped!r})")


class _FamilyRef:
    """A family known by its name and stored facts (to re-read which ones a model uses)."""

    def __init__(self, name: str, info: dict):
        self.name, self.source = name, info["source"]
        self.record_type = info.get("record_type")


def _empty(reason: str, policy, seed: int) -> RecordScreen:
    from ._audit import _CHECK_COLUMNS

    return RecordScreen(pd.DataFrame(columns=[*_CHECK_COLUMNS, "family"]), pd.DataFrame(),
                        skipped=reason, families={}, method=_method(policy),
                        ci_level=policy.ci_level, seed=seed)


def _method(policy) -> str:
    spec = policy.check("record_disparity")
    return METHOD.format(folds=FOLDS, repeats=REPEATS, fit_rows=FIT_ROWS,
                         threshold=spec.threshold if spec else "the threshold")


def screen_records(frame: pd.DataFrame, groupings, subjects, feature_names, policy,
                   random_state: int = 0) -> RecordScreen:
    """Run the record-disparity screen on the rows of a feature table.

    Parameters
    ----------
    frame : DataFrame
        The audited feature table (catalogue feature columns, ``as_of``).
    groupings : list of Grouping
        The audit's groups (suppressed groups already left out), row-aligned.
    subjects : array-like
        Pseudonym of each row (the clusters of the variance).
    feature_names : list of str
        The model's input features: which families it uses.
    policy : Policy
    random_state : int, default=0
        Seed of the fold assignments (``REPEATS`` of them).
    """
    from ._audit import check_seed

    random_state = check_seed(random_state)
    spec = policy.check("record_disparity")
    if spec is None:
        return _empty(SKIP_NO_CHECK, policy, random_state)
    families = record_families(frame.columns)
    if not families:
        return _empty(SKIP_NO_FAMILIES, policy, random_state)
    used = families_used(feature_names, families)
    subjects = np.asarray(subjects).astype(str)
    keep = _row_sample(subjects, random_state)
    info, obs, exp = {}, [], []
    for fam in families:
        cols = predictors(frame.columns, fam)
        info[fam.name] = {"count": fam.count, "plain": fam.plain, "used": bool(used[fam.name]),
                          "source": fam.source, "record_type": fam.record_type,
                          "predictors": len(cols)}
        if len(cols) < MIN_PREDICTORS:
            info[fam.name]["skipped"] = SKIP_NO_PREDICTORS.format(k=MIN_PREDICTORS)
            continue
        o, e = expected_counts(frame, fam.count, cols, subjects, keep, random_state)
        info[fam.name]["skipped"] = None
        obs.append((fam, o))
        exp.append(e)
    if not obs:
        return _empty(SKIP_NO_FAMILIES, policy, random_state)
    q = np.column_stack([*(x for (_, o), e in zip(obs, exp, strict=True) for x in (o, *e)),
                         np.ones(len(frame))])
    screened = [fam for fam, _ in obs]
    rows, table = judge_groups(groupings, q, subjects, keep, screened, used, spec, policy)
    return RecordScreen(rows, table, skipped=None, families=info, method=_method(policy),
                        ci_level=policy.ci_level, gate=spec.gate, seed=random_state)


def _row_sample(subjects: np.ndarray, random_state: int) -> np.ndarray:
    """Rows screened: all, or whole subjects at random down to about MAX_ROWS rows."""
    if len(subjects) <= MAX_ROWS:
        return np.ones(len(subjects), dtype=bool)
    uniq, inv = np.unique(subjects, return_inverse=True)
    share = MAX_ROWS / len(subjects)
    pick = np.random.default_rng(random_state).random(len(uniq)) < share
    return pick[inv]


def power_curve(path=POWER_FILE) -> dict | None:
    """The gate's measured power and false alarms (``bench_gate_power.py --curve``), or None.

    A mapping with ``command``, ``measured`` (date) and ``rows``: one per
    (subjects, over-recording factor, target) with the number of worlds, the
    share detected (the audit failed on ethnicity) and the share failed at all
    (on fair worlds, factor 1: the false-alarm rate).
    """
    import yaml

    path = Path(path)
    if not path.exists():
        return None
    return yaml.safe_load(path.read_text(encoding="utf-8"))
