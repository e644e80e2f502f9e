"""Public record features: court, enforcement, tax and administrative records.

Only records visible at t count: recorded by t, of a type the catalogue
allows, not void (dispute upheld), not under open dispute at t, not caused by
force majeure, and not past their display period (which runs from the day
the record was resolved). A resolved record still counts, with less weight
in the model through the resolved share: that is credit repair.
"""

from __future__ import annotations

from ..records._contract import SEVERITIES
from ._definitions import FeatureDef
from ._reductions import count, money_sum, months_since, share, window

__all__ = ["FEATURES"]

SOURCE = "public_records"
#: the default catalogue's record types (a user catalogue's extra types count in the totals)
RECORD_TYPES = (
    "civil_judgment", "enforcement_default", "tax_arrears", "administrative_penalty",
    "benefit_fraud",
)


def _count(name, description, reason, build, direction=1, **kw):
    return FeatureDef(name, description, SOURCE, direction, reason, build=build, fill=0,
                      dtype="int64", **kw)


def _f(name, description, direction, reason, build, fill=None, **kw):
    return FeatureDef(name, description, SOURCE, direction, reason, build=build, fill=fill, **kw)


def _by_type(record_type):
    words = record_type.replace("_", " ")
    return _count(f"pr_{record_type}_count", f"Visible {words} records", f"{{value:.0f}} {words} "
                  "record{s} on file", lambda v: count(v, v.record_type == record_type))


def _by_severity(severity):
    return _count(f"pr_{severity}_count", f"Visible public records of {severity} severity",
                  f"{{value:.0f}} {severity} public record{{s}} on file",
                  lambda v: count(v, v.severity == severity))


def _recent(n):
    return _count(f"pr_count_{n}m", f"Public records entered in the last {n} months",
                  f"{{value:.0f}} public record{{s}} entered in the last {n} months",
                  lambda v: count(v, window(v, n, "recorded_on")))


FEATURES: tuple[FeatureDef, ...] = (
    _count("pr_count", "Visible public records (court, enforcement, tax, administrative)",
           "{value:.0f} public record{s} on file", lambda v: v.count()),
    _recent(12),
    _recent(36),
    *(_by_type(t) for t in RECORD_TYPES),
    *(_by_severity(s) for s in SEVERITIES),
    _count("pr_unresolved_count", "Public records not yet resolved (obligation not fulfilled)",
           "{value:.0f} public record{s} {are} unresolved", lambda v: count(v, ~v.resolved_t),
           actionable=True),
    _f("pr_unresolved_amount", "Money at stake in unresolved public records", 1,
       "{value:,.0f} is owed on unresolved public records",
       lambda v: money_sum(v, "amount_c", ~v.resolved_t), fill=0.0, actionable=True),
    _count("pr_breach_unresolved_count", "Unresolved records of a breach type (enforcement "
           "default, tax arrears, benefit fraud in the default catalogue)",
           "{value:.0f} unresolved breach record{s}", lambda v: count(v, v.breach & ~v.resolved_t),
           actionable=True),
    _f("pr_amount_sum", "Money at stake in all visible public records", 1,
       "{value:,.0f} at stake in public records",
       lambda v: money_sum(v, "amount_c", window(v, None)),
       fill=0.0),
    _f("pr_months_since_last", "Months since the last visible public record was entered "
       "(missing if none)", -1, "The last public record was entered {value:.0f} month{s} ago",
       lambda v: months_since(v, "recorded_on", window(v, None))),
    _f("pr_resolved_share", "Share of visible public records that are resolved (credit repair; "
       "missing if none)", -1, "Only {value:.0%} of public records are resolved",
       lambda v: share(v, v.resolved_t, window(v, None)), actionable=True),
)
