"""Hostile and broken input through the real command line.

Every bad input exits 2 with a ``creditscore: error:`` message that names the
file, table, column and row where it can, never prints a traceback, and never
leaves an output behind: the ``--out`` path is absent afterwards, or the
previous output there is byte-for-byte unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from .conftest import (
    SMALL_SUBJECTS,
    assert_refused,
    copy_world,
    digest,
    replicate_features,
    run_cli,
    set_cell,
)

MEGABYTE_ID = "A" * 1_000_000


# --------------------------------------------------------------- bad record sets
# Each maker turns a copy of the session world (Parquet, or CSV) into one bad
# record set and returns the strings its error message must hold.


def _rewrite(file: Path, data: bytes) -> None:
    file.write_bytes(data)


def truncated_parquet(d: Path):
    data = (d / "loans.parquet").read_bytes()
    _rewrite(d / "loans.parquet", data[: len(data) // 2])
    return ["loans.parquet", "loans"]


def random_bytes_parquet(d: Path):
    _rewrite(d / "loans.parquet", random.Random(1).randbytes(5_000))
    return ["loans.parquet"]


def corrupt_page_parquet(d: Path):
    # a good footer, but the data pages in the middle are noise
    data = bytearray((d / "contributions.parquet").read_bytes())
    data[1_000:60_000] = random.Random(2).randbytes(59_000)
    _rewrite(d / "contributions.parquet", bytes(data))
    return ["contributions.parquet"]


def year_9999_parquet(d: Path):
    set_cell(d / "loans.parquet", "opened_on", 8, dt.date(9999, 12, 31))
    return ["loans.opened_on row 8", "date out of range", "9999-12-31"]


def year_0001_parquet(d: Path):
    set_cell(d / "loans.parquet", "opened_on", 8, dt.date(1, 1, 1))
    return ["loans.opened_on row 8", "date out of range", "0001-01-01"]


def nan_money_parquet(d: Path):
    set_cell(d / "repayments.parquet", "amount_paid", 42, float("nan"))
    return ["repayments.amount_paid row 42", "not a finite number"]


def inf_money_parquet(d: Path):
    set_cell(d / "contributions.parquet", "amount_due", 7, float("inf"))
    return ["contributions.amount_due row 7", "not a finite number"]


def minus_inf_money_parquet(d: Path):
    set_cell(d / "loans.parquet", "principal", 3, float("-inf"))
    return ["loans.principal row 3", "not a finite number"]


def megabyte_id_parquet(d: Path):
    # one more subject (and its protected row) whose id is a megabyte long
    for name in ("subjects", "protected"):
        table = pq.read_table(d / f"{name}.parquet")
        row = table.slice(0, 1).set_column(0, table.schema.field(0), pa.array([MEGABYTE_ID]))
        pq.write_table(pa.concat_tables([table, row]), d / f"{name}.parquet")
    return [f"subjects.subject_id row {SMALL_SUBJECTS + 1}", "text too long"]


def million_rows_bad_last_row(d: Path):
    table = pq.read_table(d / "contributions.parquet")
    n = 1_000_000
    big = table.take(pa.array(np.arange(n) % table.num_rows))
    paid = big["amount_paid"].to_numpy().copy()
    paid[-1] = -12.5
    i = big.column_names.index("amount_paid")
    big = big.set_column(i, big.schema.field(i), pa.array(paid))
    pq.write_table(big, d / "contributions.parquet", row_group_size=262_144)
    return ["contributions.amount_paid row 1000000", "negative amount", "-12.5"]


def _edit_csv_cell(file: Path, column: str, row: int, value: str) -> None:
    lines = file.read_text(encoding="utf-8").split("\n")
    header = [h.strip('"') for h in lines[0].split(",")]
    cells = lines[row].split(",")
    cells[header.index(column)] = value
    lines[row] = ",".join(cells)
    file.write_text("\n".join(lines), encoding="utf-8")


def utf16_csv(d: Path):
    text = (d / "protected.csv").read_text(encoding="utf-8")
    (d / "protected.csv").write_bytes(text.encode("utf-16"))
    return ["protected.csv", "line 1 is not UTF-8"]


def latin1_csv(d: Path):
    _edit_csv_cell(d / "contributions.csv", "employer_id", 15_000, '"Zürich Maschinen AG"')
    text = (d / "contributions.csv").read_text(encoding="utf-8")
    (d / "contributions.csv").write_bytes(text.encode("latin-1"))
    return ["contributions.csv", "line 15001 is not UTF-8"]


def feb_30_csv(d: Path):
    _edit_csv_cell(d / "loans.csv", "opened_on", 8, "2023-02-30")
    return ["loans.opened_on row 8", "not a date", "2023-02-30"]


def year_9999_csv(d: Path):
    _edit_csv_cell(d / "repayments.csv", "due_on", 5, "9999-12-31")
    return ["repayments.due_on row 5", "date out of range"]


def year_0001_csv(d: Path):
    _edit_csv_cell(d / "public_records.csv", "occurred_on", 2, "0001-01-01")
    return ["public_records.occurred_on row 2", "date out of range"]


def nan_money_csv(d: Path):
    _edit_csv_cell(d / "repayments.csv", "amount_paid", 42, "NaN")
    return ["repayments.amount_paid row 42", "not a finite number"]


def inf_money_csv(d: Path):
    _edit_csv_cell(d / "contributions.csv", "amount_paid", 9, "-Infinity")
    return ["contributions.amount_paid row 9", "not a finite number"]


def megabyte_cell_csv(d: Path):
    _edit_csv_cell(d / "protected.csv", "region", 3, '"' + "R" * 1_000_000 + '"')
    return ["protected.region row 3", "text too long"]


PARQUET_CASES = [
    truncated_parquet,
    random_bytes_parquet,
    corrupt_page_parquet,
    year_9999_parquet,
    year_0001_parquet,
    nan_money_parquet,
    inf_money_parquet,
    minus_inf_money_parquet,
    megabyte_id_parquet,
    million_rows_bad_last_row,
]
CSV_CASES = [
    utf16_csv,
    latin1_csv,
    feb_30_csv,
    year_9999_csv,
    year_0001_csv,
    nan_money_csv,
    inf_money_csv,
    megabyte_cell_csv,
]
CASES = [(m, "parquet") for m in PARQUET_CASES] + [(m, "csv") for m in CSV_CASES]


def _bad_records(maker, fmt, tmp_path, small_world, small_csv_world):
    records = copy_world(small_world if fmt == "parquet" else small_csv_world, tmp_path / "records")
    return records, maker(records)


@pytest.mark.parametrize("maker, fmt", CASES, ids=[m.__name__ for m, _ in CASES])
def test_validate_refuses_bad_records_naming_where(
    maker, fmt, tmp_path, small_world, small_csv_world
):
    records, names = _bad_records(maker, fmt, tmp_path, small_world, small_csv_world)
    err = assert_refused(run_cli("validate", records), *names)
    assert len(err) < 4_000  # a megabyte value is never echoed in full


#: one case of each kind of fault: the feature command validates before it builds
FEATURE_COMMAND_CASES = [
    (corrupt_page_parquet, "parquet"),
    (megabyte_id_parquet, "parquet"),
    (million_rows_bad_last_row, "parquet"),
    (latin1_csv, "csv"),
]


@pytest.mark.parametrize(
    "maker, fmt", FEATURE_COMMAND_CASES, ids=[m.__name__ for m, _ in FEATURE_COMMAND_CASES]
)
def test_features_refuses_bad_records_and_writes_nothing(
    maker, fmt, tmp_path, small_world, small_csv_world
):
    records, names = _bad_records(maker, fmt, tmp_path, small_world, small_csv_world)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    proc = run_cli("features", records, "--as-of", "2022-12-31", "--out", out_dir / "f.parquet")
    assert_refused(proc, *names)
    assert list(out_dir.iterdir()) == []  # neither the output nor a temporary


def test_features_over_a_previous_output_leaves_it_unchanged(small_world, tmp_path):
    records = copy_world(small_world, tmp_path / "records")
    out = tmp_path / "features.parquet"
    out.write_bytes(b"the previous, complete output")
    before = digest(out)
    nan_money_parquet(records)
    proc = run_cli("features", records, "--as-of", "2022-12-31", "--out", out)
    assert_refused(proc, "repayments.amount_paid row 42")
    assert digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["features.parquet", "records"]


# ----------------------------------------------------- feature files and models
def _corrupt_tail(src: Path, out: Path, n_rows: int = 60_000, row_group: int = 10_000) -> Path:
    """A feature file whose first row groups read, and whose last ones are noise."""
    replicate_features(src, n_rows, out, row_group=row_group)
    footer = pq.ParquetFile(out).metadata
    first = footer.row_group(footer.num_row_groups - 2).column(0)
    start = first.dictionary_page_offset or first.data_page_offset
    data = bytearray(out.read_bytes())
    end = len(data) - footer.serialized_size - 8
    data[start:end] = random.Random(3).randbytes(end - start)
    out.write_bytes(bytes(data))
    return out


@pytest.fixture
def bad_feature_files(tmp_path, audited) -> dict[str, Path]:
    src = audited.oot
    files = {"missing": tmp_path / "no-such-features.parquet"}
    files["truncated"] = tmp_path / "truncated.parquet"
    data = src.read_bytes()
    files["truncated"].write_bytes(data[: len(data) // 3])
    files["random_bytes"] = tmp_path / "random.parquet"
    files["random_bytes"].write_bytes(random.Random(4).randbytes(40_000))
    files["csv_not_parquet"] = tmp_path / "text.parquet"
    files["csv_not_parquet"].write_text("subject_id,as_of\nS1,2023-06-30\n")
    files["corrupt_tail"] = _corrupt_tail(src, tmp_path / "corrupt-tail.parquet")
    return files


FEATURE_CASES = ["missing", "truncated", "random_bytes", "csv_not_parquet", "corrupt_tail"]


@pytest.mark.parametrize("case", ["missing", "random_bytes", "corrupt_tail"])
def test_train_refuses_a_bad_feature_file(case, bad_feature_files, tmp_path):
    file, out = bad_feature_files[case], tmp_path / "model"
    proc = run_cli("train", file, "--target", "default_12m", "--model", "lgbm", "--out", out)
    assert_refused(proc, file.name)
    assert not out.exists()


@pytest.mark.parametrize("case", ["missing", "corrupt_tail"])
def test_audit_refuses_a_bad_feature_file(case, bad_feature_files, audited, world, tmp_path):
    model = shutil.copytree(audited.model_dir, tmp_path / "model")
    verdict = digest(model / "audit")
    file, out = bad_feature_files[case], tmp_path / "report"
    proc = run_cli("audit", model, file, "--protected", world / "protected.parquet", "--out", out)
    assert_refused(proc, file.name)
    assert not out.exists()
    assert digest(model / "audit") == verdict  # the recorded verdict is untouched


@pytest.mark.parametrize("case", FEATURE_CASES)
def test_score_refuses_a_bad_feature_file_and_keeps_the_previous_scores(
    case, bad_feature_files, audited, tmp_path, _isolated_audit_log
):
    file, out = bad_feature_files[case], tmp_path / "scores.parquet"
    out.write_bytes(b"previous scores")
    proc = run_cli(
        "score",
        audited.model_dir,
        file,
        "--out",
        out,
        "--purpose",
        "test",
        "--batch-size",
        "10000",
    )
    err = assert_refused(proc, file.name)
    if case == "corrupt_tail":
        assert "from row 40001" in err  # four batches of 10,000 read before the noise
    assert out.read_bytes() == b"previous scores"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [out.name, *[f.name for f in bad_feature_files.values() if f.exists()]]
    )
    assert not _isolated_audit_log.exists()  # nothing scored, nothing logged


def test_audit_refuses_a_bad_protected_table(audited, tmp_path, world):
    model = shutil.copytree(audited.model_dir, tmp_path / "model")
    for name, data in [
        ("missing.parquet", None),
        ("noise.parquet", random.Random(5).randbytes(3_000)),
    ]:
        file = tmp_path / name
        if data is not None:
            file.write_bytes(data)
        proc = run_cli("audit", model, audited.oot, "--protected", file, "--out", tmp_path / "r")
        assert_refused(proc, name)
    proc = run_cli(
        "audit",
        model,
        audited.oot,
        "--protected",
        world / "subjects.parquet",
        "--out",
        tmp_path / "r",
    )
    assert_refused(proc, "subjects.parquet", "'sex' is missing")
    assert not (tmp_path / "r").exists()


def _damage(model: Path, how: str) -> None:
    if how == "deleted":
        shutil.rmtree(model)
    elif how == "booster_truncated":
        text = (model / "booster.txt").read_text()
        (model / "booster.txt").write_text(text[: len(text) // 4])
    elif how == "model_json_edited":
        info = json.loads((model / "model.json").read_text())
        del info["feature_names"]
        (model / "model.json").write_text(json.dumps(info))


@pytest.mark.parametrize("how", ["deleted", "booster_truncated", "model_json_edited"])
def test_score_and_audit_refuse_a_damaged_model_directory(how, audited, world, tmp_path):
    model = shutil.copytree(audited.model_dir, tmp_path / "model")
    _damage(model, how)
    scores = tmp_path / "scores.parquet"
    proc = run_cli("score", model, audited.oot, "--out", scores, "--purpose", "test")
    if how == "deleted":
        assert_refused(proc, "model", "no such model directory")
    else:  # the files no longer hash to the audited model: refused before they are parsed
        assert_refused(proc, "model", "changed after the fairness audit", code=3)
    proc = run_cli(
        "audit",
        model,
        audited.oot,
        "--protected",
        world / "protected.parquet",
        "--out",
        tmp_path / "report",
    )
    if how == "deleted":
        assert_refused(proc, "model")
    else:  # the files no longer match the checksums in model.json: refused before parsing
        assert_refused(proc, "model", "model files changed since the audit", code=3)
    assert not scores.exists() and not (tmp_path / "report").exists()


def test_score_refuses_by_policy_a_model_changed_after_its_audit(audited, tmp_path):
    model = shutil.copytree(audited.model_dir, tmp_path / "model")
    with open(model / "booster.txt", "a") as fh:
        fh.write("\n")  # still a valid booster, but no longer the audited bytes
    scores = tmp_path / "scores.parquet"
    proc = run_cli("score", model, audited.oot, "--out", scores, "--purpose", "test")
    assert_refused(proc, code=3)
    assert not scores.exists()


# ------------------------------------------------------------------ the audit log
def test_score_refuses_to_append_to_a_damaged_audit_log(audited, tmp_path):
    log = tmp_path / "audit.jsonl"
    log.write_bytes(random.Random(7).randbytes(2_000))
    scores = tmp_path / "scores.parquet"
    proc = run_cli(
        "score",
        audited.model_dir,
        audited.oot,
        "--out",
        scores,
        "--purpose",
        "test",
        env={"CREDITSCORE_AUDIT_LOG": str(log)},
    )
    assert_refused(proc, "audit.jsonl", "not an audit-log entry")
    assert not scores.exists()  # no scores without their log entry


@pytest.mark.parametrize("content", [b"[1, 2]\n", b'"text"\n', b"{}\n", b"\xff\xfe\x00garbage\n"])
def test_log_verify_reports_a_line_that_is_not_an_entry(content, tmp_path):
    log = tmp_path / "audit.jsonl"
    log.write_bytes(content)
    assert_refused(run_cli("log", "verify", log), "line 1: not a JSON entry", code=3)


def test_log_verify_of_a_missing_log_is_bad_input(tmp_path):
    assert_refused(run_cli("log", "verify", tmp_path / "nope.jsonl"), "nope.jsonl")


# ------------------------------------------------------------------------- usage
@pytest.mark.parametrize(
    "args, names",
    [
        (["synth", "{tmp}/s", "--scenario", "bogus", "--subjects", "10"], ["unknown scenario"]),
        (
            ["features", "{tmp}/nowhere", "--as-of", "2023-01-31", "--out", "{tmp}/f.parquet"],
            ["nowhere", "not a record set directory"],
        ),
        (
            ["features", "{world}", "--as-of", "2023-02-30", "--out", "{tmp}/f.parquet"],
            ["--as-of", "2023-02-30"],
        ),
        (
            ["score", "{model}", "{oot}", "--out", "{tmp}/s.parquet", "--purpose", "  "],
            ["purpose is required"],
        ),
    ],
)
def test_bad_usage_is_refused_with_one_line(args, names, tmp_path, world, audited):
    fill = {"tmp": tmp_path, "world": world, "model": audited.model_dir, "oot": audited.oot}
    proc = run_cli(*[a.format(**fill) for a in args])
    assert_refused(proc, *names)
    assert sorted(p.name for p in tmp_path.iterdir()) == []
