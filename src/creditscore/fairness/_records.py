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
saw it. For each group, the ratio is its observed records over those
expected for it, where "expected" is the prediction rescaled to what everyone
else with the same predicted behaviour has (observed over predicted of the
rest of the population): 1 means recorded like everyone else, 3 means three
times the records its other behaviour predicts. Intervals come from a
subject-level Poisson bootstrap of the rows (the fitted predictions held
fixed), on the log scale, with a Poisson floor ``1/(O + 1/2)`` on each side's
variance, Bonferroni-adjusted over the groups of one attribute and family.
A ratio fails under the gate rule (estimate and whole interval above the
threshold) and fails the *gate* when the model uses the family.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import _checks
from ._bootstrap import _design
from ._families import families_used, predictors, record_families

__all__ = ["RecordScreen", "screen_records", "power_curve", "METHOD", "REFERENCE", "POWER_FILE"]

METHOD = (
    "For each record family in the feature table (public records, each public-record type, late "
    "social insurance contributions, late loan instalments), a Poisson gradient-boosted model "
    "predicts each row's count of that family from the person's other, independently recorded "
    "behaviour (the features of the other record sources: contribution and repayment history "
    "and loans; never public records, never a label, never a protected attribute), cross-fitted "
    "over subjects in {folds} folds. A group's ratio is its observed records over the records "
    "expected for it, the expectation rescaled to what everyone else with the same predicted "
    "behaviour has: 1 means recorded like everyone else. Intervals: subject-level Poisson "
    "bootstrap ({n_boot} replicates, predictions held fixed), log scale, Poisson variance floor, "
    "Bonferroni over the groups of one attribute and family. A ratio whose estimate and whole "
    "interval lie above {threshold} fails; it fails the gate when the model uses the family."
)
REFERENCE = "everyone else"
SKIP_NO_CHECK = "not run: the policy has no record_disparity check"
SKIP_NO_FAMILIES = ("not run: the table has no record family the screen can count (no public "
                    "records, late contributions or late instalments of the feature catalogue)")
SKIP_NO_PREDICTORS = "not screened: fewer than {k} features of other record sources to predict it"
#: the measured power curve, written by benchmarks/bench_gate_power.py --curve
POWER_FILE = Path(__file__).with_name("gate_power.yaml")
#: cross-fitting folds, boosting rounds and leaves of the expected-count models
FOLDS, ROUNDS, LEAVES, MIN_LEAF, BINS = 2, 60, 15, 50, 63
MIN_PREDICTORS = 3
#: at most this many rows are screened (whole subjects drawn at random beyond it)
MAX_ROWS = 200_000


class RecordScreen:
    """The screen's result: one check row per (attribute, group, family), and the rates.

    Read-only; built by ``screen_records``.
    """

    def __init__(self, checks: pd.DataFrame, table: pd.DataFrame, *, skipped: str | None,
                 families: dict[str, dict], method: str, ci_level: float, gate: bool = True):
        self._checks, self._table, self._skipped = checks, table, skipped
        self._families, self._method, self._level = families, method, ci_level
        self._gate = gate

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
                            method=self._method, ci_level=self._level, gate=self._gate)

    @property
    def checks(self) -> pd.DataFrame:
        """Check rows (``metric == "record_disparity"``, with ``family``)."""
        return self._checks.copy()

    @property
    def failed(self) -> pd.DataFrame:
        """The gate checks that failed: an uneven family the model uses."""
        return _checks.gate_failures(self._checks)

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

        return {"method": self._method, "skipped": self._skipped, "families": self._families,
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


def _empty(reason: str, policy) -> RecordScreen:
    from ._audit import _CHECK_COLUMNS

    return RecordScreen(pd.DataFrame(columns=[*_CHECK_COLUMNS, "family"]), pd.DataFrame(),
                        skipped=reason, families={}, method=_method(policy),
                        ci_level=policy.ci_level)


def _method(policy) -> str:
    spec = policy.check("record_disparity")
    return METHOD.format(folds=FOLDS, n_boot=policy.n_boot,
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
        Pseudonym of each row (bootstrap clusters).
    feature_names : list of str
        The model's input features: which families it uses.
    policy : Policy
    random_state : int, default=0
    """
    spec = policy.check("record_disparity")
    if spec is None:
        return _empty(SKIP_NO_CHECK, policy)
    families = record_families(frame.columns)
    if not families:
        return _empty(SKIP_NO_FAMILIES, policy)
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
        o, e = _expected(frame, fam.count, cols, subjects, keep, random_state)
        info[fam.name]["skipped"] = None
        obs.append((fam, o))
        exp.append(e)
    if not obs:
        return _empty(SKIP_NO_FAMILIES, policy)
    q = np.column_stack([*(x for (_, o), e in zip(obs, exp, strict=True) for x in (o, e)),
                         np.ones(len(frame))])
    screened = [fam for fam, _ in obs]
    rows, table = _judge(groupings, q, subjects, keep, screened, used, spec, policy,
                         random_state)
    return RecordScreen(rows, table, skipped=None, families=info, method=_method(policy),
                        ci_level=policy.ci_level, gate=spec.gate)


def _row_sample(subjects: np.ndarray, random_state: int) -> np.ndarray:
    """Rows screened: all, or whole subjects at random down to about MAX_ROWS rows."""
    if len(subjects) <= MAX_ROWS:
        return np.ones(len(subjects), dtype=bool)
    uniq, inv = np.unique(subjects, return_inverse=True)
    share = MAX_ROWS / len(subjects)
    pick = np.random.default_rng(random_state).random(len(uniq)) < share
    return pick[inv]


def _expected(frame, count, cols, subjects, keep, random_state):
    """Observed counts and cross-fitted Poisson predictions (0 where not screened)."""
    import lightgbm as lgb

    y = pd.to_numeric(frame[count], errors="coerce").to_numpy(dtype=float)
    x = frame[cols].apply(pd.to_numeric, errors="coerce").astype(float)
    x["as_of_days"] = _days(frame)
    ok = keep & np.isfinite(y) & (y >= 0)
    _, inv = np.unique(subjects, return_inverse=True)
    fold = np.random.default_rng(random_state).integers(0, FOLDS, inv.max() + 1)[inv]
    params = {"objective": "poisson", "learning_rate": 0.15, "num_leaves": LEAVES,
              "max_bin": BINS,
              "min_data_in_leaf": MIN_LEAF, "num_threads": 1, "verbose": -1,
              "seed": random_state, "deterministic": True, "force_col_wise": True}
    pred = np.zeros(len(y))
    for k in range(FOLDS):
        train, test = ok & (fold != k), ok & (fold == k)
        if not test.any():
            continue
        if y[train].sum() <= 0:
            continue  # nothing recorded to learn from: predictions stay 0, rows not judged
        booster = lgb.train(params, lgb.Dataset(x[train], y[train]), ROUNDS)
        pred[test] = booster.predict(x[test], num_threads=1)
    return np.where(ok, y, 0.0), np.where(ok, pred, 0.0)


def _days(frame) -> np.ndarray:
    if "as_of" not in frame.columns:
        return np.zeros(len(frame))
    when = pd.to_datetime(frame["as_of"], errors="coerce")
    return ((when - pd.Timestamp("2000-01-01")).dt.days).to_numpy(dtype=float)


def _sums(groupings, q, subjects, keep, n_boot, random_state):
    """Point (1, K) and bootstrap (B, K) sums of q's columns per group, plus the totals."""
    codes = [np.where(keep, g.codes, -1) for g in groupings]
    codes.append(np.where(keep, 0, -1))
    m, offsets = _design(codes, q)
    _, subj = np.unique(subjects, return_inverse=True)
    rng = np.random.default_rng(random_state + 1)
    point = np.asarray(m.sum(axis=0))
    chunk = max(1, 2_000_000 // max(1, len(subjects)))
    boot, done = [], 0
    while done < n_boot:
        b = min(chunk, n_boot - done)
        w = rng.poisson(1.0, size=(b, int(subj.max()) + 1)).astype(float)[:, subj]
        boot.append(np.asarray((m.T @ w.T).T))
        done += b
    return point, np.vstack(boot), offsets


def _judge(groupings, q, subjects, keep, families, used, spec, policy, random_state):
    point, boot, offsets = _sums(groupings, q, subjects, keep, policy.n_boot, random_state)
    k = q.shape[1]
    tot_p, tot_b = point[:, offsets[-1]:offsets[-1] + k], boot[:, offsets[-1]:offsets[-1] + k]
    rows, table = [], []
    for i, grouping in enumerate(groupings):
        G = grouping.n_groups
        if G < 2:
            continue
        blk_p = point[:, offsets[i]:offsets[i] + G * k].reshape(1, G, k)
        blk_b = boot[:, offsets[i]:offsets[i] + G * k].reshape(-1, G, k)
        z = _checks.z_value(policy.ci_level, G if policy.adjust == "bonferroni" else 1)
        lvl = 1 - (1 - policy.ci_level) / (G if policy.adjust == "bonferroni" else 1)
        for f, fam in enumerate(families):
            for g in range(G):
                est = _ratio(blk_p[..., g, 2 * f], blk_p[..., g, 2 * f + 1],
                             tot_p[:, 2 * f], tot_p[:, 2 * f + 1], z,
                             blk_b[..., g, 2 * f], blk_b[..., g, 2 * f + 1],
                             tot_b[:, 2 * f], tot_b[:, 2 * f + 1], policy.min_cell_size)
                value, lo, hi, obs_n, exp_n = est
                status = (_checks.INSUFFICIENT if value is None else
                          _checks.judge(value, lo, hi, spec.threshold, spec.direction))
                n = int(blk_p[0, g, -1])
                exemption = spec.exemption(grouping.attribute)
                gate = bool(spec.gate and used[fam.name] and exemption is None)
                rows.append(_check_row(grouping.attribute, grouping.names[g], fam.name, value,
                                       lo, hi, lvl, n, gate, status, spec, exemption))
                table.append({"attribute": grouping.attribute, "group": grouping.names[g],
                              "family": fam.name, "n": n,
                              "observed_rate": _round(obs_n / n if n else None),
                              "expected_rate": _round(exp_n / n if n and exp_n else None),
                              "ratio": _round(value), "ci_low": _round(lo),
                              "ci_high": _round(hi), "used_by_model": bool(used[fam.name]),
                              "status": status})
    from ._audit import _CHECK_COLUMNS

    return pd.DataFrame(rows, columns=[*_CHECK_COLUMNS, "family"]), pd.DataFrame(table)


def _ratio(og, eg, ot, et, z, bog, beg, bot, bet, min_cell):
    """Observed over expected of group g, the expectation scaled to everyone else's rate."""
    og, eg, ot, et = float(og[0]), float(eg[0]), float(ot[0]), float(et[0])
    orest, erest = ot - og, et - eg
    if erest <= 0 or orest <= 0 or eg <= 0:
        return None, None, None, og, None
    expected = eg * orest / erest
    if expected < min_cell:
        return None, None, None, og, expected
    value = og / expected
    with np.errstate(divide="ignore", invalid="ignore"):
        reps = (np.log((bog + 0.5) / beg) - np.log((bot - bog + 0.5) / (bet - beg)))
    reps = reps[np.isfinite(reps)]
    center = np.log((og + 0.5) / eg) - np.log((orest + 0.5) / erest)
    floor = 1.0 / (og + 0.5) + 1.0 / (orest + 0.5)
    se = _checks._se(reps, floor)
    return value, float(np.exp(center - z * se)), float(np.exp(center + z * se)), og, expected


def _round(x):
    return None if x is None or not np.isfinite(x) else round(float(x), 6)


def _check_row(attribute, group, family, value, lo, hi, level, n, gate, status, spec, exemption):
    return {"attribute": attribute, "metric": "record_disparity", "group": group,
            "reference": REFERENCE, "value": _round(value), "threshold": spec.threshold,
            "ci_low": _round(lo), "ci_high": _round(hi), "ci_level": round(level, 6), "n": n,
            "gate": gate, "status": status, "passed": status != _checks.FAIL,
            "exemption": exemption, "family": family}


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
