"""Every reason sentence says how the value weighs, over every feature template."""

import math

import numpy as np
import pytest

from creditscore.explain import reason_sentence
from creditscore.explain._sentences import sentences_for
from creditscore.explain._weighing import (
    AT_THIS_LEVEL,
    FALLBACK,
    MISSING_WEIGHS,
    STILL,
    WEIGHS,
    case_of,
    weighing,
)
from creditscore.features import FEATURES
from creditscore.features._definitions import FeatureDef
from creditscore.features._entity_defs import EMPLOYER_FEATURES, ENTITY_MODEL_FEATURES

ALL = {d.name: d for d in (*FEATURES, *EMPLOYER_FEATURES, *ENTITY_MODEL_FEATURES)}.values()
VALUES = (math.nan, 0.0, 0.4, 1.0, 2.0, 12_000.0)


@pytest.mark.parametrize("defn", ALL, ids=lambda d: d.name)
def test_every_template_says_how_its_value_weighs(defn):
    for value in VALUES:
        fact, sep, clause = reason_sentence(defn, value).rpartition(": ")
        assert sep and fact and clause == weighing(defn, value), (defn.name, value)
        assert clause[:1].islower() and not clause.endswith("."), clause


@pytest.mark.parametrize("defn", ALL, ids=lambda d: d.name)
def test_every_package_feature_has_words_of_its_own(defn):
    """No package feature falls back to the catch-all a user's own definition gets."""
    for value in VALUES:
        assert weighing(defn, value) != FALLBACK, (defn.name, value)


def test_features_without_a_direction_say_what_nothing_on_record_means():
    """The issue's case: "Nothing borrowed on open instalment loans" read as harmless."""
    undirected = [d for d in FEATURES if d.direction == 0]
    assert {"ln_card_limit", "ln_open_principal", "rp_count_12m"} <= {d.name for d in undirected}
    principal = next(d for d in FEATURES if d.name == "ln_open_principal")
    assert reason_sentence(principal, 0) == (
        "No open instalment loans: little recent repayment history to go on")
    for defn in undirected:
        assert weighing(defn, 0.0) != STILL, defn.name
        assert weighing(defn, 3.0) in {AT_THIS_LEVEL} | {
            c for c in _clauses() if "to go on" not in c}, defn.name


def _clauses():
    for entry in WEIGHS.values():
        yield from ([entry] if isinstance(entry, str) else entry.values())


def test_a_zero_of_a_more_is_worse_feature_does_not_claim_more_is_worse():
    late = next(d for d in FEATURES if d.name == "rp_overdue_amount")
    assert reason_sentence(late, 0) == (
        "No instalments are due and unpaid: in this model it still weighs towards a higher risk")
    assert reason_sentence(late, 1200).endswith("weigh heavily towards a higher risk")


def test_missing_values_get_a_missing_clause():
    oldest = next(d for d in FEATURES if d.name == "ln_oldest_age_months")
    assert reason_sentence(oldest, math.nan) == (
        "No credit accounts on record: little credit history to go on")
    assert case_of(None) == case_of(math.nan) == "missing"
    unknown = FeatureDef("x_user", "A user's column", "loans", 1, "{value:.0f} things")
    assert weighing(unknown, 3) == FALLBACK and weighing(unknown, math.nan) == FALLBACK
    assert reason_sentence(unknown, 3) == f"3 things: {FALLBACK}"
    assert MISSING_WEIGHS != FALLBACK


def test_the_bulk_sentences_are_the_single_ones_with_details_before_the_clause():
    defs = [d for d in FEATURES if d.name in ("pr_unresolved_amount",
                                              "pr_enforcement_default_count")]
    from creditscore.explain._sentences import detail_columns, families_for

    codes, keys = families_for(defs)
    details = detail_columns(defs, [keys[c] for c in codes])
    j = [d.name for d in defs].index("pr_unresolved_amount")
    X = np.zeros((2, 2))
    X[0] = 1.0
    X[0, j] = 48_075.0
    got = sentences_for(np.array([[j], [j]]), X, defs, details)
    assert got[0, 0] == ("48,075 is owed on unresolved public records (on file: enforcement "
                         "default): public records of unpaid obligations weigh towards a "
                         "higher risk")
    assert got[1, 0] == reason_sentence(defs[j], 0.0)
