"""Retrain on new records: challenger, audit, out-of-time comparison, gated promotion.

1. Build features and labels on the new record set (entity features for
   ``kind="entity"``, guide: entities).
2. The latest date with known labels is the out-of-time window; train a
   challenger on the dates at least 365 days before it, so that no training
   label's window overlaps the window's.
3. Audit it (an entity model across the ``entities`` table under the entity
   policy), write its model card and fairness report, log it to MLflow
   (an entity model under ``creditscore-entity_<target>``).
4. Score the window with the champion (the registered version holding the
   ``champion`` alias) and the challenger; promote the challenger only if its
   audit passed and its AUC beats the champion's by more than ``margin`` on
   these same rows (ties keep the champion: ``_champion.CHAMPION_RULE``).
5. Drift: the champion's training distributions against the newest population.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from .._errors import InputError
from ..reports import FairnessReport, ModelCard
from ..reports import _modelinfo as modelinfo
from ..reports._sources import find, read_json
from ._champion import MARGIN
from ._drift import REFERENCE_FILE, DriftReference, DriftReport
from ._gate import check_gate
from ._mlflow import DEFAULT_EXPERIMENT, log_training_run, registered_model_name, using_tracking
from ._registry import champion_version, registered_model_dir
from ._retrain_result import RetrainResult, _finish, _Outcome

__all__ = ["retrain", "default_as_of"]

MSG_NO_DATES = (
    "{path}: no manifest.json with extracted_on, so observation dates cannot be "
    "chosen; pass as_of dates (--as-of)"
)
MSG_TWO_DATES = (
    "retrain needs labels of {target} known at two or more observation dates "
    "(found {found}); add earlier --as-of dates"
)
MSG_GAP = (
    "retrain needs labels of {target} known at a date at least 365 days before the "
    "out-of-time window {oot}, so that training labels do not overlap it; add earlier "
    "--as-of dates"
)
MSG_ONE_CLASS = "the out-of-time window {as_of} holds only one class of {target}; AUC is undefined"
MSG_NO_PROTECTED = "{path}: no protected table for the audit (pass protected_path)"
MSG_MISSING_FEATURES = "{who} uses features missing from the new features file: {missing}"
MSG_KIND = "retrain --kind {kind!r}: choose person or entity"
MSG_KIND_TARGET = ("retrain --kind {kind} --target {target!r}: the target of {kind} models is "
                   "{targets}")
TARGETS = {"person": ("default_12m", "breach_12m"), "entity": ("entity_breach_12m", "default_12m")}


def _build_features(record_dir: Path, dates: list[dt.date], out: Path) -> Path:
    from ..features import build_features

    build_features(record_dir, dates, out)
    return out


def _build_entity_features(record_dir: Path, dates: list[dt.date], out: Path) -> Path:
    from ..features._entity_engine import build_entity_features

    build_entity_features(record_dir, dates, out)
    return out


def _check_kind(kind: str, target: str) -> None:
    if kind not in TARGETS:
        raise InputError(MSG_KIND.format(kind=kind))
    if target not in TARGETS[kind]:
        raise InputError(MSG_KIND_TARGET.format(kind=kind, target=target,
                                                targets=" or ".join(TARGETS[kind])))


def _train(
    features_path: Path, target: str, model: str, out: Path, train_until: dt.date, seed: int, params
) -> Path:
    from ..models import train_model

    train_model(
        features_path,
        target,
        model=model,
        out=out,
        train_until=train_until,
        seed=seed,
        params=params,
    )
    return out


def _train_entity(features_path: Path, target: str, model: str, out: Path,
                  train_until: dt.date, seed: int, params) -> Path:
    from ..features._entity_defs import ENTITY_MODEL_FEATURES
    from ..models import train_model

    train_model(features_path, target, model=model, out=out, train_until=train_until,
                seed=seed, params=params, features=ENTITY_MODEL_FEATURES)
    return out


def _audit(model_dir: Path, features_path: Path, protected_path: Path, out: Path, policy) -> None:
    from ..fairness import audit_model

    audit_model(model_dir, features_path, protected_path, out, policy=policy)


def _month_end(day: dt.date, months_back: int = 0) -> dt.date:
    """The last day of the month ``months_back`` before the last month ending by ``day``."""
    first = (day + dt.timedelta(days=1)).replace(day=1)
    index = first.year * 12 + first.month - 1 - months_back
    return dt.date(index // 12, index % 12 + 1, 1) - dt.timedelta(days=1)


def default_as_of(record_dir: str | os.PathLike, n_known: int = 5) -> list[dt.date]:
    """Semi-annual month ends whose 12-month labels are known, plus the newest month end.

    Read from ``manifest.json``'s ``extracted_on``.
    """
    manifest = Path(record_dir) / "manifest.json"
    extracted = read_json(manifest).get("extracted_on") if manifest.is_file() else None
    if not extracted:
        raise InputError(MSG_NO_DATES.format(path=record_dir))
    extracted = dt.date.fromisoformat(str(extracted))
    known = extracted - dt.timedelta(days=365)
    dates = [_month_end(known, 6 * k) for k in range(n_known - 1, -1, -1)]
    return [*dates, _month_end(extracted)]


def _windows(frame, target: str) -> tuple:
    """The out-of-time window (the latest date with known labels) and the last training
    date: at least 365 days earlier, so that no training label's window overlaps it."""
    import numpy as np

    dates = sorted(frame.loc[frame[target].notna(), "as_of"].unique())
    if len(dates) < 2:
        raise InputError(MSG_TWO_DATES.format(target=target, found=len(dates)))
    oot = dates[-1]
    earlier = [d for d in dates if d <= oot - np.timedelta64(365, "D")]
    if not earlier:
        raise InputError(MSG_GAP.format(target=target, oot=str(oot)[:10]))
    return oot, earlier[-1]


def _auc(model_dir: Path, rows, target: str, who: str) -> float:
    from sklearn.metrics import roc_auc_score

    model = modelinfo.load_model_dir(model_dir)
    missing = sorted(set(model.feature_names) - set(rows.columns))
    if missing:
        raise InputError(MSG_MISSING_FEATURES.format(who=who, missing=", ".join(missing)))
    labels = rows[target].astype(int)
    if labels.nunique() < 2:
        as_of = str(rows["as_of"].max())[:10] if len(rows) else "(empty)"
        raise InputError(MSG_ONE_CLASS.format(as_of=as_of, target=target))
    return float(roc_auc_score(labels, model.predict_pd(rows[list(model.feature_names)])))


def _reference(model_dir: Path, model, reference_frame, target: str) -> DriftReference | None:
    """The champion's training distributions: stored, else from a frame or its training data."""
    import pandas as pd

    if (model_dir / REFERENCE_FILE).is_file():
        return DriftReference.read(model_dir / REFERENCE_FILE)
    frame = reference_frame
    if frame is None:
        meta = modelinfo.ModelInfo.from_dir(model_dir).meta
        path = find(meta, "features_path", "training_data_path", ("training_data", "path"))
        if not path or not Path(path).is_file():
            return None
        frame = pd.read_parquet(path)
        until = find(meta, "train_until")
        frame = frame[frame[target].notna()]
        if until:
            frame = frame[pd.to_datetime(frame["as_of"]) <= pd.Timestamp(str(until))]
    names = list(model.feature_names)
    return DriftReference.from_frame(frame, model.predict_pd(frame[names]), names)


def _drift(model_dir: Path, new_rows, reference_frame, target: str) -> DriftReport | None:
    model = modelinfo.load_model_dir(model_dir)
    reference = _reference(model_dir, model, reference_frame, target)
    if reference is None:
        return None
    names = list(model.feature_names)
    return DriftReport.compute(
        reference, new_rows, model.predict_pd(new_rows[names]), title=f"Drift report: {target}"
    )


def _protected(record_dir: Path, kind: str = "person") -> Path:
    table = "entities" if kind == "entity" else "protected"
    for name in (f"{table}.parquet", f"{table}.csv"):
        if (record_dir / name).is_file():
            return record_dir / name
    raise InputError(MSG_NO_PROTECTED.format(path=record_dir))


def _champion_side(target, uri, oot_rows, new_rows, reference_frame, kind="person"):
    """(version, AUC on the window, drift report) of the current champion, or Nones."""
    holder = champion_version(target, uri=uri, subjects=kind)
    if holder is None:
        return None, None, None
    with using_tracking(uri), tempfile.TemporaryDirectory() as tmp:
        model_dir = registered_model_dir(registered_model_name(target, kind), holder.version,
                                         tmp)
        auc = _auc(model_dir, oot_rows, target, f"the champion (version {holder.version})")
        drift = _drift(model_dir, new_rows, reference_frame, target)
    return str(holder.version), auc, drift


def retrain(
    record_dir: str | os.PathLike,
    target: str,
    *,
    as_of=None,
    out_dir: str | os.PathLike = "retrain-out",
    model: str = "lgbm",
    margin: float = MARGIN,
    protected_path=None,
    policy=None,
    seed: int = 0,
    params=None,
    experiment: str = DEFAULT_EXPERIMENT,
    reference_frame=None,
    uri: str | None = None,
    kind: str = "person",
) -> RetrainResult:
    """Train, audit and log a challenger on new records; promote it only through the gate.

    Parameters
    ----------
    record_dir : path
        The new record set.
    target : {"default_12m", "breach_12m", "entity_breach_12m"}
        Persons: default_12m or breach_12m; entities: entity_breach_12m or default_12m.
    as_of : list of date, optional
        Observation dates; default :func:`default_as_of`.
    out_dir : path, default="retrain-out"
        Receives ``features.parquet``, ``challenger/``, ``audit/`` and ``reports/``.
    model : {"lgbm", "scorecard"}, default="lgbm"
    margin : float, default=0.005
        The out-of-time AUC the challenger must gain over the champion; ties keep it.
    protected_path : path, optional
        Default: the record set's protected table (entities: its ``entities`` table).
    policy : path, optional
        Gate policy (default: the package's; entities: ``fairness/entity_policy.yaml``).
    seed : int, default=0
    params : dict, optional
    experiment : str, default="creditscore"
    reference_frame : pandas.DataFrame, optional
        The champion's training features, used for drift when the champion's
        directory stores no ``drift_reference.json`` and no readable training data.
    uri : str, optional
        Tracking URI; default ``tracking_uri()``.
    kind : {"person", "entity"}, default="person"
        The subjects the challenger scores (guide: entities).
    """
    import pandas as pd

    _check_kind(kind, target)
    if kind == "entity" and policy is None:
        from ..fairness._entity import ENTITY_POLICY as policy

    record_dir, out_dir = Path(record_dir), Path(out_dir)
    dates = [dt.date.fromisoformat(str(d)[:10]) for d in (as_of or default_as_of(record_dir))]
    entity = kind == "entity"
    build, train = ((_build_entity_features, _train_entity) if entity
                    else (_build_features, _train))
    features_path = build(record_dir, dates, out_dir / "features.parquet")
    frame = pd.read_parquet(features_path)
    frame["as_of"] = pd.to_datetime(frame["as_of"])
    oot, train_until = _windows(frame, target)
    challenger = train(
        features_path,
        target,
        model,
        out_dir / "challenger",
        pd.Timestamp(train_until).date(),
        seed,
        params,
    )
    audit_dir = out_dir / "audit"
    _audit(
        challenger, features_path, Path(protected_path or _protected(record_dir, kind)), audit_dir,
        policy,
    )
    reports = out_dir / "reports"
    card = ModelCard.from_model_dir(challenger, audit_dir=audit_dir).write(reports)
    fairness = FairnessReport.from_audit_dir(audit_dir).write(reports)
    run_id = log_training_run(
        challenger,
        experiment=experiment,
        card_paths=card,
        fairness_paths=fairness,
        audit_dir=audit_dir,
        features=features_path,
        run_name=f"retrain-{'entity-' if kind == 'entity' else ''}{target}-{model}",
        uri=uri,
    )
    oot_rows = frame[(frame["as_of"] == oot) & frame[target].notna()]
    new_rows = frame[frame["as_of"] == frame["as_of"].max()]
    champion, champion_auc, drift = _champion_side(target, uri, oot_rows, new_rows, reference_frame,
                                                   kind)
    outcome = _Outcome(
        target=target,
        uri=uri,
        run_id=run_id,
        model_dir=challenger,
        reports=reports,
        paths={"model_card": card["html"], "fairness_report": fairness["html"]},
        oot=str(oot)[:10],
        train_until=str(train_until)[:10],
        margin=margin,
        gate=check_gate(challenger),
        challenger_auc=_auc(challenger, oot_rows, target, "the challenger"),
        champion=champion,
        champion_auc=champion_auc,
        drift=drift,
        subjects=kind,
        rows=oot_rows,
    )
    return _finish(outcome)
