"""Supervision of employers: risk-classified random inspection (guide: entities).

A supervising agency draws the entities it inspects at random, with a sampling ratio
that rises with the entity's risk tier, and draws the inspectors at random too ("double
random"); the draw and its results are public. :func:`supervise` makes such a draw from
an audited entity model's scores: stratified by tier without replacement, inspectors
assigned at random within their capacity and conflicts, reproducible from the seed by a
published algorithm (``_draw``), logged in the audit log with its purpose. It writes the
list and a public summary without entity ids: drawn per tier, the expected yield, and a
disparity check across ownership and size band. Persons are never drawn, and no tier
is a sanction by itself.
"""

from ._draw import assign_inspectors, draw_entities, tier_counts, tier_targets
from ._plan import InspectionPlan, Inspector, parse_plan, read_plan
from ._result import InspectionDraw
from ._run import supervise

__all__ = ["supervise", "InspectionDraw", "InspectionPlan", "Inspector", "read_plan",
           "parse_plan", "tier_targets", "tier_counts", "draw_entities", "assign_inspectors"]
