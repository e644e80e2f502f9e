"""The commands of the whole pipeline and its upkeep: ``demo``, ``retrain``, the ``report``
group (PDF copies, model comparisons) and the ``log`` group (the audit log's chain).

``demo`` and ``retrain`` are plain functions ``cli`` registers; ``report_app`` and
``log_app`` are the two sub-apps it adds.
"""

from __future__ import annotations

from pathlib import Path

import typer

from ._cli_common import fail, parse_date, progress_option
from ._cli_records import kind_option

__all__ = ["demo", "retrain", "serve", "report_app", "log_app"]


def demo(
    out: Path = typer.Option(Path("demo-out"), "--out", help="Directory for every output."),
    subjects: int = typer.Option(5_000, "--subjects", min=500, help="Synthetic subjects."),
    seed: int = typer.Option(7, "--seed", help="Random seed."),
    scenario: str = typer.Option("fair", "--scenario", help="Synthetic world scenario."),
    track: bool = typer.Option(True, "--track/--no-track", help="Log to MLflow."),
    progress: bool | None = progress_option(),
    pdf: bool = typer.Option(False, "--pdf", help="Also write every report as PDF."),
    entities: int = typer.Option(0, "--entities", min=0, help="Also employers as entity "
                                 "subjects, scored for supervision."),
) -> None:
    """The whole pipeline on a fresh synthetic record set, ending with where each output is."""
    from ._progress import wanted
    from .pipeline import run_demo

    show = wanted(progress)  # the demo's progress is one line per step, on stderr
    result = run_demo(out, subjects, seed, scenario, track=track, pdf=pdf, entities=entities,
                      say=lambda m: typer.echo(f"- {m}", err=True) if show else None)
    typer.echo(f"demo finished in {result.seconds:.0f}s; outputs:")
    for line in result.lines():
        typer.echo(f"  {line}")
    if track:
        uri = result.outputs["tracking store"]
        typer.echo(f"  (browse the runs with `mlflow ui --backend-store-uri {uri}`)")


def retrain(
    record_dir: Path = typer.Argument(..., help="A record set with the new records."),
    target: str = typer.Option(..., "--target", help="default_12m or breach_12m (entities: "
                               "entity_breach_12m or default_12m)."),
    as_of: list[str] = typer.Option(None, "--as-of", help="Observation dates (repeatable)."),
    out: Path = typer.Option(Path("retrain-out"), "--out", help="Output directory."),
    model: str = typer.Option("lgbm", "--model", help="lgbm or scorecard."),
    margin: float = typer.Option(0.005, "--margin", help="The out-of-time AUC a challenger "
                                 "must gain over the champion (ties keep the champion)."),
    policy: Path | None = typer.Option(None, "--policy", help="A gate policy YAML."),
    progress: bool | None = progress_option(),
    kind: str = kind_option(),
) -> None:
    """Train a challenger on new records, audit it, promote it only if it passed and beats
    the champion's out-of-time AUC by more than --margin (ties keep the champion); write a
    drift report."""
    dates = [parse_date(d, "--as-of") for d in as_of] if as_of else None
    from ._progress import spinner, wanted
    from .tracking import retrain as run_retrain

    with spinner("retraining", wanted(progress)):
        result = run_retrain(record_dir, target, as_of=dates, out_dir=out, model=model,
                             margin=margin, policy=policy, kind=kind)
    typer.echo(result.reason)
    if not result.promoted and not result.gate.passed:
        raise typer.Exit(3)


def serve(
    model: str = typer.Argument(..., help="A target (default_12m: its champion) or a "
                                "models:/ URI."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(5000, "--port", help="Port to listen on."),
) -> None:
    """Serve a registered model's PD over HTTP (MLflow's scoring server), only if it passed
    its fairness audit: a refused model exits 3 with one line, before a server starts."""
    from .tracking._serve import serve_model

    raise typer.Exit(serve_model(model, host=host, port=port))


report_app = typer.Typer(help="Reports: PDF copies and model comparisons.",
                         no_args_is_help=True)


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
        fail(str(exc), 2)
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
        fail(str(exc), 2)
    typer.echo("wrote " + ", ".join(str(p) for p in paths.values()))


log_app = typer.Typer(help="The append-only audit log.", no_args_is_help=True)


@log_app.command("verify")
def log_verify(
    log: Path | None = typer.Argument(None, help="The log (default: $CREDITSCORE_AUDIT_LOG)."),
) -> None:
    """Check the audit log's hash chain: exit 0 if intact, 3 if changed or cut."""
    from . import audit_log

    result = audit_log.verify(log)
    if not result.ok:
        fail(f"audit log tampered: {result.problem}", 3)
    typer.echo(f"{audit_log.log_path(log)}: intact ({result.n_entries} entries)")
    if result.note:
        typer.echo(f"  note: {result.note}")
