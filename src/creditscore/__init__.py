"""creditscore: credit scoring and risk analytics under the rule of law.

Point-in-time features from social insurance, loan and public records; calibrated
default and breach models; a fairness gate every model passes before it scores;
explanations a subject can read; tracking in MLflow. The stages live in the
subpackages :mod:`creditscore.records`, :mod:`creditscore.synth`,
:mod:`creditscore.features`, :mod:`creditscore.models`, :mod:`creditscore.fairness`,
:mod:`creditscore.explain`, :mod:`creditscore.reports` and :mod:`creditscore.tracking`.
"""

from importlib.metadata import PackageNotFoundError, version

__all__ = ["__version__"]

try:
    __version__ = version("creditscore")
except PackageNotFoundError:  # pragma: no cover - a source tree on sys.path, not installed
    __version__ = "0+unknown"
