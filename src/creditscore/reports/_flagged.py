"""How many people each check's groups have flagged, and the reports' rule for few.

A flag-rate ratio whose reference group has (almost) nobody flagged is not a
number a reader can use: its interval runs to "1.15e+03 times". The reports
therefore count the flagged observations of every group (flag rate x
observations, from the audit's per-group table) and

- write "too few people flagged in either group to compare (n flagged = 3 and
  0)" for a ratio that cannot be computed or whose interval is unbounded
  (see :mod:`._checkfacts`), and
- suppress, like a small group, every *intersection* group with fewer flagged
  observations than the policy's ``min_cell_size`` (10 by default): it is named
  in the list of suppressed groups, with the reason, and no figure of it is
  shown. A failed check is never hidden.

This is a rule of the reports, not of the gate: the audit's verdict and its
``audit.json`` are unchanged (the gate already treats such a comparison as
inconclusive at worst, never as a failure), so the same audit reads the same
whatever report is drawn from it.
"""

from __future__ import annotations

__all__ = ["INTERSECTION_MARKS", "DEFAULT_MIN_FLAGGED", "is_intersection", "apply_flag_rule"]

INTERSECTION_MARKS = (" x ", "\u00d7", " & ", "*", "+")
DEFAULT_MIN_FLAGGED = 10
REASON = "fewer than {n} flagged observations"


def is_intersection(attribute) -> bool:
    """Whether an attribute name is an intersection ("ethnicity x region")."""
    return any(mark in str(attribute) for mark in INTERSECTION_MARKS)


def _flagged_counts(groups) -> dict[tuple[str, str], int]:
    if groups is None or "flag_rate" not in groups.columns or "n" not in groups.columns:
        return {}
    out = {}
    for attribute, group, rate, n in zip(
        groups["attribute"], groups["group"], groups["flag_rate"], groups["n"], strict=True
    ):
        try:
            out[(str(attribute), str(group))] = int(round(float(rate) * float(n)))
        except (TypeError, ValueError):
            continue
    return out


def apply_flag_rule(checks, groups, suppressed, min_flagged: int):
    """Checks with flagged counts, groups without the newly suppressed, the suppressions.

    Returns
    -------
    checks, groups : pandas.DataFrame
        ``checks`` gains ``n_flagged``, ``reference_n_flagged`` (None when
        unknown) and ``reference_suppressed``.
    extra : list of (attribute, group, reason)
        The intersection groups suppressed for too few flagged people.
    """
    flagged = _flagged_counts(groups)
    extra = [
        (a, g, REASON.format(n=min_flagged))
        for (a, g), k in flagged.items()
        if is_intersection(a) and k < min_flagged
    ]
    hidden = {(a, g) for a, g, _ in extra} | {(str(a), str(g)) for a, g in suppressed}
    if groups is not None and extra:
        keep = [
            (a, g) not in hidden for a, g in zip(groups["attribute"], groups["group"], strict=True)
        ]
        groups = groups[keep].reset_index(drop=True)
    checks = checks.copy()
    attrs, grps = checks["attribute"].astype(str), checks["group"].astype(str)
    refs = checks["reference"] if "reference" in checks.columns else [None] * len(checks)
    checks["n_flagged"] = [flagged.get((a, g)) for a, g in zip(attrs, grps, strict=True)]
    checks["reference_n_flagged"] = [
        None if r is None else flagged.get((a, str(r))) for a, r in zip(attrs, refs, strict=True)
    ]
    checks["min_flagged"] = min_flagged
    checks["reference_suppressed"] = [
        r is not None and (a, str(r)) in hidden for a, r in zip(attrs, refs, strict=True)
    ]
    status = checks["status"].astype(str).str.lower() if "status" in checks.columns else None
    failed = checks["passed"].map(lambda p: p is False) | (
        status == "fail" if status is not None else False
    )
    newly = {(a, g) for a, g, _ in extra}
    keep = [
        (a, g) not in newly or bool(f) for a, g, f in zip(attrs, grps, failed, strict=True)
    ]
    return checks[keep].reset_index(drop=True), groups, extra
