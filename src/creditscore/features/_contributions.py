"""Social insurance features: coverage, employment, income proxy, and arrears.

Lateness counts only the subject's own (self-owed, ``employer_id`` null)
contributions: an employer's late payment is never the subject's arrears.
Employer-owed contributions still describe coverage and employment.
Windows are on ``due_on``: "in the last N months" means due in (t - N months, t];
a month is in a window when its first payment group is. The visible rows are
payment groups of ``n`` contributions (see ``_visibility.prepare_contributions``),
so counts of contributions are sums of ``n``.
"""

from __future__ import annotations

from ._definitions import FeatureDef
from ._reductions import count, months_since, ratio, window

__all__ = ["FEATURES"]

SOURCE = "contributions"


def _rows(v, cond):
    """Number of contributions (not groups) where ``cond`` holds."""
    return v.n.sum(where=cond)


MONTHS = "contribution_months"


def _covered(n):
    return lambda m: count(m, window(m, n))


ARREARS = "contribution_arrears"


def _late(n, days=1):
    return lambda a: _rows(a, (a.days_late >= days) & window(a, n))


def _ontime(n):
    return lambda v: ratio(_rows(v, v.own & ~v.late & window(v, n)), _rows(v, v.own & window(v, n)))


def _days_late_max(n):
    return lambda a: a.days_late.max(where=window(a, n))


def _base_mean(v, cond):
    return ratio(v.base_c.sum(where=cond), _rows(v, cond)) / 100.0


def _gap_months(m):
    w = window(m, 24)
    return m.period_idx.max(where=w) - m.period_idx.min(where=w) + 1 - count(m, w)


def _new_employers(n):
    return lambda e: count(e, window(e, n))


def _arrears_run(v):
    """Longest run of consecutive months with a late own contribution (last 36 months).

    Reads ``contribution_arrears``: the subject's own contributions late at t.
    """
    import ibis

    keys = ["subject_id", "as_of"]
    m = v.filter(window(v, 36)).select(*keys, "period_idx").distinct()
    m = m.mutate(rn=ibis.row_number().over(group_by=keys, order_by="period_idx"))
    m = m.mutate(run=m.period_idx - m.rn)
    runs = m.group_by([*keys, "run"]).aggregate(n=m.count())
    return runs.group_by(keys).aggregate(si_arrears_longest_run_36m=runs.n.max())


def _f(name, description, direction, reason, build, *, fill=None, dtype="float64", **kw):
    return FeatureDef(name, description, SOURCE, direction, reason, build=build, fill=fill,
                      dtype=dtype, **kw)


def _count(name, description, direction, reason, build, **kw):
    return _f(name, description, direction, reason, build, fill=0, dtype="int64", **kw)


FEATURES: tuple[FeatureDef, ...] = (
    # coverage
    _count("si_months_covered_12m", "Months with social insurance contributions due in the last "
           "12 months", -1, "Social insurance contributions were due in only {value:.0f} of the "
           "last 12 months", _covered(12), relation=MONTHS),
    _count("si_months_covered_36m", "Months with social insurance contributions due in the last "
           "36 months", -1, "Social insurance contributions were due in {value:.0f} of the last "
           "36 months", _covered(36), relation=MONTHS),
    _count("si_gap_months_24m", "Months without contributions between the first and last "
           "covered month of the last 24 months", 1, "{value:.0f} month{s} without social "
           "insurance cover in the last 24 months", _gap_months, relation=MONTHS),
    _f("si_months_since_covered", "Months from the last month with a contribution to the "
       "observation month (missing if none in the last 36 months)", 1, "The last social insurance "
       "contribution month was {value:.0f} month{s} ago",
       lambda m: (m.t_month_idx.max() - m.period_idx.max()).cast("float64"), relation=MONTHS),
    # employment
    _count("si_new_employers_12m", "Employers whose first contribution for the subject was due "
           "in the last 12 months (job changes)", 1, "{value:.0f} new employer{s} in the last 12 "
           "months", _new_employers(12), relation="contribution_employers"),
    _count("si_new_employers_36m", "Employers whose first contribution for the subject was due "
           "in the last 36 months (job changes)", 1, "{value:.0f} new employer{s} in the last 36 "
           "months", _new_employers(36), relation="contribution_employers"),
    _f("si_self_paid_share_12m", "Share of the last 12 months' contributions owed by the subject "
       "(flexible employment) rather than an employer", 0, "{value:.0%} of contributions in the "
       "last 12 months were self-paid",
       lambda v: ratio(_rows(v, v.own & window(v, 12)), _rows(v, window(v, 12)))),
    # income proxy
    _f("si_base_avg_3m", "Average contribution base (wage base) in the last 3 months", -1,
       "Average contribution base of {value:,.0f} in the last 3 months",
       lambda v: _base_mean(v, window(v, 3))),
    _f("si_base_avg_12m", "Average contribution base (wage base) in the last 12 months", -1,
       "Average contribution base of {value:,.0f} in the last 12 months",
       lambda v: _base_mean(v, window(v, 12))),
    _f("si_base_trend_12m", "Average contribution base in the last 6 months relative to the 6 "
       "months before", -1, "Contribution base changed to {value:.2f} times its level of six "
       "months earlier", lambda v: ratio(_base_mean(v, window(v, 6)),
                                         _base_mean(v, window(v, 12) & ~window(v, 6)))),
    # the subject's own obligations
    _count("si_own_count_12m", "Self-owed contributions due in the last 12 months", 0,
           "{value:.0f} self-owed contribution{s} {were} due in the last 12 months",
           lambda v: _rows(v, v.own & window(v, 12))),
    _f("si_ontime_share_12m", "Share of self-owed contributions of the last 12 months paid on "
       "time", -1, "Only {value:.0%} of self-owed contributions in the last 12 months were paid "
       "on time", _ontime(12), actionable=True),
    _f("si_ontime_share_36m", "Share of self-owed contributions of the last 36 months paid on "
       "time", -1, "Only {value:.0%} of self-owed contributions in the last 36 months were paid "
       "on time", _ontime(36), relation="own_contributions", actionable=True),
    _count("si_late_count_6m", "Self-owed contributions paid late or still unpaid past due, "
           "last 6 months", 1, "{value:.0f} contribution{s} paid late or unpaid in the last 6 "
           "months", _late(6), relation=ARREARS, actionable=True),
    _count("si_late_count_12m", "Self-owed contributions paid late or still unpaid past due, "
           "last 12 months", 1, "{value:.0f} contribution{s} paid late or unpaid in the last 12 "
           "months", _late(12), relation=ARREARS, actionable=True),
    _count("si_late_count_36m", "Self-owed contributions paid late or still unpaid past due, "
           "last 36 months", 1, "{value:.0f} contribution{s} paid late or unpaid in the last 36 "
           "months", _late(36), relation=ARREARS, actionable=True),
    _count("si_late30_count_12m", "Self-owed contributions 30 or more days late, last 12 months",
           1, "{value:.0f} contribution{s} 30 or more days late in the last 12 months",
           _late(12, 30), relation=ARREARS),
    _count("si_late30_count_36m", "Self-owed contributions 30 or more days late, last 36 months",
           1, "{value:.0f} contribution{s} 30 or more days late in the last 36 months",
           _late(36, 30), relation=ARREARS),
    _count("si_late90_count_36m", "Self-owed contributions 90 or more days late, last 36 months",
           1, "{value:.0f} contribution{s} 90 or more days late in the last 36 months",
           _late(36, 90), relation=ARREARS),
    _count("si_days_late_max_12m", "Most days any self-owed contribution of the last 12 months "
           "was late (unpaid: days so far)", 1, "A contribution was {value:.0f} day{s} late in the "
           "last 12 months", _days_late_max(12), relation=ARREARS),
    _count("si_days_late_max_36m", "Most days any self-owed contribution of the last 36 months "
           "was late (unpaid: days so far)", 1, "A contribution was {value:.0f} day{s} late in the "
           "last 36 months", _days_late_max(36), relation=ARREARS),
    _f("si_days_late_mean_12m", "Average days late of self-owed contributions in the last 12 "
       "months (0 when on time)", 1, "Self-owed contributions were on average {value:.0f} day{s} "
       "late in the last 12 months",
       lambda v: ratio((v.days_late * v.n).sum(where=v.own & window(v, 12)),
                       _rows(v, v.own & window(v, 12)))),
    _count("si_arrears_count", "Self-owed contributions due and unpaid now (current arrears)", 1,
           "{value:.0f} self-owed contribution{s} due and unpaid",
           lambda a: _rows(a, a.overdue), relation=ARREARS, actionable=True),
    _f("si_arrears_amount", "Amount of self-owed contributions due and unpaid now", 1,
       "{value:,.0f} in social insurance contributions is due and unpaid",
       lambda a: (a.due_c - a.paid_known_c.fill_null(0)).sum(where=a.overdue) / 100.0,
       fill=0.0, relation=ARREARS, actionable=True),
    _count("si_arrears_longest_run_36m", "Longest run of consecutive months with a late "
           "self-owed contribution, last 36 months", 1, "Contributions were late {value:.0f} "
           "month{s} in a row in the last 36 months", _arrears_run, kind="table",
           relation=ARREARS),
    _f("si_months_since_late", "Months since the last self-owed contribution that was late "
       "(missing if none on record)", -1, "The last late contribution was due {value:.0f} "
       "month{s} ago", lambda a: months_since(a, "due_on", window(a, None)), relation=ARREARS),
    _f("si_months_since_late30", "Months since the last self-owed contribution 30 or more days "
       "late (missing if none on record)", -1, "The last contribution 30 or more days late was "
       "due {value:.0f} month{s} ago",
       lambda a: months_since(a, "due_on", a.days_late >= 30), relation=ARREARS),
)
