"""The model card: what a model is, what it is for, how well and how fairly it works."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from . import _card_review as cr
from . import _card_sections as cs
from ._auditinfo import AuditInfo
from ._card_entity import entity_use
from ._decision import decision_section, next_step
from ._document import Callout, Document, KeyValues, Section
from ._format import with_ci
from ._frontier import frontier_blocks, read_frontier
from ._modelinfo import ModelInfo, plot_caption
from ._render import figure_data_uri, png_data_uri
from ._sources import flatten_metrics
from ._writer import DocumentReport

__all__ = ["ModelCard", "MITCHELL_SECTIONS", "CREDIT_SECTIONS"]

MITCHELL_SECTIONS = cs.MITCHELL_SECTIONS
CREDIT_SECTIONS = cs.CREDIT_SECTIONS
EVALUATION_PLOT_ATTRS = ("plots", "figures", "plot_paths")


class ModelCard(DocumentReport):
    """A model card after Mitchell et al. (2019), with what credit review needs.

    Sections: model details, intended use and out-of-scope uses, target
    definition and performance window, factors, metrics, evaluation data,
    training data, the credit-information catalogue and what it left out,
    quantitative analyses by group with confidence intervals, reason codes, the
    fairness gate verdict, ethical considerations, caveats and recommendations,
    and known limitations. Missing inputs degrade to a sentence saying so
    ("Not yet audited").

    Examples
    --------
    >>> card = ModelCard.from_model_dir("out/model", audit_dir="out/audit")  # doctest: +SKIP
    >>> card.write("out/reports")  # doctest: +SKIP
    {'html': PosixPath('out/reports/model_card.html'), 'md': ...}
    """

    stem = "model_card"

    def __init__(
        self,
        info: ModelInfo,
        audit: AuditInfo | None,
        figures: Mapping[str, str],
        catalogue,
        metric_tree=None,
        frontier=None,
    ):
        self._frontier = frontier
        self._info = info
        self._audit = audit
        self._figures = dict(figures)
        self._catalogue = catalogue
        self._metric_tree = info.metrics if metric_tree is None else metric_tree
        self._validation = None

    @classmethod
    def from_model_dir(
        cls,
        model_dir: str | os.PathLike,
        audit_dir=None,
        evaluation=None,
        *,
        plots=None,
        catalogue=None,
        mitigation=None,
    ) -> ModelCard:
        """Build the card of the model in ``model_dir``.

        Parameters
        ----------
        model_dir : path
            A model directory written by ``creditscore train``.
        audit_dir : path, optional
            The output directory of ``creditscore audit`` (``audit.json`` and
            per-group metrics). Default: ``MODEL_DIR/audit`` when it holds an
            ``audit.json``; otherwise the card says "not yet audited".
        evaluation : object, optional
            An evaluation result; its ``to_dict()`` replaces ``metrics.json`` and
            its ``plots`` (name -> PNG path, PNG bytes or matplotlib figure) are
            embedded.
        plots : mapping or iterable, optional
            More PNG files to embed: ``{caption: path}`` or paths.
        catalogue : Catalogue or path, optional
            Default: the package's catalogue.
        mitigation : MitigationResult, pandas.DataFrame or path, optional
            The frontier of the mitigation search that chose this model: shown
            in a "Mitigation" section (default: a frontier table in the audit
            directory, if any; no section otherwise).
        """
        from ..records._catalogue import Catalogue, load_catalogue

        info = ModelInfo.from_dir(model_dir)
        audit = _audit(Path(model_dir), audit_dir)
        if not isinstance(catalogue, Catalogue):
            catalogue = load_catalogue(catalogue)
        figures = _figures(info, evaluation, plots)
        tree = evaluation.to_dict() if hasattr(evaluation, "to_dict") else None
        frontier = read_frontier(mitigation, None if audit is None else audit.path)
        card = cls(info, audit, figures, catalogue, tree, frontier)
        card._validation = _validation(Path(model_dir), info.model_hash)
        return card

    @property
    def target(self) -> str:
        """The label the model predicts."""
        return self._info.target

    @property
    def model_hash(self) -> str:
        """The sha256 of the model's files."""
        return self._info.model_hash

    @property
    def audited(self) -> bool:
        """True when the model has an audit (a verdict in its directory or one given)."""
        return self._info.verdict is not None or self._audit is not None

    @property
    def gate_passed(self) -> bool:
        """A passed verdict bound to this very model."""
        return self._info.verdict_passed

    def to_frame(self):
        """The model's metrics, one row per (scope, metric), with intervals."""
        import pandas as pd

        rows = flatten_metrics(self._metric_tree)
        return pd.DataFrame(
            [r.__dict__ | {"as_of": r.as_of} for r in rows],
            columns=["scope", "metric", "value", "ci_low", "ci_high", "as_of"],
        )

    def to_dict(self) -> dict:
        """The card's facts as JSON-ready data: target, kind, hash, samples, metrics, audit."""
        info = self._info
        return {
            "target": info.target,
            "model_kind": info.kind,
            "model_hash": info.model_hash,
            "catalogue_version": info.catalogue_version,
            "fingerprint": info.fingerprint,
            "params": info.params,
            "seed": info.seed,
            "train_until": info.train_until,
            "features": [f.__dict__ for f in info.features],
            "metrics": self.to_frame().to_dict("records"),
            "audited": self.audited,
            "gate_passed": self.gate_passed,
            "audit_passed": None if self._audit is None else self._audit.passed,
            "suppressed": []
            if self._audit is None
            else [{"attribute": a, "group": g} for a, g in self._audit.suppressed],
            "figures": list(self._figures),
            "sections": self.document().section_titles(),
        }

    def document(self) -> Document:
        """The model card as a :class:`Document`, opening with the verdict screen."""
        info, audit = self._info, self._audit
        rows = flatten_metrics(self._metric_tree)
        auc = next((r for r in rows if r.metric.lower() == "auc" and r.as_of is None), None)
        verdict = (
            "not yet audited"
            if info.verdict is None
            else "PASSED"
            if info.verdict_passed
            else "FAILED"
            if info.verdict_bound
            else "void (the model changed after its audit)"
        )
        return Document(
            title=f"Model card: {info.target} ({info.kind})",
            subtitle="What this model is, what it is for, how well and how fairly it works.",
            summary=[
                ("Target", info.target),
                ("Fairness gate", verdict),
                *_headline(self._validation, auc),
                ("Model sha256", info.model_hash),
            ],
            lead=_lead(info, audit, verdict),
            model_hash=info.model_hash,
            sections=[
                cs.model_details(info),
                cs.intended_use(),
                entity_use(info),
                cs.target_definition(info),
                cs.factors(audit),
                cs.metrics(rows, self._validation),
                cs.evaluation_data(rows, self._figures),
                cs.training_data(info),
                cr.catalogue(info, self._catalogue),
                cr.quantitative(audit),
                cr.reason_codes(info),
                cr.gate_verdict(info, audit),
                None if self._frontier is None else Section(
                    "Mitigation", frontier_blocks(self._frontier)),
                cr.ethics(audit),
                cr.caveats(),
                cr.limitations(audit),
            ],
            footer="Model card after Mitchell et al. (2019), Model Cards for Model Reporting.",
        )


def _validation(model_dir: Path, model_hash: str) -> dict | None:
    """The back-test recorded in ``MODEL_DIR/audit/validation.json`` of this very model."""
    from ._validation_report import read_validation

    data = read_validation(model_dir)
    return data if data is not None and data.get("model") == model_hash else None


def _headline(validation: dict | None, auc) -> list:
    """The card's headline AUC: the validation sample's when a back-test measured one."""
    if validation is not None:
        p, dates = validation["pooled"], validation["samples"]["validation"]["dates"]
        return [(f"AUC (validation sample, {', '.join(dates)})",
                 with_ci(p["auc"], *p["auc_ci"])),
                ("Calibration light (backtest)", validation["calibration_verdict"].upper())]
    text = with_ci(auc.value, auc.ci_low, auc.ci_high) if auc else "not recorded"
    return [("AUC (development: tuning slice, also used for early stopping and calibration; "
             "no backtest yet)", text)]


def _lead(info: ModelInfo, audit: AuditInfo | None, verdict: str) -> Section:
    """The card's first screen: may this model be used, and why."""
    if audit is None:
        return Section("Decision", [Callout(cr.NOT_AUDITED, "warn"), next_step(None)])
    bound = [] if info.verdict is None or info.verdict_bound else [
        Callout("The recorded verdict is for different model files: the model changed after "
                "its audit, so the audit is void and the model may not be used.", "fail")]
    if audit.model_hash and audit.model_hash != info.model_hash:
        bound.append(Callout("The audit shown is of a different model (its hash differs): "
                             "this model is not audited by it.", "fail"))
    facts = [KeyValues([("Gate verdict bound to this model", verdict)])] if bound else []
    return decision_section(audit, facts=bound + facts)


def _audit(model_dir: Path, audit_dir) -> AuditInfo | None:
    if audit_dir is not None:
        return AuditInfo.from_dir(audit_dir)
    if (model_dir / "audit" / "audit.json").is_file():
        return AuditInfo.from_dir(model_dir / "audit")
    return None


def _data_uri(image) -> str:
    if hasattr(image, "savefig"):
        return figure_data_uri(image)
    return png_data_uri(image)


def _evaluation_plots(evaluation) -> dict | list | None:
    found = next(
        (
            getattr(evaluation, a)
            for a in EVALUATION_PLOT_ATTRS
            if getattr(evaluation, a, None) is not None and not callable(getattr(evaluation, a))
        ),
        None,
    )
    if found is None and callable(getattr(evaluation, "plot", None)):
        with tempfile.TemporaryDirectory() as tmp:  # Evaluation.plot(out_dir) -> paths
            return {Path(p).stem: Path(p).read_bytes() for p in evaluation.plot(tmp)}
    return found


def _figures(info: ModelInfo, evaluation, plots) -> dict[str, str]:
    figures = {plot_caption(stem): png_data_uri(path) for stem, path in info.plots.items()}
    for source in (_evaluation_plots(evaluation), plots):
        if source is None:
            continue
        items = (
            source.items() if isinstance(source, Mapping) else ((Path(p).stem, p) for p in source)
        )
        for name, image in items:
            figures[plot_caption(str(name))] = _data_uri(image)
    return figures
