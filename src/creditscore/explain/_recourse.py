"""Recourse: the smallest set of things a subject can do now that improves their tier.

An :class:`Action` is declared, not coded: a sentence template and the
feature edits it implies. Only features whose definition is ``actionable``
(current arrears, unresolved records, card utilisation) may be edited; the
past is never undone, so counts of late payments and records on file stay as
they are (a resolved record stays on file as resolved until its display
period ends, on its own date). The search tries every combination of the
actions that apply to the subject, smallest set first, then least effort
(money to pay, by default), then declared order, and keeps the first that
moves the subject to a better tier under the model. It works with any model
offering ``predict_pd(frame)`` and ``tier(pd)``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._errors import InputError

__all__ = ["Action", "DEFAULT_ACTIONS", "Recourse", "find_recourse", "check_actions"]

MSG_NOT_ACTIONABLE = (
    "action {action!r} edits {feature!r}, which is not actionable: the past "
    "cannot be undone (only features with actionable=True may change)"
)
MSG_UNKNOWN = "action {action!r} edits {feature!r}, which has no feature definition"

Value = float | Callable[[Mapping[str, float]], float]


def _num(row: Mapping[str, float], name: str) -> float:
    v = row.get(name, np.nan)
    return float(v) if v is not None else np.nan


@dataclass(frozen=True)
class Action:
    """One change a subject can make now.

    Parameters
    ----------
    name : str
    description : str or callable
        A lower-case gerund phrase formatted with ``value`` (the row's
        ``value_from``), e.g. "paying the {value:.0f} overdue contributions";
        or a function of the row returning the phrase.
    edits : dict of str to float or callable
        New value of each (actionable) feature, or a function of the row.
    value_from : str, optional
        The feature whose value fills ``{value}``; the action applies only
        where it is positive.
    effort : float or callable, default=1.0
        Effort (money to pay, say); ties in the set size are broken by it.
    """

    name: str
    description: str | Callable[[Mapping[str, float]], str]
    edits: Mapping[str, Value]
    value_from: str | None = None
    effort: Value = 1.0
    when: Callable[[Mapping[str, float]], bool] | None = field(default=None, compare=False)

    def applies(self, row: Mapping[str, float]) -> bool:
        """Whether the action changes anything for this subject."""
        if self.value_from is not None and not _num(row, self.value_from) > 0:
            return False
        if self.when is not None and not self.when(row):
            return False
        new = self.apply(row)
        return any(not _same(new[k], _num(row, k)) for k in self.edits if k in row)

    def apply(self, row: Mapping[str, float]) -> dict:
        """The row after the action (features absent from the row are skipped)."""
        new = dict(row)
        for k, v in self.edits.items():
            if k in row:
                new[k] = float(v(row) if callable(v) else v)
        return new

    def text(self, row: Mapping[str, float]) -> str:
        """The action in plain words for a subject's feature row."""
        if callable(self.description):
            return self.description(row)
        return self.description.format(value=_num(row, self.value_from or ""))

    def cost(self, row: Mapping[str, float]) -> float:
        """The effort of this action for a subject's feature row (0 when not finite)."""
        c = self.effort(row) if callable(self.effort) else self.effort
        return float(c) if np.isfinite(c) else 0.0


def _same(a: float, b: float) -> bool:
    return (np.isnan(a) and np.isnan(b)) or a == b


def _plural(n: float, one: str, many: str) -> str:
    return one if round(n) == 1 else many.format(n=n)


def _settle(name: str, count: str, amount: str, one: str, many: str,
            also: Mapping[str, Value] | None = None) -> Action:
    """The action of settling what ``count`` counts (to 0), at the cost of ``amount``."""
    return Action(
        name,
        lambda r: _plural(_num(r, count), one, many),
        {count: 0.0, amount: 0.0, **(also or {})},
        value_from=count,
        effort=lambda r: _num(r, amount),
    )


DEFAULT_ACTIONS: tuple[Action, ...] = (
    _settle("pay_contributions", "si_arrears_count", "si_arrears_amount",
            "paying the overdue social insurance contribution",
            "paying the {n:.0f} overdue social insurance contributions"),
    _settle("pay_instalments", "rp_overdue_count", "rp_overdue_amount",
            "paying the overdue instalment", "paying the {n:.0f} overdue instalments"),
    _settle("resolve_records", "pr_unresolved_count", "pr_unresolved_amount",
            "resolving the open public record", "resolving the {n:.0f} open public records",
            {"pr_breach_unresolved_count": 0.0, "pr_resolved_share": 1.0}),
    Action(
        "lower_card_use",
        "bringing your credit card balances down to 30% of their limits",
        {"cc_util_last": lambda r: min(_num(r, "cc_util_last"), 0.3)},
        value_from="cc_util_last",
        when=lambda r: _num(r, "cc_util_last") > 0.3,
        effort=lambda r: (_num(r, "cc_util_last") - 0.3) * _num(r, "ln_card_limit"),
    ),
)


def check_actions(actions: Sequence[Action], features: Sequence, strict: bool = True) -> None:
    """Raise InputError if an action edits a feature that is not actionable.

    With ``strict=False`` features without a definition are let through
    (an action edits only the features a model has).
    """
    by_name = {f.name: f for f in features}
    for a in actions:
        for k in a.edits:
            if k not in by_name:
                if not strict:
                    continue
                raise InputError(MSG_UNKNOWN.format(action=a.name, feature=k))
            if not by_name[k].actionable:
                raise InputError(MSG_NOT_ACTIONABLE.format(action=a.name, feature=k))


@dataclass(frozen=True)
class Recourse:
    """The recourse found for one subject (``actions`` empty: none found or none needed)."""

    tier: str
    pd: float
    actions: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    new_tier: str | None = None
    new_pd: float | None = None
    needed: bool = True

    @property
    def found(self) -> bool:
        """True when some allowed actions lead to a lower tier."""
        return bool(self.actions)

    @property
    def sentence(self) -> str | None:
        """E.g. "Paying the 2 overdue contributions and ... would move you to tier B."."""
        if not self.needed:
            return None
        if not self.found:
            return (
                "No change you can make now would move you to a better tier under this "
                "model; negative items stop being shown on the dates listed in this letter."
            )
        text = _join(self.phrases)
        return f"{text[:1].upper()}{text[1:]} would move you to tier {self.new_tier}."

    def to_dict(self) -> dict:
        """The JSON-ready recourse: tier and PD now, the actions, and the tier and PD they lead to.
        """
        return {
            "tier": self.tier,
            "pd": self.pd,
            "actions": list(self.actions),
            "new_tier": self.new_tier,
            "new_pd": self.new_pd,
            "sentence": self.sentence,
        }


def _join(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _tiers(model, pds) -> np.ndarray:
    return np.asarray(model.tier(np.asarray(pds, dtype=float)), dtype=object)


def find_recourse(
    model,
    row,
    actions: Sequence[Action] = DEFAULT_ACTIONS,
    *,
    features=None,
    max_actions: int = 3,
    tiers: Sequence[str] = ("C", "D"),
) -> Recourse:
    """The smallest set of actions that moves one subject to a better tier.

    Parameters
    ----------
    model : object with ``predict_pd(frame)`` and ``tier(pd)``
    row : Series or one-row DataFrame
        The subject's features (the model's columns).
    actions : sequence of Action, default=DEFAULT_ACTIONS
    features : sequence of FeatureDef, optional
        Checked: every action may edit only actionable features (default:
        the model's ``features`` attribute, if any).
    max_actions : int, default=3
    tiers : sequence of str, default=("C", "D")
        Tiers for which recourse is searched; better tiers sort first.
    """
    row = row.iloc[0] if isinstance(row, pd.DataFrame) else row
    values = {k: _float(v) for k, v in row.items()}
    defs = features if features is not None else getattr(model, "features", None)
    if defs:
        check_actions(actions, defs, strict=False)
    base = float(np.asarray(model.predict_pd(pd.DataFrame([values])), dtype=float)[0])
    tier = str(_tiers(model, [base])[0])
    if tier not in tiers:
        return Recourse(tier, base, needed=False)
    usable = [a for a in actions if a.applies(values)]
    for size in range(1, min(max_actions, len(usable)) + 1):
        combos = list(itertools.combinations(range(len(usable)), size))
        rows = [_apply_all(values, [usable[i] for i in c]) for c in combos]
        pds = np.asarray(model.predict_pd(pd.DataFrame(rows, columns=list(values))), dtype=float)
        new = _tiers(model, pds)
        better = [i for i, t in enumerate(new) if str(t) < tier]
        if better:
            cost = [sum(usable[j].cost(values) for j in combos[i]) for i in better]
            best = better[int(np.argmin(cost))]  # argmin keeps the first (declared order)
            chosen = [usable[j] for j in combos[best]]
            return Recourse(
                tier,
                base,
                tuple(a.name for a in chosen),
                tuple(a.text(values) for a in chosen),
                str(new[best]),
                float(pds[best]),
            )
    return Recourse(tier, base)


def _float(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return np.nan


def _apply_all(values: dict, chosen: Sequence[Action]) -> dict:
    new = dict(values)
    for a in chosen:
        new = a.apply(new)
    return new
