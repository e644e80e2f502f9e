"""Which of one subject's records the features read at t, and why the others are left out.

The subject's letter lists every record with its status. That status comes
from the relations :func:`._visibility.visible_relations` returns, the very
rows the features aggregate, run on the subject's own records (DuckDB), so
the letter cannot call a record used when no feature read it, nor the
reverse. A record is **used** at t when it is among the rows some relation
holds at t:

* its payment group is in ``contributions`` (last 12 months),
  ``own_contributions`` (last 36) or ``contribution_arrears`` (its own late
  contributions still shown); its loan's instalment or statement is in
  ``repayments`` (36 months), ``late_instalments`` or ``card_statements``;
  its loan in ``loans``; the record itself in ``public_records``;
* it is due by t in a month that ``contribution_months`` holds (a month
  with contributions, in the last 36 months);
* it dates a month or an employer: it is the first contribution due in its
  month (of its employer) and, without it, that month (employer) would enter
  the features' look-back. (A month is in a window when its first
  contribution is, and an employer is new when its first contribution is.)

Every relation is read by at least one feature over all of its rows, except
``contribution_employers``, which holds every employer ever seen while its
features look back :data:`EMPLOYER_MONTHS`; the test in
``tests/features/test_record_status.py`` checks the whole claim against the
feature engine on generated record sets. A record left out gets the first
reason that applies, in this order: ``not_in_catalogue``, ``not_yet_visible``
(recorded, opened or due after t), ``void`` (dispute upheld), ``not_allowed``,
``force_majeure`` (a public record), ``disputed`` (open dispute at t),
``expired`` (past its display period), ``outside_look_back`` (an obligation
older than any feature looks back, and no negative item shown any more).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ._visibility import (
    CONTRIBUTION_GROUP,
    dates_frame,
    in_window,
    prepare_contributions,
    visible_employers,
    visible_months,
    visible_relations,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..records._catalogue import Catalogue

__all__ = ["record_status", "STATUS_COLUMNS", "REASONS", "EMPLOYER_MONTHS"]

#: the widest window of the features reading ``contribution_employers`` (new employers, 36m)
EMPLOYER_MONTHS = 36
REASONS = ("not_in_catalogue", "not_yet_visible", "void", "not_allowed", "force_majeure",
           "disputed", "expired", "outside_look_back")
STATUS_COLUMNS = ["source", "index", "used", "reason", "read_by", "negative", "days_late",
                  "paid_t", "expires_on"]
#: relation -> (the table its rows come from, how a row names its records)
_ROWS = {
    "contributions": "group", "own_contributions": "group", "contribution_arrears": "group",
    "loans": "loans", "repayments": "repayments", "late_instalments": "repayments",
    "card_statements": "repayments", "public_records": "public_records",
}
SOURCES = {"contributions": "contribution", "loans": "loan", "repayments": "instalment",
           "public_records": "public record"}
REC = "_rec"


def _arrow(frame, table: str):
    """The frame as Arrow with the contract's types, plus ``_rec`` (its row position)."""
    import pyarrow as pa

    from ..records._contract import arrow_schema

    schema = arrow_schema(table)
    cols = {}
    for field in schema:
        values = frame[field.name] if field.name in frame else [None] * len(frame)
        cols[field.name] = pa.array([_plain(v, field.type) for v in values], field.type)
    cols[REC] = pa.array(range(len(frame)), pa.int64())
    return pa.table(cols)


def _plain(v, typ):
    import pandas as pd
    import pyarrow as pa

    if v is None or v is pd.NaT or (isinstance(v, float) and v != v) or v is pd.NA:
        return None
    if pa.types.is_date(typ) and hasattr(v, "date") and not isinstance(v, str):
        return v.date() if callable(v.date) else v
    if pa.types.is_date(typ) and isinstance(v, str):
        return dt.date.fromisoformat(v[:10])
    return v.item() if hasattr(v, "item") else v


def _subject(tables: dict, subject_id: str | None) -> dict:
    own = {k: tables[k] if subject_id is None else tables[k][tables[k]["subject_id"] == subject_id]
           for k in ("contributions", "loans", "public_records")}
    rp = tables["repayments"]
    own["repayments"] = rp[rp["loan_id"].astype(str).isin(set(own["loans"]["loan_id"]))]
    return own


def _without_first(c, keys: list[str]):
    """The prepared-contribution input without the first-due rows of each ``keys`` group."""
    import ibis

    first = c.due_on.min().over(ibis.window(group_by=keys))
    return c.mutate(_first=first).filter(lambda t: t.due_on > t._first).drop("_first")


def _read_rows(rel: dict, recs: dict, dates, catalogue) -> list:
    """One expression per relation: ``_rec``, the relation's name and its t-columns."""
    import ibis

    c = recs["contributions"]
    out = []
    for name, kind in _ROWS.items():
        v = rel[name]
        if kind == "group":
            j = v.join(c, [v[k].identical_to(c[k]) for k in CONTRIBUTION_GROUP])
            e = j.select(rec=c[REC], days_late=v.days_late.cast("int64"), paid_t=v.paid_t,
                         negative=v.negative, expires_on=v.expires_on)
            source = "contributions"
        else:
            cols = {"days_late": v.days_late.cast("int64"), "paid_t": v.paid_t,
                    "negative": v.negative} if kind == "repayments" else {
                "days_late": ibis.null("int64"), "paid_t": ibis.null("boolean"),
                "negative": ibis.literal(kind == "public_records")}
            expires = v.expires_on if kind != "loans" else ibis.null("date")
            e = v.select(rec=v[REC], **cols, expires_on=expires)
            source = kind
        out.append(e.mutate(relation=ibis.literal(name), source=ibis.literal(source)))
    out += _month_rows(rel["contribution_months"], c, dates, catalogue)
    out += _employer_rows(c, dates, catalogue)
    return out


def _blank(e, name: str):
    import ibis

    return e.mutate(days_late=ibis.null("int64"), paid_t=ibis.null("boolean"),
                    negative=ibis.literal(False), expires_on=ibis.null("date"),
                    relation=ibis.literal(name), source=ibis.literal("contributions"))


def _month_rows(months, c, dates, catalogue) -> list:
    """Records due by t in a month the features read, and the records dating a month."""
    j = months.join(c, [months.subject_id == c.subject_id, months.period == c.period,
                        c.due_on <= months.as_of])
    cover = _blank(j.select(rec=c[REC]), "contribution_months")
    keys = ["subject_id", "period"]
    later = visible_months(prepare_contributions(_without_first(c, keys), catalogue), dates)
    shut = later.anti_join(months, [later.subject_id == months.subject_id,
                                    later.period == months.period])
    firsts = c.filter(c.due_on == c.due_on.min().over(group_by=keys))
    d = shut.join(firsts, [shut.subject_id == firsts.subject_id, shut.period == firsts.period,
                           firsts.due_on <= shut.as_of])
    return [cover, _blank(d.select(rec=firsts[REC]), "contribution_months")]


def _employer_rows(c, dates, catalogue) -> list:
    """First contributions of employers the features count as new, or keep from being new."""
    keys = ["subject_id", "employer_id"]
    seen = visible_employers(prepare_contributions(c, catalogue), dates)
    read = seen.filter(in_window(seen, "due_on", EMPLOYER_MONTHS))
    later = visible_employers(prepare_contributions(_without_first(c, keys), catalogue), dates)
    later = later.filter(in_window(later, "due_on", EMPLOYER_MONTHS))
    paid = c.filter(c.employer_id.notnull())
    firsts = paid.filter(paid.due_on == paid.due_on.min().over(group_by=keys))
    rows = []
    for e in (read, later.anti_join(read, [later.subject_id == read.subject_id,
                                           later.employer_id == read.employer_id])):
        j = e.join(firsts, [e.subject_id == firsts.subject_id,
                            e.employer_id == firsts.employer_id, firsts.due_on <= e.as_of])
        rows.append(_blank(j.select(rec=firsts[REC]), "contribution_employers"))
    return rows


def _expiry_rows(prepared: dict, recs: dict) -> list:
    """Each record's display-period end (if any), from the prepared tables."""
    import ibis

    c, g = recs["contributions"], prepared["contributions"]
    j = g.join(c, [g[k].identical_to(c[k]) for k in CONTRIBUTION_GROUP])
    out = [j.select(rec=c[REC], expires_on=g.expires_on, source=ibis.literal("contributions"))]
    for name in ("repayments", "public_records"):
        p = prepared[name]
        out.append(p.select(rec=p[REC], expires_on=p.expires_on, source=ibis.literal(name)))
    return out


_SQL: dict[str, tuple[str, str]] = {}


def _sql(catalogue) -> tuple[str, str]:
    """The two queries (rows read, display-period ends) for a catalogue, compiled once.

    They refer to the tables ``cs_rs_<table>`` and ``cs_rs_dates``; the text
    depends on the catalogue only, not on the records or the date.
    """
    import json

    import ibis
    import pyarrow as pa

    from ..records._contract import arrow_schema
    from ._visibility import DATES_SCHEMA

    key = json.dumps(catalogue.to_dict(), sort_keys=True)
    if key not in _SQL:
        recs = {n: ibis.table(ibis.Schema.from_pyarrow(arrow_schema(n).append(
            pa.field(REC, pa.int64()))), name=f"cs_rs_{n}") for n in SOURCES}
        dates = ibis.table(ibis.Schema.from_pyarrow(pa.schema(list(DATES_SCHEMA.items()))),
                           name="cs_rs_dates")
        p = recs["public_records"]
        known = {**recs, "public_records": p.filter(p.record_type.isin(
            list(catalogue.record_types) or ["\x00"]))}
        rel, prepared = visible_relations(known, dates, catalogue)
        read = ibis.union(*_read_rows(rel, recs, dates, catalogue), distinct=False)
        ends = ibis.union(*_expiry_rows(prepared, recs), distinct=False)
        _SQL[key] = (str(ibis.to_sql(read, dialect="duckdb")),
                     str(ibis.to_sql(ends, dialect="duckdb")))
    return _SQL[key]


def _run(tables: dict, t: dt.date, catalogue, extracted_on):
    """Run the relations on the subject's records: (rows read, display-period ends)."""
    from ._io import connect

    read_sql, ends_sql = _sql(catalogue)
    con = connect(memory_limit="512MB", threads=1)
    try:
        for n in SOURCES:
            con.register(f"cs_rs_{n}", _arrow(tables[n], n))
        con.register("cs_rs_dates", dates_frame([t], extracted_on or t))
        return con.execute(read_sql).df(), con.execute(ends_sql).df()
    finally:
        con.close()


def record_status(tables: dict, subject_id: str | None, as_of, catalogue: Catalogue | None = None,
                  extracted_on: dt.date | None = None) -> dict[str, pd.DataFrame]:
    """Every record of one subject, used or left out at ``as_of``, and why.

    Parameters
    ----------
    tables : dict of str to DataFrame
        The record set's tables (contract columns), at least this subject's rows.
    subject_id : str or None
        The subject; None: every subject in ``tables`` at once.
    as_of : date or str
    catalogue : Catalogue, optional
        Default: the shipped catalogue.
    extracted_on : date, optional
        The record set's extraction day (default: ``as_of``); it only decides
        whether undated partial payments are known, not whether a record is used.

    Returns
    -------
    dict of str to DataFrame
        By contract table (``contributions``, ``loans``, ``repayments``,
        ``public_records``): the subject's rows (original index) with the
        columns ``STATUS_COLUMNS`` after their own (``index`` is the row's
        label in ``tables[name]``).
    """
    import pandas as pd

    if catalogue is None:
        from ..records import load_catalogue

        catalogue = load_catalogue()
    t = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of)[:10])
    own = _subject(tables, subject_id)
    read, ends = _run(own, t, catalogue, extracted_on)
    out = {}
    for name, frame in own.items():
        rows = read[read["source"] == name].to_dict("records")
        end = {e["rec"]: _date(e["expires_on"]) for e in ends[ends["source"] == name]
               .to_dict("records")}
        status = pd.DataFrame({"source": SOURCES[name], "index": frame.index}, index=frame.index)
        by_rec: dict[int, list[dict]] = {}
        for row in rows:
            by_rec.setdefault(int(row["rec"]), []).append(row)
        got = [by_rec.get(i, []) for i in range(len(frame))]
        status["read_by"] = [tuple(sorted({g["relation"] for g in rs})) for rs in got]
        status["used"] = [bool(rs) for rs in got]
        status["negative"] = [any(_flag(g["negative"]) for g in rs) for rs in got]
        status["days_late"] = [_max(g["days_late"] for g in rs) for rs in got]
        status["paid_t"] = [any(_flag(g["paid_t"]) for g in rs) for rs in got]
        status["expires_on"] = [end.get(i) for i in range(len(frame))]
        ctx = frame
        if name == "repayments":  # an instalment exists once its loan is opened, too
            opened = own["loans"].drop_duplicates("loan_id").set_index("loan_id")["opened_on"]
            ctx = frame.assign(opened_on=frame["loan_id"].map(opened))
        status["reason"] = [None if u else _reason(name, r, t, catalogue, e)
                            for u, (_, r), e in zip(status["used"], ctx.iterrows(),
                                                    status["expires_on"], strict=True)]
        out[name] = pd.concat([frame, status[STATUS_COLUMNS]], axis=1)
    return out


def _date(v):
    import pandas as pd

    if v is None or v is pd.NaT or (isinstance(v, float) and v != v):
        return None
    return v.date() if hasattr(v, "date") and callable(v.date) else v


def _max(values):
    known = [int(v) for v in values if v is not None and v == v and v is not _na()]
    return max(known) if known else None


def _flag(v) -> bool:
    return bool(v) if v is not None and v is not _na() and v == v else False


def _na():
    import pandas as pd

    return pd.NA


def _reason(name: str, r, t: dt.date, catalogue, expires_on) -> str:
    """Why a record no relation read at t is left out (the first reason that applies)."""
    if name == "public_records":
        rtype = catalogue.record_types.get(r["record_type"])
        opened, closed = _date(r["dispute_opened_on"]), _date(r["dispute_closed_on"])
        checks = (
            ("not_in_catalogue", rtype is None),
            ("not_yet_visible", _date(r["recorded_on"]) > t),
            ("void", _flag(r["dispute_upheld"])),
            ("not_allowed", rtype is not None and not rtype.allowed),
            ("force_majeure", _flag(r["force_majeure"])),
            ("disputed", opened is not None and opened <= t and (closed is None or closed > t)),
            ("expired", expires_on is not None and expires_on <= t),
        )
        return next((code for code, hit in checks if hit), "outside_look_back")
    days = [_date(r[c]) for c in ("opened_on", "due_on") if c in r.index]
    if any(d is not None and d > t for d in days):
        return "not_yet_visible"
    if expires_on is not None and expires_on <= t:
        return "expired"
    return "outside_look_back"
