"""The candidates of a mitigation search: what each one changes, as a training recipe.

Each candidate is a :class:`Recipe` that ``creditscore.models.train_model``
can run: the base model's kind, parameters, seed, tiers and ``train_until``,
with some inputs dropped (named proxies, a whole record family) or with
sample weights (reweighing, a fairlearn reduction made deterministic, a
constraint on the flag rate). Protected attributes shape the weights of the
training rows only; they are never a model input, no candidate thresholds
groups differently, and no candidate is a randomised mixture.

The weights of the reductions: fairlearn's ``ExponentiatedGradient`` and
``GridSearch`` are run with a small LightGBM on the training rows; their
Lagrange multipliers (``lambda_vecs_``: the last iterate of the exponentiated
gradient, the grid point ``GridSearch`` selects) define signed weights
``s = objective.signed_weights() + constraint.signed_weights(lambda)``, and
the candidate is ONE model refitted with ``|s|`` on the rows where ``sign(s)``
agrees with the observed label (rows the reduction would relabel are left
out of the fit instead: the label is a fact, not a lever). Calibration stays
on the true labels, so the refit is a deterministic, calibrated PD model.
"""

from __future__ import annotations

import contextlib
import logging
import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._checks import gate_failures

__all__ = ["Recipe", "reweigh", "reduction_weights", "family_features", "family_recipes",
           "FAMILIES", "REDUCTIONS", "SEARCH_LGBM"]

#: the record families a model may use (issue 12's record-disparity screen names them)
FAMILIES = ("public_records", "late_contributions", "late_instalments")
_LATE = re.compile(r"late|ontime|arrears|overdue|delinquen")
_TYPE_COUNT = re.compile(r"^pr_(?P<type>[a-z_]+)_count$")

_FAMILY_SOURCE = {"public_records": "public_records", "late_contributions": "contributions",
                  "late_instalments": "repayments"}
#: the reduction candidates: name, fairlearn method, moment
REDUCTIONS = (("expgrad_dp", "expgrad", "dp"), ("expgrad_eo", "expgrad", "eo"),
              ("gridsearch_dp", "gridsearch", "dp"))
#: the small LightGBM the reductions search with (the candidate is refitted with the base model)
SEARCH_LGBM = {"n_estimators": 60, "learning_rate": 0.1, "num_leaves": 7,
               "min_child_samples": 40, "num_threads": 1, "deterministic": True,
               "verbose": -1}


@dataclass(frozen=True)
class Recipe:
    """One candidate: its name, how it was made and what it changes.

    Attributes
    ----------
    name : str
        Its directory name under ``candidates/``.
    method : str
        drop, family, neutralise, reweigh, reduction or flag_constraint.
    changed : str
        What it changes, in words, for the frontier table.
    drop : tuple of str
        Input features left out.
    weights : ndarray or None
        One weight per training row (aligned with the search's training rows).
    neutralise : dict
        feature -> value held constant (the base model edited, not refitted).
    detail : dict
        JSON-ready facts (attributes, multipliers, strength).
    """

    name: str
    method: str
    changed: str
    drop: tuple = ()
    weights: np.ndarray | None = field(default=None, compare=False, repr=False)
    neutralise: dict = field(default_factory=dict)
    detail: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """The JSON-ready recipe: name, method, what it changes, dropped and neutralised inputs."""
        return {"name": self.name, "method": self.method, "changed": self.changed,
                "drop": list(self.drop), "weighted": self.weights is not None,
                "neutralise": dict(self.neutralise), **self.detail}


def reweigh(groups, y) -> np.ndarray:
    """Kamiran & Calders (2012) weights: each (group, label) cell weighs as if
    group and label were independent, w = P(group) P(label) / P(group, label)."""
    frame = pd.DataFrame({"g": pd.Series(groups).astype(str).to_numpy(),
                          "y": np.asarray(y, dtype=int)})
    n = len(frame)
    pg = frame["g"].map(frame["g"].value_counts() / n)
    py = frame["y"].map(frame["y"].value_counts() / n)
    pgy = frame.groupby(["g", "y"])["y"].transform("size") / n
    return (pg * py / pgy).to_numpy(dtype=float)


def family_features(names, family: str) -> list[str]:
    """The input features that use a record family (by the feature catalogue).

    ``public_records``: every public-records feature; ``public_records:TYPE``:
    the count of that record type and every public-records feature that is
    not the count of one type (``pr_count`` counts every type);
    ``late_contributions`` / ``late_instalments``: the lateness features of
    the contributions / repayments source. The same reading as the gate's
    record-disparity screen. Features not in the catalogue (a flat table's
    columns) belong to no family.
    """
    from ..features import get_feature
    from ..records import load_catalogue

    base, _, rtype = family.partition(":")
    types = set(load_catalogue().record_types)
    out = []
    for name in names:
        try:
            source = get_feature(name).source
        except (KeyError, ValueError):
            continue
        if source != _FAMILY_SOURCE.get(base):
            continue
        if base == "public_records":
            m = _TYPE_COUNT.match(name)
            if not rtype or m is None or m["type"] not in types or m["type"] == rtype:
                out.append(name)
        elif _LATE.search(name):
            out.append(name)
    return out


def _moment(name: str):
    from fairlearn import reductions

    return {"dp": reductions.DemographicParity, "eo": reductions.EqualizedOdds}[name]()


def reduction_weights(x, y, groups, *, kind: str, moment: str, random_state: int = 0,
                      grid_size: int = 9, max_iter: int = 20) -> tuple[np.ndarray, dict]:
    """Deterministic refit weights from a fairlearn reduction (see the module text).

    Parameters
    ----------
    x : DataFrame
        Training rows, model inputs only.
    y : array-like of {0, 1}
    groups : array-like
        The group of each row (training time only).
    kind : {"expgrad", "gridsearch"}
    moment : {"dp", "eo"}
        ``DemographicParity`` or ``EqualizedOdds``.

    Returns
    -------
    weights : ndarray
        ``|s|`` where ``sign(s)`` agrees with ``y``, else 0; mean 1.
    detail : dict
        The multipliers used and the share of rows left out.
    """
    from fairlearn import reductions
    from lightgbm import LGBMClassifier

    y = np.asarray(y, dtype=int)
    groups = pd.Series(groups).astype(str).to_numpy()
    est = LGBMClassifier(**SEARCH_LGBM, random_state=random_state)
    if kind == "expgrad":
        search = reductions.ExponentiatedGradient(est, _moment(moment), max_iter=max_iter)
    else:
        search = reductions.GridSearch(est, _moment(moment), grid_size=grid_size)
    with warnings.catch_warnings(), _quiet("fairlearn"):
        # fairlearn 0.15's moments use a pandas idiom pandas 3 deprecates; not ours to fix
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"fairlearn\.")
        warnings.filterwarnings("ignore", category=FutureWarning, module=r"fairlearn\.")
        search.fit(x, y, sensitive_features=groups)
        lam = (search.lambda_vecs_.iloc[:, -1] if kind == "expgrad"
               else search.lambda_vecs_[search.best_idx_])
        signed = _signed_weights(x, y, groups, moment, lam)
    agree = np.sign(signed) == (2 * y - 1)
    w = np.where(agree, np.abs(signed), 0.0)
    w = w / w.mean() if w.sum() > 0 else np.ones(len(y))
    detail = {"reduction": f"{kind}/{moment}", "left_out_share": round(float(1 - agree.mean()), 6),
              "lambda": {str(k): round(float(v), 6) for k, v in lam.items()}}
    return w, detail


@contextlib.contextmanager
def _quiet(name: str):
    """fairlearn's GridSearch logs advice on grid sizes at WARNING; keep the CLI's output ours."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _signed_weights(x, y, groups, moment, lam) -> np.ndarray:
    from fairlearn.reductions import ErrorRate

    obj, con = ErrorRate(), _moment(moment)
    for m in (obj, con):
        m.load_data(x, y, sensitive_features=groups)
    return (obj.signed_weights() + con.signed_weights(lam)).to_numpy(dtype=float)


def flag_weights(y, disadvantaged, strength: float) -> np.ndarray:
    """Weights of the flag-rate constraint: the events of the groups flagged most
    often weigh ``exp(-strength)``, every other row 1 (mean 1)."""
    w = np.where(np.asarray(disadvantaged, bool) & (np.asarray(y) == 1), np.exp(-strength), 1.0)
    return w / w.mean()


_UNIONS = {"flagged_types": "every record type the gate flags",
           "flagged_families": "every record family the gate flags"}


def family_recipes(names, proxies, audit):
    """Families the gate flags (record-disparity screen) first, then each source family."""
    flagged = _flagged_families(audit)
    sets = [(f, family_features(names, f)) for f in flagged]
    # every flagged record type at once: the other types' counts are kept (a model
    # using only them uses neither a flagged type nor the whole family)
    for union, fams in (("flagged_types", [f for f in flagged if ":" in f]),
                        ("flagged_families", flagged)):
        if len(fams) > 1:
            sets.append((union, sorted({c for f, cols in sets if f in fams for c in cols})))
    sets += [(f, family_features(names, f)) for f in FAMILIES]
    seen = {tuple(sorted(proxies))}
    for family, cols in sets:
        key = tuple(sorted(cols))
        if not cols or len(cols) == len(names) or key in seen:
            continue
        seen.add(key)
        union = _UNIONS.get(family)
        words = union or f"the {family.replace('_', ' ').replace(':', ': ')} family"
        yield Recipe(f"drop_{family.replace(':', '-')}", "family",
                     f"without {words} ({len(cols)} features)", tuple(cols),
                     detail={"family": family, "flagged": bool(union) or family in flagged})


def _flagged_families(audit) -> list[str]:
    """The record families whose record-disparity check failed the gate."""
    c = audit.checks
    if "family" not in c.columns:
        return []
    rows = gate_failures(c)
    rows = rows[rows["metric"] == "record_disparity"]
    return [str(f) for f in dict.fromkeys(rows["family"].dropna())]
