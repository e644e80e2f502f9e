"""Spark and DuckDB compute the same features and labels, cell by cell.

On the contract's worked example of every label edge (both dates), a fresh
synthetic world at three dates, month-end display periods under a user
catalogue (with ANSI mode off, the rest run with it on), and random record
sets; both write modes; and the clear errors of a missing input, PySpark or
Java.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import sys
import tempfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditscore._errors import InputError
from creditscore.features import build_feature_table, build_features, feature_names
from features.conftest import EDGES, write_records
from features.strategies import EXTRACTED, day, record_sets, with_suffix

from .conftest import assert_identical

pytestmark = pytest.mark.spark
D = dt.date.fromisoformat


def _edge_dates() -> list[dt.date]:
    with open(EDGES / "expected_labels.csv", newline="") as f:
        return sorted({D(r["as_of"]) for r in csv.DictReader(f)})


# ------------------------------------------------------------- label edges
def test_label_edges_are_identical_at_both_dates_and_match_the_worked_example(spark, tmp_path):
    from creditscore.features._spark import build_features_spark

    dates = _edge_dates()
    assert len(dates) == 2
    result = build_features_spark(EDGES, dates, tmp_path / "spark.parquet", spark=spark)
    build_features(EDGES, dates, tmp_path / "duckdb.parquet")
    got, expected = pq.read_table(tmp_path / "spark.parquet"), pq.read_table(
        tmp_path / "duckdb.parquet")
    assert_identical(got, expected)
    assert result.n_rows == expected.num_rows and result.n_features == len(feature_names())
    with open(EDGES / "expected_labels.csv", newline="") as f:
        want = {(r["subject_id"], D(r["as_of"])): (
            int(r["default_12m"]) if r["default_12m"] else None,
            int(r["breach_12m"]) if r["breach_12m"] else None) for r in csv.DictReader(f)}
    rows = {(r["subject_id"], r["as_of"]): (r["default_12m"], r["breach_12m"])
            for r in got.to_pylist()}
    assert rows == want
    frame = got.to_pandas()  # the pandas metadata is the DuckDB engine's: nullable labels
    assert str(frame["default_12m"].dtype) == "Int64"
    assert not list(tmp_path.glob(".*"))  # no temporary left behind


# ---------------------------------------------------------- synthetic world
SYNTH_DATES = [D("2021-12-31"), D("2022-12-31"), D("2023-12-31")]


@pytest.fixture(scope="module")
def world(spark, tmp_path_factory):
    """A fresh synthetic world (300 subjects): DuckDB's table and Spark's dataset of it."""
    from creditscore.features._spark import build_features_spark
    from creditscore.synth import generate

    root = tmp_path_factory.mktemp("spark-world")
    generate(root / "records", n_subjects=300, seed=20240817)
    duck = build_feature_table(root / "records", SYNTH_DATES, output="arrow")
    result = build_features_spark(root / "records", SYNTH_DATES, root / "features",
                                  spark=spark, write="dataset")
    return root, duck, result


def test_synthetic_world_is_identical_at_three_dates(world):
    from creditscore.features import FEATURES
    from creditscore.features._io import output_schema

    root, duck, result = world
    assert (root / "features").is_dir() and result.n_rows == duck.num_rows == 900
    got = pq.read_table(root / "features").cast(output_schema(FEATURES))
    assert_identical(got, duck)
    labels = duck.select(["default_12m", "breach_12m"]).to_pandas()
    # the world is not trivial: both outcomes, and the unknown window of the last date
    assert set(labels["breach_12m"].dropna()) == {0, 1}
    assert labels["default_12m"].notna().any() and labels["breach_12m"].isna().any()


def test_stratified_training_sample_keeps_positives_and_the_latest_date(spark, world):
    from creditscore.features._spark import sample_for_training

    root, duck, _ = world
    df = spark.read.parquet(str(root / "features"))
    sample = sample_for_training(df, "breach_12m", {0: 0.3, 1: 1.0}, seed=1)
    full = duck.to_pandas()
    full = full[full["breach_12m"].notna()]
    assert str(sample["breach_12m"].dtype) == "Int64" and sample["breach_12m"].notna().all()
    assert list(sample.columns) == list(full.columns)
    latest = full["as_of"].max()
    assert (sample["as_of"] == latest).sum() == (full["as_of"] == latest).sum()
    early = full[full["as_of"] < latest]
    early_sample = sample[sample["as_of"] < latest]
    assert (early_sample["breach_12m"] == 1).sum() == (early["breach_12m"] == 1).sum()
    negatives = (early["breach_12m"] == 0).sum()
    assert 0.15 * negatives < (early_sample["breach_12m"] == 0).sum() < 0.45 * negatives
    with pytest.raises(InputError, match="fraction for label 0"):
        sample_for_training(df, "breach_12m", {0: 0.0, 1: 1.0})


# -------------------------------------------------------- month-end periods
def _catalogue(tmp_path: Path) -> Path:
    """The shipped catalogue with display periods that end on month ends and leap days."""
    from creditscore.records._catalogue import DEFAULT_CATALOGUE

    data = yaml.safe_load(Path(DEFAULT_CATALOGUE).read_text(encoding="utf-8"))
    data["negative_items"]["late_instalment"]["display_period_months"] = 13
    data["negative_items"]["unpaid_contribution"]["display_period_months"] = 1
    months = {"civil_judgment": 25, "tax_arrears": 12, "administrative_penalty": 1,
              "enforcement_default": 48}
    for name, m in months.items():
        data["record_types"][name]["display_period_months"] = m
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


MONTH_ENDS = ["2019-12-31", "2020-01-31", "2020-02-29", "2020-03-31", "2021-01-31",
              "2021-02-28", "2019-01-30"]


def test_month_end_display_periods_are_identical_with_ansi_off(spark, tmp_path):
    from creditscore.features._spark import build_feature_table_spark

    subjects = [f"M{i}" for i in range(len(MONTH_ENDS))]
    contributions, loans, repayments, records = [], [], [], []
    for i, (s, paid) in enumerate(zip(subjects, MONTH_ENDS, strict=True)):
        due = D(paid) - dt.timedelta(days=40)
        contributions.append({"subject_id": s, "due_on": due, "paid_on": paid})
        loans.append({"loan_id": f"L{i}", "subject_id": s, "opened_on": "2018-01-01",
                      "term_months": 60})
        repayments.append({"loan_id": f"L{i}", "due_on": due, "paid_on": paid})
        for j, kind in enumerate(("civil_judgment", "tax_arrears", "administrative_penalty",
                                  "enforcement_default")):
            records.append({"record_id": f"P{i}-{j}", "subject_id": s, "record_type": kind,
                            "recorded_on": "2018-06-01", "resolved_on": paid})
    path = write_records(tmp_path / "records", subjects=subjects, contributions=contributions,
                         loans=loans, repayments=repayments, public_records=records)
    catalogue = _catalogue(tmp_path)
    dates = sorted({D(d) + dt.timedelta(days=k) for d in
                    ("2020-02-29", "2020-03-31", "2021-02-28", "2021-03-31", "2022-02-28",
                     "2024-01-31") for k in (-1, 0, 1)})
    expected = build_feature_table(path, dates, catalogue=catalogue, output="arrow")
    before = spark.conf.get("spark.sql.ansi.enabled")
    spark.conf.set("spark.sql.ansi.enabled", "false")
    try:
        got = build_feature_table_spark(path, dates, catalogue, spark=spark)
    finally:
        spark.conf.set("spark.sql.ansi.enabled", before)
    assert_identical(got, expected)
    counts = expected.column("pr_count").to_pylist()
    assert len(set(counts)) > 2  # records do expire on these dates


# ------------------------------------------------------- random record sets
@settings(max_examples=2, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(sets=st.lists(record_sets(), min_size=6, max_size=6),
       days=st.lists(day(dt.date(2017, 6, 1), dt.date(2025, 6, 30)), min_size=3, max_size=3,
                     unique=True))
def test_random_record_sets_are_identical(spark, sets, days):
    from creditscore.features._spark import build_feature_table_spark

    parts = [with_suffix(records, f"_{i}") for i, records in enumerate(sets)]
    merged = {k: [row for p in parts for row in p[k]] for k in parts[0]}
    with tempfile.TemporaryDirectory() as tmp:
        path = write_records(Path(tmp), extracted_on=EXTRACTED,
                             subjects=[s["subject_id"] for s in merged["subjects"]],
                             **{k: v for k, v in merged.items() if k != "subjects"})
        expected = build_feature_table(path, days, output="arrow")
        got = build_feature_table_spark(path, days, spark=spark)
    assert_identical(got, expected)


# ------------------------------------------------------------------ errors
def test_a_missing_table_names_the_directory_and_table(spark, tmp_path):
    from creditscore.features._spark import build_feature_table_spark

    path = write_records(tmp_path / "r")
    (path / "loans.parquet").unlink()
    with pytest.raises(InputError, match=r"missing loans\.parquet \(or loans\.csv\)"):
        build_feature_table_spark(path, ["2023-06-30"], spark=spark)
    assert not [t for t in spark.catalog.listTables() if t.name.startswith("cs_")]


def test_a_missing_column_and_an_unknown_record_type_are_refused(spark, tmp_path):
    from creditscore.features._spark import build_feature_table_spark

    path = write_records(tmp_path / "r", public_records=[
        {"subject_id": "S1", "record_type": "parking_ticket", "recorded_on": "2022-01-01"}])
    with pytest.raises(InputError, match="record_type holds 'parking_ticket'"):
        build_feature_table_spark(path, ["2023-06-30"], spark=spark)
    table = pq.read_table(path / "loans.parquet")
    pq.write_table(table.drop_columns(["principal"]), path / "loans.parquet")
    with pytest.raises(InputError, match=r"loans\.parquet: column principal is missing"):
        build_feature_table_spark(path, ["2023-06-30"], spark=spark)


def test_a_csv_value_that_does_not_parse_names_file_column_and_value(spark, tmp_path):
    from creditscore.features._spark import build_feature_table_spark

    shutil.copytree(EDGES, tmp_path / "r")
    loans = tmp_path / "r" / "loans.csv"
    loans.write_text(loans.read_text().replace("2022-01-01", "2022-13-01", 1))
    with pytest.raises(InputError, match=r"loans\.csv: cannot be read .*column opened_on "
                                         r"holds '2022-13-01', not a date"):
        build_feature_table_spark(tmp_path / "r", ["2023-06-30"], spark=spark)


def test_write_modes_are_checked_before_any_work(tmp_path):
    from creditscore.features._spark import build_features_spark

    with pytest.raises(InputError, match="choose 'file' or 'dataset'"):
        build_features_spark(EDGES, ["2023-06-30"], tmp_path / "f.parquet", write="csv")
    with pytest.raises(InputError, match="use write='dataset' for s3a:// paths"):
        build_features_spark(EDGES, ["2023-06-30"], "s3a://bucket/f.parquet")


def test_the_ibis_expression_is_bound_to_the_pyspark_backend(spark):
    from creditscore.features import FEATURES
    from creditscore.features._io import output_schema
    from creditscore.features._spark import feature_ibis_table

    expr = feature_ibis_table(EDGES, ["2023-06-30"], spark=spark)
    assert expr.get_backend().name == "pyspark"
    assert list(expr.columns) == output_schema(FEATURES).names


def test_the_active_session_is_reused_with_a_utc_clock(spark):
    from creditscore.features._spark import spark_session

    assert spark_session() is spark
    assert spark.conf.get("spark.sql.session.timeZone") == "UTC"


# ------------------------------------------------------- environment errors
def test_missing_pyspark_names_the_spark_extra(monkeypatch):
    from creditscore.features._spark import require_pyspark

    monkeypatch.setitem(sys.modules, "pyspark", None)
    with pytest.raises(InputError, match=r"pip install 'creditscore\[spark\]'"):
        require_pyspark()


def test_a_java_home_without_java_is_named(monkeypatch, tmp_path):
    from creditscore.features._spark import find_java

    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    with pytest.raises(InputError, match=rf"JAVA_HOME={tmp_path} holds no bin/java"):
        find_java("4.0.0")


def test_no_java_at_all_names_java_home_and_path(monkeypatch, tmp_path):
    from creditscore.features._spark import find_java

    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(InputError, match=r"Java 17\+ .*set JAVA_HOME .* `java` on PATH"):
        find_java("4.0.0")


def test_an_old_java_is_named_with_its_version(monkeypatch, tmp_path):
    from creditscore.features._spark import find_java

    java = tmp_path / "bin" / "java"
    java.parent.mkdir()
    java.write_text('#!/bin/sh\necho \'openjdk version "1.8.0_392"\' >&2\n')
    java.chmod(0o755)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    with pytest.raises(InputError, match=r"is Java 8; PySpark 4\.0\.0 needs Java 17\+"):
        find_java("4.0.0")
    assert find_java("3.5.3") == str(java)

