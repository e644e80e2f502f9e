import pytest

from creditscore.reports import (
    Callout,
    Document,
    Figure,
    Paragraph,
    Section,
    Table,
    check_offline,
    png_data_uri,
    render_html,
    render_markdown,
    write_document,
)


def _doc(*blocks):
    return Document("A report", [Section("First", blocks)])


@pytest.mark.parametrize(
    "html",
    [
        '<img src="https://example.org/x.png">',
        "<img src=x.png>",
        '<a href="http://example.org">x</a>',
        '<a href="file:///etc/passwd">x</a>',
        "<style>body{background:url(x.png)}</style>",
        "<style>@import 'x.css';</style>",
        "<script>alert(1)</script>",
        '<link rel="stylesheet" href="x.css">',
        '<iframe srcdoc="x"></iframe>',
        '<meta http-equiv="refresh" content="0">',
    ],
)
def test_check_offline_refuses_anything_that_loads(html):
    with pytest.raises(ValueError, match="must be offline"):
        check_offline(html)


def test_check_offline_accepts_embedded_png_and_anchors():
    check_offline('<img src="data:image/png;base64,AAAA"><a href="#top">top</a>')


def test_text_is_escaped_not_rendered_as_markup():
    html = render_html(_doc(Paragraph("<script>alert(1)</script>")))
    assert "&lt;script&gt;" in html
    assert "<script>" not in html


def test_web_addresses_in_text_are_defanged():
    doc = _doc(Paragraph("see https://example.org and http://x.test"))
    for text in (render_html(doc), render_markdown(doc)):
        assert "https://" not in text and "http://" not in text
        assert "https[:]//example.org" in text


def test_figure_must_be_a_png_data_uri():
    with pytest.raises(ValueError, match="PNG data URI"):
        Figure("https://example.org/x.png", "remote")


def test_png_data_uri_refuses_other_bytes():
    with pytest.raises(ValueError, match="not a PNG"):
        png_data_uri(b"GIF89a....")


def test_markdown_table_escapes_pipes_and_blanks_missing_cells():
    md = render_markdown(_doc(Table(["a|b", "c"], [["x|y", None], [float("nan"), 1.5]])))
    assert "| a\\|b | c |" in md
    assert "| x\\|y |  |" in md
    assert "|  | 1.5 |" in md


def test_callout_tone_is_checked():
    with pytest.raises(ValueError, match="tone"):
        Callout("x", "green")


def test_write_document_writes_html_and_markdown_and_no_temporaries(tmp_path):
    paths = write_document(_doc(Paragraph("hello")), tmp_path / "out", "page")
    assert paths == {"html": tmp_path / "out" / "page.html", "md": tmp_path / "out" / "page.md"}
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["page.html", "page.md"]
    assert paths["md"].read_text().startswith("# A report")
