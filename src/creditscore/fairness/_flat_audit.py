"""``creditscore audit`` of a flat-table model: the same audit, proxies, gate and verdict.

The model directory says which columns were protected at training
(``flat.json``); they are read from the audited table itself, turned into
attributes (``_flat_groups``: bands, splits) and audited under the policy
with those attributes. The rows are scored with the model's own encoding,
proxy detection runs on the model's input columns (category codes for
categorical columns: aligning them moves a person to another category of
the same table), and the verdict is recorded in ``MODEL_DIR/audit/`` bound
to the model's hash, so ``score`` and ``explain`` refuse a failed or
unaudited flat model exactly as any other.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from .._errors import InputError, did_you_mean
from ._flat_groups import attribute_frame, flat_policy
from ._gate import AuditResult, run_audit
from ._verdict import record_verdict

__all__ = ["audit_flat_model", "AnnotatedAuditResult", "outcome_labels", "log_audit"]

#: why the record-disparity screen has nothing to look at (a reason phrase, as reports quote it)
NO_RECORDS = ("was not run: a flat table or a file of scores holds no record families "
              "(public records, late contributions or instalments) whose observed rate "
              "could be compared with the rate expected from other behaviour")
MSG_LABEL = ("{path}: column {col!r} has {value!r} on row {row}; expected 0, 1 or missing "
             "(or pass --positive VALUE)")
MSG_NOT_FLAT = "{path}: not a flat-table model (audit it with its feature table and --protected)"
MSG_NO_TARGET = "{path}: the model's target column {col!r} is missing from the table{hint}"
#: the placeholder date of flat rows (the audit needs one; nothing reads it)
FLAT_AS_OF = pd.Timestamp("1970-01-01")


class AnnotatedAuditResult(AuditResult):
    """An ``AuditResult`` with more entries in ``audit.json`` and notes in ``audit.md``."""

    def __init__(self, found: AuditResult, *, extra: dict, notes=(), model_dir=None):
        super().__init__(found.audit, proxies=found.proxies, model_hash=found.model_hash,
                         target=found.target, model_dir=model_dir, created=found.created)
        self._extra, self._notes = dict(extra), list(notes)

    def to_dict(self) -> dict:
        body = super().to_dict()
        if not body.get("record_screen"):
            body["record_screen"] = {"skipped": NO_RECORDS}
        return {**body, **self._extra}

    def to_markdown(self) -> str:
        text = super().to_markdown()
        if self._notes:
            text += "\n## Notes\n" + "".join(f"- {n}\n" for n in self._notes)
        return text


def outcome_labels(frame, col, positive, where) -> np.ndarray:
    """0/1 outcome per row, NaN where unknown (``positive`` maps a text label to 1)."""
    if col not in frame.columns:
        raise InputError(MSG_NO_TARGET.format(path=where, col=col,
                                              hint=did_you_mean(col, frame.columns)))
    s = frame[col].reset_index(drop=True)
    known = s.notna().to_numpy()
    if positive is not None:
        y = np.array(s.astype(str).str.strip() == str(positive), dtype=float)
    else:
        y = np.array(pd.to_numeric(s, errors="coerce"), dtype=float)
        bad = known & ~np.isin(y, (0.0, 1.0))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise InputError(MSG_LABEL.format(path=where, col=col, value=s.iloc[row], row=row))
    y[~known] = np.nan
    return y


def log_audit(action, result, source, out_dir, purpose, extra=None) -> None:
    from .. import audit_log

    fp = audit_log.fingerprint(source) if isinstance(source, (str, os.PathLike)) else None
    audit_log.append(action, purpose=purpose, require_purpose=False,
                     model_hash=result.model_hash, input_fingerprint=fp,
                     n_subjects=result.audit.population["n_subjects"], output=out_dir,
                     extra={"passed": result.passed, **(extra or {})})


def audit_flat_model(model_dir, table, out_dir, policy=None, *, protected=None, bands=None,
                     split=None, proxies=True, random_state=0) -> AnnotatedAuditResult:
    """Audit a flat-table model on a table; write the report files and the verdict.

    Parameters
    ----------
    model_dir : path
    table : path or DataFrame
        Rows to audit: the model's columns, its target (missing where
        unknown) and the protected columns.
    out_dir : path
    policy : path, dict or Policy, optional
    protected : sequence of str, optional
        Default: the protected columns recorded at training.
    bands : dict column -> cut points, optional
    split : dict column -> mapping or attribute names, optional
    """
    from ..models import load_model
    from ..models._flat import read_flat_table

    model = load_model(model_dir)
    if model.flat is None:
        raise InputError(MSG_NOT_FLAT.format(path=model_dir))
    where = "table" if hasattr(table, "columns") else str(table)
    frame = read_flat_table(table).reset_index(drop=True)
    cols = list(protected) if protected else list(model.flat.protected)
    attrs, how = attribute_frame(frame, cols, bands=bands, split=split, policy=policy,
                                 where=where)
    pol = flat_policy(policy, list(attrs.columns))
    rows = model.encode(frame, where)
    ids = model.flat.row_ids(frame)
    rows["subject_id"], rows["as_of"] = ids, FLAT_AS_OF
    rows[model.target] = outcome_labels(frame, model.target, model.flat.positive, where)
    found = run_audit(model, rows, attrs.assign(subject_id=ids), policy=pol, proxies=proxies,
                      random_state=random_state)
    result = AnnotatedAuditResult(found, model_dir=model_dir,
                                  extra={"table": {"file": where, "rows": len(frame)},
                                         "attributes_from": how},
                                  notes=[f"{a}: {h}" for a, h in how.items()])
    result.write(out_dir)
    record_verdict(model_dir, (Path(out_dir) / "audit.json").read_bytes(),
                   model_hash=result.model_hash)
    log_audit("audit", result, table, out_dir, "pre-use fairness audit")
    return result
