"""The draw: how many per tier, which entities, which inspector (the published algorithm).

Anyone holding the scores, the plan and the seed can re-draw the list with this module:

1. **Frame.** The scored entities, one row each, sorted by ``subject_id``; ``N_t`` of
   them in tier ``t``.
2. **Targets.** With ``ratios``: ``x_t = r_t * N_t``. With ``capacity C`` and
   ``weights w``: the ratios ``min(1, lam * w_t)`` with ``lam`` such that
   ``sum_t x_t = min(C, N)`` (a tier whose ratio would pass 1 is taken whole and the rest
   shared by the same rule). Every entity of tier ``t`` is drawn with probability
   ``pi_t = x_t / N_t``: two entities of one tier are treated alike. Targets and rounding
   are computed in exact rational arithmetic, the plan's numbers read as the decimals
   written (0.15 is 3/20), so no float error moves a count.
3. **Counts (the rounding rule).** The entity stream is ``numpy.random.default_rng([seed,
   0])``. Its first number ``u = rng.random()`` rounds the targets systematically: with
   ``f_t`` the fractional part of ``x_t`` and ``F_t = f_A + ... + f_t`` (tiers in order
   A-D, ``F`` before A is 0), tier ``t`` draws ``floor(x_t) + floor(u + F_t) -
   floor(u + F_{t-1})`` entities. So each tier draws ``floor(x_t)`` or one more, the
   latter with probability ``f_t`` exactly (the expected count is ``x_t``), and the total
   is ``sum x_t`` whenever that is whole (a capacity is met exactly).
4. **Entities.** For each tier in order A-D: ``rng.permutation(N_t)``, and the first
   ``n_t`` positions of the tier's sorted ids are drawn (without replacement).
5. **Inspectors.** A second stream, ``numpy.random.default_rng([seed, 1])`` (so the
   inspectors never change which entities are drawn): the drawn entities sorted by
   ``subject_id`` are visited in the order ``rng.permutation(n)``, and each gets its own
   order of the inspectors, ``rng.permutation(k)`` (drawn for every entity in the visit
   order before any assignment). An entity takes the first inspector in its order who
   may inspect it (no conflict) and has capacity left; when none has, an augmenting
   path (Kuhn's algorithm, each entity trying inspectors in its own order) moves
   earlier entities to make room. The result covers every drawn entity whenever
   capacities and conflicts allow it; otherwise the draw is refused.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from .._errors import InputError
from ._plan import TIERS

__all__ = ["tier_targets", "tier_counts", "draw_entities", "assign_inspectors",
           "entity_stream", "inspector_stream"]

MSG_UNCOVERED = ("{file}: the inspectors cannot cover the draw: {n} of {total} drawn entities "
                 "have no inspector with capacity left who may inspect them (entity "
                 "{example}); add capacity or relax the conflicts under inspectors")
MSG_TOO_FEW = ("{file}: the inspectors' capacity ({capacity}) is less than the {n} entities "
               "drawn; add inspectors or capacity, or lower the sampling")


def entity_stream(seed: int) -> np.random.Generator:
    """The random stream that rounds the counts and draws the entities."""
    return np.random.default_rng([int(seed), 0])


def inspector_stream(seed: int) -> np.random.Generator:
    """The random stream that assigns the inspectors."""
    return np.random.default_rng([int(seed), 1])


def _exact(x) -> Fraction:
    """A plan's number as the decimal a person wrote (0.15 is 3/20, not its binary double)."""
    return x if isinstance(x, Fraction) else Fraction(repr(float(x))) if isinstance(
        x, float) else Fraction(x)


def tier_targets(sizes: dict[str, int], *, ratios=None, capacity=None, weights=None
                 ) -> dict[str, Fraction]:
    """Expected count ``x_t`` per tier (``ratios``, or ``capacity`` split by ``weights``).

    Exact rationals (:class:`fractions.Fraction`), so that a capacity is met exactly and
    the rounding of rule 3 never meets a float's error; ``float()`` them to show them.
    """
    n = {t: int(sizes.get(t, 0)) for t in TIERS}
    if ratios is not None:
        return {t: _exact(ratios[t]) * n[t] for t in TIERS}
    w = {t: _exact(weights[t]) for t in TIERS}
    goal = Fraction(min(int(capacity), sum(n.values())))
    whole: set[str] = set()
    while True:  # water-filling: tiers whose ratio would pass 1 are taken whole
        rest = goal - sum(n[t] for t in whole)
        mass = sum(w[t] * n[t] for t in TIERS if t not in whole)
        lam = rest / mass if mass > 0 else Fraction(0)
        over = {t for t in TIERS if t not in whole and n[t] and lam * w[t] >= 1}
        if not over:
            break
        whole |= over
    return {t: Fraction(n[t]) if t in whole else lam * w[t] * n[t] for t in TIERS}


def tier_counts(targets: dict, u: float) -> dict[str, int]:
    """Systematic rounding of the targets with one uniform number ``u`` (rule 3), exactly."""
    out, before, u = {}, Fraction(0), Fraction(u)
    for t in TIERS:
        x = _exact(targets[t])
        after = before + (x - math.floor(x))
        out[t] = int(math.floor(x) + math.floor(u + after) - math.floor(u + before))
        before = after
    return out


def draw_entities(frame, targets: dict[str, float], seed: int):
    """The drawn rows of ``frame`` (``subject_id``, ``tier``; sorted by id) and the counts."""
    rng = entity_stream(seed)
    counts = tier_counts(targets, rng.random())
    picked = []
    for t in TIERS:
        ids = np.sort(frame.loc[frame["tier"] == t, "subject_id"].to_numpy(dtype=object))
        order = rng.permutation(len(ids))
        picked.extend(ids[order[: min(counts[t], len(ids))]])
    drawn = frame[frame["subject_id"].isin(set(picked))]
    return drawn.sort_values("subject_id", kind="stable").reset_index(drop=True), counts


def _allowed(inspector, row) -> bool:
    for column, values in inspector.avoid.items():
        own = row["subject_id"] if column == "entities" else row.get(column)
        if own is not None and str(own) in values:
            return False
    return True


def assign_inspectors(drawn, inspectors, seed: int, file: str = "<plan>") -> list:
    """One inspector id per row of ``drawn`` (rule 5); None for every row without inspectors.

    Raises
    ------
    InputError
        When the capacity is too small or the conflicts leave a drawn entity uncovered.
    """
    n, k = len(drawn), len(inspectors)
    if k == 0:
        return [None] * n
    capacity = sum(i.capacity for i in inspectors)
    if capacity < n:
        raise InputError(MSG_TOO_FEW.format(file=file, capacity=capacity, n=n))
    rng = inspector_stream(seed)
    visit = rng.permutation(n)
    rows = drawn.to_dict("records")
    orders = {int(e): rng.permutation(k) for e in visit}
    eligible = {e: [j for j in orders[e] if _allowed(inspectors[j], rows[e])] for e in orders}
    holder: dict[int, int] = {}  # entity -> inspector
    load = [[] for _ in range(k)]  # inspector -> entities, in the order they came
    missing = [int(e) for e in visit if not _augment(int(e), eligible, inspectors, holder,
                                                        load, set())]
    if missing:
        raise InputError(MSG_UNCOVERED.format(file=file, n=len(missing), total=n,
                                              example=rows[missing[0]]["subject_id"]))
    return [inspectors[holder[e]].id for e in range(n)]


def _augment(e: int, eligible, inspectors, holder, load, seen: set) -> bool:
    """Kuhn's step: give ``e`` an inspector, moving earlier entities along a path if needed.

    ``seen`` holds the inspectors already on the path: an entity moved off one of them
    may not come back to it.
    """
    for j in eligible[e]:
        if j not in seen and len(load[j]) < inspectors[j].capacity:
            holder[e] = j
            load[j].append(e)
            return True
    for j in eligible[e]:
        if j in seen:
            continue
        seen.add(j)
        for at, other in enumerate(list(load[j])):
            load[j].pop(at)
            if _augment(other, eligible, inspectors, holder, load, seen):
                holder[e] = j
                load[j].append(e)
                return True
            load[j].insert(at, other)
    return False
