"""The gate: audit a model on a population under a policy, write the verdict.

``audit_model`` is what ``creditscore audit`` calls. It scores the rows with
the model, audits the outcomes against the protected table, names proxies,
writes ``audit.json`` (guide: cli), ``audit_groups.parquet`` (the
per-group metrics the reports draw, suppressed groups left out) and
``audit.md`` into the report folder, and records the verdict in
``MODEL_DIR/audit/`` bound to the model's hash. The CLI exits 0 when
``result.passed`` and 3 otherwise. The result and its files: ``_audit_result``.

The rule (policy ``inference`` and ``checks``): a check fails only when its
point estimate and its whole confidence interval lie beyond the threshold.
Why: the default must not fail a model on the noise of small groups, and
must fail a clear disparity; an interval that excludes the threshold is the
evidence that the disparity is real, and with a large group it is narrow
enough to show it. Checks whose estimate is beyond but whose interval is not
are "inconclusive": they pass, and are listed for a person to review.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from .._errors import InputError
from ._audit import FairnessAudit, check_seed
from ._audit_result import GATE_RULE, AuditResult
from ._groups import groupings, sensitive_frame
from ._policy import load_policy
from ._population import outside_summary, target_population
from ._proxies import detect_proxies
from ._records import RecordScreen, screen_records
from ._verdict import record_verdict

__all__ = ["AuditResult", "run_audit", "audit_model", "screen_features", "GATE_RULE"]

MSG_READ = "{path}: cannot read the {what} table ({error})"
MSG_TABLE_TYPE = ("{what}: expected a pandas DataFrame, a pyarrow Table or a path to a Parquet "
                  "or CSV file, got {got}")
MSG_MODEL_TYPE = ("model: expected a model directory, a loaded model or what train_model "
                  "returned, got {got}")
#: what run_audit reads of a model (LoadedModel, UnsavedModel, or any object like them)
MODEL_API = ("predict_pd", "tier", "feature_names", "target", "model_hash")
MSG_SCREEN_SEED = ("the record screen given was run with seed {screen}, the audit with seed "
                   "{audit}; screen the rows with the audit's seed")
MSG_TARGET = "{path}: the model's target column {target!r} is missing from the features"


def _load_model(model):
    if isinstance(model, (str, os.PathLike)):
        from ..models import load_model

        return load_model(model), str(model)
    from ..models._unsaved import unsaved_model

    unsaved = unsaved_model(model, "run_audit")  # train_model's result, kept in memory
    if unsaved is not None:
        return unsaved, None
    if not all(hasattr(model, name) for name in MODEL_API):
        raise InputError(MSG_MODEL_TYPE.format(got=type(model).__name__))
    return model, None


def _read_table(table, what: str) -> tuple[pd.DataFrame, str]:
    if isinstance(table, pd.DataFrame):
        return table, what
    if hasattr(table, "to_pandas") and hasattr(table, "column_names"):  # a pyarrow Table
        return table.to_pandas(), what
    if not isinstance(table, (str, os.PathLike)):
        raise InputError(MSG_TABLE_TYPE.format(what=what, got=type(table).__name__))
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
    model : path, LoadedModel, TrainResult or CalibratedModel
        A model directory (loaded with ``creditscore.models.load_model``); what
        ``train_model(..., out=None)`` returned, or its ``.model``: audited in
        memory, its hash is the one its directory will have, and
        ``TrainResult.save(out, audit=result)`` records the verdict there; or an
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
        The audit's seed: the bootstrap's replicates and the record screen's fold
        assignments come from it, and ``audit.json`` records it as ``seed``. The same seed
        gives the same result.
    records : bool or RecordScreen, default=True
        Run the record-disparity screen. A ``RecordScreen`` from
        ``screen_features`` on the same rows is reused as it is (the screen
        does not depend on the model, only on which families it uses, which
        is re-read from this model's features).
    """
    policy = load_policy(policy)
    random_state = check_seed(random_state)
    if isinstance(records, RecordScreen) and records.seed != random_state:
        raise InputError(MSG_SCREEN_SEED.format(screen=records.seed, audit=random_state))
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
    proxies : bool, default=True
    random_state : int, default=0
        The audit's seed (``audit --seed``), recorded in ``audit.json``.

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
