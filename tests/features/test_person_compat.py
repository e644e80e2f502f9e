"""Person-only record sets give the features of before the entity extension (issue 18).

The digests were taken with the package before the extension (main at d915a22): the
synthetic record set of 400 subjects, seed 5 (file bytes, ``--entities 0``), and its
feature table at two dates (every cell, in order). A change to either is a change of
the person part of the package, which the extension must not make.
"""

from __future__ import annotations

import hashlib

import pyarrow as pa
import pyarrow.parquet as pq

from creditscore.features import build_feature_table, build_features
from creditscore.synth import generate

DATES = ["2021-12-31", "2023-06-30"]
RECORD_FILES = {
    "contributions.parquet": "0e122d127c8418397384a29f3ab7d86d1546e760247cebcef80afa52e864a39a",
    "loans.parquet": "f7ec83fbeb29bc306190b86d06b88c8937f75d8feb9cc181aa868ba983441cf5",
    "protected.parquet": "0d43ee819619fee41db11e37cd8706d9af7a01122de9490c1ccd874814bf2eaa",
    "public_records.parquet": "2dcdbdb66bae0d22c83da7c0ac5ab8c3366194c7dccc845a02f8aa6fc054ce1a",
    "repayments.parquet": "94df6caac4665ab623eb5e0db1285e2be6e9e4a9d47751ea7ce65ea1299497a2",
    "subjects.parquet": "9049e7282d0c9405c6acdcdd55be51d1f4ff73e9d97ed0da367a59d691926ccd",
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
        assert hashlib.sha256((world / name).read_bytes()).hexdigest() == digest, name
    assert not (world / "entities.parquet").exists()
    build_features(world, DATES, tmp_path / "f.parquet")
    assert cells_digest(pq.read_table(tmp_path / "f.parquet")) == FEATURE_CELLS


def test_entities_leave_person_rows_alone(tmp_path):
    """Adding entity subjects (kind column, entities table) changes no person cell."""
    import pandas as pd

    world = tmp_path / "w"
    generate(world, n_subjects=400, seed=5)
    before = build_feature_table(world, DATES)
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
    after = build_feature_table(world, DATES)
    assert after.equals(before)
