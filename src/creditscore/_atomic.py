"""Atomic outputs: a file or directory appears whole or not at all.

Write to a temporary name in the destination's own directory (so the final
step is a rename on one filesystem), then rename: ``os.replace`` for a file,
one rename or one atomic swap of the two names for a directory (see
:func:`atomic_dir`). On any error the temporary is removed and a previous
output at the destination is left intact; a kill at any point leaves the old
or the new output at the destination's name.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_file", "atomic_dir", "write_text_atomic"]


@contextlib.contextmanager
def atomic_file(dest: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path; on success it is renamed to ``dest``.

    Examples
    --------
    >>> with atomic_file(out) as tmp:  # doctest: +SKIP
    ...     table.to_parquet(tmp)
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp)
    try:
        yield tmp
        os.replace(tmp, dest)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


@contextlib.contextmanager
def atomic_dir(dest: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary directory; on success it replaces ``dest`` in one rename.

    The new directory is written under a hidden name beside ``dest``
    (``.<name>.<pid>-<random>.tmp``). When ``dest`` does not exist, one
    ``rename`` gives it its name. When it does, one ``renameat2(...,
    RENAME_EXCHANGE)`` (Linux; ``renamex_np(RENAME_SWAP)`` on macOS) swaps the
    two names atomically, and the old directory, now under the hidden name, is
    removed. A kill at any point therefore leaves ``dest`` either the complete
    old output or the complete new one, never missing; what a kill can leave
    is a hidden ``.tmp`` beside it, which the next successful write of
    ``dest`` removes once the process that made it is gone. On a system with
    no atomic swap the old directory is moved aside first (two renames).
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.{os.getpid()}-", suffix=".tmp",
                                dir=dest.parent))
    try:
        _step("writing")
        yield tmp
        _step("written")
        _install(tmp, dest)
        _step("swapped")
    finally:
        _remove(tmp)
    _step("cleaned")
    _remove_leftovers(dest)


def _install(tmp: Path, dest: Path) -> None:
    """Put the directory ``tmp`` at ``dest`` by one rename (a swap when ``dest`` exists).

    Afterwards ``tmp`` holds what was at ``dest`` (if anything), for the caller to remove.
    """
    try:
        os.rename(tmp, dest)  # atomic where ``dest`` is missing (or an empty directory)
        return
    except OSError as exc:
        if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR, errno.EISDIR):
            raise
    if _swap(tmp, dest):
        return
    old = dest.with_name(f".{dest.name}.{os.getpid()}-old.tmp")
    os.replace(dest, old)
    os.replace(tmp, dest)
    os.replace(old, tmp)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.exists():
        shutil.rmtree(path, ignore_errors=True)


def _swap(a: Path, b: Path) -> bool:
    """Exchange two paths atomically; False where the system cannot."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
        rc = libc.renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), 2)
    elif sys.platform == "darwin" and hasattr(libc, "renamex_np"):
        rc = libc.renamex_np(os.fsencode(a), os.fsencode(b), 2)
    else:
        return False
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):  # the file system cannot swap
        return False
    raise OSError(err, os.strerror(err), str(b))


_AT_FDCWD = -100


def _remove_leftovers(dest: Path) -> None:
    """Remove hidden ``.tmp`` directories of ``dest`` left by killed runs (their pid is gone)."""
    mine = re.compile(rf"\.{re.escape(dest.name)}\.(\d+)-[^.]*\.tmp")
    for left in dest.parent.iterdir():
        m = mine.fullmatch(left.name)
        if m and not _alive(int(m.group(1))):
            _remove(left)
    _remove(dest.with_name(f".{dest.name}.old"))  # the previous implementation's leftover


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


#: test hook: called with the name of each step of :func:`atomic_dir` (kill tests)
STEP_HOOK = None


def _step(name: str) -> None:
    if STEP_HOOK is not None:
        STEP_HOOK(name)


def write_text_atomic(dest: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``dest`` atomically and return the path."""
    with atomic_file(dest) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(dest)
