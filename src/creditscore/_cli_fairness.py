"""The fairness commands: ``audit`` (the pre-use audit and its gate) and ``mitigate``.

Plain functions; ``cli`` registers them on the app (``audit-scores`` lives in
``_cli_flat``). Exit 3 when the gate refuses.
"""

from __future__ import annotations

from pathlib import Path

import typer

from ._cli_common import fail, progress_option
from ._cli_flat import is_flat_model
from ._cli_records import kind_option

__all__ = ["audit", "mitigate"]


def _entity_model_or_exit(model_dir, kind: str) -> None:
    """Exit 2 when ``--kind entity`` names a model that does not score entities."""
    if kind == "entity" and not is_flat_model(model_dir):
        from .fairness._entity import policy_for_model

        if policy_for_model(model_dir) is None:
            fail(f"{model_dir}: not an entity model (trained with --kind entity)", 2)


def _audit_any(model_dir, features_file, protected, out, policy, bands, split, seed):
    """The audit of a flat-table model (its table) or of a record-set model (its feature
    table and protected table)."""
    if is_flat_model(model_dir):
        from .fairness import audit_flat_model, parse_bands, read_split

        return audit_flat_model(model_dir, features_file, out, policy, protected=protected,
                                bands=parse_bands(bands), split=read_split(split),
                                random_state=seed)
    if bands or split:
        fail("--bands and --split apply to flat-table models only", 2)
    if not protected or len(protected) != 1:
        fail("--protected FILE: give the protected table (one Parquet file)", 2)
    from .fairness import audit_model
    from .fairness._entity import policy_for_model

    # an entity model is audited across the entities table's attributes (guide: entities)
    return audit_model(model_dir, features_file, Path(protected[0]), out,
                       policy_for_model(model_dir, policy), random_state=seed)


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
    kind: str = kind_option(),
    strict: bool = typer.Option(False, "--strict", help="Exit 2 instead of warning when the "
                                "rows include the model's fit or tuning rows or rows whose "
                                "outcome windows overlap them."),
    seed: int = typer.Option(0, "--seed", help="Seed of the audit's resampling and "
                             "cross-fitting, recorded in audit.json (same seed, same file)."),
) -> None:
    """Pre-use fairness audit; exit 0 if the gate passed, 3 if it failed.

    An entity model (``--kind entity``; the guide (entities)) is audited across the attributes
    of the entities table (``--protected RECORD_DIR/entities.parquet``).
    """
    from ._progress import spinner, wanted
    from .pipeline import track_model, write_model_reports

    _entity_model_or_exit(model_dir, kind)

    touched = None
    if not is_flat_model(model_dir):
        from ._cli_validation import warn_touched

        touched = warn_touched(model_dir, features_file, strict)
    with spinner("auditing", wanted(progress)):
        result = _audit_any(model_dir, features_file, protected, out, policy, bands, split, seed)
        if not is_flat_model(model_dir):  # the card's validation section, from these rows
            from ._cli_validation import record_validation

            record_validation(model_dir, features_file)
        paths = write_model_reports(model_dir, out, pdf=pdf)
    if track:
        example = None if is_flat_model(model_dir) else features_file
        track_model(model_dir, out, paths, features=example)
    if touched:
        typer.echo(f"creditscore: warning: {touched}", err=True)
    verdict = "PASSED" if result.passed else "FAILED"
    typer.echo(f"fairness gate {verdict}: {result.reason} -> {out / 'audit.json'}")
    if not result.passed:
        raise typer.Exit(3)


def _mitigate_any(model_dir, table, protected, out, attribute, candidate, audit_rows, policy,
                  bands, split, say):
    """The search of a flat-table model (its table, protected columns) or of a record-set
    model (its feature table and protected table)."""
    if is_flat_model(model_dir):
        from .fairness import FLAT_CANDIDATES, mitigate_flat, parse_bands, read_split

        if audit_rows is not None:
            fail("--audit-rows applies to record-set models; a flat model is audited on its "
                 "table", 2)
        cols = [c.strip() for p in protected or () for c in str(p).split(",") if c.strip()]
        return mitigate_flat(model_dir, table, out, protected=cols or None,
                             bands=parse_bands(bands), split=read_split(split),
                             attributes=attribute or None, policy=policy,
                             candidates=tuple(candidate or FLAT_CANDIDATES), say=say)
    if bands or split:
        fail("--bands and --split apply to flat-table models only", 2)
    if not protected or len(protected) != 1:
        fail("--protected FILE: give the protected table (one Parquet file)", 2)
    from .fairness import DEFAULT_CANDIDATES
    from .fairness import mitigate as run_mitigate
    from .fairness._entity import policy_for_model

    # an entity model's candidates are audited as it was (guide: entities)
    return run_mitigate(model_dir, table, Path(protected[0]), out, attributes=attribute or None,
                        policy=policy_for_model(model_dir, policy),
                        candidates=tuple(candidate or DEFAULT_CANDIDATES),
                        audit_rows=audit_rows, say=say)


def mitigate(
    model_dir: Path = typer.Argument(..., help="The model directory that failed the gate."),
    features_file: Path = typer.Argument(..., metavar="TABLE",
                                         help="The feature table it was trained on, or the "
                                         "flat table of a flat model."),
    protected: list[str] = typer.Option(None, "--protected", help="The protected table "
                                        "(Parquet); flat models: protected columns (COL,COL "
                                        "or repeated; default: those named at training)."),
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
    bands: list[str] = typer.Option(None, "--bands", help="Flat: COLUMN=CUT,CUT,... bands of "
                                    "a numeric protected column (e.g. age_in_years=25,35,50)."),
    split: list[str] = typer.Option(None, "--split", help="Flat: split a text protected "
                                    "column: COLUMN=ATTR,ATTR (parts at ':') or a YAML mapping."),
    progress: bool | None = progress_option(),
    kind: str = kind_option(),
) -> None:
    """Search less discriminatory alternatives of a model that failed the gate; each is a
    model directory audited by the same gate. Exit 0 with a passing choice (or when no change
    is needed), 3 when none passes.

    An entity model (``--kind entity``; the guide (entities)): ``--protected
    RECORD_DIR/entities.parquet``, audited under the entity policy unless --policy is given.
    """
    from ._progress import wanted
    from .pipeline import write_mitigation_reports

    _entity_model_or_exit(model_dir, kind)

    show = wanted(progress)  # one line per candidate, on stderr
    result = _mitigate_any(model_dir, features_file, protected, out, attribute, candidate,
                           audit_rows, policy, bands, split,
                           lambda m: typer.echo(f"- {m}", err=True) if show else None)
    paths = write_mitigation_reports(result, out)
    typer.echo(result.summary())
    typer.echo(f"frontier: {out / 'frontier.json'}; report: {paths['fairness']['html']}")
    if result.chosen is None and not result.no_change:
        raise typer.Exit(3)
    if promote and result.chosen is not None:
        from .pipeline import track_model

        chosen = result.chosen
        example = None if is_flat_model(model_dir) else features_file
        done = track_model(chosen.model_dir, chosen.report_dir, paths["chosen"],
                           features=example)
        state = "now holds" if done.promoted else "was NOT given"
        typer.echo(f"{done.name} version {done.version} {state} the {done.alias} alias")
        if not done.promoted:
            raise typer.Exit(3)
