"""Streaming Parquet output in row groups of a fixed number of rows.

Tables arrive block by block; rows are buffered and written out in row groups
of exactly ``ROW_GROUP_ROWS`` rows (the last one shorter), each from one
contiguous Arrow array. So the bytes of a file depend only on its rows, not on
how many subjects were generated per step, and memory stays bounded by one
row group per table.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..records._subject_reads import LAYOUT_ROW_GROUP_ROWS

__all__ = ["TableWriter", "ROW_GROUP_ROWS"]

#: the per-subject layout's row groups (records are generated subject by subject, so each
#: row group holds a narrow range of subject ids and a one-subject read skips the others)
ROW_GROUP_ROWS = LAYOUT_ROW_GROUP_ROWS
COMPRESSION = "zstd"


class TableWriter:
    """Write Parquet files of fixed schemas, one per table name.

    Parameters
    ----------
    directory : Path
    schemas : dict of str to pyarrow.Schema
        Table name (the file is ``<name>.parquet``) to its schema.
    row_group_rows : int, optional
        Rows per row group; ``ROW_GROUP_ROWS`` when None.
    """

    def __init__(self, directory: Path, schemas: dict, row_group_rows: int | None = None):
        self.row_group_rows = row_group_rows or ROW_GROUP_ROWS
        self.rows = dict.fromkeys(schemas, 0)
        self._pending: dict[str, list[pa.Table]] = {name: [] for name in schemas}
        self._writers = {
            name: pq.ParquetWriter(
                Path(directory) / f"{name}.parquet", schema, compression=COMPRESSION
            )
            for name, schema in schemas.items()
        }

    def schema(self, name: str) -> pa.Schema:
        """The schema the file ``name`` is written with."""
        return self._writers[name].schema

    def write(self, name: str, table: pa.Table) -> None:
        """Queue ``table``'s rows and write every full row group."""
        self._pending[name].append(table)
        self.rows[name] += table.num_rows
        buffered = sum(t.num_rows for t in self._pending[name])
        if buffered >= self.row_group_rows:
            self._flush(name, final=False)

    def _flush(self, name: str, final: bool) -> None:
        rest = pa.concat_tables(self._pending[name])
        size = self.row_group_rows
        while rest.num_rows >= size or (final and rest.num_rows):
            group = rest.slice(0, size).combine_chunks()
            self._writers[name].write_table(group, row_group_size=size)
            rest = rest.slice(size)
        self._pending[name] = [rest] if rest.num_rows else []

    def close(self) -> None:
        """Write what is left and close every file."""
        for name, writer in self._writers.items():
            if self._pending[name]:
                self._flush(name, final=True)
            writer.close()

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is None:
            self.close()
        else:
            for writer in self._writers.values():
                writer.close()
