"""Which of a subject's records were used at t, and why the others were left out.

``classify_records`` applies, record by record, the rule that
``creditscore.features._visibility`` applies to whole tables (the contract's
point-in-time rule, shared/spec/records.md), so that the subject's letter can
list each record with its status. The date arithmetic (display periods in
calendar months) is ``_visibility.add_months`` itself; the rule is restated
here in pandas because the feature module expresses it as Ibis relations
over all subjects, not per record. Statuses:

``used``             visible at t and counted (``negative``: a late or unpaid
                     obligation, or a public record)
``expired``          a negative item past its display period at t
``disputed``         a public record under open dispute at t (set aside)
``void``             a public record whose dispute was upheld
``force_majeure``    a record or late obligation caused by force majeure
``not_allowed``      a record type the catalogue does not allow
``not_yet_visible``  recorded or opened after t (obligations due after t are
                     not listed at all)
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
    from ..features._visibility import add_months

    rec_on, res_on = _date(r["recorded_on"]), _date(r["resolved_on"])
    opened, closed = _date(r["dispute_opened_on"]), _date(r["dispute_closed_on"])
    kind = str(r["record_type"]).replace("_", " ")
    what = f"{kind[:1].upper()}{kind[1:]} ({r['severity']})"
    if r.get("amount") is not None and r["amount"] == r["amount"]:
        what += f", amount {_money(r['amount'])}"
    rtype = catalogue.record_types.get(r["record_type"]) if catalogue is not None else None
    months = rtype.display_period_months if rtype is not None else 60
    until = add_months(res_on, months) if res_on is not None and res_on <= t else None
    base = ("public record", str(r["record_id"]), what, rec_on)
    if rec_on > t:
        return _row(*base, "not_yet_visible", STATUS_TEXT["not_yet_visible"])
    if _flag(r.get("dispute_upheld")):
        return _row(*base, "void", STATUS_TEXT["void"])
    if rtype is not None and not rtype.allowed:
        return _row(*base, "not_allowed", STATUS_TEXT["not_allowed"])
    if _flag(r["force_majeure"]):
        return _row(*base, "force_majeure", STATUS_TEXT["force_majeure"])
    if opened is not None and opened <= t and (closed is None or closed > t):
        return _row(*base, "disputed", STATUS_TEXT["disputed"].format(opened=opened))
    if until is not None and until <= t:
        return _row(*base, "expired", STATUS_TEXT["expired"].format(until=until), True, until)
    why = (
        f"resolved on {res_on}; shown until {until}"
        if until is not None
        else f"unresolved; it will be shown until {_period(months)} after it is resolved"
    )
    return _row(*base, "used", why, True, until)


def _obligation(source, reference, what, r, t: dt.date, months: int, own: bool) -> dict | None:
    from ..features._visibility import add_months

    due, paid = _date(r["due_on"]), _date(r["paid_on"])
    if due > t:
        return None
    paid_t = paid is not None and paid <= t
    days = (paid - due).days if paid_t else (t - due).days
    base = (source, reference, what, due)
    if days <= 0:
        return _row(*base, "used", "paid on time" if paid_t else f"due on {due}, not yet paid")
    if _flag(r["force_majeure"]):
        return _row(*base, "force_majeure", STATUS_TEXT["force_majeure"])
    state = f"paid {_days(days)} late on {paid}" if paid_t else f"unpaid, {_days(days)} overdue"
    if not own:
        return _row(*base, "used", f"{state}; owed by your employer, not counted against you")
    until = add_months(paid, months) if paid_t else None
    if until is not None and until <= t:
        return _row(*base, "expired", STATUS_TEXT["expired"].format(until=until), True, until)
    shown = f"{until}" if until else f"{_period(months)} after it is paid"
    return _row(*base, "used", f"{state}; shown until {shown}", True, until)


def classify_records(tables, subject_id: str, as_of, catalogue=None) -> pd.DataFrame:
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

    Returns
    -------
    DataFrame
        Columns ``RECORD_COLUMNS``; one row per public record, loan and
        obligation due by ``as_of``.
    """
    if catalogue is None:
        from ..records import load_catalogue

        catalogue = load_catalogue()
    t = _date(as_of) if not isinstance(as_of, str) else dt.date.fromisoformat(as_of)
    rows = []
    pr = tables["public_records"]
    for r in pr[pr["subject_id"] == subject_id].to_dict("records"):
        rows.append(_public(r, t, catalogue))
    rows += _loans_and_repayments(tables, subject_id, t, catalogue)
    months = catalogue.negative_item_months["unpaid_contribution"]
    c = tables["contributions"]
    for r in c[c["subject_id"] == subject_id].to_dict("records"):
        period = _date(r["period"])
        ref = f"{r['insurance_type']} {period:%Y-%m}"
        own = r["employer_id"] is None or r["employer_id"] != r["employer_id"]
        what = f"{str(r['insurance_type']).capitalize()} contribution for {period:%B %Y}"
        rows.append(_obligation("contribution", ref, what, r, t, months, own))
    out = pd.DataFrame([r for r in rows if r is not None], columns=RECORD_COLUMNS)
    rank = out["source"].map(SOURCE_ORDER)
    order = pd.DataFrame({"rank": rank, "date": out["date"], "reference": out["reference"]})
    return out.loc[
        order.sort_values(["rank", "date", "reference"], kind="stable").index
    ].reset_index(drop=True)


def _loans_and_repayments(tables, subject_id: str, t: dt.date, catalogue) -> list[dict]:
    loans = tables["loans"]
    mine = loans[loans["subject_id"] == subject_id]
    rows = []
    for r in mine.to_dict("records"):
        opened, closed = _date(r["opened_on"]), _date(r["closed_on"])
        what = (
            f"{PRODUCTS.get(r['product'], r['product'])} from "
            f"{LENDERS.get(r['lender_type'], r['lender_type'])}, {_money(r['principal'])}"
        )
        if opened > t:
            rows.append(
                _row(
                    "loan",
                    str(r["loan_id"]),
                    what,
                    opened,
                    "not_yet_visible",
                    STATUS_TEXT["not_yet_visible"],
                )
            )
        else:
            state = f"closed on {closed}" if closed is not None and closed <= t else "open"
            rows.append(_row("loan", str(r["loan_id"]), what, opened, "used", state))
    months = catalogue.negative_item_months["late_instalment"]
    rp = tables["repayments"]
    opened_by = {str(r["loan_id"]): _date(r["opened_on"]) for r in mine.to_dict("records")}
    cards = {str(r["loan_id"]) for r in mine.to_dict("records") if r["product"] == "credit_card"}
    for r in rp[rp["loan_id"].astype(str).isin(opened_by)].to_dict("records"):
        if opened_by[str(r["loan_id"])] > t:
            continue
        due = _date(r["due_on"])
        kind = "Card statement" if str(r["loan_id"]) in cards else "Instalment"
        rows.append(
            _obligation(
                "instalment",
                f"{r['loan_id']} {due}",
                f"{kind} of {_money(r['amount_due'])} on {r['loan_id']}",
                r,
                t,
                months,
                True,
            )
        )
    return rows
