"""Spark reads a record set with entities (docs/entities.md) as DuckDB does: person
features for persons only."""

from __future__ import annotations

from creditscore.features import build_feature_table
from creditscore.synth import generate

from .conftest import assert_identical


def test_person_features_skip_entity_subjects_on_spark(spark, tmp_path):
    world = generate(tmp_path / "w", n_subjects=300, seed=2, n_entities=20).out_dir
    expected = build_feature_table(world, ["2022-12-31"], output="arrow")
    got = build_feature_table(world, ["2022-12-31"], engine="spark", spark=spark, output="arrow")
    assert got.num_rows == expected.num_rows == 300
    assert_identical(got, expected)
