"""The first page decides: verdict, failed checks by attribute, uneven records, next step."""

import re

import decision_audits as da
import pytest

from creditscore.reports import FairnessReport, ModelCard

#: a number followed by "times" or the multiplication sign, as the reports print ratios
TIMES = re.compile(r"(\d[\d,.]*(?:e[+-]?\d+)?)\s*(?:\u00d7|times)")


def _lead(md: str) -> str:
    start = md.index("## Decision")
    return md[start : md.index("\n## ", start + 5)]


@pytest.fixture
def failing_report(tmp_path):
    return FairnessReport.from_audit_dir(da.failing(tmp_path / "audit"))


def test_the_lead_of_a_failing_audit_names_every_failure_worst_first(failing_report):
    lead = _lead(failing_report.to_markdown())
    assert "FAILED: the model failed the fairness gate" in lead
    rows = [
        line for line in lead.splitlines()
        if line.startswith("| ") and "FAILED" in line and "records expected" not in line
    ]
    assert [r.split(" | ")[:2] for r in rows] == [
        ["| ethnicity", "minority"],  # +9 points (1.8 times its limit), then 2.08x
        ["| ethnicity", "minority"],
        ["| age_band", "<30"],  # 1.61x
    ]
    assert "+9.0 points wrongly flagged" in rows[0]
    assert "flagged 2.08\u00d7 as often vs \u201cmajority\u201d" in rows[1]
    assert "1.82\u00d7 to 2.44\u00d7" in rows[1] and "at most 1.25\u00d7" in rows[1]
    assert "| region | R3 | Flag rate |" in lead  # inconclusive, after the failures
    assert "Next step: MITIGATE" in lead


def test_uneven_records_are_on_the_first_page(failing_report):
    lead = _lead(failing_report.to_markdown())
    assert "Uneven records: recorded more often than behaviour predicts" in lead
    row = next(line for line in lead.splitlines() if "tax arrears public records" in line.lower())
    assert "3.1\u00d7 the records expected" in row and "2.4\u00d7 to 3.9\u00d7" in row
    assert "FAILED" in row
    assert "late contributions" not in lead.lower()  # passed: not on the first page


def test_a_zero_reference_is_said_in_words_never_as_a_number(failing_report):
    md, html = failing_report.to_markdown(), failing_report.to_html()
    assert "too few people flagged in either group to compare (n flagged = 120 and 0)" in md
    for text in (md, re.sub(r"data:image/png;base64,[^\"]+", "", html)):
        assert "could not be computed" not in text
        ratios = [float(x.replace(",", "")) for x in TIMES.findall(text)]
        assert ratios and max(ratios) <= 100, max(ratios)


def test_intersections_with_too_few_flagged_are_suppressed_and_listed(failing_report):
    md = failing_report.to_markdown()
    assert (
        "people in the group \u201cminority & R2\u201d (ethnicity x region): suppressed "
        "(fewer than 10 flagged observations)"
    ) in md
    groups = {(g["attribute"], g["group"]) for g in failing_report.to_dict()["groups"]}
    assert ("ethnicity x region", "minority & R2") not in groups
    # its own checks are gone; the checks against it say why they are not compared
    sentences = failing_report.to_frame()["sentence"].tolist()
    assert not any(s.startswith("Among people who did not") and "minority & R2\u201d were" in s
                   for s in sentences)
    assert any("n flagged = 78 and fewer than 10" in s for s in sentences)


def test_a_passing_audit_says_use(tmp_path):
    lead = _lead(FairnessReport.from_audit_dir(da.passing(tmp_path / "a")).to_markdown())
    assert "PASSED: the model passed the fairness gate" in lead
    assert "No check failed, was inconclusive or could not be compared." in lead
    assert "Uneven records: none." in lead
    assert "Next step: USE." in lead


def test_the_full_list_is_grouped_by_attribute_and_collapsible(failing_report):
    html = failing_report.to_html()
    assert html.count("<details") >= 5
    assert re.search(r"<details open>\s*<summary><h3>ethnicity <span class=\"note\">2 failed", html)
    assert re.search(r"<details>\s*<summary><h3>sex <span class=\"note\">1 passed", html)
    assert html.count("the green band is the four-fifths screen") >= 4


def test_the_model_card_opens_with_the_same_decision(model_dir, tmp_path):
    audit = da.failing(tmp_path / "audit")
    md = ModelCard.from_model_dir(model_dir, audit_dir=audit).to_markdown()
    lead = _lead(md)
    assert "FAILED: the model failed the fairness gate" in lead
    assert "The audit shown is of a different model" in lead  # the stand-in's hash differs
    assert "Next step: MITIGATE" in lead


def test_an_unaudited_model_card_says_audit_first(model_dir):
    lead = _lead(ModelCard.from_model_dir(model_dir).to_markdown())
    assert "Next step: AUDIT." in lead
