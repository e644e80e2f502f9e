"""The demo's own breach_12m audit (kept from a demo run, 132 checks: 25 inconclusive
intersection ratios against a reference with nobody flagged) reads as a reviewer needs."""

import re
import shutil
from pathlib import Path

import pytest

from creditscore.reports import FairnessReport

DATA = Path(__file__).with_name("data") / "demo_breach_audit.json"
TIMES = re.compile(r"(\d[\d,.]*(?:e[+-]?\d+)?)\s*(?:\u00d7|times)")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo-audit")
    shutil.copy(DATA, folder / "audit.json")
    return FairnessReport.from_audit_dir(folder)


def test_no_interval_above_100_times_and_nothing_could_not_be_computed(report):
    for text in (report.to_markdown(), re.sub(r"data:image/png;base64,[^\"]+", "",
                                              report.to_html())):
        assert "could not be computed" not in text
        assert not re.search(r"\de[+-]\d", text), "a number in scientific notation"
        assert max(float(x.replace(",", "")) for x in TIMES.findall(text)) <= 100


def test_the_zero_flagged_intersections_are_suppressed_and_listed(report):
    md = report.to_markdown()
    for group in ("minority & R1", "minority & R2", "minority & R4", "minority & R5"):
        assert (f"people in the group \u201c{group}\u201d (ethnicity x region): suppressed "
                "(fewer than 10 flagged observations)") in md
    lead = md[md.index("## Decision"): md.index("## How to read")]
    assert "| ethnicity x region | 8 groups | Flag rate | Too few people flagged to compare" in lead
    assert "PASSED: the model passed the fairness gate" in lead
    assert "Next step: REVIEW, then use." in lead


def test_inconclusive_lines_on_the_first_page_are_at_most_eight(report):
    md = report.to_markdown()
    lead = md[md.index("## Decision"): md.index("## How to read")]
    assert sum("| inconclusive" in line for line in lead.splitlines()) == 8
    assert re.search(r"And \d+ more inconclusive checks, listed under their attribute below", lead)
