"""Reason codes: the up-to-four factors that raised a subject's risk, as sentences.

Attributions are exact: for a LightGBM model, path-dependent TreeSHAP on the
log-odds (what ``pred_contrib`` computes; by default through the faster
``_fasttree`` route, which returns the same numbers), whose baseline is the
model's expected log-odds over its training population; for a scorecard,
the points lost against each characteristic's best bin. Only positive
contributions are reasons. Features of one family (see ``_sentences``) are
one reason: the family's contribution is the sum of its members', named by
its largest member. Order: contribution, then column order (ties); the
contributions are compared rounded to ``10**-decimals`` so that the route
and the batch size never change an order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._errors import InputError
from ..models._features import PROTECTED_COLUMNS
from ._reasoncodes import ReasonCodes
from ._resolve import default_features, resolve_model
from ._sentences import composite_columns, detail_columns, families_for, sentences_for

__all__ = ["ReasonCoder", "ReasonCodes", "reason_codes", "PROTECTED_NAMES"]

#: columns that are protected attributes (the contract's protected table and
#: what is derived from them); a model reading one is refused
PROTECTED_NAMES = PROTECTED_COLUMNS

MSG_PROTECTED = (
    "model feature(s) {cols}: protected attributes never enter a model and are "
    "never given as a reason"
)
MSG_NO_DEF = (
    "model feature(s) {cols} have no feature definition, so no reason can be "
    "written for them; pass their FeatureDef in `features`"
)
MSG_METHOD = "method must be 'fast' or 'lightgbm', got {method!r}"
MSG_COLUMNS = "{where}: missing feature column(s) {cols}"
MSG_SHAPE = "{where}: expected {n} feature columns in model order, got shape {shape}"
MSG_NOT_FITTED = "this ReasonCoder is not fitted yet; call fit(model) first"
#: rows converted from the frame at a time (bounded memory)
CHUNK_ROWS = 65_536


class NotFittedError(ValueError, AttributeError):
    """Raised when a ReasonCoder is used before ``fit`` (as scikit-learn's)."""


class ReasonCoder:
    """Plain-language reason codes from exact attributions.

    Parameters
    ----------
    features : sequence of FeatureDef, optional
        Definitions of the model's columns (reason templates). Default: the
        model's own stored definitions, else ``creditscore.features.FEATURES``.
    top_k : int, default=4
    families : dict of str to str, optional
        Family key per feature name (overrides the default, see ``_sentences``).
    min_contribution : float, default=0.0
        A family is a reason only if its contribution exceeds this (log-odds
        for boosted models, points for scorecards).
    method : {"fast", "lightgbm"}, default="fast"
        Boosted models: ``"fast"`` computes TreeSHAP with the precomputed
        per-leaf tables of ``_fasttree`` (same values as ``pred_contrib``,
        several times faster); ``"lightgbm"`` calls ``pred_contrib``. A model
        the fast route cannot read (categorical splits) uses ``pred_contrib``.
    decimals : int, default=9
        Contributions are compared rounded to this many decimals.
    batch_size : int, default=2048
        Rows per kernel call (bounded memory, cache-sized).
    num_threads : int, default=1
        Threads of ``pred_contrib`` on the ``"lightgbm"`` route.

    Attributes
    ----------
    kind_ : {"tree", "points"}
    feature_names_in_ : ndarray of str
    features_in_ : tuple of FeatureDef, in model column order
    family_codes_ : ndarray of int
    families_ : list of str
    expected_value_ : float
        Boosted: the baseline log-odds (mean over the training population).
    baseline_ : float or None
        The mean log-odds (boosted) or total points (scorecard) of the
        reference population given to ``fit``.
    """

    def __init__(
        self,
        features=None,
        *,
        top_k=4,
        families=None,
        min_contribution=0.0,
        method="fast",
        decimals=9,
        batch_size=2048,
        num_threads=1,
    ):
        self.features = features
        self.top_k = top_k
        self.min_contribution = min_contribution
        self.families = families
        self.method = method
        self.decimals = decimals
        self.batch_size = batch_size
        self.num_threads = num_threads

    def fit(self, model, X=None):
        """Bind to a model and check its features; ``X`` is the reference population.

        Parameters
        ----------
        model : Booster, MonotoneLGBM, WoEScorecard, points table or LoadedModel
        X : DataFrame, optional
            A reference population: checked for the model's columns, and its
            mean log-odds (or points) stored as ``baseline_``.
        """
        if self.method not in ("fast", "lightgbm"):
            raise ValueError(MSG_METHOD.format(method=self.method))
        self.kind_, obj, self.num_iteration_ = resolve_model(model)
        self.route_ = "points"
        if self.kind_ == "tree":
            names = list(obj.feature_name())
            self.booster_ = obj
            self.route_ = self._compile(obj)
        else:
            from ._points import points_lookup

            self.points_ = points_lookup(obj)
            names = list(self.points_.features)
        self._bind_features(
            names, default_features(model) if self.features is None else tuple(self.features)
        )
        self.baseline_ = None if X is None else float(np.mean(self._totals(X)))
        return self

    def _compile(self, booster) -> str:
        from ._fasttree import UnsupportedModel, compile_booster

        self.expected_value_ = None
        if self.method == "fast":
            try:
                self.trees_ = compile_booster(booster, self.num_iteration_)
                self.expected_value_ = self.trees_.expected_value
                return "fast"
            except UnsupportedModel:
                pass  # categorical splits and the like: pred_contrib is exact too
        return "lightgbm"

    def _bind_features(self, names, defs) -> None:
        bad = sorted(n for n in names if n.lower() in PROTECTED_NAMES)
        by_name = {d.name: d for d in defs}
        bad += sorted(n for n in names if getattr(by_name.get(n), "source", "") == "protected")
        if bad:
            raise InputError(MSG_PROTECTED.format(cols=", ".join(sorted(set(bad)))))
        missing = [n for n in names if n not in by_name]
        if missing:
            raise InputError(MSG_NO_DEF.format(cols=", ".join(missing)))
        self.feature_names_in_ = np.asarray(names, dtype=object)
        self.features_in_ = tuple(by_name[n] for n in names)
        self.family_codes_, self.families_ = families_for(self.features_in_, self.families)
        keys = [self.families_[c] for c in self.family_codes_]
        self.details_ = detail_columns(self.features_in_, keys)
        self.composites_ = composite_columns(self.features_in_, keys)

    def _matrix(self, X, where="X") -> np.ndarray:
        if not hasattr(self, "feature_names_in_"):
            raise NotFittedError(MSG_NOT_FITTED)
        names = list(self.feature_names_in_)
        if isinstance(X, pd.DataFrame):
            missing = [n for n in names if n not in X.columns]
            if missing:
                raise InputError(MSG_COLUMNS.format(where=where, cols=", ".join(missing)))
            return X[names].to_numpy(dtype=np.float64, na_value=np.nan)
        Xa = np.asarray(X, dtype=np.float64)
        if Xa.ndim != 2 or Xa.shape[1] != len(names):
            raise InputError(MSG_SHAPE.format(where=where, n=len(names), shape=Xa.shape))
        return Xa

    def _totals(self, X) -> np.ndarray:
        Xa = self._matrix(X, "reference population")
        if self.kind_ == "tree":
            return self.booster_.predict(
                Xa, raw_score=True, num_iteration=self.num_iteration_, num_threads=self.num_threads
            )
        return self.points_.points_of(Xa).sum(axis=1)

    def contributions(self, X) -> pd.DataFrame:
        """Exact attribution of every feature (log-odds, or points lost), rows x features."""
        Xa = self._matrix(X)
        out = np.vstack(
            [
                self._contrib(Xa[i : i + self.batch_size])[0]
                for i in range(0, len(Xa), self.batch_size)
            ]
            or [np.zeros((0, len(self.feature_names_in_)))]
        )
        index = X.index if isinstance(X, pd.DataFrame) else None
        return pd.DataFrame(out, columns=list(self.feature_names_in_), index=index)

    def _contrib(self, Xb: np.ndarray):
        """(attributions, raw log-odds or None) of one batch."""
        if self.kind_ == "points":
            return self.points_.losses(Xb), None
        if self.route_ == "fast":
            from ._fasttree import shap_values

            phi = shap_values(self.trees_, Xb)
            return phi, phi.sum(axis=1) + self.expected_value_
        full = self.booster_.predict(
            Xb, pred_contrib=True, num_iteration=self.num_iteration_, num_threads=self.num_threads
        )
        return full[:, :-1], full.sum(axis=1)

    def explain(self, X, top_k=None) -> ReasonCodes:
        """Reasons of every row of ``X`` (a DataFrame with the model's columns).

        Rows are converted and explained ``CHUNK_ROWS`` at a time, so memory
        beyond the input and the result stays bounded.
        """
        k = int(self.top_k if top_k is None else top_k)
        n = len(X)
        parts = [self._explain_chunk(X[i : i + CHUNK_ROWS], k) for i in range(0, n, CHUNK_ROWS)]
        parts = parts or [self._explain_chunk(X[:0], k)]
        codes, values, sentences, raw = (
            np.concatenate(p) if p[0] is not None else None for p in zip(*parts, strict=True)
        )
        names = np.append(self.feature_names_in_, None).astype(object)
        index = X.index if isinstance(X, pd.DataFrame) else pd.RangeIndex(n)
        return ReasonCodes(index, names[codes], values, sentences, raw)

    def _explain_chunk(self, X, k: int):
        from ._topk import SMALL_ROWS

        Xa = self._matrix(X)
        n = len(Xa)
        if n <= SMALL_ROWS and self.route_ != "fast":
            from ._topk import top_k_groups  # a letter's few rows: no numba to load
        else:
            from ._kernels import top_k_groups
        codes = np.full((n, k), -1, dtype=np.int64)
        values = np.zeros((n, k))
        raw = np.empty(n) if self.kind_ == "tree" else None
        scale = 10.0 ** int(self.decimals)
        min_q = max(float(np.rint(float(self.min_contribution) * scale)), 0.0)
        for i in range(0, n, self.batch_size):
            j = min(i + self.batch_size, n)
            phi, r = self._contrib(Xa[i:j])
            top_k_groups(
                np.ascontiguousarray(phi),
                self.family_codes_,
                len(self.families_),
                k,
                scale,
                min_q,
                codes[i:j],
                values[i:j],
            )
            if raw is not None:
                raw[i:j] = r
        return codes, values, sentences_for(codes, Xa, self.features_in_, self.details_,
                                           getattr(self, "composites_", None)), raw

    def reasons(self, X, top_k=None) -> pd.DataFrame:
        """``reason_1`` .. ``reason_k`` for each row: sentences, most important first."""
        return self.explain(X, top_k).to_frame()


def reason_codes(model, X, *, features=None, top_k=4, **params) -> pd.DataFrame:
    """``reason_1`` .. ``reason_4`` of each row of ``X`` under ``model`` (one call).

    Examples
    --------
    >>> reason_codes(load_model("model/"), frame)  # doctest: +SKIP
    """
    return ReasonCoder(features, top_k=top_k, **params).fit(model).reasons(X)
