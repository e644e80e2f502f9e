"""The rule-of-thumb reading of a population stability index (PSI / CSI).

Held apart from ``_drift`` (which computes the index) and ``_drift_doc``
(which writes it up) so that both read the same limits without importing
each other.
"""

from __future__ import annotations

__all__ = ["PSI_LIMITS", "level"]

#: below the first: stable; up to the second: a moderate shift; above: significant
PSI_LIMITS = (0.1, 0.25)


def level(index: float) -> str:
    """The rule-of-thumb reading of a PSI or CSI value."""
    if index > PSI_LIMITS[1]:
        return "significant shift"
    return "moderate shift" if index > PSI_LIMITS[0] else "stable"
