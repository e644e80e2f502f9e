"""Render a :class:`Document` to self-contained HTML and to Markdown.

Shared by every report. The HTML carries its CSS inline and its images as
base64 PNG data URIs, and holds no script and no link to anything outside the
file, so a reviewer can open it offline and nothing is fetched when they do.
:func:`check_offline` enforces that on every page written.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import os
import re
import sys
from functools import lru_cache
from pathlib import Path

from .._atomic import write_text_atomic
from ._document import PNG_URI_PREFIX, Document

__all__ = [
    "render_html",
    "render_markdown",
    "write_document",
    "png_data_uri",
    "figure_data_uri",
    "check_offline",
]

TEMPLATES = Path(__file__).with_name("templates")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MSG_NOT_PNG = "{what} is not a PNG image (expected the bytes of a .png file)"
MSG_ONLINE = "report {title!r} would load {ref!r} from outside the file; reports must be offline"
# Anything that would make a browser fetch something: a src (or similar) that is
# not an embedded PNG, an href that is not an in-page anchor, CSS url() and
# @import, and the elements that load or run things.
_EXTERNAL = re.compile(
    r"""<[a-z][^>]*?\s(?:src|srcset|poster|action|data|background|formaction)\s*=\s*"""
    r"""(?!["']?data:image/png;base64,)"""
    r"""|<[a-z][^>]*?\shref\s*=\s*(?!["']?\#)"""
    r"""|url\(\s*(?!["']?data:image/png;base64,)|@import"""
    r"""|<(?:script|link|iframe|object|embed|base|frame|audio|video|source)\b"""
    r"""|http-equiv""",
    re.IGNORECASE,
)
# Web addresses in text are not loaded, but a regulator's copy should hold none
# that a click could follow either: they are written defanged, "https[:]//...".
_URL_IN_TEXT = re.compile(r"\b(https?|ftp)://", re.IGNORECASE)


@lru_cache(maxsize=1)
def _environment():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=lambda name: bool(name) and name.endswith(".html.j2"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["md_cell"] = _md_cell
    env.filters["md_inline"] = _md_inline
    return env


def _md_inline(text) -> str:
    return " ".join(str(text).split())


def _md_cell(text) -> str:
    return _md_inline(text).replace("|", "\\|")


def _context(doc: Document, unfold: bool = False) -> dict:
    from markupsafe import Markup

    from .. import __version__

    return {"doc": doc, "version": __version__, "generated": dt.date.today().isoformat(),
            "unfold": unfold, "page_footer": Markup(page_footer(doc))}


def page_footer(doc: Document) -> str:
    """The footer of every printed page: the title and the model's hash (CSS-string safe)."""
    text = f"{doc.title} · model sha256 {doc.model_hash}" if doc.model_hash else doc.title
    return _CSS_UNSAFE.sub("", text)


_CSS_UNSAFE = re.compile(r"[\"'<>\\{}\n\r;]")


def render_html(doc: Document, *, unfold: bool = False) -> str:
    """The document as one self-contained HTML page.

    Parameters
    ----------
    doc : Document
    unfold : bool, default=False
        Open every collapsible section (for print and PDF).

    Raises
    ------
    ValueError
        If the page would load anything from outside the file.
    """
    html = _environment().get_template("document.html.j2").render(**_context(doc, unfold))
    html = _URL_IN_TEXT.sub(r"\1[:]//", html)
    check_offline(html, title=doc.title)
    return html


def render_markdown(doc: Document) -> str:
    """The document as Markdown (figures are named, and embedded only in the HTML)."""
    text = _environment().get_template("document.md.j2").render(**_context(doc))
    text = _URL_IN_TEXT.sub(r"\1[:]//", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.rstrip() + "\n"


def write_document(doc: Document, out_dir: str | os.PathLike, stem: str) -> dict[str, Path]:
    """Write ``<stem>.html`` and ``<stem>.md`` into ``out_dir``, each atomically.

    Returns
    -------
    dict
        ``{"html": path, "md": path}``.
    """
    out_dir = Path(out_dir)
    html, md = render_html(doc), render_markdown(doc)
    return {
        "html": write_text_atomic(out_dir / f"{stem}.html", html),
        "md": write_text_atomic(out_dir / f"{stem}.md", md),
    }


def check_offline(html: str, title: str = "report") -> None:
    """Raise ValueError if ``html`` references anything outside itself."""
    match = _EXTERNAL.search(html)
    if match:
        raise ValueError(MSG_ONLINE.format(title=title, ref=match.group(0)[:80]))


def png_data_uri(image: bytes | str | os.PathLike) -> str:
    """A ``data:image/png;base64,...`` URI from PNG bytes or a .png file."""
    what = "the image"
    if not isinstance(image, bytes | bytearray):
        what = str(image)
        image = Path(image).read_bytes()
    if not bytes(image[:8]) == PNG_MAGIC:
        raise ValueError(MSG_NOT_PNG.format(what=what))
    return PNG_URI_PREFIX + base64.b64encode(bytes(image)).decode("ascii")


def figure_data_uri(fig, dpi: int = 110) -> str:
    """A PNG data URI of a matplotlib figure (closed afterwards if pyplot made it)."""
    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    finally:
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is not None:
            pyplot.close(fig)
    return png_data_uri(buf.getvalue())
