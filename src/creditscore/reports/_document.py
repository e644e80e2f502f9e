"""The document model every report is built from.

A report is a :class:`Document`: a title, a few summary facts and a list of
:class:`Section` objects, each holding plain blocks (paragraphs, lists, tables,
figures, callouts). One HTML template and one Markdown template render any
document, so the model card, the fairness report, the data sheet and the drift
report share their look and their guarantees (nothing loaded from the network).
Text in blocks is plain text: the HTML renderer escapes it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

__all__ = [
    "Document",
    "Section",
    "Paragraph",
    "BulletList",
    "KeyValues",
    "Table",
    "Figure",
    "Callout",
]

PNG_URI_PREFIX = "data:image/png;base64,"
TONES = ("pass", "fail", "warn", "info")


def _set(obj, name, value):
    object.__setattr__(obj, name, value)


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text."""

    kind: ClassVar[str] = "paragraph"
    text: str


@dataclass(frozen=True)
class BulletList:
    """A bulleted list of plain-text items."""

    kind: ClassVar[str] = "list"
    items: Sequence[str]

    def __post_init__(self):
        _set(self, "items", tuple(str(i) for i in self.items))


@dataclass(frozen=True)
class KeyValues:
    """A two-column table of labelled facts, ``[(label, value), ...]``."""

    kind: ClassVar[str] = "keyvalues"
    pairs: Sequence[tuple[str, Any]]

    def __post_init__(self):
        _set(self, "pairs", tuple((str(k), cell(v)) for k, v in self.pairs))


@dataclass(frozen=True)
class Table:
    """A table of cells, turned into text (None and NaN become empty cells).

    Parameters
    ----------
    columns : sequence of str
    rows : sequence of sequence
    caption : str, default=""
    """

    kind: ClassVar[str] = "table"
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    caption: str = ""

    def __post_init__(self):
        _set(self, "columns", tuple(str(c) for c in self.columns))
        _set(self, "rows", tuple(tuple(cell(v) for v in r) for r in self.rows))

    @classmethod
    def from_frame(cls, frame, caption: str = "") -> Table:
        """A table from a pandas DataFrame (its columns and rows; the index is dropped)."""
        rows = [list(r) for r in frame.itertuples(index=False, name=None)]
        return cls(list(frame.columns), rows, caption=caption)


@dataclass(frozen=True)
class Figure:
    """An image embedded as a ``data:image/png;base64,...`` URI, never a link."""

    kind: ClassVar[str] = "figure"
    data_uri: str
    caption: str

    def __post_init__(self):
        if not self.data_uri.startswith(PNG_URI_PREFIX):
            raise ValueError("a report figure must be a PNG data URI, never a link")


@dataclass(frozen=True)
class Callout:
    """A highlighted sentence; ``tone`` is one of pass, fail, warn, info."""

    kind: ClassVar[str] = "callout"
    text: str
    tone: str = "info"

    def __post_init__(self):
        if self.tone not in TONES:
            raise ValueError(f"callout tone must be one of {TONES}, not {self.tone!r}")


@dataclass(frozen=True)
class Section:
    """A titled section of blocks (None blocks are dropped), with subsections.

    ``collapsible`` sections are an HTML ``<details>`` element whose summary line
    is the title and ``note`` ("2 failed, 30 passed"); ``open`` shows it unfolded
    (a PDF shows every section unfolded).
    """

    title: str
    blocks: Sequence = ()
    subsections: Sequence[Section] = ()
    collapsible: bool = False
    open: bool = False
    note: str = ""

    def __post_init__(self):
        _set(self, "blocks", tuple(b for b in self.blocks if b is not None))
        _set(self, "subsections", tuple(self.subsections))

    @property
    def anchor(self) -> str:
        """The section's HTML anchor, from its title."""
        return re.sub(r"[^a-z0-9]+", "-", self.title.lower()).strip("-")


@dataclass(frozen=True)
class Document:
    """A whole report: title, subtitle, summary facts, sections and a footer.

    ``lead`` is the first screen: a section shown before the table of contents
    (the decision a reader came for). ``model_hash`` is printed in the footer of
    every page of the PDF and named in the HTML's metadata.
    """

    title: str
    sections: Sequence[Section]
    subtitle: str = ""
    summary: Sequence[tuple[str, Any]] = ()
    footer: str = ""
    lead: Section | None = None
    model_hash: str = ""

    def __post_init__(self):
        _set(self, "sections", tuple(s for s in self.sections if s is not None))
        _set(self, "summary", tuple((str(k), cell(v)) for k, v in self.summary))

    def section_titles(self) -> list[str]:
        """Every section and subsection title, in reading order (the lead first)."""
        out: list[str] = []

        def walk(sections):
            for s in sections:
                out.append(s.title)
                walk(s.subsections)

        walk(([self.lead] if self.lead is not None else []) + list(self.sections))
        return out


def cell(value: Any) -> str:
    """A value as table text: None and NaN become "", floats keep 4 significant digits."""
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.4g}"
    try:  # NaT, numpy NaN
        missing = bool(value != value)
    except (TypeError, ValueError):  # pandas.NA refuses to be a bool
        missing = repr(value) == "<NA>"
    return "" if missing else str(value)
