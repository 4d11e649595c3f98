"""Run the reader on an untrusted file in a memory-limited child process.

The child is a fresh interpreter (``sys.executable -P hotpass/ingest/_child.py``),
started with :mod:`subprocess`: like the ``spawn`` start method it is safe when
the parent has threads (no fork of a threaded process), but it does not
re-import the parent's ``__main__`` and imports nothing from Hotpass, so it
starts in a few tens of milliseconds. The child caps its own address space
(``RLIMIT_AS`` = ``IngestSettings.parse_memory_mb``) before reading anything.

The child returns plain data (strings joined per column, masks and row
numbers as bytes); the parent unpickles it with every class lookup refused,
so even a compromised child cannot make the parent run code.

Set :data:`PARSE_IN_CHILD` to ``False`` (or pass ``isolate=False`` to
:func:`hotpass.ingest.read_workbook`) to parse in-process, e.g. to measure the
isolation overhead. In-process parsing has no protection against a reader
that aborts.
"""

from __future__ import annotations

import io
import json
import pickle
import signal
import subprocess
import sys
from array import array
from pathlib import Path

from hotpass.errors import InputFileError
from hotpass.ingest import _child

PARSE_IN_CHILD = True
"""Default for ``isolate``: parse untrusted files in a child process."""

PARSE_TIMEOUT_SECONDS = 900
"""A child still parsing after this long is killed and the file rejected."""

CHILD_SCRIPT = Path(_child.__file__).resolve()


class _PlainDataUnpickler(pickle.Unpickler):
    """Unpickles lists, tuples, dicts, strings, bytes and numbers; refuses every class."""

    def find_class(self, module, name):  # noqa: D102 - see class docstring
        raise pickle.UnpicklingError(f"refused to load {module}.{name} from the reader process")


def run_parse(job: dict, label: str, memory_mb: int, isolate: bool | None = None) -> dict:
    """Parse ``job`` (see :mod:`hotpass.ingest._child`), in a child unless isolation is off.

    Returns the ``{"ok": True, "sheets": [...]}`` result; any failure raises
    :class:`InputFileError` naming ``label``.
    """
    use_child = PARSE_IN_CHILD if isolate is None else isolate
    result = _run_child(job, label, memory_mb) if use_child else _child.parse_job(job)
    if not result.get("ok"):
        noun = "Parquet file" if job.get("kind") == "parquet" else "workbook"
        raise _error(
            label, result.get("error", "failed"), result.get("message", ""), memory_mb, noun
        )
    return result


def _run_child(job: dict, label: str, memory_mb: int) -> dict:
    """Start the child, hand it the job, and decode its answer."""
    payload = json.dumps({**job, "memory_mb": memory_mb}).encode()
    try:
        done = subprocess.run(  # noqa: S603 - fixed interpreter and script, no shell
            [sys.executable, "-P", str(CHILD_SCRIPT)],
            input=payload,
            capture_output=True,
            timeout=PARSE_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise InputFileError(
            label, f"could not be parsed: the reader took longer than {PARSE_TIMEOUT_SECONDS} s"
        ) from None
    except OSError as exc:
        raise InputFileError(
            label, f"could not start the reader process: {exc.strerror or exc}"
        ) from None
    out = done.stdout
    if done.returncode != 0 or not out.startswith(_child.RESULT_MAGIC):
        raise _crashed(label, done.returncode, memory_mb)
    try:
        return _PlainDataUnpickler(io.BytesIO(out[len(_child.RESULT_MAGIC) :])).load()
    except Exception:  # noqa: BLE001 - any undecodable answer means the reader broke
        raise _crashed(label, done.returncode, memory_mb) from None


def _crashed(label: str, returncode: int, memory_mb: int) -> InputFileError:
    """The error for a child that died or answered garbage."""
    how = f"exit status {returncode}"
    if returncode < 0:
        try:
            how = f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            how = f"killed by signal {-returncode}"
    return InputFileError(
        label,
        "could not be parsed: the reader ran out of memory or crashed "
        f"({how}; memory limit {memory_mb} MB, setting ingest.parse_memory_mb)",
    )


def _error(
    label: str, kind: str, message: str, memory_mb: int, noun: str = "workbook"
) -> InputFileError:
    """The error for a failure the reader reported itself."""
    if kind == "password":
        return InputFileError(
            label, "is password-protected/encrypted; save an unprotected copy and try again"
        )
    if kind == "corrupt":
        what = "archive" if message.startswith("ZipError") else "file"
        return InputFileError(
            label, f"is not a valid {noun} (corrupt or truncated {what}): {message}"
        )
    if kind == "limit":
        return InputFileError(label, message)
    if kind == "memory":
        return InputFileError(
            label,
            "could not be parsed: the reader ran out of memory or crashed "
            f"(memory limit {memory_mb} MB, setting ingest.parse_memory_mb)",
        )
    return InputFileError(label, f"could not be parsed: {message}")


def decode_column(encoded) -> list:
    """Undo :func:`hotpass.ingest._child._encode_column`."""
    if isinstance(encoded, list):
        return encoded
    joined, length = encoded
    if not length:
        return []
    values = joined.split("\x00")
    if "" in values:
        values = [v or None for v in values]
    return values


def decode_rows(encoded: bytes) -> list[int]:
    """Undo the row-number packing (array of signed 64-bit ints)."""
    numbers = array("q")
    numbers.frombytes(encoded)
    return numbers.tolist()
