"""The record contract (guide: records) as data.

One place states every table, its columns, their logical types, which are
nullable, which are unique keys and which hold money. Readers, the validator,
the synthetic generator and the feature engine all read these definitions.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

__all__ = [
    "Column",
    "Table",
    "TABLES",
    "MODEL_TABLES",
    "PROTECTED_TABLE",
    "INSURANCE_TYPES",
    "PRODUCTS",
    "REVOLVING_PRODUCTS",
    "LENDER_TYPES",
    "SEVERITIES",
    "arrow_schema",
    "CONTRACT",
    "parse_contract",
]

#: logical type name -> Arrow type written to Parquet
ARROW_TYPES = {
    "str": pa.string(),
    "date": pa.date32(),
    "float": pa.float64(),
    "int": pa.int64(),
    "bool": pa.bool_(),
}

INSURANCE_TYPES = ("pension", "medical", "unemployment", "work_injury", "maternity")
PRODUCTS = ("mortgage", "consumer", "credit_card", "auto", "business", "microloan")
REVOLVING_PRODUCTS = ("credit_card",)
LENDER_TYPES = ("bank", "consumer_finance", "microlender")
SEVERITIES = ("minor", "general", "serious")


@dataclass(frozen=True)
class Column:
    """One column of a contract table.

    Parameters
    ----------
    name : str
    kind : {"str", "date", "float", "int", "bool"}
    nullable : bool, default=False
    money : bool, default=False
        A non-negative amount in one currency.
    allowed : tuple of str, default=()
        The closed set of values a string column may take (empty: any).
    """

    name: str
    kind: str
    nullable: bool = False
    money: bool = False
    allowed: tuple[str, ...] = ()

    @property
    def arrow_type(self) -> pa.DataType:
        """The pyarrow type of the column's kind."""
        return ARROW_TYPES[self.kind]


@dataclass(frozen=True)
class Table:
    """One contract table: its columns, unique key and date columns."""

    name: str
    columns: tuple[Column, ...]
    key: str | None = None

    @property
    def column_names(self) -> list[str]:
        """The table's column names, in contract order."""
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        """The column called ``name``; KeyError naming the table when there is none."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def date_columns(self) -> list[str]:
        """The names of the table's date columns."""
        return [c.name for c in self.columns if c.kind == "date"]


#: The tables of the contract as the record contract (guide: records) states them. A
#: table is a line ``NAME`` (``NAME key COLUMN`` when a column is its unique key), then one
#: indented line a column: ``COLUMN TYPE [nullable] [in SET]``. TYPE is str, date, float,
#: int, bool or money (a non-negative float amount); SET names one of the value sets above.
CONTRACT = """
subjects key subject_id
    subject_id          str

contributions
    subject_id          str
    insurance_type      str     in INSURANCE_TYPES
    period              date
    employer_id         str     nullable
    contribution_base   money
    amount_due          money
    due_on              date
    amount_paid         money
    paid_on             date    nullable
    force_majeure       bool

loans key loan_id
    loan_id             str
    subject_id          str
    product             str     in PRODUCTS
    lender_type         str     in LENDER_TYPES
    opened_on           date
    principal           money
    term_months         int     nullable
    closed_on           date    nullable

repayments
    loan_id             str
    due_on              date
    amount_due          money
    amount_paid         money
    paid_on             date    nullable
    force_majeure       bool

public_records key record_id
    record_id           str
    subject_id          str
    record_type         str
    severity            str     in SEVERITIES
    occurred_on         date
    recorded_on         date
    amount              money   nullable
    resolved_on         date    nullable
    force_majeure       bool
    dispute_opened_on   date    nullable
    dispute_closed_on   date    nullable
    dispute_upheld      bool    nullable

protected key subject_id
    subject_id          str
    sex                 str
    birth_year          int
    ethnicity           str
    hukou               str
    region              str
"""

_VALUE_SETS = {"INSURANCE_TYPES": INSURANCE_TYPES, "PRODUCTS": PRODUCTS,
               "LENDER_TYPES": LENDER_TYPES, "SEVERITIES": SEVERITIES}


def _column(line: str) -> Column:
    """One indented column line of :data:`CONTRACT`."""
    name, *words = line.split()
    kind, flags = (words[0], words[1:]) if words else ("", [])
    nullable = flags[:1] == ["nullable"]
    flags = flags[1:] if nullable else flags
    allowed: tuple[str, ...] = ()
    if len(flags) == 2 and flags[0] == "in" and flags[1] in _VALUE_SETS:
        allowed, flags = _VALUE_SETS[flags[1]], []
    if kind not in (*ARROW_TYPES, "money") or flags:
        raise ValueError(f"record contract: cannot read the column line {line.strip()!r}")
    money = kind == "money"
    return Column(name, "float" if money else kind, nullable, money, allowed)


def parse_contract(text: str) -> dict[str, Table]:
    """The tables a contract text declares (the form of :data:`CONTRACT`), by name."""
    blocks: list[tuple[list[str], list[Column]]] = []
    for line in filter(str.strip, text.splitlines()):
        if line[0].isspace() and blocks:
            blocks[-1][1].append(_column(line))
        else:
            blocks.append((line.split(), []))
    tables = {}
    for head, columns in blocks:
        names = [c.name for c in columns]
        if len(head) not in (1, 3) or head[1:2] not in ([], ["key"]) or head[2:] and (
                head[2] not in names) or not names or len(set(names)) < len(names):
            raise ValueError(f"record contract: cannot read the table line {' '.join(head)!r}")
        tables[head[0]] = Table(head[0], tuple(columns), key=head[2] if head[1:] else None)
    return tables


TABLES: dict[str, Table] = parse_contract(CONTRACT)

#: tables that may feed model inputs; `protected` is audit-only
MODEL_TABLES = ("subjects", "contributions", "loans", "repayments", "public_records")
PROTECTED_TABLE = "protected"


def arrow_schema(table: str) -> pa.Schema:
    """The Arrow schema a contract table is written with."""
    return pa.schema(
        [pa.field(c.name, c.arrow_type, nullable=c.nullable) for c in TABLES[table].columns]
    )
