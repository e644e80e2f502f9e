"""What a model directory says about its model, read once for every report.

The directory is written by ``creditscore.models``. The model itself is loaded
with ``creditscore.models.load_model`` (for its hash, target and features);
the facts a reviewer needs are read from its JSON files: ``features.json``
(names, descriptions, directions, reason templates), ``metrics.json`` and the
metadata file (target, model kind, catalogue version, training-data
fingerprint, parameters, seed, tier bands), plus the gate's
``audit/verdict.json`` and any PNG plots.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._errors import InputError
from ._sources import MetricRow, find, first_existing, flatten_metrics, read_json

__all__ = ["ModelInfo", "FeatureInfo", "load_model_dir", "model_hash"]

MSG_NO_DIR = "{path}: not a model directory (expected a directory written by creditscore train)"
META_FILES = (
    "model.json",
    "meta.json",
    "metadata.json",
    "model_meta.json",
    "manifest.json",
    "training.json",
    "info.json",
)
VERDICT_FILE = Path("audit") / "verdict.json"
PLOT_CAPTIONS = {
    "roc": "ROC curve on the evaluation data",
    "calibration": "Calibration: predicted PD against the observed rate",
    "score_distribution": "Distribution of scores",
    "shap_summary": "SHAP summary: which features move the PD, and which way",
    "points_table": "Scorecard points by characteristic",
}


def load_model_dir(model_dir: str | os.PathLike):
    """The fitted model of ``model_dir`` (``creditscore.models.load_model``)."""
    from ..models import load_model

    return load_model(model_dir)


def model_hash(model_dir: str | os.PathLike) -> str:
    """The model's own hash: ``load_model(dir).model_hash()``.

    Where ``creditscore.models`` cannot be imported, a sha256 over every file's
    relative path and bytes, except those under ``audit/``, in path order.
    """
    try:
        return load_model_dir(model_dir).model_hash()
    except ImportError:
        return _files_hash(Path(model_dir))


def _files_hash(model_dir: Path) -> str:
    # The rule of creditscore.models.model_hash: sorted relative paths, each with
    # its size (8 bytes, big-endian) and bytes, every file outside audit/.
    h = hashlib.sha256()
    for path in sorted(p for p in model_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(model_dir)
        if rel.parts[0] == "audit":
            continue
        data = path.read_bytes()
        h.update(rel.as_posix().encode() + b"\0" + len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


@dataclass(frozen=True)
class FeatureInfo:
    """One model input as the reviewer sees it."""

    name: str
    description: str = ""
    direction: int = 0
    reason: str = ""
    source: str = ""
    actionable: bool = False

    @property
    def direction_text(self) -> str:
        return {1: "higher means riskier", -1: "higher means safer"}.get(self.direction, "none")


@dataclass(frozen=True)
class ModelInfo:
    """The facts of one model directory (read-only).

    Build it with :meth:`from_dir`.
    """

    path: Path
    meta: dict
    features: tuple[FeatureInfo, ...]
    metrics: Any
    model_hash: str
    verdict: dict | None
    plots: dict[str, Path] = field(default_factory=dict)

    @classmethod
    def from_dir(cls, model_dir: str | os.PathLike) -> ModelInfo:
        """Read ``model_dir``; raises InputError if it is not a directory."""
        path = Path(model_dir)
        if not path.is_dir():
            raise InputError(MSG_NO_DIR.format(path=path))
        meta = _read_meta(path)
        metrics_file = path / "metrics.json"
        verdict_file = path / VERDICT_FILE
        return cls(
            path=path,
            meta=meta,
            features=_read_features(path, meta),
            metrics=read_json(metrics_file) if metrics_file.is_file() else {},
            model_hash=model_hash(path),
            verdict=read_json(verdict_file) if verdict_file.is_file() else None,
            plots=_find_plots(path),
        )

    @property
    def target(self) -> str:
        return _text(self.meta, "target", "label") or "unknown"

    @property
    def kind(self) -> str:
        return _text(self.meta, "model_kind", "model", "kind", "estimator") or "unknown"

    @property
    def catalogue_version(self) -> str | None:
        return find(self.meta, "catalogue_version", ("catalogue", "version"))

    @property
    def fingerprint(self) -> str | None:
        found = find(
            self.meta,
            "fingerprint",
            "training_fingerprint",
            "data_fingerprint",
            ("training_data", "fingerprint"),
            ("data", "rows_sha256"),
            "rows_sha256",
        )
        return None if found is None else str(found)

    @property
    def params(self) -> dict:
        found = find(
            self.meta,
            ("params",),
            ("parameters",),
            ("estimator_params",),
            "params",
            "hyperparameters",
        )
        return dict(found) if isinstance(found, dict) else {}

    @property
    def seed(self):
        return find(self.meta, "seed", "random_state")

    @property
    def train_until(self):
        return find(self.meta, "train_until", "trained_until")

    @property
    def tiers(self):
        return find(self.meta, "tiers", "tier_bands", "bands")

    @property
    def feature_names(self) -> list[str]:
        return [f.name for f in self.features]

    def metric_rows(self) -> list[MetricRow]:
        """Every metric of ``metrics.json``, flattened."""
        return flatten_metrics(self.metrics)

    @property
    def verdict_bound(self) -> bool:
        """Whether the recorded verdict is for this very model (same hash)."""
        if not self.verdict:
            return False
        return verdict_hash(self.verdict) == self.model_hash

    @property
    def verdict_passed(self) -> bool:
        """A passed verdict bound to this model's hash."""
        return bool(self.verdict and self.verdict.get("passed") is True and self.verdict_bound)


def verdict_hash(verdict: dict) -> str | None:
    """The model hash a verdict is bound to."""
    for key in ("model_hash", "model", "hash"):
        found = find(verdict, key)
        if isinstance(found, str):
            return found
    return None


def _text(meta: dict, *keys: str) -> str | None:
    for key in keys:
        found = find(meta, key)
        if isinstance(found, str) and found:
            return found
    return None


def _read_meta(path: Path) -> dict:
    meta: dict = {}
    for name in META_FILES:
        file = path / name
        if file.is_file():
            data = read_json(file)
            if isinstance(data, dict):
                meta = {**data, **meta}
    for name, key in (("params.json", "params"), ("tiers.json", "tiers")):
        file = path / name
        if file.is_file() and key not in meta:
            meta[key] = read_json(file)
    return meta


def _feature(spec: dict) -> FeatureInfo:
    direction = spec.get("direction", 0)
    return FeatureInfo(
        name=str(spec.get("name", "")),
        description=str(spec.get("description") or ""),
        direction=int(direction) if str(direction).lstrip("-").isdigit() else 0,
        reason=str(spec.get("reason") or spec.get("reason_template") or ""),
        source=str(spec.get("source") or ""),
        actionable=bool(spec.get("actionable", False)),
    )


def _read_features(path: Path, meta: dict) -> tuple[FeatureInfo, ...]:
    file = first_existing(path, ("features.json", "feature_definitions.json"))
    data = read_json(file) if file else find(meta, "features", "feature_names", default=[])
    if isinstance(data, dict):
        inner = data.get("features")
        data = (
            inner
            if inner is not None
            else [{"name": k, **v} for k, v in data.items() if isinstance(v, dict)]
        )
    specs = [{"name": d} if isinstance(d, str) else d for d in data or []]
    return tuple(_feature(s) for s in specs if isinstance(s, dict) and s.get("name"))


def _find_plots(path: Path) -> dict[str, Path]:
    plots = {}
    for png in sorted(path.rglob("*.png")):
        if png.relative_to(path).parts[0] == "audit":
            continue
        plots[png.stem] = png
    return plots


def plot_caption(stem: str) -> str:
    """A caption for a plot file named ``stem``."""
    for key, caption in PLOT_CAPTIONS.items():
        if stem.lower().startswith(key):
            rest = stem[len(key) :].strip("_- ")
            return f"{caption} ({rest.replace('_', ' ')})" if rest else caption
    return stem.replace("_", " ").capitalize()
