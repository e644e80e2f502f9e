"""The calibration light's rule: ``backtest_policy.yaml``, read and applied here only.

The default rule (the shipped file states it): **red** when the portfolio-level
one-sided Jeffreys test of any validation date rejects at 1%; **amber** when it
rejects at 5%, or a tier of a date rejects at 1% after a Bonferroni correction
over that date's tiers; **green** otherwise. ``--policy FILE`` gives another.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .._errors import InputError

__all__ = ["LightPolicy", "load_light_policy", "DEFAULT_POLICY"]

DEFAULT_POLICY = Path(__file__).with_name("backtest_policy.yaml")
MSG_POLICY = "{path}: not a backtest policy ({problem}); see the shipped backtest_policy.yaml"


@dataclass(frozen=True)
class LightPolicy:
    """Thresholds of the calibration light (one-sided Jeffreys p-values)."""

    red_portfolio_p: float = 0.01
    amber_portfolio_p: float = 0.05
    amber_tier_p: float = 0.01
    source: str = "default"
    sha256: str = ""

    def light(self, dates: list[dict]) -> tuple[str, list[str]]:
        """``(light, reasons)`` of the per-date results (each with ``date``,
        ``jeffreys_p`` and ``tiers``, a list with ``tier``, ``rows``, ``jeffreys_p``)."""
        red = [f"{d['date']}: portfolio Jeffreys p = {d['jeffreys_p']:.2g} < "
               f"{self.red_portfolio_p:g}" for d in dates if d["jeffreys_p"] < self.red_portfolio_p]
        if red:
            return "red", red
        amber = [f"{d['date']}: portfolio Jeffreys p = {d['jeffreys_p']:.2g} < "
                 f"{self.amber_portfolio_p:g}" for d in dates
                 if d["jeffreys_p"] < self.amber_portfolio_p]
        for d in dates:
            tiers = [t for t in d["tiers"] if t["rows"] > 0]
            for t in tiers:
                adjusted = min(1.0, t["jeffreys_p"] * len(tiers))
                if adjusted < self.amber_tier_p:
                    amber.append(f"{d['date']}: tier {t['tier']} Jeffreys p = "
                                 f"{t['jeffreys_p']:.2g} (x{len(tiers)} tiers = {adjusted:.2g}) "
                                 f"< {self.amber_tier_p:g}")
        if amber:
            return "amber", amber
        return "green", [f"no validation date or tier rejects (portfolio at "
                         f"{self.amber_portfolio_p:g}, tiers at {self.amber_tier_p:g} "
                         "Bonferroni-corrected)"]

    def to_dict(self) -> dict:
        return {"test": "jeffreys (one-sided)", "red": {"portfolio_p": self.red_portfolio_p},
                "amber": {"portfolio_p": self.amber_portfolio_p, "tier_p": self.amber_tier_p,
                          "tier_correction": "bonferroni"},
                "source": self.source, "sha256": self.sha256}


def load_light_policy(path=None) -> LightPolicy:
    """The policy of ``path`` (default: the shipped ``backtest_policy.yaml``).

    Raises
    ------
    InputError
        The file is missing, not YAML, or a threshold is missing or not in (0, 1).
    """
    import yaml

    path = Path(path) if path is not None else DEFAULT_POLICY
    if not path.is_file():
        raise InputError(MSG_POLICY.format(path=path, problem="no such file"))
    data = path.read_bytes()
    try:
        raw = yaml.safe_load(data)
        values = (raw["red"]["portfolio_p"], raw["amber"]["portfolio_p"], raw["amber"]["tier_p"])
    except (yaml.YAMLError, KeyError, TypeError) as exc:
        raise InputError(MSG_POLICY.format(path=path, problem=f"missing or unreadable "
                                           f"{type(exc).__name__}: {exc}")) from None
    if raw.get("test", "jeffreys") != "jeffreys" or (
            raw["amber"].get("tier_correction", "bonferroni") != "bonferroni"):
        raise InputError(MSG_POLICY.format(path=path, problem="test must be jeffreys and "
                                           "tier_correction bonferroni"))
    if not all(isinstance(v, (int, float)) and 0 < v < 1 for v in values):
        raise InputError(MSG_POLICY.format(path=path, problem=f"thresholds {values} must be "
                                           "numbers in (0, 1)"))
    source = "default" if path == DEFAULT_POLICY else str(path)
    return LightPolicy(*map(float, values), source=source,
                       sha256=hashlib.sha256(data).hexdigest())
