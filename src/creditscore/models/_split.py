"""The three samples of a record-set model, chosen here and nowhere else.

Every model has three named, disjoint samples (DESIGN.md, "Evidence"):

- **fit**: the rows the base model is fitted on (LightGBM's trees, the
  scorecard's bins and coefficients): every training row before the tuning
  sample;
- **tuning**: the rows of the latest ``n_dates`` distinct ``as_of`` dates of
  the training rows (``as_of <= train_until``). LightGBM early-stops on them,
  the calibrator is fitted on them, and ``metrics.json`` is measured on them,
  so those figures are *development* figures, never performance. With a
  single date there is no "later": a stratified random ``fraction`` of the
  rows (seeded) stands in, and fit and tuning then share that date;
- **validation**: rows never touched in development. A label is the outcome
  over the ``LABEL_HORIZON_DAYS`` after ``as_of``, so the validation sample
  starts one full horizon after the last fit or tuning date
  (:func:`validation_start`): no validation outcome window overlaps a
  development one. ``creditscore backtest`` measures performance there.

``model.json`` records each development sample's dates, rows, distinct
subjects and events in explicit fields (``samples.fit``, ``samples.tuning``,
:func:`development_samples`); what is read back from them goes through
:func:`classify_rows`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from ..features._dates import HORIZON_DAYS

__all__ = ["holdout_mask", "subject_holdout", "development_samples", "validation_start",
           "classify_rows", "LABEL_HORIZON_DAYS", "SPLIT_RULE", "TUNING_NOTE", "RowClasses"]

#: the outcome window of every label: ``as_of`` to ``as_of + LABEL_HORIZON_DAYS``
LABEL_HORIZON_DAYS = HORIZON_DAYS
#: the rule, in the words the model directory and the reports use
SPLIT_RULE = (
    "fit: the training rows before the latest training date; tuning: the rows of the "
    "latest training date (early stopping, calibration and the development metrics); "
    f"validation: rows at least {HORIZON_DAYS} days (one label horizon) after the last fit "
    "or tuning date, never used in development"
)
#: how every development figure is labelled
TUNING_NOTE = "tuning slice, also used for early stopping and calibration"


def holdout_mask(
    as_of=None, y=None, *, n_dates: int = 1, fraction: float = 0.2, random_state=0
) -> tuple[np.ndarray, str]:
    """Boolean mask of the tuning rows (the rest are the fit rows) and how it was chosen.

    Parameters
    ----------
    as_of : array-like of dates, optional
        Observation date of each row. None means a random tuning sample.
    y : array-like of {0, 1}
        Labels (the random sample is stratified on them).
    n_dates : int, default=1
        How many of the latest distinct dates form the tuning sample.
    fraction : float, default=0.2
        Share of rows in the random tuning sample (single date or no dates).
    random_state : int, default=0

    Returns
    -------
    mask : ndarray of bool
    kind : {"out_of_time", "random"}
    """
    y = np.asarray(y)
    if as_of is not None:
        dates = np.asarray(as_of, dtype="datetime64[D]")
        distinct = np.unique(dates)
        if len(distinct) > n_dates:
            return dates >= distinct[-n_dates], "out_of_time"
    return _stratified(y, fraction, random_state), "random"


def _stratified(y: np.ndarray, fraction: float, random_state) -> np.ndarray:
    rng = np.random.default_rng(random_state)
    mask = np.zeros(len(y), dtype=bool)
    for value in np.unique(y):
        rows = np.flatnonzero(y == value)
        take = int(round(fraction * len(rows)))
        mask[rng.choice(rows, size=take, replace=False)] = True
    return mask


def subject_holdout(subject_id, fraction: float = 0.2, random_state=0) -> np.ndarray:
    """Rows of a random ``fraction`` of the subjects (seeded), each with all its rows.

    Rows are person-dates: a split by row would put one person on both sides.
    """
    ids, codes = np.unique(np.asarray(subject_id), return_inverse=True)
    rng = np.random.default_rng(random_state)
    chosen = rng.choice(len(ids), size=int(round(fraction * len(ids))), replace=False)
    return np.isin(codes, chosen)


def _facts(subject_id, as_of, y) -> dict:
    dates = sorted({str(d)[:10] for d in np.asarray(as_of, dtype="datetime64[D]")})
    return {"dates": dates, "rows": int(len(y)), "subjects": int(len(np.unique(subject_id))),
            "events": int(np.sum(y))}


def development_samples(subject_id, as_of, y, tuning, kind: str) -> dict:
    """``model.json``'s ``samples``: the fit and tuning samples, the rule, the horizon.

    Parameters
    ----------
    subject_id, as_of, y : array-like
        The training rows (known labels, ``as_of <= train_until``).
    tuning : array-like of bool
        The tuning rows (:func:`holdout_mask`).
    kind : {"out_of_time", "random"}

    Returns
    -------
    dict
        ``fit`` and ``tuning`` (each ``dates``, ``rows``, ``subjects``,
        ``events``), ``tuning_kind``, ``label_horizon_days``, ``rule`` and
        ``validation_from`` (the first ``as_of`` of the validation sample).
    """
    tuning = np.asarray(tuning, dtype=bool)
    ids, dates, y = np.asarray(subject_id), np.asarray(as_of), np.asarray(y)
    out = {
        "fit": _facts(ids[~tuning], dates[~tuning], y[~tuning]),
        "tuning": _facts(ids[tuning], dates[tuning], y[tuning]),
        "tuning_kind": kind,
        "label_horizon_days": int(LABEL_HORIZON_DAYS),
        "rule": SPLIT_RULE,
    }
    out["validation_from"] = validation_start(out).isoformat()
    return out


def validation_start(samples: dict) -> dt.date:
    """The first ``as_of`` of the validation sample: one label horizon after the last
    fit or tuning date (``samples`` as :func:`development_samples` returns it)."""
    last = max(dt.date.fromisoformat(d) for key in ("fit", "tuning")
               for d in samples[key]["dates"])
    return last + dt.timedelta(days=int(samples.get("label_horizon_days", LABEL_HORIZON_DAYS)))


class RowClasses:
    """Which rows of a table are development rows, overlap them, or are validation rows.

    Attributes
    ----------
    development : ndarray of bool
        ``as_of`` is a fit or tuning date.
    overlap : ndarray of bool
        Not a development date, but before the validation start: its outcome
        window overlaps the development samples' (or it lies before them).
    validation : ndarray of bool
        ``as_of >= validation_start``.
    start : datetime.date
    """

    def __init__(self, development, overlap, validation, start):
        self.development, self.overlap = development, overlap
        self.validation, self.start = validation, start

    @property
    def n_touched(self) -> int:
        """Rows that are development rows or overlap them."""
        return int(self.development.sum() + self.overlap.sum())

    def describe(self, as_of) -> str:
        """One sentence naming how many rows (and which dates) are not validation rows."""
        dates = np.asarray(as_of, dtype="datetime64[D]")
        shown = sorted({str(d) for d in dates[self.development | self.overlap]})
        text = ", ".join(shown[:6]) + (f" and {len(shown) - 6} more" if len(shown) > 6 else "")
        return (f"{self.n_touched:,} rows (as_of {text}) are fit or tuning rows of the model "
                f"or their outcome windows overlap them; the validation sample starts at "
                f"{self.start}, one label horizon after the last development date")


def classify_rows(samples: dict, as_of) -> RowClasses:
    """Split the rows of a table by ``as_of`` against a model's recorded ``samples``."""
    dates = np.asarray(as_of, dtype="datetime64[D]")
    dev_dates = np.array(sorted({d for key in ("fit", "tuning") for d in samples[key]["dates"]}),
                         dtype="datetime64[D]")
    start = validation_start(samples)
    development = np.isin(dates, dev_dates)
    validation = dates >= np.datetime64(start)
    return RowClasses(development, ~development & ~validation, validation, start)
