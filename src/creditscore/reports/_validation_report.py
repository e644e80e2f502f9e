"""The validation report of ``creditscore backtest``: HTML, Markdown, PDF, validation.json.

Built from ``validation.json`` (``creditscore.models._backtest.Backtest.to_dict``)
only, so the report and the JSON cannot disagree. It opens with what a
validator reads first: the calibration light and why, then the samples
(fit, tuning, validation, with their dates), discrimination, calibration per
date and per tier, stability and migration. :func:`write_validation` writes
the whole output directory at once (``_atomic.atomic_dir``) and records a
copy of ``validation.json`` in ``MODEL_DIR/audit/`` for the model card.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ._document import BulletList, Callout, Document, KeyValues, Paragraph, Section, Table
from ._format import count, interval, num, pct
from ._writer import DocumentReport

__all__ = ["ValidationReport", "write_validation", "read_validation", "record_validation",
           "VALIDATION_FILE", "MSG_NO_PDF"]

VALIDATION_FILE = "validation.json"
MSG_NO_PDF = "validation.pdf not written: {error}"
TONE = {"green": "pass", "amber": "warn", "red": "fail"}


class ValidationReport(DocumentReport):
    """The back-test of one model on its validation sample, as a document.

    Parameters
    ----------
    data : dict
        ``validation.json``.
    """

    stem = "validation"

    def __init__(self, data: dict):
        self.data = data

    def to_dict(self) -> dict:
        """``validation.json`` as given."""
        return self.data

    def document(self) -> Document:
        """The report: the light first, then samples, discrimination, calibration, tiers,
        stability, migration and the light's rule."""
        d, p = self.data, self.data["pooled"]
        verdict = d["calibration_verdict"]
        return Document(
            title=f"Validation report: {d['target']} ({d['kind']})",
            subtitle="The model on rows it never saw in development.",
            summary=[("Calibration light", verdict.upper()),
                     ("Validation AUC", f"{num(p['auc'])} ({interval(*p['auc_ci'])})"),
                     ("Validation dates", ", ".join(d["samples"]["validation"]["dates"])),
                     ("Model sha256", d["model"])],
            lead=_lead(d), model_hash=d["model"],
            sections=[_samples(d), _discrimination(d), _calibration(d), _tiers(d),
                      _stability(d), _migration(d), _policy(d)],
            footer="Back-test after the ECB's instructions for reporting the validation of "
                   "PD models (2019): Jeffreys test per grade, AUC change, concentration, PSI.")


def _lead(d: dict) -> Section:
    verdict = d["calibration_verdict"]
    blocks = [Callout(f"Calibration light: {verdict.upper()}. " + " ".join(d["verdict_reasons"]),
                      TONE.get(verdict, "info"))]
    blocks += [Callout(w, "warn") for w in d.get("warnings", [])]
    return Section("Verdict", blocks)


def _facts(sample: dict) -> list:
    return [", ".join(sample["dates"]), count(sample["rows"]), count(sample.get("subjects")),
            count(sample["events"])]


def _samples(d: dict) -> Section:
    s = d["samples"]
    rows = [["fit (trees, bins)", *_facts(s["fit"])],
            ["tuning (early stopping, calibration)", *_facts(s["tuning"])],
            ["validation (this report)", *_facts(s["validation"])]]
    return Section("Samples", [
        Paragraph(f"Rule: {s['rule']}. Label horizon: {s['label_horizon_days']} days; the "
                  f"validation sample starts at {s['validation']['from']}."),
        Table(["Sample", "Dates", "Rows", "Subjects", "Events"], rows,
              caption="Three disjoint samples; every figure below is on the validation rows")])


def _discrimination(d: dict) -> Section:
    rows = [[b.get("date", "pooled"), count(b["rows"]), count(b["events"]), num(b["auc"]),
             interval(*b["auc_ci"]), num(b["auc_change"]["difference"]),
             num(b["auc_change"]["p_value"]), num(b["gini"]), num(b["ks"]), num(b["brier"])]
            for b in [*d["per_date"], d["pooled"]]]
    dev = d["pooled"]["auc_change"]["development"]
    return Section("Discrimination", [
        Paragraph(f"AUC with a subject-clustered 95% interval (Obuchowski's variance: a person "
                  f"seen at several dates is one cluster). Change from the development AUC "
                  f"{num(dev)} ({d['pooled']['auc_change']['development_sample']}); p: the "
                  "one-sided test of a fall."),
        Table(["Date", "Rows", "Events", "AUC", "95% interval", "Change", "p (fall)", "Gini",
               "KS", "Brier"], rows, caption="Per validation date and pooled")])


def _calibration(d: dict) -> Section:
    rows = [[b.get("date", "pooled"), pct(b["mean_pd"], 2), pct(b["observed_rate"], 2),
             num(b["citl"]), num(b["binomial"]["p_two_sided"]), num(b["jeffreys_p"]),
             num(b["hosmer_lemeshow"]["statistic"]), num(b["hosmer_lemeshow"]["p_value"])]
            for b in [*d["per_date"], d["pooled"]]]
    return Section("Calibration", [
        Paragraph("Calibration-in-the-large (mean PD minus observed rate) with the exact "
                  "binomial test; the one-sided Jeffreys test (small p: more defaults than "
                  "the PD allows); Hosmer-Lemeshow over PD deciles (degrees of freedom = "
                  "groups: the PDs were not fitted on these rows). The pooled row counts a "
                  "person once per date."),
        Table(["Date", "Mean PD", "Observed", "CITL", "p binomial", "p Jeffreys", "HL",
               "p HL"], rows, caption="Per validation date and pooled")])


def _tier_table(tiers: list[dict], caption: str) -> Table:
    return Table(["Tier", "PD band", "Rows", "Subjects", "Defaults", "Mean PD", "Observed",
                  "p Jeffreys", "p x tiers"],
                 [[t["tier"], f"{pct(t['pd_from'])} to {pct(t['pd_to'])}", count(t["rows"]),
                   count(t["subjects"]), count(t["defaults"]), pct(t["mean_pd"], 2),
                   pct(t["observed_rate"], 2), num(t["jeffreys_p"]),
                   num(t["jeffreys_p_bonferroni"])] for t in tiers], caption=caption)


def _tiers(d: dict) -> Section:
    blocks = [_tier_table(d["tiers"], "Pooled over the validation dates")]
    blocks += [_tier_table(b["tiers"], f"Validation date {b['date']}") for b in d["per_date"]]
    return Section("Risk tiers", blocks)


def _stability(d: dict) -> Section:
    rows, notes = [], []
    for b in d["per_date"]:
        psi = b["psi"]
        if "score" not in psi:
            notes.append(psi.get("note", ""))
            continue
        worst = psi.get("max_feature")
        rows.append([b["date"], num(psi["score"]), worst or "",
                     num(psi["features"].get(worst)) if worst else "", num(b["herfindahl"])])
    blocks = [Paragraph("PSI of the score and of each feature against the development sample "
                        "(fit and tuning rows; 10 bins and a missing bin; above 0.25 is "
                        "usually read as a shift); Herfindahl index of the tiers' shares.")]
    if rows:
        blocks.append(Table(["Date", "PSI score", "Most shifted feature", "Its PSI",
                             "Herfindahl"], rows, caption="Stability per validation date"))
    blocks += [Paragraph(n) for n in notes if n]
    return Section("Stability and concentration", blocks)


def _migration(d: dict) -> Section:
    if not d["migration"]:
        return Section("Tier migration", [Paragraph("One validation date: no migration.")])
    blocks = []
    for m in d["migration"]:
        labels = list(m["matrix"])
        blocks.append(Table(["From \\ to", *labels],
                            [[f, *[count(m["matrix"][f][g]) for g in labels]] for f in labels],
                            caption=f"{m['from']} to {m['to']}: {count(m['subjects'])} subjects, "
                                    f"{pct(m['stayed'])} stayed, {pct(m['to_riskier'])} riskier, "
                                    f"{pct(m['to_safer'])} safer"))
    return Section("Tier migration", blocks)


def _policy(d: dict) -> Section:
    pol = d["policy"]
    return Section("The light's rule", [BulletList([
        f"red: the portfolio Jeffreys test of any validation date rejects at "
        f"{pol['red']['portfolio_p']}",
        f"amber: it rejects at {pol['amber']['portfolio_p']}, or a tier of a date rejects at "
        f"{pol['amber']['tier_p']} after a Bonferroni correction over the date's tiers",
        "green: otherwise"]), KeyValues([("Policy", pol["source"]),
                                          ("Policy sha256", pol["sha256"])])])


def write_validation(result, out_dir, model_dir=None, *, pdf: bool = True) -> dict:
    """Write validation.json, .html, .md (and .pdf) into ``out_dir`` at once.

    The PDF is skipped (``"pdf_skipped"`` holds why) where its renderer cannot
    start. With ``model_dir``, ``MODEL_DIR/audit/validation.json`` gets a copy.
    """
    from .._atomic import atomic_dir, write_text_atomic
    from ._pdf import write_pdf

    text = _json(result)
    report = ValidationReport(json.loads(text))
    out, skipped = Path(out_dir), None
    with atomic_dir(out) as tmp:
        (tmp / VALIDATION_FILE).write_text(text, encoding="utf-8")
        report.write(tmp)
        if pdf:
            try:
                write_pdf(report.document(), tmp / "validation.pdf")
            except RuntimeError as exc:
                skipped = MSG_NO_PDF.format(error=exc)
    paths = {k: out / f"validation.{k}" for k in ("json", "html", "md")}
    if pdf and skipped is None:
        paths["pdf"] = out / "validation.pdf"
    if model_dir is not None:
        write_text_atomic(Path(model_dir) / "audit" / VALIDATION_FILE, text)
    return {"paths": paths, "pdf_skipped": skipped}


def _json(result) -> str:
    data = result.to_dict() if hasattr(result, "to_dict") else dict(result)
    return json.dumps(data, indent=2, sort_keys=True, allow_nan=False) + "\n"


def record_validation(result, model_dir) -> Path:
    """Write ``MODEL_DIR/audit/validation.json`` only (the model card's validation
    section), atomically."""
    from .._atomic import write_text_atomic

    return write_text_atomic(Path(model_dir) / "audit" / VALIDATION_FILE, _json(result))


def read_validation(model_dir: str | os.PathLike) -> dict | None:
    """``MODEL_DIR/audit/validation.json``, or None."""
    from ._sources import read_json

    path = Path(model_dir) / "audit" / VALIDATION_FILE
    return read_json(path) if path.is_file() else None
