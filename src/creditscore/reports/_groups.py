"""Blocks built from an audit: checks in words, per-group tables and charts,
suppressed groups and proxies. Shared by the model card and the fairness report."""

from __future__ import annotations

from ._auditinfo import AuditInfo
from ._checks import who
from ._document import BulletList, Figure, Paragraph, Table
from ._figures import paired_group_bars
from ._format import count, num, pct, with_ci

__all__ = [
    "GROUP_COLUMNS",
    "column",
    "group_tables",
    "calibration_blocks",
    "suppressed_blocks",
    "proxy_blocks",
]

#: per-group metric -> the column names an audit may use for it
GROUP_COLUMNS = {
    "people": ("n_subjects", "people", "subjects"),
    "n": ("n", "count", "size", "n_rows"),
    "flag_rate": ("flag_rate", "selection_rate", "flagged_rate"),
    "fpr": ("fpr", "false_positive_rate"),
    "fnr": ("fnr", "false_negative_rate"),
    "mean_pd": ("mean_pd", "predicted", "mean_predicted_pd", "pd_mean", "predicted_rate"),
    "observed": ("observed_rate", "observed", "base_rate", "default_rate", "label_rate"),
    "auc": ("auc",),
}
LABELS = {
    "flag_rate": "Flagged for review",
    "fpr": "Wrongly flagged (of those who did not fail)",
    "fnr": "Missed (of those who failed)",
    "mean_pd": "Average predicted PD",
    "observed": "Observed rate",
    "auc": "AUC",
}


def column(frame, metric: str) -> str | None:
    """The column of ``frame`` holding ``metric`` (see GROUP_COLUMNS), if any."""
    return next((c for c in GROUP_COLUMNS[metric] if c in frame.columns), None)


def _cell(row, frame, metric: str, fmt) -> str:
    col = column(frame, metric)
    if col is None:
        return ""
    return with_ci(row[col], row.get(f"{col}_ci_low"), row.get(f"{col}_ci_high"), fmt)


def group_tables(audit: AuditInfo, metrics=("flag_rate", "fpr", "fnr", "auc")) -> list:
    """A table per attribute: people, and each metric with its 95% interval."""
    frame = audit.groups
    if frame is None or frame.empty:
        return [Paragraph("The audit wrote no per-group metrics.")]
    present = [m for m in metrics if column(frame, m)]
    blocks = []
    for attribute, part in frame.groupby("attribute", sort=False):
        rows = []
        sizes = [c for c in (column(frame, "people"), column(frame, "n")) if c]
        for _, row in part.iterrows():
            rows.append(
                [row["group"], *(count(row[c]) for c in sizes)]
                + [_cell(row, frame, m, num if m == "auc" else pct) for m in present]
            )
        size_names = ["People" if c == column(frame, "people") else "Observations" for c in sizes]
        columns = ["Group", *size_names] + [f"{LABELS[m]} (95% interval)" for m in present]
        blocks.append(Table(columns, rows, caption=f"By {attribute}"))
    return blocks


def calibration_blocks(audit: AuditInfo) -> list:
    frame = audit.groups
    if frame is None or frame.empty:
        return [Paragraph("The audit wrote no per-group calibration.")]
    pd_col, obs_col = column(frame, "mean_pd"), column(frame, "observed")
    if not (pd_col and obs_col):
        return [Paragraph("The audit wrote no per-group calibration.")]
    rows = [
        [
            r["attribute"],
            r["group"],
            _cell(r, frame, "mean_pd", pct),
            _cell(r, frame, "observed", pct),
        ]
        for _, r in frame.iterrows()
    ]
    uri = paired_group_bars(
        frame, pd_col, obs_col, ("average predicted PD", "observed rate"), "Calibration by group"
    )
    return [
        Paragraph(
            "A well-calibrated model predicts, on average, what happens: within each "
            "group the average predicted probability should be close to the share of "
            "people who actually failed their obligations."
        ),
        Table(
            [
                "Attribute",
                "Group",
                "Average predicted PD (95% interval)",
                "Observed rate (95% interval)",
            ],
            rows,
        ),
        Figure(uri, "Average predicted PD against the observed rate, by group"),
    ]


def suppressed_blocks(audit: AuditInfo) -> list:
    """The suppressed groups, named, with no numbers."""
    size = audit.min_group_size
    rule = (
        f"Groups with fewer than {count(size)} people are suppressed"
        if size is not None
        else "Groups below the minimum reportable size are suppressed"
    )
    intro = Paragraph(
        f"{rule}: they are too small to report without risking that someone "
        "is recognised, and too small for their numbers to mean much. They are "
        "named here and no figure about them is shown anywhere in this report."
    )
    if not audit.suppressed:
        return [intro, Paragraph("No group was suppressed.")]
    items = []
    for a, g in audit.suppressed:
        reason = audit.reasons.get((a, g))
        tail = f"suppressed ({reason})" if reason else "suppressed"
        items.append(f"{who(a, g)}: {tail}" if a else f"\u201c{g}\u201d: {tail}")
    flag_rule = (
        "Intersection groups with too few people flagged are suppressed the same way: their "
        "flag rate would single people out, and any ratio against them has no upper bound."
    )
    return [intro, Paragraph(flag_rule), BulletList(items)]


def proxy_blocks(audit: AuditInfo) -> list:
    frame = audit.proxies
    skipped = (audit.raw.get("proxy_screen") or {}).get("skipped")
    if skipped:  # e.g. audit-scores: a scores file holds no model inputs
        return [Paragraph(str(skipped))]
    if frame is None:
        return [Paragraph("No model feature was named as a proxy for a protected attribute.")]
    named = frame[frame["proxy"].astype(bool)] if "proxy" in frame.columns else frame
    if named.empty:
        return [Paragraph("No model feature was named as a proxy for a protected attribute.")]
    items = [_proxy_sentence(row) for row in named.to_dict("records")]
    return [
        Paragraph(
            "A proxy is a model feature that reveals a protected attribute, so that "
            "the model could treat groups differently without ever seeing the "
            "attribute. These features were named:"
        ),
        BulletList(items),
    ]


PROXY_FACTS = {
    "auc": "on its own it tells the groups apart with an AUC of {}",
    "nmi": "normalised mutual information with the attribute {}",
    "disparity_reduction": "equalising it across groups changes the worst flag-rate ratio by {}",
}


def _proxy_sentence(row: dict) -> str:
    attribute = row.get("attribute") or "a protected attribute"
    facts = [text.format(num(row[key])) for key, text in PROXY_FACTS.items() if num(row.get(key))]
    facts += [
        f"{k.replace('_', ' ')} {num(v)}"
        for k, v in row.items()
        if k not in (*PROXY_FACTS, "feature", "attribute", "proxy") and num(v)
    ]
    if row.get("carries_disparity") is True:
        facts.append("part of the disparity flows through it")
    return f"{row.get('feature')} stands in for {attribute}" + (
        f": {'; '.join(facts)}" if facts else ""
    )
