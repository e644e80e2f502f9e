"""The append-only, hash-chained audit log of who scored whom and why.

Every ``score``, ``explain`` and ``audit`` appends one JSON line: time,
operator (``CREDITSCORE_OPERATOR`` or the OS user), the stated purpose, the
model hash, a fingerprint of the input, the number of subjects and the output
path. Each entry carries the hash of the previous one, so editing or deleting
an entry breaks the chain; a sidecar ``<log>.head`` holds the hash of the last
entry, so truncating the tail is detected too. Appends hold an exclusive
``flock`` on the log, so concurrent processes lose nothing.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import getpass
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ._atomic import write_text_atomic
from ._errors import InputError

__all__ = ["append", "verify", "log_path", "fingerprint", "VerifyResult", "GENESIS"]

GENESIS = "0" * 64
DEFAULT_NAME = "creditscore-audit.jsonl"
MSG_NO_PURPOSE = (
    "a purpose is required for {action}: say why these subjects are processed (--purpose)"
)
MSG_BROKEN = "{path} line {line}: {what}"
MSG_NO_LOG = "{path}: no audit log here (set CREDITSCORE_AUDIT_LOG or pass LOG)"
MSG_DAMAGED = (
    "{path}: the last line is not an audit-log entry, so nothing can be appended to it; "
    "check it with `creditscore log verify`"
)
MSG_HEAD_LAGS = (
    "entry {seq} was appended but {head} was not yet updated (an interrupted append); "
    "the next append updates it"
)


def log_path(path: str | os.PathLike | None = None) -> Path:
    """The audit log: ``path``, else ``$CREDITSCORE_AUDIT_LOG``, else ./creditscore-audit.jsonl."""
    return Path(path or os.environ.get("CREDITSCORE_AUDIT_LOG") or DEFAULT_NAME)


def _operator() -> str:
    op = os.environ.get("CREDITSCORE_OPERATOR")
    if op:
        return op
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid:{os.getuid()}"


def _entry_hash(entry: dict) -> str:
    body = {k: v for k, v in entry.items() if k != "hash"}
    canon = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()


def fingerprint(*paths: str | os.PathLike) -> str:
    """sha256 over the bytes of the given files (directories: every file, sorted)."""
    h = hashlib.sha256()
    for p in paths:
        p = Path(p)
        files = sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
        for f in files:
            h.update(str(f.relative_to(p) if p.is_dir() else f.name).encode())
            with open(f, "rb") as fh:
                for block in iter(lambda fh=fh: fh.read(1 << 20), b""):
                    h.update(block)
    return h.hexdigest()


def _is_entry(entry) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("seq"), int)
        and isinstance(entry.get("hash"), str)
    )


def _last_entry(fh, target: Path) -> dict | None:
    fh.seek(0, os.SEEK_END)
    size = fh.tell()
    if size == 0:
        return None
    block = min(size, 1 << 16)
    while True:
        fh.seek(size - block)
        tail = fh.read(block).rstrip(b"\n")
        if b"\n" in tail or block == size:
            try:
                entry = json.loads(tail.rsplit(b"\n", 1)[-1])
            except ValueError:
                entry = None
            if not _is_entry(entry):  # never chain onto a line that is not an entry
                raise InputError(MSG_DAMAGED.format(path=target))
            return entry
        block = min(size, block * 4)


def append(
    action: str,
    *,
    purpose: str | None,
    model_hash: str | None = None,
    input_fingerprint: str | None = None,
    n_subjects: int | None = None,
    output: str | os.PathLike | None = None,
    path: str | os.PathLike | None = None,
    require_purpose: bool = True,
    extra: dict | None = None,
) -> dict:
    """Append one entry under an exclusive lock and return it.

    Raises
    ------
    InputError
        When ``require_purpose`` and no purpose was given.
    """
    if require_purpose and not (purpose and purpose.strip()):
        raise InputError(MSG_NO_PURPOSE.format(action=action))
    target = log_path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            last = _last_entry(fh, target)
            entry = {
                "seq": (last["seq"] + 1) if last else 1,
                "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"),
                "operator": _operator(),
                "action": action,
                "purpose": purpose,
                "model_hash": model_hash,
                "input_fingerprint": input_fingerprint,
                "n_subjects": n_subjects,
                "output": str(output) if output is not None else None,
                **(extra or {}),
                "prev": last["hash"] if last else GENESIS,
            }
            entry["hash"] = _entry_hash(entry)
            line = json.dumps(entry, sort_keys=True, ensure_ascii=False) + "\n"
            fh.seek(0, os.SEEK_END)
            fh.write(line.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
            write_text_atomic(_head_path(target), f"{entry['seq']} {entry['hash']}\n")
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    return entry


def _head_path(target: Path) -> Path:
    return target.with_name(target.name + ".head")


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of :func:`verify`: ``ok``, entries checked, the first problem, and a note
    when the log is intact but its head lags one entry behind (an interrupted append)."""

    ok: bool
    n_entries: int
    problem: str | None = None
    note: str | None = None


def _check_lines(target: Path, lines: list[bytes]) -> tuple[str | None, dict | None]:
    prev, last = GENESIS, None
    for i, raw in enumerate(lines, start=1):
        try:
            entry = json.loads(raw)
        except ValueError:
            entry = None
        if not _is_entry(entry):
            return MSG_BROKEN.format(path=target, line=i, what="not a JSON entry"), None
        if entry.get("seq") != i:
            return MSG_BROKEN.format(path=target, line=i, what="entry missing or reordered"), None
        if entry.get("prev") != prev:
            return MSG_BROKEN.format(
                path=target, line=i, what="chain broken (an entry before it was changed or removed)"
            ), None
        if entry.get("hash") != _entry_hash(entry):
            return MSG_BROKEN.format(path=target, line=i, what="entry was changed"), None
        prev, last = entry["hash"], entry
    return None, last


def verify(path: str | os.PathLike | None = None) -> VerifyResult:
    """Check the hash chain and the head; never raises on a broken log.

    Raises
    ------
    InputError
        When the log does not exist.
    """
    target = log_path(path)
    if not target.exists():
        raise InputError(MSG_NO_LOG.format(path=target))
    head = _head_path(target)
    with open(target, "rb") as fh:
        fcntl.flock(fh, fcntl.LOCK_SH)
        lines = [ln for ln in fh.read().split(b"\n") if ln.strip()]
        # read under the same lock: an append updates the log and the head together
        got = head.read_text().strip() if head.exists() else None
        fcntl.flock(fh, fcntl.LOCK_UN)
    problem, last = _check_lines(target, lines)
    note = None
    if problem is None:
        problem, note = _check_head(target, lines, last, got)
    return VerifyResult(ok=problem is None, n_entries=len(lines), problem=problem, note=note)


def _check_head(target: Path, lines: list[bytes], last: dict | None, got: str | None):
    """(problem, note) of the head against an intact chain.

    An append writes (and fsyncs) its line, then the head: a process killed
    between the two leaves the head one entry behind a whole, chained last
    entry. That is an interrupted append, not a removal, and the next append
    brings the head up to date; a head ahead of the log, or further behind,
    is still a problem.
    """
    head = _head_path(target)
    expected = f"{last['seq']} {last['hash']}" if last else None
    if got == expected:
        return None, None
    if last is not None:
        before = json.loads(lines[-2]) if len(lines) > 1 else None
        lagging = f"{before['seq']} {before['hash']}" if before else None
        if got == lagging:
            return None, MSG_HEAD_LAGS.format(seq=last["seq"], head=head.name)
    return (
        f"{target}: the last entries were removed or the head file "
        f"{head.name} was changed (head says {got!r})"
    ), None
