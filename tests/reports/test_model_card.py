import json
import re

import standin

from creditscore.reports import CREDIT_SECTIONS, MITCHELL_SECTIONS, ModelCard

HEADING = re.compile(r"<h[2-4]>(.*?)</h[2-4]>")


def _headings(html):
    return HEADING.findall(html)


def test_html_has_every_mitchell_and_credit_review_section(model_dir, audit_dir):
    html = ModelCard.from_model_dir(model_dir, audit_dir=audit_dir).to_html()
    headings = _headings(html)
    for title in MITCHELL_SECTIONS + CREDIT_SECTIONS:
        assert title in headings, title


def test_html_loads_nothing_from_the_network(model_dir, audit_dir):
    html = ModelCard.from_model_dir(model_dir, audit_dir=audit_dir).to_html()
    assert "http://" not in html and "https://" not in html
    assert "<script" not in html.lower() and "<link" not in html.lower()
    sources = re.findall(r'\ssrc="([^"]*)"', html)
    assert sources, "the card embeds its plots"
    assert all(s.startswith("data:image/png;base64,") for s in sources)
    assert all(h.startswith("#") for h in re.findall(r'\shref="([^"]*)"', html))


def test_write_gives_html_and_markdown_with_the_same_sections(model_dir, audit_dir, tmp_path):
    paths = ModelCard.from_model_dir(model_dir, audit_dir=audit_dir).write(tmp_path / "reports")
    assert set(paths) == {"html", "md"}
    md = paths["md"].read_text()
    for title in MITCHELL_SECTIONS + CREDIT_SECTIONS:
        assert re.search(rf"^#+ {re.escape(title)}$", md, re.M), title
    assert "data:image" not in md


def test_unaudited_model_says_not_yet_audited(model_dir):
    card = ModelCard.from_model_dir(model_dir)
    assert "Not yet audited" in card.to_html()
    assert "Not yet audited" in card.to_markdown()
    assert card.to_dict()["audited"] is False


def test_card_degrades_without_plots_or_metrics(tmp_path, standin_loader):
    bare = standin.write_model_dir(tmp_path / "bare", plots=False)
    (bare / "metrics.json").unlink()
    html = ModelCard.from_model_dir(bare).to_html()
    assert "No evaluation plots were found" in html
    assert "No metrics were recorded" in html


def test_target_definition_and_window_are_the_contracts(model_dir):
    md = ModelCard.from_model_dir(model_dir).to_markdown()
    assert "W = (t, t + 365 days]" in md
    assert (
        "subjects with at least one loan open at t and no instalment of theirs already "
        "90 days late on or before t and still unpaid at t"
    ) in md


def test_catalogue_version_and_what_was_left_out(model_dir):
    md = ModelCard.from_model_dir(model_dir).to_markdown()
    assert "| **Catalogue version** | 2026.1 |" in md
    for word in ("Expired items", "Disputed items", "Void items", "Force majeure"):
        assert word in md
    assert "Protected attributes (sex, birth year, ethnicity, hukou, region) never enter" in md


def test_reason_code_mapping_lists_each_feature_with_its_template(model_dir):
    md = ModelCard.from_model_dir(model_dir).to_markdown()
    for feature in standin.FEATURES:
        assert f"| {feature['name']} | {feature['reason']} |" in md


def test_quantitative_analyses_by_group_with_intervals_and_suppressed_groups(model_dir, audit_dir):
    md = ModelCard.from_model_dir(model_dir, audit_dir=audit_dir).to_markdown()
    assert "| minority | 1,180 | 16.9% (14.8% to 19.1%) |" in md
    assert "people whose region is \u201cR9\u201d: suppressed" in md
    assert "| R9 |" not in md


def test_gate_verdict_passed_only_when_bound_to_this_model(model_dir, audit_dir):
    standin.write_verdict(model_dir, passed=True)
    card = ModelCard.from_model_dir(model_dir, audit_dir=audit_dir)
    assert card.gate_passed
    assert "PASSED: the fairness gate passed this very model" in card.to_markdown()
    standin.write_verdict(model_dir, passed=True, model_hash="0" * 64)
    card = ModelCard.from_model_dir(model_dir, audit_dir=audit_dir)
    assert not card.gate_passed
    assert "the audit is void" in card.to_markdown()


def test_evaluation_plots_are_embedded(model_dir):
    from matplotlib.figure import Figure

    class Evaluation:
        def __init__(self):
            fig = Figure()
            fig.subplots().plot([0, 1], [0, 1])
            self.plots = {"calibration": fig}

        def to_dict(self):
            return {"overall": {"auc": 0.7}}

    card = ModelCard.from_model_dir(model_dir, evaluation=Evaluation())
    html = card.to_html()
    assert html.count('src="data:image/png;base64,') == 2
    assert "Calibration: predicted PD against the observed rate" in html
    assert card.to_frame().query("metric == 'auc'")["value"].tolist() == [0.7]


def test_to_dict_is_json_serialisable_and_has_metrics_per_date(model_dir, audit_dir):
    card = ModelCard.from_model_dir(model_dir, audit_dir=audit_dir)
    data = json.loads(json.dumps(card.to_dict(), default=str))
    assert data["target"] == "default_12m"
    assert data["model_hash"] == standin.StandInModel(model_dir).model_hash()
    frame = card.to_frame()
    assert set(frame["as_of"].dropna()) == {"2023-06-30", "2023-12-31"}
    assert data["sections"][:3] == ["Decision", "Model details", "Intended use"]


def test_the_card_of_a_chosen_candidate_shows_the_frontier(model_dir, audit_dir):
    import pandas as pd

    frontier = pd.DataFrame(
        {"candidate": ["original", "drop public records"], "auc": [0.78, 0.771],
         "worst_flag_rate_ratio": [0.48, 0.86], "passed": [False, True]}
    )
    card = ModelCard.from_model_dir(model_dir, audit_dir=audit_dir, mitigation=frontier)
    assert "Mitigation" in card.to_dict()["sections"]
    assert "drop public records" in card.to_markdown()
    assert "Mitigation" not in ModelCard.from_model_dir(model_dir).to_dict()["sections"]
