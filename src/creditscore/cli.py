"""The command line (shared/spec/cli.md).

Thin: parse, call one function per command, map errors to exit codes
(2: bad input or usage, 3: refused by policy). Heavy libraries are imported
inside the commands so that ``creditscore --help`` starts fast.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import typer

from ._cli_flat import (
    FLAT_RULE,
    audit_scores_command,
    explain_flat_row,
    flat_train_options_used,
    is_flat_model,
    table_columns,
    train_flat_table,
)
from ._errors import CreditscoreError

__all__ = ["app", "main"]

app = typer.Typer(
    name="creditscore",
    help="Credit scoring under the rule of law: records, features, models, fairness gate.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _fail(message: str, code: int) -> None:
    typer.echo(f"creditscore: error: {message}", err=True)
    raise typer.Exit(code)


def _parse_date(value: str, flag: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        _fail(f"{flag} {value!r} is not a date (expected YYYY-MM-DD)", 2)


def progress_option():
    """The ``--progress/--no-progress`` option of a long command (default: on a terminal only)."""
    return typer.Option(None, "--progress/--no-progress",
                        help="Show progress on stderr (default: only when it is a terminal).")


def master_option():
    """The ``--master`` option of the commands that run on Spark."""
    return typer.Option(None, "--master", help="Spark master for --engine spark "
                        "(spark://host:7077, yarn, local[4]; default: $SPARK_MASTER, else local).")


ENGINES = {"duckdb": "duckdb", "local": "duckdb", "spark": "spark", "pyspark": "spark"}


def _engine(value: str, local: str = "duckdb") -> str:
    """The engine a user typed (``local``/``duckdb``, ``spark``/``pyspark``), or exit 2."""
    name = ENGINES.get(value.strip().lower())
    if name is None:
        _fail(f"--engine {value!r}: choose {local} or spark", 2)
    return name


def _location(value: str, engine: str, what: str):
    """A local path (``file://`` accepted) as a Path; a URI as it is, for Spark only."""
    from .features._uri import is_local, local_path, scheme

    if is_local(value):
        return local_path(value)
    if engine != "spark":
        _fail(f"{value}: the local engine cannot read or write {scheme(value)}:// {what}; "
              "use --engine spark", 2)
    return value


def _spark_only(engine: str, master: str | None, write: str | None) -> None:
    if engine != "spark" and (master or write):
        flag = "--master" if master else "--write"
        _fail(f"{flag} is a setting of --engine spark", 2)


@app.command()
def synth(
    out_dir: Path = typer.Argument(..., help="Directory to write the record set to."),
    subjects: int = typer.Option(10_000, "--subjects", min=1, help="Number of subjects."),
    seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same records)."),
    scenario: str = typer.Option(
        "fair", "--scenario", help="fair, records-bias, thin-file, structural."
    ),
    progress: bool | None = progress_option(),
    over_recording: float = typer.Option(
        None, "--over-recording",
        help="records-bias only: how many times as often the minority's public records are "
        "entered for the same behaviour (default 4; 1 = fair).",
    ),
) -> None:
    """Write a synthetic record set of the contract."""
    from ._progress import wanted
    from .synth import generate

    summary = generate(out_dir, n_subjects=subjects, seed=seed, scenario=scenario,
                       progress=wanted(progress), over_recording=over_recording)
    typer.echo(f"wrote {summary.n_records:,} records of {subjects:,} subjects to {out_dir}")


@app.command("import-taiwan")
def import_taiwan(
    paths: list[Path] = typer.Argument(
        ...,
        metavar="[DATA] OUT_DIR",
        help="The UCI file (CSV or Parquet; default: the project's data/real/taiwan.parquet) "
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


@app.command()
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

    engine = _engine(engine)
    source = _location(record_dir, engine, "record sets")
    _spark_only(engine, master, None)
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
    _refuse_invalid(record_dir, report)
    typer.echo(f"{record_dir}: valid ({report.summary()})")


def _refuse_invalid(record_dir: Path, report) -> None:
    """Exit 2 listing the problems (first line: how many) unless the report is ok."""
    if report.ok:
        return
    lines = report.messages()
    typer.echo(f"creditscore: error: {record_dir}: {lines[0]}", err=True)
    for line in lines[1:]:
        typer.echo(f"  {line}", err=True)
    raise typer.Exit(2)


@app.command()
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
) -> None:
    """One row per (subject_id, as_of): point-in-time features and the two labels."""
    dates = [_parse_date(d, "--as-of") for d in as_of]
    from ._progress import spinner, wanted
    from .features import build_features

    engine = _engine(engine)
    source, target = _location(record_dir, engine, "record sets"), _location(out, engine, "outputs")
    _spark_only(engine, master, write)
    show = wanted(progress)
    if isinstance(source, Path):
        from .records import validate_records

        # the feature engine trusts the contract: refuse a record set that breaks it
        with spinner("validating records", show):
            report = validate_records(source, catalogue=catalogue)
        _refuse_invalid(record_dir, report)
    options = {}
    if engine == "spark":
        options = {"master": master, "write": write or ("file" if isinstance(target, Path)
                                                        else "dataset")}
    result = build_features(source, dates, target, engine=engine, catalogue=catalogue,
                            progress=show, **options)
    typer.echo(f"wrote {result.n_rows:,} rows x {result.n_features} features to {out}")


@app.command("list-features")
def list_features() -> None:
    """List the feature catalogue: name, source, direction, description."""
    from rich.console import Console
    from rich.table import Table

    from .features import FEATURES

    table = Table("name", "source", "direction", "description")
    arrow = {1: "higher = riskier", -1: "higher = safer", 0: "-"}
    for f in FEATURES:
        table.add_row(f.name, f.source, arrow[f.direction], f.description)
    Console(width=200).print(table)


@app.command()
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
        if train_until:
            _fail("--train-until applies to feature tables; a flat table is evaluated by "
                  f"K-fold ({FLAT_RULE})", 2)
        with spinner(f"training {model} on {target}", wanted(progress)):
            result = train_flat_table(features_file, target, model, out, seed, positive,
                                      id_column, protected, drop, features_yaml, folds, repeats)
    else:
        if flat_opts:
            _fail(f"{', '.join(flat_opts)} apply to flat tables only ({FLAT_RULE})", 2)
        until = _parse_date(train_until, "--train-until") if train_until else None
        from .models import train_model

        with spinner(f"training {model} on {target}", wanted(progress)):
            result = train_model(features_file, target, model, out, train_until=until, seed=seed)
    typer.echo(result.summary())
    if track:
        from .pipeline import track_model
        from .reports import ModelCard

        card = ModelCard.from_model_dir(out).write(out.parent / f"{out.name}-card")
        # a flat model's input is its encoding of the table (floats), not the table's columns
        example = None if is_flat_model(out) else features_file
        track_model(out, None, {"card": card}, features=example)


def _audit_any(model_dir, features_file, protected, out, policy, bands, split):
    """The audit of a flat-table model (its table) or of a record-set model (its feature
    table and protected table)."""
    if is_flat_model(model_dir):
        from .fairness import audit_flat_model, parse_bands, read_split

        return audit_flat_model(model_dir, features_file, out, policy, protected=protected,
                                bands=parse_bands(bands), split=read_split(split))
    if bands or split:
        _fail("--bands and --split apply to flat-table models only", 2)
    if not protected or len(protected) != 1:
        _fail("--protected FILE: give the protected table (one Parquet file)", 2)
    from .fairness import audit_model

    return audit_model(model_dir, features_file, Path(protected[0]), out, policy)


@app.command()
def audit(
    model_dir: Path = typer.Argument(..., help="A model directory."),
    features_file: Path = typer.Argument(..., metavar="TABLE", help="Rows to audit: a feature "
                                         "table, or the flat table of a flat model."),
    protected: list[str] = typer.Option(None, "--protected", help="The protected table "
                                        "(Parquet); flat models: protected columns "
                                        "(repeatable; default: those named at training)."),
    out: Path = typer.Option(..., "--out", help="Report directory (audit.json, report)."),
    policy: Path | None = typer.Option(None, "--policy", help="A gate policy YAML."),
    track: bool = typer.Option(False, "--track", help="Log to MLflow; promote if passed."),
    bands: list[str] = typer.Option(None, "--bands", help="Flat: COLUMN=CUT,CUT,... bands of "
                                    "a numeric protected column (e.g. age_in_years=25,35,50)."),
    split: list[str] = typer.Option(None, "--split", help="Flat: split a text protected "
                                    "column: COLUMN=ATTR,ATTR (parts at ':') or a YAML mapping."),
    progress: bool | None = progress_option(),
    pdf: bool = typer.Option(False, "--pdf", help="Also write the reports as PDF."),
) -> None:
    """Pre-use fairness audit; exit 0 if the gate passed, 3 if it failed."""
    from ._progress import spinner, wanted
    from .pipeline import track_model, write_model_reports

    with spinner("auditing", wanted(progress)):
        result = _audit_any(model_dir, features_file, protected, out, policy, bands, split)
        paths = write_model_reports(model_dir, out, pdf=pdf)
    if track:
        example = None if is_flat_model(model_dir) else features_file
        track_model(model_dir, out, paths, features=example)
    verdict = "PASSED" if result.passed else "FAILED"
    typer.echo(f"fairness gate {verdict}: {result.reason} -> {out / 'audit.json'}")
    if not result.passed:
        raise typer.Exit(3)


app.command("audit-scores")(audit_scores_command)


@app.command()
def mitigate(
    model_dir: Path = typer.Argument(..., help="The model directory that failed the gate."),
    features_file: Path = typer.Argument(..., metavar="FEATURES.parquet",
                                         help="The feature table it was trained on."),
    protected: Path = typer.Option(..., "--protected", help="The protected table (Parquet)."),
    out: Path = typer.Option(..., "--out", help="Directory for candidates, frontier, report."),
    attribute: list[str] = typer.Option(None, "--attribute",
                                        help="Attribute to mitigate for (repeatable; default: "
                                        "those of the failing checks)."),
    candidate: list[str] = typer.Option(None, "--candidate",
                                        help="Search only these candidates (repeatable)."),
    audit_rows: Path | None = typer.Option(None, "--audit-rows", help="Rows to audit on "
                                           "(default: the features after train_until)."),
    policy: Path | None = typer.Option(None, "--policy", help="A gate policy YAML."),
    promote: bool = typer.Option(False, "--promote", help="Log the chosen candidate to MLflow "
                                 "and give it the champion alias through the gate."),
    progress: bool | None = progress_option(),
) -> None:
    """Search less discriminatory alternatives of a model that failed the gate; each is a
    model directory audited by the same gate. Exit 0 with a passing choice (or when no change
    is needed), 3 when none passes."""
    from ._progress import wanted
    from .fairness import DEFAULT_CANDIDATES
    from .fairness import mitigate as run_mitigate
    from .pipeline import write_mitigation_reports

    show = wanted(progress)  # one line per candidate, on stderr
    result = run_mitigate(model_dir, features_file, protected, out, attributes=attribute or None,
                          policy=policy, candidates=tuple(candidate or DEFAULT_CANDIDATES),
                          audit_rows=audit_rows,
                          say=lambda m: typer.echo(f"- {m}", err=True) if show else None)
    paths = write_mitigation_reports(result, out)
    typer.echo(result.summary())
    typer.echo(f"frontier: {out / 'frontier.json'}; report: {paths['fairness']['html']}")
    if result.chosen is None and not result.no_change:
        raise typer.Exit(3)
    if promote and result.chosen is not None:
        from .pipeline import track_model

        chosen = result.chosen
        done = track_model(chosen.model_dir, chosen.report_dir, paths["chosen"],
                           features=features_file)
        state = "now holds" if done.promoted else "was NOT given"
        typer.echo(f"{done.name} version {done.version} {state} the {done.alias} alias")
        if not done.promoted:
            raise typer.Exit(3)


@app.command()
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

    engine = _engine(engine, local="local")
    source, target = (_location(features_file, engine, "feature files"),
                      _location(out, engine, "outputs"))
    _spark_only(engine, master, write)
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


@app.command()
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
) -> None:
    """Write the subject's letter (HTML and Markdown): records, score, reasons, recourse.

    A flat-table model: the row's PD, score, tier and up to four reasons (Markdown, JSON).
    """
    from . import audit_log

    if not purpose.strip():
        _fail(audit_log.MSG_NO_PURPOSE.format(action="explain"), 2)
    if is_flat_model(model):
        explain_flat_row(record_dir, subject_id, model, purpose, out)
        return
    if as_of is None:
        _fail("--as-of DATE is required to explain a record-set model", 2)
    day = _parse_date(as_of, "--as-of")
    from ._progress import spinner, wanted
    from .explain import write_letter

    with spinner("writing the letter", wanted(progress)):
        result = write_letter(record_dir, subject_id, model, day, purpose, out)
    audit_log.append("explain", purpose=purpose, model_hash=result.model_hash,
                     input_fingerprint=audit_log.fingerprint(record_dir), n_subjects=1,
                     output=result.html)
    typer.echo(f"wrote {result.html} and {result.markdown}")


@app.command()
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


@app.command()
def demo(
    out: Path = typer.Option(Path("demo-out"), "--out", help="Directory for every output."),
    subjects: int = typer.Option(5_000, "--subjects", min=500, help="Synthetic subjects."),
    seed: int = typer.Option(7, "--seed", help="Random seed."),
    scenario: str = typer.Option("fair", "--scenario", help="Synthetic world scenario."),
    track: bool = typer.Option(True, "--track/--no-track", help="Log to MLflow."),
    progress: bool | None = progress_option(),
    pdf: bool = typer.Option(False, "--pdf", help="Also write every report as PDF."),
) -> None:
    """The whole pipeline on a fresh synthetic record set, ending with where each output is."""
    from ._progress import wanted
    from .pipeline import run_demo

    show = wanted(progress)  # the demo's progress is one line per step, on stderr
    result = run_demo(out, subjects, seed, scenario, track=track, pdf=pdf,
                      say=lambda m: typer.echo(f"- {m}", err=True) if show else None)
    typer.echo(f"demo finished in {result.seconds:.0f}s; outputs:")
    for line in result.lines():
        typer.echo(f"  {line}")
    if track:
        from .tracking import tracking_uri

        typer.echo(f"  tracking store  {tracking_uri()}  (run `mlflow ui` to browse)")


@app.command()
def retrain(
    record_dir: Path = typer.Argument(..., help="A record set with the new records."),
    target: str = typer.Option(..., "--target", help="default_12m or breach_12m."),
    as_of: list[str] = typer.Option(None, "--as-of", help="Observation dates (repeatable)."),
    out: Path = typer.Option(Path("retrain-out"), "--out", help="Output directory."),
    model: str = typer.Option("lgbm", "--model", help="lgbm or scorecard."),
    margin: float = typer.Option(0.01, "--margin", help="Largest AUC loss allowed."),
    policy: Path | None = typer.Option(None, "--policy", help="A gate policy YAML."),
    progress: bool | None = progress_option(),
) -> None:
    """Train a challenger on new records, audit it, promote it only if it passed and is
    not worse than the champion by more than --margin; write a drift report."""
    dates = [_parse_date(d, "--as-of") for d in as_of] if as_of else None
    from ._progress import spinner, wanted
    from .tracking import retrain as run_retrain

    with spinner("retraining", wanted(progress)):
        result = run_retrain(record_dir, target, as_of=dates, out_dir=out, model=model,
                             margin=margin, policy=policy)
    typer.echo(result.reason)
    if not result.promoted and not result.gate.passed:
        raise typer.Exit(3)


report_app = typer.Typer(help="Reports: PDF copies and model comparisons.",
                         no_args_is_help=True)
app.add_typer(report_app, name="report")


@report_app.command("pdf")
def report_pdf(
    report_dir: Path = typer.Argument(..., help="A folder of reports (searched recursively)."),
    progress: bool | None = progress_option(),
) -> None:
    """Write X.pdf beside every creditscore X.html report: page numbers, model hash."""
    from ._progress import spinner, wanted
    from .reports import pdf_dir

    try:
        with spinner("writing PDFs", wanted(progress)):
            written = pdf_dir(report_dir)
    except RuntimeError as exc:  # no renderer on this machine
        _fail(str(exc), 2)
    for path in written:
        typer.echo(f"wrote {path}")


@report_app.command("compare")
def report_compare(
    model_a: Path = typer.Argument(..., help="The first model directory (e.g. the champion)."),
    model_b: Path = typer.Argument(..., help="The second (e.g. the challenger)."),
    out: Path = typer.Option(Path("."), "--out", help="Directory for comparison.html/.md."),
    audit_a: Path | None = typer.Option(None, "--audit-a", help="A's audit (MODEL_A/audit)."),
    audit_b: Path | None = typer.Option(None, "--audit-b", help="B's audit (MODEL_B/audit)."),
    pdf: bool = typer.Option(False, "--pdf", help="Also write the page as PDF."),
    progress: bool | None = progress_option(),
) -> None:
    """Two models side by side: AUC, calibration, flag rates by group, verdict."""
    from ._progress import spinner, wanted
    from .reports import ModelComparison

    try:
        with spinner("comparing the models", wanted(progress)):
            page = ModelComparison.from_model_dirs(model_a, model_b, audit_a=audit_a,
                                                   audit_b=audit_b)
            paths = page.write(out, pdf=pdf)
    except RuntimeError as exc:
        _fail(str(exc), 2)
    typer.echo("wrote " + ", ".join(str(p) for p in paths.values()))


log_app = typer.Typer(help="The append-only audit log.", no_args_is_help=True)
app.add_typer(log_app, name="log")


@log_app.command("verify")
def log_verify(
    log: Path | None = typer.Argument(None, help="The log (default: $CREDITSCORE_AUDIT_LOG)."),
) -> None:
    """Check the audit log's hash chain: exit 0 if intact, 3 if changed or cut."""
    from . import audit_log

    result = audit_log.verify(log)
    if not result.ok:
        _fail(f"audit log tampered: {result.problem}", 3)
    typer.echo(f"{audit_log.log_path(log)}: intact ({result.n_entries} entries)")
    if result.note:
        typer.echo(f"  note: {result.note}")


def _is_click_error(exc: BaseException) -> bool:
    # Typer vendors click; match its exceptions by shape, not by import path.
    return hasattr(exc, "show") and isinstance(getattr(exc, "exit_code", None), int)


def main() -> None:
    """Entry point: run the app, turning package errors into exit codes."""
    try:
        code = app(standalone_mode=False)
    except CreditscoreError as exc:
        typer.echo(f"creditscore: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as exc:
        typer.echo(f"creditscore: error: {exc.filename}: {exc.strerror}", err=True)
        sys.exit(2)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("creditscore: aborted", err=True)
        sys.exit(130)
    except Exception as exc:
        if not _is_click_error(exc):
            raise
        exc.show()
        sys.exit(2 if exc.exit_code in (1, 2) else exc.exit_code)
    sys.exit(code if isinstance(code, int) else 0)
