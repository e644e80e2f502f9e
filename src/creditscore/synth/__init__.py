"""Synthetic record sets of the contract, from a world with a known truth.

``generate`` simulates subjects month by month: a latent risk (fragility and
earning capacity) sets how often income shocks strike; a shock raises stress
over a few months, and stress makes jobs end, card balances grow, microloans
appear and payments slip, before anything is 90 days late. What it writes is
only what a credit-information system would see: the six tables of the record
contract (guide: records). The latent truth goes beside the record
set, into ``<out_dir>.truth/``, for checking what models learn.

A ``scenario`` says whether and how a protected group differs (``fair``,
``records-bias``, ``thin-file``, ``structural``), so that a fairness audit
has a known right answer. The same seed gives byte-identical files.

Examples
--------
>>> from creditscore.synth import generate
>>> summary = generate("data/synthetic/demo", n_subjects=2_000, seed=1)  # doctest: +SKIP
"""

from ._generate import SynthSummary, generate, truth_dir_for
from ._scenarios import SCENARIOS, Scenario

__all__ = ["generate", "SynthSummary", "SCENARIOS", "Scenario", "truth_dir_for"]
