"""Reports as PDF, the form a regulator files.

The renderer is WeasyPrint (a dependency of the package, installed by
``make install``), which lays out the same self-contained HTML with the CSS
``@page`` rules every report carries: A4, "Page n of m" and the model's sha256
in the footer of every page. It is given a URL fetcher that only accepts
``data:`` URIs, so nothing is loaded from the network or the disk while a
PDF is made. WeasyPrint needs Pango (Debian: ``libpango-1.0-0``,
``libpangoft2-1.0-0``), which ``.ci/run`` installs when it is missing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .._atomic import atomic_file
from .._errors import InputError

__all__ = ["write_pdf", "html_to_pdf", "pdf_renderer", "pdf_dir", "MSG_NO_RENDERER"]

MSG_NO_RENDERER = (
    "cannot write PDF: the renderer WeasyPrint could not start ({error}); install the "
    "package with `make install` and the Pango library (Debian: apt-get install "
    "libpango-1.0-0 libpangoft2-1.0-0)"
)
MSG_NO_HTML = "{path}: no creditscore HTML report found to convert to PDF"
MSG_NOT_DIR = "{path}: not a directory (expected a folder of reports)"
GENERATOR = re.compile(r'<meta name="generator" content="creditscore\b')
_DETAILS = re.compile(r"<details(?![^>]*\bopen\b)")


def pdf_renderer():
    """The WeasyPrint module, or raise RuntimeError saying what to install."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango missing
        raise RuntimeError(MSG_NO_RENDERER.format(error=f"{type(exc).__name__}: {exc}")) from exc
    return weasyprint


def _offline_fetcher(weasyprint):
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)


def html_to_pdf(html: str, path: str | os.PathLike) -> Path:
    """Write ``html`` (a creditscore report page) as a PDF at ``path``, atomically.

    Collapsed sections are unfolded: a filed document hides nothing.

    Raises
    ------
    ValueError
        If the page would load anything from outside itself (checked before
        rendering; the renderer's fetcher also refuses all but ``data:`` URIs).
    """
    from ._render import check_offline

    weasyprint = pdf_renderer()
    check_offline(html, title=str(path))
    html = _DETAILS.sub("<details open", html)
    document = weasyprint.HTML(string=html, url_fetcher=_offline_fetcher(weasyprint))
    path = Path(path)
    with atomic_file(path) as tmp:
        document.write_pdf(tmp)
    return path


def write_pdf(doc, path: str | os.PathLike) -> Path:
    """Write a :class:`Document` as PDF (every section unfolded)."""
    from ._render import render_html

    return html_to_pdf(render_html(doc, unfold=True), path)


def pdf_dir(directory: str | os.PathLike) -> list[Path]:
    """Write ``X.pdf`` beside every creditscore ``X.html`` report under ``directory``.

    Raises
    ------
    InputError
        If ``directory`` is not a directory or holds no creditscore report.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(MSG_NOT_DIR.format(path=directory))
    pages = [p for p in sorted(directory.rglob("*.html")) if _is_report(p)]
    if not pages:
        raise InputError(MSG_NO_HTML.format(path=directory))
    return [html_to_pdf(p.read_text(encoding="utf-8"), p.with_suffix(".pdf")) for p in pages]


def _is_report(path: Path) -> bool:
    with path.open(encoding="utf-8", errors="replace") as fh:
        return bool(GENERATOR.search(fh.read(2000)))
