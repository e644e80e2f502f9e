"""The result of a draw: the list (not public) and the public summary (no entity id)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from ._draw import __doc__ as _ALGORITHM
from ._measures import disparity, expected_yield, tier_table
from ._plan import InspectionPlan

__all__ = ["InspectionDraw", "LIST_COLUMNS", "FORMAT"]

LIST_COLUMNS = ("subject_id", "tier", "pd", "inspector")
FORMAT = "creditscore-supervision/1"


def _steps() -> list[str]:
    """The numbered rules of the published algorithm (``_draw``'s docstring), one a line."""
    text = _ALGORITHM.split("\n\n", 2)[-1]
    steps, current = [], []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped[:2] in {f"{i}." for i in range(1, 10)} and current:
            steps.append(" ".join(current))
            current = []
        if stripped:
            current.append(stripped)
    if current:
        steps.append(" ".join(current))
    return [s.replace("**", "").replace("``", "") for s in steps]


@dataclass(frozen=True)
class InspectionDraw:
    """A drawn inspection plan.

    Attributes
    ----------
    frame : DataFrame
        Every entity of the frame: ``subject_id``, ``tier``, ``pd``, its ``entities``
        columns, ``pi`` (inclusion probability) and ``drawn``.
    drawn : DataFrame
        The drawn entities with their ``inspector`` (None without inspectors).
    """

    plan: InspectionPlan
    seed: int
    purpose: str
    as_of: dt.date
    frame: object
    drawn: object
    targets: dict
    min_group_size: int
    inputs: dict
    model: dict
    created: str = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc).isoformat(
        timespec="seconds"))

    def to_frame(self):
        """The list: one row per drawn entity (``subject_id``, tier, pd, inspector)."""
        return self.drawn[list(LIST_COLUMNS)].reset_index(drop=True)

    def to_dict(self) -> dict:
        """The public summary: counts, ratios, yield, disparity, seed, fingerprints."""
        import numpy as np
        import pandas as pd

        return {
            "format": FORMAT, "created": self.created, "purpose": self.purpose,
            "seed": self.seed, "as_of": self.as_of.isoformat(),
            "frame": int(len(self.frame)), "drawn": int(len(self.drawn)),
            "model": self.model, "inputs": self.inputs, "plan": self.plan.public(),
            "tiers": tier_table(self.frame, self.targets),
            "yield": expected_yield(self.frame),
            "disparity": disparity(self.frame, self.plan.attributes, self.min_group_size,
                                   self.plan.threshold),
            "algorithm": {"module": "creditscore.supervision._draw", "steps": _steps(),
                          "creditscore": _version(), "numpy": np.__version__,
                          "pandas": pd.__version__},
        }

    def document(self):
        """The public summary as a report document."""
        from ._public import summary_document

        return summary_document(self.to_dict())

    def write(self, out_dir) -> dict[str, Path]:
        """Write the list and the public summary into ``out_dir`` (each file atomically)."""
        from .._atomic import atomic_file, write_text_atomic
        from ..reports import write_document

        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        listing = self.to_frame()
        paths = {"list_csv": out_dir / "inspections.csv",
                 "list_parquet": out_dir / "inspections.parquet"}
        with atomic_file(paths["list_csv"]) as tmp:
            listing.to_csv(tmp, index=False)
        with atomic_file(paths["list_parquet"]) as tmp:
            listing.to_parquet(tmp, index=False)
        summary = self.to_dict()
        paths["json"] = write_text_atomic(out_dir / "summary.json",
                                          json.dumps(summary, indent=2) + "\n")
        docs = write_document(self.document(), out_dir, "summary")
        return {**paths, "html": docs["html"], "md": docs["md"]}


def _version() -> str:
    from .. import __version__

    return __version__
