"""The entity labels ``entity_breach_12m`` and ``default_12m`` (guide: entities).

W = (t, t + 365 days]. An employer-owed contribution is 3 months (90 days) in
arrears on ``due_on + 90 days`` if not force majeure and not paid by then:
the persons' 90-days-late rule, applied to the entity's employer-owed rows
(:func:`._labels.label_parts` over them, so the rule is stated once).

``entity_breach_12m``: population at t = an employer-owed contribution due
in (t - 12 months, t], none already 3 months in arrears on or before t and
unpaid at t, and no breach-type record recorded by t, unresolved at t and
not under open dispute at t; 1 if in W an employer-owed contribution becomes
3 months in arrears or a breach-type record of the entity is recorded.
``default_12m``: the person definition over the entity's loans.
Both are null outside their population and where ``t + 365 > extracted_on``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._labels import label_columns, label_parts

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir

__all__ = ["ENTITY_LABELS", "entity_label_parts", "entity_label_columns"]

ENTITY_LABELS = ("entity_breach_12m", "default_12m")
KEYS = ["subject_id", "as_of"]


def entity_label_parts(employer_rows: ir.Table, prepared: dict[str, ir.Table],
                       dates: ir.Table) -> list[ir.Table]:
    """Per (entity, as_of) flags: those of the person labels over the entity's rows, and
    whether it had an employer-owed contribution due in the 12 months up to t."""
    parts = label_parts(employer_rows, prepared["repayments"], prepared["loans"],
                        prepared["public_records"], dates)
    e = employer_rows
    j = e.join(dates, (e.due_on <= dates.as_of) & (e.due_on > dates.t_m12))
    active = j.group_by(KEYS).aggregate(e_pop=j.count() > 0)
    return [*parts, active]


def entity_label_columns(w: ir.Table) -> dict[str, ir.Value]:
    """The two nullable Int64 entity labels from the flags on the entity x date grid."""
    import ibis

    person = label_columns(w)

    def flag(name):
        return w[name].fill_null(False)

    breach = ibis.cases(
        (~w.label_known | ~flag("e_pop") | flag("b_out_c") | flag("b_out_p"),
         ibis.null("int64")),
        else_=(flag("b_event_c") | flag("b_event_p")).cast("int64"),
    )
    return {"entity_breach_12m": breach, "default_12m": person["default_12m"]}
