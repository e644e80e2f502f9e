"""The DuckDB back-end: the feature query on an embedded DuckDB.

The record set is read in place (Parquet views; CSV parsed with the
contract's types, see :mod:`._io`), the observation dates are registered as
a table, and the one compiled query (:func:`._engine.compile_sql`) runs,
by ranges of subjects when the record set is large, streaming the sorted
result into a Parquet file written atomically. Connection, spill directory
and registration are set up in one place, :func:`_session`.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .._errors import InputError
from ._engine import DATES_TABLE, compile_sql
from ._uri import is_local, local_path, scheme
from ._visibility import dates_frame

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

    from ._backend import FeatureRequest

__all__ = ["BACKEND", "DuckDBBackend"]

BATCH_ROWS = 262_144
CHUNK_RECORDS = 25_000_000
MSG_REMOTE = (
    "{path}: the duckdb engine reads local record sets only, not {scheme}:// URIs; "
    "use --engine spark (engine='spark') for a remote record set"
)


def local_input(path) -> Path:
    """A local record set path (``file://`` accepted); a remote URI is refused, naming it."""
    if not is_local(path):
        raise InputError(MSG_REMOTE.format(path=path, scheme=scheme(path)))
    return local_path(path)


@dataclass
class _Run:
    """One registered record set: the connection, the query, the dates, the spill dir."""

    con: object
    sql: str
    dates: list
    spill: Path | None
    chunk_records: int
    restricted: bool = False


@contextlib.contextmanager
def _session(request: FeatureRequest, memory_limit: str, threads: int | None,
             chunk_records: int) -> Iterator[_Run]:
    """Connect with a memory cap and a spill directory, register the inputs; close after."""
    from ._io import (
        check_record_types,
        connect,
        parse_catalogue,
        parse_dates,
        read_record_set,
        resolve_extracted_on,
        restrict_to_subjects,
    )
    from ._memory import MemoryRecords, register

    memory = isinstance(request.record_dir, MemoryRecords)
    record_dir = request.record_dir if memory else local_input(request.record_dir)
    dates = parse_dates(request.as_of)
    cat = parse_catalogue(request.catalogue)
    # records in memory are computed in memory: no spill directory ("" turns spilling off)
    # and one range of subjects, so nothing is written anywhere
    spilling = (contextlib.nullcontext("") if memory
                else tempfile.TemporaryDirectory(prefix="creditscore-duckdb-"))
    with spilling as spill:
        con = connect(memory_limit, threads, spill)
        try:
            files = register(con, record_dir) if memory else read_record_set(con, record_dir)
            # extracted_on belongs to the whole record set: taken before any restriction
            extracted_on = resolve_extracted_on(con, record_dir, dates)
            if request.subjects is not None:
                restrict_to_subjects(con, record_dir, request.subjects)
            check_record_types(con, files["public_records"], cat)
            con.register(DATES_TABLE, dates_frame(dates, extracted_on))
            yield _Run(con, compile_sql(cat, request.features), dates,
                       Path(spill) if spill else None,
                       2**62 if memory else chunk_records,
                       restricted=request.subjects is not None)
        finally:
            con.close()


def _batches(run: _Run, step) -> Iterator[pa.RecordBatch]:
    """The result in (as_of, subject_id) order, computed by ranges of subjects if large.

    One range: the query streams. Several: each range is computed into a
    Parquet file in the spill directory (sorted by as_of, subject_id), then
    the files are read back date by date, range by range, which is the
    global order, so memory stays bounded and time linear in the records.
    """
    from ..records._contract import MODEL_TABLES
    from ._io import subject_chunks, typed_view

    con = run.con
    # a restricted run reads a few subjects' rows: one range (ranges would redefine the views)
    chunks = [(None, None)] if run.restricted else subject_chunks(con, run.chunk_records)
    if len(chunks) == 1:
        step("computing features")
        yield from con.sql(run.sql).to_arrow_reader(BATCH_ROWS)
        return
    files = []
    for i, subjects in enumerate(chunks):
        step(f"computing features: range {i + 1} of {len(chunks)}")
        for table in MODEL_TABLES:
            typed_view(con, table, subjects)
        files.append(run.spill / f"chunk-{i:04d}.parquet")
        con.execute(f"COPY ({run.sql}) TO '{files[-1]}' (FORMAT parquet)").fetchall()
    step("writing")
    for day in run.dates:
        for path in files:
            part = con.sql(f"SELECT * FROM read_parquet('{path}') WHERE as_of = DATE '{day}'")
            yield from part.to_arrow_reader(BATCH_ROWS)


class DuckDBBackend:
    """The embedded DuckDB engine (the default)."""

    name = "duckdb"
    OPTIONS = ("memory_limit", "threads", "chunk_records")

    def _run(self, request, memory_limit, threads, chunk_records):
        return _session(request, memory_limit or "2GB", threads,
                        chunk_records or CHUNK_RECORDS)

    def table(self, request: FeatureRequest, memory_limit: str | None = None,
              threads: int | None = None, chunk_records: int | None = None) -> pa.Table:
        """The feature table in memory (Arrow)."""
        import pyarrow as pa

        from .._progress import steps
        from ._io import output_schema

        schema = output_schema(request.features)
        with steps("reading records", 3, request.progress) as step, \
                self._run(request, memory_limit, threads, chunk_records) as run:
            batches = [b.cast(schema) for b in _batches(run, step)]
            return pa.Table.from_batches(batches, schema=schema)

    def write(self, request: FeatureRequest, out, memory_limit: str | None = None,
              threads: int | None = None, chunk_records: int | None = None) -> int:
        """Stream the feature table into the Parquet file ``out``, atomically; the rows."""
        import pyarrow.parquet as pq

        from .._atomic import atomic_file
        from .._progress import steps
        from ._io import output_schema

        schema = output_schema(request.features)
        n_rows = 0
        with steps("reading records", 3, request.progress) as step, \
                self._run(request, memory_limit, threads, chunk_records) as run, \
                atomic_file(local_input(out)) as tmp, pq.ParquetWriter(tmp, schema) as writer:
            for batch in _batches(run, step):
                writer.write_batch(batch.cast(schema), row_group_size=BATCH_ROWS)
                n_rows += batch.num_rows
        return n_rows


BACKEND = DuckDBBackend()
