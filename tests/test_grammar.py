"""Counts and units read right everywhere: every reason template at 0, 1 and 2."""

import math

import pytest

from creditscore._grammar import BAD_PHRASES, count_of, format_count_template, plural
from creditscore.explain import reason_sentence
from creditscore.explain._sentences import MISSING_REASONS, ZERO_REASONS
from creditscore.features import FEATURES


def _bad(text: str) -> list[str]:
    return [p.pattern for p in BAD_PHRASES if p.search(text)]


@pytest.mark.parametrize(
    "text",
    [
        "The last late contribution was due 1 months ago",
        "0 of credit card limits",
        "Social insurance contributions were due in only 0 of the last 12 months",
        "1 self-owed contribution were due in the last 12 months",
        "1 open credit accounts",
        "1 checks passed",
    ],
)
def test_the_phrase_list_catches_the_known_faults(text):
    assert _bad(text), f"{text!r} is not caught"


@pytest.mark.parametrize("value", [0, 1, 2, 0.6, 1.4])
def test_every_reason_template_reads_right_at_0_1_and_2(value):
    faults = {}
    for defn in FEATURES:
        for text in (reason_sentence(defn, value), defn.reason_text(value)):
            if _bad(text) or "{" in text or "\0" in text:
                faults[defn.name] = text
    assert not faults, faults


def test_missing_and_zero_sentences_read_right():
    for text in (*MISSING_REASONS.values(), *ZERO_REASONS.values()):
        assert not _bad(text), text


def test_an_empty_card_limit_says_no_credit_card_limit():
    card = next(d for d in FEATURES if d.name == "ln_card_limit")
    assert reason_sentence(card, 0) == "No credit card limit: no card history to go on"
    assert reason_sentence(card, math.nan) == "No credit card limit: no card history to go on"
    assert reason_sentence(card, 12_000) == (
        "Credit card limits total 12,000: at this level the model weighs it towards a higher "
        "risk")


def test_plurals_and_verbs_follow_the_number_as_printed():
    assert format_count_template("due {value:.0f} month{s} ago", 0.6) == "due 1 month ago"
    assert format_count_template("due {value:.0f} month{s} ago", 1.6) == "due 2 months ago"
    assert (format_count_template("{value:.0f} record{s} {are} open", 1) == "1 record is open")
    assert format_count_template("{value:.0f} record{s} {are} open", 0) == "No records are open"
    assert format_count_template("was due {value:.0f} month{s} ago", 0) == (
        "was due less than a month ago")
    assert count_of(0, "record") == "no records" and count_of(1, "instalment") == "1 instalment"
    assert count_of(1204, "person") == "1,204 people" and plural("entry", 2) == "entries"
