"""generate(): the files it writes, where, and that they repeat exactly."""

from __future__ import annotations

import datetime as dt
import json

import pyarrow.parquet as pq
import pytest

from creditscore import __version__
from creditscore._errors import InputError
from creditscore.records._contract import TABLES, arrow_schema
from creditscore.synth import SCENARIOS, _generate, _writer, generate, truth_dir_for


def _bytes(directory):
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def test_every_table_has_exactly_the_contract_schema(fair):
    for name in TABLES:
        schema = pq.read_schema(fair.dir / f"{name}.parquet").remove_metadata()
        assert schema.equals(arrow_schema(name)), name


def test_record_set_holds_the_six_tables_and_the_manifest_only(fair):
    names = sorted(p.name for p in fair.dir.iterdir())
    assert names == sorted([f"{t}.parquet" for t in TABLES] + ["manifest.json"])
    manifest = json.loads((fair.dir / "manifest.json").read_text())
    assert manifest == {"extracted_on": "2024-12-31"}


def test_truth_is_written_beside_the_record_set(fair):
    truth = truth_dir_for(fair.dir)
    assert truth.parent == fair.dir.parent and truth != fair.dir
    assert fair.summary.truth_dir == truth
    seed = json.loads((truth / "seed.json").read_text())
    assert (seed["seed"], seed["scenario"], seed["n_subjects"]) == (11, "fair", 1500)
    assert seed["version"] == __version__
    assert list(fair.truth["subject_id"]) == list(fair["subjects"]["subject_id"])
    assert fair.truth["latent_risk"].notna().all()


def test_summary_counts_the_rows_of_each_file(fair):
    per_table = {name: len(fair[name]) for name in TABLES}
    assert fair.summary.records_per_table == per_table
    assert fair.summary.n_records == sum(per_table.values())
    assert fair.summary.n_subjects == 1500 and fair.summary.seconds > 0


def test_same_seed_gives_identical_bytes(tmp_path):
    a = generate(tmp_path / "a", n_subjects=600, seed=3, scenario="records-bias")
    b = generate(tmp_path / "b", n_subjects=600, seed=3, scenario="records-bias")
    assert _bytes(a.out_dir) == _bytes(b.out_dir)
    assert _bytes(a.truth_dir) == _bytes(b.truth_dir)


def test_different_seed_gives_different_records(tmp_path):
    a = generate(tmp_path / "a", n_subjects=600, seed=3)
    b = generate(tmp_path / "b", n_subjects=600, seed=4)
    for name in ("contributions", "loans", "repayments", "public_records", "protected"):
        assert _bytes(a.out_dir)[f"{name}.parquet"] != _bytes(b.out_dir)[f"{name}.parquet"]


def test_output_does_not_depend_on_chunk_size(tmp_path, monkeypatch):
    monkeypatch.setattr(_writer, "ROW_GROUP_ROWS", 50_000)  # several row groups per file
    a = generate(tmp_path / "a", n_subjects=2500, seed=8, chunk_size=1000)
    b = generate(tmp_path / "b", n_subjects=2500, seed=8, chunk_size=3000)
    assert pq.ParquetFile(a.out_dir / "contributions.parquet").num_row_groups > 1
    assert _bytes(a.out_dir) == _bytes(b.out_dir)


def test_a_failed_run_leaves_the_previous_output_intact(tmp_path, monkeypatch):
    first = generate(tmp_path / "set", n_subjects=300, seed=1)
    before = _bytes(first.out_dir)

    def explode(world, index):
        raise RuntimeError("disk full")

    monkeypatch.setattr(_generate, "make_block", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        generate(tmp_path / "set", n_subjects=300, seed=2)
    assert _bytes(first.out_dir) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["set", "set.truth"]


def test_unknown_scenario_is_refused_naming_the_valid_ones(tmp_path):
    with pytest.raises(InputError, match="unknown scenario 'utopia'") as info:
        generate(tmp_path / "x", n_subjects=10, scenario="utopia")
    assert all(name in str(info.value) for name in SCENARIOS)
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    "kwargs", [{"n_subjects": 0}, {"seed": -1}, {"chunk_size": 0}, {"n_subjects": 2.5}]
)
def test_bad_counts_are_input_errors(tmp_path, kwargs):
    with pytest.raises(InputError, match="must be a whole number"):
        generate(tmp_path / "x", **{"n_subjects": 10, **kwargs})


def test_too_short_a_period_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="at least 3 months after start"):
        generate(tmp_path / "x", n_subjects=10, start=dt.date(2024, 11, 1))


def test_other_dates_move_the_whole_record_set(tmp_path):
    extracted = dt.date(2023, 3, 9)
    s = generate(tmp_path / "x", n_subjects=1000, start=dt.date(2020, 7, 1), extracted_on=extracted)
    contributions = pq.read_table(s.out_dir / "contributions.parquet").to_pandas()
    assert contributions["period"].min() == dt.date(2020, 7, 1)
    assert contributions["period"].max() == dt.date(2023, 1, 1)  # due 2023-02-15
    for name, table in TABLES.items():
        frame = pq.read_table(s.out_dir / f"{name}.parquet").to_pandas()
        for column in table.date_columns:
            assert (frame[column].dropna() <= extracted).all(), (name, column)
    assert json.loads((s.out_dir / "manifest.json").read_text())["extracted_on"] == "2023-03-09"


def test_generated_record_set_validates_clean(fair):
    records = pytest.importorskip("creditscore.records")
    if not hasattr(records, "validate_records"):
        pytest.skip("creditscore.records.validate_records is not written yet")
    report = records.validate_records(fair.dir)
    assert report.ok, report.messages()[:10]
