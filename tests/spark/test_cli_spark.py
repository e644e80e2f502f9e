"""The CLI on the Spark engine in this process (the session fixture is the active one)."""

from __future__ import annotations

import shutil

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from creditscore._errors import InputError
from creditscore.cli import app
from creditscore.features import build_feature_table
from features.conftest import EDGES

from .conftest import assert_identical

pytestmark = pytest.mark.spark
DATES = ["2023-06-30", "2024-06-30"]


def _run(*args):
    return CliRunner().invoke(app, list(args))


def test_features_on_spark_read_a_file_uri_and_write_a_dataset(spark, tmp_path):
    out = tmp_path / "features"
    done = _run("features", f"file://{EDGES}", *[x for d in DATES for x in ("--as-of", d)],
                "--out", f"file://{out}", "--engine", "spark", "--write", "dataset",
                "--no-progress")
    assert done.exit_code == 0, done.output
    got = pq.read_table(out).select(build_feature_table(EDGES, DATES, output="arrow").column_names)
    expected = build_feature_table(EDGES, DATES, output="arrow")
    assert_identical(got.cast(expected.schema), expected)


def test_validate_on_spark_counts_and_names_a_missing_table(spark, tmp_path):
    done = _run("validate", f"file://{EDGES}", "--engine", "spark")
    assert done.exit_code == 0, done.output
    assert "valid on Spark" in done.output and "subjects" in done.output
    broken = tmp_path / "records"
    shutil.copytree(EDGES, broken)
    (broken / "loans.csv").unlink()
    done = _run("validate", str(broken), "--engine", "spark")
    assert isinstance(done.exception, InputError) and done.exception.exit_code == 2
    assert "loans" in str(done.exception)


def test_the_cached_two_stage_plan_gives_the_same_table_and_releases_its_cache(spark):
    from creditscore.features._spark import CACHE_CONF, build_feature_table_spark

    before = {k: spark.conf.get(k, None) for k in CACHE_CONF}
    got = build_feature_table_spark(EDGES, DATES, spark=spark, cache=True)
    assert_identical(got, build_feature_table(EDGES, DATES, output="arrow"))
    assert spark.sparkContext._jsc.getPersistentRDDs().size() == 0
    assert {k: spark.conf.get(k, None) for k in CACHE_CONF} == before
