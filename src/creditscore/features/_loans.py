"""Loan, instalment and credit-card features.

``loans`` features read the accounts open or closed at t; ``repayments``
features read the instalments and card statements due by t, with lateness as
known at t (an unpaid instalment is ``t - due_on`` days late). A delinquency
is an instalment 30 or more days late; force-majeure instalments are never
late. Card (revolving) features read statements of cards open at t: the last
statement is the latest one due in the 3 months up to t (a card without a
statement for 3 months has none), found per card and t with a window (Spark has
no as-of join).
"""

from __future__ import annotations

from ..records._contract import PRODUCTS
from ._definitions import FeatureDef
from ._reductions import count, money_mean, money_sum, months_since, ratio, share, window
from ._visibility import DAYS_PER_MONTH

__all__ = ["FEATURES"]

BUCKETS = ((1, 29), (30, 59), (60, 89), (90, None))


def _f(source, name, description, direction, reason, build, *, fill=None, dtype="float64", **kw):
    if name.startswith("cc_"):
        kw.setdefault("relation", "card_statements")
    return FeatureDef(name, description, source, direction, reason, build=build, fill=fill,
                      dtype=dtype, **kw)


def _count(source, name, description, direction, reason, build, **kw):
    return _f(source, name, description, direction, reason, build, fill=0, dtype="int64", **kw)


# ------------------------------------------------------------------- accounts
def _open_product(product):
    return _count("loans", f"ln_open_{product}", f"Open {product.replace('_', ' ')} accounts", 0,
                  f"{{value:.0f}} open {product.replace('_', ' ')} account{{s}}",
                  lambda v: count(v, v.open_t & (v.product == product)))


LOAN_FEATURES: tuple[FeatureDef, ...] = (
    _count("loans", "ln_open_count", "Open credit accounts", 0,
           "{value:.0f} open credit account{s}", lambda v: count(v, v.open_t)),
    *(_open_product(p) for p in PRODUCTS),
    _count("loans", "ln_closed_count", "Credit accounts closed by now", 0,
           "{value:.0f} closed credit account{s}", lambda v: count(v, ~v.open_t)),
    _count("loans", "ln_opened_6m", "Credit accounts opened in the last 6 months", 1,
           "{value:.0f} credit account{s} opened in the last 6 months",
           lambda v: count(v, window(v, 6, "opened_on"))),
    _count("loans", "ln_opened_12m", "Credit accounts opened in the last 12 months", 1,
           "{value:.0f} credit account{s} opened in the last 12 months",
           lambda v: count(v, window(v, 12, "opened_on"))),
    _f("loans", "ln_oldest_age_months", "Age of the oldest credit account in months (missing "
       "if none)", -1, "The oldest credit account is only {value:.0f} month{s} old",
       lambda v: v.age_days.max().cast("float64") / DAYS_PER_MONTH),
    _f("loans", "ln_newest_age_months", "Age of the newest credit account in months (missing "
       "if none)", -1, "A credit account was opened {value:.0f} month{s} ago",
       lambda v: v.age_days.min().cast("float64") / DAYS_PER_MONTH),
    _f("loans", "ln_open_principal", "Principal of open instalment loans", 0,
       "{value:,.0f} borrowed on open instalment loans",
       lambda v: money_sum(v, "principal_c", v.open_t & ~v.revolving), fill=0.0),
    _f("loans", "ln_card_limit", "Total credit limit of open cards", 0,
       "Credit card limits total {value:,.0f}",
       lambda v: money_sum(v, "principal_c", v.open_t & v.revolving), fill=0.0),
    _count("loans", "ln_microlender_open", "Open accounts with microlenders", 1,
           "{value:.0f} open account{s} with microlenders",
           lambda v: count(v, v.open_t & (v.lender_type == "microlender"))),
    _count("loans", "ln_consumer_finance_open", "Open accounts with consumer finance companies",
           1, "{value:.0f} open account{s} with consumer finance companies",
           lambda v: count(v, v.open_t & (v.lender_type == "consumer_finance"))),
)


# ---------------------------------------------------------------- instalments
LATE = "late_instalments"


def _bucket(lo, hi, n):
    def build(v):
        cond = v.late & (v.days_late >= lo) & window(v, n)
        return count(v, cond if hi is None else cond & (v.days_late <= hi))

    label = f"{lo}-{hi}" if hi else f"{lo}+"
    name = f"rp_late_{lo}_{hi}_{n}m" if hi else f"rp_late_{lo}p_{n}m"
    return _count("repayments", name, f"Instalments {label} days late (unpaid: so far), last {n} "
                  "months", 1, f"{{value:.0f}} instalment{{s}} {label} days late in the last {n} "
                  "months", build, relation=LATE)


def _late_n(n, days, name):
    return _count("repayments", name, f"Instalments {days} or more days late, last {n} months", 1,
                  f"{{value:.0f}} instalment{{s}} {days} or more days late in the last {n} months",
                  lambda v: count(v, v.late & (v.days_late >= days) & window(v, n)),
                  relation=LATE)


def _max_late(n, name):
    span = f"the last {n} months" if n else "the record"
    return _count("repayments", name, f"Most days any instalment of {span} was late", 1,
                  f"An instalment was {{value:.0f}} day{{s}} late in {span}",
                  lambda v: v.days_late.max(where=window(v, n)), relation=LATE)


def _ontime(n):
    return _f("repayments", f"rp_ontime_share_{n}m", f"Share of instalments of the last {n} "
              "months paid on time", -1, f"Only {{value:.0%}} of instalments in the last {n} "
              "months were paid on time", lambda v: share(v, ~v.late, window(v, n)),
              actionable=True)


REPAYMENT_FEATURES: tuple[FeatureDef, ...] = (
    _count("repayments", "rp_count_12m", "Instalments and statements due in the last 12 months",
           0, "{value:.0f} instalment{s} {were} due in the last 12 months",
           lambda v: count(v, window(v, 12))),
    _ontime(12),
    _ontime(36),
    *(_bucket(lo, hi, 12) for lo, hi in BUCKETS),
    _bucket(90, None, 36),
    _late_n(3, 1, "rp_late_count_3m"),
    _late_n(6, 30, "rp_late30_count_6m"),
    _late_n(24, 30, "rp_late30_count_24m"),
    _max_late(3, "rp_days_late_max_3m"),
    _max_late(12, "rp_days_late_max_12m"),
    _max_late(36, "rp_days_late_max_36m"),
    _max_late(None, "rp_days_late_max_ever"),
    _f("repayments", "rp_months_since_late", "Months since the last instalment paid late "
       "(missing if none on record)", -1, "The last late instalment was due {value:.0f} month{s} "
       "ago", lambda v: months_since(v, "due_on", v.late), relation=LATE),
    _f("repayments", "rp_months_since_delinquency", "Months since the last instalment 30 or "
       "more days late (missing if none on record)", -1, "The last instalment 30 or more days "
       "late was due {value:.0f} month{s} ago",
       lambda v: months_since(v, "due_on", v.late & (v.days_late >= 30)), relation=LATE),
    _count("repayments", "rp_cured_delinquencies_36m", "Instalments of the last 36 months that "
           "were 30 or more days late and are now paid", 0, "{value:.0f} delinquent instalment{s} "
           "{were} later paid in the last 36 months",
           lambda v: count(v, v.late & (v.days_late >= 30) & v.paid_t & window(v, 36)),
           relation=LATE),
    _count("repayments", "rp_overdue_count", "Instalments due and unpaid now", 1,
           "{value:.0f} instalment{s} due and unpaid", lambda v: count(v, v.overdue),
           relation=LATE, actionable=True),
    _f("repayments", "rp_overdue_amount", "Amount of instalments due and unpaid now", 1,
       "{value:,.0f} in instalments is due and unpaid",
       lambda v: (v.due_c - v.paid_known_c.fill_null(0)).sum(where=v.overdue) / 100.0,
       fill=0.0, relation=LATE, actionable=True),
    _f("repayments", "rp_instalment_monthly", "Average monthly instalment due on open loans "
       "(last 3 months)", 1, "Monthly instalments of {value:,.0f}",
       lambda v: money_sum(v, "due_c", v.loan_open_t & ~v.revolving & window(v, 3)) / 3.0,
       fill=0.0),
    _f("repayments", "rp_burden_ratio", "Monthly instalments relative to the contribution base "
       "(an income proxy; missing without one)", 1, "Monthly instalments are {value:.0%} of "
       "the contribution base", lambda w: ratio(w.rp_instalment_monthly, w.si_base_avg_3m),
       kind="derived"),
)


# --------------------------------------------------------------------- cards
def _cards(v, n):
    return v.revolving & window(v, n)


def _last(v):
    """Statements that are the last of a card open at t (see ``visible_repayments``)."""
    return v.last_stmt


def _pay_share(n):
    return lambda v: ratio(v.paid_known_c.sum(where=_cards(v, n)),
                           v.due_c.sum(where=_cards(v, n) & v.paid_known_c.notnull()))


CARD_FEATURES: tuple[FeatureDef, ...] = (
    _f("repayments", "cc_util_last", "Last statement balance of open cards relative to their "
       "limits", 1, "Credit cards are used to {value:.0%} of their limits",
       lambda v: ratio(v.due_c.sum(where=_last(v)), v.principal_c.sum(where=_last(v))),
       actionable=True),
    _f("repayments", "cc_pay_share_last", "Share of the last card statement paid (where the "
       "payment is known)", -1, "Only {value:.0%} of the last card statement was paid",
       lambda v: ratio(v.paid_known_c.sum(where=_last(v)),
                       v.due_c.sum(where=_last(v) & v.paid_known_c.notnull())),
       actionable=True),
    _f("repayments", "cc_days_late_last", "Days the last card statement is or was late", 1,
       "The last card statement is {value:.0f} day{s} late",
       lambda v: v.days_late.max(where=_last(v)), actionable=True),
    _f("repayments", "cc_util_avg_6m", "Card statement balances relative to limits, last 6 "
       "months", 1, "Credit cards were used to {value:.0%} of their limits over 6 months",
       lambda v: ratio(v.due_c.sum(where=_cards(v, 6)), v.principal_c.sum(where=_cards(v, 6)))),
    _f("repayments", "cc_stmt_avg_3m", "Average card statement amount, last 3 months", 0,
       "Card statements averaged {value:,.0f} over 3 months",
       lambda v: money_mean(v, "due_c", _cards(v, 3))),
    _f("repayments", "cc_stmt_avg_6m", "Average card statement amount, last 6 months", 0,
       "Card statements averaged {value:,.0f} over 6 months",
       lambda v: money_mean(v, "due_c", _cards(v, 6))),
    _f("repayments", "cc_stmt_trend_6m", "Average card statement of the last 3 months relative "
       "to the 3 months before", 1, "Card statements grew to {value:.2f} times their earlier "
       "level", lambda v: ratio(money_mean(v, "due_c", _cards(v, 3)),
                                money_mean(v, "due_c", _cards(v, 6) & ~window(v, 3)))),
    _f("repayments", "cc_pay_share_3m", "Share of card statements of the last 3 months paid "
       "(where the payment is known)", -1, "Only {value:.0%} of card statements were paid over "
       "3 months", _pay_share(3), actionable=True),
    _f("repayments", "cc_pay_share_6m", "Share of card statements of the last 6 months paid "
       "(where the payment is known)", -1, "Only {value:.0%} of card statements were paid over "
       "6 months", _pay_share(6), actionable=True),
    _f("repayments", "cc_full_pay_share_6m", "Share of card statements of the last 6 months "
       "paid in full by their due date", -1, "Only {value:.0%} of card statements were paid in "
       "full on time over 6 months",
       lambda v: share(v, v.paid_t & (v.pay_days <= 0), _cards(v, 6)), actionable=True),
    _f("repayments", "cc_paid_avg_6m", "Average amount paid on card statements, last 6 months "
       "(where known)", -1, "Card payments averaged {value:,.0f} over 6 months",
       lambda v: money_mean(v, "paid_known_c", _cards(v, 6))),
    _count("repayments", "cc_days_late_max_6m", "Most days any card statement of the last 6 "
           "months was late", 1, "A card statement was {value:.0f} day{s} late in the last 6 "
           "months", lambda v: v.days_late.max(where=_cards(v, 6))),
)

FEATURES: tuple[FeatureDef, ...] = LOAN_FEATURES + REPAYMENT_FEATURES + CARD_FEATURES
