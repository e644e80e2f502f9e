"""How a reason weighs: the second half of every reason sentence.

A reason is given only where a feature's exact contribution raises the
subject's risk, but the bare fact does not always say so: "No open
instalment loans" reads as harmless, though with nothing to repay there is
little recent repayment history to go on, and the model weighs that against
the subject. So every sentence is the fact, a colon, and how it weighs:
"No open instalment loans: little recent repayment history to go on".

The clause depends on the feature and on which of three cases the value is
in: ``"missing"`` (nothing on record), ``"zero"`` and ``"value"`` (any other
value). ``WEIGHS`` holds the clauses by feature name, or by the family the
name belongs to (``_families.family_key``); a case a feature does not name
uses its ``"value"`` clause for ``"zero"``, and ``MISSING_WEIGHS`` for
``"missing"``. A feature without a set direction (``direction == 0``) has no
"more is worse" to say, so its clauses say what the value means for the
evidence, or, where the model found a level that weighs against the subject
without a rule a person could state, ``AT_THIS_LEVEL``. A feature this table
does not know (a definition passed by the user) gets ``FALLBACK``: the
sentence still says how the value weighs, in the model's terms.

Only the wording is chosen here: which features are reasons, their order and
their contributions are those of the exact attributions (``_reasons``).
"""

from __future__ import annotations

import math

from ._families import family_key

__all__ = ["WEIGHS", "MISSING_WEIGHS", "AT_THIS_LEVEL", "FALLBACK", "STILL", "weighing", "case_of"]

#: a direction-free feature at a level the model weighs against the subject
AT_THIS_LEVEL = "at this level the model weighs it towards a higher risk"
#: a feature this module has no words for (a user's own definition)
FALLBACK = "the model weighs this towards a higher risk"
#: nothing on record, where the feature names no clause of its own
MISSING_WEIGHS = "with nothing on record, there is little to go on"
#: a value that reads as good news but which the model still weighs against the subject
STILL = "in this model it still weighs towards a higher risk"

_LATE_SI = "late contributions are a sign of payment trouble"
_LATE_RP = "late instalments are a sign of repayment trouble"
_LATE_CC = "late card payments are a sign of payment trouble"
_RECENT = "the more recent it was, the more it weighs"
_THIN_LOANS = "little credit history to go on"
_THIN_REPAY = "little recent repayment history to go on"

#: clauses by feature name or family key: a string (every case) or a dict by case
WEIGHS: dict[str, str | dict[str, str]] = {
    # social insurance: contributions show income and whether it is steady
    "si_months_covered": {"value": "few months of contributions mean less steady income on record",
                          "missing": "no recent contribution history to go on"},
    "si_gap_months": "gaps in social insurance cover often come with a loss of income",
    "si_months_since_covered": {"value": "no recent contribution suggests no income on record now",
                                "missing": "no employment history on record to go on"},
    "si_new_employers": "frequent changes of employer weigh towards a higher risk",
    "si_self_paid_share": {"value": AT_THIS_LEVEL,
                           "missing": "no recent contribution history to go on"},
    "si_base_avg": {"value": "a lower contribution base means a lower income on record",
                    "missing": "no recent income on record to go on"},
    "si_base_trend": {"value": "the more the base fell against its earlier level, the higher "
                               "the risk",
                      "missing": "too little contribution history to see a trend"},
    "si_own": {"zero": "little payment history of the subject's own to go on",
               "value": AT_THIS_LEVEL,
               "missing": "little payment history of the subject's own to go on"},
    "si_ontime_share": {"value": "contributions not paid on time weigh towards a higher risk",
                        "missing": "little payment history of the subject's own to go on"},
    "si_late": _LATE_SI,
    "si_late30": _LATE_SI,
    "si_late90": _LATE_SI,
    "si_days_late_max": _LATE_SI,
    "si_days_late_mean": {"value": _LATE_SI,
                          "missing": "little payment history of the subject's own to go on"},
    "si_arrears": "contributions due and unpaid weigh heavily towards a higher risk",
    "si_arrears_longest_run": _LATE_SI,
    "si_months_since_late": {"value": _RECENT,
                             "missing": STILL},
    "si_months_since_late30": {"value": _RECENT,
                               "missing": STILL},
    # loans: what is borrowed and how long there is a history of it
    "ln_open": {"zero": _THIN_LOANS, "value": AT_THIS_LEVEL},
    "ln_open_mortgage": {"zero": _THIN_LOANS, "value": AT_THIS_LEVEL},
    "ln_open_consumer": {"zero": _THIN_LOANS, "value": AT_THIS_LEVEL},
    "ln_open_credit_card": {"zero": "little card history to go on", "value": AT_THIS_LEVEL},
    "ln_open_auto": {"zero": _THIN_LOANS, "value": AT_THIS_LEVEL},
    "ln_open_business": {"zero": _THIN_LOANS, "value": AT_THIS_LEVEL},
    "ln_open_microloan": {"zero": _THIN_LOANS, "value": AT_THIS_LEVEL},
    "ln_closed": {"zero": "no credit repaid in full to go on", "value": AT_THIS_LEVEL},
    "ln_opened": "several new accounts in a short time weigh towards a higher risk",
    "ln_oldest_age_months": {"value": "a short credit history gives little to go on",
                             "missing": _THIN_LOANS},
    "ln_newest_age_months": {"value": "recently opened credit weighs towards a higher risk",
                             "missing": _THIN_LOANS},
    "ln_open_principal": {"zero": _THIN_REPAY, "value": AT_THIS_LEVEL},
    "ln_card_limit": {"zero": "no card history to go on", "missing": "no card history to go on",
                      "value": AT_THIS_LEVEL},
    "ln_microlender_open": "such short, costly credit often comes with a strained budget",
    "ln_consumer_finance_open": "such costly credit often comes with a strained budget",
    # repayments: the subject's own record of paying instalments
    "rp": {"zero": _THIN_REPAY, "value": AT_THIS_LEVEL},
    "rp_ontime_share": {"value": "instalments not paid on time weigh towards a higher risk",
                        "missing": _THIN_REPAY},
    "rp_late_1_29": _LATE_RP,
    "rp_late_30_59": _LATE_RP,
    "rp_late_60_89": _LATE_RP,
    "rp_late_90p": _LATE_RP,
    "rp_late": _LATE_RP,
    "rp_late30": _LATE_RP,
    "rp_days_late_max": _LATE_RP,
    "rp_months_since_late": {"value": _RECENT,
                             "missing": STILL},
    "rp_months_since_delinquency": {"value": _RECENT,
                                    "missing": STILL},
    "rp_cured_delinquencies": {"value": "instalments paid only after falling behind weigh towards "
                                        "a higher risk",
                               "zero": AT_THIS_LEVEL},
    "rp_overdue": "instalments due and unpaid weigh heavily towards a higher risk",
    "rp_instalment_monthly": "larger instalments leave less room in the budget",
    "rp_burden_ratio": {"value": "the more of the income instalments take, the less room is left",
                        "missing": "no income on record to weigh the instalments against"},
    # credit cards: how much of the limit is used and how statements are paid
    "cc_util_last": {"value": "using more of the limit leaves less room to absorb a shock",
                     "missing": "no card history to go on"},
    "cc_util_avg": {"value": "using more of the limit leaves less room to absorb a shock",
                    "missing": "no card history to go on"},
    "cc_pay_share_last": {"value": "paying less of the statement lets the balance grow",
                          "missing": "no card payment history to go on"},
    "cc_pay_share": {"value": "paying less of the statements lets the balance grow",
                     "missing": "no card payment history to go on"},
    "cc_full_pay_share": {"value": "statements not paid in full let the balance grow",
                          "missing": "no card history to go on"},
    "cc_paid_avg": {"value": "smaller card payments let the balance grow",
                    "missing": "no card payment history to go on"},
    "cc_days_late_last": {"value": _LATE_CC, "missing": "no card history to go on"},
    "cc_days_late_max": _LATE_CC,
    "cc_stmt_avg": {"zero": "little card use to go on", "value": AT_THIS_LEVEL,
                    "missing": "no card history to go on"},
    "cc_stmt_trend": {"value": "the faster card balances grow, the higher the risk",
                      "missing": "too little card history to see a trend"},
    # public records: one family, but the age and the resolved share weigh differently
    "public_records": "public records of unpaid obligations weigh towards a higher risk",
    "pr_months_since_last": {"value": _RECENT,
                             "missing": STILL},
    "pr_resolved_share": {"value": "unresolved records weigh more than resolved ones",
                          "missing": STILL},
    # entities (employers): contributions owed for their employees
    "ent_arrears": "contributions owed for employees and unpaid weigh heavily towards a higher "
                   "risk",
    "ent_arrears_longest_run": _LATE_SI,
    "ent_late_months": _LATE_SI,
    "ent_late30_months": _LATE_SI,
    "ent_months_since_late": {"value": _RECENT,
                              "missing": STILL},
    "ent_ontime_share": {"value": "contributions not paid on time weigh towards a higher risk",
                         "missing": "little payment history to go on"},
    "ent_headcount": {"zero": "no employees on the rolls to go on", "value": AT_THIS_LEVEL},
    "ent_headcount_12m_ago": {"zero": "no employees on the rolls a year earlier to go on",
                              "value": AT_THIS_LEVEL},
    "ent_headcount_trend": {"value": "the more the workforce shrinks, the higher the risk",
                            "missing": "too little history to see a trend"},
}


def case_of(value) -> str:
    """``"missing"``, ``"zero"`` or ``"value"``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "missing"
    return "zero" if float(value) == 0 else "value"


def _entry(name: str):
    if name in WEIGHS:
        return WEIGHS[name]
    # the name without its window (``_12m``), then its family (no measure suffix)
    for key in (family_key(name), name.rsplit("_", 1)[0]):
        if key in WEIGHS:
            return WEIGHS[key]
    return None


def weighing(defn, value) -> str:
    """How the subject's ``value`` of ``defn`` weighs, as a clause (lower case, no stop).

    A clause given as one string is the ``"value"`` case. A case the entry
    does not name: ``MISSING_WEIGHS`` when missing; ``STILL`` for a zero of a
    feature where more is worse (no such thing on record, yet it weighs
    against the subject); else the ``"value"`` clause.
    """
    entry = _entry(defn.name)
    if entry is None:
        return FALLBACK
    clauses = {"value": entry} if isinstance(entry, str) else entry
    case = case_of(value)
    if case in clauses:
        return clauses[case]
    if case == "missing":
        return MISSING_WEIGHS
    if case == "zero" and getattr(defn, "direction", 0) == 1:
        return STILL
    return clauses.get("value", FALLBACK)
