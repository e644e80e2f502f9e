"""Which of one subject's records the features read at t, and why the others are left out.

The subject's letter lists every record with its status. That status comes
from the relations :func:`._relations.visible_relations` returns, the very
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
  month (of its employer), and the month (employer) has a contribution due in
  the features' look-back (36 months). A month is in a window when its first
  contribution is, and an employer is new when its first contribution is, so
  this old contribution is what keeps the month out of the window, or the
  employer from counting as new.

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

from ._record_rows import EMPLOYER_MONTHS, REC, SOURCES, record_queries
from ._visibility import dates_frame

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..records._catalogue import Catalogue

__all__ = ["record_status", "STATUS_COLUMNS", "REASONS", "EMPLOYER_MONTHS"]

REASONS = ("not_in_catalogue", "not_yet_visible", "void", "not_allowed", "force_majeure",
           "disputed", "expired", "outside_look_back")
STATUS_COLUMNS = ["source", "index", "used", "reason", "read_by", "negative", "days_late",
                  "paid_t", "expires_on"]


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
    import pyarrow as pa

    if _missing(v):
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


def _run(tables: dict, t: dt.date, catalogue, extracted_on):
    """Run the relations on the subject's records: (rows read, display-period ends)."""
    from ._io import connect

    read_sql, ends_sql = record_queries(catalogue)
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
        mine = ends[ends["source"] == name].to_dict("records")
        end = {e["rec"]: _date(e["expires_on"]) for e in mine}
        disputed = {e["rec"] for e in mine if _flag(e["disputed"])}
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
        if name == "repayments" and len(frame):  # an instalment exists once its loan is opened
            opened = own["loans"].drop_duplicates("loan_id").set_index("loan_id")["opened_on"]
            ctx = frame.assign(opened_on=frame["loan_id"].map(opened))
        status["reason"] = [None if u else _reason(name, r, t, catalogue, e, i in disputed)
                            for i, (u, (_, r), e) in enumerate(zip(
                                status["used"], ctx.iterrows(), status["expires_on"],
                                strict=True))]
        out[name] = pd.concat([frame, status[STATUS_COLUMNS]], axis=1)
    return out


def _missing(v) -> bool:
    import pandas as pd

    return v is None or (pd.api.types.is_scalar(v) and bool(pd.isna(v)))


def _date(v):
    if _missing(v):
        return None
    return v.date() if hasattr(v, "date") and callable(v.date) else v


def _max(values):
    known = [int(v) for v in values if not _missing(v)]
    return max(known) if known else None


def _flag(v) -> bool:
    return False if _missing(v) else bool(v)


def _reason(name: str, r, t: dt.date, catalogue, expires_on, disputed: bool) -> str:
    """Why a record no relation read at t is left out (the first reason that applies)."""
    if name == "public_records":
        rtype = catalogue.record_types.get(r["record_type"])
        checks = (
            ("not_in_catalogue", rtype is None),
            ("not_yet_visible", _date(r["recorded_on"]) > t),
            ("void", _flag(r["dispute_upheld"])),
            ("not_allowed", rtype is not None and not rtype.allowed),
            ("force_majeure", _flag(r["force_majeure"])),
            ("disputed", disputed),
            ("expired", expires_on is not None and expires_on <= t),
        )
        return next((code for code, hit in checks if hit), "outside_look_back")
    days = [_date(r[c]) for c in ("opened_on", "due_on") if c in r.index]
    if any(d is not None and d > t for d in days):
        return "not_yet_visible"
    if expires_on is not None and expires_on <= t:
        return "expired"
    return "outside_look_back"
