"""Point-in-time features and labels per (subject_id, as_of).

Each feature is one small declarative :class:`FeatureDef` (name, plain
description, reason template, monotone direction, source table), computed
only from what was visible at ``as_of`` under the contract's point-in-time
rule and the catalogue (``_visibility`` is the one place that encodes them).
The definitions are Ibis expressions: DuckDB runs them here, and the same
expression runs on Spark. The labels ``default_12m`` and ``breach_12m`` follow
the contract exactly (guide: records).

>>> from creditscore.features import build_features  # doctest: +SKIP
>>> build_features("records/", ["2023-06-30"], "features.parquet")  # doctest: +SKIP
FeatureResult(n_rows=..., n_features=..., ...)
"""

from __future__ import annotations

from ._all import FEATURES
from ._backend import build_feature_table, build_features
from ._definitions import FeatureDef
from ._engine import FeatureResult, feature_expression
from ._labels import LABELS

__all__ = [
    "FEATURES",
    "LABELS",
    "FeatureDef",
    "FeatureResult",
    "build_features",
    "build_feature_table",
    "feature_expression",
    "feature_names",
    "get_feature",
]


_BY_NAME = {f.name: f for f in FEATURES}
if len(_BY_NAME) != len(FEATURES):  # pragma: no cover - a definition error
    raise RuntimeError("two features share a name")


def feature_names() -> list[str]:
    """The feature column names, in output order."""
    return [f.name for f in FEATURES]


def get_feature(name: str) -> FeatureDef:
    """The definition of one feature.

    Raises
    ------
    KeyError
        Naming the unknown feature.
    """
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"no feature named {name!r}; see `creditscore list-features`") from None
