"""``supervise``: check, draw, measure, write, log (the one path of the command and of Python).

Refusals come before anything is read beyond what they need and before anything is
written: a model that scores persons, or scores of persons (exit 2); a model without a
passed audit of this very model, or scores another model wrote (exit 3); a bad plan, a
missing seed, purpose or entities table (exit 2). The output directory appears whole or
not at all (:func:`creditscore._atomic.atomic_dir`), and the audit log's entry is appended
before it is renamed into place: no draw without its entry.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from .. import audit_log
from .._atomic import atomic_dir
from .._errors import InputError
from ._draw import assign_inspectors, draw_entities, tier_targets
from ._frame import MSG_PERSONS, frame_of, read_entities, read_scores
from ._plan import TIERS, InspectionPlan, read_plan
from ._result import InspectionDraw

__all__ = ["supervise", "MSG_NO_SEED", "MSG_NO_RECORDS", "MSG_NO_MODEL"]

MSG_NO_SEED = ("{file}: no seed: state `seed:` in the plan or give --seed (a draw is "
               "verifiable only from a stated seed)")
MSG_NO_RECORDS = ("{file}: the disparity check needs the entities table: give --records "
                  "RECORD_DIR or `records:` in the plan")
MSG_NO_MODEL = "{path}: no such model directory"
MSG_MODEL_JSON = "{path}: not a model directory (model.json is missing or unreadable)"
MSG_CONFLICT_COLUMN = ("{file}: {key}: {column!r} is neither `entities` nor a column of the "
                       "entities table ({columns})")


def _model_kind(model_dir: Path) -> dict:
    from ..models._entity_tiers import is_entity_model

    if not model_dir.is_dir():
        raise InputError(MSG_NO_MODEL.format(path=model_dir))
    try:
        info = json.loads((model_dir / "model.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(MSG_MODEL_JSON.format(path=model_dir)) from exc
    if not is_entity_model(info.get("feature_names"), info.get("target")):
        raise InputError(MSG_PERSONS.format(what=f"{model_dir} (a person model)"))
    return info


def _conflict_columns(plan: InspectionPlan, entities) -> None:
    for i, inspector in enumerate(plan.inspectors):
        for column in inspector.avoid:
            if column != "entities" and column not in entities.columns:
                raise InputError(MSG_CONFLICT_COLUMN.format(
                    file=plan.source, key=f"inspectors[{i}].avoid", column=column,
                    columns=", ".join(c for c in entities.columns if c != "subject_id")))


def _settings(plan, seed, records, purpose):
    seed = plan.seed if seed is None else seed
    if seed is None:
        raise InputError(MSG_NO_SEED.format(file=plan.source))
    purpose = purpose if purpose is not None else plan.purpose
    if not (purpose and purpose.strip()):
        raise InputError(audit_log.MSG_NO_PURPOSE.format(action="supervise"))
    records = records if records is not None else plan.records
    if records is None:
        raise InputError(MSG_NO_RECORDS.format(file=plan.source))
    return int(seed), purpose.strip(), Path(records)


def _min_group_size(plan: InspectionPlan) -> int:
    if plan.min_group_size is not None:
        return plan.min_group_size
    from ..fairness._entity import ENTITY_POLICY
    from ..fairness._policy import load_policy

    return load_policy(ENTITY_POLICY).min_group_size


def supervise(scores, model_dir, plan, out, *, seed: int | None = None, records=None,
              purpose: str | None = None, as_of: dt.date | None = None,
              log: str | os.PathLike | None = None) -> InspectionDraw:
    """Draw a risk-classified random inspection plan and write it to ``out``.

    Parameters
    ----------
    scores : path
        SCORES.parquet written by ``creditscore score`` with the entity model ``model_dir``.
    model_dir : path
        The entity model; it must hold a passed audit of itself.
    plan : path or InspectionPlan
        ``PLAN.yaml`` (``experiments/supervision_plan.yaml`` is an example).
    out : path
        Output directory: ``inspections.csv`` and ``.parquet`` (the list: entity, tier,
        pd, inspector; not public), ``summary.json``, ``summary.md``, ``summary.html``
        (public: no entity id).
    seed, records, purpose : optional
        Override the plan's ``seed``, ``records`` (a record set or its entities file)
        and ``purpose``.
    as_of : date, optional
        The scores' date to draw from (default: the latest in the file).

    Raises
    ------
    InputError
        Person scores or a person model, a bad plan, bad scores or entities (exit 2).
    PolicyRefusal
        No passed audit of this model, or scores another model wrote (exit 3).
    """
    from ..fairness._verdict import require_passed_audit

    plan = plan if isinstance(plan, InspectionPlan) else read_plan(plan)
    seed, purpose, records = _settings(plan, seed, records, purpose)
    model_dir = Path(model_dir)
    info = _model_kind(model_dir)
    verdict = require_passed_audit(model_dir)
    table, meta = read_scores(scores, verdict.model_hash, model_dir)
    needed = tuple(dict.fromkeys((*plan.attributes, *(c for i in plan.inspectors
                                                       for c in i.avoid if c != "entities"))))
    entities, entities_path = read_entities(records, plan.attributes)
    _conflict_columns(plan, entities)
    frame, day = frame_of(table, scores, entities[["subject_id", *needed]], entities_path,
                          as_of)
    sizes = frame["tier"].value_counts().to_dict()
    targets = tier_targets(sizes, ratios=plan.ratios, capacity=plan.capacity,
                           weights=plan.weights)
    frame["pi"] = frame["tier"].map({t: float(targets[t] / sizes[t]) if sizes.get(t) else 0.0
                                     for t in TIERS}).astype(float)
    drawn, _ = draw_entities(frame, targets, seed)
    drawn["inspector"] = assign_inspectors(drawn, plan.inspectors, seed, plan.source)
    frame["drawn"] = frame["subject_id"].isin(set(drawn["subject_id"]))
    inputs = {"scores_sha256": audit_log.fingerprint(scores),
              "features_sha256": meta.get("creditscore.features_sha256"),
              "entities_sha256": audit_log.fingerprint(entities_path),
              "plan_sha256": audit_log.fingerprint(plan.source)
              if Path(plan.source).is_file() else None}
    result = InspectionDraw(
        plan=plan, seed=seed, purpose=purpose, as_of=day, frame=frame, drawn=drawn,
        targets=targets, min_group_size=_min_group_size(plan), inputs=inputs,
        model={"hash": verdict.model_hash, "target": info.get("target"),
               "audit": verdict.audit_sha256})
    _write(result, Path(out), log)
    return result


def _write(result: InspectionDraw, out: Path, log) -> None:
    with atomic_dir(out) as tmp:
        result.write(tmp)
        # before the directory is renamed into place: no draw without its log entry
        audit_log.append("supervise", purpose=result.purpose,
                         model_hash=result.model["hash"],
                         input_fingerprint=result.inputs["scores_sha256"],
                         n_subjects=len(result.drawn), output=out, path=log,
                         extra={"seed": result.seed, "frame": len(result.frame),
                                "plan_sha256": result.inputs["plan_sha256"],
                                "summary_sha256": audit_log.fingerprint(tmp / "summary.json")})
