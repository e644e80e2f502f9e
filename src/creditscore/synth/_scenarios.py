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
    (the records an authority or a court enters at its discretion) are
    entered ``over_recording`` times as often, and the enforcement defaults
    that follow unpaid judgments with them. Records that follow a default
    (judgments over the subject's own charged-off loans, distress before a
    first default) and records entered in error are not multiplied, so the
    minority's public records as a whole grow by less than the factor. The
    default factor is 4 (the issue-12 world: "recorded four times as often
    for the same behaviour"); ``over_recording=16`` is the stronger design
    the package first shipped, where about four times as many minority
    subjects as majority subjects of the same risk carry a public record
    (three in ten against one in thirteen after five and a half years of
    records). A factor of 1 is the ``fair`` world. The extra records are
    added to those of the ``fair`` world of the same seed, which it
    otherwise equals record for record: the people, their behaviour and the
    ground truth are the same, the bias is in the public records only (and
    in the labels built from them).
``thin-file``
    Rural hukou holders have sparser records (more work outside the social
    insurance system, fewer loans) but exactly the same risk.
``structural``
    Rural hukou holders have lower earning capacity and so truly higher risk.
``small-firm-bias``
    For entities (``--entities N``; the guide (entities)): small and micro private
    firms' administrative penalties are entered ``over_recording`` times as
    often for the same behaviour (default 4); persons are those of ``fair``.
``downturn``
    The ``fair`` world, hit by an economic downturn from a date on
    (``downturn_from``; default: the last twelve months of the records):
    every obligation due from that day (loan instalment, card statement,
    self-paid contribution) goes wrong more often, for everyone alike. The
    log-odds of paying late and of never paying both rise by ``downturn``
    (1: the odds multiply by e). The people, their lives, loans, contributions
    and repayments before the date are those of the ``fair`` world of the same
    seed; public records are drawn from one random stream after the loans'
    outcomes, so they differ from the fair world's once a single loan goes
    differently (their rates are the same). A model fitted on earlier data and
    back-tested on later rows meets outcomes worse than any it was developed
    on: what the back-test's calibration light must catch.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np

from .._errors import InputError

__all__ = [
    "Scenario", "SCENARIOS", "get_scenario", "DEFAULT_OVER_RECORDING", "ENTITY_SCENARIOS",
]

MSG_UNKNOWN = "synth: unknown scenario {name!r}; expected one of: {valid}"
MSG_FACTOR = "synth: --over-recording {got!r} is not a number >= 1 (1: recorded like everyone)"
MSG_DOWNTURN_SCENARIO = (
    "synth: --downturn-from applies to the downturn scenario only (got scenario {name!r})"
)
MSG_FACTOR_SCENARIO = (
    "synth: --over-recording applies to the records-bias and small-firm-bias scenarios only "
    "(got scenario {name!r})"
)
#: scenarios whose over-recording factor is the entities' (not the persons')
ENTITY_SCENARIOS = ("small-firm-bias",)
#: the records-bias scenario's over-recording factor when none is given
DEFAULT_OVER_RECORDING = 4.0


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
    entity_record_bias : float
        Multiplier on the administrative penalties of small and micro private
        entities (``small-firm-bias``; 1: none).
    downturn : float
        Log-odds added to every obligation's chance of being paid late and of
        never being paid, for obligations due on or after ``downturn_from``
        (0: no downturn).
    downturn_from : datetime.date or None
        First day of the downturn (None: the first day of the last twelve
        months of the records, see ``Calendar.build``).
    """

    name: str
    group: str = "none"
    record_bias: float = 1.0
    informal_share: float | None = None
    credit_uptake: float = 1.0
    income_shift: float = 0.0
    entity_record_bias: float = 1.0
    downturn: float = 0.0
    downturn_from: dt.date | None = None

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
        Scenario("records-bias", group="minority", record_bias=DEFAULT_OVER_RECORDING),
        Scenario("thin-file", group="rural", informal_share=0.5, credit_uptake=0.4),
        Scenario("structural", group="rural", income_shift=-0.8),
        Scenario("small-firm-bias", entity_record_bias=DEFAULT_OVER_RECORDING),
        Scenario("downturn", downturn=1.0),
    )
}


def get_scenario(name: str, over_recording: float | None = None,
                 downturn_from: dt.date | None = None) -> Scenario:
    """The scenario called ``name``.

    Parameters
    ----------
    name : str
    over_recording : float, default=None
        For ``records-bias``: how many times as often the minority's
        discretionary public records are entered (>= 1; default
        ``DEFAULT_OVER_RECORDING``). Refused for the other scenarios.
    downturn_from : datetime.date, default=None
        For ``downturn``: the first day of the downturn. Refused for the
        other scenarios.

    Raises
    ------
    InputError
        If there is no such scenario (the message lists the valid names), or
        the factor is not a number >= 1 or is given for another scenario.
    """
    try:
        scenario = SCENARIOS[name]
    except KeyError:
        raise InputError(MSG_UNKNOWN.format(name=name, valid=", ".join(SCENARIOS))) from None
    if downturn_from is not None:
        if not scenario.downturn:
            raise InputError(MSG_DOWNTURN_SCENARIO.format(name=name))
        scenario = replace(scenario, downturn_from=downturn_from)
    if over_recording is None:
        return scenario
    if name not in ("records-bias", *ENTITY_SCENARIOS):
        raise InputError(MSG_FACTOR_SCENARIO.format(name=name))
    ok = isinstance(over_recording, (int, float)) and not isinstance(over_recording, bool)
    if not ok or not np.isfinite(over_recording) or over_recording < 1:
        raise InputError(MSG_FACTOR.format(got=over_recording))
    if name in ENTITY_SCENARIOS:
        return replace(scenario, entity_record_bias=float(over_recording))
    return replace(scenario, record_bias=float(over_recording))
