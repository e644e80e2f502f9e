"""Hand-built record sets for the feature and label tests."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from creditscore.records._contract import MODEL_TABLES, TABLES, arrow_schema

EDGES = Path(__file__).resolve().parents[1] / "data" / "label-edges"


@pytest.fixture(autouse=True, scope="session")
def _private_sql_cache(tmp_path_factory):
    """Keep the compiled-query cache of the test run out of the user's home."""
    patch = pytest.MonkeyPatch()
    patch.setenv("CREDITSCORE_CACHE_DIR", str(tmp_path_factory.mktemp("sql-cache")))
    yield
    patch.undo()
D = dt.date.fromisoformat

#: defaults that make a row valid, so that a test states only what it is about
DEFAULTS = {
    "contributions": {
        "insurance_type": "pension", "employer_id": None, "contribution_base": 5000.0,
        "amount_due": 800.0, "amount_paid": 800.0, "paid_on": None, "force_majeure": False,
    },
    "loans": {
        "product": "consumer", "lender_type": "bank", "principal": 12000.0, "term_months": 12,
        "closed_on": None,
    },
    "repayments": {"amount_due": 1000.0, "amount_paid": 1000.0, "paid_on": None,
                   "force_majeure": False},
    "public_records": {
        "record_type": "tax_arrears", "severity": "general", "amount": 5000.0,
        "resolved_on": None, "force_majeure": False, "dispute_opened_on": None,
        "dispute_closed_on": None, "dispute_upheld": None,
    },
}


def _coerce(value):
    return D(value) if isinstance(value, str) and len(value) == 10 and value[4] == "-" else value


def complete(table: str, rows: list[dict]) -> list[dict]:
    """Rows with every contract column (defaults filled, ISO strings to dates)."""
    out = []
    for i, row in enumerate(rows):
        full = {**DEFAULTS.get(table, {}), **row}
        if table == "contributions":
            due = _coerce(full["due_on"])
            full.setdefault("period", due.replace(day=1))
        if table == "public_records":
            full.setdefault("record_id", f"P{i}")
            full.setdefault("occurred_on", full["recorded_on"])
        out.append({c: _coerce(full.get(c)) for c in TABLES[table].column_names})
    return out


def write_records(path: Path, extracted_on="2024-12-31", subjects=("S1",), **tables) -> Path:
    """Write a Parquet record set; tables not given are empty."""
    path.mkdir(parents=True, exist_ok=True)
    rows = {"subjects": [{"subject_id": s} for s in subjects]}
    for name in MODEL_TABLES:
        if name != "subjects":
            rows[name] = complete(name, tables.get(name, []))
    for name, table_rows in rows.items():
        schema = arrow_schema(name)
        table = pa.Table.from_pylist(table_rows, schema=schema) if table_rows else \
            schema.empty_table()
        pq.write_table(table, path / f"{name}.parquet")
    if extracted_on is not None:
        (path / "manifest.json").write_text(json.dumps({"extracted_on": str(extracted_on)}))
    return path


def features_at(path: Path, *dates, subject="S1", **kw) -> dict[str, dict]:
    """Feature rows of one subject, keyed by ISO date."""
    from creditscore.features import build_feature_table

    table = build_feature_table(path, list(dates), **kw, output="arrow").to_pylist()
    return {str(r["as_of"]): r for r in table if r["subject_id"] == subject}
