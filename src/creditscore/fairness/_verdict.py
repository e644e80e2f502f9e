"""No score without a passed audit: the verdict, bound to the model's hash.

``audit_model`` writes ``MODEL_DIR/audit/`` atomically (the whole folder
appears at once): ``audit.json`` (the same bytes as the report's) and
``verdict.json``::

    {"format": "creditscore-verdict/1", "passed": true, "model": "<sha256>",
     "audit_sha256": "<sha256 of audit/audit.json>", "policy_sha256": "...",
     "created": "...", "reason": "no gate check failed", "n_failed": 0, "failed": [],
     "signature": {"method": "hmac-sha256" | "sha256", "value": "..."}}

The model hash covers every model file except those under ``audit/`` (so
recording the verdict does not change it, and changing any model file voids
it). The signature is an HMAC-SHA256 keyed by ``$CREDITSCORE_AUDIT_KEY``
when that is set (then a verdict cannot be forged without the key), else a
plain SHA-256 of the body (which catches edits by hand, not a forger who
recomputes it). ``require_passed_audit`` checks all of it and refuses with a
one-line ``PolicyRefusal`` (exit 3).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .._atomic import atomic_dir
from .._errors import PolicyRefusal

__all__ = ["Verdict", "record_verdict", "read_verdict", "require_passed_audit",
           "load_audited_model", "directory_hash", "default_model_hash", "AUDIT_DIR", "KEY_ENV"]

AUDIT_DIR, VERDICT_FILE, AUDIT_FILE = "audit", "verdict.json", "audit.json"
#: written beside the verdict by ``creditscore backtest``; an audit keeps it
KEPT_FILE = "validation.json"
KEY_ENV = "CREDITSCORE_AUDIT_KEY"
FORMAT = "creditscore-verdict/1"

MSG_NO_AUDIT = ("{model_dir}: no fairness audit of this model ({path} is missing); run "
                "`creditscore audit` on it first")
MSG_UNREADABLE = "{path}: the audit verdict cannot be read ({error}); run `creditscore audit` again"
MSG_TAMPERED = ("{path}: the audit verdict does not match {what}; it was edited or is "
                "incomplete; run `creditscore audit` again")
MSG_KEY_MISSING = f"{{path}}: the audit verdict is signed, but {KEY_ENV} is not set to check it"
MSG_UNSIGNED = (f"{{path}}: the audit verdict is not signed, but {KEY_ENV} is set; run "
                "`creditscore audit` again with the key")
MSG_FAILED = ("{model_dir}: this model failed its fairness audit ({reason}); it may not be used "
              "to score")
MSG_STALE = ("{model_dir}: the model files changed after the fairness audit (audited "
             "{audited:.12}, now {current:.12}); audit this model again")


@dataclass(frozen=True)
class Verdict:
    """A checked verdict record of ``MODEL_DIR/audit/verdict.json``."""

    passed: bool
    model_hash: str
    audit_sha256: str
    policy_sha256: str
    created: str
    reason: str
    n_failed: int
    failed: tuple[str, ...]
    path: str


def directory_hash(model_dir: str | os.PathLike) -> str:
    """SHA-256 over the sorted relative paths and bytes of every file outside ``audit/``.

    The rule ``creditscore.models`` follows for ``LoadedModel.model_hash()``;
    used when that package is not importable.
    """
    root = Path(model_dir)
    h = hashlib.sha256()
    files = sorted(p for p in root.rglob("*") if p.is_file()
                   and p.relative_to(root).parts[0] != AUDIT_DIR)
    for p in files:
        data = p.read_bytes()
        h.update(p.relative_to(root).as_posix().encode() + b"\0" + len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def default_model_hash(model_dir: str | os.PathLike) -> str:
    """``creditscore.models.model_hash(model_dir)`` (what ``LoadedModel.model_hash()``
    returns), or ``directory_hash`` where the models package does not provide it."""
    try:
        from ..models import model_hash
    except ImportError:
        return directory_hash(model_dir)
    return model_hash(model_dir)


def _canonical(obj) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _sign(body: dict) -> dict:
    key = os.environ.get(KEY_ENV)
    if key:
        value = hmac.new(key.encode(), _canonical(body), hashlib.sha256).hexdigest()
        return {"method": "hmac-sha256", "value": value}
    return {"method": "sha256", "value": hashlib.sha256(_canonical(body)).hexdigest()}


def record_verdict(model_dir, audit_bytes: bytes, *, model_hash: str) -> Verdict:
    """Write ``audit/audit.json`` and the signed ``audit/verdict.json`` at once.

    ``audit_bytes`` is the audit.json as written for the report (its
    ``passed``, ``policy.sha256`` and ``checks`` are read from it).
    """
    audit = json.loads(audit_bytes)
    failed = [f"{c['attribute']}/{c['metric']}/{c['group']}" for c in audit["checks"]
              if c["gate"] and c["status"] == "fail"]
    reason = audit.get("reason") or (
        f"{len(failed)} gate checks failed, first {failed[0]}" if failed else "no check failed")
    body = {"format": FORMAT, "passed": bool(audit["passed"]), "model": model_hash,
            "audit_sha256": hashlib.sha256(audit_bytes).hexdigest(),
            "policy_sha256": audit["policy"]["sha256"], "created": audit["created"],
            "reason": str(reason), "n_failed": len(failed), "failed": failed[:20]}
    kept = Path(model_dir) / AUDIT_DIR / KEPT_FILE  # the back-test's record (reports)
    with atomic_dir(Path(model_dir) / AUDIT_DIR) as tmp:
        if kept.is_file():
            (tmp / KEPT_FILE).write_bytes(kept.read_bytes())
        (tmp / AUDIT_FILE).write_bytes(audit_bytes)
        text = json.dumps({**body, "signature": _sign(body)}, indent=2)
        (tmp / VERDICT_FILE).write_text(text + "\n", encoding="utf-8")
    return read_verdict(model_dir)


def read_verdict(model_dir) -> Verdict:
    """Read and check ``MODEL_DIR/audit/verdict.json`` (signature and audit record).

    Raises
    ------
    PolicyRefusal
        Missing, unreadable, unsigned where a key is set, or tampered with.
    """
    folder = Path(model_dir) / AUDIT_DIR
    path = folder / VERDICT_FILE
    if not path.is_file():
        raise PolicyRefusal(MSG_NO_AUDIT.format(model_dir=model_dir, path=path))
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        sig = raw.pop("signature")
        method, value = sig["method"], sig["value"]
        fields = (raw["passed"], raw["model"], raw["audit_sha256"], raw["policy_sha256"],
                  raw["created"], str(raw["reason"]), int(raw["n_failed"]),
                  tuple(raw["failed"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PolicyRefusal(MSG_UNREADABLE.format(path=path, error=repr(exc)[:120])) from exc
    key = os.environ.get(KEY_ENV)
    if method == "hmac-sha256" and not key:
        raise PolicyRefusal(MSG_KEY_MISSING.format(path=path))
    if method != "hmac-sha256" and key:
        raise PolicyRefusal(MSG_UNSIGNED.format(path=path))
    if raw.get("format") != FORMAT or not hmac.compare_digest(_sign(raw)["value"], str(value)):
        raise PolicyRefusal(MSG_TAMPERED.format(path=path, what="its signature"))
    _check_audit_copy(folder / AUDIT_FILE, raw, path)
    return Verdict(bool(fields[0]), *fields[1:], path=str(path))


def _check_audit_copy(audit_path: Path, raw: dict, path: Path) -> None:
    try:
        data = audit_path.read_bytes()
        audit = json.loads(data)
    except (OSError, ValueError) as exc:
        raise PolicyRefusal(MSG_TAMPERED.format(path=path, what=f"{audit_path}")) from exc
    same = (hashlib.sha256(data).hexdigest() == raw["audit_sha256"]
            and audit.get("passed") is raw["passed"] and audit.get("model") == raw["model"])
    if not same:
        raise PolicyRefusal(MSG_TAMPERED.format(path=path, what=f"{audit_path}"))


def require_passed_audit(model_dir, *, model=None,
                         hash_fn: Callable[[str | os.PathLike], str] | None = None) -> Verdict:
    """Refuse (``PolicyRefusal``, exit 3) unless this very model passed its audit.

    Call it before scoring writes anything.

    Parameters
    ----------
    model_dir : path
    model : LoadedModel, default=None
        The model already loaded from ``model_dir``; its ``model_hash()`` is used.
    hash_fn : callable, default=None
        ``hash_fn(model_dir) -> str``; default ``default_model_hash``.

    Returns
    -------
    Verdict
    """
    verdict = read_verdict(model_dir)
    if not verdict.passed:
        raise PolicyRefusal(MSG_FAILED.format(model_dir=model_dir, reason=verdict.reason))
    current = model.model_hash() if model is not None else (hash_fn or default_model_hash)(
        model_dir)
    if not hmac.compare_digest(str(current), verdict.model_hash):
        raise PolicyRefusal(MSG_STALE.format(model_dir=model_dir, audited=verdict.model_hash,
                                             current=str(current)))
    return verdict


def load_audited_model(model_dir):
    """The model of ``model_dir``, loaded only if this very model passed its audit.

    The verdict and the audited hash are checked on the files before any of
    them is parsed (a damaged or edited booster never reaches LightGBM's
    parser), ``load_model`` checks each file against its recorded sha256,
    and the hash is checked once more on the model as loaded.

    Raises
    ------
    PolicyRefusal
        No passed audit of this model, or its files changed since (exit 3).
    InputError
        The directory or one of its files is missing or unreadable (exit 2).
    """
    from ..models import load_model

    require_passed_audit(model_dir)
    model = load_model(model_dir)
    require_passed_audit(model_dir, model=model)
    return model
