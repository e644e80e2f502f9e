"""The model-facing sections of the model card (Mitchell et al. 2019): details,
intended use, target, factors, metrics, evaluation and training data."""

from __future__ import annotations

from . import _texts as texts
from ._auditinfo import AuditInfo
from ._document import BulletList, Callout, Figure, KeyValues, Paragraph, Section, Table
from ._format import count, interval, num, pct
from ._modelinfo import ModelInfo
from ._sources import MetricRow, find, is_number

__all__ = ["MITCHELL_SECTIONS", "CREDIT_SECTIONS"]

MITCHELL_SECTIONS = (
    "Model details",
    "Intended use",
    "Out-of-scope uses",
    "Factors",
    "Metrics",
    "Evaluation data",
    "Training data",
    "Quantitative analyses",
    "Ethical considerations",
    "Caveats and recommendations",
)
CREDIT_SECTIONS = (
    "Target definition and performance window",
    "Credit-information catalogue",
    "Reason codes",
    "Fairness gate verdict",
    "Known limitations",
)
METRIC_WORDS = {
    "auc": "AUC: how well the model ranks those who fail above those who do not (0.5 is "
    "chance, 1 is perfect)",
    "gini": "Gini = 2 x AUC - 1",
    "ks": "KS: the largest gap between the score distributions of those who fail and those "
    "who do not",
    "brier": "Brier score: mean squared error of the predicted probabilities (lower is better)",
    "ece": "ECE: expected calibration error, the average gap between predicted and observed rates",
    "citl": "CITL: calibration-in-the-large, mean predicted PD minus the observed rate",
    "psi": "PSI: population stability index between training and evaluation scores",
}


def model_details(info: ModelInfo) -> Section:
    pairs = [
        ("Target", info.target),
        ("Model type", info.kind),
        ("Model hash (sha256 of the model files)", info.model_hash),
        ("Trained on observation dates up to", info.train_until or "all known labels"),
        ("Seed", info.seed),
        ("Catalogue version", info.catalogue_version or "not recorded"),
        ("Training-data fingerprint", info.fingerprint or "not recorded"),
        ("Model directory", info.path.name),
    ]
    blocks = [
        Paragraph(
            "A probability-of-default model built with creditscore, an "
            "open-source credit-scoring research package. It scores financial "
            "obligations only and is advice for a human decision."
        ),
        KeyValues([(k, v) for k, v in pairs if v is not None]),
    ]
    if info.params:
        blocks.append(
            Table(
                ["Parameter", "Value"], sorted(info.params.items()), caption="Training parameters"
            )
        )
    points = info.path / "points_table.csv"
    if points.is_file():
        import pandas as pd

        blocks.append(
            Table.from_frame(
                pd.read_csv(points), caption="Scorecard points by characteristic and bin (the "
                "raw scorecard; the score shown is its calibrated PD on the same scale)"
            )
        )
    tiers = _tier_rows(info.tiers)
    if tiers:
        blocks.append(Table(["Tier", "PD band"], tiers, caption="Risk tiers"))
    return Section("Model details", blocks)


def _tier_rows(tiers) -> list:
    if isinstance(tiers, dict) and "bands" in tiers:  # RiskTiers.to_dict()
        edges = [0.0, *map(float, tiers["bands"]), 1.0]
        labels = tiers.get("labels") or [chr(ord("A") + i) for i in range(len(edges) - 1)]
        return [[label, _band(edges[i : i + 2])] for i, label in enumerate(labels)]
    if isinstance(tiers, dict):
        return [[k, _band(v)] for k, v in tiers.items()]
    if isinstance(tiers, list) and tiers and all(isinstance(t, dict) for t in tiers):
        return [
            [
                t.get("tier", t.get("name", "")),
                _band([t.get("low", t.get("min")), t.get("high", t.get("max"))]),
            ]
            for t in tiers
        ]
    if isinstance(tiers, list) and all(is_number(t) for t in tiers):
        edges = [0.0, *map(float, tiers), 1.0]
        return [[chr(ord("A") + i), _band(edges[i : i + 2])] for i in range(len(edges) - 1)]
    return []


def _band(value) -> str:
    if isinstance(value, list | tuple) and len(value) == 2:
        low, high = value
        return f"PD from {num(low) or '0'} to {num(high) or '1'}"
    return str(value)


def intended_use() -> Section:
    return Section(
        "Intended use",
        [BulletList(texts.INTENDED_USE)],
        [Section("Out-of-scope uses", [BulletList(texts.OUT_OF_SCOPE)])],
    )


def target_definition(info: ModelInfo) -> Section:
    definition = texts.TARGETS.get(info.target)
    first = (
        Paragraph(definition)
        if definition
        else Callout(
            f"The target {info.target!r} is not one of the contract's targets "
            "(default_12m, breach_12m); its definition is not known here.",
            "warn",
        )
    )
    return Section(
        "Target definition and performance window", [first, Paragraph(texts.PERFORMANCE_WINDOW)]
    )


def factors(audit: AuditInfo | None) -> Section:
    blocks = [BulletList(texts.FACTORS)]
    if audit is not None and audit.groups is not None:
        audited = ", ".join(dict.fromkeys(audit.groups["attribute"]))
        blocks.append(Paragraph(f"Attributes and intersections audited: {audited}."))
    return Section("Factors", blocks)


COUNT_METRICS = ("n", "events", "rows", "count", "n_rows", "n_events", "n_subjects", "positives")


def _value(row: MetricRow) -> str:
    return count(row.value) if row.metric.lower() in COUNT_METRICS else num(row.value)


def _metric_table(rows: list[MetricRow], caption: str) -> Table:
    return Table(
        ["Metric", "Value", "95% interval"],
        [[r.metric, _value(r), interval(r.ci_low, r.ci_high)] for r in rows],
        caption=caption,
    )


DEVELOPMENT_NOTE = (
    "Development figures, measured on the tuning slice, also used for early stopping and "
    "calibration (the latest training date): not a measure of performance, and "
    "calibration-in-the-large is 0 there by construction. Performance is measured on the "
    "validation sample by creditscore backtest. Bootstrap 95% confidence intervals."
)


def metrics(rows: list[MetricRow], validation: dict | None = None) -> Section:
    overall = [r for r in rows if r.as_of is None and "group" not in r.scope]
    blocks = [
        *([] if validation is None else [validation_block(validation)]),
        Paragraph(DEVELOPMENT_NOTE),
        BulletList(
            [v for k, v in METRIC_WORDS.items() if any(r.metric.lower() == k for r in rows)]
            or METRIC_WORDS.values()
        ),
    ]
    if overall:
        blocks.append(_metric_table(_ordered(overall), "Development (tuning slice)"))
    else:
        blocks.append(Callout("No metrics were recorded with this model.", "warn"))
    return Section("Metrics", blocks)


def _ordered(rows: list[MetricRow]) -> list[MetricRow]:
    """Counts first (n, events), then the metrics in METRIC_WORDS order, then the rest."""
    order = [*COUNT_METRICS, *METRIC_WORDS]
    return sorted(
        rows,
        key=lambda r: (
            order.index(r.metric.lower()) if r.metric.lower() in order else len(order),
            r.metric,
        ),
    )


def evaluation_data(rows: list[MetricRow], figures: dict[str, str]) -> Section:
    dated = [r for r in rows if r.as_of is not None]
    blocks = [
        Paragraph(
            "The development figures per observation date of the tuning slice (also "
            "used for early stopping and calibration). The validation sample, one label "
            "horizon after the last development date, is reported by creditscore "
            "backtest (above, under Metrics, when one was run)."
        )
    ]
    if dated:
        table_rows = [
            [d, r.metric, _value(r), interval(r.ci_low, r.ci_high)]
            for d in sorted({r.as_of for r in dated})
            for r in _ordered([r for r in dated if r.as_of == d])
        ]
        blocks.append(
            Table(
                ["Observation date", "Metric", "Value", "95% interval"],
                table_rows,
                caption="Development metrics per observation date (tuning slice)",
            )
        )
    blocks += [Figure(uri, caption) for caption, uri in figures.items()]
    if not figures:
        blocks.append(Paragraph("No evaluation plots were found for this model."))
    return Section("Evaluation data", blocks)


def validation_block(v: dict) -> Table:
    """The validation sample's headline figures (``validation.json`` of a back-test)."""
    p, s = v["pooled"], v["samples"]["validation"]
    return Table(["Metric", "Value", "95% interval"], [
        ["rows", count(p["rows"]), ""], ["subjects", count(p["subjects"]), ""],
        ["events", count(p["events"]), ""],
        ["auc", num(p["auc"]), interval(*p["auc_ci"])], ["gini", num(p["gini"]), ""],
        ["ks", num(p["ks"]), ""], ["brier", num(p["brier"]), ""],
        ["mean PD / observed rate", f"{pct(p['mean_pd'], 2)} / {pct(p['observed_rate'], 2)}",
         ""],
        ["calibration light", str(v["calibration_verdict"]).upper(), ""]],
        caption=f"Validation sample ({', '.join(s['dates'])}; never used in development)")


def _sample_facts(samples: dict) -> list:
    out = []
    for key, label in (("fit", "Fit sample (trees, bins)"),
                       ("tuning", "Tuning sample (early stopping, calibration)")):
        s = samples[key]
        out.append((label, f"{count(s['rows'])} rows, {count(s['subjects'])} subjects, "
                           f"{count(s['events'])} events; dates {', '.join(s['dates'])}"))
    return out


def training_data(info: ModelInfo) -> Section:
    samples = info.meta.get("samples") if isinstance(info.meta, dict) else None
    if samples:  # explicit fields (models/_split.py)
        rows = samples["fit"]["rows"] + samples["tuning"]["rows"]
        events = samples["fit"]["events"] + samples["tuning"]["events"]
        rate = events / rows if rows else None
    else:
        rows = _meta_number(info, "n_train", "n_rows", "rows")
        events = _meta_number(info, "events", "n_events")
        rate = _meta_number(info, "base_rate", "event_rate", "default_rate")
        if rate is None and rows and events is not None:
            rate = events / rows
    dates = find(info.meta, ("data", "as_of"), "train_dates")
    facts = [
        (
            "Observation dates",
            ", ".join(map(str, dates))
            if isinstance(dates, list)
            else info.train_until and f"up to {info.train_until}",
        ),
        ("Training-data fingerprint (sha256 of the rows)", info.fingerprint),
        ("Rows", count(rows)),
        ("Events (label 1)", count(events)),
        ("Observed rate", pct(rate, 2)),
        *(_sample_facts(samples) if samples else []),
    ]
    blocks = [
        Paragraph(
            "Features are built per (subject, observation date) from the record "
            "set, each using only what was visible on that date under the "
            "catalogue's rules; rows with an unknown label are left out."
        ),
        KeyValues([(k, v) for k, v in facts if v]),
    ]
    if info.features:
        blocks.append(
            Table(
                ["Feature", "Description", "Direction", "Source"],
                [[f.name, f.description, f.direction_text, f.source] for f in info.features],
                caption="Model inputs",
            )
        )
    return Section("Training data", blocks)


def _meta_number(info: ModelInfo, *keys):
    value = find(info.meta, *keys)
    return value if is_number(value) else None
