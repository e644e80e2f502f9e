"""Entity models (guide: entities): tiers as supervision intensity, and what they are for.

An entity model is one whose inputs are entity features (``ent_`` names,
``creditscore.features._entity_defs``). Its tiers A-D keep the bands of
:class:`RiskTiers`; they are worded as how closely a supervisor looks at the
entity, never as a sanction.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["SUPERVISION", "ENTITY_TIER_MAY", "ENTITY_TIER_MAY_NOT", "is_entity_model",
           "ENTITY_TARGETS", "supervision"]

#: tier -> supervision intensity
SUPERVISION = {
    "A": "routine supervision",
    "B": "attention",
    "C": "focused supervision",
    "D": "priority review",
}
ENTITY_TARGETS = ("entity_breach_12m",)
ENTITY_TIER_MAY = (
    "Deciding how often and how closely a supervisor reviews an entity's social insurance "
    "and tax compliance (classified supervision).",
    "Choosing which employers to contact first with support or guidance, before "
    "contributions owed for employees fall further behind.",
)
ENTITY_TIER_MAY_NOT = (
    "A penalty, a fine, a listing or any sanction: a tier is advice for a human review, "
    "which decides on the facts of the case.",
    "Refusing a licence, a permit, a public contract or credit.",
    "Any measure against the entity's owners, managers or employees.",
)


def is_entity_model(feature_names: Iterable[str] | None, target: str | None = None) -> bool:
    """Whether a model scores entities: an entity target, or entity feature inputs."""
    if target in ENTITY_TARGETS:
        return True
    return any(str(n).startswith("ent_") for n in feature_names or ())


def supervision(tier: str) -> str:
    """The supervision intensity of a tier ("priority review" for D)."""
    return SUPERVISION.get(str(tier), str(tier))
