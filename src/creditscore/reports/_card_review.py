"""The credit-review sections of the model card: the catalogue and what it left
out, quantitative analyses by group, reason codes, the gate verdict, ethics,
caveats and limitations."""

from __future__ import annotations

from .._grammar import count_of
from . import _texts as texts
from ._auditinfo import AuditInfo
from ._decision import attribute_charts, attribute_sections, kind_counts
from ._document import BulletList, Callout, KeyValues, Paragraph, Section, Table
from ._groups import group_tables, proxy_blocks, suppressed_blocks
from ._modelinfo import ModelInfo

__all__ = ["catalogue", "quantitative", "reason_codes", "gate_verdict", "ethics", "caveats",
           "limitations", "NOT_AUDITED"]

NOT_AUDITED = (
    "Not yet audited: no fairness audit was given for this model. It may not be "
    "promoted or used to score anyone until it passes the fairness gate."
)


def catalogue(info: ModelInfo, cat) -> Section:
    rows = [
        [
            name,
            "yes" if t.allowed else "no",
            "yes" if t.breach else "no",
            t.default_severity,
            count_of(t.display_period_months, "month", zero="0"),
            t.legal_basis,
        ]
        for name, t in cat.record_types.items()
    ]
    blocks = [
        KeyValues(
            [
                ("Catalogue version", cat.version),
                ("Version the model was trained with", info.catalogue_version or "not recorded"),
            ]
        )
    ]
    if info.catalogue_version and str(info.catalogue_version) != cat.version:
        blocks.append(
            Callout(
                f"The model was trained with catalogue {info.catalogue_version}, "
                f"not {cat.version}: the table below may differ from the one "
                "used in training.",
                "warn",
            )
        )
    blocks.append(
        Table(
            [
                "Record type",
                "May be used",
                "Breach",
                "Default severity",
                "Display period",
                "Legal basis",
            ],
            rows,
            caption="Public record types",
        )
    )
    refused = [n for n, t in cat.record_types.items() if not t.allowed]
    left_out = list(texts.LEFT_OUT_RULES) + list(texts.NEVER_USED)
    if refused:
        left_out.insert(
            0, "Record types the catalogue lists but does not allow: " + ", ".join(refused) + "."
        )
    blocks += [
        Paragraph("What was left out: these items are never used by the model."),
        BulletList(left_out),
    ]
    return Section("Credit-information catalogue", blocks)


def quantitative(audit: AuditInfo | None) -> Section:
    if audit is None:
        return Section("Quantitative analyses", [Callout(NOT_AUDITED, "warn")])
    return Section(
        "Quantitative analyses",
        [
            Paragraph(
                "Results disaggregated by protected attribute, from the fairness audit, "
                "each with its 95% confidence interval."
            ),
            *attribute_charts(audit),
            *group_tables(audit),
        ],
        [Section("Suppressed groups", suppressed_blocks(audit))],
    )


def reason_codes(info: ModelInfo) -> Section:
    blocks = [
        Paragraph(
            "Each score comes with up to four reasons: the factors that raised "
            "this subject's risk the most, written from the subject's own values. "
            "A reason never names a column or a protected attribute."
        )
    ]
    rows = [[f.name, f.reason or f.description] for f in info.features]
    blocks.append(
        Table(["Feature", "Reason sentence template"], rows)
        if rows
        else Callout("No feature definitions were recorded with this model.", "warn")
    )
    return Section("Reason codes", blocks)


def gate_verdict(info: ModelInfo, audit: AuditInfo | None) -> Section:
    blocks = []
    if info.verdict is None:
        blocks.append(Callout(NOT_AUDITED, "warn"))
    elif not info.verdict_bound:
        blocks.append(
            Callout(
                "The recorded verdict is for different model files: the model "
                "changed after its audit, so the audit is void.",
                "fail",
            )
        )
    elif info.verdict_passed:
        blocks.append(
            Callout(
                "PASSED: the fairness gate passed this very model (the verdict "
                "is bound to its hash).",
                "pass",
            )
        )
    else:
        blocks.append(
            Callout(
                "FAILED: the fairness gate failed this model. It may not be "
                "promoted or used to score anyone.",
                "fail",
            )
        )
    if audit is None:
        return Section("Fairness gate verdict", blocks)
    counts = kind_counts(audit)
    doubtful = counts["failed"] + counts["inconclusive"] + counts["not_comparable"]
    blocks.append(
        Paragraph(
            f"{counts['passed']} checks passed outright; the fairness report states every check "
            "in words. Failed, inconclusive and uncompared checks, by attribute:"
            if doubtful
            else f"All {counts['passed']} checks passed; the fairness report states each in words."
        )
    )
    kinds = ("failed", "inconclusive", "not_comparable")
    return Section(
        "Fairness gate verdict", blocks, attribute_sections(audit, kinds=kinds, charts=False)
    )


def ethics(audit: AuditInfo | None) -> Section:
    blocks = [BulletList(texts.ETHICS)]
    if audit is not None:
        blocks += proxy_blocks(audit)
    return Section("Ethical considerations", blocks)


def caveats() -> Section:
    return Section("Caveats and recommendations", [BulletList(texts.CAVEATS)])


def limitations(audit: AuditInfo | None) -> Section:
    items = list(texts.LIMITATIONS)
    if audit is not None and audit.suppressed:
        items.append("Suppressed groups could not be assessed by the audit.")
    return Section("Known limitations", [BulletList(items)])
