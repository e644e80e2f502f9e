"""PDF copies of the reports: they open, the summary is on page 1, the model's hash is
in the footer of every page, page numbers run, and nothing is loaded from outside."""

import decision_audits as da
import pytest

from creditscore.cli import app
from creditscore.reports import DataSheet, FairnessReport, ModelCard, pdf_dir, pdf_renderer


@pytest.fixture(scope="module", autouse=True)
def renderer():
    try:
        pdf_renderer()
    except RuntimeError as exc:
        if "OSError" in str(exc):  # WeasyPrint is installed but Pango is not
            pytest.skip(f"no PDF renderer can start on this machine: {exc}")
        raise


def _pages(path) -> list[str]:
    from pypdf import PdfReader

    reader = PdfReader(path)
    return [page.extract_text() for page in reader.pages]


def test_fairness_report_pdf_has_the_summary_first_and_the_hash_on_every_page(tmp_path):
    report = FairnessReport.from_audit_dir(da.failing(tmp_path / "audit"))
    pages = _pages(report.write_pdf(tmp_path / "fairness_report.pdf"))
    assert len(pages) >= 3
    first = " ".join(pages[0].split())
    assert "Decision" in first and "FAILED: the model failed the fairness gate" in first
    assert "Next step: MITIGATE" in first
    for number, text in enumerate(pages, start=1):
        flat = "".join(text.split())
        assert da.HASH in flat, f"page {number} lacks the model hash"
        assert f"Page{number}of{len(pages)}" in flat
    # collapsed sections are unfolded in the filed copy
    assert any("The screen allows at most 1.25 times" in " ".join(p.split()) for p in pages)


def test_model_card_pdf_carries_its_own_hash(model_dir, audit_dir, tmp_path):
    card = ModelCard.from_model_dir(model_dir, audit_dir=audit_dir)
    paths = card.write(tmp_path, pdf=True)
    assert {"html", "md", "pdf"} <= set(paths)
    pages = _pages(paths["pdf"])
    assert all(card.model_hash in "".join(p.split()) for p in pages)
    assert "Decision" in pages[0]


def test_report_pdf_command_converts_every_report_in_a_folder(model_dir, audit_dir, tmp_path):
    from typer.testing import CliRunner

    out = tmp_path / "reports"
    FairnessReport.from_audit_dir(audit_dir).write(out / "m")
    ModelCard.from_model_dir(model_dir, audit_dir=audit_dir).write(out / "m")
    (out / "letter.html").write_text("<html><body>not a report</body></html>")
    result = CliRunner().invoke(app, ["report", "pdf", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.rglob("*.pdf")) == ["fairness_report.pdf", "model_card.pdf"]
    assert not (out / "letter.pdf").exists()


def test_pdf_of_a_folder_without_reports_is_refused(tmp_path):
    from creditscore._errors import InputError

    with pytest.raises(InputError, match="no creditscore HTML report"):
        pdf_dir(tmp_path)


def test_a_page_that_would_load_something_is_not_fetched(tmp_path):
    from creditscore.reports import html_to_pdf

    html = (
        '<html><head><meta name="generator" content="creditscore 0"></head><body>'
        '<img src="file:///etc/hostname"><p>text</p></body></html>'
    )
    with pytest.raises(ValueError, match="from outside the file"):
        html_to_pdf(html, tmp_path / "x.pdf")


def test_datasheet_pdf(tmp_path):
    import pandas as pd

    records = tmp_path / "records"
    records.mkdir()
    pd.DataFrame({"subject_id": ["a", "b"], "birth_year": [1980, 1990]}).to_parquet(
        records / "protected.parquet"
    )
    sheet = DataSheet.from_records(records)
    pages = _pages(sheet.write_pdf(tmp_path / "datasheet.pdf"))
    assert "Data sheet" in pages[0] and "Page 1 of" in pages[0]
