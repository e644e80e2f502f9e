"""Drift between a model's training population and new data: PSI and CSI.

The reference is a set of distributions (quantile bin edges and the share of
rows in each bin, plus the share missing) of the training scores and of each
feature, stored as ``drift_reference.json``. With it, the training data is not
needed to measure drift. The population stability index of the score is PSI;
the same index on one feature is called CSI (characteristic stability index).
Rules of thumb: below 0.1 stable, 0.1 to 0.25 a moderate shift, above 0.25 a
significant shift.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from .._atomic import write_text_atomic
from .._errors import InputError
from ._levels import PSI_LIMITS, level

__all__ = ["psi", "Distribution", "DriftReference", "DriftReport", "PSI_LIMITS", "REFERENCE_FILE"]

REFERENCE_FILE = "drift_reference.json"
EPSILON = 1e-4
MSG_NO_FEATURE = "drift: the new data has no column {name!r} that the reference holds"


@dataclass(frozen=True)
class Distribution:
    """Bin edges (interior cut points) and the share of rows per bin and missing.

    Bins are ``(-inf, e1], (e1, e2], ..., (ek, inf)``.
    """

    edges: tuple[float, ...]
    proportions: tuple[float, ...]
    missing: float = 0.0

    @classmethod
    def fit(cls, values, bins: int = 10) -> Distribution:
        """Quantile bins of ``values`` (ties merged), and their shares."""
        import numpy as np

        x = np.asarray(values, dtype="float64")
        present = x[~np.isnan(x)]
        if present.size == 0:
            return cls((), (1.0,), 1.0 if x.size else 0.0)
        cuts = np.unique(np.quantile(present, np.linspace(0, 1, bins + 1)[1:-1]))
        edges = tuple(float(c) for c in cuts if c < present.max())
        return cls(edges, (), 0.0).with_shares(x)

    def with_shares(self, values) -> Distribution:
        """The same bins, with the shares of ``values``."""
        import numpy as np

        x = np.asarray(values, dtype="float64")
        missing = np.isnan(x)
        counts = np.bincount(
            np.searchsorted(self.edges, x[~missing], side="left"), minlength=len(self.edges) + 1
        )
        n = max(x.size, 1)
        return Distribution(
            self.edges, tuple(float(c) / n for c in counts), float(missing.sum()) / n
        )

    def psi(self, other: Distribution) -> float:
        """The stability index of ``other`` against this (expected) distribution."""
        import numpy as np

        e = np.clip(np.array([*self.proportions, self.missing]), EPSILON, None)
        a = np.clip(np.array([*other.proportions, other.missing]), EPSILON, None)
        return float(np.sum((a - e) * np.log(a / e)))

    def to_dict(self) -> dict:
        """The distribution as JSON-ready data: bin edges, proportions and the missing share."""
        return {
            "edges": list(self.edges),
            "proportions": list(self.proportions),
            "missing": self.missing,
        }


def psi(expected, actual, bins: int = 10) -> float:
    """PSI of ``actual`` against ``expected`` with quantile bins of ``expected``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=5000)
    >>> round(psi(x, x), 6)
    0.0
    """
    ref = Distribution.fit(expected, bins)
    return ref.psi(ref.with_shares(actual))


@dataclass(frozen=True)
class DriftReference:
    """Training distributions of the score and of each feature."""

    score: Distribution
    features: dict[str, Distribution]
    n: int

    @classmethod
    def from_frame(cls, frame, scores, feature_names, bins: int = 10) -> DriftReference:
        """Fit the reference from the training rows and their scores (or PDs)."""
        return cls(
            Distribution.fit(scores, bins),
            {f: Distribution.fit(frame[f].astype("float64"), bins) for f in feature_names},
            len(frame),
        )

    def to_dict(self) -> dict:
        """The reference as JSON-ready data: rows, the score's and each feature's distribution."""
        return {
            "version": 1,
            "n": self.n,
            "score": self.score.to_dict(),
            "features": {k: v.to_dict() for k, v in self.features.items()},
        }

    @classmethod
    def from_dict(cls, data: dict) -> DriftReference:
        """The reference from its JSON form (:meth:`to_dict`)."""
        def dist(d):
            return Distribution(tuple(d["edges"]), tuple(d["proportions"]), d.get("missing", 0))

        return cls(
            dist(data["score"]),
            {k: dist(v) for k, v in data["features"].items()},
            int(data.get("n", 0)),
        )

    def write(self, path: str | os.PathLike) -> Path:
        """Write as JSON (atomically)."""
        return write_text_atomic(path, json.dumps(self.to_dict(), indent=1))

    @classmethod
    def read(cls, path: str | os.PathLike) -> DriftReference:
        """The reference stored at ``path`` (a JSON file written beside a model)."""
        from ..reports._sources import read_json

        return cls.from_dict(read_json(Path(path)))


class DriftReport:
    """PSI of the score and CSI of each feature, new data against a reference.

    Build it with :meth:`compute`; read it with :meth:`to_frame`,
    :meth:`to_dict`, :meth:`to_html`, :meth:`to_markdown`; save with :meth:`write`.
    """

    stem = "drift_report"

    def __init__(self, rows: list[dict], n_reference: int, n_new: int, title: str = ""):
        self._rows = rows
        self.n_reference = n_reference
        self.n_new = n_new
        self.title = title or "Drift report"

    @classmethod
    def compute(cls, reference: DriftReference, frame, scores, title: str = "") -> DriftReport:
        """Compare ``frame`` (features) and ``scores`` with ``reference``."""
        rows = [_row("score", "score (PSI)", reference.score, scores)]
        for name, dist in reference.features.items():
            if name not in frame.columns:
                raise InputError(MSG_NO_FEATURE.format(name=name))
            rows.append(_row(name, "feature (CSI)", dist, frame[name].astype("float64")))
        return cls(rows, reference.n, len(frame), title)

    @property
    def score_psi(self) -> float:
        """The population stability index of the score between reference and new rows."""
        return self._rows[0]["index"]

    def to_frame(self):
        """One row per drifting quantity: name, kind, index (PSI) and level."""
        import pandas as pd

        return pd.DataFrame(self._rows, columns=["name", "kind", "index", "level"])

    def to_dict(self) -> dict:
        """The drift report as JSON-ready data: the score's PSI, counts, limits and features."""
        return {
            "score_psi": self.score_psi,
            "n_reference": self.n_reference,
            "n_new": self.n_new,
            "limits": list(PSI_LIMITS),
            "rows": list(self._rows),
        }

    def metrics(self) -> dict[str, float]:
        """``drift.score_psi`` and ``drift.csi.<feature>``, for MLflow."""
        out = {"drift.score_psi": self.score_psi}
        out.update({f"drift.csi.{r['name']}": r["index"] for r in self._rows[1:]})
        return out

    def document(self):
        """The drift report as a :class:`~creditscore.reports.Document`."""
        from ._drift_doc import drift_document

        return drift_document(self)

    def to_html(self) -> str:
        """The drift report as self-contained HTML."""
        from ..reports import render_html

        return render_html(self.document())

    def to_markdown(self) -> str:
        """The drift report as Markdown."""
        from ..reports import render_markdown

        return render_markdown(self.document())

    def write(self, out_dir: str | os.PathLike) -> dict[str, Path]:
        """Write ``drift_report.html`` and ``.md`` into ``out_dir`` (atomically)."""
        from ..reports import write_document

        return write_document(self.document(), out_dir, self.stem)

    def _repr_html_(self) -> str:
        return self.to_html()


def _row(name: str, kind: str, reference: Distribution, values) -> dict:
    index = reference.psi(reference.with_shares(values))
    return {"name": name, "kind": kind, "index": index, "level": level(index)}
