"""Write a file in full or not at all.

Every deliverable is written to a hidden temporary file in the same folder and
moved into place with :func:`os.replace` only when writing succeeded, so a
reader never sees half a file and a failed export leaves nothing behind.

A temporary file is named ``.<name>.<pid>-<random>.tmp`` and its writer holds
an advisory lock (``flock``) on it while it lives, so a process killed in the
middle (``kill -9`` runs no clean-up) leaves a file that :func:`stale_temp`
recognises as nobody's, and the next run removes it (:mod:`hotpass.export.staging`).
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hotpass.errors import ExportError

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; the writer's process id says who owns a file
    fcntl = None

#: Temporary files of :func:`atomic_path` (``.<name>.<pid>-<hex>.tmp``), of older versions
#: (``.<name>.<hex>.tmp``, ``.<name>.<pid>.tmp``), a CSV's raw part (``...tmp.raw``) and DuckDB's
#: own ``tmp_<name>`` beside any of them.
TEMP_NAME = re.compile(
    r"^(tmp_)?\..+\.(?:(?P<pid>\d+)-[0-9a-f]{12}|[0-9a-f]{12}|(?P<old_pid>\d+))\.tmp(\.raw)?$")
#: A temporary file younger than this is left alone even when its lock is free (a writer takes
#: the lock a moment after creating the file).
GRACE_SECONDS = 60.0


def describe_os_error(error: OSError) -> str:
    """A short, human reason for an :class:`OSError` raised while writing."""
    if isinstance(error, PermissionError):
        return "permission denied (read-only folder, or the file is open in another program?)"
    if isinstance(error, FileNotFoundError):
        return "the folder does not exist"
    if isinstance(error, NotADirectoryError):
        return "part of the path is a file, not a folder"
    if isinstance(error, IsADirectoryError):
        return "a folder with that name is in the way"
    if error.errno == errno.ENOSPC:
        return "the disk is full"
    return error.strerror or str(error) or type(error).__name__


def export_error(path: os.PathLike | str, error: OSError) -> ExportError:
    """An :class:`ExportError` naming ``path`` and why it cannot be written."""
    return ExportError(f"{path}: cannot write: {describe_os_error(error)}")


def _create_temp(target: Path) -> tuple[Path, int]:
    """Create an empty, exclusive temp file next to ``target`` (mode follows the umask), locked by
    this process: (its path, the open descriptor holding the lock)."""
    for _ in range(100):
        temp = target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        lock(fd)
        return temp, fd
    raise FileExistsError(errno.EEXIST, "could not find a free temporary name", str(target))


def lock(fd: int, wait: bool = True) -> bool:
    """Take the advisory lock of an open file or folder; False when another holder has it."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


def owned(path: Path, pid: int | None) -> bool:
    """Whether a live process still owns the temporary file or staging folder ``path``: it
    holds its lock, or (just created, or where locks are missing) the process ``pid`` lives."""
    try:
        young = time.time() - path.lstat().st_mtime < GRACE_SECONDS
    except FileNotFoundError:
        return True  # gone already: nothing to clean
    if pid is not None and (young or fcntl is None) and alive(pid):
        return True
    try:
        fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0))
    except OSError:
        return True
    try:
        return not lock(fd, wait=False)
    finally:
        os.close(fd)  # closing releases the lock taken just to test it


def alive(pid: int) -> bool:
    """Whether process ``pid`` exists."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def stale_temp(path: Path) -> bool:
    """Whether ``path`` is a temporary file of :func:`atomic_path` that no live process owns."""
    match = TEMP_NAME.match(path.name)
    if match is None:
        return False
    pid = match.group("pid") or match.group("old_pid")
    holder = path.with_name(path.name.removeprefix("tmp_").removesuffix(".raw"))
    if holder != path and holder.exists():  # DuckDB's part or the raw CSV: its temp's lock says
        return not owned(holder, int(pid) if pid else None)
    return not owned(path, int(pid) if pid else None)


@contextmanager
def atomic_path(path: os.PathLike | str) -> Iterator[Path]:
    """Yield a temp path beside ``path``; on success move it onto ``path``.

    On any failure the temp file is removed and the exception propagates;
    :class:`OSError` (unwritable folder, file locked, disk full) becomes an
    :class:`~hotpass.errors.ExportError` naming ``path`` and the reason.
    """
    target = Path(path)
    try:
        temp, fd = _create_temp(target)
    except OSError as error:
        raise export_error(target, error) from error
    try:
        yield temp
        os.replace(temp, target)
    except BaseException as error:
        _remove_quietly(temp)
        if isinstance(error, OSError):
            raise export_error(target, error) from error
        raise
    finally:
        os.close(fd)


def _remove_quietly(path: Path) -> None:
    """Delete ``path`` if it exists, ignoring errors (used while unwinding)."""
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass
