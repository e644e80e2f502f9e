"""``generate``: write a whole synthetic record set, and its ground truth beside it."""

from __future__ import annotations

import datetime as dt
import json
import numbers
import os
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from .._atomic import atomic_dir
from .._errors import InputError
from ..records._contract import TABLES, arrow_schema
from ._block import BLOCK, TRUTH_SCHEMA, World, make_block
from ._calendar import Calendar
from ._scenarios import ENTITY_SCENARIOS, get_scenario
from ._writer import TableWriter

__all__ = ["generate", "SynthSummary", "truth_dir_for"]

MSG_COUNT = "synth: {name} must be a whole number >= {least} (got {value!r})"
MSG_NEEDS_ENTITIES = "synth: scenario {name!r} is about entities; give --entities N (N >= 1)"
#: truth files of a world with entities
ENTITY_TRUTH = ("entity_truth", "entity_trouble")
TRUTH_SUFFIX = ".truth"


@dataclass(frozen=True)
class SynthSummary:
    """What :func:`generate` wrote.

    Attributes
    ----------
    out_dir : Path
        The record set.
    truth_dir : Path
        The ground truth (``truth.parquet``, ``seed.json``), beside the record set.
    n_subjects : int
    n_records : int
        Rows written over all six tables of the record set.
    records_per_table : dict of str to int
    seed : int
    scenario : str
    seconds : float
    """

    out_dir: Path
    truth_dir: Path
    n_subjects: int
    n_records: int
    records_per_table: dict = field(default_factory=dict)
    seed: int = 0
    scenario: str = "fair"
    seconds: float = 0.0

    def to_dict(self) -> dict:
        """The run's summary as JSON-ready data: folders, subjects, records per table, seed."""
        return {
            "out_dir": str(self.out_dir),
            "truth_dir": str(self.truth_dir),
            "n_subjects": self.n_subjects,
            "n_records": self.n_records,
            "records_per_table": dict(self.records_per_table),
            "seed": self.seed,
            "scenario": self.scenario,
            "seconds": self.seconds,
        }


def truth_dir_for(out_dir: str | os.PathLike) -> Path:
    """Where the ground truth of a record set at ``out_dir`` is written."""
    out_dir = Path(out_dir)
    return out_dir.with_name(out_dir.name + TRUTH_SUFFIX)


def _check_count(name: str, value, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < least:
        raise InputError(MSG_COUNT.format(name=name, value=value, least=least))
    return int(value)


def _progress(enabled: bool):
    if not enabled:
        return nullcontext(None)
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("synth"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("subjects"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )


def _write_blocks(world: World, records: TableWriter, truth: TableWriter, chunk: int, bar):
    task = bar.add_task("synth", total=world.n_subjects) if bar is not None else None
    per_chunk = max(1, -(-chunk // BLOCK))
    for begin in range(0, world.n_blocks, per_chunk):
        blocks = [
            make_block(world, i) for i in range(begin, min(begin + per_chunk, world.n_blocks))
        ]
        for tables in blocks:
            truth.write("truth", tables.pop("truth"))
            if world.entities is not None:  # the subjects table says which are persons
                subjects = tables["subjects"]
                tables["subjects"] = subjects.append_column(
                    "kind", pa.array(["person"] * subjects.num_rows, pa.string())
                ).cast(records.schema("subjects"))
            for name, table in tables.items():
                records.write(name, table)
        if bar is not None:
            bar.update(task, advance=sum(t["subjects"].num_rows for t in blocks))
    if world.entities is not None:
        from ._entity_records import entity_tables

        tables = entity_tables(world.seed, world.entities, world.employers, world.cal,
                               world.employer_ids)
        for name in ENTITY_TRUTH:
            truth.write(name, tables.pop(name))
        for name, table in tables.items():
            records.write(name, table.cast(records.schema(name)))


def generate(
    out_dir,
    n_subjects: int = 10_000,
    seed: int = 0,
    scenario: str = "fair",
    start: dt.date = dt.date(2018, 1, 1),
    extracted_on: dt.date = dt.date(2024, 12, 31),
    chunk_size: int = 20_000,
    progress: bool = False,
    over_recording: float | None = None,
    n_entities: int = 0,
    downturn_from: dt.date | None = None,
) -> SynthSummary:
    """Write a synthetic record set of the contract, and its ground truth beside it.

    Parameters
    ----------
    out_dir : str or PathLike
        The record set directory: the six contract tables as Parquet and
        ``manifest.json``. It appears whole or not at all; an existing one is
        replaced.
    n_subjects : int, default=10_000
    seed : int, default=0
        Same seed, subjects and scenario: byte-identical files.
    scenario : {"fair", "records-bias", "thin-file", "structural"}, default="fair"
        How a protected group differs (see ``creditscore.synth.SCENARIOS``).
    start, extracted_on : datetime.date
        First month of the records (rounded to the first of its month) and the
        day they were drawn; no date in the records is after ``extracted_on``.
    chunk_size : int, default=20_000
        Subjects generated per step (memory grows with it); the output does
        not depend on it.
    progress : bool, default=False
        Show a progress bar.
    over_recording : float, default=None
        ``records-bias`` only: the factor by which the minority's
        discretionary public records are over-recorded (default 4; see
        ``creditscore.synth.SCENARIOS``); ``small-firm-bias``: the factor of
        small private entities' administrative penalties.
    n_entities : int, default=0
        Employers written as entity subjects (guide: entities): a ``kind``
        column in ``subjects``, the ``entities`` table, their business loans
        and public records, and ``entity_truth.parquet`` /
        ``entity_trouble.parquet`` in the truth directory. 0: the person-only
        record set of before, byte for byte.
    downturn_from : datetime.date, default=None
        ``downturn`` only: the first day of the downturn (default: the first
        day of the last twelve months of the records).

    Returns
    -------
    SynthSummary

    Notes
    -----
    The ground truth (latent risk, scenario group, first default and breach
    days) is written to ``<out_dir>.truth/``, never inside the record set.

    Conventions the contract leaves open:

    - obligations paid on time are paid up to 10 days *before* ``due_on``,
      so ``paid_on < due_on`` is normal; ``paid_on`` is set only when
      ``amount_paid == amount_due``; a partial payment has ``amount_paid > 0``
      and a null ``paid_on``; payments after ``extracted_on`` are absent;
    - a card statement's ``amount_due`` is its minimum payment, and
      ``amount_paid`` never exceeds ``amount_due``;
    - subjects are generated in blocks of 1,000, block ``i`` seeded by
      ``SeedSequence(seed, spawn_key=(1, i))``, so the files do not depend
      on ``chunk_size``.

    Examples
    --------
    >>> summary = generate("data/synthetic/demo", n_subjects=1_000)  # doctest: +SKIP
    >>> summary.records_per_table["contributions"]  # doctest: +SKIP
    """
    began = time.perf_counter()
    n_subjects = _check_count("n_subjects", n_subjects, 1)
    seed = _check_count("seed", seed, 0)
    chunk_size = _check_count("chunk_size", chunk_size, 1)
    n_entities = _check_count("n_entities", n_entities, 0)
    chosen = get_scenario(scenario, over_recording, downturn_from)
    if scenario in ENTITY_SCENARIOS and not n_entities:
        raise InputError(MSG_NEEDS_ENTITIES.format(name=scenario))
    world = World.build(
        seed,
        n_subjects,
        chosen,
        Calendar.build(start, extracted_on, chosen.downturn, chosen.downturn_from),
        start.year,
        _catalogue(),
        n_entities,
    )
    out_dir, truth_dir = Path(out_dir), truth_dir_for(out_dir)
    schemas, truth_schemas = _schemas(n_entities)
    with atomic_dir(out_dir) as tmp, atomic_dir(truth_dir) as truth_tmp:
        with (
            TableWriter(tmp, schemas) as records,
            TableWriter(truth_tmp, truth_schemas) as truth,
            _progress(progress) as bar,
        ):
            _write_blocks(world, records, truth, chunk_size, bar)
        _write_json(tmp / "manifest.json", {"extracted_on": extracted_on.isoformat()})
        _write_json(
            truth_tmp / "seed.json", _seed_record(seed, scenario, n_subjects, start, extracted_on)
            | ({} if over_recording is None else {"over_recording": float(over_recording)})
            | ({"n_entities": n_entities} if n_entities else {})
            | ({"downturn_from": _day(world.cal.downturn_day)} if chosen.downturn else {}),
        )
    return SynthSummary(
        out_dir,
        truth_dir,
        n_subjects,
        sum(records.rows.values()),
        dict(records.rows),
        seed,
        scenario,
        time.perf_counter() - began,
    )


def _schemas(n_entities: int) -> tuple[dict, dict]:
    """The record and truth schemas; with entities, ``subjects`` has ``kind`` (guide: entities)."""
    schemas = {name: arrow_schema(name) for name in TABLES}
    truth = {"truth": TRUTH_SCHEMA}
    if n_entities:
        from ._entity_records import (
            ENTITIES_SCHEMA,
            ENTITY_TROUBLE_SCHEMA,
            ENTITY_TRUTH_SCHEMA,
            SUBJECTS_WITH_KIND,
        )

        schemas |= {"subjects": SUBJECTS_WITH_KIND, "entities": ENTITIES_SCHEMA}
        truth |= {"entity_truth": ENTITY_TRUTH_SCHEMA, "entity_trouble": ENTITY_TROUBLE_SCHEMA}
    return schemas, truth


def _catalogue():
    from ..records._catalogue import load_catalogue

    return load_catalogue()


def _day(days: int) -> str:
    return (dt.date(1970, 1, 1) + dt.timedelta(days=int(days))).isoformat()


def _seed_record(seed, scenario, n_subjects, start, extracted_on) -> dict:
    from .. import __version__

    return {
        "seed": seed,
        "scenario": scenario,
        "n_subjects": n_subjects,
        "start": start.isoformat(),
        "extracted_on": extracted_on.isoformat(),
        "package": "creditscore",
        "version": __version__,
    }


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
