"""The supervision note of one entity (guide: entities): tier, reasons, what it is for.

The entity's counterpart of the subject's letter: its PD, score, tier worded
as supervision intensity, up to four reasons ("Contributions owed for 12
employees are 3 months unpaid"), what the entity can do, and what the tier
may and may not be used for. Written as HTML (the house style of the letter,
``templates/entity_note.html.j2``, self-contained), Markdown and JSON, refused
(exit 3) unless the model passed its audit, like every use of a score.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .._errors import InputError

__all__ = ["write_entity_note", "EntityNote"]

MSG_NO_ENTITY = "{record_dir}: no entity subject {subject_id!r} (subjects.kind = 'entity')"
TEMPLATES = Path(__file__).with_name("templates")


@dataclass(frozen=True)
class EntityNote:
    """What :func:`write_entity_note` wrote."""

    html: Path
    markdown: Path
    subject_id: str
    purpose: str
    model_hash: str
    #: sha256 of the records the note was made from (the entity's rows), for the log
    input_fingerprint: str | None = None
    json: Path | None = None


TARGET_TEXT = ("the estimated probability of a breach (employer contribution arrears of 3 "
               "months or more beginning, or a breach-type public record) within 12 months")
REPAIR = ("Paying the contributions owed for employees, settling tax arrears and resolving "
          "open records lower the tier at the next review. A record the entity believes "
          "wrong can be disputed; it is left out while the dispute is open.")


def _html(subject_id, day, purpose, pd_, score, tier, reasons, model_hash) -> str:
    import datetime as dt
    import math

    import jinja2

    from ..models._entity_tiers import ENTITY_TIER_MAY, ENTITY_TIER_MAY_NOT, supervision

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    return env.get_template("entity_note.html.j2").render(
        subject_id=subject_id, as_of=day, issued_on=dt.date.today(), purpose=purpose,
        target_text=TARGET_TEXT, tier=tier, supervision=supervision(tier),
        pd_text=f"{pd_:.1%}", score_text="" if math.isnan(score) else f"{score:.0f}",
        reasons=reasons, may=ENTITY_TIER_MAY, may_not=ENTITY_TIER_MAY_NOT, repair=REPAIR,
        model_hash=model_hash)


def _text(subject_id, day, purpose, pd_, score, tier, reasons) -> str:
    from ..models._entity_tiers import ENTITY_TIER_MAY, ENTITY_TIER_MAY_NOT, supervision

    lines = [f"# Supervision note: {subject_id}", "",
             f"As of {day}. Purpose: {purpose}.", "",
             f"**Tier {tier}: {supervision(tier)}.** Estimated probability of a breach "
             f"(employer contribution arrears of 3 months or more beginning, or a breach-type "
             f"public record) within 12 months: {pd_:.1%} (score {score:.0f}).", "",
             "## Why", ""]
    lines += [f"- {r}" for r in reasons] or ["- No single record stands out."]
    lines += ["", "## What this tier may be used for", ""]
    lines += [f"- {t}" for t in ENTITY_TIER_MAY]
    lines += ["", "## What it may not be used for", ""]
    lines += [f"- {t}" for t in ENTITY_TIER_MAY_NOT]
    lines += ["", REPAIR, ""]
    return "\n".join(lines)


def write_entity_note(record_dir, subject_id: str, model_dir, as_of, purpose: str,
                      out_dir) -> EntityNote:
    """Write the supervision note of entity ``subject_id`` as of ``as_of``."""
    import pandas as pd

    from .._atomic import atomic_file
    from ..fairness import load_audited_model
    from ..features._entity_engine import build_entity_table
    from ._reasons import ReasonCoder

    model = load_audited_model(model_dir)
    day = pd.Timestamp(as_of).date()
    try:  # only the entity's own rows and the contributions it owes are read
        row = build_entity_table(record_dir, [day], subjects=[subject_id]).to_pandas()
    except InputError as exc:
        if "subjects has no subject_id" not in str(exc):
            raise
        raise InputError(MSG_NO_ENTITY.format(record_dir=record_dir,
                                              subject_id=subject_id)) from None
    pd_ = float(model.predict_pd(row)[0])
    tier = str(model.tier([pd_])[0])
    score = float(model.scale.from_pd([pd_])[0]) if hasattr(model, "scale") else float("nan")
    coded = ReasonCoder(features=model.features, method="lightgbm").fit(model).reasons(
        row[model.feature_names])
    reasons = [coded[f"reason_{i}"].iloc[0] for i in range(1, 5)]
    reasons = [r for r in reasons if isinstance(r, str)]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in str(subject_id))
    md, js = out_dir / f"{stem}-supervision.md", out_dir / f"{stem}-supervision.json"
    html = out_dir / f"{stem}-supervision.html"
    with atomic_file(html) as tmp:
        Path(tmp).write_text(_html(subject_id, day, purpose, pd_, score, tier, reasons,
                                   model.model_hash()), encoding="utf-8")
    with atomic_file(md) as tmp:
        Path(tmp).write_text(_text(subject_id, day, purpose, pd_, score, tier, reasons),
                             encoding="utf-8")
    data = {"subject_id": subject_id, "as_of": str(day), "purpose": purpose, "pd": pd_,
            "score": score, "tier": tier, "reasons": reasons,
            "model": model.model_hash()}
    with atomic_file(js) as tmp:
        Path(tmp).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    from ..records import read_subject_records, records_fingerprint

    own = read_subject_records(record_dir, [subject_id], employer=True, validate=False)
    return EntityNote(html, md, str(subject_id), purpose, model.model_hash(),
                      input_fingerprint=records_fingerprint(own), json=js)
