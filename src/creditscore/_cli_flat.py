"""The command line's flat-table glue: which path a table takes, and ``audit-scores``.

Kept beside ``cli`` so the command module stays small; ``cli`` registers
``audit_scores_command`` as ``creditscore audit-scores``.
"""

from __future__ import annotations

from pathlib import Path

import typer

__all__ = ["FLAT_ONLY", "FLAT_RULE", "flat_train_options_used", "table_columns",
           "train_flat_table", "is_flat_model", "audit_scores_command", "explain_flat_row"]


FLAT_ONLY = ("--positive", "--id", "--protected", "--drop", "--features", "--folds", "--repeats")
FLAT_RULE = ("TABLE is read as a creditscore feature table when --target is default_12m or "
             "breach_12m and it has the columns subject_id and as_of; any other CSV or "
             "Parquet table is a flat table")


def flat_train_options_used(values: dict) -> list[str]:
    return [flag for flag, v in zip(FLAT_ONLY, values.values(), strict=True) if v]


def table_columns(path: Path) -> list[str] | None:
    """The column names of a CSV or Parquet file without reading its rows (None: unreadable,
    and the trainer of the path the target points to says why)."""
    import pandas as pd
    import pyarrow.parquet as pq

    try:
        if path.suffix.lower() in (".csv", ".txt", ".tsv"):
            sep = "\t" if path.suffix.lower() == ".tsv" else ","
            return list(pd.read_csv(path, nrows=0, sep=sep).columns)
        return list(pq.read_schema(path).names)
    except Exception:  # noqa: BLE001 - pyarrow and pandas raise many types for a bad file
        return None


def train_flat_table(table, target, model, out, seed, positive, id_column, protected, drop,
                features_yaml, folds, repeats):
    import warnings

    from .models import FlatTableWarning, train_flat
    from .models._flat_train import DEFAULT_FOLDS, DEFAULT_REPEATS

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FlatTableWarning)
        result = train_flat(table, target, model, out, positive=positive, id_column=id_column,
                            protected=protected or (), exclude=drop or (),
                            features_yaml=features_yaml, folds=folds or DEFAULT_FOLDS,
                            repeats=repeats or DEFAULT_REPEATS, seed=seed)
    for w in caught:
        if issubclass(w.category, FlatTableWarning):
            typer.echo(f"creditscore: warning: {w.message}", err=True)
    return result


def is_flat_model(model_dir: Path) -> bool:
    import json

    try:
        info = json.loads((model_dir / "model.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(info, dict) and info.get("table") == "flat"


def audit_scores_command(
    scores: Path = typer.Argument(..., help="A CSV or Parquet file: one row per person."),
    score: str = typer.Option(..., "--score", help="The score (or PD) column."),
    label: str = typer.Option(..., "--label", help="The observed outcome column (0/1)."),
    protected: list[str] = typer.Option(..., "--protected", help="A protected column "
                                        "(repeatable)."),
    out: Path = typer.Option(..., "--out", help="Report directory."),
    riskier: str = typer.Option("high", "--riskier", help="high (a PD) or low (points)."),
    flag_share: float | None = typer.Option(None, "--flag-share", help="Flag this riskiest "
                                            "share of rows (default 0.2)."),
    threshold: float | None = typer.Option(None, "--threshold", help="Flag rows at or beyond "
                                           "this score."),
    positive: str | None = typer.Option(None, "--positive", help="The outcome value that is "
                                        "the event, for a text outcome."),
    id_column: str | None = typer.Option(None, "--id", help="The person id column."),
    bands: list[str] = typer.Option(None, "--bands", help="COLUMN=CUT,CUT,... bands."),
    split: list[str] = typer.Option(None, "--split", help="COLUMN=ATTR,ATTR or a YAML file."),
    policy: Path | None = typer.Option(None, "--policy", help="A gate policy YAML."),
) -> None:
    """Audit scores made by any model; exit 0 if the gate passed, 3 if it failed."""
    from .fairness import audit_scores as run
    from .fairness import parse_bands, read_split
    from .reports import FairnessReport

    result = run(scores, score=score, label=label, protected=protected, out_dir=out,
                 riskier=riskier, flag_share=flag_share, threshold=threshold,
                 positive=positive, id_column=id_column, bands=parse_bands(bands),
                 split=read_split(split), policy=policy)
    FairnessReport.from_audit_dir(out).write(out)
    verdict = "PASSED" if result.passed else "FAILED"
    typer.echo(f"fairness gate {verdict}: {result.audit.reason} -> {out / 'audit.json'}")
    if not result.passed:
        raise typer.Exit(3)


def explain_flat_row(table, row_id: str, model: Path, purpose: str, out: Path) -> None:
    """``creditscore explain TABLE ROW_ID --model FLAT_MODEL``: reasons, logged."""
    from . import audit_log
    from .explain import explain_flat

    result = explain_flat(model, table, [row_id])
    paths = result.write(out, stem=f"row-{row_id}")
    audit_log.append("explain", purpose=purpose, model_hash=result.model_hash,
                     input_fingerprint=audit_log.fingerprint(table), n_subjects=1,
                     output=paths["markdown"])
    for line in result.rows[0]["reasons"]:
        typer.echo(f"- {line}")
    typer.echo(f"wrote {paths['markdown']} and {paths['json']}")
