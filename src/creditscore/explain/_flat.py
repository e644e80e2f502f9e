"""Reasons for a flat-table model: PD, score, tier and up to four reasons per row.

The same exact attributions as for any model (TreeSHAP on the log-odds of a
LightGBM model, points below the best bin for a scorecard), on the model's
own encoding of the table. A reason is the description from the features
YAML with the person's value ("Amount of credit requested: 12,000"), else
the column name and the value ("credit_amount is 12,000"; a category is
named: "purpose is car"). Protected columns never enter a flat model, so
they are never a reason. Refused (exit 3) unless the model passed its audit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._errors import InputError

__all__ = ["FlatExplanation", "explain_flat", "flat_scores"]

MSG_NOT_FLAT = ("{path}: not a flat-table model; explain a record-set model with "
                "`creditscore explain RECORD_DIR SUBJECT_ID --as-of ...`")
MSG_NO_ROW = "{path}: no row with id {value!r} in column {col}"


@dataclass(frozen=True)
class FlatExplanation:
    """The rows explained: id, pd, score, tier and reasons (``to_dict`` / ``to_markdown``)."""

    model_hash: str
    rows: list

    def to_dict(self) -> dict:
        """The JSON-ready content: the model hash and one entry per explained row."""
        return {"model": self.model_hash, "rows": self.rows}

    def to_frame(self):
        """One row per explained row: id, PD, score, tier and ``reason_1`` .. ``reason_4``."""
        import pandas as pd

        return pd.DataFrame([{k: v for k, v in r.items() if k != "reasons"} | {
            f"reason_{i + 1}": s for i, s in enumerate(r["reasons"])} for r in self.rows])

    def to_markdown(self) -> str:
        """The explanations as a Markdown document, one section per row."""
        out = [f"# Reasons for the score (model {self.model_hash[:12]})", ""]
        for r in self.rows:
            out += [f"## Row {r['id']}", "",
                    f"- Probability of the outcome: {r['pd']:.1%}",
                    f"- Score: {r['score']:.0f} points; risk tier {r['tier']}", "",
                    "The factors that raised this risk the most:" if r["reasons"]
                    else "No factor raised this risk above the average.", ""]
            out += [f"{i + 1}. {s}" for i, s in enumerate(r["reasons"])] + [""]
        return "\n".join(out)

    def write(self, out_dir, stem: str = "explanation") -> dict[str, Path]:
        """Write ``<stem>.md`` and ``<stem>.json`` into ``out_dir`` atomically.

        Returns
        -------
        dict of str to Path
            The paths written, by format (``markdown``, ``json``).
        """
        from .._atomic import write_text_atomic

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {"markdown": out / f"{stem}.md", "json": out / f"{stem}.json"}
        write_text_atomic(paths["markdown"], self.to_markdown())
        write_text_atomic(paths["json"], json.dumps(self.to_dict(), indent=2) + "\n")
        return paths


def _select(model, frame, ids, where):
    col = model.flat.id_column or "row number"
    all_ids = model.flat.row_ids(frame)
    if ids is None:
        return frame, all_ids
    pos = {v: i for i, v in enumerate(all_ids)}
    missing = [str(v) for v in ids if str(v) not in pos]
    if missing:
        raise InputError(MSG_NO_ROW.format(path=where, value=missing[0], col=col))
    take = [pos[str(v)] for v in ids]
    return frame.iloc[take], all_ids[take]


def explain_flat(model_dir, table, ids=None, *, require_audit=True, top_k=4) -> FlatExplanation:
    """Explain rows of a flat table (``ids``: values of the model's id column, or row
    numbers without one; None explains every row)."""
    from ..models import load_model
    from ..models._flat import read_flat_table
    from ._reasons import ReasonCoder

    model = load_model(model_dir)
    if model.flat is None:
        raise InputError(MSG_NOT_FLAT.format(path=model_dir))
    if require_audit:
        from ..fairness import require_passed_audit

        require_passed_audit(model_dir, model=model)
    where = "table" if hasattr(table, "columns") else str(table)
    frame, row_ids = _select(model, read_flat_table(table), ids, where)
    X = model.encode(frame, where)
    pd_ = model.predict_pd(X)
    score = model.scale.from_pd(pd_) if model.kind == "lgbm" else model.score(X)
    reasons = ReasonCoder(model.features, top_k=top_k).fit(model).reasons(X).to_numpy()
    rows = [{"id": str(i), "pd": float(p), "score": float(s), "tier": str(t),
             "reasons": [r for r in rs if r is not None]}
            for i, p, s, t, rs in zip(row_ids, pd_, score, model.tier(pd_), reasons,
                                      strict=True)]
    return FlatExplanation(model.model_hash(), rows)


def flat_scores(model, frame, where="table"):
    """id, pd, score, tier, reason_1..reason_4 of every row (no audit check: the caller's)."""
    import pandas as pd

    from ._reasons import ReasonCoder

    X = model.encode(frame, where)
    pd_ = model.predict_pd(X)
    score = model.scale.from_pd(pd_) if model.kind == "lgbm" else model.score(X)
    out = pd.DataFrame({"id": model.flat.row_ids(frame), "pd": pd_,
                        "score": np.asarray(score, dtype=float),
                        "tier": np.asarray(model.tier(pd_)).astype(str)})
    reasons = ReasonCoder(model.features).fit(model).reasons(X)
    for i in range(1, 5):
        out[f"reason_{i}"] = reasons[f"reason_{i}"].to_numpy()
    return out
