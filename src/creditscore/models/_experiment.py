"""``creditscore run experiments/NAME.yaml``: records -> features -> train -> test.

A run config (YAML) names everything a run depends on::

    name: default_lgbm
    records: {synth: {subjects: 20000, seed: 11, scenario: fair}}
    #        or {dir: path/to/records}  or {taiwan: null} (the shipped data) or {taiwan: FILE}
    as_of: [2021-06-30, 2021-12-31, 2022-06-30, 2023-06-30]
    train_until: 2022-06-30      # rows after it are the out-of-time test
    test_fraction: null          # or 0.3: a random share of the subjects (all their rows)
    target: default_12m          # or breach_12m
    kind: person                 # or entity: employers (guide: entities); target
                                 # entity_breach_12m or default_12m, records with
                                 # {synth: {..., entities: N[, scenario: small-firm-bias,
                                 # over_recording: 4]}}
    model: lgbm                  # or scorecard
    params: {}                   # estimator parameters
    seed: 0
    n_boot: 200
    out: runs/default_lgbm       # default: runs/<name>

Relative paths are taken from the working directory. The run directory is
written atomically and holds ``config.yaml``, ``records/`` (synthetic or
Taiwan; its ground truth beside it in ``records.truth/``), ``features.parquet``,
``model/`` (the model directory, holdout metrics inside), ``test/``
(``metrics.json``, ``metrics.csv``, figures) and ``experiment.json``. With a
synthetic world, the test also reports the **oracle**: the AUC of the
subjects' true latent risk on the same rows (an entity run: the entities').
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .._atomic import atomic_dir
from .._errors import InputError
from ._train import MODELS, TARGETS

__all__ = ["ExperimentConfig", "ExperimentResult", "load_experiment", "run_experiment"]

KEYS = (
    "name",
    "records",
    "as_of",
    "train_until",
    "test_fraction",
    "target",
    "kind",
    "model",
    "params",
    "seed",
    "n_boot",
    "out",
)
SOURCES = ("synth", "dir", "taiwan")
KIND_TARGETS = {"person": ("default_12m", "breach_12m"),
                "entity": ("entity_breach_12m", "default_12m")}
MSG = "{path}: {key}: {what}"
MSG_YAML = "{path}: not a readable YAML run config ({error})"


@dataclass(frozen=True)
class ExperimentConfig:
    """A validated run config (see the module docstring for the keys)."""

    name: str
    records: dict
    as_of: list
    target: str
    model: str
    kind: str = "person"
    train_until: dt.date | None = None
    test_fraction: float | None = None
    params: dict = field(default_factory=dict)
    seed: int = 0
    n_boot: int = 200
    out: str | None = None


def load_experiment(path) -> ExperimentConfig:
    """Read and check a run config; InputError names the file and the key."""
    import yaml

    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(MSG_YAML.format(path=path, error=exc)) from None
    if not isinstance(raw, dict):
        raise InputError(MSG.format(path=path, key="*", what="must be a mapping"))
    unknown = sorted(set(raw) - set(KEYS))
    _need(not unknown, path, unknown, f"unknown key (expected {', '.join(KEYS)})")
    for key in ("records", "as_of", "target", "model"):
        _need(key in raw, path, key, "is missing")
    _need(raw["target"] in TARGETS, path, "target", f"expected one of {', '.join(TARGETS)}")
    kind = raw.get("kind", "person")
    _need(kind in KIND_TARGETS, path, "kind", f"{kind!r}: expected person or entity")
    _need(raw["target"] in KIND_TARGETS[kind], path, "target",
          f"{kind} runs take {' or '.join(KIND_TARGETS[kind])}")
    _need(raw["model"] in MODELS, path, "model", f"expected one of {', '.join(MODELS)}")
    rec = raw["records"]
    _need(
        isinstance(rec, dict) and len(rec) == 1 and next(iter(rec)) in SOURCES,
        path,
        "records",
        f"expected one of {', '.join(SOURCES)} with its value",
    )
    dates = raw["as_of"] if isinstance(raw["as_of"], list) else [raw["as_of"]]
    values = {k: raw[k] for k in KEYS if k in raw}
    values.update(
        name=str(raw.get("name", path.stem)),
        as_of=[_date(d, path, "as_of") for d in dates],
        train_until=_date(raw.get("train_until"), path, "train_until"),
        kind=kind,
        params=dict(raw.get("params") or {}),
    )
    return ExperimentConfig(**values)


def _need(ok, path, key, what):
    if not ok:
        raise InputError(MSG.format(path=path, key=key, what=what))


def _date(value, path, key):
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(MSG.format(path=path, key=key, what=f"{value!r} is not a date")) from None


def run_experiment(path, out=None) -> ExperimentResult:
    """Run a config end to end and write its run directory (atomically).

    Parameters
    ----------
    path : str or Path
        An ``experiments/*.yaml`` run config.
    out : str or Path, optional
        Run directory (default: the config's ``out``, else ``runs/<name>``).
    """
    from ._train import train_model

    cfg = load_experiment(path)
    run_dir = Path(out or cfg.out or Path("runs") / cfg.name)
    with atomic_dir(run_dir) as tmp:
        (tmp / "config.yaml").write_bytes(Path(path).read_bytes())
        records = _records(cfg, tmp)
        frame = _features(records, cfg, tmp / "features.parquet")
        train, test = _split(frame, cfg)
        trained = train_model(
            train,
            cfg.target,
            cfg.model,
            tmp / "model",
            train_until=cfg.train_until,
            seed=cfg.seed,
            params=cfg.params,
            n_boot=cfg.n_boot,
            features=_entity_defs() if cfg.kind == "entity" else None,
        )
        test_eval = _test(trained, train, test, cfg, tmp / "test")
        oracle = _oracle(records, test, cfg.target, cfg.kind)
        summary = {**trained.to_dict(), "model_dir": str(run_dir / "model")}
        result = ExperimentResult(run_dir, cfg, summary, test_eval, oracle)
        (tmp / "experiment.json").write_text(
            json.dumps(result.to_dict(), indent=2, default=str) + "\n", encoding="utf-8"
        )
    return result


def _records(cfg, tmp: Path) -> Path:
    kind, value = next(iter(cfg.records.items()))
    if kind == "dir":
        return Path(value)
    if kind == "taiwan":
        from ..records._taiwan import taiwan_to_records

        return taiwan_to_records(value, tmp / "records")
    from ..synth import generate

    spec = dict(value or {})
    over = spec.get("over_recording")
    generate(
        tmp / "records",
        n_subjects=int(spec.get("subjects", 10_000)),
        seed=int(spec.get("seed", 0)),
        scenario=spec.get("scenario", "fair"),
        n_entities=int(spec.get("entities", 0)),
        over_recording=float(over) if over is not None else None,
    )
    return tmp / "records"


def _entity_defs():
    from ..features._entity_defs import ENTITY_MODEL_FEATURES

    return ENTITY_MODEL_FEATURES


def _features(records: Path, cfg, out: Path):
    from ._train import read_feature_table

    if cfg.kind == "entity":  # the guide (entities)
        from ..features._entity_engine import build_entity_features

        build_entity_features(records, cfg.as_of, out)
    else:
        from ..features import build_features

        build_features(records, cfg.as_of, out)
    return read_feature_table(out)


def _split(frame, cfg):
    """Training rows and test rows (known labels only in the test)."""
    known = frame[frame[cfg.target].notna()].reset_index(drop=True)
    if cfg.test_fraction:  # by subject: one person's dates stay on one side
        from ._split import subject_holdout

        test = subject_holdout(known["subject_id"], cfg.test_fraction, cfg.seed)
        return known[~test].reset_index(drop=True), known[test].reset_index(drop=True)
    if cfg.train_until is None:
        return known, known.iloc[:0]
    later = (known["as_of"] > np.datetime64(cfg.train_until)).to_numpy()
    return known[~later].reset_index(drop=True), known[later].reset_index(drop=True)


def _test(trained, train, test, cfg, out: Path):
    from ._evaluation import Evaluation
    from ._load import load_model

    if test.empty:
        return None
    model = load_model(trained.model_dir)
    p = model.predict_pd(test)
    ev = Evaluation(
        test[cfg.target].astype(int),
        p,
        score=model.score(test),
        as_of=test["as_of"],
        train_score=model.score(train),
        n_boot=cfg.n_boot,
        random_state=cfg.seed,
        groups=test["subject_id"],
    )
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(ev.to_dict(), indent=2) + "\n", encoding="utf-8")
    ev.to_frame().to_csv(out / "metrics.csv", index=False)
    ev.plot(out / "figures")
    return ev


def _oracle(records: Path, test, target: str, kind: str = "person") -> dict | None:
    """AUC of the true latent risk on the test rows (synthetic worlds only)."""
    import pandas as pd
    from sklearn.metrics import roc_auc_score

    name = "entity_truth.parquet" if kind == "entity" else "truth.parquet"
    truth = Path(f"{records}.truth") / name
    if test.empty or not truth.is_file():
        return None
    risk = pd.read_parquet(truth, columns=["subject_id", "latent_risk"])
    rows = test[["subject_id", target]].merge(risk, on="subject_id", how="inner")
    if rows[target].nunique() < 2:
        return None
    return {
        "auc": float(roc_auc_score(rows[target].astype(int), rows["latent_risk"])),
        "rows": len(rows),
        "column": "latent_risk",
    }


@dataclass(frozen=True)
class ExperimentResult:
    """What a run did: its config, training summary, test evaluation and oracle."""

    run_dir: Path
    config: ExperimentConfig
    train: dict
    test: object = None
    oracle: dict | None = None

    def to_dict(self) -> dict:
        """The experiment as JSON-ready data: run folder, configuration, training and test figures.
        """
        test = self.test.to_dict() if self.test is not None else None
        return {
            "run_dir": str(self.run_dir),
            "config": asdict(self.config),
            "train": self.train,
            "test": test,
            "oracle": self.oracle,
            "model_hash": self.train.get("model_hash"),
        }

    def to_frame(self):
        """The test evaluation (or the holdout one when there is no test)."""
        import pandas as pd

        if self.test is not None:
            return self.test.to_frame()
        return pd.DataFrame([])

    def summary(self) -> str:
        """One line per step for the command line."""
        lines = [f"run {self.config.name}: {self.run_dir}"]
        hold = self.train["evaluation"]
        lines.append(f"  holdout AUC {hold['metrics']['auc']['value']:.3f} on {hold['n']:,} rows")
        if self.test is not None:
            lines.append(f"  test: {self.test.summary()}")
        if self.oracle:
            gap = self.test.value("auc") - self.oracle["auc"]
            lines.append(
                f"  oracle (latent risk) AUC {self.oracle['auc']:.3f}; model - oracle {gap:+.3f}"
            )
        return "\n".join(lines)
