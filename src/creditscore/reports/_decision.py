"""The first screen of a report: may this model be used, and why.

One section, read without scrolling at 1280x900: the verdict; the checks that
failed or are inconclusive, by attribute, one line each, worst first (group,
figure, interval, limit); the uneven records the record-disparity screen
found; and what to do next (mitigate, review, or use). Then, for the body of
the report, every check grouped by attribute, each attribute a collapsible
section with its flag-rate chart.
"""

from __future__ import annotations

from collections import Counter

from .._grammar import count_of, plural
from ._auditinfo import AuditInfo
from ._checkfacts import check_kind, line_cells, measure_name, severity
from ._checks import check_sentence
from ._document import BulletList, Callout, Figure, Paragraph, Section, Table
from ._figures import flag_rate_band
from ._format import count

__all__ = [
    "RECORD_METRIC",
    "decision_section",
    "attribute_sections",
    "attribute_charts",
    "next_step",
    "kind_counts",
    "record_blocks",
]

RECORD_METRIC = "record_disparity"
#: summary lines at most (failed checks are always all shown)
MAX_LINES = 8
LINE_COLUMNS = ("Attribute", "Group", "Check", "Figure", "95% interval", "Limit", "Result")
RESULT = {"failed": "FAILED", "inconclusive": "inconclusive", "not_comparable": "not compared"}
RANK = {"failed": 0, "inconclusive": 1, "not_comparable": 2, "insufficient": 3, "passed": 4}
STEP_MITIGATE = (
    "Next step: MITIGATE. This model may not be used or promoted. Search for a less "
    "discriminatory alternative (creditscore mitigate: dropping proxies or uneven record "
    "families, reweighing, constrained training) or correct the records; every candidate "
    "goes through this same gate."
)
STEP_REVIEW = (
    "Next step: REVIEW, then use. The gate passed, so the model may be used; before the "
    "first scoring run a person should review the {n} in this report and record the review."
)
STEP_USE = (
    "Next step: USE. The model may be used for the purposes in its model card, with reasons "
    "for every score; audit it again after retraining or when the drift report shows a shift."
)


def _records(audit: AuditInfo) -> tuple[list[dict], list[dict]]:
    """(outcome checks, record-disparity checks) as dicts."""
    rows = audit.checks.to_dict("records")
    return (
        [c for c in rows if c.get("metric") != RECORD_METRIC],
        [c for c in rows if c.get("metric") == RECORD_METRIC],
    )


def kind_counts(audit: AuditInfo) -> Counter:
    """How many checks of each kind (see ``_checkfacts.KINDS``)."""
    return Counter(check_kind(c) for c in audit.checks.to_dict("records"))


def _worst_first(checks: list[dict]) -> list[dict]:
    return sorted(
        checks, key=lambda c: (RANK[check_kind(c)], c.get("gate") is False, -severity(c))
    )


def _line(c: dict) -> list[str]:
    figure, interval, limit = line_cells(c)
    result = RESULT.get(check_kind(c), check_kind(c))
    if c.get("gate") is False and check_kind(c) != "not_comparable":
        result += " (report only)"
    return [c.get("attribute"), c.get("group"), measure_name(c), figure, interval, limit, result]


def _by_attribute(checks: list[dict]) -> dict[str, list[dict]]:
    """Attribute -> its checks worst first; attributes ordered by their worst check."""
    groups: dict[str, list[dict]] = {}
    for c in _worst_first(checks):
        groups.setdefault(str(c.get("attribute")), []).append(c)
    return groups


def _not_compared_line(attribute: str, checks: list[dict]) -> list[str]:
    refs = sorted({str(c.get("reference")) for c in checks if c.get("reference") is not None})
    ref = f" (reference \u201c{refs[0]}\u201d)" if len(refs) == 1 else ""
    figure, _, limit = line_cells(checks[0])
    if len(checks) > 1:
        figure = f"Too few people flagged to compare{ref}"
    group = checks[0].get("group") if len(checks) == 1 else f"{len(checks)} groups"
    return [attribute, group, measure_name(checks[0]), figure, "", limit, "not compared"]


def summary_rows(checks: list[dict]) -> tuple[list[list[str]], int]:
    """One line per failed or inconclusive check, by attribute, worst first; one line per
    attribute for the comparisons that could not be made. Returns (rows, lines left out)."""
    rows, left = [], 0
    for attribute, items in _by_attribute(checks).items():
        failed = [c for c in items if check_kind(c) == "failed"]
        doubtful = [c for c in items if check_kind(c) == "inconclusive"]
        rows += [_line(c) for c in failed]
        room = max(0, MAX_LINES - len(rows))
        rows += [_line(c) for c in doubtful[:room]]
        left += max(0, len(doubtful) - room)
        apart = [c for c in items if check_kind(c) == "not_comparable"]
        if apart:
            rows.append(_not_compared_line(attribute, apart))
    return rows, left


def _verdict(audit: AuditInfo, counts: Counter) -> Callout:
    total = sum(counts.values())
    parts = [count_of(total, "check", zero="0"), f"{counts['failed']} failed"]
    parts += [
        f"{counts[k]} {label}"
        for k, label in (
            ("inconclusive", "inconclusive"),
            ("not_comparable", "not compared (too few flagged)"),
            ("insufficient", "without enough data"),
        )
        if counts[k]
    ]
    if audit.suppressed:
        parts.append(f"{count_of(len(audit.suppressed), 'group')} suppressed")
    facts = "; ".join(parts)
    if audit.passed:
        return Callout(f"PASSED: the model passed the fairness gate ({facts}).", "pass")
    return Callout(
        f"FAILED: the model failed the fairness gate ({facts}). It may not be used to score "
        "anyone.",
        "fail",
    )


def next_step(audit: AuditInfo | None, counts: Counter | None = None) -> Callout:
    """Mitigate (failed), review (passed with doubts), or use."""
    if audit is None:
        return Callout(
            "Next step: AUDIT. Run creditscore audit on out-of-time rows with the protected "
            "table; the model may not score anyone until it passes.",
            "warn",
        )
    counts = kind_counts(audit) if counts is None else counts
    if not audit.passed:
        return Callout(STEP_MITIGATE, "fail")
    doubts = counts["inconclusive"] + counts["not_comparable"]
    if doubts:
        what = f"{doubts} inconclusive or uncompared {plural('check', doubts)}"
        return Callout(STEP_REVIEW.format(n=what), "warn")
    return Callout(STEP_USE, "pass")


def record_blocks(audit: AuditInfo, lead: bool = True) -> list:
    """The uneven records found by the record-disparity screen (or why none are shown)."""
    _, rows = _records(audit)
    screen = audit.raw.get("record_screen")
    if not rows:
        reason = (screen or {}).get("skipped") if isinstance(screen, dict) else None
        return [Paragraph(f"Uneven records: the record-disparity screen {reason}.")] if reason \
            else [Paragraph("Uneven records: the record-disparity screen was not run for this "
                            "audit.")]
    uneven = [c for c in _worst_first(rows) if check_kind(c) in ("failed", "inconclusive")]
    if not uneven:
        return [Paragraph(
            f"Uneven records: none. The record-disparity screen compared {count(len(rows))} "
            "group and record-family pairs with what their other recorded behaviour predicts; "
            "none lies beyond the limit."
        )]
    table = [_line(c) for c in uneven[: MAX_LINES if lead else None]]
    cols = ("Attribute", "Group", "Records", "Figure", "95% interval", "Limit", "Result")
    return [Table(cols, table, caption="Uneven records: recorded more often than behaviour "
                                       "predicts")]


def decision_section(audit: AuditInfo, title: str = "Decision", facts: list | None = None):
    """The first screen (see the module docstring)."""
    counts = kind_counts(audit)
    outcome, _ = _records(audit)
    rows, left = summary_rows(outcome)
    blocks = [_verdict(audit, counts), *(facts or [])]
    if rows:
        blocks.append(Table(LINE_COLUMNS, rows, caption="Checks that failed or need review, by "
                                                        "attribute, worst first"))
        if left:
            blocks.append(Paragraph(f"And {left} more inconclusive {plural('check', left)}, "
                                    "listed under their attribute below."))
    else:
        blocks.append(Paragraph("No check failed, was inconclusive or could not be compared."))
    blocks += record_blocks(audit)
    blocks.append(next_step(audit, counts))
    return Section(title, blocks)


def _note(checks: list[dict]) -> str:
    c = Counter(check_kind(x) for x in checks)
    order = ("failed", "inconclusive", "not_comparable", "insufficient", "passed")
    words = {"not_comparable": "not compared", "insufficient": "without enough data"}
    return ", ".join(f"{c[k]} {words.get(k, k)}" for k in order if c[k])


def _chart(audit: AuditInfo, attribute: str) -> Figure | None:
    frame = audit.groups
    if frame is None or "flag_rate" not in frame.columns:
        return None
    part = frame[frame["attribute"] == attribute].dropna(subset=["flag_rate"])
    if len(part) < 2:
        return None
    threshold = next(
        (float(c["threshold"]) for c in audit.checks.to_dict("records")
         if c.get("metric") == "flag_rate_ratio" and c.get("threshold")),
        0.8,
    )
    uri = flag_rate_band(part, "flag_rate", attribute, threshold)
    return Figure(uri, f"Flag rate by {attribute} with 95% intervals; the green band is the "
                       "four-fifths screen (up to 1.25 times the lowest rate)")


def attribute_charts(audit: AuditInfo) -> list[Figure]:
    """One flag-rate chart per attribute, against the four-fifths band."""
    attributes = [] if audit.groups is None else list(dict.fromkeys(audit.groups["attribute"]))
    return [f for f in (_chart(audit, a) for a in attributes) if f is not None]


def attribute_sections(audit: AuditInfo, kinds=None, charts: bool = True) -> list[Section]:
    """Every check (or those of ``kinds``) grouped by attribute, each section collapsible
    (open where a check failed), with the attribute's flag-rate chart."""
    outcome, _ = _records(audit)
    chosen = [c for c in outcome if kinds is None or check_kind(c) in kinds]
    out = []
    for attribute, items in _by_attribute(chosen).items():
        blocks = [_chart(audit, attribute) if charts else None,
                  BulletList([check_sentence(c) for c in items])]
        failed = any(check_kind(c) == "failed" for c in items)
        out.append(Section(attribute, blocks, collapsible=True, open=failed, note=_note(items)))
    return out
