"""Write a file in full or not at all.

Every deliverable is written to a hidden temporary file in the same folder and
moved into place with :func:`os.replace` only when writing succeeded, so a
reader never sees half a file and a failed export leaves nothing behind.
"""

from __future__ import annotations

import errno
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hotpass.errors import ExportError


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


def _create_temp(target: Path) -> Path:
    """Create an empty, exclusive temp file next to ``target`` (mode follows the umask)."""
    for _ in range(100):
        temp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return temp
    raise FileExistsError(errno.EEXIST, "could not find a free temporary name", str(target))


@contextmanager
def atomic_path(path: os.PathLike | str) -> Iterator[Path]:
    """Yield a temp path beside ``path``; on success move it onto ``path``.

    On any failure the temp file is removed and the exception propagates;
    :class:`OSError` (unwritable folder, file locked, disk full) becomes an
    :class:`~hotpass.errors.ExportError` naming ``path`` and the reason.
    """
    target = Path(path)
    try:
        temp = _create_temp(target)
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


def _remove_quietly(path: Path) -> None:
    """Delete ``path`` if it exists, ignoring errors (used while unwinding)."""
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass
