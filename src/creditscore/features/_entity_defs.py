"""Entity features (guide: entities): employer-owed contributions, loans, public records.

An entity's employer-owed contributions are the contribution rows whose
``employer_id`` is the entity, keyed by the entity (``subject_id``) with the
employee kept as ``employee``; they go through the same point-in-time rule
as a person's own contributions (``_visibility.visible_contributions``), so a
force-majeure contribution is never late nor unpaid, and a late one that was
paid leaves the record after the display period. Two relations:

``employer_contributions``
    every employer-owed payment group due in the last 36 months up to t;
``employer_arrears``
    every employer-owed group late at t (paid late or unpaid), all time.

An entity's loans, repayments and public records are read by the person
definitions (``_loans``, ``_public``) through the same relations, keyed by the
entity; the person features that cannot apply to an entity (cards,
microloans, consumer finance, benefit fraud, the burden ratio on a wage
base) are left out.
"""

from __future__ import annotations

from ._definitions import FeatureDef
from ._reductions import months_since, ratio, window

__all__ = ["EMPLOYER_FEATURES", "ENTITY_FEATURES", "ENTITY_MODEL_FEATURES", "EMPLOYER_RELATIONS",
           "PERSON_ONLY", "SIZE_COLUMNS"]

SOURCE = "contributions"
CONTRIB, ARREARS = "employer_contributions", "employer_arrears"
EMPLOYER_RELATIONS = (CONTRIB, ARREARS)
KEYS = ["subject_id", "as_of"]
#: person features an entity cannot have
PERSON_ONLY = (
    "ln_open_mortgage", "ln_open_consumer", "ln_open_credit_card", "ln_open_auto",
    "ln_open_microloan", "ln_card_limit", "ln_microlender_open", "ln_consumer_finance_open",
    "rp_burden_ratio", "pr_benefit_fraud_count",
)


def _headcount(v):
    """Employees in the latest month due by t, and in the month 12 months before it."""
    latest = v.period_idx.max().over(group_by=KEYS)
    v = v.mutate(latest=latest)
    now = v.filter(v.period_idx == v.latest)
    now = now.group_by(KEYS).aggregate(ent_headcount=now.employee.nunique())
    then = v.filter(v.period_idx == v.latest - 12)
    then = then.group_by(KEYS).aggregate(ent_headcount_12m_ago=then.employee.nunique())
    return now.left_join(then, KEYS).select(
        now.subject_id, now.as_of, now.ent_headcount, then.ent_headcount_12m_ago)


def _late_months(n, days=1):
    return lambda v: v.period_idx.nunique(where=(v.days_late >= days) & window(v, n))


def _arrears_run(v):
    """Longest run of consecutive months with a late employer-owed contribution (36 months)."""
    import ibis

    m = v.filter(window(v, 36)).select(*KEYS, "period_idx").distinct()
    m = m.mutate(rn=ibis.row_number().over(group_by=KEYS, order_by="period_idx"))
    m = m.mutate(run=m.period_idx - m.rn)
    runs = m.group_by([*KEYS, "run"]).aggregate(n=m.count())
    return runs.group_by(KEYS).aggregate(ent_arrears_longest_run_36m=runs.n.max())


def _f(name, description, direction, reason, build, relation, *, fill=None, dtype="float64",
       **kw):
    return FeatureDef(name, description, SOURCE, direction, reason, build=build, fill=fill,
                      dtype=dtype, relation=relation, **kw)


def _count(name, description, direction, reason, build, relation, **kw):
    return _f(name, description, direction, reason, build, relation, fill=0, dtype="int64", **kw)


EMPLOYER_FEATURES: tuple[FeatureDef, ...] = (
    # current arrears: what the entity owes its employees' social insurance now
    _count("ent_arrears_count", "Employer-owed contributions due and unpaid now", 1,
           "{value:.0f} employer-owed contribution{s} {are} due and unpaid",
           lambda a: a.n.sum(where=a.overdue), ARREARS, actionable=True),
    _f("ent_arrears_amount", "Amount of employer-owed contributions due and unpaid now", 1,
       "{value:,.0f} in contributions owed for employees is due and unpaid",
       lambda a: (a.due_c - a.paid_known_c.fill_null(0)).sum(where=a.overdue) / 100.0,
       ARREARS, fill=0.0, actionable=True),
    _count("ent_arrears_employees", "Employees whose contributions owed by the entity are due "
           "and unpaid now", 1, "Contributions owed for {value:.0f} employee{s} {are} unpaid",
           lambda a: a.employee.nunique(where=a.overdue), ARREARS, actionable=True),
    _count("ent_arrears_months", "Contribution months with employer-owed contributions due and "
           "unpaid now (months in arrears)", 1, "Contributions are {value:.0f} month{s} unpaid",
           lambda a: a.period_idx.nunique(where=a.overdue), ARREARS, actionable=True),
    _count("ent_arrears_longest_run_36m", "Longest run of consecutive contribution months paid "
           "late or unpaid, last 36 months", 1, "Contributions were late {value:.0f} month{s} "
           "in a row in the last 36 months", _arrears_run, ARREARS, kind="table"),
    _count("ent_days_overdue_max", "Most days any employer-owed contribution is overdue now "
           "(unpaid)", 1, "A contribution owed for employees is {value:.0f} day{s} overdue",
           lambda a: a.days_late.max(where=a.overdue), ARREARS),
    _f("ent_months_since_late", "Months since the last employer-owed contribution paid late or "
       "unpaid was due (missing if none on record)", -1, "The last late contribution was due "
       "{value:.0f} month{s} ago", lambda a: months_since(a, "due_on", window(a, None)), ARREARS),
    # history of the last one and three years
    _count("ent_late_months_12m", "Contribution months with an employer-owed contribution paid "
           "late or unpaid, last 12 months", 1, "Contributions were late in {value:.0f} of the "
           "last 12 months", _late_months(12), CONTRIB),
    _count("ent_late30_months_36m", "Contribution months with an employer-owed contribution 30 "
           "or more days late, last 36 months", 1, "Contributions were 30 or more days late in "
           "{value:.0f} month{s} of the last 36", _late_months(36, 30), CONTRIB),
    _f("ent_ontime_share_12m", "Share of employer-owed contributions of the last 12 months paid "
       "on time (missing if none)", -1, "Only {value:.0%} of contributions owed for employees "
       "in the last 12 months were paid on time",
       lambda v: ratio(v.n.sum(where=~v.late & window(v, 12)), v.n.sum(where=window(v, 12))),
       CONTRIB, actionable=True),
    # size and its trend, from the contribution rows
    _count("ent_headcount", "Employees with contributions in the latest contribution month due "
           "by now", 0, "{value:.0f} employee{s} on the contribution rolls", _headcount, CONTRIB,
           kind="table"),
    _f("ent_headcount_12m_ago", "Employees with contributions in the month 12 months before the "
       "latest (missing if none)", 0, "{value:.0f} employee{s} on the contribution rolls a year "
       "earlier", _headcount, CONTRIB, kind="table"),
    _f("ent_headcount_trend_12m", "Employees now relative to 12 months before (missing if none "
       "then)", -1, "The number of employees changed to {value:.2f} times its level of a year "
       "earlier", lambda w: ratio(w.ent_headcount, w.ent_headcount_12m_ago), "", kind="derived"),
)


def _entity_features() -> tuple[FeatureDef, ...]:
    from ._loans import FEATURES as LOANS
    from ._public import FEATURES as PUBLIC

    person = tuple(f for f in LOANS + PUBLIC if f.name not in PERSON_ONLY
                   and not f.name.startswith("cc_"))
    return EMPLOYER_FEATURES + person


#: every entity feature, in output column order
ENTITY_FEATURES: tuple[FeatureDef, ...] = _entity_features()
#: the headcount itself is what the audited size band is made of (guide: entities): it
#: stays in the feature table (and is the record screen's exposure), but, like a birth
#: year for the age band, it is no model input; its trend (a ratio, free of size) is
SIZE_COLUMNS = ("ent_headcount", "ent_headcount_12m_ago")
#: the inputs of an entity model (``train --kind entity``)
ENTITY_MODEL_FEATURES: tuple[FeatureDef, ...] = tuple(
    f for f in ENTITY_FEATURES if f.name not in SIZE_COLUMNS)
