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
        Engine-neutral builder of the expression (see the engine and
        ``kind``).
    kind : {"aggregate", "table", "derived"}, default="aggregate"
        How the engine uses ``build``. ``"aggregate"``: ``build(v)`` returns
        a reduction over ``v``, the rows of ``source`` visible at t (one
        group per subject and t). ``"table"``: ``build(v)`` returns a table
        keyed by ``subject_id`` and ``as_of`` holding a column named after
        the feature (features sharing one ``build`` share one table).
        ``"derived"``: ``build(w)`` returns a column expression over ``w``,
        the table of the other features.
    fill : float, optional
        The value for a subject with nothing to aggregate (a count: 0).
        None leaves it missing (a share with no denominator, "months since"
        with no event).
    dtype : {"float64", "int64"}, default="float64"
        Output type.
    relation : str, default=""
        The visible relation ``build`` reads when it is not the rows of
        ``source`` themselves, e.g. ``"contribution_months"`` (one row per
        month with contributions); see ``_relations.visible_relations``.
    """

    name: str
    description: str
    source: str
    direction: int
    reason: str
    actionable: bool = False
    build: Callable[..., Any] | None = field(default=None, compare=False, repr=False)
    kind: str = "aggregate"
    fill: float | None = None
    dtype: str = "float64"
    relation: str = ""

    def __post_init__(self):
        if self.direction not in (-1, 0, 1):
            raise ValueError(f"feature {self.name}: direction must be -1, 0 or 1")
        if self.kind not in ("aggregate", "table", "derived"):
            raise ValueError(f"feature {self.name}: kind must be aggregate, table or derived")
        if self.dtype not in ("float64", "int64"):
            raise ValueError(f"feature {self.name}: dtype must be float64 or int64")

    @property
    def reads(self) -> str:
        """The visible relation the engine hands to ``build``."""
        return self.relation or self.source

    def reason_text(self, value: float) -> str:
        """The reason sentence for this subject's own value (see ``creditscore._grammar``:
        ``{s}`` and verbs such as ``{were}`` agree with the value as printed)."""
        from .._grammar import format_count_template

        return format_count_template(self.reason, value)
