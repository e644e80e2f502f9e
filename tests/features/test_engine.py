"""The engine: output shape, determinism, atomic writes, input errors, portability."""

from __future__ import annotations

import hashlib
import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from creditscore._errors import InputError
from creditscore.features import (
    FEATURES,
    LABELS,
    build_feature_table,
    build_features,
    feature_names,
)

from .conftest import EDGES, write_records

DATES = ["2023-06-30", "2024-06-30"]


def test_one_row_per_subject_and_date_sorted_by_date_then_subject(tmp_path):
    out = tmp_path / "f.parquet"
    result = build_features(EDGES, list(reversed(DATES)), out)
    table = pq.read_table(out)
    keys = list(zip(table.column("as_of").to_pylist(), table.column("subject_id").to_pylist(),
                    strict=True))
    assert keys == sorted(keys)
    assert result.n_rows == table.num_rows == 15 * 2
    assert result.n_features == len(FEATURES)
    assert result.path == out


def test_columns_and_types(tmp_path):
    table = build_feature_table(EDGES, DATES, output="arrow")
    assert table.column_names == ["subject_id", "as_of", *feature_names(), *LABELS]
    assert table.schema.field("subject_id").type == pa.string()
    assert table.schema.field("as_of").type == pa.date32()
    for f in FEATURES:
        assert table.schema.field(f.name).type == (pa.int64() if f.dtype == "int64"
                                                   else pa.float64())
    assert table.schema.field("default_12m").type == pa.int64()


def test_a_subject_without_any_record_gets_a_row_with_zero_counts(tmp_path):
    path = write_records(tmp_path, subjects=("S1", "S2"))
    rows = build_feature_table(path, ["2023-01-01"], output="arrow").to_pylist()
    assert [r["subject_id"] for r in rows] == ["S1", "S2"]
    for f in FEATURES:
        assert rows[1][f.name] == f.fill, f.name


def test_output_is_byte_identical_across_runs(tmp_path):
    digests = set()
    for i in range(2):
        out = tmp_path / f"f{i}.parquet"
        build_features(EDGES, DATES, out)
        digests.add(hashlib.sha256(out.read_bytes()).hexdigest())
    assert len(digests) == 1


def test_csv_and_parquet_record_sets_give_the_same_table(tmp_path):
    from creditscore.records._contract import MODEL_TABLES

    parquet = tmp_path / "pq"
    parquet.mkdir()
    csv_table = build_feature_table(EDGES, DATES, output="arrow")
    for name in MODEL_TABLES:
        pq.write_table(_read_csv(EDGES / f"{name}.csv", name), parquet / f"{name}.parquet")
    shutil.copy(EDGES / "manifest.json", parquet / "manifest.json")
    assert build_feature_table(parquet, DATES, output="arrow").equals(csv_table)


def _read_csv(path, table):
    import pyarrow.csv as pacsv

    from creditscore.records._contract import arrow_schema

    schema = arrow_schema(table)
    opts = pacsv.ConvertOptions(column_types=schema, strings_can_be_null=True,
                                true_values=["True"], false_values=["False"])
    return pacsv.read_csv(path, convert_options=opts).select(schema.names).cast(schema)


def test_extracted_on_defaults_to_the_latest_date_in_the_records(tmp_path):
    path = write_records(tmp_path, extracted_on=None, contributions=[
        {"subject_id": "S1", "due_on": "2024-06-30", "paid_on": "2024-06-30"}])
    rows = build_feature_table(path, ["2023-07-01", "2023-07-02"], output="arrow").to_pylist()
    assert [r["breach_12m"] for r in rows] == [0, None]  # 2023-07-01 + 365 days = 2024-06-30


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda p: (p / "loans.parquet").unlink(), r"missing loans\.parquet \(or loans\.csv\)"),
        (lambda p: pq.write_table(pa.table({"subject": ["S1"]}), p / "subjects.parquet"),
         r"subjects\.parquet: column subject_id is missing"),
        (lambda p: pq.write_table(
            pa.table({"subject_id": ["S1"], "insurance_type": ["pension"], "period": ["x"],
                      "employer_id": [None], "contribution_base": [1.0], "amount_due": [1.0],
                      "due_on": ["2023-01-01"], "amount_paid": [1.0], "paid_on": [None],
                      "force_majeure": [False]}), p / "contributions.parquet"),
         r"contributions\.parquet: column period has type VARCHAR; the contract expects date"),
        (lambda p: (p / "manifest.json").write_text('{"extracted_on": "last year"}'),
         r"manifest\.json: extracted_on 'last year' is not a date"),
        (lambda p: (p / "repayments.parquet").write_text("not parquet"),
         r"repayments\.parquet: cannot be read"),
    ],
    ids=["missing-table", "missing-column", "wrong-type", "bad-manifest", "not-parquet"],
)
def test_bad_input_raises_input_error_naming_file_and_column(tmp_path, damage, message):
    path = write_records(tmp_path / "r")
    damage(path)
    out = tmp_path / "f.parquet"
    with pytest.raises(InputError, match=message):
        build_features(path, ["2023-01-01"], out)
    assert not out.exists()
    assert not list(tmp_path.glob(".f.parquet*"))


def test_a_failed_build_leaves_a_previous_output_intact(tmp_path):
    out = tmp_path / "f.parquet"
    out.write_bytes(b"previous")
    with pytest.raises(InputError):
        build_features(tmp_path / "nowhere", ["2023-01-01"], out)
    assert out.read_bytes() == b"previous"


@pytest.mark.parametrize(("as_of", "message"),
                         [([], "at least one"), (["2023-13-01"], "not a date")])
def test_bad_dates_are_refused(as_of, message):
    with pytest.raises(InputError, match=message):
        build_feature_table(EDGES, as_of, output="arrow")


def test_an_unknown_engine_is_refused():
    with pytest.raises(InputError, match="engine 'oracle' is not available"):
        build_feature_table(EDGES, DATES, engine="oracle", output="arrow")


def test_the_same_definitions_compile_to_spark_sql():
    import ibis
    import ibis.backends.pyspark as pyspark_backend

    from creditscore.features._engine import compile_sql
    from creditscore.records import load_catalogue

    if ibis.options.pyspark is None:  # the options exist once the backend is set up
        ibis.options.pyspark = pyspark_backend.Backend.Options()
    sql = compile_sql(load_catalogue(), FEATURES, dialect="pyspark")
    assert "`cs_contributions`" in sql and "DATEDIFF" in sql.upper()


def test_computing_by_ranges_of_subjects_gives_the_same_table(tmp_path):
    whole = build_feature_table(EDGES, DATES, output="arrow")
    by_ranges = build_feature_table(EDGES, DATES, chunk_records=10, output="arrow")
    assert by_ranges.equals(whole)
    out = tmp_path / "f.parquet"
    build_features(EDGES, DATES, out, chunk_records=10)
    assert pq.read_table(out).equals(whole)
