"""The champion rule: better *and* fair, measured on the same rows.

A challenger takes the ``champion`` alias only when

1. its fairness audit passed and is bound to its own files (``_gate``), and
2. on the same validation rows, its AUC exceeds the current champion's by
   more than ``margin`` (default ``MARGIN``, 0.005).

A smaller difference, a tie included, keeps the champion: a change of the
model people are scored with must be worth it, and a difference within the
noise of the rows is not. Without a champion the gate alone decides.

The rows are the caller's: rows with a known label of the target that
neither model was trained on (every ``as_of`` after both models'
``train_until``; rows on or before it are refused). The demo and ``retrain``
use their out-of-time rows, the rows the audit ran on. Both AUCs, the rows'
count, events and dates are kept with the decision (``Comparison``), so the
figure names its sample.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .._errors import InputError, did_you_mean

__all__ = ["MARGIN", "CHAMPION_RULE", "Comparison", "compare_on_rows", "decide"]

#: the AUC a challenger must gain over the champion, on the same rows, to replace it
MARGIN = 0.005
CHAMPION_RULE = (
    "A challenger takes the champion alias only when its fairness audit passed, bound to its "
    "own files, and, on the same validation rows (known labels, after both models' "
    "train_until), its AUC exceeds the champion's by more than the margin (default "
    f"{MARGIN}); a smaller difference, a tie included, keeps the champion. Without a "
    "champion the gate alone decides."
)

MSG_READ = "{path}: cannot read the validation rows ({error})"
MSG_TARGET = "{path}: no column {target!r} to compare the models on{hint}"
MSG_ONE_CLASS = ("{path}: the validation rows hold {n} rows with a known {target}, not both "
                 "outcomes; AUC is undefined")
MSG_TRAINED_ON = ("{path}: {n:,} validation rows have as_of on or before {until}, the last date "
                  "{who} was trained on; compare on rows neither model was trained on")
MSG_FEATURES = "{path}: {who} needs feature column(s) {cols} the validation rows lack"
MSG_MARGIN = "margin {margin!r} must be a number >= 0"


@dataclass(frozen=True)
class Comparison:
    """Challenger and champion on the same validation rows.

    Attributes
    ----------
    challenger_auc, champion_auc : float
    margin : float
    n_rows, n_events : int
        Rows with a known label, and events among them.
    dates : tuple of str
        The rows' observation dates.
    source : str
        Where the rows came from.
    """

    challenger_auc: float
    champion_auc: float
    margin: float
    n_rows: int
    n_events: int
    dates: tuple
    source: str

    @property
    def beats(self) -> bool:
        """Whether the challenger's AUC exceeds the champion's by more than the margin."""
        return round(self.challenger_auc - self.champion_auc, 12) > self.margin

    def sample(self) -> str:
        """The rows in words: how many, events, source, dates."""
        return (f"{self.n_rows:,} rows ({self.n_events:,} events) of {self.source}, "
                f"as_of {', '.join(self.dates)}")

    def to_dict(self) -> dict:
        """Both AUCs, the margin, the decision and the rows (JSON-ready)."""
        return {"challenger_auc": self.challenger_auc, "champion_auc": self.champion_auc,
                "margin": self.margin, "beats": self.beats,
                "rows": {"n": self.n_rows, "events": self.n_events, "dates": list(self.dates),
                         "source": self.source}}


def _frame(rows):
    import pandas as pd

    if isinstance(rows, pd.DataFrame):
        return rows, "the validation rows"
    path = Path(rows)
    try:
        return pd.read_parquet(path), str(path)
    except (OSError, ValueError) as exc:
        raise InputError(MSG_READ.format(path=path, error=str(exc).splitlines()[0])) from exc


def _auc(model_dir, frame, target: str, who: str, source: str) -> float:
    import pandas as pd
    from sklearn.metrics import roc_auc_score

    from ..reports import _modelinfo

    until = _modelinfo.ModelInfo.from_dir(model_dir).train_until
    if until:
        used = (pd.to_datetime(frame["as_of"]) <= pd.Timestamp(str(until)[:10])).sum()
        if used:
            raise InputError(MSG_TRAINED_ON.format(path=source, n=int(used),
                                                   until=str(until)[:10], who=who))
    model = _modelinfo.load_model_dir(model_dir)
    names = list(model.feature_names)
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise InputError(MSG_FEATURES.format(path=source, who=who, cols=", ".join(missing[:5])))
    return float(roc_auc_score(frame[target].astype(int), model.predict_pd(frame[names])))


def compare_on_rows(challenger_dir: str | os.PathLike, champion_dir: str | os.PathLike, rows,
                    target: str, *, margin: float = MARGIN, champion: str = "the champion"
                    ) -> Comparison:
    """AUC of both models on the rows of ``rows`` with a known ``target``.

    Parameters
    ----------
    challenger_dir, champion_dir : path
        Model directories.
    rows : DataFrame or path
        Feature rows (Parquet): ``as_of``, both models' features and ``target``.
    target : str
    margin : float, default=MARGIN
    champion : str, default="the champion"
        How messages name the champion (e.g. "the champion (version 3)").

    Raises
    ------
    InputError
        Unreadable rows; no target column; one outcome only; rows on or before a
        model's ``train_until``; features a model needs are missing.
    """
    if not isinstance(margin, (int, float)) or not margin >= 0:
        raise InputError(MSG_MARGIN.format(margin=margin))
    frame, source = _frame(rows)
    if target not in frame.columns:
        raise InputError(MSG_TARGET.format(path=source, target=target,
                                           hint=did_you_mean(target, frame.columns)))
    frame = frame[frame[target].notna()].reset_index(drop=True)
    if frame[target].nunique() < 2:
        raise InputError(MSG_ONE_CLASS.format(path=source, n=len(frame), target=target))
    challenger_auc = _auc(challenger_dir, frame, target, "the challenger", source)
    champion_auc = _auc(champion_dir, frame, target, champion, source)
    dates = tuple(sorted({str(d)[:10] for d in frame["as_of"]}))
    return Comparison(challenger_auc, champion_auc, float(margin), len(frame),
                      int(frame[target].astype(int).sum()), dates, source)


def decide(gate, comparison: Comparison | None, champion: str | None) -> tuple[bool, str]:
    """(promote, reason) under ``CHAMPION_RULE``.

    ``gate`` has ``passed`` and ``reason``; ``comparison`` is None when there is
    no champion (``champion`` None) or no rows were given to compare on.
    """
    if not gate.passed:
        return False, f"not promoted: the challenger's fairness gate did not pass ({gate.reason})"
    if champion is None:
        return True, "promoted: there was no champion, and the challenger passed its audit"
    if comparison is None:
        return False, (f"not promoted: {champion} holds the alias, and a challenger replaces "
                       "it only by beating it on the same validation rows; none were given")
    c = comparison
    figures = (f"AUC {c.challenger_auc:.4f} against {c.champion_auc:.4f} on {c.sample()}")
    if c.beats:
        return True, (f"promoted: the challenger passed its audit and beats {champion} by more "
                      f"than the margin {c.margin}: {figures}")
    return False, (f"not promoted: the challenger does not beat {champion} by more than the "
                   f"margin {c.margin} (ties keep the champion): {figures}")
