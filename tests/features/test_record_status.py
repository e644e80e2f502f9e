"""The letter's record status agrees with the features, on generated record sets and dates.

``record_status`` says, for each record of a subject at t, whether the
features read it. "Counted" is checked here against the feature engine
itself (``build_feature_table``), not against the relations ``record_status``
runs:

* a record called **left out** is counted by no feature: removing all the
  left-out records of every subject (under renamed ids) leaves every feature
  of every subject at t unchanged;
* a record called **used** is counted by some feature: alone (an instalment
  with its loan) it changes a feature of an otherwise empty subject (a loan
  only, for an instalment), or, where its effect is only through others (the
  first contribution of an employer or of a month dates them), removing it
  together with its subject's same-day records of the same table from the
  records called used changes a feature of the subject.
"""

from __future__ import annotations

import datetime as dt
import math
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from creditscore.features import build_feature_table, feature_names
from creditscore.features._record_status import record_status
from creditscore.records._contract import TABLES

from .conftest import write_records
from .strategies import EXTRACTED, day, record_sets, with_suffix
from .test_point_in_time import _write_subjects

SOURCES = ("contributions", "loans", "repayments", "public_records")
DATE_COL = {"contributions": "due_on", "loans": "opened_on", "repayments": "due_on",
            "public_records": "recorded_on"}


def _frames(records: dict) -> dict[str, pd.DataFrame]:
    return {t: pd.DataFrame(records[t], columns=TABLES[t].column_names) for t in SOURCES}


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a == b or (isinstance(a, float) and math.isclose(a, b, rel_tol=0, abs_tol=0))


def _build(parts: list[dict], days) -> dict:
    merged = {k: [row for p in parts for row in p[k]] for k in ("subjects", *SOURCES)}
    with tempfile.TemporaryDirectory() as tmp:
        path = write_records(Path(tmp), extracted_on=EXTRACTED, subjects=(),
                             **{k: merged[k] for k in SOURCES})
        _write_subjects(path, merged["subjects"])
        rows = build_feature_table(path, sorted(set(days)), output="arrow").to_pylist()
    return {(r["subject_id"], r["as_of"]): r for r in rows}


def _differs(a: dict, b: dict) -> list[str]:
    return [n for n in feature_names() if not _same(a[n], b[n])]


def _only(records: dict, keep: dict[str, set[int]]) -> dict:
    """The records whose positions are in ``keep`` (by table); loans keep their instalments'
    loans only when kept themselves."""
    return {"subjects": records["subjects"],
            **{t: [r for i, r in enumerate(records[t]) if i in keep.get(t, set())]
               for t in SOURCES}}


def _statuses(records: dict, t: dt.date) -> dict[str, dict[int, tuple]]:
    """table -> position -> (used, reason), for every record of every subject."""
    frames = _frames(records)
    out: dict[str, dict[int, tuple]] = {t_: {} for t_ in SOURCES}
    for table, frame in record_status(frames, None, t, extracted_on=EXTRACTED).items():
        for pos, used, reason in zip(frame.index, frame["used"], frame["reason"], strict=True):
            out[table][int(pos)] = (bool(used), reason)
    return out


def _alone(records: dict, table: str, i: int, tag: str) -> tuple[dict, dict]:
    """A subject holding only record ``i`` (with its loan), and the same without it."""
    row = records[table][i]
    loans = records["loans"]
    if table == "repayments":
        loan = next(lo for lo in loans if lo["loan_id"] == row["loan_id"])
        sid = loan["subject_id"]
        base = {"subjects": [{"subject_id": sid}], "contributions": [], "loans": [loan],
                "repayments": [], "public_records": []}
        with_it = {**base, "repayments": [row]}
    else:
        sid = row["subject_id"]
        base = {"subjects": [{"subject_id": sid}], **{t: [] for t in SOURCES}}
        with_it = {**base, table: [row]}
    return with_suffix(with_it, tag), with_suffix(base, tag + "0")


def _listing(records: dict, status: dict, sid: str) -> str:
    """The subject's records with the status the letter gives them (for failure messages)."""
    out = []
    for table in SOURCES:
        for i, row in enumerate(records[table]):
            if _subject_of(records, table, row) == sid:
                out.append(f"\n  {table}[{i}] {status[table][i]}: {row}")
    return "".join(out)


def _subject_of(records: dict, table: str, row: dict) -> str:
    if table == "repayments":
        return next(lo["subject_id"] for lo in records["loans"] if lo["loan_id"] == row["loan_id"])
    return row["subject_id"]


def _contribution(sid, employer, due, paid=None, period=None):
    return {"subject_id": sid, "insurance_type": "pension", "period": period or due.replace(day=1),
            "employer_id": employer, "contribution_base": 3000.0, "due_on": due,
            "paid_on": paid, "amount_due": 100.0, "amount_paid": 100.0 if paid else 0.0,
            "force_majeure": False}


#: an employer (and a month) dated by a first contribution long ago, then a gap, then one
#: in the window: removing only the old ones would make the employer new (a case found once)
CHAIN = {"subjects": [{"subject_id": "S3"}], "loans": [], "repayments": [], "public_records": [],
         "contributions": [
             _contribution("S3", "E2", dt.date(2017, 4, 19), dt.date(2017, 10, 8)),
             _contribution("S3", "E2", dt.date(2017, 8, 10)),
             _contribution("S3", "E2", dt.date(2023, 3, 15)),
             _contribution("S3", None, dt.date(2020, 1, 10), period=dt.date(2020, 1, 1)),
             _contribution("S3", None, dt.date(2020, 2, 25), period=dt.date(2020, 1, 1)),
             _contribution("S3", None, dt.date(2020, 3, 20), period=dt.date(2020, 1, 1)),
         ]}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(records=CHAIN, days=[dt.date(2023, 3, 18), dt.date(2023, 2, 28)])
@given(records=record_sets(), days=st.lists(day(dt.date(2017, 6, 1), EXTRACTED),
                                            min_size=2, max_size=2, unique=True))
def test_the_letter_calls_used_exactly_what_the_features_count(records, days):
    status = {t: _statuses(records, t) for t in days}
    parts, checks, kept = [records], [], {}
    for d, t in enumerate(days):
        kept[d] = {tb: {i for i, (used, _) in st_.items() if used}
                   for tb, st_ in status[t].items()}
        parts.append(with_suffix(_only(records, kept[d]), f"@{d}"))
        for table in SOURCES:
            for i, (used, _) in status[t][table].items():
                if used:
                    with_it, base = _alone(records, table, i, f"#{d}.{table}.{i}")
                    parts += [with_it, base]
                    checks.append((d, t, table, i, with_it, base))
    got = _build(parts, days)

    for d, t in enumerate(days):  # left out: removing all of them changes nothing
        for s in records["subjects"]:
            sid = s["subject_id"]
            diff = _differs(got[(sid, t)], got[(f"{sid}@{d}", t)])
            assert not diff, (f"as of {t}, {sid}: removing the records called left out "
                              f"changes {diff}; its records: {_listing(records, status[t], sid)}")

    context = []
    for d, t, table, i, with_it, base in checks:  # used: counted alone ...
        a = got[(with_it["subjects"][0]["subject_id"], t)]
        b = got[(base["subjects"][0]["subject_id"], t)]
        if not _differs(a, b):
            context.append((d, t, table, i))
    if not context:
        return
    # ... or among the used ones: removing it (with its same-day twins) from the records
    # called used changes a feature (the first contribution dating an employer or a month)
    parts = [records]
    for d, _t, table, i in context:
        row = records[table][i]
        sid = _subject_of(records, table, row)
        twins = {j for j, r in enumerate(records[table])
                 if r[DATE_COL[table]] == row[DATE_COL[table]]
                 and _subject_of(records, table, r) == sid}
        keep = {**kept[d], table: kept[d][table] - twins}
        parts.append(with_suffix(_only(records, keep), f"~{d}.{table}.{i}"))
    again = _build(parts, days)
    for d, t, table, i in context:
        row = records[table][i]
        sid = _subject_of(records, table, row)
        diff = _differs(got[(f"{sid}@{d}", t)], again[(f"{sid}~{d}.{table}.{i}", t)])
        assert diff, (f"as of {t}: {table} record {row} is called used, but no feature "
                      "counts it, alone or among the records called used; its records: "
                      f"{_listing(records, status[t], sid)}")
