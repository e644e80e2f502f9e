"""The back-test of a model on its validation sample: ``creditscore backtest``.

:func:`backtest` keeps the rows of a feature table that the model never saw in
development: a known label and ``as_of`` at least one label horizon after
the last fit or tuning date (``_split.classify_rows``, read from the explicit
``samples`` of ``model.json``). Every figure is measured on those rows only,
per validation date and pooled: discrimination (AUC with a subject-clustered
interval and its change from the development AUC, Gini, KS), accuracy
(Brier), calibration (calibration-in-the-large with the binomial test,
Hosmer-Lemeshow, a per-tier table with the one-sided Jeffreys test), the
calibration light (``_backtest_policy``), tier migration between consecutive
dates, the Herfindahl index of the tiers and the PSI of the score and of each
feature against the development sample (``_reference``). The statistics:
``_pdtests``; the tables: ``_backtest_tables``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from .._errors import InputError
from ._backtest_policy import load_light_policy
from ._backtest_tables import migration, psi_block, summary_block, tier_rows
from ._inputs import read_feature_table, where
from ._split import SPLIT_RULE, TUNING_NOTE, classify_rows

__all__ = ["backtest", "Backtest", "touched_rows", "MSG_NO_SAMPLES", "MSG_NO_VALIDATION",
           "MSG_TOUCHED", "MSG_FLAT"]

FORMAT = "creditscore-validation/1"
MSG_NO_SAMPLES = ("{path}: model.json records no fit and tuning samples (trained before "
                  "they were recorded); train the model again to back-test it")
MSG_FLAT = ("{path}: a flat-table model has no validation dates; back-testing needs a "
            "record-set model and a feature table")
MSG_NO_VALIDATION = ("{file}: no rows with a known {target} at as_of >= {start} (the "
                     "validation sample starts one label horizon after the model's last "
                     "development date {last}); dates in the file: {dates}")
MSG_TOUCHED = "{file}: {what}; --strict refuses them"
MSG_LABELS = "{file}: column {target} has values other than 0, 1 and null: {values}"
MSG_COLUMNS = "{file}: missing column(s) {cols} the model reads"


def backtest(model_dir, features, *, policy=None, strict: bool = False,
             level: float = 0.95) -> Backtest:
    """Back-test the model of ``model_dir`` on the validation rows of ``features``.

    Parameters
    ----------
    model_dir : path
        A model directory written by ``creditscore train``.
    features : path or DataFrame
        A feature table; only its validation rows are used.
    policy : path, optional
        A calibration-light policy YAML (default: the shipped one).
    strict : bool, default=False
        Refuse (``InputError``) a table that holds development rows or rows
        whose outcome windows overlap them, instead of leaving them out.
    level : float, default=0.95

    Raises
    ------
    InputError
        A missing or unreadable file, a flat-table model, a model without
        recorded samples, a missing column, bad labels, no validation rows, or
        (``strict``) rows touched in development; one line naming the input.
    """
    from ._load import load_model

    model = load_model(model_dir)
    if model.flat is not None:
        raise InputError(MSG_FLAT.format(path=model_dir))
    samples = model.info.get("samples")
    if not samples:
        raise InputError(MSG_NO_SAMPLES.format(path=model_dir))
    light = load_light_policy(policy)
    file = where(features)
    frame = read_feature_table(features)
    rows, classes = _validation_rows(frame, model, samples, file, strict)
    scored = model.score_frame(rows)
    y = rows[model.target].astype(int).to_numpy()
    warnings = [] if not classes.n_touched else [
        f"{file}: {classes.describe(frame['as_of'].to_numpy())} (left out)"]
    return Backtest(model, samples, rows, scored, y, light, level, warnings, file)


def touched_rows(model_dir, features) -> str | None:
    """A sentence naming the rows of ``features`` that are the model's fit or tuning rows
    or overlap their outcome windows (None: there are none, or the model records no
    samples). Reads ``model.json`` and the ``as_of`` column only."""
    import json

    import pandas as pd

    try:
        info = json.loads((Path(model_dir) / "model.json").read_text(encoding="utf-8"))
        samples = info["samples"]
        as_of = pd.read_parquet(features, columns=["as_of"])["as_of"].to_numpy()
    except (OSError, ValueError, KeyError, TypeError):
        return None  # the command itself reports a missing or unreadable input
    classes = classify_rows(samples, np.asarray(as_of, dtype="datetime64[D]"))
    return f"{features}: {classes.describe(as_of)}" if classes.n_touched else None


def _validation_rows(frame, model, samples, file, strict):
    target = model.target
    missing = [c for c in (*model.feature_names, target) if c not in frame.columns]
    if missing:
        raise InputError(MSG_COLUMNS.format(file=file, cols=", ".join(missing[:5])))
    known = frame[target].notna().to_numpy()
    bad = sorted(set(frame.loc[known, target].astype(float).unique()) - {0.0, 1.0})
    if bad:
        raise InputError(MSG_LABELS.format(file=file, target=target, values=bad[:5]))
    classes = classify_rows(samples, frame["as_of"].to_numpy())
    if strict and classes.n_touched:
        raise InputError(MSG_TOUCHED.format(file=file, what=classes.describe(
            frame["as_of"].to_numpy())))
    keep = classes.validation & known
    if not keep.any():
        dates = sorted({str(d)[:10] for d in frame["as_of"].to_numpy()})
        last = max(d for k in ("fit", "tuning") for d in samples[k]["dates"])
        raise InputError(MSG_NO_VALIDATION.format(
            file=file, target=target, start=classes.start, last=last,
            dates=", ".join(dates[:8]) or "none"))
    return frame.loc[keep].reset_index(drop=True), classes


class Backtest:
    """The validation report's figures, built once from the validation rows.

    Use :meth:`to_dict` (``validation.json``), :meth:`to_frame` (one row per
    validation date), :attr:`verdict` and :meth:`summary`.
    """

    def __init__(self, model, samples, rows, scored, y, light, level, warnings, file):
        self.model_hash = model.model_hash()
        self.target, self.kind, self.file = model.target, model.kind, str(file)
        self.warnings = list(warnings)
        ids, dates = rows["subject_id"].to_numpy(), rows["as_of"].to_numpy("datetime64[D]")
        pd_, tier = scored["pd"].to_numpy(float), scored["tier"].to_numpy(object)
        labels = list(model.tiers.labels)
        bands = (0.0, *model.tiers.bands, 1.0)
        dev_auc = _development_auc(model.metrics)
        self.pooled = summary_block(y, pd_, ids, level)
        self.pooled["auc_change"] = _auc_change(dev_auc, self.pooled)
        self.tiers = tier_rows(y, pd_, tier, ids, labels, bands)
        self.per_date = []
        reference = model.info.get("reference")
        for d in np.unique(dates):
            i = dates == d
            block = {"date": str(d), **summary_block(y[i], pd_[i], ids[i], level)}
            block["auc_change"] = _auc_change(dev_auc, block)
            block["tiers"] = tier_rows(y[i], pd_[i], tier[i], ids[i], labels, bands)
            from ._pdtests import herfindahl

            block["herfindahl"] = herfindahl(tier[i], labels)
            block["psi"] = psi_block(reference, scored["score"].to_numpy(float)[i],
                                     rows.loc[i, model.feature_names])
            self.per_date.append(block)
        self.migration = migration(ids, dates, tier, labels)
        self.verdict, self.reasons = light.light(self.per_date)
        self.policy = light.to_dict()
        self.samples = _samples(samples, rows, y)

    def to_dict(self) -> dict:
        """``validation.json``: samples, pooled, tiers, per_date, migration, verdict."""
        return _clean({
            "format": FORMAT, "model": self.model_hash, "target": self.target,
            "kind": self.kind, "features_file": self.file, "samples": self.samples,
            "calibration_verdict": self.verdict, "verdict_reasons": self.reasons,
            "policy": self.policy, "pooled": self.pooled, "tiers": self.tiers,
            "per_date": self.per_date, "migration": self.migration,
            "warnings": self.warnings,
        })

    def to_frame(self):
        """One row per validation date: rows, events, AUC and interval, Jeffreys p, ..."""
        import pandas as pd

        keys = ("date", "rows", "subjects", "events", "mean_pd", "observed_rate", "auc",
                "gini", "ks", "brier", "citl", "jeffreys_p", "herfindahl")
        return pd.DataFrame([{k: d.get(k) for k in keys} for d in self.per_date])

    def summary(self) -> str:
        """One line: the light, the validation AUC with its interval, rows and dates."""
        p, v = self.pooled, self.samples["validation"]
        lo, hi = p["auc_ci"]
        return (f"calibration {self.verdict.upper()}; validation AUC {p['auc']:.3f} "
                f"[{lo:.3f}, {hi:.3f}] on {p['rows']:,} rows ({p['events']:,} events) at "
                f"{', '.join(v['dates'])}; mean PD {p['mean_pd']:.4f} vs observed "
                f"{p['observed_rate']:.4f}")


def _development_auc(metrics) -> float:
    try:
        return float(metrics["metrics"]["auc"]["value"])
    except (TypeError, KeyError, ValueError):
        return math.nan


def _auc_change(dev_auc: float, block: dict) -> dict:
    from ._pdtests import auc_change_test

    out = auc_change_test(dev_auc, block["auc"], block["auc_se"])
    out["development_sample"] = TUNING_NOTE
    return out


def _samples(samples: dict, rows, y) -> dict:
    dates = sorted({str(d)[:10] for d in rows["as_of"].to_numpy("datetime64[D]")})
    validation = {"dates": dates, "rows": int(len(rows)),
                  "subjects": int(rows["subject_id"].nunique()), "events": int(y.sum()),
                  "from": samples.get("validation_from")}
    return {"fit": samples["fit"], "tuning": samples["tuning"], "validation": validation,
            "tuning_kind": samples.get("tuning_kind"),
            "label_horizon_days": samples.get("label_horizon_days"),
            "rule": samples.get("rule", SPLIT_RULE)}


def _clean(obj):
    """NaN and infinities as None, numpy scalars as Python numbers (JSON-ready)."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, Path):
        return str(obj)
    return obj
