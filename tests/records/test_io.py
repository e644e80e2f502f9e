import datetime as dt
import json
import subprocess
import sys

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from creditscore.records import (
    TABLES,
    RecordError,
    RecordSet,
    arrow_schema,
    find_extracted_on,
    read_records,
    record_files,
    write_records,
)

from .conftest import load_edges, write_csv_set


def _equal(a: RecordSet, b: RecordSet) -> bool:
    return all(a.tables[t].equals(b.tables[t]) for t in TABLES)


def test_read_csv_types_every_table_as_the_contract(edges_dir):
    records = read_records(edges_dir)
    assert records.format == "csv"
    assert list(records.tables) == list(TABLES)
    for name, table in records.tables.items():
        assert table.schema.equals(arrow_schema(name)), name
    assert records.extracted_on == dt.date(2024, 12, 31)
    assert records.catalogue.version


def test_read_csv_keeps_file_order_and_parses_cells(edges_dir):
    repayments = read_records(edges_dir).tables["repayments"].to_pydict()
    assert repayments["loan_id"][:2] == ["L-A", "L-B"]
    assert repayments["due_on"][0] == dt.date(2023, 7, 1)
    assert repayments["paid_on"][2] is None  # empty cell
    assert repayments["force_majeure"][5] is True


@pytest.mark.parametrize(
    "text, value",
    [
        ("True", True),
        ("true", True),
        ("1", True),
        ("False", False),
        ("false", False),
        ("0", False),
    ],
)
def test_csv_bools_are_read_in_every_spelling(make_csv, text, value):
    records = read_records(make_csv(cells=[("repayments", 1, "force_majeure", text)]))
    assert records.tables["repayments"]["force_majeure"][0].as_py() is value


def test_csv_whole_float_is_read_as_an_int(make_csv):
    records = read_records(make_csv(cells=[("loans", 1, "term_months", "36.0")]))
    assert records.tables["loans"]["term_months"][0].as_py() == 36


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_write_then_read_gives_the_same_records(edges_dir, tmp_path, fmt):
    records = read_records(edges_dir)
    out = write_records(records.tables, tmp_path / "set", records.extracted_on, fmt=fmt)
    again = read_records(out)
    assert again.format == fmt
    assert again.extracted_on == records.extracted_on
    assert _equal(again, records)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{t}.{fmt}" for t in TABLES] + ["manifest.json"]
    )


def test_write_from_pandas_gives_the_same_records(edges_dir, tmp_path):
    records = read_records(edges_dir)
    frames = {t: records.to_pandas(t) for t in TABLES}
    again = read_records(write_records(frames, tmp_path / "set", "2024-12-31"))
    assert _equal(again, records)


def test_to_pandas_uses_nullable_dtypes_and_datetimes(edges_dir):
    loans = read_records(edges_dir).to_pandas("loans")
    assert str(loans["term_months"].dtype) == "Int64"
    assert pd.api.types.is_datetime64_any_dtype(loans["opened_on"])
    assert loans["closed_on"].isna().all()


def test_write_refuses_missing_table_and_column(edges_dir, tmp_path):
    tables = dict(read_records(edges_dir).tables)
    loans = tables.pop("loans")
    with pytest.raises(RecordError, match="write_records: missing loans"):
        write_records(tables, tmp_path / "a", "2024-12-31")
    tables["loans"] = loans.drop_columns(["principal"])
    with pytest.raises(RecordError, match=r"^loans\.principal: missing column"):
        write_records(tables, tmp_path / "b", "2024-12-31")
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_write_refuses_null_in_non_nullable_column(edges_dir, tmp_path):
    frames = {t: read_records(edges_dir).to_pandas(t) for t in TABLES}
    frames["loans"].loc[0, "opened_on"] = None
    with pytest.raises(RecordError, match=r"^loans\.opened_on: 1 nulls"):
        write_records(frames, tmp_path / "set", "2024-12-31")


def test_write_refuses_unknown_format(edges_dir, tmp_path):
    with pytest.raises(RecordError, match="format must be one of parquet, csv"):
        write_records(read_records(edges_dir).tables, tmp_path / "set", "2024-12-31", fmt="xls")


def test_failed_write_leaves_previous_record_set_intact(edges_dir, tmp_path, monkeypatch):
    records = read_records(edges_dir)
    out = write_records(records.tables, tmp_path / "set", records.extracted_on)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    written = []

    def fail_on_third(table, where, *args, **kwargs):
        written.append(where)
        if len(written) == 3:
            raise OSError("disk full")
        return real_write(table, where, *args, **kwargs)

    real_write = pq.write_table
    monkeypatch.setattr(pq, "write_table", fail_on_third)
    with pytest.raises(OSError, match="disk full"):
        write_records(records.tables, out, dt.date(2025, 6, 30))
    assert len(written) == 3
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["set"]  # no temporary left
    assert read_records(out).extracted_on == records.extracted_on


def test_record_files_names_the_missing_file(make_csv):
    path = make_csv()
    assert list(record_files(path)) == list(TABLES)
    (path / "repayments.csv").unlink()
    with pytest.raises(RecordError, match=r"missing repayments\.csv"):
        record_files(path)
    with pytest.raises(RecordError, match=r"missing repayments\.csv"):
        read_records(path)


def test_find_extracted_on_reads_the_manifest_else_the_latest_date(make_csv):
    assert find_extracted_on(make_csv()) == dt.date(2024, 12, 31)
    assert find_extracted_on(make_csv(manifest=False)) == dt.date(2024, 4, 1)
    assert read_records(make_csv(manifest=False)).extracted_on == dt.date(2024, 4, 1)


def test_find_extracted_on_refuses_a_bad_manifest(make_csv):
    path = make_csv()
    (path / "manifest.json").write_text(json.dumps({"extracted": "2024-12-31"}))
    with pytest.raises(RecordError, match=r"manifest\.json: unreadable manifest\.json"):
        find_extracted_on(path)


def test_read_records_refuses_an_invalid_set(make_csv):
    path = make_csv(cells=[("contributions", 2, "amount_paid", "-12.5")])
    with pytest.raises(
        RecordError,
        match=r"^1 problem in 1 table; contributions\.amount_paid "
        r"row 2: negative amount \(got -12\.5",
    ):
        read_records(path)
    assert (
        read_records(path, validate=False).tables["contributions"]["amount_paid"][1].as_py()
        == -12.5
    )


def test_read_records_without_validation_still_refuses_a_missing_column(make_csv):
    with pytest.raises(RecordError, match=r"^loans\.principal: missing column in loans\.csv"):
        read_records(make_csv(drop=[("loans", "principal")]), validate=False)


def test_read_parquet_with_compatible_types_casts_to_the_contract(tmp_path, edges_dir):
    records = read_records(edges_dir)
    out = write_records(records.tables, tmp_path / "set", records.extracted_on)
    loans = records.tables["loans"]
    compatible = {"term_months": pa.int32(), "principal": pa.int64()}
    for column, typ in compatible.items():
        i = loans.column_names.index(column)
        loans = loans.set_column(i, column, loans.column(i).cast(typ))
    i = loans.column_names.index("product")
    loans = loans.set_column(i, "product", loans.column(i).dictionary_encode())
    pq.write_table(loans, out / "loans.parquet")
    again = read_records(out)
    assert again.tables["loans"].schema.equals(arrow_schema("loans"))
    assert again.tables["loans"].equals(records.tables["loans"])


def test_parquet_is_preferred_and_extra_files_ignored(tmp_path, edges_dir):
    records = read_records(edges_dir)
    out = write_records(records.tables, tmp_path / "set", records.extracted_on)
    write_csv_set({"subjects": load_edges()["subjects"]}, tmp_path / "csv")
    (tmp_path / "csv" / "subjects.csv").rename(out / "subjects.csv")
    assert read_records(out).format == "parquet"


def test_record_set_repr_is_short(edges_dir):
    text = repr(read_records(edges_dir))
    assert text.startswith("RecordSet(") and "subjects=15" in text and len(text) < 300


def test_importing_records_leaves_duckdb_unloaded():
    code = "import sys, creditscore.records; print('duckdb' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
