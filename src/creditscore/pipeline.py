"""The whole pipeline in one call: what ``creditscore demo`` runs.

Generate a synthetic record set, validate it, build point-in-time features
and labels, train the default and breach models out of time, audit each
before use, write the model cards, fairness reports and data sheet, log
everything to the tracking store (the ``champion`` alias only through the
gate), write one subject's letter, and score the latest date with every
model that passed. Every step goes through the same public functions the
CLI commands call; nothing here is special to the demo but its defaults.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DemoResult", "run_demo", "DEMO_AS_OF", "DEMO_TRAIN_UNTIL", "write_mitigation_reports"]

#: semi-annual observation dates; labels are known up to 2023-12-31 (extracted 2024-12-31)
DEMO_AS_OF = tuple(dt.date.fromisoformat(d) for d in (
    "2021-06-30", "2021-12-31", "2022-06-30", "2022-12-31", "2023-06-30", "2023-12-31",
    "2024-12-31"))
#: fit on as_of <= this; the later known dates are the out-of-time audit window
DEMO_TRAIN_UNTIL = dt.date(2022, 12, 31)
DEMO_PURPOSE = "demo: early-warning review of a synthetic population"
#: the demo's inspection plan for its employers (the shipped experiments/supervision_plan.yaml
#: with inspectors sized for a few hundred employers)
DEMO_PLAN = {
    "purpose": "demo: risk-classified random inspection of the synthetic employers",
    "ratios": {"A": 0.02, "B": 0.05, "C": 0.15, "D": 0.40},
    "inspectors": [{"id": f"inspector-{i:02d}", "capacity": 40} for i in range(1, 4)]
    + [{"id": "inspector-04", "capacity": 40, "avoid": {"ownership": ["state"]}}],
}


@dataclass
class DemoResult:
    """Where every output of a demo run is."""

    out: Path
    outputs: dict[str, Path | str] = field(default_factory=dict)
    verdicts: dict[str, bool] = field(default_factory=dict)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        """One aligned line per output: its name and where it is."""
        width = max(map(len, self.outputs), default=0)
        return [f"{k.ljust(width)}  {v}" for k, v in self.outputs.items()]


@contextlib.contextmanager
def _stores_under(out: Path, track: bool) -> Iterator[dict[str, str]]:
    """The demo's tracking store and audit log under ``out``, unless the user chose them.

    ``$MLFLOW_TRACKING_URI`` and ``$CREDITSCORE_AUDIT_LOG`` win when set; otherwise both
    are pointed under ``out`` for the run (a SQLite store whose artifacts lie beside it,
    see :func:`creditscore.tracking.use_experiment`) and restored afterwards.
    """
    chosen = {"CREDITSCORE_AUDIT_LOG": str(out / "creditscore-audit.jsonl")}
    if track:
        chosen["MLFLOW_TRACKING_URI"] = f"sqlite:///{(out / 'mlflow.db').resolve()}"
    before = {k: os.environ.get(k) for k in chosen}
    used = {k: before[k] or v for k, v in chosen.items()}
    os.environ.update(used)
    try:
        yield used
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _split_features(features: Path, out: Path, train_until: dt.date,
                    stem: str = "features") -> tuple[Path, Path]:
    """Out-of-time audit rows (known labels after train_until) and the latest date's rows."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from ._atomic import atomic_file

    table = pq.read_table(features)
    as_of = table["as_of"]
    latest = pc.max(as_of)
    audit = table.filter(pc.and_(pc.greater(as_of, train_until), pc.less(as_of, latest)))
    current = table.filter(pc.equal(as_of, latest))
    paths = out / f"{stem}_oot.parquet", out / f"{stem}_latest.parquet"
    for path, part in zip(paths, (audit, current), strict=True):
        with atomic_file(path) as tmp:
            pq.write_table(part, tmp)
    return paths


def _model_step(features, oot, protected, out, target, kind, seed, track, say,
                pdf=False) -> dict:
    from .fairness import audit_model
    from .models import train_model

    name = f"{target}_{kind}"
    model_dir, report_dir = out / "models" / name, out / "reports" / name
    say(f"train {name}")
    train_model(features, target, kind, model_dir, train_until=DEMO_TRAIN_UNTIL, seed=seed)
    say(f"audit {name}")
    result = audit_model(model_dir, oot, protected, report_dir)
    validation = _backtest_step(model_dir, features, report_dir, pdf, say, name)
    paths = write_model_reports(model_dir, report_dir, pdf=pdf)
    promotion = None
    if track:
        say(f"track {name}")
        promotion = track_model(model_dir, report_dir, paths, features=features, rows=oot)
        say(f"champion of {target}: {promotion.reason}")
    return {"name": name, "model_dir": model_dir, "report_dir": report_dir,
            "passed": result.passed, "validation": validation, "promotion": promotion,
            **paths}


def _backtest_step(model_dir, features, report_dir, pdf, say, name) -> Path:
    """The model on its validation sample (the rows a label horizon after its samples):
    ``REPORT_DIR/validation/``, and the model card's headline (``MODEL_DIR/audit/``)."""
    from .models import backtest
    from .reports import write_validation

    say(f"backtest {name}")
    result = backtest(model_dir, features)
    write_validation(result, Path(report_dir) / "validation", model_dir, pdf=pdf)
    say(f"  {result.summary()}")
    return Path(report_dir) / "validation" / "validation.json"


def write_model_reports(model_dir, report_dir, *, pdf: bool = False) -> dict[str, Path]:
    """The model card and fairness report of an audited model (HTML + Markdown, and PDF)."""
    from .reports import FairnessReport, ModelCard

    card = ModelCard.from_model_dir(model_dir, audit_dir=report_dir).write(report_dir, pdf=pdf)
    fairness = FairnessReport.from_audit_dir(report_dir).write(report_dir, pdf=pdf)
    return {"card": card, "fairness": fairness}


def write_mitigation_reports(result, out) -> dict:
    """The reports of a mitigation search, beside its frontier.

    The model card and fairness report of the original and of the chosen
    candidate (in their ``reports/NAME`` folders, each fairness report with the
    frontier section), and ``OUT/fairness_report.*`` and ``OUT/model_card.*``:
    those of the chosen candidate, or of the original when none was chosen.
    Every other candidate keeps its ``audit.json`` and ``audit.md``.
    """
    from .reports import FairnessReport, ModelCard

    out = Path(out)
    shown = [result.original] + ([result.chosen] if result.chosen is not None else [])
    paths = {}
    for c in shown:
        frontier = result if c is result.chosen else None  # the chosen one's card shows it
        card = ModelCard.from_model_dir(c.model_dir, audit_dir=c.report_dir,
                                        mitigation=frontier).write(c.report_dir)
        fairness = FairnessReport.from_audit_dir(c.report_dir, mitigation=result).write(
            c.report_dir)
        paths["chosen" if c is result.chosen else "original"] = {"card": card,
                                                                 "fairness": fairness}
    top = shown[-1]
    paths["card"] = ModelCard.from_model_dir(
        top.model_dir, audit_dir=top.report_dir,
        mitigation=result if top is result.chosen else None).write(out)
    paths["fairness"] = FairnessReport.from_audit_dir(top.report_dir, mitigation=result).write(
        out)
    return paths


def _comparison_step(out: Path, steps: list[dict], pdf: bool, say) -> Path | None:
    """The comparison page of the first two models of one target (champion/challenger)."""
    from .reports import ModelComparison

    by_target: dict[str, list[dict]] = {}
    for step in steps:
        by_target.setdefault(step["name"].rsplit("_", 1)[0], []).append(step)
    pair = next((v[:2] for v in by_target.values() if len(v) >= 2), None)
    if pair is None:
        return None
    a, b = pair
    say(f"compare {a['name']} with {b['name']}")
    page = ModelComparison.from_model_dirs(a["model_dir"], b["model_dir"],
                                           audit_a=a["report_dir"], audit_b=b["report_dir"])
    page.stem = f"comparison_{a['name']}_vs_{b['name']}"
    return page.write(out / "reports", pdf=pdf)["html"]


def track_model(model_dir, report_dir, paths: dict, *, features=None, rows=None):
    """Log an audited model to MLflow and promote it through the gate: it takes the
    ``champion`` alias only if it also beats the current champion on ``rows`` (the
    out-of-time rows of its audit; ``tracking._champion.CHAMPION_RULE``)."""
    import os
    import warnings

    from .tracking import log_training_run, promote_if_passed

    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    with warnings.catch_warnings():
        # the signature keeps count features as integers on purpose (see tracking)
        warnings.filterwarnings("ignore", message=".*Inferred schema contains integer.*")
        run_id = log_training_run(model_dir, card_paths=paths.get("card"),
                                  fairness_paths=paths.get("fairness"), audit_dir=report_dir,
                                  features=features)
        return promote_if_passed(run_id, model_dir, rows=rows)


def _records_step(out: Path, subjects: int, seed: int, scenario: str, say,
                  entities: int = 0) -> Path:
    from .records import validate_records
    from .synth import generate

    records = out / "records"
    also = f" and {entities:,} entities" if entities else ""
    say(f"synthesise {subjects:,} subjects{also} ({scenario}, seed {seed})")
    generate(records, n_subjects=subjects, seed=seed, scenario=scenario, n_entities=entities)
    say("validate the record set")
    validate_records(records).raise_if_invalid()
    return records


def _explain_step(records, model_dir, scores: Path, out: Path, as_of, say):
    import pyarrow.parquet as pq

    from . import audit_log
    from .explain import write_letter

    frame = pq.read_table(scores, columns=["subject_id", "pd"]).to_pandas()
    subject = frame.sort_values(["pd", "subject_id"], ascending=[False, True]).iloc[0]
    say(f"write the letter of subject {subject.subject_id}")
    letter = write_letter(records, subject.subject_id, model_dir, as_of, DEMO_PURPOSE,
                          out / "letters")
    audit_log.append("explain", purpose=DEMO_PURPOSE, model_hash=letter.model_hash,
                     n_subjects=1, output=letter.html)
    return letter.html


def run_demo(out="demo-out", subjects: int = 5_000, seed: int = 7, scenario: str = "fair", *,
             models=(("default_12m", "lgbm"), ("breach_12m", "lgbm"),
                     ("default_12m", "scorecard")),
             track: bool = True, say: Callable[[str], None] = print,
             pdf: bool = False, entities: int = 0) -> DemoResult:
    """Run the whole pipeline on a fresh synthetic record set under ``out``.

    ``entities``: employers as entity subjects (the user guide's "Employers as
    subjects"); with N > 0 the demo also builds their features, trains and audits an
    ``entity_breach_12m`` model across ownership, size band and region, scores them,
    writes one supervision note and draws a risk-classified random inspection plan
    (``supervision/``). Every output lies under ``out``: the tracking store (``mlflow.db``
    and its artifacts) and the audit log included, unless ``$MLFLOW_TRACKING_URI`` /
    ``$CREDITSCORE_AUDIT_LOG`` name others.
    """
    start, out = time.perf_counter(), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with _stores_under(out, track) as stores:
        result = _run_demo(out, subjects, seed, scenario, models, track, say, pdf, entities)
    result.outputs["audit log"] = Path(stores["CREDITSCORE_AUDIT_LOG"])
    if track:
        result.outputs["tracking store"] = stores["MLFLOW_TRACKING_URI"]
    result.seconds = time.perf_counter() - start
    return result


def _run_demo(out: Path, subjects: int, seed: int, scenario: str, models, track: bool,
              say: Callable[[str], None], pdf: bool, entities: int) -> DemoResult:
    """The steps of :func:`run_demo`, with the stores already chosen."""
    from .features import build_features
    from .reports import DataSheet
    from .scoring import score_features

    result = DemoResult(out)
    records = _records_step(out, subjects, seed, scenario, say, entities)
    features = out / "features.parquet"
    say(f"build features at {len(DEMO_AS_OF)} dates")
    build_features(records, list(DEMO_AS_OF), features)
    oot, latest = _split_features(features, out, DEMO_TRAIN_UNTIL)
    protected = records / "protected.parquet"
    sheet = DataSheet.from_records(records, features_path=features).write(out / "reports",
                                                                         pdf=pdf)
    result.outputs.update(records=records, features=features, datasheet=sheet["html"])
    steps = []
    for target, kind in models:
        step = _model_step(features, oot, protected, out, target, kind, seed, track, say, pdf)
        steps.append(step)
        result.verdicts[step["name"]] = step["passed"]
        result.outputs[f"{step['name']} model"] = step["model_dir"]
        result.outputs[f"{step['name']} model card"] = step["card"]["html"]
        result.outputs[f"{step['name']} fairness report"] = step["fairness"]["html"]
        result.outputs[f"{step['name']} validation report"] = step["validation"].with_suffix(
            ".html")
        if not step["passed"]:
            say(f"{step['name']} failed its fairness gate: it will not score")
            continue
        scores = out / "scores" / f"{step['name']}.parquet"
        say(f"score the latest date with {step['name']}")
        score_features(step["model_dir"], latest, scores, purpose=DEMO_PURPOSE)
        result.outputs[f"{step['name']} scores"] = scores
    comparison = _comparison_step(out, steps, pdf, say)
    if comparison is not None:
        result.outputs["comparison"] = comparison
    first = next((s for s in result.verdicts if result.verdicts[s]), None)
    if first is not None:
        result.outputs["letter"] = _explain_step(
            records, out / "models" / first, out / "scores" / f"{first}.parquet", out,
            DEMO_AS_OF[-1], say)
    if entities:
        result.outputs.update(_entity_step(records, out, seed, track, say, pdf))
    return result


def _entity_step(records: Path, out: Path, seed: int, track: bool, say, pdf: bool) -> dict:
    """Entities beside persons: features, model, audit, scores, one supervision note."""
    from .explain._entity_note import write_entity_note
    from .fairness import audit_model
    from .fairness._entity import ENTITY_POLICY
    from .features._entity_defs import ENTITY_MODEL_FEATURES
    from .features._entity_engine import build_entity_features
    from .models import train_model
    from .scoring import score_features

    features, name = out / "entity_features.parquet", "entity_breach_12m_lgbm"
    say(f"build entity features at {len(DEMO_AS_OF)} dates")
    build_entity_features(records, list(DEMO_AS_OF), features)
    oot, latest = _split_features(features, out, DEMO_TRAIN_UNTIL, stem="entity_features")
    model_dir, report_dir = out / "models" / name, out / "reports" / name
    say(f"train {name}")
    train_model(features, "entity_breach_12m", "lgbm", model_dir, train_until=DEMO_TRAIN_UNTIL,
                seed=seed, features=ENTITY_MODEL_FEATURES)
    say(f"audit {name} across ownership, size band and region")
    passed = audit_model(model_dir, oot, records / "entities.parquet", report_dir,
                         ENTITY_POLICY).passed
    paths = write_model_reports(model_dir, report_dir, pdf=pdf)
    if track:
        track_model(model_dir, report_dir, paths, features=features, rows=oot)
    outputs = {"entity features": features, f"{name} model": model_dir,
               f"{name} model card": paths["card"]["html"],
               f"{name} fairness report": paths["fairness"]["html"]}
    if not passed:
        say(f"{name} failed its fairness gate: it will not score")
        return outputs
    scores = out / "scores" / f"{name}.parquet"
    say(f"score the entities at the latest date with {name}")
    score_features(model_dir, latest, scores, purpose=DEMO_PURPOSE)
    import pyarrow.parquet as pq

    top = pq.read_table(scores, columns=["subject_id", "pd"]).to_pandas().sort_values(
        ["pd", "subject_id"], ascending=[False, True]).iloc[0]
    note = write_entity_note(records, top.subject_id, model_dir, DEMO_AS_OF[-1], DEMO_PURPOSE,
                             out / "letters")
    from . import audit_log

    audit_log.append("explain", purpose=DEMO_PURPOSE, model_hash=note.model_hash,
                     n_subjects=1, output=note.html)
    plan = _inspection_step(scores, model_dir, records, out, seed, say)
    return {**outputs, f"{name} scores": scores, "supervision note": note.html, **plan}


def _inspection_step(scores: Path, model_dir: Path, records: Path, out: Path, seed: int,
                     say) -> dict:
    """A risk-classified random inspection plan for the scored employers."""
    from .supervision import parse_plan, supervise

    say("draw a risk-classified random inspection plan for the employers")
    plan = parse_plan({**DEMO_PLAN, "seed": seed}, "<demo plan>")
    result = supervise(scores, model_dir, plan, out / "supervision", records=records)
    return {"inspection plan (public summary)": out / "supervision" / "summary.html",
            f"inspection list ({len(result.drawn)} employers)":
                out / "supervision" / "inspections.csv"}
