"""The result of a mitigation search: audited candidate models and the frontier.

The frontier sets accuracy (AUC on the audit rows, with its bootstrap
interval) against discrimination (the worst flag-rate ratio and the worst
FPR difference over the mitigated attributes, each with the audit's
interval), one row per model, the failing original first. ``frontier.json``
(``to_dict``) is what a reviewer or a pipeline reads; ``plot`` draws it.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from .._atomic import atomic_file, write_text_atomic

__all__ = ["CandidateResult", "MitigationResult", "FORMAT", "OWNED", "clear_outputs"]

FORMAT = "creditscore-mitigation/1"
#: what a search writes into its output directory (and removes there before it writes again)
OWNED = ("frontier.json", "chosen", "candidates", "reports", "frontier.csv", "frontier.png",
         "mitigation.md", "fairness_report.*", "model_card.*")
NO_CHANGE = "the model passes the gate already: no change is needed"
NONE_PASSES = ("no candidate passes the gate: the model may not be used; review the frontier "
               "(or a policy exemption with a written justification)")
CHOSEN = ("chose {name} ({changed}): AUC {auc:.3f} against {base:.3f} for the model that "
          "failed; worst flag-rate ratio {ratio:.3f} against {base_ratio:.3f}")


class CandidateResult:
    """One audited model of the search (read-only)."""

    def __init__(self, recipe, model_dir, report_dir, audit, auc, auc_ci, flag_rate):
        self._recipe, self._audit = recipe, audit
        self._model_dir, self._report_dir = Path(model_dir), Path(report_dir)
        self._auc, self._auc_ci, self._flag_rate = auc, tuple(auc_ci), flag_rate

    @property
    def name(self):
        """The candidate's name."""
        return self._recipe.name

    @property
    def method(self):
        """How the candidate was made (drop, neutralise, reweigh, reduction, constraint)."""
        return self._recipe.method

    @property
    def changed(self):
        """What it changes, in words."""
        return self._recipe.changed

    @property
    def recipe(self):
        """The candidate's :class:`Recipe`."""
        return self._recipe

    @property
    def model_dir(self):
        """The candidate's model directory."""
        return self._model_dir

    @property
    def report_dir(self):
        """The folder of the candidate's ``audit.json`` and reports."""
        return self._report_dir

    @property
    def audit(self):
        """The candidate's :class:`AuditResult`."""
        return self._audit

    @property
    def auc(self):
        """The AUC on the audit rows."""
        return self._auc

    @property
    def auc_ci(self):
        """The bootstrap interval of the AUC."""
        return self._auc_ci

    @property
    def flag_rate(self):
        """The share of the audit rows flagged."""
        return self._flag_rate

    @property
    def passed(self):
        """True when the candidate passed the gate."""
        return self._audit.passed

    @property
    def model_hash(self):
        """The sha256 of the candidate's model files."""
        return self._audit.model_hash

    @property
    def usable(self) -> bool:
        """Passed, and flags somebody but not everybody (a model flagging nobody
        passes every parity check and decides nothing)."""
        return self.passed and 0 < self._flag_rate < 1

    def worst(self, metric: str, attributes) -> dict:
        """The worst check of ``metric`` over ``attributes``: value, interval, group."""
        c = self._audit.checks
        rows = c[(c["metric"] == metric) & c["attribute"].isin(list(attributes))]
        rows = rows.dropna(subset=["value"])
        if rows.empty:
            return {"value": None, "ci": None, "group": None}
        row = rows.loc[rows["value"].idxmin() if metric == "flag_rate_ratio"
                       else rows["value"].idxmax()]
        ci = [row["ci_low"], row["ci_high"]]
        ci = None if any(pd.isna(v) for v in ci) else [float(v) for v in ci]
        return {"value": float(row["value"]), "ci": ci,
                "group": f"{row['attribute']} = {row['group']}"}

    def __repr__(self) -> str:
        return f"CandidateResult({self.name!r}, auc={self._auc:.3f}, passed={self.passed})"


class MitigationResult:
    """The audited original, its candidates, the frontier and the choice."""

    def __init__(self, original: CandidateResult, candidates, *, attributes, proxies,
                 facts: dict):
        self._original, self._candidates = original, list(candidates)
        self._attributes, self._proxies = list(attributes), list(proxies)
        self._facts = dict(facts)
        self._out: Path | None = None

    @property
    def original(self):
        """The original model's audit (a :class:`~creditscore.fairness.AuditResult`)."""
        return self._original

    @property
    def candidates(self):
        """The candidates tried, by name."""
        return {c.name: c for c in self._candidates}

    @property
    def attributes(self):
        """The protected attributes the gate failed on."""
        return list(self._attributes)

    @property
    def proxies(self):
        """The proxies of protected attributes named by the audit."""
        return list(self._proxies)

    @property
    def no_change(self):
        """True when the model passed already (nothing was trained)."""
        return self._original.passed

    @property
    def passing(self) -> list[CandidateResult]:
        """Usable candidates, most accurate first (ties: search order)."""
        return sorted((c for c in self._candidates if c.usable), key=lambda c: -c.auc)

    @property
    def chosen(self) -> CandidateResult | None:
        """The most accurate candidate that passed the gate, or None when none passed."""
        return self.passing[0] if self.passing else None

    @property
    def reason(self) -> str:
        """Why this candidate was chosen, or why none was, in one sentence."""
        if self.no_change:
            return NO_CHANGE
        c = self.chosen
        if c is None:
            return NONE_PASSES
        ratio = c.worst("flag_rate_ratio", self._shown())["value"]
        base = self._original.worst("flag_rate_ratio", self._shown())["value"]
        return CHOSEN.format(name=c.name, changed=c.changed, auc=c.auc, base=self._original.auc,
                             ratio=np.nan if ratio is None else ratio,
                             base_ratio=np.nan if base is None else base)

    def _shown(self) -> list[str]:
        return self._attributes or [a for a in self._original.audit.checks["attribute"].unique()
                                    if " x " not in a]

    @property
    def frontier(self) -> pd.DataFrame:
        """One row per model: accuracy, discrimination (with intervals), verdict, change."""
        chosen = self.chosen.name if self.chosen else None
        rows = [self._row(c, chosen) for c in [self._original, *self._candidates]]
        frame = pd.DataFrame(rows)
        auc = frame["auc"].to_numpy(dtype=float)
        ratio = frame["worst_flag_rate_ratio"].astype(float).fillna(1).to_numpy()
        frame["pareto"] = [bool(not ((auc >= a) & (ratio >= r) & ((auc > a) | (ratio > r))).any())
                           for a, r in zip(auc, ratio, strict=True)]
        return frame

    def _row(self, c: CandidateResult, chosen) -> dict:
        shown = self._shown()
        ratio, fpr = c.worst("flag_rate_ratio", shown), c.worst("fpr_difference", shown)
        failed = c.audit.failed
        first = None if failed.empty else (f"{failed.iloc[0]['attribute']}/"
                                           f"{failed.iloc[0]['metric']}/{failed.iloc[0]['group']}")
        return {"candidate": c.name, "method": c.method, "changed": c.changed,
                "auc": c.auc, "auc_low": c.auc_ci[0], "auc_high": c.auc_ci[1],
                "flag_rate": c.flag_rate, "worst_flag_rate_ratio": ratio["value"],
                "ratio_low": (ratio["ci"] or [None, None])[0],
                "ratio_high": (ratio["ci"] or [None, None])[1], "ratio_group": ratio["group"],
                "worst_fpr_difference": fpr["value"], "fpr_low": (fpr["ci"] or [None, None])[0],
                "fpr_high": (fpr["ci"] or [None, None])[1], "n_failed": int(len(failed)),
                "first_failed": first, "passed": bool(c.passed), "chosen": c.name == chosen,
                "model_hash": c.model_hash, "model_dir": str(c.model_dir)}

    def to_frame(self) -> pd.DataFrame:
        """The frontier: one row per candidate (AUC, worst ratios, failures, passed, chosen)."""
        return self.frontier

    def to_dict(self) -> dict:
        """The content of ``frontier.json``."""
        rows = [{k: _plain(v) for k, v in r.items()} for r in self.frontier.to_dict("records")]
        recipes = {c.name: c.recipe.to_dict() for c in self._candidates}
        for row in rows:
            row["recipe"] = recipes.get(row["candidate"])
        return {"format": FORMAT, **self._facts, "model": self._original.model_hash,
                "no_change": self.no_change,
                "chosen": self.chosen.name if self.chosen else None, "reason": self.reason,
                "attributes": self.attributes, "proxies": self.proxies, "candidates": rows}

    def plot(self, path=None):
        """The frontier figure (matplotlib); saved as PNG when ``path`` is given."""
        from ._frontier_plot import frontier_figure

        fig = frontier_figure(self.frontier)
        if path is not None:
            with atomic_file(Path(path)) as tmp:
                fig.savefig(tmp, format="png", dpi=110, bbox_inches="tight")
        return fig

    def to_markdown(self) -> str:
        """The mitigation result as a Markdown document with the frontier table."""
        from ._render import table

        cols = ["candidate", "changed", "auc", "worst_flag_rate_ratio", "worst_fpr_difference",
                "n_failed", "passed", "chosen"]
        return (f"# Mitigation of {self._facts.get('model_dir')}\n\n{self.reason}\n\n"
                + table(self.frontier, cols))

    def write(self, out_dir) -> dict[str, Path]:
        """frontier.json, frontier.csv, frontier.png, mitigation.md and ``chosen``."""
        import matplotlib.pyplot as plt

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {"json": out / "frontier.json", "csv": out / "frontier.csv",
                 "png": out / "frontier.png", "markdown": out / "mitigation.md"}
        write_text_atomic(paths["json"], json.dumps(self.to_dict(), indent=2, default=str,
                                                    allow_nan=False) + "\n")
        write_text_atomic(paths["csv"], self.frontier.to_csv(index=False, lineterminator="\n"))
        plt.close(self.plot(paths["png"]))
        write_text_atomic(paths["markdown"], self.to_markdown())
        if self.chosen is not None:
            paths["chosen"] = _link_or_copy(self.chosen.model_dir, out / "chosen")
        self._out = out
        return paths

    def summary(self) -> str:
        """One line: how many candidates were tried, how many pass, and the reason for the choice.
        """
        n = len(self._candidates)
        return self.reason if self.no_change else (
            f"{n} candidates, {len(self.passing)} pass the gate; {self.reason}")

    def __repr__(self) -> str:
        return (f"MitigationResult(candidates={len(self._candidates)}, "
                f"chosen={self.chosen.name if self.chosen else None})")


def _plain(v):
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not np.isfinite(v):
        return None
    return v


def clear_outputs(out) -> None:
    """Remove what an earlier search wrote into ``out`` (``OWNED``; nothing else), the
    frontier first, so that an interrupted clearing never leaves a frontier naming candidates
    that are gone, and no candidate of an earlier run is left beside the new ones."""
    out = Path(out)
    if not out.is_dir():
        return
    for pattern in OWNED:
        for path in sorted(out.glob(pattern)):
            if path.is_symlink() or path.is_file():
                path.unlink()
            elif path.is_dir():
                shutil.rmtree(path)


def _link_or_copy(target: Path, link: Path) -> Path:
    """``link`` pointing at ``target`` (a relative symlink; a copy where links fail)."""
    if link.is_symlink() or link.is_file():
        link.unlink()
    elif link.is_dir():
        shutil.rmtree(link)
    try:
        os.symlink(os.path.relpath(target, link.parent), link, target_is_directory=True)
    except OSError:
        shutil.copytree(target, link)
    return link
