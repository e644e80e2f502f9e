"""Declarative feature definitions.

A feature is one small definition: a name, a plain-language description, a
reason text used to explain a score, a monotone direction where it has one,
and the source table. The engine-neutral expression that computes it lives in
the per-source modules; this module holds only the metadata shape, which the
models (monotone constraints) and explanations (reason texts) read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FeatureDef"]


@dataclass(frozen=True)
class FeatureDef:
    """One model feature.

    Parameters
    ----------
    name : str
        Column name in the feature table, e.g. ``si_late30_count_12m``.
    description : str
        Plain language, e.g. "Social insurance contributions paid more than
        30 days late in the last 12 months".
    source : str
        The contract table it is computed from.
    direction : {1, -1, 0}
        +1: a higher value means higher risk; -1: lower risk; 0: no monotone
        constraint.
    reason : str
        A sentence template for reason codes, formatted with ``value``:
        "{value:.0f} social insurance contributions paid more than 30 days
        late in the last 12 months". Never a column name.
    actionable : bool, default=False
        Whether the subject can change it now (recourse).
    build : callable, optional
        Engine-neutral builder of the expression (see the engine).
    """

    name: str
    description: str
    source: str
    direction: int
    reason: str
    actionable: bool = False
    build: Callable[..., Any] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        if self.direction not in (-1, 0, 1):
            raise ValueError(f"feature {self.name}: direction must be -1, 0 or 1")

    def reason_text(self, value: float) -> str:
        """The reason sentence for this subject's own value."""
        return self.reason.format(value=value)
