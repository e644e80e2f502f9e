"""What every report does with its document: HTML, Markdown, PDF, files.

The model card, the fairness report, the data sheet and the comparison page
each build one :class:`Document` (``document()``) and name their files
(``stem``); this base class writes them, so the three ways out are written once.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from pathlib import Path

from ._document import Document
from ._render import render_html, render_markdown, write_document

__all__ = ["DocumentReport"]


class DocumentReport(ABC):
    """Base of the reports: ``to_html``, ``to_markdown``, ``write``, ``write_pdf``.

    A subclass sets ``stem`` (the file name without extension) and implements
    :meth:`document`.
    """

    stem: str = "report"

    @abstractmethod
    def document(self) -> Document:
        """The report's document (title, lead, sections)."""

    def to_html(self) -> str:
        """The report as one self-contained HTML page."""
        return render_html(self.document())

    def to_markdown(self) -> str:
        """The report as Markdown (figures are named, embedded only in the HTML)."""
        return render_markdown(self.document())

    def write(self, out_dir: str | os.PathLike, *, pdf: bool = False) -> dict[str, Path]:
        """Write ``<stem>.html`` and ``<stem>.md`` (and ``<stem>.pdf``) into ``out_dir``.

        Each file is written atomically. Returns ``{"html": ..., "md": ...}``
        (and ``"pdf"``).
        """
        doc = self.document()
        paths = write_document(doc, out_dir, self.stem)
        if pdf:
            from ._pdf import write_pdf

            paths["pdf"] = write_pdf(doc, Path(out_dir) / f"{self.stem}.pdf")
        return paths

    def write_pdf(self, path: str | os.PathLike) -> Path:
        """Write the report as PDF: page numbers and the model hash on every page."""
        from ._pdf import write_pdf

        return write_pdf(self.document(), path)

    def _repr_html_(self) -> str:
        return self.to_html()
