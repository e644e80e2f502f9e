"""The model card's section for entity models (guide: entities): tiers as supervision
intensity, what an entity tier may and may not be used for, and how entities are audited."""

from __future__ import annotations

from ._document import BulletList, Paragraph, Section, Table
from ._modelinfo import ModelInfo

__all__ = ["entity_use"]



def entity_use(info: ModelInfo) -> Section | None:
    """The section, or None for a model of persons."""
    from ..models._entity_tiers import (
        ENTITY_TIER_MAY,
        ENTITY_TIER_MAY_NOT,
        is_entity_model,
        supervision,
    )
    from ._card_sections import _tier_rows

    if not is_entity_model(info.feature_names, info.target):
        return None
    rows = [[tier, band, supervision(tier)] for tier, band in _tier_rows(info.tiers)]
    return Section("Entity tiers: supervision intensity", [
        Paragraph("This model scores market entities (employers), not persons. Its tiers say "
                  "how closely a supervisor looks at an entity; they are never a sanction."),
        Table(["Tier", "PD band", "Supervision"], rows, caption="Tiers of an entity model"),
        Paragraph("What an entity tier may be used for:"),
        BulletList(ENTITY_TIER_MAY),
        Paragraph("What it may not be used for:"),
        BulletList(ENTITY_TIER_MAY_NOT),
        Paragraph("The audit compares ownership types, size bands, regions and ownership x "
                  "size band (the entities table). Entity groups are far smaller than groups "
                  "of persons: groups with fewer entities than the policy's min_group_size are "
                  "suppressed (named as suppressed, never compared), so fewer comparisons can "
                  "be made; the fairness report lists them."),
    ])
