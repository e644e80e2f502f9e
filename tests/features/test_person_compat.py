"""Person-only record sets give the features of before the entity extension (issue 18).

The digests were taken with the package before the extension (main at d915a22): the
synthetic record set of 400 subjects, seed 5 (``--entities 0``), and its feature table at
two dates. Both are digests of content (column names and every cell, in order), never of
file bytes: a Parquet file embeds its writer's version, so byte digests change with
pyarrow while the cells do not. The record digests were re-taken from the bytes-verified
files (pyarrow 25.0.1 reproduced the old byte digests; 26.0.1 gives the same cells). A
change to either is a change of the person part of the package, which the extension must
not make.
"""

from __future__ import annotations

import hashlib

import pyarrow as pa
import pyarrow.parquet as pq

from creditscore.features import build_feature_table, build_features
from creditscore.synth import generate

DATES = ["2021-12-31", "2023-06-30"]
RECORD_FILES = {
    "contributions.parquet": "462d7cf54c7ef1b10e8a36ab38c579f8be61c43d8ff9240f4d2e1dfe7a40520b",
    "loans.parquet": "767056e97bcace8d992023f280df7bef6dcd8b41436042b66c2a2e3b65f03fff",
    "protected.parquet": "52dfb177a6a1d3d3512663a838453b54f652200e72101c43879e20400db45385",
    "public_records.parquet": "80eb4ddcb0d7f42083a9cc16aa244a9372dae6edfcbeea5d71ed89ea73d633e3",
    "repayments.parquet": "1395784c2964af1416ba3d4547f0ee847c7b083c806bad692f224f0bdb8881cd",
    "subjects.parquet": "8070cdf22ac959bbadee5ada65bc0511f9234d8f0c3388250cfe8b99753b254b",
}
FEATURE_CELLS = "c2e8b08d46b05d4b10283ece6d46ecc6c01f3311620c993b90942e00830fbab0"


def cells_digest(table: pa.Table) -> str:
    h = hashlib.sha256()
    for name in table.column_names:
        h.update(name.encode())
        h.update(repr(table.column(name).to_pylist()).encode())
    return h.hexdigest()


def test_person_world_and_features_unchanged(tmp_path):
    world = tmp_path / "w"
    generate(world, n_subjects=400, seed=5)
    for name, digest in RECORD_FILES.items():
        assert cells_digest(pq.read_table(world / name)) == digest, name
    assert not (world / "entities.parquet").exists()
    build_features(world, DATES, tmp_path / "f.parquet")
    assert cells_digest(pq.read_table(tmp_path / "f.parquet")) == FEATURE_CELLS


def test_entities_leave_person_rows_alone(tmp_path):
    """Adding entity subjects (kind column, entities table) changes no person cell."""
    import pandas as pd

    world = tmp_path / "w"
    generate(world, n_subjects=400, seed=5)
    before = build_feature_table(world, DATES, output="arrow")
    subjects = pq.read_table(world / "subjects.parquet").to_pandas()
    employers = sorted(pq.read_table(world / "contributions.parquet", columns=["employer_id"])
                       .column(0).drop_null().unique().to_pylist())
    subjects = pd.concat([subjects.assign(kind="person"),
                          pd.DataFrame({"subject_id": employers, "kind": "entity"})])
    pq.write_table(pa.Table.from_pandas(subjects, preserve_index=False),
                   world / "subjects.parquet")
    pq.write_table(pa.table({
        "subject_id": employers, "region": ["R1"] * len(employers),
        "ownership": ["private"] * len(employers), "headcount": [5] * len(employers),
        "size_band": ["micro"] * len(employers)}), world / "entities.parquet")
    from creditscore.records import validate_records

    assert validate_records(world).ok
    after = build_feature_table(world, DATES, output="arrow")
    assert after.equals(before)
