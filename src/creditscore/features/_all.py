"""Every feature of the package, in output column order (one list both the package and the
engine import, so that neither imports the other)."""

from __future__ import annotations

from ._contributions import FEATURES as _CONTRIBUTION_FEATURES
from ._definitions import FeatureDef
from ._loans import FEATURES as _LOAN_FEATURES
from ._public import FEATURES as _PUBLIC_FEATURES

__all__ = ["FEATURES"]

#: every feature, in output column order
FEATURES: tuple[FeatureDef, ...] = _CONTRIBUTION_FEATURES + _LOAN_FEATURES + _PUBLIC_FEATURES
