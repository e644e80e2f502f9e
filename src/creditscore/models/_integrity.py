"""Integrity before parsing: every model file is checked against its recorded sha256.

``save_model`` records, in ``model.json``, the sha256 of every other file of
the model directory (``checksums``: relative path -> hex digest) and the
sha256 of ``model.json`` itself (``model_json_sha256``, taken over the file's
bytes with that one value written as 64 zeros). :func:`verify_model_files`
checks all of it on the raw bytes before anything is parsed, so a changed
byte anywhere (a LightGBM booster with one changed character can crash
LightGBM's parser) is refused with one line (``PolicyRefusal``, exit 3)
instead of reaching a parser; an unreadable file is bad input (exit 2).

Files added later beside the model (``audit/``, a drift reference) are not
listed and not checked here; the audit's hash covers every file outside
``audit/`` (``fairness/_verdict.py``). A model directory written before
checksums were recorded (no ``model_json_sha256``) is refused as bad input
(exit 2) with a message to train it again: its files could reach a parser
unchecked, which is the failure this module exists to prevent.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from .._errors import InputError, PolicyRefusal

__all__ = ["seal_model_json", "verify_model_files", "MSG_CHANGED", "MSG_LEGACY"]

MODEL_JSON = "model.json"
SELF_KEY = "model_json_sha256"
_ZEROS = "0" * 64
_SELF = re.compile(rb'"' + SELF_KEY.encode() + rb'": "([0-9a-f]{64})"')
MSG_CHANGED = ("{path}: model files changed since the audit or training: {file} does not "
               "match the sha256 recorded in model.json; restore the files or train the model "
               "again")
MSG_UNREADABLE = "{path}: {file} cannot be read ({error})"
MSG_MISSING = "{path}: not a model directory ({file} is missing)"
MSG_LEGACY = ("{path}: this model directory was written before model files carried checksums "
              "(model.json has no model_json_sha256), so its files cannot be checked before "
              "they are parsed; train the model again")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_checksums(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root`` except model.json and ``audit/``, by relative path."""
    out = {}
    for p in sorted(q for q in root.rglob("*") if q.is_file()):
        rel = p.relative_to(root).as_posix()
        if rel != MODEL_JSON and p.relative_to(root).parts[0] != "audit":
            out[rel] = _sha256(p.read_bytes())
    return out


def seal_model_json(info: dict, root: Path | dict, dumps) -> str:
    """model.json's text with the checksums of the other files: those already written
    under ``root``, or ``root`` itself as a dict of relative path -> bytes.

    ``dumps(obj) -> str`` is the model directory's JSON writer.
    """
    if isinstance(root, dict):
        sums = {rel: _sha256(data) for rel, data in sorted(root.items())
                if rel != MODEL_JSON and rel.split("/")[0] != "audit"}
    else:
        sums = file_checksums(root)
    text = dumps({**info, "checksums": sums, SELF_KEY: _ZEROS})
    return text.replace(f'"{SELF_KEY}": "{_ZEROS}"',
                        f'"{SELF_KEY}": "{_sha256(text.encode("utf-8"))}"', 1)


def _read(root: Path, rel: str) -> bytes:
    path = root / rel
    if not path.is_file():
        raise InputError(MSG_MISSING.format(path=root, file=rel))
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(MSG_UNREADABLE.format(path=root, file=rel, error=exc)) from exc


def verify_model_files(root: str | Path) -> None:
    """Check model.json and every file it lists against their sha256, before parsing.

    Raises
    ------
    PolicyRefusal
        A byte of a listed file or of model.json differs from what was written.
    InputError
        A file is missing or cannot be read, or the directory was written
        before checksums were recorded.
    """
    root = Path(root)
    raw = _read(root, MODEL_JSON)
    found = _SELF.search(raw)
    if found is None:
        _legacy_or_changed(root, raw)
    zeroed = raw[: found.start(1)] + _ZEROS.encode() + raw[found.end(1):]
    if _sha256(zeroed) != found.group(1).decode():
        raise PolicyRefusal(MSG_CHANGED.format(path=root, file=MODEL_JSON))
    sums = json.loads(raw).get("checksums")  # the bytes are the ones written: this parses
    if not isinstance(sums, dict):
        raise PolicyRefusal(MSG_CHANGED.format(path=root, file=MODEL_JSON))
    for rel, digest in sorted(sums.items()):
        if _sha256(_read(root, rel)) != digest:
            raise PolicyRefusal(MSG_CHANGED.format(path=root, file=rel))


def _legacy_or_changed(root: Path, raw: bytes) -> None:
    """No self-checksum: a directory written before checksums, or a changed model.json."""
    try:
        info = json.loads(raw)
    except ValueError:
        info = None
    if not isinstance(info, dict) or "checksums" in info or "format" not in info:
        raise PolicyRefusal(MSG_CHANGED.format(path=root, file=MODEL_JSON))
    raise InputError(MSG_LEGACY.format(path=root))
