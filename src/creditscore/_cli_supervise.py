"""The command that draws a risk-classified random inspection plan: ``supervise``.

A plain function; ``cli`` registers it on the app after ``explain``.
"""

from __future__ import annotations

from pathlib import Path

import typer

from ._cli_common import parse_date

__all__ = ["supervise"]


def supervise(
    scores: Path = typer.Argument(..., metavar="SCORES", help="Scores of an entity model "
                                  "(`creditscore score` output)."),
    model: Path = typer.Option(..., "--model", help="The audited entity model that wrote them."),
    plan: Path = typer.Option(..., "--plan", help="PLAN.yaml: sampling ratio per tier, or "
                              "capacity and weights; inspectors; seed; purpose."),
    out: Path = typer.Option(..., "--out", help="Output directory (list, public summary)."),
    seed: int | None = typer.Option(None, "--seed", min=0, help="Overrides the plan's seed."),
    records: Path | None = typer.Option(None, "--records", help="Record set (or its entities "
                                        "file) for ownership and size band; overrides the "
                                        "plan's records."),
    purpose: str | None = typer.Option(None, "--purpose", help="Overrides the plan's purpose "
                                       "(written to the audit log)."),
    as_of: str | None = typer.Option(None, "--as-of", help="The scores' date to draw from "
                                     "(default: the latest in SCORES)."),
) -> None:
    """Draw entities to inspect at random, the ratio rising with the tier; assign inspectors.

    Refused with exit 3 unless MODEL holds a passed audit of itself and wrote SCORES;
    exit 2 for person scores (persons are never drawn) and for a bad plan.
    """
    from .supervision import supervise as draw

    day = parse_date(as_of, "--as-of") if as_of else None
    result = draw(scores, model, plan, out, seed=seed, records=records, purpose=purpose,
                  as_of=day)
    tiers = ", ".join(f"{t}: {int((result.drawn['tier'] == t).sum())}" for t in "ABCD")
    typer.echo(f"drew {len(result.drawn)} of {len(result.frame)} entities ({tiers}), seed "
               f"{result.seed} -> {out}/inspections.csv, public summary {out}/summary.html")
