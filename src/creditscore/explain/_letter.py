"""The subject's letter: score, tier, reasons, recourse, the records behind them.

``write_letter`` is what ``creditscore explain`` calls: it reads the record
set, builds the subject's features as of the date, scores them with a model
that passed its fairness audit, and renders one HTML and one Markdown letter
(Jinja2 templates shipped in ``explain/templates``; the HTML is
self-contained, nothing is loaded from the network). ``build_letter`` and
``render_letter`` are its two halves, usable on data already in memory.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from .._atomic import write_text_atomic
from .._errors import InputError
from ._letterdoc import DISPUTE_CONTACT, LetterResult, SubjectLetter
from ._reasons import ReasonCoder
from ._records import classify_records
from ._recourse import DEFAULT_ACTIONS, find_recourse

__all__ = [
    "SubjectLetter",
    "LetterResult",
    "build_letter",
    "render_letter",
    "write_letter",
    "DISPUTE_CONTACT",
]

TEMPLATES = Path(__file__).with_name("templates")
MSG_NO_SUBJECT = "{record_dir}: subjects has no subject_id {subject_id!r}"


def build_letter(
    tables,
    subject_id: str,
    as_of,
    purpose: str,
    model,
    features_row,
    *,
    catalogue=None,
    actions=DEFAULT_ACTIONS,
    features=None,
    dispute_contact: str = DISPUTE_CONTACT,
) -> SubjectLetter:
    """Assemble a letter from records and features already in memory.

    Parameters
    ----------
    tables : dict of str to DataFrame
        The record set (at least this subject's rows).
    model : LoadedModel-like
        ``predict_pd(frame)``, ``tier(pd)``, optionally ``score_frame`` or
        ``score``, ``model_hash()``, ``target``, ``features``; explained
        through :class:`ReasonCoder` (a booster or scorecard inside it).
    features_row : DataFrame
        One row: the subject's features as of ``as_of``.
    """
    row = features_row.iloc[[0]]
    pd_ = float(np.asarray(model.predict_pd(row), dtype=float)[0])
    # one row: LightGBM's own exact TreeSHAP (pred_contrib) costs less than tabulating
    # every leaf for the fast bulk route, with the same contributions
    coder = ReasonCoder(features, method="lightgbm").fit(model)
    reasons = coder.explain(row).sentences[0]
    rec = find_recourse(
        model, row[list(coder.feature_names_in_)], actions, features=coder.features_in_
    )
    return SubjectLetter(
        subject_id=str(subject_id),
        as_of=pd.Timestamp(as_of).date(),
        purpose=purpose,
        target=getattr(model, "target", None),
        model_hash=_hash(model),
        pd=pd_,
        score=_score(model, row),
        tier=str(model.tier([pd_])[0]),
        reasons=tuple(s for s in reasons if s is not None),
        recourse=rec.sentence,
        records=classify_records(tables, subject_id, as_of, catalogue),
        dispute_contact=dispute_contact,
    )


def _score(model, row) -> float | None:
    if hasattr(model, "score_frame"):
        return float(model.score_frame(row)["score"].iloc[0])
    if hasattr(model, "score"):
        return float(model.score(row)[0])
    return None


def _hash(model) -> str | None:
    fn = getattr(model, "model_hash", None)
    return fn() if callable(fn) else None


def _md(text) -> str:
    """Escape text for a Markdown table cell or line."""
    return re.sub(r"([\\`*_|<>\[\]#])", r"\\\1", "" if text is None else str(text)).replace(
        "\n", " "
    )


def render_letter(letter: SubjectLetter, out_dir, stem: str | None = None) -> tuple[Path, Path]:
    """Write ``<stem>.html`` and ``<stem>.md`` into ``out_dir`` (atomically) and return them."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=lambda name: bool(name and name.endswith(".html.j2")),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["md"] = _md
    ctx = letter.context()
    stem = stem or f"letter-{_safe(letter.subject_id)}-{letter.as_of}"
    out = Path(out_dir)
    html = write_text_atomic(out / f"{stem}.html", env.get_template("letter.html.j2").render(ctx))
    md = write_text_atomic(out / f"{stem}.md", env.get_template("letter.md.j2").render(ctx))
    return html, md


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text)[:80]


def write_letter(
    record_dir,
    subject_id: str,
    model_dir,
    as_of,
    purpose: str,
    out_dir,
    *,
    catalogue=None,
    dispute_contact: str = DISPUTE_CONTACT,
    require_audit: bool = True,
) -> LetterResult:
    """Write the subject's letter (HTML and Markdown) as of a date.

    Refuses (``PolicyRefusal``, exit 3) unless the model passed its fairness
    audit. The caller logs the result in the audit log (``to_dict()``: the
    purpose, the model hash, one subject, the output paths).
    """
    from ..features import build_feature_table
    from ..models import load_model
    from ..records import RecordError, read_subject_records, records_fingerprint

    if require_audit:
        from ..fairness import load_audited_model

        model = load_audited_model(model_dir)  # the audited hash checked before any parsing
    else:
        model = load_model(model_dir)
    # only the subject's rows are read (records/_ownership.py), never the population
    try:
        rs = read_subject_records(record_dir, [subject_id], catalogue)
    except RecordError as exc:
        if "subjects has no subject_id" in str(exc):
            raise InputError(MSG_NO_SUBJECT.format(record_dir=record_dir,
                                                   subject_id=subject_id)) from None
        raise
    own = {name: rs.to_pandas(name) for name in rs.tables}
    day = pd.Timestamp(as_of).date()
    row = build_feature_table(record_dir, [day], catalogue=rs.catalogue, subjects=[subject_id])
    letter = build_letter(
        own,
        subject_id,
        day,
        purpose,
        model,
        row,
        catalogue=rs.catalogue,
        dispute_contact=dispute_contact,
    )
    html, md = render_letter(letter, out_dir)
    return LetterResult(html, md, str(subject_id), purpose, letter.model_hash,
                        input_fingerprint=records_fingerprint(rs))
