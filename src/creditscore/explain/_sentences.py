"""Reason sentences and reason families.

A reason is written from the feature definition's ``reason`` template and the
subject's own value, never from a column name. A missing value (a share with
no denominator, "months since" with nothing on record) is a reason only when
its exact contribution is positive; its sentence then says what is missing
(the definition's ``missing_reason`` if it has one, else one of the phrasings
below, else a sentence built from the description).

Families: features that restate one fact over different look-back windows
(``si_late_count_6m``, ``_12m``, ``_36m``) or as a count and an amount
(``si_arrears_count``, ``si_arrears_amount``) share a family, the name
without its window and measure suffixes, so that one fact is not given as
four reasons. Every
public-record feature is one family (``FAMILY_PREFIXES``): the records on
file are one fact, given once, and its sentence names the kinds of record
the subject has on file (``FAMILY_DETAILS``), so that "48,075 is owed on
unresolved public records" reads "... (on file: enforcement default)".

Every sentence then says how the value weighs (``_weighing``): the fact, a
colon and a clause, "No open instalment loans: little recent repayment
history to go on", so that no reason reads as harmless.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

import numpy as np

from .._grammar import format_count_template
from ._families import FAMILY_OVERRIDES, FAMILY_PREFIXES, family_key
from ._weighing import weighing

__all__ = [
    "family_key",
    "families_for",
    "reason_sentence",
    "sentences_for",
    "detail_columns",
    "MISSING_REASONS",
    "ZERO_REASONS",
    "FAMILY_OVERRIDES",
    "FAMILY_PREFIXES",
    "FAMILY_DETAILS",
    "COMPOSITE_REASONS",
    "FLAT_WEIGHS",
    "composite_columns",
]

#: a family whose reason is one sentence from two of its columns (both > 0):
#: "Contributions owed for 12 employees are 3 months unpaid"
COMPOSITE_REASONS: dict[str, tuple[str, str, str]] = {
    "ent_arrears": ("ent_arrears_employees", "ent_arrears_months",
                    "Contributions owed for {a} are {b} unpaid"),
}

#: a reason of these families names what is on file, from the subject's own
#: counts: "... (on file: enforcement default, civil judgment)"
FAMILY_DETAILS: dict[str, tuple[tuple[str, str], ...]] = {
    "public_records": (
        ("pr_enforcement_default_count", "enforcement default"),
        ("pr_civil_judgment_count", "civil judgment"),
        ("pr_tax_arrears_count", "tax arrears"),
        ("pr_administrative_penalty_count", "administrative penalty"),
        ("pr_benefit_fraud_count", "benefit fraud"),
    ),
}

#: sentences for a missing value of the package's features (no record of the thing)
MISSING_REASONS: dict[str, str] = {
    "si_months_since_covered": "No social insurance contributions on record",
    "si_self_paid_share_12m": "No social insurance contributions in the last 12 months",
    "si_base_avg_3m": "No contribution base on record for the last 3 months",
    "si_base_avg_12m": "No contribution base on record for the last 12 months",
    "si_base_trend_12m": "Not enough contribution history to compare the last 12 months",
    "si_ontime_share_12m": "No self-owed contributions in the last 12 months",
    "si_ontime_share_36m": "No self-owed contributions in the last 36 months",
    "si_days_late_mean_12m": "No self-owed contributions in the last 12 months",
    "si_months_since_late": "No late contribution on record",
    "si_months_since_late30": "No contribution 30 or more days late on record",
    "ln_oldest_age_months": "No credit accounts on record",
    "ln_newest_age_months": "No credit accounts on record",
    "rp_ontime_share_12m": "No instalments due in the last 12 months",
    "rp_ontime_share_36m": "No instalments due in the last 36 months",
    "rp_months_since_late": "No late instalment on record",
    "rp_months_since_delinquency": "No instalment 30 or more days late on record",
    "rp_burden_ratio": "No contribution base on record to compare the instalments with",
    "cc_util_last": "No credit card statement on record",
    "cc_pay_share_last": "No known payment of the last credit card statement",
    "cc_days_late_last": "No credit card statement on record",
    "cc_util_avg_6m": "No credit card statements in the last 6 months",
    "cc_stmt_avg_3m": "No credit card statements in the last 3 months",
    "cc_stmt_avg_6m": "No credit card statements in the last 6 months",
    "cc_stmt_trend_6m": "Not enough credit card history to compare the last 6 months",
    "cc_pay_share_3m": "No known card payments in the last 3 months",
    "cc_pay_share_6m": "No known card payments in the last 6 months",
    "cc_full_pay_share_6m": "No credit card statements in the last 6 months",
    "cc_paid_avg_6m": "No known card payments in the last 6 months",
    "pr_months_since_last": "No public records on file",
    "pr_resolved_share": "No public records on file",
    "ln_card_limit": "No credit card limit",
}

#: sentences for a value of zero that a template cannot say well
ZERO_REASONS: dict[str, str] = {
    "ln_card_limit": "No credit card limit",
    "ln_open_principal": "No open instalment loans",
    "si_arrears_amount": "No social insurance contributions are due and unpaid",
    "rp_overdue_amount": "No instalments are due and unpaid",
    "pr_unresolved_amount": "Nothing is owed on unresolved public records",
    "pr_amount_sum": "Nothing at stake in public records",
    **{f"ent_arrears_{k}": "No contributions owed for employees are due and unpaid"
       for k in ("count", "amount", "employees", "months")},
}

#: how a flat-table column's reason weighs (its meaning is the user's, not the package's)
FLAT_WEIGHS = "which the model weighs towards a higher risk"

_PAREN = re.compile(r"\s*\([^)]*\)")


def families_for(
    defs: Sequence, families: Mapping[str, str] | None = None
) -> tuple[np.ndarray, list[str]]:
    """Integer family code of each definition (first-seen order) and the family keys.

    The key is ``families[name]`` if given, else the definition's own
    ``family`` attribute if it has one, else :func:`family_key`.
    """
    keys: list[str] = []
    index: dict[str, int] = {}
    codes = np.empty(len(defs), dtype=np.int64)
    for i, defn in enumerate(defs):
        name = defn.name
        key = (families or {}).get(name) or getattr(defn, "family", None) or family_key(name)
        codes[i] = index.setdefault(key, len(keys))
        if codes[i] == len(keys):
            keys.append(key)
    return codes, keys


def _missing_sentence(defn) -> str:
    own = getattr(defn, "missing_reason", None)
    if own:
        return own
    if defn.name in MISSING_REASONS:
        return MISSING_REASONS[defn.name]
    what = _PAREN.sub("", defn.description).strip().rstrip(".")
    return f"Not enough on record to assess: {what[:1].lower()}{what[1:]}"


def _fact(defn, value: float) -> str:
    """The first half of the sentence: what is on record, in the subject's own value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        text = _missing_sentence(defn)
    else:
        # plurals and verbs agree with the value as printed (creditscore._grammar):
        # "{value:.0f} public record{s} on file", "No public records on file"
        text = ZERO_REASONS.get(defn.name) if float(value) == 0 else None
        text = text or format_count_template(defn.reason, float(value))
    return text[:1].upper() + text[1:]


def _weighed(fact: str, clause: str) -> str:
    return f"{fact}: {clause}"


def reason_sentence(defn, value: float) -> str:
    """The plain-language reason of one feature for the subject's own value.

    The fact and how it weighs (``_weighing``): "No open instalment loans:
    little recent repayment history to go on".

    Parameters
    ----------
    defn : FeatureDef
    value : float
        The subject's value; NaN means missing (no record).

    A definition with its own ``sentence(value)`` method (a flat-table
    column, see ``creditscore.models.FlatFeature``) writes its own fact.
    """
    own = getattr(defn, "sentence", None)
    if callable(own):
        return f"{own(value)}, {FLAT_WEIGHS}"
    return _weighed(_fact(defn, value), weighing(defn, value))


def detail_columns(defs: Sequence, family_keys: Sequence[str]) -> dict[int, list]:
    """Per column whose family has ``FAMILY_DETAILS``: the (column, label) pairs to name."""
    index = {d.name: j for j, d in enumerate(defs)}
    out = {}
    for j, key in enumerate(family_keys):
        pairs = [(index[n], label) for n, label in FAMILY_DETAILS.get(key, ()) if n in index]
        if pairs and defs[j].name not in {n for n, _ in FAMILY_DETAILS[key]}:
            out[j] = pairs
    return out


def composite_columns(defs: Sequence, family_keys: Sequence[str]) -> dict[int, tuple]:
    """Per column of a ``COMPOSITE_REASONS`` family: (column a, column b, template)."""
    index = {d.name: j for j, d in enumerate(defs)}
    out = {}
    for j, key in enumerate(family_keys):
        if key in COMPOSITE_REASONS:
            a, b, template = COMPOSITE_REASONS[key]
            if a in index and b in index:
                out[j] = (index[a], index[b], template)
    return out


def _noun(value: float, word: str) -> str:
    n = int(round(value))
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _composite(X: np.ndarray, rows: np.ndarray, spec: tuple, fallback: np.ndarray) -> np.ndarray:
    a, b, template = spec
    va, vb = np.nan_to_num(X[rows, a]), np.nan_to_num(X[rows, b])
    out = fallback.copy()
    for i in np.nonzero((va > 0) & (vb > 0))[0]:
        out[i] = template.format(a=_noun(va[i], "employee"), b=_noun(vb[i], "month"))
    return out


def _suffixes(X: np.ndarray, rows: np.ndarray, pairs: list) -> np.ndarray:
    bits = np.zeros(len(rows), dtype=np.int64)
    for i, (col, _) in enumerate(pairs):
        bits |= (np.nan_to_num(X[rows, col]) > 0).astype(np.int64) << i
    uniq, inverse = np.unique(bits, return_inverse=True)
    texts = []
    for b in uniq.tolist():
        kinds = [label for i, (_, label) in enumerate(pairs) if (b >> i) & 1]
        texts.append(f" (on file: {', '.join(kinds)})" if kinds else "")
    return np.array(texts, dtype=object)[inverse.ravel()]


def sentences_for(
    codes: np.ndarray, X: np.ndarray, defs: Sequence, details: Mapping[int, list] | None = None,
    composites: Mapping[int, tuple] | None = None,
) -> np.ndarray:
    """Sentences (object array, None where no reason) for reason columns ``codes``.

    Each (feature, value) pair is formatted once, so a million rows cost
    about as many format calls as there are distinct values. ``details``
    (see :func:`detail_columns`) appends what is on file to the fact; the
    clause of how it weighs comes last.
    """
    out = np.full(codes.shape, None, dtype=object)
    for f in np.unique(codes[codes >= 0]):
        where = np.nonzero(codes == f)
        values = X[where[0], f]
        uniq, inverse = np.unique(values, return_inverse=True)
        inverse = inverse.ravel()
        defn = defs[f]
        if callable(getattr(defn, "sentence", None)):
            out[where] = np.array([reason_sentence(defn, v) for v in uniq.tolist()],
                                  dtype=object)[inverse]
            continue
        facts = np.array([_fact(defn, v) for v in uniq.tolist()], dtype=object)[inverse]
        clauses = np.array([": " + weighing(defn, v) for v in uniq.tolist()],
                           dtype=object)[inverse]
        if details and f in details:
            facts = facts + _suffixes(X, where[0], details[f])
        if composites and f in composites:
            facts = _composite(X, where[0], composites[f], facts)
        out[where] = facts + clauses
    return out
