"""The command line (guide: cli): the app, its commands in order, the entry point.

Thin: parse, call one function per command, map errors to exit codes
(2: bad input or usage, 3: refused by policy). The commands live by group in
``_cli_records`` (record sets, features), ``_cli_models`` (train, run, score,
explain), ``_cli_supervise`` (supervise), ``_cli_fairness`` (audit, mitigate),
``_cli_flat`` (audit-scores), ``_cli_validation`` (backtest) and ``_cli_tracking`` (demo,
retrain, report, log); what they share is in ``_cli_common``. Heavy libraries are imported
inside the commands so that ``creditscore --help`` starts fast.
"""

from __future__ import annotations

import sys

import typer

from ._cli_fairness import audit, mitigate
from ._cli_flat import audit_scores_command
from ._cli_models import explain, run, score, train
from ._cli_records import features, import_taiwan, layout, list_features, synth, validate
from ._cli_supervise import supervise
from ._cli_tracking import demo, log_app, report_app, retrain, serve
from ._cli_validation import backtest
from ._errors import CreditscoreError

__all__ = ["app", "main"]

app = typer.Typer(
    name="creditscore",
    help="Credit scoring under the rule of law: records, features, models, fairness gate.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

def _print_version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"creditscore {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                 help="Print the package version and exit."),
) -> None:
    """Credit scoring under the rule of law: records, features, models, fairness gate."""


# the order of `creditscore --help`
app.command()(synth)
app.command("import-taiwan")(import_taiwan)
app.command()(validate)
app.command()(features)
app.command("list-features")(list_features)
app.command()(layout)
app.command()(train)
app.command()(audit)
app.command("audit-scores")(audit_scores_command)
app.command()(backtest)
app.command()(mitigate)
app.command()(score)
app.command()(explain)
app.command()(supervise)
app.command()(run)
app.command()(demo)
app.command()(retrain)
app.command()(serve)
app.add_typer(report_app, name="report")
app.add_typer(log_app, name="log")


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
