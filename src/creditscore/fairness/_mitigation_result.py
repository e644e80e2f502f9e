"""The result of a mitigation search: audited candidates and the frontier."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._gate import AuditResult

__all__ = ["Candidate", "MitigationResult"]


class Candidate:
    """One alternative model and its audit (read-only)."""

    def __init__(self, name: str, method: str, model, audit: AuditResult, auc: float,
                 flag_rate: float):
        self._name, self._method, self._model = name, method, model
        self._audit, self._auc, self._flag_rate = audit, auc, flag_rate

    name = property(lambda self: self._name)
    method = property(lambda self: self._method)
    model = property(lambda self: self._model, doc="CandidateModel (or the base model)")
    audit = property(lambda self: self._audit)
    auc = property(lambda self: self._auc)
    flag_rate = property(lambda self: self._flag_rate, doc="share flagged, evaluation rows")
    passed = property(lambda self: self._audit.passed)
    recipe = property(lambda self: dict(getattr(self._model, "recipe", {})))

    def __repr__(self) -> str:
        return f"Candidate({self._name!r}, auc={self._auc:.3f}, passed={self.passed})"


class MitigationResult:
    """The frontier of accuracy against disparity, and the audited candidates."""

    def __init__(self, candidates: list[Candidate], proxies: list[str], attributes: list[str]):
        self._candidates = {c.name: c for c in candidates}
        self._proxies, self._attributes = list(proxies), list(attributes)
        self._frontier = _frontier(candidates)

    @property
    def frontier(self) -> pd.DataFrame:
        return self._frontier.copy()

    @property
    def candidates(self) -> dict[str, Candidate]:
        return dict(self._candidates)

    @property
    def passing(self) -> list[Candidate]:
        """Candidates (other than the original) whose audit passed, best AUC first.

        A candidate that flags nobody or everybody passes any parity check
        and decides nothing; it stays on the frontier but is not offered.
        """
        out = [c for c in self._candidates.values() if c.passed and c.method != "original"
               and 0 < c.flag_rate < 1]
        return sorted(out, key=lambda c: -c.auc)

    @property
    def best(self) -> Candidate | None:
        return self.passing[0] if self.passing else None

    @property
    def proxies(self) -> list[str]:
        return list(self._proxies)

    @property
    def attributes(self) -> list[str]:
        return list(self._attributes)

    def to_frame(self) -> pd.DataFrame:
        return self.frontier

    def to_dict(self) -> dict:
        rows = [{k: (v.item() if isinstance(v, np.generic) else v) for k, v in r.items()}
                for r in self._frontier.to_dict("records")]
        return {"attributes": self.attributes, "proxies": self.proxies, "frontier": rows,
                "best": None if self.best is None else self.best.name,
                "recipes": {c.name: c.recipe for c in self._candidates.values()}}

    def to_markdown(self) -> str:
        from ._render import table

        return ("# Mitigation frontier\n\n" + table(self._frontier, list(self._frontier.columns))
                + f"\nBest passing candidate: {self.best.name if self.best else 'none'}\n")

    def __repr__(self) -> str:
        return (f"MitigationResult(candidates={len(self._candidates)}, "
                f"passing={[c.name for c in self.passing]})")


def _frontier(candidates: list[Candidate]) -> pd.DataFrame:
    rows = []
    for c in candidates:
        checks = c.audit.checks
        ratio = checks.loc[checks["metric"] == "flag_rate_ratio", "value"].dropna()
        fpr = checks.loc[checks["metric"] == "fpr_difference", "value"].dropna()
        rows.append({"candidate": c.name, "method": c.method, "auc": round(c.auc, 6),
                     "flag_rate": round(c.flag_rate, 6),
                     "worst_flag_rate_ratio": float(ratio.min()) if len(ratio) else None,
                     "worst_fpr_difference": float(fpr.max()) if len(fpr) else None,
                     "n_failed": len(c.audit.failed), "passed": c.passed,
                     "dropped": ",".join(c.recipe.get("drop_features", []))})
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    auc, ratio = frame["auc"].to_numpy(), frame["worst_flag_rate_ratio"].fillna(1).to_numpy()
    frame["pareto"] = [not ((auc >= a) & (ratio >= r) & ((auc > a) | (ratio > r))).any()
                       for a, r in zip(auc, ratio, strict=True)]
    return frame
