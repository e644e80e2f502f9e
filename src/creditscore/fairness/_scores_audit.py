"""``creditscore audit-scores``: the gate for scores made by a model creditscore never saw.

A regulator receives a file of one row per person: a score (or a PD), the
observed outcome where known, and protected columns. The decision audited is
who would be flagged: the riskiest ``flag_share`` of the rows (default
``DEFAULT_FLAG_SHARE``; ties at the cut are all flagged), or every row at or
beyond ``threshold``. ``riskier`` says which end of the score is risky
("high": a PD; "low": points, where fewer points mean more risk).

Every group metric, interval, suppression rule and gate check is the same
audit as for a creditscore model (``FairnessAudit``). Two differences, both
written into ``audit.json``: proxy detection is skipped (it needs the
model's inputs, which a scores file does not hold), and when the score is
not a probability (outside [0, 1], or riskier low) the two checks that read
it as a PD are left out (calibration compares a PD with the observed rate,
and the excess FNR the misses with those the PDs predict) and the AUC is
computed from the score's ranks. The audit is bound to the sha256 of the
scores file (audit.json ``model`` and ``scores.sha256``) and appended to
the audit log; there is no model directory to record a verdict in.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from .._errors import InputError
from ._audit import FairnessAudit
from ._flat_audit import AnnotatedAuditResult, log_audit, outcome_labels
from ._flat_groups import attribute_frame, flat_policy
from ._gate import AuditResult

__all__ = ["audit_scores", "scores_decision", "DEFAULT_FLAG_SHARE", "PROXY_SKIPPED"]

DEFAULT_FLAG_SHARE = 0.2
PROXY_SKIPPED = ("Proxy detection was skipped: it asks which model inputs stand in for a "
                 "protected attribute, and a file of scores holds no model inputs.")
CALIBRATION_SKIPPED = ("The calibration check and the excess false-negative rate were left "
                       "out: the score is not a probability of the outcome (it is outside "
                       "[0, 1] or lower means riskier), so there is no predicted rate to "
                       "compare with the observed one.")
#: the checks that read the score as a PD
NEED_PD = ("calibration_gap", "fnr_excess_difference")
MSG_SCORE = "{path}: score column {col!r} is not numeric (row {row} holds {value!r})"
MSG_NO_SCORE = "{path}: score column {col!r} has no values"
MSG_SHARE = "--flag-share {value}: must lie strictly between 0 and 1 (e.g. 0.2)"
MSG_BOTH = "give --flag-share or --threshold, not both"
MSG_RISKIER = "--riskier {value!r}: expected high (a higher score is riskier) or low"
MSG_COLUMN = "{path}: no {what} column {col!r} (columns: {cols})"
MSG_DUP = "{path}: id column {col!r} has duplicates (first: {value!r})"


def _scores(frame, col, where) -> np.ndarray:
    if col not in frame.columns:
        cols = ", ".join(map(str, list(frame.columns)[:12]))
        raise InputError(MSG_COLUMN.format(path=where, what="score", col=col, cols=cols))
    s = frame[col].reset_index(drop=True)
    num = pd.to_numeric(s, errors="coerce")
    bad = num.isna() & s.notna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(MSG_SCORE.format(path=where, col=col, row=row, value=s.iloc[row]))
    if num.notna().sum() == 0:
        raise InputError(MSG_NO_SCORE.format(path=where, col=col))
    return num.to_numpy(dtype=float)


def scores_decision(score, *, riskier="high", flag_share=None, threshold=None):
    """Who is flagged (booleans) and the decision as written in audit.json."""
    if riskier not in ("high", "low"):
        raise InputError(MSG_RISKIER.format(value=riskier))
    if flag_share is not None and threshold is not None:
        raise InputError(MSG_BOTH)
    risk = score if riskier == "high" else -score
    if threshold is not None:
        cut = float(threshold) if riskier == "high" else -float(threshold)
        flagged = risk >= cut
        rule = {"threshold": float(threshold)}
    else:
        share = DEFAULT_FLAG_SHARE if flag_share is None else float(flag_share)
        if not 0 < share < 1:
            raise InputError(MSG_SHARE.format(value=flag_share))
        known = np.sort(risk[~np.isnan(risk)])[::-1]
        cut = known[max(int(np.ceil(share * len(known))) - 1, 0)]
        flagged = risk >= cut
        rule = {"flag_share": share, "cutoff": float(cut if riskier == "high" else -cut)}
    flagged = np.where(np.isnan(risk), False, flagged)
    return flagged, {"riskier": riskier, **rule, "flagged_share": float(flagged.mean())}


def _pd_like(score, riskier) -> tuple[np.ndarray, bool]:
    """The score as the audit's PD, and whether it is a real probability."""
    finite = score[~np.isnan(score)]
    if riskier == "high" and finite.min() >= 0 and finite.max() <= 1:
        return np.nan_to_num(score, nan=float(np.nanmean(score))), True
    risk = pd.Series(score if riskier == "high" else -score)
    ranks = risk.rank(method="average").fillna(risk.rank().mean()).to_numpy()
    return ranks / (len(ranks) + 1), False


def _ids(frame, id_col, where) -> np.ndarray:
    if id_col is None:
        return np.arange(len(frame)).astype(str)
    if id_col not in frame.columns:
        cols = ", ".join(map(str, list(frame.columns)[:12]))
        raise InputError(MSG_COLUMN.format(path=where, what="id", col=id_col, cols=cols))
    ids = frame[id_col].astype(str)
    dup = ids[ids.duplicated()]
    if len(dup):
        raise InputError(MSG_DUP.format(path=where, col=id_col, value=dup.iloc[0]))
    return ids.to_numpy()


def audit_scores(scores, *, score, label, protected, out_dir=None, riskier="high",
                 flag_share=None, threshold=None, positive=None, id_column=None, bands=None,
                 split=None, policy=None, random_state=0) -> AnnotatedAuditResult:
    """Audit a file of scores; write audit.json, audit_groups.parquet, audit.md.

    Parameters
    ----------
    scores : path or DataFrame
        One row per person (CSV or Parquet).
    score, label : str
        The score (or PD) column and the observed outcome (0/1, missing
        where unknown; ``positive`` maps a text outcome to 1).
    protected : sequence of str
        Protected columns (banded or split as in ``_flat_groups``).
    out_dir : path, optional
        Where the audit files go; None writes nothing (and logs nothing).
    riskier, flag_share, threshold
        The decision (see :func:`scores_decision`).

    Returns
    -------
    AuditResult
        ``passed`` decides the exit code (0 or 3).
    """
    from ..models._flat import read_flat_table

    where = "scores" if hasattr(scores, "columns") else str(scores)
    frame = read_flat_table(scores).reset_index(drop=True)
    values = _scores(frame, score, where)
    flagged, decision = scores_decision(values, riskier=riskier, flag_share=flag_share,
                                        threshold=threshold)
    y = outcome_labels(frame, label, positive, where)
    ids = _ids(frame, id_column, where)
    attrs, how = attribute_frame(frame, protected, bands=bands, split=split, policy=policy,
                                 where=where)
    pol = flat_policy(policy, list(attrs.columns))
    pd_, is_pd = _pd_like(values, riskier)
    notes = [PROXY_SKIPPED]
    if not is_pd:
        pol = _without_pd_checks(pol)
        notes.append(CALIBRATION_SKIPPED)
    audit = FairnessAudit(y, pd_, flagged, sensitive_features=attrs, subject_ids=ids,
                          policy=pol, random_state=random_state)
    digest = (hashlib.sha256(Path(scores).read_bytes()).hexdigest() if where != "scores"
              else hashlib.sha256(pd.util.hash_pandas_object(frame).to_numpy().tobytes()
                                  ).hexdigest())
    found = AuditResult(audit, proxies=None, model_hash=digest, target=label)
    result = AnnotatedAuditResult(found, notes=notes + [f"{a}: {h}" for a, h in how.items()],
                                  extra={"decision": decision, "proxy_screen": {
                                      "skipped": PROXY_SKIPPED},
                                      "scores": {"file": where, "sha256": digest,
                                                 "score_column": score, "label_column": label,
                                                 "score_is_pd": is_pd, "rows": len(frame)},
                                      "attributes_from": how, "notes": notes})
    if out_dir is not None:
        result.write(out_dir)
        log_audit("audit-scores", result, scores, out_dir, "fairness audit of a scores file",
                  extra={"scores_sha256": digest})
    return result


def _without_pd_checks(policy):
    from ._policy import load_policy

    raw = dict(policy.raw)
    raw["checks"] = {k: v for k, v in raw["checks"].items() if k not in NEED_PD}
    return load_policy(raw)
