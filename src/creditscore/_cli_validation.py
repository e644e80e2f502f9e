"""The validation command: ``backtest`` (shared/spec/cli.md).

A plain function; ``cli`` registers it on the app. Exit 0 when the report is
written (whatever its light), 2 on bad input.
"""

from __future__ import annotations

from pathlib import Path

import typer

from ._cli_common import progress_option

__all__ = ["backtest", "warn_touched", "record_validation"]


def warn_touched(model_dir: Path, features_file: Path, strict: bool) -> str | None:
    """The warning to print once the command succeeded (``--strict``: exit 2 now) when
    the rows of ``features_file`` include the model's fit or tuning rows, or rows whose
    outcome windows overlap them; None when there are none."""
    from ._cli_common import fail
    from .models._backtest import touched_rows

    message = touched_rows(model_dir, features_file)
    if message is not None and strict:
        fail(f"{message}; --strict refuses them", 2)
    return message


def record_validation(model_dir: Path, features_file: Path) -> bool:
    """Measure the model on the validation rows among ``features_file`` (if any) and
    record them in ``MODEL_DIR/audit/validation.json`` for the model card; what
    ``audit`` does with its own rows. False when they hold no validation row."""
    from ._errors import InputError
    from .models import backtest as run_backtest
    from .reports import record_validation as record

    try:
        result = run_backtest(model_dir, features_file)
    except InputError:  # no validation rows (or no recorded samples): nothing to record
        return False
    record(result, model_dir)
    return True


def backtest(
    model_dir: Path = typer.Argument(..., help="A model directory (creditscore train)."),
    features_file: Path = typer.Argument(..., metavar="FEATURES.parquet",
                                         help="A feature table; its rows after the model's "
                                         "samples (one label horizon later) are validated."),
    out: Path = typer.Option(..., "--out", help="Report directory: validation.json, .html, "
                             ".md, .pdf."),
    policy: Path | None = typer.Option(None, "--policy", help="A calibration-light policy "
                                       "YAML (default: the shipped backtest_policy.yaml)."),
    strict: bool = typer.Option(False, "--strict", help="Exit 2 instead of warning when "
                                "FEATURES holds development rows or rows whose outcome "
                                "windows overlap them."),
    progress: bool | None = progress_option(),
) -> None:
    """The validation report of a model on rows it never saw in development.

    Per validation date and pooled: AUC (subject-clustered interval, change from
    development), Gini, KS, Brier, calibration-in-the-large (binomial), Hosmer-Lemeshow,
    the per-tier Jeffreys table and the green/amber/red calibration light, tier migration,
    Herfindahl, PSI of the score and features against the development sample.
    """
    from ._progress import spinner, wanted
    from .models._backtest import backtest as run_backtest
    from .reports import write_validation

    with spinner("back-testing", wanted(progress)):
        result = run_backtest(model_dir, features_file, policy=policy, strict=strict)
        written = write_validation(result, out, model_dir)
    for warning in result.warnings:
        typer.echo(f"creditscore: warning: {warning}", err=True)
    if written["pdf_skipped"]:
        typer.echo(f"creditscore: {written['pdf_skipped']}", err=True)
    typer.echo(f"{result.summary()} -> {out / 'validation.json'}")
