"""The queries behind the record status: relation rows mapped back to records.

:func:`._record_status.record_status` runs them. Each expression maps the rows
a relation of :func:`._relations.visible_relations` holds at t back to the
records they come from (``_rec``, a record's position in its table): payment
groups by their group keys, months and employers through their first
contribution. The SQL text depends on the catalogue only and is compiled
once (kept in the feature query's disk cache).
"""

from __future__ import annotations

import inspect

from ._relations import visible_months, visible_relations
from ._visibility import CONTRIBUTION_GROUP, in_window, under_dispute

__all__ = ["record_queries", "EMPLOYER_MONTHS", "SOURCES", "REC"]

#: the widest window of the features reading ``contribution_employers`` (new employers, 36m)
EMPLOYER_MONTHS = 36
#: the months ``contribution_months`` holds: ``visible_months``' own default, read from it
MONTHS_WINDOW = inspect.signature(visible_months).parameters["months"].default
#: relation -> (the table its rows come from, how a row names its records)
_ROWS = {
    "contributions": "group", "own_contributions": "group", "contribution_arrears": "group",
    "loans": "loans", "repayments": "repayments", "late_instalments": "repayments",
    "card_statements": "repayments", "public_records": "public_records",
}
SOURCES = {"contributions": "contribution", "loans": "loan", "repayments": "instalment",
           "public_records": "public record"}
REC = "_rec"


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
    out += _month_rows(rel["contribution_months"], c, dates)
    out += _employer_rows(c, dates)
    return out


def _blank(e, name: str):
    import ibis

    return e.mutate(days_late=ibis.null("int64"), paid_t=ibis.null("boolean"),
                    negative=ibis.literal(False), expires_on=ibis.null("date"),
                    relation=ibis.literal(name), source=ibis.literal("contributions"))


def _recent(c, dates, keys: list[str], months: int):
    """The ``keys`` groups with a contribution due by t in the last ``months`` months."""
    j = c.join(dates, c.due_on <= dates.as_of)
    return j.filter(in_window(j, "due_on", months)).select(*keys).distinct()


def _firsts(c, dates, keys: list[str], months: int):
    """``_rec`` of each group's first contributions (due by t) where the group has a
    contribution in the window: they date the group, so that it is or is not in it."""
    first = c.filter(c.due_on == c.due_on.min().over(group_by=keys))
    first = first.join(dates, first.due_on <= dates.as_of)
    r = _recent(c, dates, keys, months)
    j = first.join(r, [first[k] == r[k] for k in keys])
    return j.select(rec=first[REC])


def _month_rows(months, c, dates) -> list:
    """Records due by t in a month the features read, and the first ones of a month with
    a contribution in the window (a month is in a window when its first contribution is)."""
    j = months.join(c, [months.subject_id == c.subject_id, months.period == c.period,
                        c.due_on <= months.as_of])
    cover = _blank(j.select(rec=c[REC]), "contribution_months")
    dating = _firsts(c, dates, ["subject_id", "period"], MONTHS_WINDOW)
    return [cover, _blank(dating, "contribution_months")]


def _employer_rows(c, dates) -> list:
    """First contributions of employers with a contribution in the window: they decide
    whether the employer is new (its first contribution in the window) or not."""
    paid = c.filter(c.employer_id.notnull())
    dating = _firsts(paid, dates, ["subject_id", "employer_id"], EMPLOYER_MONTHS)
    return [_blank(dating, "contribution_employers")]


def _expiry_rows(prepared: dict, recs: dict, dates) -> list:
    """Each record's display-period end (if any) and, for a public record, whether it is
    under open dispute at t: from the prepared tables and ``under_dispute``."""
    import ibis

    c, g = recs["contributions"], prepared["contributions"]
    j = g.join(c, [g[k].identical_to(c[k]) for k in CONTRIBUTION_GROUP])
    no = ibis.literal(False)
    out = [j.select(rec=c[REC], expires_on=g.expires_on, disputed=no,
                    source=ibis.literal("contributions"))]
    r = prepared["repayments"]
    out.append(r.select(rec=r[REC], expires_on=r.expires_on, disputed=no,
                        source=ibis.literal("repayments")))
    p = recs["public_records"].join(dates, ibis.literal(True))
    ends = prepared["public_records"].select(REC, "expires_on")
    p = p.left_join(ends, p[REC] == ends[REC])
    out.append(p.select(rec=p[REC], expires_on=p.expires_on, disputed=under_dispute(p),
                        source=ibis.literal("public_records")))
    return out


_SQL: dict[str, tuple[str, str]] = {}


def record_queries(catalogue) -> tuple[str, str]:
    """The two queries (rows read, display-period ends) for a catalogue, compiled once.

    They refer to the tables ``cs_rs_<table>`` and ``cs_rs_dates``; the text
    depends on the catalogue only, not on the records or the date, and is
    kept in the feature query's disk cache (:mod:`._sqlcache`).
    """
    import json

    from ._sqlcache import cached_sql

    key = json.dumps(catalogue.to_dict(), sort_keys=True)
    if key not in _SQL:
        text = cached_sql(key, "duckdb-record-status", lambda: _compile(catalogue))
        read, _, ends = text.partition(_SPLIT)
        _SQL[key] = (read, ends)
    return _SQL[key]


_SPLIT = "\n-- creditscore: record status, display-period ends --\n"


def _compile(catalogue) -> str:
    import ibis
    import pyarrow as pa

    from ..records._contract import arrow_schema
    from ._visibility import DATES_SCHEMA

    recs = {n: ibis.table(ibis.Schema.from_pyarrow(arrow_schema(n).append(
        pa.field(REC, pa.int64()))), name=f"cs_rs_{n}") for n in SOURCES}
    dates = ibis.table(ibis.Schema.from_pyarrow(pa.schema(list(DATES_SCHEMA.items()))),
                       name="cs_rs_dates")
    p = recs["public_records"]
    known = {**recs, "public_records": p.filter(p.record_type.isin(
        list(catalogue.record_types) or ["\x00"]))}
    rel, prepared = visible_relations(known, dates, catalogue)
    read = ibis.union(*_read_rows(rel, recs, dates, catalogue), distinct=False)
    ends = ibis.union(*_expiry_rows(prepared, recs, dates), distinct=False)
    return (str(ibis.to_sql(read, dialect="duckdb")) + _SPLIT
            + str(ibis.to_sql(ends, dialect="duckdb")))


