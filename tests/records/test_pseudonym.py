import re

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditscore._errors import InputError
from creditscore.records import (
    TABLES,
    pseudonymise,
    pseudonymise_records,
    read_records,
    validate_records,
    write_records,
)

KEY = "test key, at least sixteen bytes"
PSEUDONYM = re.compile(r"^S-[0-9a-f]{10}-[0-9a-f]{10}$")


def test_same_key_same_pseudonym_other_key_other_pseudonym():
    ids = ["110101199003071234", "C-42"]
    assert pseudonymise(ids, key=KEY) == pseudonymise(ids, key=KEY)
    assert pseudonymise(ids, key=KEY) != pseudonymise(ids, key=KEY + "!")


def test_key_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("CREDITSCORE_PSEUDONYM_KEY", KEY)
    assert pseudonymise(["C-42"]) == pseudonymise(["C-42"], key=KEY)


def test_no_key_is_refused(monkeypatch):
    monkeypatch.delenv("CREDITSCORE_PSEUDONYM_KEY", raising=False)
    with pytest.raises(
        InputError,
        match="no pseudonymisation key: set the environment variable CREDITSCORE_PSEUDONYM_KEY",
    ):
        pseudonymise(["C-42"])


def test_short_key_is_refused():
    with pytest.raises(InputError, match=r"too short \(got 15 bytes, expected at least 16\)"):
        pseudonymise(["C-42"], key="x" * 15)


def test_one_string_instead_of_a_list_is_refused():
    with pytest.raises(InputError, match="not one str"):
        pseudonymise("110101199003071234", key=KEY)


def test_null_or_float_id_is_refused():
    with pytest.raises(InputError, match="position 1 cannot be pseudonymised"):
        pseudonymise(["C-1", None], key=KEY)


def test_national_id_written_with_lower_x_gets_the_same_pseudonym():
    upper, lower = pseudonymise(["11010119900307123X", " 11010119900307123x"], key=KEY)
    assert upper == lower


def test_series_in_series_out():
    ids = pd.Series(["a", "b", "a"], index=[10, 20, 30], name="subject_id")
    out = pseudonymise(ids, key=KEY)
    assert isinstance(out, pd.Series)
    assert list(out.index) == [10, 20, 30] and out.name == "subject_id"
    assert out[10] == out[30] != out[20]


@settings(max_examples=50, deadline=None)
@given(
    ids=st.lists(st.one_of(st.text(min_size=1), st.integers(min_value=0)), min_size=1),
    key=st.text(min_size=16),
)
def test_pseudonyms_are_short_and_hold_no_national_id_nor_key(ids, key):
    for out in pseudonymise(ids, key=key):
        assert PSEUDONYM.match(out)
        assert not re.search(r"[0-9]{15,}", out)
        assert key not in out


def test_pseudonymise_records_is_consistent_and_validates(edges_dir, tmp_path):
    records = read_records(edges_dir)
    renamed = pseudonymise_records(records.tables, key=KEY)
    expected = dict(
        zip(
            records.tables["subjects"]["subject_id"].to_pylist(),
            pseudonymise(records.tables["subjects"]["subject_id"].to_pylist(), key=KEY),
            strict=True,
        )
    )
    for name in ("subjects", "contributions", "loans", "public_records", "protected"):
        before = records.tables[name]["subject_id"].to_pylist()
        assert renamed[name]["subject_id"].to_pylist() == [expected[s] for s in before]
    assert renamed["repayments"] is records.tables["repayments"]
    out = write_records(renamed, tmp_path / "set", records.extracted_on)
    assert validate_records(out).ok


def test_pseudonymise_records_clears_national_ids(edges_dir, tmp_path):
    frames = {t: read_records(edges_dir).to_pandas(t) for t in TABLES}
    national = {"S-A": "110101199003071234"}
    for frame in frames.values():
        if "subject_id" in frame:
            frame["subject_id"] = frame["subject_id"].replace(national)
    raw = write_records(frames, tmp_path / "raw", "2024-12-31")
    assert not validate_records(raw).ok
    clean = write_records(pseudonymise_records(frames, key=KEY), tmp_path / "clean", "2024-12-31")
    assert validate_records(clean).ok


def test_pseudonymise_records_keeps_nulls_null():
    frame = pd.DataFrame({"subject_id": ["a", None, pd.NA]}, dtype="object")
    table = pa.table({"subject_id": ["a", None]})
    out = pseudonymise_records({"loans": frame, "protected": table}, key=KEY)
    assert out["loans"]["subject_id"].isna().tolist() == [False, True, True]
    assert out["protected"]["subject_id"].to_pylist()[1] is None
    assert out["loans"]["subject_id"][0] == out["protected"]["subject_id"][0].as_py()
