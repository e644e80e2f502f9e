"""Named scenarios: how (and whether) a protected group differs.

Each scenario names one protected group and the single way it differs, so
that a fairness audit run on the synthetic data has a known right answer:

``fair``
    No group differs in anything: protected attributes are drawn
    independently of every trait and every behaviour.
``records-bias``
    The ethnic minority is over-recorded: for the same behaviour, the same
    latent risk and the same financial stress, its tax arrears, benefit
    fraud, administrative penalties and civil judgments over outside debts
    are entered sixteen times as often (and the enforcement defaults that
    follow unpaid judgments with them), so that about four times as many
    minority subjects carry a public record as majority subjects of the same
    risk (three in ten of the minority against one in thirteen of the
    majority after five and a half years of records): a disparity a model
    that uses public records passes on to its scores. The extra records are
    added to those of the ``fair`` world of the same seed, which it
    otherwise equals record for record: the people, their behaviour and the
    ground truth are the same, the bias is in the public records only (and
    in the labels built from them).
``thin-file``
    Rural hukou holders have sparser records (more work outside the social
    insurance system, fewer loans) but exactly the same risk.
``structural``
    Rural hukou holders have lower earning capacity and so truly higher risk.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._errors import InputError

__all__ = ["Scenario", "SCENARIOS", "get_scenario"]

MSG_UNKNOWN = "synth: unknown scenario {name!r}; expected one of: {valid}"


@dataclass(frozen=True)
class Scenario:
    """How one protected group differs in a synthetic world.

    Attributes
    ----------
    name : str
    group : {"none", "minority", "rural"}
        The protected group the scenario is about.
    record_bias : float
        Multiplier on the rate of the group's public records of behaviour and
        outside causes (tax arrears, benefit fraud, administrative penalties,
        civil judgments over outside debts): the group gets ``record_bias - 1``
        times as many again, on top of everyone's records.
    informal_share : float or None
        Share of the group working outside the social insurance system
        (None: the same as everyone).
    credit_uptake : float
        Multiplier on the group's number of loans.
    income_shift : float
        Shift of the group's earning capacity, in standard deviations.
    """

    name: str
    group: str = "none"
    record_bias: float = 1.0
    informal_share: float | None = None
    credit_uptake: float = 1.0
    income_shift: float = 0.0

    def in_group(self, minority: np.ndarray, rural: np.ndarray) -> np.ndarray:
        """Whether each subject belongs to the scenario's group."""
        if self.group == "minority":
            return minority.copy()
        if self.group == "rural":
            return rural.copy()
        return np.zeros(len(minority), dtype=bool)


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("fair"),
        Scenario("records-bias", group="minority", record_bias=16.0),
        Scenario("thin-file", group="rural", informal_share=0.5, credit_uptake=0.4),
        Scenario("structural", group="rural", income_shift=-0.8),
    )
}


def get_scenario(name: str) -> Scenario:
    """The scenario called ``name``.

    Raises
    ------
    InputError
        If there is no such scenario; the message lists the valid names.
    """
    try:
        return SCENARIOS[name]
    except KeyError:
        raise InputError(MSG_UNKNOWN.format(name=name, valid=", ".join(SCENARIOS))) from None
