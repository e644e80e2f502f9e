"""Stacked candidates: a record family dropped, then one more change on top.

When the gate flags uneven records, the candidate that drops the flagged
families (or types) removes those failures; what it may still fail are
outcome checks (a flag-rate ratio, an error-rate difference) that have other
causes. The stacked round (candidate ``stacked``) takes the most accurate
such record-clean candidate (a family drop with no record-disparity failure
left, more accurate than every candidate that passes) and adds, one at a
time, each change of the first round that can answer the rest: another
family drop that did not fail those checks, reweighing, and the fairlearn
reductions (their weights searched again on the inputs that are left). Each
is one more candidate like any other: a model directory, audited by the same
gate. Nothing here reads a protected attribute at prediction time.
"""

from __future__ import annotations

import numpy as np

from ._candidates import REDUCTIONS, Recipe, reduction_weights, reweigh

__all__ = ["stacked_recipes", "record_clean_base"]


def _failures(candidate) -> set[tuple]:
    failed = candidate.audit.failed
    if failed.empty:
        return set()
    return {(str(a), str(m), str(g)) for a, m, g in
            failed[["attribute", "metric", "group"]].itertuples(index=False)}


def record_clean_base(found):
    """The most accurate family drop that fails the gate on outcome checks only, if it is
    more accurate than every usable candidate (else there is nothing to gain)."""
    clean = [c for c in found if c.method == "family" and not c.passed
             and not any(m == "record_disparity" for _, m, _ in _failures(c))
             and np.isfinite(c.auc)]
    if not clean:
        return None
    base = max(clean, key=lambda c: c.auc)
    best = max((c.auc for c in found if c.usable), default=-np.inf)
    return base if base.auc > best else None


def stacked_recipes(search, found, wanted, attrs):
    """Yield the stacked recipes on top of ``record_clean_base(found)`` (see the module)."""
    base = record_clean_base(found)
    if base is None:
        return
    search.say(f"stack changes on {base.name} (it still fails "
               f"{', '.join('/'.join(f) for f in sorted(_failures(base)))})")
    drop, left = set(base.recipe.drop), _failures(base)
    names = [f for f in search.base.feature_names if f not in drop]
    seen = {tuple(sorted(c.recipe.drop)) for c in found if c.recipe.weights is None}
    detail = {"attributes": attrs, "base": base.name}
    for c in found:
        both = tuple(sorted(drop | set(c.recipe.drop)))
        if (c.method != "family" or c is base or _failures(c) & left or both in seen
                or len(both) >= len(search.base.feature_names)):
            continue
        seen.add(both)
        yield Recipe(f"{base.name}+{c.name}", "stacked", f"{base.changed}; and {c.changed}",
                     both, detail={**detail, "added": c.name})
    groups, _ = search.groups(attrs)
    y = search.train_rows[search.target].astype(int).to_numpy()
    if "reweigh" in wanted:
        yield Recipe(f"{base.name}+reweigh", "stacked", f"{base.changed}; reweighed by "
                     f"{' x '.join(attrs)} and outcome", tuple(sorted(drop)),
                     weights=reweigh(groups, y), detail={**detail, "added": "reweigh"})
    for key, kind, moment in REDUCTIONS:
        if key in wanted:
            search.say(f"search {key} (fairlearn {kind}, {moment}) without {base.name[5:]}")
            w, more = reduction_weights(search.train_rows[names], y, groups, kind=kind,
                                        moment=moment, random_state=search.seed)
            yield Recipe(f"{base.name}+{key}", "stacked", f"{base.changed}; refitted with the "
                         f"weights of fairlearn's {kind} under {moment.upper()}",
                         tuple(sorted(drop)), weights=w,
                         detail={**detail, "added": key, **more})
