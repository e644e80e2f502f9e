"""The gate: audit a model on a population under a policy, write the verdict.

``audit_model`` is what ``creditscore audit`` calls. It scores the rows with
the model, audits the outcomes against the protected table, names proxies,
writes ``audit.json`` (shared/spec/cli.md), ``audit_groups.parquet`` (the
per-group metrics the reports draw, suppressed groups left out) and
``audit.md`` into the report folder, and records the verdict in
``MODEL_DIR/audit/`` bound to the model's hash. The CLI exits 0 when
``result.passed`` and 3 otherwise.

The rule (policy ``inference`` and ``checks``): a check fails only when its
point estimate and its whole confidence interval lie beyond the threshold.
Why: the default must not fail a model on the noise of small groups, and
must fail a clear disparity; an interval that excludes the threshold is the
evidence that the disparity is real, and with a large group it is narrow
enough to show it. Checks whose estimate is beyond but whose interval is not
are "inconclusive": they pass, and are listed for a person to review.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from .._atomic import atomic_file, write_text_atomic
from .._errors import InputError
from ._audit import FairnessAudit, _json_rows
from ._checks import gate_failures
from ._groups import groupings, sensitive_frame
from ._policy import load_policy
from ._population import outside_summary, target_population
from ._proxies import detect_proxies
from ._records import RecordScreen, screen_records
from ._verdict import record_verdict

__all__ = ["AuditResult", "run_audit", "audit_model", "screen_features", "GATE_RULE"]

FORMAT = "creditscore-audit/1"
GATE_RULE = (
    "A check fails only when its point estimate and its whole confidence interval lie beyond "
    "the threshold; inconclusive (passes, listed for review) when the estimate is beyond and the "
    "interval reaches back across it. The audit passes unless a gate check fails. The "
    "flag_rate_ratio check is the four-fifths screen (a screening rule, not a finding). "
    "Outcome checks are computed on the rows the target is defined for; the record_disparity "
    "checks (the record screen) on every audited row, and gate only the record families the "
    "model uses."
)
MSG_READ = "{path}: cannot read the {what} table ({error})"
MSG_TARGET = "{path}: the model's target column {target!r} is missing from the features"


class AuditResult:
    """A model's audit under a policy: the verdict and everything behind it.

    Read-only; build it with ``run_audit`` or ``audit_model``.
    """

    def __init__(self, audit: FairnessAudit, *, proxies=None, model_hash: str, target: str,
                 model_dir: str | None = None, created: str | None = None,
                 records: RecordScreen | None = None, outside: dict | None = None):
        self._audit, self._proxies = audit, proxies
        self._records, self._outside = records, outside
        self._model_hash, self._target = model_hash, target
        self._model_dir = None if model_dir is None else str(model_dir)
        self._created = created or dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")

    @property
    def passed(self) -> bool:
        """The outcome checks passed and no record family the model uses is uneven."""
        return self._audit.passed and not len(self._record_failed())

    @property
    def reason(self) -> str:
        """One line: why the audit passed or failed."""
        outcome, uneven = self._audit.reason, self._record_failed()
        if not len(uneven):
            return outcome
        first = uneven.sort_values("value", ascending=False).iloc[0]
        text = (f"{len(uneven)} record_disparity checks failed, worst {first['attribute']}/"
                f"{first['family']}/{first['group']} = {first['value']:.2f}x the records its "
                f"other behaviour predicts (threshold {first['threshold']})")
        return text if self._audit.passed else f"{outcome}; {text}"

    @property
    def records(self) -> RecordScreen | None:
        """The record-disparity screen (None when not run)."""
        return self._records

    @property
    def outside_population(self) -> dict | None:
        """The rows outside the target's population, reported apart."""
        return None if self._outside is None else dict(self._outside)

    def _record_failed(self) -> pd.DataFrame:
        return self._records.failed if self._records is not None else pd.DataFrame()

    @property
    def audit(self) -> FairnessAudit:
        return self._audit

    @property
    def proxies(self):
        """The ProxyReport, or None when proxy detection was not run."""
        return self._proxies

    @property
    def model_hash(self) -> str:
        return self._model_hash

    @property
    def target(self) -> str:
        return self._target

    @property
    def created(self) -> str:
        """UTC time of the audit (ISO 8601)."""
        return self._created

    @property
    def checks(self) -> pd.DataFrame:
        """Outcome checks, then the record screen's (``family`` set on those only)."""
        if self._records is None or not len(self._records.checks):
            return self._audit.checks
        return pd.concat([self._audit.checks, self._records.checks], ignore_index=True)

    @property
    def failed(self) -> pd.DataFrame:
        return gate_failures(self.checks)

    def to_frame(self) -> pd.DataFrame:
        """Per-group metrics (suppressed groups left out): ``audit_groups.parquet``."""
        return self._audit.to_frame()

    def to_dict(self) -> dict:
        """The content of ``audit.json``."""
        import fairlearn

        from .. import __version__

        pol = self._audit.policy
        decision = ({"flag_tiers": list(pol.flag_tiers)} if pol.flag_tiers
                    else {"pd_cutoff": pol.pd_cutoff})
        body = self._audit.to_dict()
        body.pop("passed")
        body["reason"] = self.reason
        if self._records is not None:
            body["checks"] += _json_rows(self._records.checks, ci=True)
        proxies = None if self._proxies is None else self._proxies.to_dict()
        return {
            "format": FORMAT, "passed": self.passed, "model": self._model_hash,
            "model_dir": self._model_dir, "target": self._target, "created": self._created,
            "gate_rule": GATE_RULE, "decision": decision, **body,
            "proxies": None if proxies is None else proxies["named"],
            "proxy_screen": None if proxies is None else {
                "thresholds": proxies["thresholds"], "features": proxies["features"]},
            "record_screen": None if self._records is None else self._records.to_dict(),
            "outside_population": self._outside,
            "policy": pol.to_dict(),
            "software": {"creditscore": __version__, "fairlearn": fairlearn.__version__},
        }

    def to_json(self) -> bytes:
        return (json.dumps(self.to_dict(), indent=2, default=str, allow_nan=False) + "\n").encode()

    def to_markdown(self) -> str:
        from ._render import audit_markdown, table

        text = audit_markdown(self._audit, title=f"Fairness audit of model {self._model_hash[:12]}")
        if self._records is not None:
            text += "\n## Uneven records\n" + ("\n".join(
                f"- {line}" for line in self._records.sentences())
                or f"- {self._records.skipped}") + "\n"
        if self._proxies is not None:
            text += "\n## Named proxies\n" + table(self._proxies.named, [
                "feature", "attribute", "auc", "nmi", "disparity_reduction", "carries_disparity"])
        return text

    def write(self, out_dir: str | os.PathLike) -> dict[str, Path]:
        """Write audit.json, audit_groups.parquet and audit.md (each atomically)."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {"groups": out / "audit_groups.parquet", "markdown": out / "audit.md",
                 "audit": out / "audit.json"}
        with atomic_file(paths["groups"]) as tmp:
            self.to_frame().to_parquet(tmp, index=False)
        write_text_atomic(paths["markdown"], self.to_markdown())
        with atomic_file(paths["audit"]) as tmp:
            tmp.write_bytes(self.to_json())
        return paths

    def __repr__(self) -> str:
        return f"AuditResult(passed={self.passed}, model={self._model_hash[:12]}, {self._audit!r})"


def _load_model(model):
    if isinstance(model, (str, os.PathLike)):
        from ..models import load_model

        return load_model(model), str(model)
    return model, None


def _read_table(table, what: str) -> tuple[pd.DataFrame, str]:
    if isinstance(table, pd.DataFrame):
        return table, what
    path = Path(table)
    try:
        frame = pd.read_csv(path) if path.suffix.lower() == ".csv" else pd.read_parquet(path)
    except (OSError, ValueError, ImportError) as exc:
        raise InputError(MSG_READ.format(path=path, what=what, error=str(exc).splitlines()[0])
                         ) from exc
    return frame, str(path)


def run_audit(model, features, protected, *, policy=None, proxies: bool = True,
              random_state: int = 0, records: bool | RecordScreen = True) -> AuditResult:
    """Audit a model on a population (nothing is written).

    Parameters
    ----------
    model : path or LoadedModel
        A model directory (loaded with ``creditscore.models.load_model``) or an
        object with ``predict_pd``, ``tier``, ``feature_names``, ``target``,
        ``model_hash()``.
    features : DataFrame or path
        Rows to score: ``subject_id``, ``as_of``, the model's features and its
        target column (missing where unknown).
    protected : DataFrame or path
        The protected table (spec/records.md).
    policy : Policy, path or dict, default=None
    proxies : bool, default=True
        Run proxy detection (re-scores the rows once per feature).
    random_state : int, default=0
    records : bool or RecordScreen, default=True
        Run the record-disparity screen. A ``RecordScreen`` from
        ``screen_features`` on the same rows is reused as it is (the screen
        does not depend on the model, only on which families it uses, which
        is re-read from this model's features).
    """
    policy = load_policy(policy)
    model, model_dir = _load_model(model)
    model_hash = model.model_hash()
    frame, fsource = _read_table(features, "features")
    prot, psource = _read_table(protected, "protected")
    frame = frame.reset_index(drop=True)
    if model.target not in frame.columns:
        raise InputError(MSG_TARGET.format(path=fsource, target=model.target))
    sens, _ = sensitive_frame(frame, prot, policy, source=psource)
    subjects = frame["subject_id"].astype(str).to_numpy()
    pd_ = np.asarray(model.predict_pd(frame), dtype=float)
    tiers = model.tier(pd_) if policy.flag_tiers else None
    inside, untold = target_population(frame, model.target)
    audit = FairnessAudit(frame.loc[inside, model.target], pd_[inside],
                          None if tiers is None else np.asarray(tiers)[inside],
                          sensitive_features=sens.loc[inside], subject_ids=subjects[inside],
                          policy=policy, random_state=random_state)
    groups = _audited_groups(groupings(sens, subjects, policy), audit)
    outside = outside_summary(inside, pd_, tiers, groups, subjects, policy, untold)
    screen = None
    if isinstance(records, RecordScreen):
        screen = records.for_model(model.feature_names)
    elif records:
        screen = screen_records(frame, groups, subjects, model.feature_names, policy,
                                random_state=random_state)
    report = None
    if proxies:
        report = detect_proxies(model, frame, sens, subject_ids=frame["subject_id"].to_numpy(),
                                policy=policy, random_state=random_state)
    return AuditResult(audit, proxies=report, model_hash=model_hash, target=model.target,
                       model_dir=model_dir, records=screen, outside=outside)


def _audited_groups(groups, audit: FairnessAudit):
    """The groupings of every row, less the groups the audit suppressed (privacy: a group
    too small in the target's population shows no number anywhere)."""
    from ._groups import Grouping

    hidden = {(a, g) for a, g in audit.suppressed[["attribute", "group"]].itertuples(index=False)}
    out = []
    for grp in groups:
        keep = [i for i, name in enumerate(grp.names) if (grp.attribute, name) not in hidden]
        remap = np.full(len(grp.names) + 1, -1, dtype=np.int64)
        remap[keep] = np.arange(len(keep))
        codes = np.where(grp.codes >= 0, remap[grp.codes], -1)
        suppressed = tuple(sorted({*grp.suppressed, *(grp.names[i] for i in range(
            len(grp.names)) if i not in keep)}))
        out.append(Grouping(grp.attribute, codes, tuple(grp.names[i] for i in keep), suppressed,
                            grp.n_missing))
    return out


def screen_features(features, protected, *, policy=None, random_state: int = 0) -> RecordScreen:
    """The record-disparity screen of a feature table alone (no model: every family counts
    as used; ``run_audit(..., records=screen)`` re-reads which ones a model uses)."""
    policy = load_policy(policy)
    frame, _ = _read_table(features, "features")
    prot, psource = _read_table(protected, "protected")
    frame = frame.reset_index(drop=True)
    sens, _ = sensitive_frame(frame, prot, policy, source=psource)
    subjects = frame["subject_id"].astype(str).to_numpy()
    return screen_records(frame, groupings(sens, subjects, policy), subjects, None, policy,
                          random_state=random_state)


def audit_model(model_dir, features_path, protected_path, out_dir, policy=None, *, model=None,
                proxies: bool = True, random_state: int = 0) -> AuditResult:
    """``creditscore audit``: audit, write the report files, record the verdict.

    Parameters
    ----------
    model_dir : path
        The model directory; the verdict goes to ``MODEL_DIR/audit/``.
    features_path, protected_path : path
        Parquet (or CSV) of the rows to audit and of the protected table.
    out_dir : path
        Report folder: ``audit.json``, ``audit_groups.parquet``, ``audit.md``.
    policy : path, dict or Policy, default=None
        The gate policy; the shipped default when None.
    model : LoadedModel, default=None
        The model already loaded from ``model_dir`` (default: load it).

    Returns
    -------
    AuditResult
        ``.passed`` decides the exit code (0 or 3).
    """
    found = run_audit(model if model is not None else model_dir, features_path, protected_path,
                      policy=policy, proxies=proxies, random_state=random_state)
    result = AuditResult(found.audit, proxies=found.proxies, model_hash=found.model_hash,
                         target=found.target, model_dir=model_dir, created=found.created,
                         records=found.records, outside=found.outside_population)
    result.write(out_dir)
    record_verdict(model_dir, (Path(out_dir) / "audit.json").read_bytes(),
                   model_hash=result.model_hash)
    _log_audit(result, features_path, protected_path, out_dir)
    return result


def _log_audit(result: AuditResult, features_path, protected_path, out_dir) -> None:
    """Every audit goes into the append-only audit log (who, which model, how many)."""
    from .. import audit_log

    inputs = [p for p in (features_path, protected_path) if isinstance(p, (str, os.PathLike))]
    audit_log.append("audit", purpose="pre-use fairness audit", require_purpose=False,
                     model_hash=result.model_hash,
                     input_fingerprint=audit_log.fingerprint(*inputs) if inputs else None,
                     n_subjects=result.audit.population["n_subjects"], output=out_dir,
                     extra={"passed": result.passed})
