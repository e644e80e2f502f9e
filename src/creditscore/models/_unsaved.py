"""A trained model before it is saved: everything a model directory offers, in memory.

``train_model(..., out=None)`` writes nothing; the model it returns (the
``TrainResult`` or its ``.model``) remembers what its directory would hold.
:class:`UnsavedModel` renders those files in memory (``_modeldir.render_model``)
and is a :class:`LoadedModel` over them: PD, score, tier, features, target,
and ``model_hash()``, the hash the directory will have. So the fairness audit
can run on it (``run_audit``) and its verdict, bound to that hash, is recorded
when the model is saved (:meth:`UnsavedModel.save` with ``audit=``): the same
bytes are written, so the hash the audit names is the hash of the directory.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .._errors import InputError
from ._load import LoadedModel

__all__ = ["UnsavedModel", "unsaved_model", "SAVING_ATTR", "MSG_NOT_TRAINED", "MSG_OTHER_AUDIT"]

#: where ``train_model`` keeps, on the fitted model, what ``save_model`` needs
SAVING_ATTR = "_creditscore_saving"
MSG_NOT_TRAINED = ("{what}: a {kind} fitted outside train_model carries no target, tiers or "
                   "model files to bind a verdict to; pass what train_model returned (or its "
                   ".model), or a model directory")
MSG_OTHER_AUDIT = ("{out}: the audit given is of model {audited:.12}, not of this model "
                   "({actual:.12}); audit this model (run_audit) and save it with that audit")
MSG_NO_AUDIT_RESULT = "{out}: audit must be what run_audit returned, got {got}"


class UnsavedModel(LoadedModel):
    """A model trained in memory, seen as its model directory would be.

    Parameters
    ----------
    model : CalibratedModel
        Fitted by ``train_model``.
    saving : dict
        The arguments of ``save_model`` that ``train_model`` recorded.
    """

    def __init__(self, model, saving: dict):
        from ._features import resolve_features
        from ._modeldir import render_model
        from ._tiers import RiskTiers

        self._files = render_model(model, **saving)
        info = json.loads(self._files["model.json"])
        features = resolve_features(saving.get("features"))
        metrics = json.loads(self._files["metrics.json"]) if "metrics.json" in self._files \
            else None
        # LoadedModel's state, without a path: nothing is on disk yet
        self.path, self.info, self.features = None, info, features
        self.model, self.tiers, self.metrics = model, saving.get("tiers") or RiskTiers(), metrics
        self.flat, self._hash = None, None

    def files(self) -> dict[str, bytes]:
        """The model directory's files by relative path (what :meth:`save` writes)."""
        return dict(self._files)

    def model_hash(self) -> str:
        """sha256 of the files the directory will hold (``model_hash`` once saved)."""
        from ._modeldir import files_hash

        if self._hash is None:
            self._hash = files_hash(self._files)
        return self._hash

    def save(self, out: str | os.PathLike, *, audit=None) -> Path:
        """Write the model directory (atomically); with ``audit``, record its verdict.

        Parameters
        ----------
        out : path
            The model directory (replaced whole).
        audit : AuditResult, optional
            What ``creditscore.fairness.run_audit`` returned for this model: its
            verdict is recorded in ``out/audit/``, bound to the directory's hash
            (checked to be the hash the audit names before anything is written).

        Raises
        ------
        InputError
            ``audit`` is not an audit result, or is the audit of another model.
        """
        from .._atomic import atomic_dir

        if audit is not None:
            if not callable(getattr(audit, "record_verdict", None)):
                raise InputError(MSG_NO_AUDIT_RESULT.format(out=out, got=type(audit).__name__))
            if audit.model_hash != self.model_hash():
                raise InputError(MSG_OTHER_AUDIT.format(out=out, audited=audit.model_hash,
                                                        actual=self.model_hash()))
        with atomic_dir(out) as tmp:
            for rel, data in self._files.items():
                (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
                (tmp / rel).write_bytes(data)
        if audit is not None:
            audit.record_verdict(out)
        return Path(out)

    def __repr__(self) -> str:
        return (f"UnsavedModel(kind={self.kind!r}, target={self.target!r}, "
                f"features={len(self.feature_names)}, hash={self.model_hash()[:12]})")


def unsaved_model(obj, what: str = "model") -> UnsavedModel | None:
    """``obj`` as an :class:`UnsavedModel` if it is a model ``train_model`` made in memory.

    A ``TrainResult`` or its ``.model``; None for anything else that is not a
    ``CalibratedModel`` (the caller decides); a ``CalibratedModel`` fitted some
    other way is refused with one line.
    """
    if isinstance(obj, UnsavedModel):
        return obj
    model = getattr(obj, "model", None) if hasattr(obj, "holdout_kind") else obj
    saving = getattr(model, SAVING_ATTR, None)
    if saving is not None:
        return UnsavedModel(model, saving)
    from ._calibration import CalibratedModel

    if isinstance(model, CalibratedModel):
        raise InputError(MSG_NOT_TRAINED.format(what=what, kind=type(model).__name__))
    return None
