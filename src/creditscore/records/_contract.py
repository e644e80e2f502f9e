"""The record contract (shared/spec/records.md) as data.

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
        return ARROW_TYPES[self.kind]


@dataclass(frozen=True)
class Table:
    """One contract table: its columns, unique key and date columns."""

    name: str
    columns: tuple[Column, ...]
    key: str | None = None

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def date_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.kind == "date"]


def _c(name, kind, nullable=False, money=False, allowed=()):
    return Column(name, kind, nullable, money, tuple(allowed))


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table("subjects", (_c("subject_id", "str"),), key="subject_id"),
        Table(
            "contributions",
            (
                _c("subject_id", "str"),
                _c("insurance_type", "str", allowed=INSURANCE_TYPES),
                _c("period", "date"),
                _c("employer_id", "str", nullable=True),
                _c("contribution_base", "float", money=True),
                _c("amount_due", "float", money=True),
                _c("due_on", "date"),
                _c("amount_paid", "float", money=True),
                _c("paid_on", "date", nullable=True),
                _c("force_majeure", "bool"),
            ),
        ),
        Table(
            "loans",
            (
                _c("loan_id", "str"),
                _c("subject_id", "str"),
                _c("product", "str", allowed=PRODUCTS),
                _c("lender_type", "str", allowed=LENDER_TYPES),
                _c("opened_on", "date"),
                _c("principal", "float", money=True),
                _c("term_months", "int", nullable=True),
                _c("closed_on", "date", nullable=True),
            ),
            key="loan_id",
        ),
        Table(
            "repayments",
            (
                _c("loan_id", "str"),
                _c("due_on", "date"),
                _c("amount_due", "float", money=True),
                _c("amount_paid", "float", money=True),
                _c("paid_on", "date", nullable=True),
                _c("force_majeure", "bool"),
            ),
        ),
        Table(
            "public_records",
            (
                _c("record_id", "str"),
                _c("subject_id", "str"),
                _c("record_type", "str"),
                _c("severity", "str", allowed=SEVERITIES),
                _c("occurred_on", "date"),
                _c("recorded_on", "date"),
                _c("amount", "float", nullable=True, money=True),
                _c("resolved_on", "date", nullable=True),
                _c("force_majeure", "bool"),
                _c("dispute_opened_on", "date", nullable=True),
                _c("dispute_closed_on", "date", nullable=True),
                _c("dispute_upheld", "bool", nullable=True),
            ),
            key="record_id",
        ),
        Table(
            "protected",
            (
                _c("subject_id", "str"),
                _c("sex", "str"),
                _c("birth_year", "int"),
                _c("ethnicity", "str"),
                _c("hukou", "str"),
                _c("region", "str"),
            ),
            key="subject_id",
        ),
    )
}

#: tables that may feed model inputs; `protected` is audit-only
MODEL_TABLES = ("subjects", "contributions", "loans", "repayments", "public_records")
PROTECTED_TABLE = "protected"


def arrow_schema(table: str) -> pa.Schema:
    """The Arrow schema a contract table is written with."""
    return pa.schema(
        [pa.field(c.name, c.arrow_type, nullable=c.nullable) for c in TABLES[table].columns]
    )
