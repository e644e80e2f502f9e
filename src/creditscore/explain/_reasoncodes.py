"""The reasons of a batch of subjects: a small result object."""

from __future__ import annotations

import pandas as pd

__all__ = ["ReasonCodes"]


class ReasonCodes:
    """Reasons of a batch of subjects (not fitted; built by :meth:`ReasonCoder.explain`).

    Attributes
    ----------
    index : Index
        The rows' index (that of the frame explained).
    features : ndarray of object, shape (n_rows, top_k)
        The feature naming each reason (None where fewer apply).
    contributions : ndarray of float, shape (n_rows, top_k)
        Each reason's contribution: log-odds (boosted) or points lost
        (scorecard); 0 where no reason.
    sentences : ndarray of object, shape (n_rows, top_k)
    raw_score : ndarray of float or None
        Boosted models: the log-odds (sum of attributions plus baseline).
    """

    def __init__(self, index, features, contributions, sentences, raw_score=None):
        self._index, self._features = index, features
        self._contrib, self._sentences, self._raw = contributions, sentences, raw_score

    @property
    def index(self):
        """The rows' index."""
        return self._index

    @property
    def features(self):
        """The reason features of each row, most important first."""
        return self._features

    @property
    def contributions(self):
        """Each reason's contribution: log-odds (boosted) or points lost (scorecard)."""
        return self._contrib

    @property
    def sentences(self):
        """The reason sentences of each row."""
        return self._sentences

    @property
    def raw_score(self):
        """Boosted models: the log-odds of each row (None for scorecards)."""
        return self._raw

    def __len__(self) -> int:
        return len(self._index)

    def to_frame(self) -> pd.DataFrame:
        """``reason_1`` .. ``reason_k``: sentences, None where fewer apply."""
        cols = {f"reason_{i + 1}": self._sentences[:, i] for i in range(self._sentences.shape[1])}
        return pd.DataFrame(cols, index=self._index, dtype=object)

    def to_dict(self) -> list[list[dict]]:
        """Per row, its reasons as ``{"feature", "contribution", "sentence"}`` dicts."""
        return [
            [
                {"feature": f, "contribution": float(c), "sentence": s}
                for f, c, s in zip(fr, cr, sr, strict=True)
                if f is not None
            ]
            for fr, cr, sr in zip(self._features, self._contrib, self._sentences, strict=True)
        ]
