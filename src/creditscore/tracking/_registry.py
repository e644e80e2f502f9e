"""The registry side of the gate: tag every version with its audit verdict, and
let only a passed, hash-bound audit that also beats the current champion on the
same validation rows set the ``champion`` alias (the rule: ``_champion``)."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .._errors import InputError
from ..reports._modelinfo import ModelInfo
from ._champion import MARGIN, Comparison, compare_on_rows, decide
from ._gate import GateVerdict, check_gate
from ._store import model_subjects, registered_model_name, using_tracking

__all__ = [
    "CHAMPION",
    "Promotion",
    "promote_if_passed",
    "record_verdict",
    "champion_version",
    "registered_model_dir",
]

CHAMPION = "champion"
MSG_NO_VERSION = "no version of registered model {name!r} was logged by run {run_id!r}"
MSG_NOT_OURS = "version {version} of {name} carries no creditscore model directory"
MSG_COPY = (
    "the copy registered as version {version} of {name} did not pass the gate "
    "({reason}); log the model after its audit so that the registry holds the verdict"
)
MSG_OTHER_MODEL = (
    "version {version} of {name} holds model {registered}, not the model in "
    "{path} ({actual}); promote the version that was logged from this directory"
)


@dataclass(frozen=True)
class Promotion:
    """What the gate decided for one registered model version."""

    name: str
    version: str
    promoted: bool
    verdict: GateVerdict
    alias: str = CHAMPION
    #: why, in words (the gate's reason, or the comparison with the champion)
    reason: str = ""
    #: the champion's version compared against (None: there was none)
    champion: str | None = None
    comparison: Comparison | None = None

    def to_dict(self) -> dict:
        """The promotion as JSON-ready data: registered name, version, promoted, alias, reason."""
        return {
            "name": self.name,
            "version": self.version,
            "promoted": self.promoted,
            "alias": self.alias,
            **self.verdict.to_dict(),
            "decision": self.reason,
            "champion": self.champion,
            "comparison": None if self.comparison is None else self.comparison.to_dict(),
        }


def _client():
    from mlflow import MlflowClient

    return MlflowClient()


def _resolve_version(client, name: str, run_or_version) -> str:
    text = str(run_or_version)
    if isinstance(run_or_version, int) or (text.isdigit() and len(text) < 12):
        return text
    found = client.search_model_versions(f"name = '{name}' and run_id = '{text}'")
    if not found:
        raise InputError(MSG_NO_VERSION.format(name=name, run_id=text))
    return str(max(int(v.version) for v in found))


def _bound_to_version(
    client, name: str, version: str, verdict: GateVerdict, model_dir: Path
) -> GateVerdict:
    """A failed verdict if the registered version holds other model files."""
    registered = client.get_model_version(name, version).tags.get("model_hash")
    if registered is None or registered == verdict.model_hash:
        return verdict
    reason = MSG_OTHER_MODEL.format(
        version=version, name=name, registered=registered, path=model_dir, actual=verdict.model_hash
    )
    return GateVerdict(False, verdict.model_hash, verdict.audit_hash, reason)


def _tag(client, name: str, version: str, verdict: GateVerdict) -> None:
    for key, value in verdict.tags().items():
        client.set_model_version_tag(name, version, key, value)
    if not verdict.passed:
        _drop_alias_if_held(client, name, version)


def record_verdict(name: str, version: str, model_dir: str | os.PathLike) -> GateVerdict:
    """Tag a model version with its audit verdict; never sets an alias.

    Tags: ``model_hash`` (once, at registration), ``audit_passed`` (true/false),
    ``audit_hash``, ``audit_reason``. A version tagged failed loses the
    champion alias if it held it.
    """
    client = _client()
    verdict = check_gate(model_dir)
    if "model_hash" not in client.get_model_version(name, version).tags:
        client.set_model_version_tag(name, version, "model_hash", verdict.model_hash)
    verdict = _bound_to_version(client, name, version, verdict, Path(model_dir))
    _tag(client, name, version, verdict)
    return verdict


def registered_model_dir(name: str, version: str, dst: str | os.PathLike) -> Path:
    """Download a registered version and return the model directory it carries."""
    from mlflow.artifacts import download_artifacts

    root = Path(download_artifacts(artifact_uri=f"models:/{name}/{version}", dst_path=str(dst)))
    dirs = sorted(p for p in (root / "artifacts").iterdir() if p.is_dir())
    if len(dirs) != 1:
        raise InputError(MSG_NOT_OURS.format(name=name, version=version))
    return dirs[0]


def _registered_copy_verdict(name: str, version: str, verdict: GateVerdict) -> GateVerdict:
    """The verdict of the copy the registry holds: the alias must point at files that
    passed, since scoring loads that copy and refuses it without a passed audit."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = check_gate(registered_model_dir(name, version, tmp))
    if copy.passed and copy.model_hash == verdict.model_hash:
        return verdict
    reason = MSG_COPY.format(name=name, version=version, reason=copy.reason)
    return GateVerdict(False, verdict.model_hash, verdict.audit_hash, reason)


def _drop_alias_if_held(client, name: str, version: str, alias: str = CHAMPION) -> None:
    from mlflow.exceptions import MlflowException

    try:
        holder = client.get_model_version_by_alias(name, alias)
    except MlflowException:
        return
    if str(holder.version) == str(version):
        client.delete_registered_model_alias(name, alias)


def _holder(client, name: str, alias: str):
    """The version holding ``alias``, or None."""
    from mlflow.exceptions import MlflowException

    try:
        return str(client.get_model_version_by_alias(name, alias).version)
    except MlflowException:
        return None


def _compare(client, name, version, model_dir, rows, target, margin, alias):
    """(champion version or None, Comparison or None) for a passed challenger."""
    holder = _holder(client, name, alias)
    if holder is None or holder == version or rows is None:
        return holder, None
    with tempfile.TemporaryDirectory() as tmp:
        champion_dir = registered_model_dir(name, holder, tmp)
        comparison = compare_on_rows(model_dir, champion_dir, rows, target, margin=margin,
                                     champion=f"the champion (version {holder})")
    return holder, comparison


def promote_if_passed(
    run_or_version,
    model_dir: str | os.PathLike,
    *,
    target: str | None = None,
    alias: str = CHAMPION,
    uri: str | None = None,
    rows=None,
    margin: float = MARGIN,
) -> Promotion:
    """Set the ``champion`` alias on a version only if its audit passed and it beats the
    current champion on the same validation rows (``_champion.CHAMPION_RULE``).

    Parameters
    ----------
    run_or_version : str or int
        The run id that logged the model (see :func:`log_training_run`) or the
        version number of ``creditscore-<target>``.
    model_dir : path
        The model directory that was logged; it must hold
        ``audit/verdict.json`` saying passed, bound to the hash of its files,
        and that hash must be the registered version's ``model_hash`` tag.
    target : str, optional
        Default: the model directory's target.
    alias : str, default="champion"
    uri : str, optional
        Tracking URI; default ``tracking_uri()``.
    rows : DataFrame or path, optional
        Validation rows (feature rows with the target, after both models'
        ``train_until``) on which the challenger must beat the champion. Needed
        only when another version holds the alias: without them it keeps it.
    margin : float, default=0.005
        The AUC the challenger must gain over the champion; ties keep the champion.

    Returns
    -------
    Promotion
        ``promoted`` is True only when the alias now points at this version;
        ``reason`` says why, with both AUCs and the rows when they were compared.
        Every version gets ``audit_passed``, ``audit_hash`` and ``champion_decision`` tags.
    """
    model_dir = Path(model_dir)
    info = ModelInfo.from_dir(model_dir)
    target = target or info.target
    name = registered_model_name(target, model_subjects(info))
    with using_tracking(uri):
        client = _client()
        version = _resolve_version(client, name, run_or_version)
        verdict = _bound_to_version(client, name, version, check_gate(model_dir), model_dir)
        if verdict.passed:
            verdict = _registered_copy_verdict(name, version, verdict)
        _tag(client, name, version, verdict)
        champion, comparison = None, None
        if verdict.passed:
            champion, comparison = _compare(client, name, version, model_dir, rows, target,
                                            margin, alias)
        if verdict.passed and champion == version:
            promoted, reason = True, "kept: this version holds the alias and its audit passed"
        else:
            promoted, reason = decide(verdict, comparison, None if champion is None
                                      else f"the champion (version {champion})")
        client.set_model_version_tag(name, version, "champion_decision", reason[:500])
        if promoted:
            client.set_registered_model_alias(name, alias, version)
    return Promotion(name, version, promoted, verdict, alias, reason, champion, comparison)


def champion_version(target: str, *, alias: str = CHAMPION, uri: str | None = None,
                     subjects: str = "person"):
    """The model version holding ``alias`` for ``target`` (of ``subjects``), or None."""
    from mlflow.exceptions import MlflowException

    with using_tracking(uri):
        try:
            return _client().get_model_version_by_alias(
                registered_model_name(target, subjects), alias)
        except MlflowException:
            return None
