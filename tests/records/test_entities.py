"""The entity extension of the contract (docs/entities.md), enforced by the validator."""

from __future__ import annotations

import pandas as pd
import pytest

from creditscore.records import validate_records
from creditscore.records._entities import size_band

from .conftest import load_edges, write_csv_set


def entity_frames() -> dict[str, pd.DataFrame]:
    """label-edges with the employer E-1 as an entity subject, with a business loan and a record."""
    frames = load_edges()
    subjects = frames["subjects"].assign(kind="person")
    frames["subjects"] = pd.concat(
        [subjects, pd.DataFrame({"subject_id": ["E-1"], "kind": ["entity"]})], ignore_index=True)
    frames["entities"] = pd.DataFrame({"subject_id": ["E-1"], "region": ["R1"],
                                       "ownership": ["private"], "headcount": ["12"],
                                       "size_band": ["small"]})
    loan = frames["loans"].iloc[[0]].assign(loan_id="L-E1", subject_id="E-1", product="business")
    frames["loans"] = pd.concat([frames["loans"], loan], ignore_index=True)
    record = frames["public_records"].iloc[[0]].assign(
        record_id="P-E1", subject_id="E-1", record_type="administrative_penalty")
    frames["public_records"] = pd.concat([frames["public_records"], record], ignore_index=True)
    return frames


def problems(tmp_path, frames) -> list[str]:
    report = validate_records(write_csv_set(frames, tmp_path / "set"))
    return [str(p) for p in report.problems]


def test_entity_record_set_is_valid(tmp_path):
    assert problems(tmp_path, entity_frames()) == []


def test_person_only_set_with_kind_column_is_valid(tmp_path):
    frames = load_edges()
    frames["subjects"] = frames["subjects"].assign(kind="person")
    assert problems(tmp_path, frames) == []


@pytest.mark.parametrize("band,headcount,expected", [
    ("micro", 0, "micro"), ("micro", 9, "micro"), ("small", 10, "small"), ("small", 99, "small"),
    ("medium", 100, "medium"), ("medium", 299, "medium"), ("large", 300, "large")])
def test_size_bands(band, headcount, expected):
    assert size_band(headcount) == expected == band


def _with(frames, table, column, value, row=-1):
    frames[table].loc[frames[table].index[row], column] = value
    return frames


CASES = {
    "bad kind": (lambda f: _with(f, "subjects", "kind", "company"),
                 "subjects.kind row 16: value outside the allowed set"),
    "null kind": (lambda f: _with(f, "subjects", "kind", None),
                  "subjects.kind row 16: value outside the allowed set"),
    "ownership": (lambda f: _with(f, "entities", "ownership", "public"),
                  "entities.ownership row 1: value outside the allowed set"),
    "band": (lambda f: _with(f, "entities", "size_band", "medium"),
             "entities.size_band row 1: size_band does not match headcount"),
    "headcount": (lambda f: _with(f, "entities", "headcount", "-3"),
                  "entities.headcount row 1: headcount is not a whole number >= 0"),
    "not an entity": (lambda f: _with(f, "entities", "subject_id", "S-A"),
                      "entities.subject_id row 1: row of a subject that is not an entity"),
    "entity product": (lambda f: _with(f, "loans", "product", "consumer"),
                       "loans.product row 7: loan of an entity with a product other than"),
    "benefit fraud": (lambda f: _with(f, "public_records", "record_type", "benefit_fraud"),
                      "public_records.record_type row 7: record type only a person can have"),
    "contribution of entity": (lambda f: _with(f, "contributions", "subject_id", "E-1", 0),
                               "contributions.subject_id row 1: contribution of an entity"),
    "employer is a person": (lambda f: _with(f, "contributions", "employer_id", "S-A"),
                             "contributions.employer_id row 2: employer_id is a person's"),
    "protected entity": (lambda f: _with(f, "protected", "subject_id", "E-1"),
                         "protected.subject_id row 15: protected row of an entity"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_rule_names_table_column_row(tmp_path, case):
    change, expected = CASES[case]
    found = problems(tmp_path, change(entity_frames()))
    assert any(p.startswith(expected) for p in found), found


def test_entity_without_attributes_row(tmp_path):
    frames = entity_frames()
    frames["entities"] = frames["entities"].iloc[:0]
    found = problems(tmp_path, frames)
    assert any(p.startswith("subjects.subject_id row 16: entity without a row in entities")
               for p in found), found
    del frames["entities"]
    found = problems(tmp_path / "b", frames)
    assert any("missing file entities.csv" in p for p in found), found


def test_duplicate_entity_row(tmp_path):
    frames = entity_frames()
    frames["entities"] = pd.concat([frames["entities"]] * 2, ignore_index=True)
    assert any(p.startswith("entities.subject_id row 2: duplicate id")
               for p in problems(tmp_path, frames))


def test_parquet_entity_set(tmp_path):
    """The same checks read Parquet files (row numbers from the file)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from creditscore.records import read_records, write_records

    csv_dir = write_csv_set(entity_frames(), tmp_path / "csv")
    records = read_records(csv_dir)
    out = tmp_path / "pq"
    write_records(records.tables, out, records.extracted_on)
    subjects = pq.read_table(out / "subjects.parquet")
    kinds = ["entity" if s == "E-1" else "person" for s in subjects["subject_id"].to_pylist()]
    pq.write_table(subjects.append_column("kind", pa.array(kinds)), out / "subjects.parquet")
    assert any("missing file entities.parquet" in str(p) for p in validate_records(out).problems)
    attrs = pd.read_csv(csv_dir / "entities.csv").astype({"headcount": "int64"})
    pq.write_table(pa.Table.from_pandas(attrs, preserve_index=False), out / "entities.parquet")
    assert validate_records(out).ok
