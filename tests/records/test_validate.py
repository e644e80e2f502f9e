import dataclasses
import re
import tempfile
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditscore.records import (
    RecordError,
    ValidationReport,
    read_records,
    validate_records,
)

from .conftest import EDGES, lines_matching, load_edges, set_cell, write_csv_set

NATIONAL_ID_MSG = (
    r"looks like a national id number; pseudonymise it first \(creditscore\.records\.pseudonymise\)"
)

# (table, row, column, CSV cell) -> the message line expected, naming table and column
REFUSALS = {
    "negative amount": (
        ("contributions", 1, "amount_paid", "-12.5"),
        r"^contributions\.amount_paid row 1: negative amount \(got -12\.5, expected >= 0\)$",
    ),
    "NaN amount": (
        ("repayments", 2, "amount_due", "NaN"),
        r"^repayments\.amount_due row 2: amount is not a finite number \(got nan",
    ),
    "infinite amount": (
        ("loans", 1, "principal", "-inf"),
        r"^loans\.principal row 1: amount is not a finite number \(got -inf",
    ),
    "null in a non-nullable column": (
        ("loans", 3, "opened_on", None),
        r"^loans\.opened_on row 3: missing value in a non-nullable column \(got null, "
        r"expected a date\)$",
    ),
    "CSV cell not a date": (
        ("repayments", 1, "due_on", "2023-13-01"),
        r"^repayments\.due_on row 1: not a date \(got '2023-13-01', expected YYYY-MM-DD\)$",
    ),
    "CSV cell not a number": (
        ("loans", 2, "principal", "36k"),
        r"^loans\.principal row 2: not a number \(got '36k'",
    ),
    "CSV cell not a whole number": (
        ("loans", 2, "term_months", "36.5"),
        r"^loans\.term_months row 2: not a whole number \(got '36\.5'",
    ),
    "CSV cell not a bool": (
        ("repayments", 4, "force_majeure", "maybe"),
        r"^repayments\.force_majeure row 4: not a boolean \(got 'maybe', "
        r"expected True/False/true/false/1/0\)$",
    ),
    "unknown insurance_type": (
        ("contributions", 2, "insurance_type", "health"),
        r"^contributions\.insurance_type row 2: value outside the allowed set "
        r"\(got 'health', expected one of pension, medical",
    ),
    "unknown product": (
        ("loans", 1, "product", "payday"),
        r"^loans\.product row 1: value outside the allowed set \(got 'payday'",
    ),
    "unknown lender_type": (
        ("loans", 1, "lender_type", "pawnshop"),
        r"^loans\.lender_type row 1: value outside the allowed set \(got 'pawnshop'",
    ),
    "unknown severity": (
        ("public_records", 3, "severity", "catastrophic"),
        r"^public_records\.severity row 3: value outside the allowed set "
        r"\(got 'catastrophic', expected one of minor, general, serious\)$",
    ),
    "unknown record_type": (
        ("public_records", 1, "record_type", "social_media_post"),
        r"^public_records\.record_type row 1: record_type not in the catalogue "
        r"\(got 'social_media_post', expected one of",
    ),
    "recorded before occurred": (
        ("public_records", 1, "recorded_on", "2023-10-01"),
        r"^public_records\.recorded_on row 1: recorded_on before occurred_on "
        r"\(got 2023-10-01, expected >= occurred_on 2023-11-01\)$",
    ),
    "date after extracted_on": (
        ("repayments", 3, "due_on", "2025-01-02"),
        r"^repayments\.due_on row 3: date after extracted_on \(got 2025-01-02, "
        r"expected <= 2024-12-31 \(manifest\.json\)\)$",
    ),
    "dispute closed before opened": (
        ("public_records", 2, "dispute_closed_on", "2023-12-01"),
        r"^public_records\.dispute_closed_on row 2: dispute_closed_on before dispute_opened_on "
        r"\(got 2023-12-01, expected >= dispute_opened_on 2023-12-10\)$",
    ),
    "loan closed before opened": (
        ("loans", 1, "closed_on", "2021-12-31"),
        r"^loans\.closed_on row 1: closed_on before opened_on \(got 2021-12-31",
    ),
    "date before 1900": (
        ("loans", 1, "opened_on", "1899-12-31"),
        r"^loans\.opened_on row 1: date out of range \(got 1899-12-31, "
        r"expected 1900-01-01 \.\. 2200-12-31\)$",
    ),
    "date after 2200": (
        ("repayments", 1, "paid_on", "2201-01-01"),
        r"^repayments\.paid_on row 1: date out of range \(got 2201-01-01",
    ),
    "duplicate subject_id": (
        ("subjects", 2, "subject_id", "S-A"),
        r"^subjects\.subject_id row 2: duplicate id \(got 'S-A', expected a unique id; "
        r"first at row 1\)$",
    ),
    "duplicate loan_id": (
        ("loans", 3, "loan_id", "L-A"),
        r"^loans\.loan_id row 3: duplicate id \(got 'L-A'",
    ),
    "duplicate record_id": (
        ("public_records", 2, "record_id", "P-I-0"),
        r"^public_records\.record_id row 2: duplicate id \(got 'P-I-0'",
    ),
    "duplicate protected.subject_id": (
        ("protected", 15, "subject_id", "S-B"),
        r"^protected\.subject_id row 15: duplicate id \(got 'S-B', expected a unique id; "
        r"first at row 2\)$",
    ),
    "repayment of an unknown loan": (
        ("repayments", 1, "loan_id", "L-Z"),
        r"^repayments\.loan_id row 1: repayment of an unknown loan \(got 'L-Z', "
        r"expected a loan_id of loans\)$",
    ),
    "contribution of an unknown subject": (
        ("contributions", 1, "subject_id", "S-Z"),
        r"^contributions\.subject_id row 1: row of an unknown subject \(got 'S-Z', "
        r"expected a subject_id of subjects\)$",
    ),
    "loan of an unknown subject": (
        ("loans", 2, "subject_id", "S-Z"),
        r"^loans\.subject_id row 2: row of an unknown subject",
    ),
    "public record of an unknown subject": (
        ("public_records", 6, "subject_id", "S-Z"),
        r"^public_records\.subject_id row 6: row of an unknown subject",
    ),
    "protected row of an unknown subject": (
        ("protected", 1, "subject_id", "S-Z"),
        r"^protected\.subject_id row 1: row of an unknown subject",
    ),
}


@pytest.mark.parametrize("cell, pattern", REFUSALS.values(), ids=list(REFUSALS))
def test_refusal_is_reported_with_table_column_and_row(make_csv, cell, pattern):
    report = validate_records(make_csv(cells=[cell]))
    assert not report.ok
    assert lines_matching(report, pattern), report.messages()


@pytest.mark.parametrize("cell, pattern", REFUSALS.values(), ids=list(REFUSALS))
def test_read_records_refuses_with_the_problem(make_csv, cell, pattern):
    with pytest.raises(RecordError, match=pattern.lstrip("^").rstrip("$")):
        read_records(make_csv(cells=[cell]))


def test_label_edges_validates_clean(edges_dir):
    report = validate_records(edges_dir)
    assert report.ok, report.messages()
    assert report.messages() == ["0 problems"]
    assert report.summary() == "6 tables, 51 rows, extracted_on 2024-12-31"


def test_label_edges_as_parquet_validates_clean(make_parquet):
    assert validate_records(make_parquet()).ok


def test_a_read_record_set_validates_clean(edges_dir):
    assert validate_records(read_records(edges_dir)).ok


def test_a_changed_record_set_is_checked_in_memory(edges_dir):
    records = read_records(edges_dir)
    loans = set_cell(records.tables["loans"], 4, "principal", -3.0)
    changed = dataclasses.replace(records, tables={**records.tables, "loans": loans})
    assert validate_records(changed).messages()[1:] == [
        "loans.principal row 4: negative amount (got -3.0, expected >= 0)"
    ]


@pytest.mark.parametrize(
    "national_id",
    [
        "110101199003071234",
        "11010119900307123X",
        "11010119900307123x",
        "110101900307123",
        "1234567890123456789012",
    ],
)
def test_subject_id_like_a_national_id_is_refused_and_never_shown(make_csv, national_id):
    cells = [
        ("subjects", 1, "subject_id", national_id),
        ("contributions", 1, "subject_id", national_id),
    ]
    report = validate_records(make_csv(cells=cells))
    found = lines_matching(
        report,
        rf"^subjects\.subject_id row 1: {NATIONAL_ID_MSG} "
        rf"\(got '{national_id[:3]}\*\*\*'",
    )
    assert found, report.messages()
    assert lines_matching(report, rf"^contributions\.subject_id row 1: {NATIONAL_ID_MSG}")
    shown = "\n".join(report.messages()) + repr(report.problems) + report.to_frame().to_string()
    assert national_id not in shown
    with pytest.raises(RecordError) as raised:
        read_records(make_csv(cells=cells))
    assert national_id not in str(raised.value)


def test_short_digit_ids_are_not_taken_for_national_ids(make_csv):
    path = make_csv(
        cells=[
            ("subjects", 1, "subject_id", "12345678901234"),
            ("protected", 1, "subject_id", "12345678901234"),
        ]
    )
    assert not lines_matching(validate_records(path), "national id")


def test_record_type_the_catalogue_disallows_is_refused(make_csv, tmp_path):
    text = (
        Path(__import__("creditscore.records._catalogue", fromlist=["x"]).DEFAULT_CATALOGUE)
        .read_text()
        .replace(
            "    allowed: true\n    default_severity: minor",
            "    allowed: false\n    default_severity: minor",
        )
    )
    catalogue = tmp_path / "catalogue.yaml"
    catalogue.write_text(text)
    report = validate_records(make_csv(), catalogue=catalogue)
    assert lines_matching(
        report,
        r"^public_records\.record_type row 5: record_type not "
        r"allowed by the catalogue \(got 'administrative_penalty'",
    )


def test_missing_table_file_is_reported(make_csv):
    path = make_csv()
    (path / "loans.csv").unlink()
    report = validate_records(path)
    assert lines_matching(report, r"^loans: missing file loans\.csv$")
    # repayments still checked, only the check against loans is left out
    assert report.n_problems == 1


def test_missing_column_is_reported(make_csv):
    report = validate_records(make_csv(drop=[("loans", "closed_on")]))
    assert report.messages()[1:] == [
        "loans.closed_on: missing column in loans.csv (expected a date column)"
    ]


def test_parquet_column_of_the_wrong_type_is_reported(make_parquet, edges_tables):
    amounts = edges_tables["contributions"]
    wrong = set_cell(amounts, 1, "amount_paid", "0.0", type=pa.string())
    report = validate_records(make_parquet(contributions=wrong))
    assert report.messages()[1:] == [
        "contributions.amount_paid: wrong type in contributions.parquet "
        "(got string, expected double)"
    ]


def test_parquet_timestamp_for_a_date_is_reported(make_parquet, edges_tables):
    loans = edges_tables["loans"]
    i = loans.column_names.index("opened_on")
    loans = loans.set_column(i, "opened_on", loans.column(i).cast(pa.timestamp("ms")))
    assert lines_matching(
        validate_records(make_parquet(loans=loans)),
        r"^loans\.opened_on: wrong type in loans\.parquet \(got timestamp",
    )


def test_parquet_null_and_negative_rows_are_reported(make_parquet, edges_tables):
    repayments = set_cell(edges_tables["repayments"], 7, "amount_paid", -1.0)
    repayments = set_cell(repayments, 2, "due_on", None)
    report = validate_records(make_parquet(repayments=repayments))
    assert report.messages()[1:] == [
        "repayments.due_on row 2: missing value in a non-nullable column "
        "(got null, expected a date)",
        "repayments.amount_paid row 7: negative amount (got -1.0, expected >= 0)",
    ]


def test_every_problem_is_collected(make_csv):
    report = validate_records(
        make_csv(
            cells=[
                ("loans", 1, "principal", "-5"),
                ("loans", 2, "product", "payday"),
                ("repayments", 3, "amount_paid", "-1"),
            ]
        )
    )
    assert report.n_problems == 3
    assert report.messages()[0] == "3 problems in 2 tables"
    assert [(p.table, p.column, p.row) for p in report.problems] == [
        ("loans", "product", 2),
        ("loans", "principal", 1),
        ("repayments", "amount_paid", 3),
    ]


def test_many_rows_of_one_problem_are_counted(make_csv):
    cells = [("repayments", row, "amount_due", "-1") for row in range(1, 8)]
    report = validate_records(make_csv(cells=cells))
    assert report.n_problems == 7
    assert len(report.problems) == 5
    assert report.messages()[-1] == (
        "... and 2 more rows of repayments.amount_due: negative amount"
    )


def test_listing_is_capped_at_max_messages_with_a_count(make_csv):
    cells = [("repayments", row, "amount_due", "-1") for row in range(1, 8)]
    cells += [("loans", 1, "product", "payday")]
    report = validate_records(make_csv(cells=cells), max_messages=3)
    lines = report.messages()
    assert lines[0] == "8 problems in 2 tables"
    assert len(lines) == 1 + 3 + 1
    assert lines[-1] == "... and 5 more problems not listed (max_messages=3)"


def test_raise_if_invalid_gives_the_headline_and_first_problem(make_csv):
    report = validate_records(make_csv(cells=[("loans", 1, "principal", "-5")]))
    with pytest.raises(
        RecordError,
        match=r"^1 problem in 1 table; loans\.principal row 1: "
        r"negative amount",
    ):
        report.raise_if_invalid()
    assert validate_records(EDGES).raise_if_invalid().ok


def test_extra_columns_and_files_are_ignored(tmp_path):
    frames = load_edges()
    frames["loans"]["branch"] = "north"
    path = write_csv_set(frames, tmp_path / "set")
    (path / "notes.txt").write_text("not a table")
    assert validate_records(path).ok
    assert read_records(path).tables["loans"].column_names[-1] == "closed_on"


def test_without_manifest_dates_are_not_checked_against_extraction(make_csv):
    path = make_csv(cells=[("repayments", 3, "due_on", "2025-01-02")], manifest=False)
    report = validate_records(path)
    assert report.ok, report.messages()
    assert report.extracted_on.isoformat() == "2025-01-02"


def test_unreadable_manifest_is_reported(make_csv):
    path = make_csv()
    (path / "manifest.json").write_text('{"extracted_on": "31/12/2024"}')
    assert lines_matching(
        validate_records(path), r"^manifest: extracted_on is not a date in manifest\.json"
    )


def test_not_a_record_set_directory_is_refused(tmp_path):
    with pytest.raises(RecordError, match="not a record set directory"):
        validate_records(tmp_path / "nowhere")
    with pytest.raises(RecordError, match="holds no record set"):
        validate_records(tmp_path)


def test_unreadable_file_is_reported(make_parquet):
    path = make_parquet()
    (path / "loans.parquet").write_bytes(b"not parquet")
    assert lines_matching(validate_records(path), r"^loans: unreadable file loans\.parquet")


TABLE_SHAPES = {name: frame.shape for name, frame in load_edges().items()}
CELL_TEXT = st.one_of(
    st.text(max_size=25),
    st.floats(allow_nan=True).map(str),
    st.integers().map(str),
    st.dates().map(str),
    st.sampled_from(
        [
            "",
            "nan",
            "-1",
            "True",
            "0",
            "2025-01-02",
            "110101199003071234",
            "S-Z",
            "L-Z",
            "payday",
            "1899-01-01",
            '"',
            ",",
            "\n",
        ]
    ),
)


@st.composite
def mutations(draw):
    out = []
    for _ in range(draw(st.integers(1, 3))):
        table = draw(st.sampled_from(sorted(TABLE_SHAPES)))
        n_rows, n_cols = TABLE_SHAPES[table]
        columns = load_edges()[table].columns
        out.append(
            (
                table,
                draw(st.integers(1, n_rows)),
                columns[draw(st.integers(0, n_cols - 1))],
                draw(CELL_TEXT),
            )
        )
    return out


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=mutations())
def test_validator_never_raises_on_random_cells(cells):
    frames = load_edges()
    for table, row, column, value in cells:
        frames[table].loc[row - 1, column] = value
    with tempfile.TemporaryDirectory() as tmp:
        report = validate_records(write_csv_set(frames, Path(tmp) / "set"))
    assert isinstance(report, ValidationReport)
    assert report.ok == (report.n_problems == 0)
    lines = report.messages()
    assert all(isinstance(line, str) for line in lines)
    assert re.match(r"^[\d,]+ problems?( in \d+ tables?)?$", lines[0])
    assert "110101199003071234" not in "\n".join(lines)
