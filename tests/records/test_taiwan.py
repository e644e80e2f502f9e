import re

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from creditscore._errors import InputError
from creditscore.records import TABLES, arrow_schema, read_records
from creditscore.records._taiwan import TAIWAN_AS_OF, TAIWAN_DATA, paid_month, taiwan_to_records

CSV = TAIWAN_DATA  # shipped inside the package: creditscore/records/data/


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    return taiwan_to_records(CSV, tmp_path_factory.mktemp("tw") / "records", nrows=500)


@pytest.fixture(scope="module")
def raw():
    return pd.read_parquet(CSV).head(500)


def test_first_500_rows_are_a_valid_record_set(records):
    rs = read_records(records)  # validates against the contract and the catalogue
    assert rs.n_rows == {
        "subjects": 500,
        "contributions": 0,
        "loans": 500,
        "repayments": 3500,
        "public_records": 0,
        "protected": 500,
    }
    assert str(rs.extracted_on) == "2006-09-30"


@pytest.mark.parametrize("table", list(TABLES))
def test_every_table_has_the_contract_schema(records, table):
    schema = pq.read_schema(records / f"{table}.parquet")
    expected = arrow_schema(table)
    assert schema.names == expected.names
    assert [f.type for f in schema] == [f.type for f in expected]


def test_subject_ids_are_pseudonyms_not_national_ids(records):
    ids = pd.read_parquet(records / "subjects.parquet")["subject_id"]
    assert ids.iloc[0] == "TW00001"
    assert ids.str.fullmatch(r"TW\d{5}").all()
    assert not ids.str.contains(re.compile(r"[0-9]{15,}")).any()


def test_one_card_per_person_with_the_limit_as_principal(records, raw):
    loans = pd.read_parquet(records / "loans.parquet")
    assert (loans["product"] == "credit_card").all()
    np.testing.assert_array_equal(loans["principal"], raw["X1"])
    assert loans["closed_on"].isna().all() and loans["term_months"].isna().all()


def test_statements_carry_bills_and_payments(records, raw):
    rep = pd.read_parquet(records / "repayments.parquet")
    first = rep[rep["loan_id"] == "TW00002-CC"].sort_values("due_on")
    assert [str(d) for d in first["due_on"]][:6] == [f"2005-{m:02d}-15" for m in range(4, 10)]
    assert (
        first["amount_due"].tolist()[:6]
        == raw.loc[1, ["X17", "X16", "X15", "X14", "X13", "X12"]].clip(lower=0).tolist()
    )
    assert (
        first["amount_paid"].tolist()[:6]
        == raw.loc[1, ["X23", "X22", "X21", "X20", "X19", "X18"]].tolist()
    )


def test_protected_attributes_go_to_protected_only(records, raw):
    prot = pd.read_parquet(records / "protected.parquet")
    assert set(prot["sex"]) <= {"male", "female"}
    np.testing.assert_array_equal(prot["birth_year"], 2005 - raw["X5"])
    assert (prot[["ethnicity", "hukou", "region"]] == "unknown").all().all()
    extra = pd.read_parquet(records / "protected_extra.parquet")
    assert list(extra.columns) == ["subject_id", "education", "marriage"]
    for table in ("subjects", "loans", "repayments"):
        cols = set(pq.read_schema(records / f"{table}.parquet").names)
        assert not cols & {"sex", "birth_year", "age", "education", "marriage"}


@pytest.mark.parametrize(
    "status, expected",
    [
        ([-1, -1, 0, -2, -1, 0], [0, 1, 2, 3, 4, 5]),  # nothing overdue: paid in own month
        ([0, 0, 0, 0, 0, 1], [0, 1, 2, 3, 4, 6]),  # September statement unpaid at t
        ([0, 0, 0, 1, 2, 3], [0, 1, 2, 6, 6, 6]),  # three behind in September: Jul..Sep unpaid
        ([0, 0, 0, 0, 2, 2], [0, 1, 2, 3, 6, 6]),  # July was paid in July, so only Aug, Sep
        ([1, 0, 0, 0, 0, 0], [1, 1, 2, 3, 4, 5]),  # April statement paid in May
        ([2, 3, 0, 0, 0, 0], [2, 2, 2, 3, 4, 5]),  # arrears cleared in June
    ],
)
def test_repayment_status_maps_to_the_month_paid(status, expected):
    assert paid_month(np.array([status])).tolist() == [expected]


def test_default_label_as_of_september_equals_y(records):
    from creditscore.features import build_feature_table

    table = build_feature_table(records, [TAIWAN_AS_OF])
    truth = pd.read_parquet(records / "taiwan_truth.parquet")
    rows = table.merge(truth, on="subject_id")
    known = rows["default_12m"].notna()
    assert known.mean() > 0.98
    assert (rows.loc[known, "default_12m"] == rows.loc[known, "default_next_month"]).all()


def test_a_csv_without_the_uci_columns_is_input_error(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("ID,X1\n1,20000\n")
    with pytest.raises(InputError, match="missing column"):
        taiwan_to_records(bad, tmp_path / "out")
    assert not (tmp_path / "out").exists()
