"""The MLflow pyfunc of a creditscore model: a model directory in, a PD per row out.

Logged as "models from code" (no pickled object): a three-line entry script
calls ``mlflow.models.set_model(CreditscorePD())`` and the model directory
travels as the artifact ``model_dir``. Loading refuses, like ``creditscore
score``, unless the directory holds a passed audit of this very model; pass
``model_config={"require_audit": False}`` to ``mlflow.pyfunc.load_model`` for
research use of an unaudited model (never for decisions about people).

This module imports mlflow at import time; import it only where mlflow is
needed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import mlflow.pyfunc
import numpy as np
import pandas as pd

from .._errors import PolicyRefusal

__all__ = ["CreditscorePD", "ENTRY_SCRIPT"]

MSG_REFUSED = "refused to load {path} as a scoring model: {reason}"
#: set by MLflow's scoring server (``mlflow models serve``) in the process that loads the model
SERVING_ENV = "__pyfunc_model_path__"
ENTRY_SCRIPT = (
    '"""MLflow entry point: the creditscore PD model (see creditscore.tracking)."""\n'
    "import mlflow\n\n"
    "from creditscore.tracking import CreditscorePD\n\n"
    "mlflow.models.set_model(CreditscorePD())\n"
)


def _refuse(message: str):
    """A refused model: ``PolicyRefusal`` in Python; in a scoring server, one line and exit 3.

    A server that cannot load its model can do nothing else, and the traceback
    through uvicorn and MLflow (85 lines) would bury the reason.
    """
    if os.environ.get(SERVING_ENV):
        sys.stderr.write(f"creditscore: refused: {message}\n")
        sys.stderr.flush()
        raise SystemExit(3)
    raise PolicyRefusal(message)


class CreditscorePD(mlflow.pyfunc.PythonModel):
    """pyfunc returning the calibrated probability of default (float) per input row.

    Input: a DataFrame with the model's feature columns, typed as the signature
    says (as ``creditscore features`` writes them: counts as integers, the rest
    as floats; all floats when the model was logged without a features file).
    Extra columns, such as ``subject_id``, are ignored. Output: a float64 array
    of PDs, one per row.
    """

    def load_context(self, context):
        """MLflow's hook: load the model directory from the artifacts and check its gate."""
        from ..reports import _modelinfo
        from ._gate import check_gate

        self.model_dir = Path(context.artifacts["model_dir"])
        config = context.model_config or {}
        if config.get("require_audit", True):
            verdict = check_gate(self.model_dir)
            if not verdict.passed:
                _refuse(MSG_REFUSED.format(path=self.model_dir, reason=verdict.reason))
        self.model = _modelinfo.load_model_dir(self.model_dir)
        self.feature_names = list(self.model.feature_names)

    def predict(self, context, model_input: pd.DataFrame, params=None):
        """MLflow's hook: the calibrated PDs of ``model_input``'s rows."""
        frame = model_input[self.feature_names].astype("float64")
        return np.asarray(self.model.predict_pd(frame), dtype="float64")
