"""Fuzzing the validator and the record readers (hypothesis, bounded time).

Whatever bytes or text stand in a table's file, ``validate_records`` returns
a report and ``read_records`` a record set, or they raise ``InputError``
(``RecordError`` is one): never any other exception. And a record set the
validator accepts must build features without an error: the validator is
the only gate in front of the feature engine.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import tempfile
from pathlib import Path

import pyarrow.csv as pcsv
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from creditscore._errors import InputError
from creditscore.records import TABLES, ValidationReport, read_records, validate_records

EDGES = Path(__file__).parents[1] / "data" / "label-edges"
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

table_names = st.sampled_from(list(TABLES))
#: cells that have broken readers before, or might
NASTY = [
    "",
    " ",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "Infinity",
    "-0",
    "0",
    "1e308",
    "1e309",
    "-1",
    "9" * 40,
    "0x10",
    "1,5",
    "True",
    "true",
    "yes",
    "2023-02-30",
    "9999-12-31",
    "0001-01-01",
    "2023-13-01",
    "20230101",
    "2023-1-1",
    " 2023-01-01",
    "1899-12-31",
    "2201-01-01",
    '"',
    '""',
    "'",
    "a,b",
    "line\nbreak",
    "\r",
    "\x00",
    "\ufeff",
    "ü",
    "名字",
    "🙂",
    "\\",
    "%s",
    "'); DROP TABLE subjects; --",
    "S-A",
    "L-A",
    "P-I-0",
    "110101199003077777",
    "A" * 300,
]
cells = st.one_of(st.sampled_from(NASTY), st.text(max_size=12))


def _tmp_copy(src: Path) -> Path:
    out = Path(tempfile.mkdtemp(prefix="cs-fuzz-")) / "records"
    shutil.copytree(src, out)
    for f in out.iterdir():
        f.chmod(0o644)
    return out


@pytest.fixture(scope="module")
def parquet_edges(tmp_path_factory) -> Path:
    """The label-edges record set written as Parquet."""
    from creditscore.records import write_records

    rs = read_records(EDGES)
    return write_records(rs.tables, tmp_path_factory.mktemp("pq") / "edges", rs.extracted_on)


def _check_readers(records: Path) -> ValidationReport | None:
    """Both readers answer with a result or InputError, and agree on validity."""
    try:
        report = validate_records(records)
    except InputError:
        report = None
    assert report is None or isinstance(report, ValidationReport)
    try:
        read_records(records)
        read_ok = True
    except InputError:
        read_ok = False
    assert read_ok == bool(report is not None and report.ok), (
        report.messages() if report is not None else "validate_records raised"
    )
    return report


@FUZZ
@given(name=table_names, data=st.binary(max_size=3_000))
def test_random_bytes_as_a_parquet_table_never_crash_the_validator(parquet_edges, name, data):
    records = _tmp_copy(parquet_edges)
    try:
        (records / f"{name}.parquet").write_bytes(data)
        report = _check_readers(records)
        assert report is None or not report.ok
    finally:
        shutil.rmtree(records.parent)


@settings(FUZZ, max_examples=40)
@given(name=table_names, data=st.binary(max_size=3_000))
def test_random_bytes_as_a_csv_table_never_crash_the_validator(name, data):
    records = _tmp_copy(EDGES)
    try:
        (records / f"{name}.csv").write_bytes(data)
        _check_readers(records)
    finally:
        shutil.rmtree(records.parent)


@st.composite
def csv_text(draw, name: str) -> str:
    """A CSV file of table ``name``: some of its columns (and junk ones), random cells."""
    contract = TABLES[name].column_names
    header = draw(st.lists(st.sampled_from([*contract, "extra", ""]), min_size=1, max_size=14))
    if draw(st.booleans()):
        header = [*contract, *header[:2]]  # mostly well-formed: every column present
    rows = draw(st.lists(st.lists(cells, min_size=len(header), max_size=len(header)), max_size=6))
    if draw(st.booleans()):  # a ragged row
        rows.append(draw(st.lists(cells, max_size=len(header) + 3)))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


@FUZZ
@given(data=st.data())
def test_random_csv_text_never_crashes_the_validator_or_the_reader(data):
    name = data.draw(table_names)
    text = data.draw(csv_text(name))
    encoding = data.draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]))
    records = _tmp_copy(EDGES)
    try:
        (records / f"{name}.csv").write_bytes(text.encode(encoding, errors="replace"))
        _check_readers(records)
    finally:
        shutil.rmtree(records.parent)


# --------------------------------------- what the validator accepts, features build
FEATURE_DATES = [dt.date(2023, 6, 30), dt.date(2023, 12, 31)]


@st.composite
def one_cell_changed(draw):
    """(table, 1-based row, column, new text) for one cell of the label-edges CSV set."""
    name = draw(st.sampled_from([t for t in TABLES if t != "protected"]))
    n_rows = len((EDGES / f"{name}.csv").read_text(encoding="utf-8").splitlines()) - 1
    row = draw(st.integers(1, n_rows))
    column = draw(st.sampled_from(TABLES[name].column_names))
    value = draw(
        st.one_of(
            cells,
            st.floats(allow_nan=True, allow_infinity=True).map(repr),
            st.integers(min_value=-(2**70), max_value=2**70).map(str),
            st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(str),
        )
    )
    return name, row, column, value


def _set_csv_cell(file: Path, row: int, column: str, value: str) -> None:
    table = pcsv.read_csv(
        file,
        convert_options=pcsv.ConvertOptions(
            column_types={c: "string" for c in TABLES[file.stem].column_names},
            strings_can_be_null=False,
        ),
    )
    rows = table.to_pylist()
    rows[row - 1][column] = value
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=table.column_names, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    file.write_text(buf.getvalue(), encoding="utf-8")


@FUZZ
@given(change=one_cell_changed())
# found by this test once: finite amounts whose cents overflow 64 bits in the feature SQL
@example(change=("repayments", 1, "amount_paid", "1e300"))
@example(change=("loans", 2, "principal", "9.3e16"))
@example(change=("public_records", 1, "amount", "1.7976931348623157e+308"))
def test_a_record_set_the_validator_accepts_builds_features(change):
    from creditscore.features import build_feature_table

    name, row, column, value = change
    records = _tmp_copy(EDGES)
    try:
        _set_csv_cell(records / f"{name}.csv", row, column, value)
        try:
            report = validate_records(records)
        except InputError:
            return
        if report.ok:
            table = build_feature_table(records, FEATURE_DATES, output="arrow")
            assert table.num_rows == 2 * read_records(records).n_rows["subjects"]
    finally:
        shutil.rmtree(records.parent)
