"""The record contract read from its text: the tables of docs/records.md (the spec), and a
line it cannot read is refused by name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from creditscore.records._contract import CONTRACT, PRODUCTS, TABLES, parse_contract

SPEC = Path(__file__).resolve().parents[2] / "docs" / "records.md"


def test_a_contract_text_reads_as_tables():
    tables = parse_contract("t key x\n    x str\n    y money nullable\n    z str in PRODUCTS\n")
    t = tables["t"]
    assert t.key == "x" and t.column_names == ["x", "y", "z"]
    y = t.column("y")
    assert (y.kind, y.nullable, y.money) == ("float", True, True)
    assert t.column("z").allowed == PRODUCTS and not t.column("x").nullable


@pytest.mark.parametrize("text, line", [
    ("t\n    x strr", "x strr"),
    ("t\n    x str in NOPE", "x str in NOPE"),
    ("t\n    x str nullable extra", "x str nullable extra"),
    ("t\n    x", "x"),
    ("t key\n    x str", "t key"),
    ("t key y\n    x str", "t key y"),
    ("t\n    x str\n    x int", "t"),
    ("t", "t"),
])
def test_a_line_it_cannot_read_is_named(text, line):
    with pytest.raises(ValueError, match=re.escape(repr(line))):
        parse_contract(text)


def test_the_contract_is_the_six_tables_of_the_spec():
    assert list(TABLES) == ["subjects", "contributions", "loans", "repayments",
                            "public_records", "protected"]
    assert parse_contract(CONTRACT) == TABLES
    assert {n: t.key for n, t in TABLES.items() if t.key} == {
        "subjects": "subject_id", "loans": "loan_id", "public_records": "record_id",
        "protected": "subject_id"}


def test_every_column_of_the_spec_is_in_the_contract_with_its_type():
    text = SPEC.read_text(encoding="utf-8")
    for name, table in TABLES.items():
        section = text.split(f"### {name} ", 1)[1].split("\n#", 1)[0]
        rows = re.findall(r"^\| (\w+) \| (\w+)(, [^|]*)? \|", section, flags=re.M)
        spec = {col: (kind, "nullable" in (extra or "")) for col, kind, extra in rows
                if col != "column"}
        assert list(spec) == table.column_names, name
        for col, (kind, nullable) in spec.items():
            column = table.column(col)
            assert (column.kind, column.nullable) == (kind, nullable), (name, col)
