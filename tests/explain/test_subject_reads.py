"""One subject's answer reads one subject's records (issue 31).

``explain`` and ``features --subjects`` read only the rows the subjects own
(``records/_ownership.py``), and give what the whole-population path gives: the same
feature cells and the same letter, on several subjects and dates, persons and entities,
Parquet and CSV, the shipped layout and a re-laid-out one.
"""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest

from creditscore._errors import InputError
from creditscore.explain import build_letter, render_letter, write_letter
from creditscore.features import build_feature_table
from creditscore.records import (
    RecordError,
    layout_records,
    read_records,
    read_subject_records,
    validate_records,
    write_records,
)

DATES = ["2021-12-31", "2022-12-31", "2023-06-30"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from creditscore.models import train_model
    from creditscore.synth import generate

    root = tmp_path_factory.mktemp("subject-reads")
    generate(root / "records", n_subjects=700, seed=31, n_entities=12)
    build_features_path = root / "features.parquet"
    from creditscore.features import build_features

    build_features(root / "records", DATES, build_features_path)
    train_model(build_features_path, "default_12m", "lgbm", out=root / "model", n_boot=5)
    full = build_feature_table(root / "records", DATES)
    return root, full


def _some_subjects(full: pd.DataFrame, n: int = 6) -> list[str]:
    ids = sorted(full["subject_id"].unique())
    return [ids[i] for i in range(0, len(ids), max(1, len(ids) // n))][:n]


def _old_letter(records, subject_id, model_dir, as_of, out):
    """The letter as the whole-population path made it before issue 31."""
    from creditscore.models import load_model

    rs = read_records(records)
    tables = {name: rs.to_pandas(name) for name in rs.tables}
    own = {k: v[v["subject_id"] == subject_id] if "subject_id" in v else v
           for k, v in tables.items()}
    loans = set(own["loans"]["loan_id"])
    own["repayments"] = tables["repayments"][tables["repayments"]["loan_id"].isin(loans)]
    full = build_feature_table(records, [as_of])
    row = full[full["subject_id"] == subject_id].reset_index(drop=True)
    letter = build_letter(own, subject_id, as_of, "review", load_model(model_dir), row,
                          catalogue=rs.catalogue)
    return render_letter(letter, out)[1].read_text()


def test_features_of_listed_subjects_equal_their_rows_of_the_full_build(world):
    root, full = world
    ids = _some_subjects(full, 10)
    part = build_feature_table(root / "records", DATES, subjects=ids)
    expected = full[full["subject_id"].isin(ids)].reset_index(drop=True)
    assert len(part) == len(ids) * len(DATES)
    pd.testing.assert_frame_equal(part, expected)


def test_entity_features_of_listed_entities_equal_the_full_build(world):
    from creditscore.features._entity_engine import build_entity_table

    root, _ = world
    full = build_entity_table(root / "records", DATES).to_pandas()
    ids = sorted(full["subject_id"].unique())[::4]
    part = build_entity_table(root / "records", DATES, subjects=ids).to_pandas()
    pd.testing.assert_frame_equal(part, full[full["subject_id"].isin(ids)].reset_index(drop=True))


@pytest.mark.parametrize("as_of", ["2022-12-31", "2023-06-30"])
def test_the_letter_is_the_one_the_whole_population_path_wrote(world, tmp_path, as_of):
    root, full = world
    for sid in _some_subjects(full, 3):
        new = write_letter(root / "records", sid, root / "model", as_of, "review",
                           tmp_path / f"new-{sid}", require_audit=False)
        old = _old_letter(root / "records", sid, root / "model", as_of, tmp_path / f"old-{sid}")
        assert new.markdown.read_text() == old


def test_subject_records_are_the_subjects_rows_in_parquet_and_csv(world, tmp_path):
    root, full = world
    sid = _some_subjects(full, 2)[1]
    whole = read_records(root / "records")
    csv = write_records(whole.tables, tmp_path / "csv", whole.extracted_on, fmt="csv")
    a = read_subject_records(root / "records", [sid])
    b = read_subject_records(csv, [sid])
    assert a.extracted_on == b.extracted_on == whole.extracted_on
    for name in a.tables:
        assert a.tables[name].equals(b.tables[name]), name
    assert a.n_rows["subjects"] == 1 and a.n_rows["repayments"] > 0


def test_only_the_subjects_rows_are_validated(world, tmp_path):
    """A bad row of somebody else does not stop one subject's letter; one's own does."""
    root, full = world
    whole = read_records(root / "records")
    pr = whole.to_pandas("public_records")
    mine, other = pr["subject_id"].iloc[0], pr["subject_id"].iloc[-1]
    assert mine != other
    bad = pr.copy()
    bad.loc[bad.index[-1], "recorded_on"] = bad["occurred_on"].iloc[-1] - pd.Timedelta(days=30)
    broken = write_records({**whole.tables, "public_records": bad}, tmp_path / "broken",
                           whole.extracted_on)
    assert not validate_records(broken).ok
    assert read_subject_records(broken, [mine]).n_rows["subjects"] == 1
    with pytest.raises(RecordError, match="public_records"):
        read_subject_records(broken, [other])


def test_an_unknown_subject_is_refused_naming_it(world):
    root, _ = world
    with pytest.raises(InputError, match="NOBODY"):
        build_feature_table(root / "records", DATES, subjects=["NOBODY"])
    with pytest.raises(RecordError, match="NOBODY"):
        read_subject_records(root / "records", ["NOBODY"])
    with pytest.raises(InputError, match="duckdb"):
        build_feature_table(root / "records", DATES, engine="spark", subjects=["S1"])


def test_the_layout_rewrite_sorts_row_groups_and_keeps_every_cell(world, tmp_path):
    root, full = world
    out = layout_records(root / "records", tmp_path / "sorted", row_group_rows=4096)
    assert validate_records(out).ok and (out / "manifest.json").is_file()
    meta = pq.ParquetFile(out / "contributions.parquet").metadata
    assert meta.num_row_groups > 1
    ranges = [(meta.row_group(i).column(0).statistics.min,
               meta.row_group(i).column(0).statistics.max) for i in range(meta.num_row_groups)]
    assert all(a[1] <= b[0] for a, b in zip(ranges, ranges[1:], strict=False))  # in order
    again = build_feature_table(out, DATES)
    pd.testing.assert_frame_equal(again, full)
    ids = _some_subjects(full, 4)
    part = build_feature_table(out, DATES, subjects=ids)
    pd.testing.assert_frame_equal(part, full[full["subject_id"].isin(ids)].reset_index(drop=True))
    with pytest.raises(RecordError, match="another directory"):
        layout_records(out, out)


def test_an_entity_reads_the_contributions_it_owes_and_stays_valid(world):
    """An employer's rows: its own, the contributions it owes, its employees' subject rows."""
    root, _ = world
    whole = read_records(root / "records")
    c = whole.to_pandas("contributions")
    employer = c["employer_id"].dropna().value_counts().index[0]
    own = read_subject_records(root / "records", [employer], employer=True)  # validated
    owed = own.to_pandas("contributions")
    assert (owed["employer_id"] == employer).sum() == (c["employer_id"] == employer).sum()
    assert set(owed["subject_id"]) <= set(own.to_pandas("subjects")["subject_id"])
