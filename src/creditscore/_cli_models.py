"""The commands that fit and use a model: ``train``, ``run``, ``score``, ``explain``.

Plain functions; ``cli`` registers them on the app in the order of ``--help``.
"""

from __future__ import annotations

from pathlib import Path

import typer

from ._cli_common import (
    engine_name,
    fail,
    location,
    master_option,
    parse_date,
    progress_option,
    spark_only,
)
from ._cli_flat import (
    FLAT_RULE,
    explain_flat_row,
    flat_train_options_used,
    is_flat_model,
    table_columns,
    train_flat_table,
)
from ._cli_records import kind_option

__all__ = ["train", "run", "score", "explain", "entity_defs"]

MSG_KIND = ("{file}: {what}; give --kind {kind} (guide: entities)")


def entity_defs(kind: str, columns: list[str], file):
    """The feature definitions of ``--kind``: None (the person default) or the entity ones;
    a table of the other kind is refused, naming the file."""
    entity_table = "ent_arrears_count" in columns
    if kind == "entity":
        if columns and not entity_table:
            fail(MSG_KIND.format(file=file, what="not an entity feature table", kind="person"), 2)
        from .features._entity_defs import ENTITY_MODEL_FEATURES

        return ENTITY_MODEL_FEATURES
    if entity_table:
        fail(MSG_KIND.format(file=file, what="an entity feature table", kind="entity"), 2)
    return None


def train(
    features_file: Path = typer.Argument(..., metavar="TABLE", help="A feature table from "
                                         "`creditscore features`, or any CSV/Parquet table."),
    target: str = typer.Option(..., "--target", help="default_12m or breach_12m, or the "
                               "label column of a flat table."),
    model: str = typer.Option("lgbm", "--model", help="lgbm (lightgbm) or scorecard (woe)."),
    out: Path = typer.Option(..., "--out", help="Model directory to write."),
    train_until: str | None = typer.Option(None, "--train-until", help="Last as_of to fit on."),
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    track: bool = typer.Option(False, "--track", help="Log the run to MLflow (unaudited)."),
    positive: str | None = typer.Option(None, "--positive", help="Flat: the label value that "
                                        "is the event (e.g. bad)."),
    id_column: str | None = typer.Option(None, "--id", help="Flat: the row id column."),
    protected: list[str] = typer.Option(None, "--protected", help="Flat: a protected column "
                                        "(repeatable); kept for the audit, never model input."),
    drop: list[str] = typer.Option(None, "--drop", help="Flat: a column to leave out "
                                   "(repeatable)."),
    features_yaml: Path | None = typer.Option(None, "--features", help="Flat: a YAML of "
                                              "columns (column, direction, description)."),
    folds: int | None = typer.Option(None, "--folds", min=2, help="Flat: K of the stratified "
                                     "K-fold evaluation (default 5)."),
    repeats: int | None = typer.Option(None, "--repeats", min=1, help="Flat: repeats of the "
                                       "K-fold (default 2, fixed seed)."),
    progress: bool | None = progress_option(),
    kind: str = kind_option(),
    calibrate_to: str = typer.Option("tuning", "--calibrate-to", help="Calibration target: "
                                     "tuning (the tuning cohort's event rate) or long-run "
                                     "(the average of every development date's rate)."),
    margin: float = typer.Option(0.0, "--calibration-margin", help="Relative margin of "
                                 "conservatism on the calibration target (0.1: 10% more)."),
) -> None:
    """Fit a model and write its model directory.

    A creditscore feature table: fit on rows with a known label (and as_of <=
    --train-until). Any other table (flat): columns as they are, out-of-fold
    evaluation. TABLE is read as a creditscore feature table when --target is
    default_12m or breach_12m and it has the columns subject_id and as_of.
    """
    from ._progress import spinner, wanted
    from .models import TARGETS, is_flat_request

    flat_opts = flat_train_options_used({"positive": positive, "id": id_column,
                                          "protected": protected, "drop": drop,
                                          "features": features_yaml, "folds": folds,
                                          "repeats": repeats})
    columns = table_columns(features_file)
    if (target not in TARGETS) if columns is None else is_flat_request(columns, target):
        if train_until or calibrate_to != "tuning" or margin:
            flag = "--train-until" if train_until else "--calibrate-to/--calibration-margin"
            fail(f"{flag} applies to feature tables; a flat table is evaluated by "
                  f"K-fold ({FLAT_RULE})", 2)
        with spinner(f"training {model} on {target}", wanted(progress)):
            result = train_flat_table(features_file, target, model, out, seed, positive,
                                      id_column, protected, drop, features_yaml, folds, repeats)
    else:
        if flat_opts:
            fail(f"{', '.join(flat_opts)} apply to flat tables only ({FLAT_RULE})", 2)
        until = parse_date(train_until, "--train-until") if train_until else None
        from .models import train_model

        defs = entity_defs(kind, columns or [], features_file)
        with spinner(f"training {model} on {target}", wanted(progress)):
            result = train_model(features_file, target, model, out, train_until=until, seed=seed,
                                 features=defs, calibrate_to=calibrate_to, margin=margin)
    typer.echo(result.summary())
    if track:
        from .pipeline import track_model
        from .reports import ModelCard

        card = ModelCard.from_model_dir(out).write(out.parent / f"{out.name}-card")
        # a flat model's input is its encoding of the table (floats), not the table's columns
        example = None if is_flat_model(out) else features_file
        track_model(out, None, {"card": card}, features=example)


def run(
    config: Path = typer.Argument(..., help="An experiments/*.yaml run config."),
    out: Path | None = typer.Option(None, "--out", help="Run directory."),
    progress: bool | None = progress_option(),
) -> None:
    """Run an experiment config end to end: features, train, evaluate."""
    from ._progress import spinner, wanted
    from .models import run_experiment

    with spinner(f"running {config}", wanted(progress)):
        result = run_experiment(config, out)
    typer.echo(result.summary())


def score(
    model_dir: Path = typer.Argument(..., help="An audited model directory."),
    features_file: str = typer.Argument(..., metavar="FEATURES.parquet", help="Rows to score "
                                        "(with --engine spark: also a directory or a URI)."),
    out: str = typer.Option(..., "--out", help="Output SCORES.parquet (with --engine spark "
                            "--write dataset: part files, or a URI)."),
    purpose: str = typer.Option(..., "--purpose", help="Why these subjects are scored."),
    batch_size: int = typer.Option(200_000, "--batch-size", min=1, help="Rows per batch."),
    engine: str = typer.Option("local", "--engine", help="local or spark."),
    master: str | None = master_option(),
    write: str | None = typer.Option(None, "--write", help="Spark: file or dataset (default "
                                     "file, dataset for a URI)."),
    progress: bool | None = progress_option(),
) -> None:
    """PD, score, tier and reasons; refused (exit 3) without a passed audit of this model."""
    from ._progress import spinner, wanted

    engine = engine_name(engine, local="local")
    source, target = (location(features_file, engine, "feature files"),
                      location(out, engine, "outputs"))
    spark_only(engine, master, write)
    if engine == "spark":
        from .spark_scoring import score_features_spark

        mode = write or ("file" if isinstance(target, Path) else "dataset")
        with spinner("scoring on Spark", wanted(progress)):
            result = score_features_spark(model_dir, source, target, purpose=purpose,
                                          master=master, write=mode)
    else:
        from .scoring import score_features

        result = score_features(model_dir, source, target, purpose=purpose,
                                batch_size=batch_size, progress=wanted(progress))
    typer.echo(f"scored {result.n_rows:,} rows in {result.seconds:.1f}s -> {out}")


def explain(
    record_dir: Path = typer.Argument(..., metavar="RECORD_DIR|TABLE",
                                      help="A record set directory, or a flat model's table."),
    subject_id: str = typer.Argument(..., metavar="SUBJECT_ID|ROW_ID",
                                     help="The subject (a pseudonym), or the row's id."),
    model: Path = typer.Option(..., "--model", help="An audited model directory."),
    as_of: str | None = typer.Option(None, "--as-of", help="Observation date (record sets)."),
    purpose: str = typer.Option(..., "--purpose", help="Why this subject's letter is written."),
    out: Path = typer.Option(Path("letters"), "--out", help="Directory for the letter."),
    progress: bool | None = progress_option(),
    kind: str = kind_option(),
    pdf: bool = typer.Option(False, "--pdf", help="Also write the letter (or the entity's "
                             "supervision note) as PDF."),
) -> None:
    """Write the subject's letter (HTML and Markdown): records, score, reasons, recourse.

    A flat-table model: the row's PD, score, tier and up to four reasons (Markdown, JSON).
    """
    from . import audit_log

    if not purpose.strip():
        fail(audit_log.MSG_NO_PURPOSE.format(action="explain"), 2)
    if is_flat_model(model):
        explain_flat_row(record_dir, subject_id, model, purpose, out)
        return
    if as_of is None:
        fail("--as-of DATE is required to explain a record-set model", 2)
    day = parse_date(as_of, "--as-of")
    if pdf:  # before anything is written: no letter without the PDF asked for
        from .reports import pdf_renderer

        try:
            pdf_renderer()
        except RuntimeError as exc:
            fail(str(exc), 2)
    from ._progress import spinner, wanted
    from .explain import write_letter

    with spinner("writing the letter", wanted(progress)):
        if kind == "entity":  # the guide (entities): the supervision note
            from .explain._entity_note import write_entity_note

            result = write_entity_note(record_dir, subject_id, model, day, purpose, out)
        else:
            result = write_letter(record_dir, subject_id, model, day, purpose, out)
    # the input is the subject's own records (read alone), not the whole record set
    if pdf:
        _pdf_copy(result.html)
    audit_log.append("explain", purpose=purpose, model_hash=result.model_hash,
                     input_fingerprint=result.input_fingerprint, n_subjects=1,
                     output=result.html)
    typer.echo(f"wrote {result.html} and {result.markdown}"
               + (f" and {result.html.with_suffix('.pdf')}" if pdf else ""))


def _pdf_copy(html: Path) -> None:
    """``X.pdf`` beside the letter's ``X.html``; exit 2 when no PDF renderer is installed."""
    from .reports import html_to_pdf

    try:
        html_to_pdf(html.read_text(encoding="utf-8"), html.with_suffix(".pdf"))
    except RuntimeError as exc:  # no renderer on this machine
        fail(str(exc), 2)
