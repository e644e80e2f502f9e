"""Regulator-ready reports: the model card, the fairness report and the data sheet.

Reviewers read these in a browser and never open Python. Each report is a
small result object built once from what earlier stages wrote (a model
directory, an audit directory, a record set), with ``to_dict()``,
``to_frame()``, ``to_html()``, ``to_markdown()`` and ``write(out_dir)``. Every
HTML page is self-contained: inline CSS, images as base64 PNG data URIs, no
script, nothing loaded from the network. Groups too small to be anonymous are
named as suppressed and never shown with numbers.

One generic renderer serves all three: a report is a :class:`Document` of
:class:`Section` objects holding plain blocks, rendered by one HTML and one
Markdown template. Each report opens with a first screen that decides (the
verdict, what failed or needs review by attribute, uneven records, the next
step) and can be written as PDF (WeasyPrint; page numbers and the model's
hash on every page). :class:`ModelComparison` sets two models side by side;
:class:`ValidationReport` is the back-test of ``creditscore backtest``
(:func:`write_validation` writes it with its ``validation.json``).
"""

from ._compare import ModelComparison
from ._datasheet import DataSheet
from ._document import (
    BulletList,
    Callout,
    Document,
    Figure,
    KeyValues,
    Paragraph,
    Section,
    Table,
)
from ._fairness_report import FairnessReport
from ._model_card import CREDIT_SECTIONS, MITCHELL_SECTIONS, ModelCard
from ._pdf import html_to_pdf, pdf_dir, pdf_renderer, write_pdf
from ._render import (
    check_offline,
    figure_data_uri,
    png_data_uri,
    render_html,
    render_markdown,
    write_document,
)
from ._validation_report import (
    ValidationReport,
    read_validation,
    record_validation,
    write_validation,
)

__all__ = [
    "ModelCard",
    "FairnessReport",
    "DataSheet",
    "ModelComparison",
    "ValidationReport",
    "write_validation",
    "read_validation",
    "record_validation",
    "write_pdf",
    "html_to_pdf",
    "pdf_dir",
    "pdf_renderer",
    "MITCHELL_SECTIONS",
    "CREDIT_SECTIONS",
    "Document",
    "Section",
    "Paragraph",
    "BulletList",
    "KeyValues",
    "Table",
    "Figure",
    "Callout",
    "render_html",
    "render_markdown",
    "write_document",
    "check_offline",
    "png_data_uri",
    "figure_data_uri",
]
