"""Record sets for the tests: the label-edges example with one cell changed per case."""

from __future__ import annotations

import itertools
import re
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from creditscore.records import TABLES, read_records

EDGES = Path(__file__).parents[1] / "data" / "label-edges"


def load_edges() -> dict[str, pd.DataFrame]:
    """The label-edges CSV tables as text, empty cells as ''."""
    return {
        name: pd.read_csv(EDGES / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in TABLES
    }


def write_csv_set(frames: dict[str, pd.DataFrame], out: Path, manifest: bool = True) -> Path:
    out.mkdir(parents=True)
    for name, frame in frames.items():
        frame.to_csv(out / f"{name}.csv", index=False)
    if manifest:
        shutil.copy(EDGES / "manifest.json", out / "manifest.json")
    return out


def set_cell(table: pa.Table, row: int, column: str, value, type=None) -> pa.Table:
    """``table`` with the cell at 1-based ``row`` of ``column`` set (and the column retyped)."""
    i = table.column_names.index(column)
    values = table.column(column).to_pylist()
    if type is not None:
        values = [None if v is None else str(v) for v in values]
    values[row - 1] = value
    typ = type or table.schema.field(i).type
    return table.set_column(i, pa.field(column, typ), pa.array(values, typ))


def lines_matching(report, pattern: str) -> list[str]:
    return [line for line in report.messages() if re.search(pattern, line)]


@pytest.fixture
def edges_dir() -> Path:
    return EDGES


@pytest.fixture
def edges_tables() -> dict[str, pa.Table]:
    """The label-edges tables, typed as the contract."""
    return dict(read_records(EDGES).tables)


@pytest.fixture
def make_csv(tmp_path):
    """Build a CSV record set from label-edges.

    ``cells``: (table, 1-based row, column, text or None for an empty cell);
    ``drop``: (table, column) pairs to remove; ``manifest``: copy manifest.json.
    """
    counter = itertools.count()

    def make(cells=(), drop=(), manifest=True) -> Path:
        frames = load_edges()
        for table, row, column, value in cells:
            frames[table].loc[row - 1, column] = "" if value is None else value
        for table, column in drop:
            frames[table] = frames[table].drop(columns=column)
        return write_csv_set(frames, tmp_path / f"csv{next(counter)}", manifest)

    return make


@pytest.fixture
def make_parquet(tmp_path, edges_tables):
    """Build a Parquet record set from label-edges, some tables replaced by ``tables``."""
    counter = itertools.count()

    def make(**tables: pa.Table) -> Path:
        out = tmp_path / f"parquet{next(counter)}"
        out.mkdir()
        for name, table in {**edges_tables, **tables}.items():
            pq.write_table(table, out / f"{name}.parquet")
        shutil.copy(EDGES / "manifest.json", out / "manifest.json")
        return out

    return make
