"""Scorecard attributions: the points a subject loses against each characteristic's best bin.

A scorecard's total is a sum of per-characteristic points, so its exact
attribution needs no approximation: characteristic ``j`` costs the subject
``best_j - points_j(x_j)`` points, where ``best_j`` is the most points any of
its (populated) bins gives. A positive loss is a reason.

Bins are left-closed like optbinning's: ``(-inf, s_0), [s_0, s_1), ...,
[s_m, inf)`` and a last "Missing" bin for missing values. A categorical
characteristic of a flat-table scorecard has groups of category codes instead
of splits (read from the scorecard's ``bins_``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .._errors import InputError

__all__ = ["PointsLookup", "points_lookup"]

MSG_TABLE = (
    "scorecard points table: {what}; expected columns feature, points and either bin "
    "labels ('(-inf, 2)', '[2, 5)', '[5, inf)', 'Missing') or numeric lower/upper"
)
_LABEL = re.compile(r"^\s*[\[(]\s*(-?inf|[-+0-9.eE]+)\s*,\s*(-?inf|[-+0-9.eE]+)\s*[)\]]\s*$")


@dataclass(frozen=True)
class PointsLookup:
    """Per characteristic: sorted ``splits`` and ``points`` (one per bin, Missing last);
    ``groups`` holds the category-code groups of categorical characteristics (else None)."""

    features: tuple[str, ...]
    splits: tuple[np.ndarray, ...]
    points: tuple[np.ndarray, ...]
    best: np.ndarray
    groups: tuple = ()

    def points_of(self, X: np.ndarray) -> np.ndarray:
        """Points of each row (n_rows x n_characteristics); NaN goes to the Missing bin."""
        from ..models._woe import bin_index

        groups = self.groups or (None,) * len(self.features)
        out = np.empty((X.shape[0], len(self.features)))
        for j, (s, p, g) in enumerate(zip(self.splits, self.points, groups, strict=True)):
            out[:, j] = p[bin_index({"splits": s, "groups": g}, X[:, j])]
        return out

    def losses(self, X: np.ndarray) -> np.ndarray:
        """Points lost against the best bin (>= 0), n_rows x n_characteristics."""
        return self.best[None, :] - self.points_of(X)


def points_lookup(model) -> PointsLookup:
    """A :class:`PointsLookup` from a scorecard or its points table.

    Parameters
    ----------
    model : WoEScorecard-like or DataFrame
        An object with ``bins_`` (per characteristic ``splits``, Missing bin
        last) and ``points_table_``: exact. Or a points table DataFrame with
        columns ``feature``, ``points`` and either numeric ``lower``/``upper``
        or bin labels in ``bin``; a bin with a count of 0 (column ``count``)
        is ignored when finding the best.
    """
    table = getattr(model, "points_table_", model)
    if not hasattr(table, "columns") or not {"feature", "points"} <= set(table.columns):
        raise InputError(MSG_TABLE.format(what="not a points table"))
    bins = getattr(model, "bins_", None)
    features, splits, points, best, groups = [], [], [], [], []
    for name, rows in table.groupby("feature", sort=False):
        own = bins.get(name) if bins else None
        groups.append(own.get("groups") if own else None)
        s, missing_last = _splits(rows, own)
        p = rows["points"].to_numpy(dtype=float)
        if not missing_last:  # no Missing bin: a missing value costs nothing
            p = np.append(p, np.nan)
        populated = (rows["count"].to_numpy() > 0) if "count" in rows else np.ones(len(rows), bool)
        top = float(np.max(rows["points"].to_numpy(dtype=float)[populated], initial=-np.inf))
        if not np.isfinite(top):
            top = float(np.nanmax(p))
        p = np.where(np.isnan(p), top, p)
        if len(p) != (len(s) + 2 if groups[-1] is None else len(groups[-1]) + 1):
            raise InputError(MSG_TABLE.format(what=f"{name}: {len(p)} bins for {len(s)} splits"))
        features.append(str(name))
        splits.append(s)
        points.append(p)
        best.append(top)
    return PointsLookup(tuple(features), tuple(splits), tuple(points), np.asarray(best),
                        tuple(groups))


def _splits(rows, bins: dict | None) -> tuple[np.ndarray, bool]:
    """Sorted split points of one characteristic and whether its last bin is Missing."""
    labels = rows["bin"].astype(str).tolist() if "bin" in rows else []
    missing_last = bool(labels) and labels[-1].strip().lower() == "missing"
    if bins is not None and "splits" in bins:
        return np.asarray(bins["splits"], dtype=float), missing_last
    if {"lower", "upper"} <= set(rows.columns):
        lower = rows["lower"].to_numpy(dtype=float)
        missing = np.isnan(lower) & np.isnan(rows["upper"].to_numpy(dtype=float))
        if missing.any() and not missing[-1]:
            raise InputError(MSG_TABLE.format(what="the Missing bin must come last"))
        edges = lower[~missing][1:]
        return np.sort(edges), bool(missing.any())
    if not labels:
        raise InputError(MSG_TABLE.format(what="no bin bounds"))
    lows = []
    for label in labels[:-1] if missing_last else labels:
        m = _LABEL.match(label)
        if not m:
            raise InputError(MSG_TABLE.format(what=f"bin label {label!r} is not an interval"))
        lows.append(float(m.group(1)))
    return np.sort(np.asarray(lows[1:], dtype=float)), missing_last
