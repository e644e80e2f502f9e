"""Entity features and labels (docs/entities.md): values, labels, the point-in-time rule."""

from __future__ import annotations

import datetime as dt
import math
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditscore._errors import InputError
from creditscore.features import build_feature_table
from creditscore.features._entity_defs import ENTITY_FEATURES
from creditscore.features._entity_engine import build_entity_table

from .conftest import write_records
from .strategies import EXTRACTED, as_known_on, day, record_sets

PERSONS, ENTITIES = ("S1", "S2", "S3"), ("E1", "E2")


def _kinds(path: Path, persons, entities) -> Path:
    pq.write_table(pa.table({"subject_id": [*persons, *entities],
                             "kind": ["person"] * len(persons) + ["entity"] * len(entities)}),
                   path / "subjects.parquet")
    return path


def _month_rows(employee, months, employer="E1", **kw):
    """Pension and medical rows of ``employee`` for each month (due the 15th of the next)."""
    rows = []
    for m in months:
        period = dt.date.fromisoformat(m)
        due = (period.replace(day=28) + dt.timedelta(days=4)).replace(day=15)
        for kind in ("pension", "medical"):
            rows.append({"subject_id": employee, "insurance_type": kind, "period": period,
                         "employer_id": employer, "due_on": due, "amount_due": 100.0,
                         "amount_paid": 100.0, "paid_on": due, **kw})
    return rows


def _unpaid(employee, months, **kw):
    return _month_rows(employee, months, amount_paid=0.0, paid_on=None, **kw)


def _entity_rows(path, dates, subject="E1"):
    return {str(r["as_of"]): r for r in build_entity_table(path, dates).to_pylist()
            if r["subject_id"] == subject}


def test_employer_arrears_are_the_entitys_never_the_employees(tmp_path):
    paid = ["2023-01-01", "2023-02-01", "2023-03-01"]
    rows = (_month_rows("S1", paid) + _month_rows("S2", paid) + _month_rows("S3", paid[:2])
            + _unpaid("S1", ["2023-04-01", "2023-05-01"]) + _unpaid("S2", ["2023-05-01"])
            + _unpaid("S3", ["2023-04-01"], force_majeure=True))
    path = _kinds(write_records(tmp_path, subjects=PERSONS, contributions=rows), PERSONS, ["E1"])
    row = _entity_rows(path, ["2023-07-31"])["2023-07-31"]
    assert row["ent_arrears_employees"] == 2  # S3's deferred month is never unpaid
    assert row["ent_arrears_months"] == 2
    assert row["ent_arrears_count"] == 6
    assert row["ent_arrears_amount"] == 600.0
    assert row["ent_headcount"] == 2  # May: S1 and S2
    assert row["ent_arrears_longest_run_36m"] == 2
    persons = build_feature_table(path, ["2023-07-31"], output="arrow").to_pylist()
    assert {r["subject_id"] for r in persons} == set(PERSONS)  # no entity row among persons
    for r in persons:  # the employer's arrears are never the employee's
        assert r["si_arrears_count"] == 0 and r["si_late_count_12m"] == 0


LABEL_T = "2022-12-31"


@pytest.mark.parametrize("case,rows,records,expected", [
    ("arrears begin in W", _unpaid("S1", ["2023-02-01"]) + _month_rows("S1", ["2022-11-01"]),
     [], 1),
    ("already 3 months in arrears at t", _unpaid("S1", ["2022-08-01"]), [], None),
    ("paid within 90 days", _month_rows("S1", ["2022-11-01"])
     + _month_rows("S1", ["2023-02-01"], paid_on=dt.date(2023, 5, 1)), [], 0),
    ("deferred, never counts", _month_rows("S1", ["2022-11-01"])
     + _unpaid("S1", ["2023-02-01"], force_majeure=True), [], 0),
    ("inactive: nothing due in 12 months", _month_rows("S1", ["2021-06-01"]), [], None),
    ("breach record in W", _month_rows("S1", ["2022-11-01"]),
     [{"subject_id": "E1", "record_type": "tax_arrears", "recorded_on": "2023-06-01"}], 1),
    ("a penalty is no breach", _month_rows("S1", ["2022-11-01"]),
     [{"subject_id": "E1", "record_type": "administrative_penalty",
       "recorded_on": "2023-06-01"}], 0),
    ("unresolved breach record at t", _month_rows("S1", ["2022-11-01"]),
     [{"subject_id": "E1", "record_type": "enforcement_default", "recorded_on": "2022-06-01"}],
     None),
])
def test_entity_breach_label(tmp_path, case, rows, records, expected):
    path = _kinds(write_records(tmp_path, subjects=PERSONS, contributions=rows,
                                public_records=records), PERSONS, ["E1"])
    got = _entity_rows(path, [LABEL_T, "2024-06-30"])
    assert got[LABEL_T]["entity_breach_12m"] == expected, case
    assert got["2024-06-30"]["entity_breach_12m"] is None  # W ends after extracted_on


def test_entity_default_label_follows_the_person_rule(tmp_path):
    loans = [{"loan_id": "L1", "subject_id": "E1", "product": "business",
              "opened_on": "2022-01-10"}]
    reps = [{"loan_id": "L1", "due_on": "2023-03-10", "amount_paid": 0.0, "paid_on": None}]
    path = _kinds(write_records(tmp_path, subjects=PERSONS, loans=loans, repayments=reps,
                                contributions=_month_rows("S1", ["2022-11-01"])),
                  PERSONS, ["E1"])
    row = _entity_rows(path, [LABEL_T])[LABEL_T]
    assert row["default_12m"] == 1 and row["ln_open_business"] == 1


def test_a_person_only_record_set_has_no_entities(tmp_path):
    path = write_records(tmp_path, subjects=PERSONS)
    with pytest.raises(InputError, match="no entity subjects"):
        build_entity_table(path, [LABEL_T])


# --------------------------------------------------------------- point in time
def _as_entities(records: dict) -> dict:
    """The random records with E1, E2 as entity subjects: S3's loans and records are E1's."""
    def own(row):
        return {**row, "subject_id": "E1"} if row["subject_id"] == "S3" else row
    loans = [{**own(lo), "product": "business", "term_months": 12} if lo["subject_id"] == "S3"
             else lo for lo in records["loans"]]
    public = [{**own(p), "record_type": "tax_arrears"} if p["subject_id"] == "S3"
              and p["record_type"] == "benefit_fraud" else own(p)
              for p in records["public_records"]]
    return {**records, "loans": loans, "public_records": public}


def _renamed(records: dict, suffix: str) -> dict:
    def ren(row, *cols):
        return {**row, **{c: f"{row[c]}{suffix}" for c in cols if row.get(c) is not None}}
    return {
        "contributions": [ren(c, "subject_id", "employer_id") for c in records["contributions"]],
        "loans": [ren(lo, "subject_id", "loan_id") for lo in records["loans"]],
        "repayments": [ren(r, "loan_id") for r in records["repayments"]],
        "public_records": [ren(p, "subject_id", "record_id") for p in records["public_records"]],
    }


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a == b or (isinstance(a, float) and math.isclose(a, b, rel_tol=0, abs_tol=0))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=record_sets(), days=st.lists(day(dt.date(2017, 6, 1), EXTRACTED),
                                            min_size=2, max_size=2, unique=True))
def test_entity_features_as_of_t_ignore_everything_dated_after_t(records, days):
    records = _as_entities(records)
    parts = [_renamed(records, "")] + [_renamed(as_known_on(records, t), f"@{i}")
                                       for i, t in enumerate(days)]
    merged = {k: [row for p in parts for row in p[k]] for k in parts[0]}
    suffixes = ["", *(f"@{i}" for i in range(len(days)))]
    with tempfile.TemporaryDirectory() as tmp:
        path = write_records(Path(tmp), extracted_on=EXTRACTED, subjects=(), **merged)
        _kinds(path, [s + x for x in suffixes for s in PERSONS],
               [e + x for x in suffixes for e in ENTITIES])
        rows = build_entity_table(path, days).to_pylist()
    got = {(r["subject_id"], r["as_of"]): r for r in rows}
    names = [f.name for f in ENTITY_FEATURES]
    for i, t in enumerate(days):
        for e in ENTITIES:
            full, known = got[(e, t)], got[(f"{e}@{i}", t)]
            diff = [n for n in names if not _same(full[n], known[n])]
            assert not diff, f"as of {t}, {e}: " + ", ".join(
                f"{n}={full[n]!r} but {known[n]!r} without what came after" for n in diff)
