"""Reading a record set for its data sheet: the contract's tables as found, and
the counts of what the catalogue's rules set aside."""

from __future__ import annotations

from pathlib import Path

from .._errors import InputError
from ._format import count

__all__ = ["read_tables", "subjects_of", "n_subjects", "set_aside", "read_any"]

MSG_NOT_RECORD_SET = "{path}: no table of the record contract (expected e.g. subjects.parquet)"


def read_tables(record_dir: Path) -> dict:
    """The contract's tables found in ``record_dir`` (Parquet, else CSV) as DataFrames."""
    import pandas as pd

    from ..records._contract import TABLES

    tables = {}
    for name in TABLES:
        parquet, csv = record_dir / f"{name}.parquet", record_dir / f"{name}.csv"
        if parquet.is_file():
            tables[name] = pd.read_parquet(parquet)
        elif csv.is_file():
            tables[name] = pd.read_csv(csv, dtype={"subject_id": str, "loan_id": str})
    if not tables:
        raise InputError(MSG_NOT_RECORD_SET.format(path=record_dir))
    return tables


def read_any(path: Path):
    import pandas as pd

    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)


def subjects_of(name, table, tables) -> int:
    if "subject_id" in table.columns:
        return int(table["subject_id"].nunique())
    loans = tables.get("loans")
    if name == "repayments" and loans is not None and "loan_id" in table.columns:
        return int(loans.loc[loans["loan_id"].isin(table["loan_id"]), "subject_id"].nunique())
    return 0


def n_subjects(tables) -> int:
    subjects = tables.get("subjects")
    return len(subjects) if subjects is not None else 0


def _flag_count(table, column) -> int:
    if table is None or column not in table.columns:
        return 0
    return int(table[column].astype("boolean").fillna(False).sum())


def set_aside(tables) -> list[tuple[str, str]]:
    public = tables.get("public_records")
    return [
        (
            "Contributions deferred by force majeure",
            count(_flag_count(tables.get("contributions"), "force_majeure")),
        ),
        (
            "Instalments deferred by force majeure",
            count(_flag_count(tables.get("repayments"), "force_majeure")),
        ),
        ("Public records caused by force majeure", count(_flag_count(public, "force_majeure"))),
        (
            "Public records disputed",
            count(
                0
                if public is None or "dispute_opened_on" not in public.columns
                else public["dispute_opened_on"].notna().sum()
            ),
        ),
        ("Public records void (dispute upheld)", count(_flag_count(public, "dispute_upheld"))),
    ]
