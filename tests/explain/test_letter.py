"""The subject's letter: record statuses, and the HTML and Markdown it renders."""

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest

from creditscore.explain import build_letter, classify_records, render_letter

T = "2024-06-30"


def _dates(frame, *cols):
    for c in cols:
        frame[c] = pd.to_datetime(frame[c])
    return frame


@pytest.fixture
def tables():
    pr = pd.DataFrame(
        [
            # record_id, type, severity, recorded, resolved, fm, opened, closed, upheld
            (
                "R-used",
                "enforcement_default",
                "serious",
                "2023-01-10",
                None,
                False,
                None,
                None,
                None,
            ),
            (
                "R-expired",
                "civil_judgment",
                "general",
                "2017-05-01",
                "2018-03-15",
                False,
                None,
                None,
                None,
            ),
            (
                "R-disputed",
                "tax_arrears",
                "general",
                "2023-06-01",
                None,
                False,
                "2024-05-01",
                None,
                None,
            ),
            (
                "R-void",
                "administrative_penalty",
                "minor",
                "2022-01-01",
                None,
                False,
                "2022-02-01",
                "2022-04-01",
                True,
            ),
            ("R-fm", "tax_arrears", "general", "2021-01-01", None, True, None, None, None),
            ("R-future", "civil_judgment", "general", "2024-09-01", None, False, None, None, None),
            (
                "R-resolved",
                "administrative_penalty",
                "minor",
                "2022-05-01",
                "2022-06-01",
                False,
                None,
                None,
                None,
            ),
            (
                "R-rejected",
                "civil_judgment",
                "general",
                "2023-01-01",
                None,
                False,
                "2023-02-01",
                "2023-03-01",
                False,
            ),
        ],
        columns=[
            "record_id",
            "record_type",
            "severity",
            "recorded_on",
            "resolved_on",
            "force_majeure",
            "dispute_opened_on",
            "dispute_closed_on",
            "dispute_upheld",
        ],
    )
    pr.insert(1, "subject_id", "S-1")
    pr["occurred_on"] = pr["recorded_on"]
    pr["amount"] = 1200.0
    pr["dispute_upheld"] = pr["dispute_upheld"].astype("boolean")
    other = pr.iloc[[0]].assign(subject_id="S-2", record_id="R-other")
    contributions = pd.DataFrame(
        [
            ("pension", "2024-01-01", None, "2024-01-15", "2024-01-10", False),
            ("pension", "2024-02-01", None, "2024-02-15", "2024-04-01", False),
            ("pension", "2024-03-01", None, "2024-03-15", None, False),
            ("medical", "2018-01-01", None, "2018-01-15", "2019-02-01", False),
            ("medical", "2024-02-01", None, "2024-02-15", None, True),
            ("pension", "2024-04-01", "E-1", "2024-04-15", None, False),
            ("pension", "2024-08-01", None, "2024-08-15", None, False),
        ],
        columns=["insurance_type", "period", "employer_id", "due_on", "paid_on", "force_majeure"],
    )
    contributions.insert(0, "subject_id", "S-1")
    contributions[["contribution_base", "amount_due", "amount_paid"]] = [5000.0, 400.0, 0.0]
    loans = pd.DataFrame(
        {
            "loan_id": ["L-1", "L-2", "L-9"],
            "subject_id": ["S-1", "S-1", "S-2"],
            "product": ["credit_card", "consumer", "auto"],
            "lender_type": ["bank", "consumer_finance", "bank"],
            "opened_on": ["2020-01-01", "2024-08-01", "2020-01-01"],
            "principal": [20000.0, 5000.0, 9000.0],
            "term_months": [None, 12, 36],
            "closed_on": [None, None, None],
        }
    )
    repayments = pd.DataFrame(
        {
            "loan_id": ["L-1", "L-1", "L-2", "L-9"],
            "due_on": ["2024-05-01", "2024-06-01", "2024-09-01", "2024-05-01"],
            "amount_due": 300.0,
            "amount_paid": 0.0,
            "paid_on": ["2024-05-01", None, None, None],
            "force_majeure": False,
        }
    )
    return {
        "subjects": pd.DataFrame({"subject_id": ["S-1", "S-2"]}),
        "public_records": _dates(
            pd.concat([pr, other], ignore_index=True),
            "recorded_on",
            "resolved_on",
            "occurred_on",
            "dispute_opened_on",
            "dispute_closed_on",
        ),
        "contributions": _dates(contributions, "period", "due_on", "paid_on"),
        "loans": _dates(loans, "opened_on", "closed_on"),
        "repayments": _dates(repayments, "due_on", "paid_on"),
    }


def test_every_record_gets_its_status_under_the_point_in_time_rule(tables):
    out = classify_records(tables, "S-1", T).set_index("reference")
    expected = {
        "R-used": "used",
        "R-expired": "expired",
        "R-disputed": "disputed",
        "R-void": "void",
        "R-fm": "force_majeure",
        "R-future": "not_yet_visible",
        "R-resolved": "used",
        "R-rejected": "used",
        "pension 2024-01": "used",
        "pension 2024-02": "used",
        "pension 2024-03": "used",
        "medical 2018-01": "expired",
        # the features read a force-majeure contribution (as paid on time): used
        "medical 2024-02": "used",
        "pension 2024-04": "used",
        "L-1": "used",
        "L-2": "not_yet_visible",
        "L-1 2024-05-01": "used",
        "L-1 2024-06-01": "used",
    }
    assert out["status"].to_dict() == expected  # nothing of S-2, nothing due after t
    assert out.loc["R-expired", "shown_until"] == dt.date(2023, 3, 15)
    assert out.loc["R-resolved", "shown_until"] == dt.date(2027, 6, 1)
    assert out.loc["pension 2024-02", "why"] == (
        "paid 46 days late on 2024-04-01; shown until 2029-04-01"
    )
    assert "force majeure" in out.loc["medical 2024-02", "why"]
    assert not out.loc["medical 2024-02", "negative"]
    assert not out.loc["pension 2024-04", "negative"]  # the employer's arrears
    assert "owed by your employer" in out.loc["pension 2024-04", "why"]
    assert bool(out.loc["pension 2024-03", "negative"]) and bool(
        out.loc["L-1 2024-06-01", "negative"]
    )


def test_a_dispute_sets_a_record_aside_only_while_it_is_open(tables):
    before = classify_records(tables, "S-1", "2024-04-30").set_index("reference")
    assert before.loc["R-disputed", "status"] == "used"
    during = classify_records(tables, "S-1", "2023-02-15").set_index("reference")
    assert during.loc["R-rejected", "status"] == "disputed"
    assert during.loc["R-void", "status"] == "void"  # void at every t


@pytest.fixture
def letter(tables, booster_model, frame):
    pds = booster_model.predict_pd(frame)
    row = frame.iloc[[int(np.argmax(pds))]]
    return build_letter(tables, "S-1", T, "review of a credit application", booster_model, row)


def test_the_letter_holds_score_tier_reasons_and_recourse(letter):
    assert letter.tier == "D"
    assert 1 <= len(letter.reasons) <= 4
    assert letter.recourse and letter.recourse.endswith(".")
    assert set(letter.records_left_out["reference"]) == {
        "R-expired",
        "R-disputed",
        "R-void",
        "R-fm",
        "R-future",
        "medical 2018-01",
        "L-2",
    }
    assert "pension 2024-01" not in set(letter.records_used["reference"])  # summarised
    assert letter.payments_summary == [
        "1 instalment: paid on time, or owed by an employer",
        "3 contributions: paid on time, or owed by an employer",
    ]


def test_the_letter_renders_html_and_markdown(letter, tmp_path):
    html_path, md_path = render_letter(letter, tmp_path)
    assert html_path.name == "letter-S-1-2024-06-30.html" and md_path.suffix == ".md"
    html, md = html_path.read_text(), md_path.read_text()
    for text in (html, md):
        for reason in letter.reasons:
            assert reason.replace("%", "") in text.replace("\\", "").replace("%", "")
        assert "review of a credit application" in text
        assert "set aside until the dispute is decided" in text
        assert "your dispute was upheld: the record was wrong and is void" in text
        assert "caused by force majeure" in text
        assert "its display period ended on 2023-03-15" in text
        assert "How to dispute a record" in text
    assert f"Risk tier<b>{letter.tier}</b>" in html and f"Risk tier: **{letter.tier}**" in md
    assert "R-void" in html and "R\\-void" not in md and "R-void" in md


def test_the_html_letter_loads_nothing_from_the_network(letter, tmp_path):
    html = render_letter(letter, tmp_path)[0].read_text()
    assert not re.search(r"https?://|<script|<link|src=", html)
    assert html.startswith("<!DOCTYPE html>")


def test_letter_text_is_escaped(letter, tmp_path):
    import dataclasses

    odd = dataclasses.replace(letter, purpose="<b>review</b> | *now*")
    html, md = (p.read_text() for p in render_letter(odd, tmp_path))
    assert "&lt;b&gt;review&lt;/b&gt;" in html and "<b>review" not in html
    assert "\\<b\\>review\\</b\\> \\| \\*now\\*" in md
