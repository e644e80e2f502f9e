"""The audit of entity models (guide: entities): its default policy.

An entity model is audited across the attributes of the ``entities`` table
(ownership, size band, region, and ownership x size band) under
``entity_policy.yaml``, the shipped policy with those attributes; the same
thresholds, inference and suppression (``min_group_size``) as for persons.
The record-disparity screen runs on the entity's public-record families
(all records, and each record type), predicted from its other records.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["ENTITY_POLICY", "policy_for_model"]

ENTITY_POLICY = Path(__file__).with_name("entity_policy.yaml")


def policy_for_model(model_dir, policy=None):
    """``policy`` if given; else the entity policy for an entity model, else None (default)."""
    if policy is not None:
        return policy
    import json

    from ..models._entity_tiers import is_entity_model

    try:
        info = json.loads((Path(model_dir) / "model.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # the audit itself reports an unreadable model
    names = info.get("feature_names") or []
    return ENTITY_POLICY if is_entity_model(names, info.get("target")) else None
