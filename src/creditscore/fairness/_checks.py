"""From group statistics to checks: references, intervals, and the gate rule.

Each check compares one reported group with the policy threshold:

- ``flag_rate_ratio``: flag rate of the most favoured group (lowest flag
  rate) over this group's; fails when below the threshold (four-fifths screen).
- ``fpr_difference`` / ``fnr_difference``: this group's rate minus the lowest
  group's; fails when above.
- ``fnr_excess_difference``: this group's false-negative rate beyond the one its
  own PDs predict (the defaults the PDs of its unflagged rows expect, per
  default), minus the lowest group's; fails when above. A calibrated model
  misses more of a low-risk group's defaults (its defaulters look like its
  non-defaulters); that part of an FNR difference is the groups' risk, not
  the model's reading of their records, and cancels here. What remains is
  defaults among the unflagged that their scores did not expect.
- ``calibration_gap``: mean PD minus the observed rate in this group; fails
  when outside [-threshold, threshold].
- ``auc_difference``: the best group's AUC minus this group's; fails when above.

Intervals: estimate +- z * SE, where SE is the larger of the bootstrap
standard error and a binomial one with half-counts added (so a group with no
events never yields a zero-width interval); ratios on the log scale. Rate
differences (FPR, FNR) use Newcombe's hybrid score interval from the two
groups' Wilson intervals (their n shrunk by the bootstrap's design effect),
which stays honest near 0 and 1 where a Wald interval is too narrow. z is
Bonferroni-adjusted within one (attribute, metric) family when the policy
says ``adjust: bonferroni``: over every pair of groups when the reference is
chosen by its estimate (``_comparisons``), over the groups otherwise.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

__all__ = [
    "judge", "z_value", "group_rates", "family_checks", "rate_key", "group_interval",
    "RATE_METRICS", "SCREEN_METRICS", "gate_failures", "CheckTable", "calibration_interval",
    "poisson_binomial_p",
]

RATE_METRICS = ("flag_rate", "fpr", "fnr", "mean_pd", "observed_rate", "calibration_gap", "auc")
#: metrics judged by a screen of their own rather than from the outcomes
SCREEN_METRICS = ("record_disparity",)
PASS, FAIL, INCONCLUSIVE, INSUFFICIENT = "pass", "fail", "inconclusive", "insufficient"


def gate_failures(checks):
    """The rows of a checks table that fail the audit: gate checks whose status is fail.

    The one statement of which checks decide a verdict (outcome checks and the
    record screen's alike); reported-only and exempted checks have ``gate`` false.
    """
    failed = (checks["status"] == FAIL) & checks["gate"].astype(bool)
    return checks.loc[failed].reset_index(drop=True)


class CheckTable:
    """What every audit result shows of its check rows (held in ``self._checks``, one row per
    check): ``checks``, a copy of them all, and ``failed``, those that fail the audit."""

    @property
    def checks(self):
        """One row per check (a copy)."""
        return self._checks.copy()

    @property
    def failed(self):
        """The gate checks that failed (``gate_failures`` of ``checks``)."""
        return gate_failures(self.checks)


def judge(value, ci_low, ci_high, threshold: float, direction: str) -> str:
    """The gate rule: fail only when the estimate and its whole interval are beyond.

    >>> judge(0.5, 0.4, 0.6, 0.8, "below"), judge(0.7, 0.5, 0.9, 0.8, "below")
    ('fail', 'inconclusive')
    """
    if value is None or not np.isfinite(value):
        return INSUFFICIENT
    if direction == "below":
        beyond, all_beyond = value < threshold, ci_high < threshold
    elif direction == "above":
        beyond, all_beyond = value > threshold, ci_low > threshold
    else:
        beyond = abs(value) > threshold
        all_beyond = ci_low > threshold or ci_high < -threshold
    if beyond and all_beyond:
        return FAIL
    return INCONCLUSIVE if beyond else PASS


def z_value(level: float, m: int = 1) -> float:
    """Two-sided normal quantile for ``level``, Bonferroni over ``m`` comparisons."""
    return NormalDist().inv_cdf(1 - (1 - level) / (2 * max(1, m)))


def group_rates(sums: np.ndarray) -> dict[str, np.ndarray]:
    """Rates from weighted sums (..., G, 9) (see ``_bootstrap.QUANTITIES``)."""
    n, flag, lab, neg, pos, fp, fn, pdsum, pd_missed = np.moveaxis(sums, -1, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = {"flag_rate": flag / n, "fpr": fp / neg, "fnr": fn / pos,
               "mean_pd": pdsum / lab, "observed_rate": pos / lab,
               "expected_fnr": pd_missed / pos}
    out["calibration_gap"] = out["mean_pd"] - out["observed_rate"]
    out["fnr_excess"] = out["fnr"] - out["expected_fnr"]
    return out


def _var_prop(k, n):
    p = (k + 0.5) / (n + 1.0)
    return p * (1 - p) / (n + 1.0)


def _var_logprop(k, n):
    return 1.0 / (k + 0.5) - 1.0 / (n + 1.0)


def _var_auc(a, npos, nneg):
    """Hanley & McNeil (1982) variance of an AUC."""
    a = np.clip(np.nan_to_num(a, nan=0.5), 1e-6, 1 - 1e-6)
    q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
    num = a * (1 - a) + (npos - 1) * (q1 - a * a) + (nneg - 1) * (q2 - a * a)
    return num / np.maximum(npos * nneg, 1)


def _se(boot_values, floor_var):
    with np.errstate(invalid="ignore"):
        boot = np.nanstd(boot_values, ddof=1) if np.isfinite(boot_values).sum() > 1 else 0.0
    return float(max(boot, np.sqrt(max(floor_var, 0.0))))


# per metric: (rate key, numerator column, denominator column, reference picks min?)
_DIFF = {"fpr_difference": ("fpr", 5, 3), "fnr_difference": ("fnr", 6, 4)}


def family_checks(spec, attribute, names, point, boot, counts, available, level, adjust):
    """Checks of one metric over the reported groups of one grouping.

    ``point`` and ``boot`` map rate names to arrays (G,) and (B, G); ``counts``
    holds the unweighted sums (G, 9); ``available[g]`` says whether the
    metric may be shown for group g (its cell holds enough subjects).
    """
    metric, key = spec.metric, rate_key(spec.metric)
    ok = np.asarray(available) & np.isfinite(point[key])
    if metric == "calibration_gap":
        ref, compared = None, [g for g in range(len(names)) if ok[g]]
    else:
        if not ok.any():
            return [_row(spec, attribute, names[g], None, None, None, None, 1.0, counts, g,
                         INSUFFICIENT) for g in range(len(names))]
        pick = np.nanargmax if metric == "auc_difference" else np.nanargmin
        ref = int(pick(np.where(ok, point[key], np.nan)))
        compared = [g for g in range(len(names)) if ok[g] and g != ref]
    m = _comparisons(len(compared), ref is not None) if adjust == "bonferroni" else 1
    lvl = 1 - (1 - level) / m
    z = z_value(level, m)
    rows = []
    for g in range(len(names)):
        if g == ref:
            continue
        if g not in compared:
            rows.append(_row(spec, attribute, names[g], names[ref] if ref is not None else None,
                             None, None, None, lvl, counts, g, INSUFFICIENT))
            continue
        value, lo, hi = _interval(metric, key, point, boot, counts, g, ref, z)
        rows.append(_row(spec, attribute, names[g], None if ref is None else names[ref], value,
                         lo, hi, lvl, counts, g, judge(value, lo, hi, spec.threshold,
                                                       spec.direction)))
    return rows


def _comparisons(n_compared: int, chosen_reference: bool) -> int:
    """Comparisons a Bonferroni bound must cover.

    With a reference group chosen by its estimate (the most favoured, the
    best ranked), comparing every group with it is comparing every *pair*:
    the reference is the extreme of all G groups, so its noise is selected,
    and G - 1 comparisons would understate the multiplicity. The bound covers
    the G (G - 1) / 2 pairs. Without a reference (calibration), each group
    is compared with its own threshold: G comparisons.
    """
    if not chosen_reference:
        return max(1, n_compared)
    groups = n_compared + 1
    return max(1, groups * (groups - 1) // 2)


def rate_key(metric: str) -> str:
    """The per-group rate a metric compares."""
    own = {"flag_rate_ratio": "flag_rate", "calibration_gap": "calibration_gap",
           "auc_difference": "auc", "fnr_excess_difference": "fnr_excess"}
    return own.get(metric) or _DIFF[metric][0]


def _interval(metric, key, point, boot, counts, g, ref, z):
    c = counts
    if metric == "flag_rate_ratio":
        kr, nr, kg, ng = c[ref, 1], c[ref, 0], c[g, 1], c[g, 0]
        value = 1.0 if point[key][g] == 0 else float(point[key][ref] / point[key][g])
        center = np.log((kr + 0.5) / (nr + 1)) - np.log((kg + 0.5) / (ng + 1))
        bs = boot["_sums"]
        with np.errstate(divide="ignore", invalid="ignore"):
            reps = (np.log((bs[:, ref, 1] + 0.5) / (bs[:, ref, 0] + 1))
                    - np.log((bs[:, g, 1] + 0.5) / (bs[:, g, 0] + 1)))
        se = _se(reps, _var_logprop(kr, nr) + _var_logprop(kg, ng))
        return value, float(np.exp(center - z * se)), float(np.exp(center + z * se))
    if metric == "calibration_gap":
        return calibration_interval(c[g], boot["observed_rate"][:, g], z)
    if metric == "auc_difference":
        value = float(point[key][ref] - point[key][g])
        floor = (_var_auc(point[key][ref], c[ref, 4], c[ref, 3])
                 + _var_auc(point[key][g], c[g, 4], c[g, 3]))
        se = _se(boot[key][:, ref] - boot[key][:, g], floor)
        return value, max(-1.0, value - z * se), min(1.0, value + z * se)
    if metric == "fnr_excess_difference":
        return _excess_interval(point, boot, c, g, ref, z)
    _, num, den = _DIFF[metric]
    return _newcombe(c[g, num], c[g, den], boot[key][:, g],
                     c[ref, num], c[ref, den], boot[key][:, ref], z)


def _wilson(k, n, boot_values, z):
    """Wilson score interval of k / n, n shrunk by the bootstrap's design effect.

    Rows are person-dates: a person counted at several dates is one cluster,
    so the binomial n overstates the information. The design effect (the
    bootstrap variance over the binomial one, at least 1) turns n into the
    effective number of independent rows.
    """
    p = k / n
    with np.errstate(invalid="ignore"):
        boot = np.nanvar(boot_values, ddof=1) if np.isfinite(boot_values).sum() > 1 else 0.0
    binom = p * (1 - p) / n
    n_eff = n / max(1.0, boot / binom) if binom > 0 else n
    centre = (p + z * z / (2 * n_eff)) / (1 + z * z / n_eff)
    half = z * np.sqrt(p * (1 - p) / n_eff + z * z / (4 * n_eff * n_eff)) / (1 + z * z / n_eff)
    return p, max(0.0, centre - half), min(1.0, centre + half)


def _newcombe(kg, ng, boot_g, kr, nr, boot_r, z):
    """Rate of group g minus the reference's, with Newcombe's (1998) hybrid score interval.

    A Wald interval (estimate +- z SE) is too narrow when a rate is near 0 or 1
    with few events, which is where a reference chosen as the lowest rate of
    several small groups sits (a group whose 8 defaulters were all caught has
    a false-negative rate of 0, and a Wald interval claims it is known).
    Newcombe combines the two groups' Wilson intervals instead.
    """
    pg, lg, ug = _wilson(float(kg), float(ng), boot_g, z)
    pr, lr, ur = _wilson(float(kr), float(nr), boot_r, z)
    value = pg - pr
    lo = value - np.sqrt((pg - lg) ** 2 + (ur - pr) ** 2)
    hi = value + np.sqrt((ug - pg) ** 2 + (pr - lr) ** 2)
    return float(value), max(-1.0, float(lo)), min(1.0, float(hi))


def _excess_interval(point, boot, c, g, ref, z):
    """(FNR - expected FNR) of g minus the reference's: Newcombe's interval of the observed
    difference (``_newcombe``), shifted by the expected one and widened by its bootstrap
    variance. The covariance of observed and expected rates (positive: both follow who is in
    the sample) is left out, which widens the interval: a conservative bound.
    """
    observed, lo, hi = _newcombe(c[g, 6], c[g, 4], boot["fnr"][:, g],
                                 c[ref, 6], c[ref, 4], boot["fnr"][:, ref], z)
    expected = boot["expected_fnr"]
    with np.errstate(invalid="ignore"):
        var_e = float(np.nansum([np.nanvar(expected[:, k], ddof=1) for k in (g, ref)]))
    value = float(point["fnr_excess"][g] - point["fnr_excess"][ref])
    lo = value - np.sqrt((observed - lo) ** 2 + z * z * var_e)
    hi = value + np.sqrt((hi - observed) ** 2 + z * z * var_e)
    return value, max(-1.0, float(lo)), min(1.0, float(hi))


def _row(spec, attribute, group, reference, value, lo, hi, level, counts, g, status):
    def r(x):
        return None if x is None or not np.isfinite(x) else round(float(x), 6)

    exemption = spec.exemption(attribute)
    return {
        "attribute": attribute, "metric": spec.metric, "group": group, "reference": reference,
        "value": r(value), "threshold": spec.threshold,
        "ci_low": r(lo), "ci_high": r(hi), "ci_level": round(level, 6),
        "n": int(counts[g, 0]), "gate": spec.gate and exemption is None, "status": status,
        "passed": status != FAIL, "exemption": exemption,
    }


#: a group's own rates: (numerator, denominator) columns of the sums (``_bootstrap``)
_OWN_RATE = {"flag_rate": (1, 0), "fpr": (5, 3), "fnr": (6, 4), "observed_rate": (4, 2)}


def group_interval(key, point, boot, counts, g, z):
    """Interval of one group's own rate (for the per-group table).

    Rates of counts (flag rate, FPR, FNR, observed rate) get the Wilson score interval
    with n shrunk by the bootstrap's design effect (``_wilson``; never a Wald interval
    clipped to [0, 1], which called 6 events in 1,475 rows [0.00%, 0.83%]); the
    calibration gap is the mean PD minus the observed rate's interval
    (``calibration_interval``); the mean PD and the AUC keep the bootstrap interval.
    """
    c = counts
    value = point[key][g]
    if not np.isfinite(value):
        return None, None
    if key in _OWN_RATE:
        num, den = _OWN_RATE[key]
        _, lo, hi = _wilson(float(c[g, num]), float(c[g, den]), boot[key][:, g], z)
    elif key == "calibration_gap":
        _, lo, hi = calibration_interval(c[g], boot["observed_rate"][:, g], z)
    else:
        floor = _var_auc(value, c[g, 4], c[g, 3]) if key == "auc" else 0.0
        se = _se(boot[key][:, g], floor)
        lo, hi = max(0.0, value - z * se), min(1.0, value + z * se)
    return round(float(lo), 6), round(float(hi), 6)


def calibration_interval(c, boot_observed, z):
    """Mean PD minus the observed rate of one group (its sums ``c``), the interval from
    the observed rate's Wilson interval with the bootstrap's design effect.

    The PDs are the model's statement about these rows, the events the evidence: a group
    with no events in 221 rows whose PDs expect 2.3 has an observed rate anywhere in
    [0, 1.7%], so a mean PD of 1.0% is not called wrong.
    """
    mean_pd, observed = float(c[7] / c[2]), float(c[4] / c[2])
    _, lo, hi = _wilson(float(c[4]), float(c[2]), boot_observed, z)
    return mean_pd - observed, mean_pd - hi, mean_pd - lo


#: PD classes of the exact test, and the event count beyond which the normal law is used
PB_CLASSES, PB_EXACT_UP_TO = 64, 2000


def poisson_binomial_p(pd_, events: int) -> float:
    """Two-sided p-value of ``events`` defaults among independent rows with these PDs.

    The number of defaults is Poisson-binomial. Rows are pooled into at most
    ``PB_CLASSES`` classes of near-equal PD, each given its mean PD (isotonic calibration
    already makes few distinct values); pooling keeps the expected count and can only
    widen the distribution, so the p-value errs large. The classes' binomials are
    convolved up to where the upper tail is negligible; two-sided as
    ``scipy.stats.binomtest`` (the outcomes no likelier than the one observed). Beyond
    ``PB_EXACT_UP_TO`` events, where the law is normal to many digits, the normal
    approximation with continuity correction.

    >>> round(poisson_binomial_p([0.0104] * 221, 0), 2)  # no event where 2.3 were expected
    0.18
    """
    from scipy.stats import binom, norm

    p = np.sort(np.asarray(pd_, dtype=float))
    if not len(p):
        return float("nan")
    mu, sd = float(p.sum()), float(np.sqrt((p * (1 - p)).sum()))
    top = int(min(len(p), max(events, mu + 12 * sd + 10)))
    if top > PB_EXACT_UP_TO:
        return float(min(1.0, 2 * norm.sf((abs(events - mu) - 0.5) / max(sd, 1e-12))))
    values, sizes = np.unique(p, return_counts=True)
    if len(values) > PB_CLASSES:
        cls = np.minimum(np.arange(len(p)) * PB_CLASSES // len(p), PB_CLASSES - 1)
        sizes = np.bincount(cls)
        values = np.bincount(cls, weights=p) / sizes
    support = np.arange(top + 1)
    dist = np.zeros(top + 1)
    dist[0] = 1.0
    for value, size in zip(values, sizes, strict=True):
        dist = np.convolve(dist, binom.pmf(support, size, value))[:top + 1]
    here = dist[min(int(events), top)]
    return float(min(1.0, dist[dist <= here * (1 + 1e-7)].sum()))
