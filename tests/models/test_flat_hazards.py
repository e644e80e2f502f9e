"""Input hazards of a flat table: dates as text, and column names typed slightly wrong."""

import datetime as dt
import os
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from creditscore._errors import InputError, did_you_mean
from creditscore.models import FlatTableWarning, flat_schema
from creditscore.models._flat import date_like
from flat_table import make_flat_table


@pytest.fixture(scope="module")
def table():
    t = make_flat_table(n=300)
    days = pd.Timestamp("2019-01-01") + pd.to_timedelta(np.arange(300) % 125, unit="D")
    return t.assign(application_date=days.strftime("%Y-%m-%d"),
                    signed_on=days.strftime("%d/%m/%Y"))


def _schema(frame, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FlatTableWarning)
        schema = flat_schema(frame, "risk", positive="bad", id_column="application_id",
                             protected=["age_in_years", "personal_status"], **kw)
    return schema, " ".join(str(w.message) for w in caught)


def test_a_csv_date_column_is_dropped_with_a_warning_never_a_category(table, tmp_path):
    """The issue's case: 125 dates as text became a 125-level categorical input."""
    table.to_csv(tmp_path / "credit.csv", index=False)
    frame = pd.read_csv(tmp_path / "credit.csv")
    assert pd.api.types.is_string_dtype(frame["application_date"])  # what CSV gives: text
    schema, said = _schema(frame)
    for col in ("application_date", "signed_on"):
        assert col not in schema.names and col in schema.dropped
        assert f"'{col}' dropped: text of dates" in said
    assert "'application_date' dropped: text of dates (e.g. '2019-01-01')" in said


def test_a_date_declared_categorical_is_still_dropped(table, tmp_path):
    spec = tmp_path / "features.yaml"
    spec.write_text("features:\n  - column: application_date\n    type: categorical\n")
    schema, said = _schema(table, features_yaml=spec)
    assert "application_date" not in schema.names and "text of dates" in said


def test_date_objects_and_datetimes_are_dropped(table):
    t = table.assign(application_date=[dt.date(2020, 1, 1) + dt.timedelta(days=i % 50)
                                       for i in range(len(table))],
                     signed_on=pd.to_datetime(table["application_date"]))
    schema, _ = _schema(t)
    assert not {"application_date", "signed_on"} & set(schema.names)


@pytest.mark.parametrize("values", [["A12", "B3"], ["12-3", "4-5"], ["car", "May be"],
                                    ["2023-13-45", "2023-14-01"], ["1", "2"]])
def test_codes_that_only_look_a_little_like_dates_stay_categories(values):
    assert date_like(pd.Series(values * 5, dtype=object)) is None


@pytest.mark.parametrize("values", [["2023-01-15", "2023-02-01"], ["15/01/2023", "1/2/2023"],
                                    ["Jan 2023", "Feb 2023"], ["2023-01-15T10:30:00", None],
                                    ["15 Jan 2023", "1 Feb 2023"]])
def test_common_date_forms_are_found(values):
    assert date_like(pd.Series(values * 5, dtype=object)) is not None


def test_did_you_mean_names_the_nearest_known_names():
    assert did_you_mean("defualt_12m", ["default_12m", "breach_12m"]) == (
        "; did you mean 'default_12m'?")
    assert did_you_mean("Age", ["AGE", "SEX"]) == "; did you mean 'AGE'?"
    assert did_you_mean("zzzz", ["default_12m"]) == ""


@pytest.mark.parametrize(("kw", "match"), [
    ({"id_column": "aplication_id"}, r"no id column 'aplication_id' .*did you mean "
                                     r"'application_id'( or '\w+')?\?$"),
    ({"protected": ["age_in_year"]}, r"no protected column 'age_in_year' .*did you mean "
                                     r"'age_in_years'\?$"),
    ({"exclude": ["telephon"]}, r"no dropped column 'telephon' .*did you mean 'telephone'\?$"),
])
def test_an_unknown_column_gets_the_nearest_names(table, kw, match):
    args = {"positive": "bad", "id_column": "application_id", "protected": ["age_in_years"]}
    with pytest.raises(InputError, match=match):
        flat_schema(table, "risk", **{**args, **kw})


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "creditscore", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600, env=os.environ.copy())


def test_train_with_a_misspelt_target_says_did_you_mean_exit_2(table, tmp_path):
    table.to_csv(tmp_path / "credit.csv", index=False)
    r = _cli("train", "credit.csv", "--target", "rsik", "--positive", "bad", "--out", "m",
             cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "no target column 'rsik'" in lines[0]
    assert lines[0].endswith("did you mean 'risk'?"), lines[0]
    assert not (tmp_path / "m").exists()


def test_a_feature_table_target_misspelt_says_did_you_mean():
    from creditscore.models._inputs import training_rows

    frame = pd.DataFrame({"subject_id": ["a"], "as_of": [pd.Timestamp("2023-01-01")],
                          "default_12m": [1], "breach_12m": [0]})
    with pytest.raises(InputError, match=r"no column 'default12m' \(expected default_12m or "
                                         r"breach_12m.*; did you mean 'default_12m'\?\)"):
        training_rows(frame, "default12m", None, "features.parquet")
