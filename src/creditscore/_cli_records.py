"""The commands on record sets and features: ``synth``, ``import-taiwan``, ``validate``,
``features``, ``list-features``.

Plain functions; ``cli`` registers them on the app in the order of ``--help``.
"""

from __future__ import annotations

from pathlib import Path

import typer

from ._cli_common import (
    engine_name,
    location,
    master_option,
    parse_date,
    progress_option,
    refuse_invalid,
    spark_only,
)
from ._errors import InputError

__all__ = ["layout", "synth", "import_taiwan", "validate", "features", "list_features",
           "kind_option"]

MSG_SUBJECTS_ENGINE = "--subjects runs on the duckdb engine, not {engine}"
MSG_ENTITY_ENGINE = "--kind entity runs on the duckdb engine only (got --engine {engine})"
KINDS = ("person", "entity")


def _kind(value: str) -> str:
    if value not in KINDS:
        raise typer.BadParameter(f"expected person or entity, got {value!r}")
    return value


def kind_option():
    """``--kind person|entity`` (guide: entities)."""
    return typer.Option("person", "--kind", callback=_kind,
                        help="person (default) or entity: the subjects to work on "
                        "(guide: entities).")


def synth(
    out_dir: Path = typer.Argument(..., help="Directory to write the record set to."),
    subjects: int = typer.Option(10_000, "--subjects", min=1, help="Number of subjects."),
    seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same records)."),
    scenario: str = typer.Option(
        "fair", "--scenario",
        help="fair, records-bias, thin-file, structural, downturn; small-firm-bias (needs "
        "--entities).",
    ),
    progress: bool | None = progress_option(),
    over_recording: float = typer.Option(
        None, "--over-recording",
        help="records-bias: how many times as often the minority's public records are "
        "entered for the same behaviour; small-firm-bias: small private firms' administrative "
        "penalties (default 4; 1 = fair).",
    ),
    entities: int = typer.Option(
        0, "--entities", min=0,
        help="Employers written as entity subjects (guide: entities); 0: persons only.",
    ),
    downturn_from: str | None = typer.Option(
        None, "--downturn-from",
        help="downturn: first day of the downturn, YYYY-MM-DD (default: the first day of the "
        "last twelve months of the records).",
    ),
) -> None:
    """Write a synthetic record set of the contract."""
    from ._progress import wanted
    from .synth import generate

    day = parse_date(downturn_from, "--downturn-from") if downturn_from else None
    summary = generate(out_dir, n_subjects=subjects, seed=seed, scenario=scenario,
                       progress=wanted(progress), over_recording=over_recording,
                       n_entities=entities, downturn_from=day)
    also = f" and {entities:,} entities" if entities else ""
    typer.echo(f"wrote {summary.n_records:,} records of {subjects:,} subjects{also} to {out_dir}")


def import_taiwan(
    paths: list[Path] = typer.Argument(
        ...,
        metavar="[DATA] OUT_DIR",
        help="The UCI file (CSV or Parquet; default: the copy shipped inside the package) "
        "and the directory to write the record set to.",
    ),
    progress: bool | None = progress_option(),
) -> None:
    """Turn the UCI Taiwan credit-card data into a record set of the contract."""
    from .records import taiwan_to_records

    if len(paths) > 2:
        raise typer.BadParameter(
            f"expected [DATA] OUT_DIR, got {len(paths)} paths", param_hint="[DATA] OUT_DIR"
        )
    data, out_dir = (None, paths[0]) if len(paths) == 1 else paths
    from ._progress import spinner, wanted

    with spinner("importing the Taiwan data", wanted(progress)):
        path = taiwan_to_records(data, out_dir)
    typer.echo(f"wrote the Taiwan record set to {path}")


def validate(
    record_dir: str = typer.Argument(..., help="A record set directory (a URI with --engine "
                                     "spark)."),
    catalogue: Path | None = typer.Option(None, "--catalogue", help="A catalogue YAML file."),
    engine: str = typer.Option("duckdb", "--engine", help="duckdb (every contract rule) or "
                               "spark (columns, types, record types, manifest; any URI)."),
    master: str | None = master_option(),
    progress: bool | None = progress_option(),
) -> None:
    """Check a record set against the contract and the catalogue (exit 0 or 2)."""
    from ._progress import spinner, wanted

    engine = engine_name(engine)
    source = location(record_dir, engine, "record sets")
    spark_only(engine, master, None)
    with spinner(f"validating {record_dir}", wanted(progress)):
        if engine == "spark":
            from .features._spark import check_records_spark

            counts = check_records_spark(source, catalogue, master=master)
            summary = ", ".join(f"{n:,} {t}" for t, n in counts.items())
            typer.echo(f"{record_dir}: valid on Spark ({summary}; columns, types, record "
                       "types and manifest checked)")
            return
        from .records import validate_records

        report = validate_records(source, catalogue=catalogue)
    refuse_invalid(record_dir, report)
    typer.echo(f"{record_dir}: valid ({report.summary()})")


def features(
    record_dir: str = typer.Argument(..., help="A record set directory (a URI with --engine "
                                     "spark: file://, s3a://, hdfs://, gs://)."),
    as_of: list[str] = typer.Option(..., "--as-of", help="Observation date (repeatable)."),
    out: str = typer.Option(..., "--out", help="Output Parquet file (with --engine spark "
                            "--write dataset: a directory of part files, or a URI)."),
    engine: str = typer.Option("duckdb", "--engine", help="duckdb or spark."),
    master: str | None = master_option(),
    write: str | None = typer.Option(None, "--write", help="Spark: file (one Parquet file, "
                                     "local) or dataset (part files); default file, dataset "
                                     "for a URI."),
    catalogue: Path | None = typer.Option(None, "--catalogue", help="A catalogue YAML file."),
    progress: bool | None = progress_option(),
    kind: str = kind_option(),
    subjects: Path | None = typer.Option(
        None, "--subjects", help="Only these subjects (a rescore after a dispute): a file of "
        "ids, one per line, or a CSV/Parquet table with a subject_id column. Only their "
        "records are read and validated."),
) -> None:
    """One row per (subject_id, as_of): point-in-time features and the two labels."""
    dates = [parse_date(d, "--as-of") for d in as_of]
    from ._progress import spinner, wanted
    from .features import build_features

    engine = engine_name(engine)
    source, target = location(record_dir, engine, "record sets"), location(out, engine, "outputs")
    spark_only(engine, master, write)
    show = wanted(progress)
    ids = None
    if subjects is not None:
        from .records import read_subject_list, read_subject_records

        if engine != "duckdb":
            raise InputError(MSG_SUBJECTS_ENGINE.format(engine=engine))
        ids = read_subject_list(subjects)
        # the subjects' own rows are the ones read, so those are the ones validated
        with spinner("validating the subjects' records", show):
            read_subject_records(source, ids, catalogue, employer=kind == "entity")
    elif isinstance(source, Path):
        from .records import validate_records

        # the feature engine trusts the contract: refuse a record set that breaks it
        with spinner("validating records", show):
            report = validate_records(source, catalogue=catalogue)
        refuse_invalid(record_dir, report)
    if kind == "entity":  # the guide (entities): DuckDB only
        if engine != "duckdb":
            raise InputError(MSG_ENTITY_ENGINE.format(engine=engine))
        from .features._entity_engine import ENTITY_FEATURES, build_entity_features

        n_rows = build_entity_features(source, dates, target, catalogue=catalogue,
                                       subjects=ids)
        typer.echo(f"wrote {n_rows:,} entity rows x {len(ENTITY_FEATURES)} features to {out}")
        return
    options = {}
    if engine == "spark":
        options = {"master": master, "write": write or ("file" if isinstance(target, Path)
                                                        else "dataset")}
    result = build_features(source, dates, target, engine=engine, catalogue=catalogue,
                            progress=show, subjects=ids, **options)
    typer.echo(f"wrote {result.n_rows:,} rows x {result.n_features} features to {out}")


def layout(
    record_dir: Path = typer.Argument(..., help="A Parquet record set directory."),
    out: Path = typer.Option(..., "--out", help="The record set in the per-subject layout "
                             "(a new directory; an existing one is replaced whole)."),
    catalogue: Path | None = typer.Option(None, "--catalogue", help="A catalogue YAML file."),
    progress: bool | None = progress_option(),
) -> None:
    """Rewrite a record set so one subject's records are read without the rest.

    Every table sorted by subject (repayments by loan) in small row groups, a manifest
    with extracted_on; validated first, written atomically. explain and features
    --subjects then skip every row group that cannot hold the subject.
    """
    from ._progress import spinner, wanted
    from .records import layout_records

    with spinner("rewriting the record set", wanted(progress)):
        layout_records(record_dir, out, catalogue=catalogue)
    typer.echo(f"wrote {record_dir} in the per-subject layout to {out}")


def list_features(kind: str = kind_option()) -> None:
    """List the feature catalogue: name, source, direction, description."""
    from rich.console import Console
    from rich.table import Table

    if kind == "entity":
        from .features._entity_defs import ENTITY_FEATURES as FEATURES
    else:
        from .features import FEATURES

    table = Table("name", "source", "direction", "description")
    arrow = {1: "higher = riskier", -1: "higher = safer", 0: "-"}
    for f in FEATURES:
        table.add_row(f.name, f.source, arrow[f.direction], f.description)
    Console(width=200).print(table)
