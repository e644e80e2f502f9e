"""Explanations a person can act on: reason codes, recourse, the subject's letter.

- :class:`ReasonCoder` turns exact attributions (TreeSHAP on the log-odds of
  a LightGBM model, the same numbers as ``pred_contrib`` but computed from
  per-leaf tables; points below the best bin for a scorecard) into up to
  four plain sentences per subject: the factors that raised the subject's
  risk above the baseline, most important first, from the feature
  definitions' reason templates and the subject's own values. Never a
  column name, never a protected attribute.
- :func:`find_recourse` searches the smallest set of declared
  :class:`Action` (pay arrears, resolve a record, lower card use) that moves
  a subject in tier C or D to a better tier; the past is never edited.
- :func:`write_letter` writes the subject's letter (HTML and Markdown): the
  records used and left out (and why), score, tier, reasons, recourse, and
  how to dispute a record.
- :func:`shap_plots` and :func:`points_table`: global explanations for the
  model card.

Heavy libraries (lightgbm, numba, shap, matplotlib, jinja2) are imported
inside the functions that use them.
"""

from ._flat import FlatExplanation, explain_flat, flat_scores
from ._global import points_table, shap_importance, shap_plots
from ._letter import (
    DISPUTE_CONTACT,
    LetterResult,
    SubjectLetter,
    build_letter,
    render_letter,
    write_letter,
)
from ._reasons import PROTECTED_NAMES, ReasonCoder, ReasonCodes, reason_codes
from ._records import classify_records
from ._recourse import DEFAULT_ACTIONS, Action, Recourse, check_actions, find_recourse
from ._sentences import family_key, reason_sentence

__all__ = [
    "ReasonCoder",
    "FlatExplanation",
    "explain_flat",
    "flat_scores",
    "ReasonCodes",
    "reason_codes",
    "reason_sentence",
    "family_key",
    "PROTECTED_NAMES",
    "Action",
    "DEFAULT_ACTIONS",
    "Recourse",
    "find_recourse",
    "check_actions",
    "classify_records",
    "SubjectLetter",
    "LetterResult",
    "build_letter",
    "render_letter",
    "write_letter",
    "DISPUTE_CONTACT",
    "shap_plots",
    "shap_importance",
    "points_table",
]
