"""The subject's records at t, each used or left out, worded for the letter.

Whether a record was used, and why another was left out, is decided in one
place: :func:`creditscore.features._record_status.record_status`, from the
relations the features read (``features/_visibility.py``, shaped by
``features/_relations.py``). This module only
words the result. Statuses: ``used`` (read by some feature; ``negative``: a
late or unpaid obligation still shown, or a public record), else the reason
it is left out: ``expired``, ``disputed``, ``void``, ``force_majeure``,
``not_allowed``, ``not_in_catalogue``, ``not_yet_visible`` (obligations due
after t are not listed at all), ``outside_look_back``.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from .._grammar import count_of

__all__ = ["classify_records", "RECORD_COLUMNS", "STATUS_TEXT"]

RECORD_COLUMNS = ["source", "reference", "what", "date", "status", "why", "negative", "shown_until"]

#: the plain reason given for each status that leaves a record out
STATUS_TEXT = {
    "expired": "its display period ended on {until}; it is no longer shown",
    "disputed": "you disputed it on {opened}; it is set aside until the dispute is decided",
    "void": "your dispute was upheld: the record was wrong and is void",
    "force_majeure": "it was caused by force majeure and is never counted against you",
    "not_allowed": "this type of record may not be used under the catalogue",
    "not_yet_visible": "it is dated after the date of this assessment",
    "not_in_catalogue": "this type of record is not in the catalogue of records that may be used",
    "outside_look_back": "it is older than the period the assessment looks back at",
}
PRODUCTS = {
    "mortgage": "Mortgage",
    "consumer": "Consumer loan",
    "credit_card": "Credit card",
    "auto": "Car loan",
    "business": "Business loan",
    "microloan": "Microloan",
}
LENDERS = {
    "bank": "a bank",
    "consumer_finance": "a consumer finance company",
    "microlender": "a microlender",
}
SOURCE_ORDER = {"public record": 0, "loan": 1, "instalment": 2, "contribution": 3}


def _date(v) -> dt.date | None:
    if v is None or v is pd.NaT or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, dt.datetime | pd.Timestamp):
        return v.date()
    return v if isinstance(v, dt.date) else pd.Timestamp(v).date()


def _flag(v) -> bool:
    return bool(v) if v is not None and v is not pd.NA and v == v else False


def _money(x) -> str:
    return "" if x is None or x != x else f"{float(x):,.2f}"


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def _period(months: int) -> str:
    return count_of(months // 12, "year") if months % 12 == 0 else count_of(months, "month")


def _row(source, reference, what, date, status, why, negative=False, shown_until=None):
    return dict(
        source=source,
        reference=reference,
        what=what,
        date=date,
        status=status,
        why=why,
        negative=negative,
        shown_until=shown_until,
    )


def _public(r, t: dt.date, catalogue) -> dict:
    rec_on, res_on = _date(r["recorded_on"]), _date(r["resolved_on"])
    kind = str(r["record_type"]).replace("_", " ")
    what = f"{kind[:1].upper()}{kind[1:]} ({r['severity']})"
    if r.get("amount") is not None and r["amount"] == r["amount"]:
        what += f", amount {_money(r['amount'])}"
    rtype = catalogue.record_types.get(r["record_type"])
    months = rtype.display_period_months if rtype is not None else None
    until = r["expires_on"]
    base = ("public record", str(r["record_id"]), what, rec_on)
    if not r["used"]:
        opened = _date(r["dispute_opened_on"])
        why = STATUS_TEXT[r["reason"]].format(until=until, opened=opened)
        return _row(*base, r["reason"], why, r["reason"] == "expired", until)
    why = (
        f"resolved on {res_on}; shown until {until}"
        if res_on is not None and res_on <= t and until is not None
        else f"unresolved; it will be shown until {_period(months)} after it is resolved"
    )
    return _row(*base, "used", why, True, until)


def _obligation(source, reference, what, r, months: int, own: bool) -> dict:
    due, paid = _date(r["due_on"]), _date(r["paid_on"])
    base = (source, reference, what, due)
    until = r["expires_on"]
    if not r["used"]:
        why = STATUS_TEXT[r["reason"]].format(until=until, opened=None)
        return _row(*base, r["reason"], why, r["reason"] == "expired", until)
    days, paid_t = r["days_late"], bool(r["paid_t"])
    if days is None or days != days:  # read only as cover of its month or as its employer's
        return _row(*base, "used", "counts as a month with contributions")
    days = int(days)
    if _flag(r["force_majeure"]) and not r["negative"]:
        return _row(*base, "used", "caused by force majeure: it is never counted as late")
    if days <= 0:
        return _row(*base, "used", "paid on time" if paid_t else f"due on {due}, not yet paid")
    state = f"paid {_days(days)} late on {paid}" if paid_t else f"unpaid, {_days(days)} overdue"
    if not own:
        return _row(*base, "used", f"{state}; owed by your employer, not counted against you")
    shown = f"{until}" if until else f"{_period(months)} after it is paid"
    return _row(*base, "used", f"{state}; shown until {shown}", bool(r["negative"]), until)


def classify_records(tables, subject_id: str, as_of, catalogue=None, extracted_on=None):
    """Every record of one subject with its status at ``as_of`` and the reason.

    Parameters
    ----------
    tables : dict of str to DataFrame
        The record set's tables (contract columns; ``RecordSet.to_pandas``).
    subject_id : str
    as_of : date or str
    catalogue : Catalogue, optional
        Record types' display periods and whether they are allowed (default:
        the shipped catalogue).
    extracted_on : date, optional
        The record set's extraction day.

    Returns
    -------
    DataFrame
        Columns ``RECORD_COLUMNS``; one row per public record, loan and
        obligation due by ``as_of``.
    """
    from ..features._record_status import record_status

    if catalogue is None:
        from ..records import load_catalogue

        catalogue = load_catalogue()
    t = _date(as_of) if not isinstance(as_of, str) else dt.date.fromisoformat(as_of)
    status = record_status(tables, subject_id, t, catalogue, extracted_on)
    rows = [_public(r, t, catalogue) for r in status["public_records"].to_dict("records")]
    rows += _loans_and_repayments(status, t, catalogue)
    months = catalogue.negative_item_months["unpaid_contribution"]
    for r in status["contributions"].to_dict("records"):
        if r["reason"] == "not_yet_visible":
            continue
        period = _date(r["period"])
        ref = f"{r['insurance_type']} {period:%Y-%m}"
        own = r["employer_id"] is None or r["employer_id"] != r["employer_id"]
        what = f"{str(r['insurance_type']).capitalize()} contribution for {period:%B %Y}"
        rows.append(_obligation("contribution", ref, what, r, months, own))
    out = pd.DataFrame(rows, columns=RECORD_COLUMNS)
    rank = out["source"].map(SOURCE_ORDER)
    order = pd.DataFrame({"rank": rank, "date": out["date"], "reference": out["reference"]})
    return out.loc[
        order.sort_values(["rank", "date", "reference"], kind="stable").index
    ].reset_index(drop=True)


def _loans_and_repayments(status: dict, t: dt.date, catalogue) -> list[dict]:
    rows = []
    mine = status["loans"]
    for r in mine.to_dict("records"):
        opened, closed = _date(r["opened_on"]), _date(r["closed_on"])
        what = (
            f"{PRODUCTS.get(r['product'], r['product'])} from "
            f"{LENDERS.get(r['lender_type'], r['lender_type'])}, {_money(r['principal'])}"
        )
        if not r["used"]:
            rows.append(_row("loan", str(r["loan_id"]), what, opened, r["reason"],
                             STATUS_TEXT[r["reason"]]))
        else:
            state = f"closed on {closed}" if closed is not None and closed <= t else "open"
            rows.append(_row("loan", str(r["loan_id"]), what, opened, "used", state))
    months = catalogue.negative_item_months["late_instalment"]
    cards = {str(r["loan_id"]) for r in mine.to_dict("records") if r["product"] == "credit_card"}
    for r in status["repayments"].to_dict("records"):
        if r["reason"] == "not_yet_visible":
            continue
        due = _date(r["due_on"])
        kind = "Card statement" if str(r["loan_id"]) in cards else "Instalment"
        what = f"{kind} of {_money(r['amount_due'])} on {r['loan_id']}"
        rows.append(_obligation("instalment", f"{r['loan_id']} {due}", what, r, months, True))
    return rows
