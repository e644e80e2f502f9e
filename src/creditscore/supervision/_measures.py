"""What a draw is expected to find, and how evenly it falls on ownership and size.

**Expected yield.** An entity's PD is the model's calibrated probability that it falls
3 months into contribution arrears (or a breach record) within 12 months
(``entity_breach_12m``), so the arrears a set of inspections is expected to find is the
sum of their PDs. Stated per tier and in total, for this draw, for the plan before the
draw (``sum pi * pd``), and for two plans of the same size: a uniform lottery (``n *
mean pd``) and the top ``n`` by PD.

**Disparity check.** For each attribute (ownership, size band) and each group with at
least ``min_group_size`` entities (smaller groups are named as suppressed, never shown):
the expected inspection rate (mean inclusion probability), the four-fifths screen (the
lowest reported group's rate over this group's; below the threshold: this group is
inspected more than 1/threshold times as often), and where the rate comes from. The
plan treats two entities of one tier alike, so a group's expected rate is wholly its
tier mix; the draw's realised rate differs from it by chance. Against the uniform rate
(every entity alike), the gap of the realised rate is split into the tier mix
(expected - uniform) and chance (realised - expected); ``tier_share`` is the tier's
part of the two, in absolute value. The group's share of the expected inspections
beside its share of the expected arrears shows whether it is inspected beyond its risk.
"""

from __future__ import annotations

import math

import numpy as np

from ._plan import TIERS

__all__ = ["expected_yield", "disparity", "tier_table"]


def _r(x, nd=4):
    return None if x is None or not np.isfinite(x) else round(float(x), nd)


def tier_table(frame, targets: dict) -> list[dict]:
    """Per tier: entities, ratio (inclusion probability), expected and actual draws, yield."""
    out = []
    for t in TIERS:
        x = float(targets[t])
        rows = frame[frame["tier"] == t]
        drawn = rows[rows["drawn"]]
        n = len(rows)
        out.append({"tier": t, "entities": n, "ratio": _r(x / n if n else 0.0),
                    "expected_draws": _r(x, 3), "drawn": int(len(drawn)),
                    "drawn_share": _r(len(drawn) / n if n else None),
                    "rounding": [math.floor(targets[t]), math.ceil(targets[t])],
                    "mean_pd": _r(rows["pd"].mean() if n else None),
                    "expected_arrears_found": _r(drawn["pd"].sum(), 3)})
    return out


def expected_yield(frame) -> dict:
    """Expected arrears found: this draw, the plan, uniform lottery and top-n, same size."""
    n = int(frame["drawn"].sum())
    pds = np.sort(frame["pd"].to_numpy(dtype=float))[::-1]
    found = float(frame.loc[frame["drawn"], "pd"].sum())
    plan = float((frame["pi"] * frame["pd"]).sum())
    uniform = float(n * pds.mean()) if len(pds) else 0.0
    top = float(pds[:n].sum())
    per = (lambda x: _r(x / n)) if n else (lambda x: None)
    return {"inspections": n, "this_draw": _r(found, 3), "plan_expected": _r(plan, 3),
            "uniform_same_size": _r(uniform, 3), "top_n_by_pd": _r(top, 3),
            "per_inspection": {"this_draw": per(found), "plan_expected": per(plan),
                               "uniform_same_size": per(uniform), "top_n_by_pd": per(top)},
            "lift_over_uniform": _r(plan / uniform if uniform else None, 3)}


def _group(rows, uniform: float, total_pi: float, total_pd: float) -> dict:
    expected = float(rows["pi"].mean())
    realised = float(rows["drawn"].mean())
    tier_part, chance = expected - uniform, realised - expected
    spread = abs(tier_part) + abs(chance)
    mix = rows["tier"].value_counts(normalize=True)
    return {"entities": int(len(rows)), "mean_pd": _r(rows["pd"].mean()),
            "tier_mix": {t: _r(mix.get(t, 0.0), 3) for t in TIERS},
            "expected_rate": _r(expected), "drawn": int(rows["drawn"].sum()),
            "realised_rate": _r(realised), "tier_mix_vs_uniform": _r(tier_part),
            "chance": _r(chance), "tier_share": _r(abs(tier_part) / spread if spread else None,
                                                   3),
            "inspection_share": _r(rows["pi"].sum() / total_pi if total_pi else None),
            "arrears_share": _r(rows["pd"].sum() / total_pd if total_pd else None)}


def disparity(frame, attributes, min_group_size: int, threshold: float) -> dict:
    """The plan's disparity check per attribute (module docstring)."""
    uniform = float(frame["pi"].mean()) if len(frame) else 0.0
    total_pi, total_pd = float(frame["pi"].sum()), float(frame["pd"].sum())
    out = []
    for attribute in attributes:
        values = frame[attribute].astype("string").fillna("(missing)")
        sizes = values.value_counts()
        shown = sorted(v for v, k in sizes.items() if k >= min_group_size)
        groups = {v: _group(frame[values == v], uniform, total_pi, total_pd) for v in shown}
        low = min((g["expected_rate"] for g in groups.values() if g["expected_rate"]),
                  default=None)
        for g in groups.values():  # one reportable group is compared with nothing
            rate = g["expected_rate"]
            g["ratio"] = _r(low / rate) if low and rate and len(groups) > 1 else None
            g["passed"] = None if g["ratio"] is None else g["ratio"] >= threshold
        out.append({"attribute": attribute,
                    "groups": [{"group": v, **groups[v]} for v in shown],
                    "suppressed": sorted(v for v, k in sizes.items() if k < min_group_size)})
    return {"threshold": threshold, "min_group_size": min_group_size,
            "uniform_rate": _r(uniform), "attributes": out,
            "flagged": [f"{a['attribute']}={g['group']}" for a in out for g in a["groups"]
                        if g["passed"] is False],
            "not_compared": [a["attribute"] for a in out if len(a["groups"]) < 2]}
