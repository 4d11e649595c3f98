"""A run's outputs appear as a whole or not at all.

Every folder a run delivers into (the run's own ``outputs/``, the workbook's
folder, the CSV, Parquet and report folders) gets a staging folder beside it,
``.<folder>.hotpass-staging.<pid>.<random>``, and the stages write there. The
run's process holds a lock on each staging folder for as long as it lives.
:meth:`Staging.commit`, at the end of the run:

1. writes a journal into every staging folder (what to move, which files of
   the previous set to remove), each flushed to disk, before anything moves;
2. moves each staging folder into place: a folder that did not exist is the
   staging folder renamed, in one step; into a folder that exists (it may
   hold other people's files) each file is moved with :func:`os.replace`,
   then the files of the previous set that the new set lacks are removed
   (only names Hotpass listed in the folder's ``.hotpass-outputs.json``);
3. removes the staging folders.

A run killed before step 1 finished leaves staging folders without a journal:
nothing visible changed, and :func:`clean` deletes them. A run killed during
step 2 leaves journals: :func:`clean` finishes the move. Either way, once
:func:`clean` has run (every run starts with it) each folder holds the
previous complete set or the new one. Temporary files of killed writers
(:func:`hotpass.export.atomic.stale_temp`) are removed too; nothing a live
process owns is touched.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
from collections.abc import Iterable
from pathlib import Path

from hotpass import checkpoints
from hotpass.export.atomic import export_error, lock, owned, stale_temp

MARK = ".hotpass-staging"
JOURNAL = ".hotpass-commit.json"
MANIFEST = ".hotpass-outputs.json"
_STAGED = re.compile(r"^(\.(?P<target>.+))?\.hotpass-staging\.(?P<pid>\d+)\.[0-9a-f]+$")


class Staging:
    """The staging folders of one run's outputs (see the module docstring)."""

    def __init__(self) -> None:
        self._folders: dict[Path, _Folder] = {}

    def folder(self, target: str | os.PathLike, key: str) -> Path:
        """The staging folder of the destination folder ``target`` (created and locked on first
        use). ``key`` names the set of files written there (``csv``, a workbook's stem...)."""
        destination = Path(os.path.abspath(target))
        if destination not in self._folders:
            self._folders[destination] = _Folder.create(destination)
        self._folders[destination].keys.setdefault(key, set())
        return self._folders[destination].path

    def file(self, final: str | os.PathLike, key: str) -> Path:
        """Where to write the file that becomes ``final`` at the commit, as part of set ``key``."""
        final = Path(final)
        staged = self.folder(final.parent, key) / final.name
        self.claim(key, [staged])
        return staged

    def claim(self, key: str, written: Iterable[Path]) -> None:
        """Record files written into staging folders as members of set ``key``."""
        for path in written:
            folder = self._owner(Path(path))
            folder.keys.setdefault(key, set()).add(Path(path).name)

    def commit(self) -> None:
        """Move every staged set into place (journals first, then the moves; see the module)."""
        try:
            plans = [folder.prepare() for folder in self._folders.values()]
            checkpoints.reached("commit")
            for number, plan in enumerate(plans):
                apply(plan)
                if number == 0:
                    checkpoints.reached("commit-moved")
        except OSError as error:
            raise export_error(getattr(error, "filename", None) or "outputs", error) from error
        finally:
            self.discard()

    def discard(self) -> None:
        """Drop whatever is staged and not committed (after a failure), and every lock."""
        for folder in self._folders.values():
            folder.close()
        self._folders.clear()

    def _owner(self, path: Path) -> _Folder:
        for folder in self._folders.values():
            if path.parent == folder.path:
                return folder
        raise ValueError(f"{path} is not in a staging folder of this run")


class _Folder:
    """One destination folder's staging folder, locked while this process writes it."""

    def __init__(self, destination: Path, path: Path, fd: int) -> None:
        self.destination, self.path, self.fd = destination, path, fd
        self.keys: dict[str, set[str]] = {}
        self.existed = destination.exists()

    @classmethod
    def create(cls, destination: Path) -> _Folder:
        """Beside the destination; inside it (``.hotpass-staging...``, moved in file by file) when
        the destination is a mount point or its parent cannot be written."""
        suffix = f"{MARK}.{os.getpid()}.{secrets.token_hex(4)}"
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
            inside = destination.is_dir() and (os.path.ismount(destination)
                                               or not os.access(destination.parent, os.W_OK))
            beside = destination.parent / f".{destination.name}{suffix}"
            path = destination / suffix if inside else beside
            path.mkdir()
            fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        except OSError as error:
            raise export_error(destination, error) from error
        lock(fd)
        return cls(destination, path, fd)

    def prepare(self) -> dict:
        """Write this folder's journal (flushed) and return it."""
        names = {key: sorted(n for n in written if (self.path / n).is_file())
                 for key, written in self.keys.items()}
        previous = _manifest(self.destination)
        remove = sorted({n for key, now in names.items() for n in previous.get(key, [])
                         if n not in now})
        moves = sorted({n for written in names.values() for n in written})
        plan = {"target": str(self.destination), "staged": str(self.path),
                "whole": not self.destination.exists(), "moves": moves, "remove": remove,
                "manifest": {**previous, **names}}
        _write_durably(self.path / MANIFEST, json.dumps(plan["manifest"], indent=1, sort_keys=True))
        _write_durably(self.path / JOURNAL, json.dumps(plan, indent=1))
        _sync(self.path)
        return plan

    def close(self) -> None:
        if self.fd is not None:
            shutil.rmtree(self.path, ignore_errors=True)
            os.close(self.fd)
            self.fd = None


def apply(plan: dict) -> None:
    """Carry out one folder's journal (again, after a crash: every step can be repeated)."""
    target, staged = Path(plan["target"]), Path(plan["staged"])
    if plan["whole"] and staged.exists():
        try:
            os.rename(staged, target)  # the whole set appears in one step
            (target / JOURNAL).unlink(missing_ok=True)
            _sync(target.parent)
            return
        except OSError:
            if not target.is_dir():
                raise  # else someone made the folder meanwhile: move file by file
    target.mkdir(parents=True, exist_ok=True)
    for name in [*plan["moves"], MANIFEST]:
        if (staged / name).exists():
            os.replace(staged / name, target / name)
    for name in plan["remove"]:
        (target / name).unlink(missing_ok=True)
    _sync(target)
    shutil.rmtree(staged, ignore_errors=True)


def clean(folders: Iterable[str | os.PathLike]) -> int:
    """Finish or remove what killed runs left around these destination folders: staging folders
    (a journalled one is moved into place, any other deleted) and temporary files inside the
    folders. Returns how many were cleaned; what a live process owns is left alone."""
    cleaned = 0
    for destination in {Path(os.path.abspath(f)) for f in folders}:
        cleaned += _clean_staging(destination)
        cleaned += _clean_temps(destination)
    return cleaned


def workspace_folders(directory: str | os.PathLike) -> list[Path]:
    """The folders of a workspace where runs write: every run's ``outputs/`` and the value cache."""
    root = Path(directory)
    runs = root / "runs"
    found = [root / "cache", root / "models"]
    try:
        found += [Path(entry.path) / "outputs" for entry in os.scandir(runs) if entry.is_dir()]
    except OSError:
        pass
    return found


def _clean_staging(destination: Path) -> int:
    cleaned = 0
    entries = []
    places = ((destination.parent, f".{destination.name}{MARK}."), (destination, f"{MARK}."))
    for folder, prefix in places:
        try:
            entries += [Path(e.path) for e in os.scandir(folder) if e.name.startswith(prefix)]
        except OSError:
            pass
    for staged in entries:
        match = _STAGED.match(staged.name)
        if match is None or owned(staged, int(match.group("pid"))):
            continue
        journal = staged / JOURNAL
        try:
            plan = json.loads(journal.read_text(encoding="utf-8")) if journal.exists() else None
        except (OSError, ValueError):
            plan = None  # a journal half written: the moves had not begun
        if plan is not None and plan.get("staged") == str(staged):
            apply(plan)
        shutil.rmtree(staged, ignore_errors=True)
        cleaned += 1
    return cleaned


def _clean_temps(destination: Path) -> int:
    cleaned = 0
    try:
        entries = [Path(e.path) for e in os.scandir(destination)
                   if e.name.startswith((".", "tmp_."))]
    except OSError:
        return 0
    for path in entries:
        if path.name == JOURNAL or stale_temp(path):
            path.unlink(missing_ok=True)
            cleaned += 1
    return cleaned


def _manifest(folder: Path) -> dict[str, list[str]]:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): [str(n) for n in v] for k, v in data.items()} if isinstance(data, dict) else {}


def _write_durably(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write(text + "\n")
        out.flush()
        os.fsync(out.fileno())


def _sync(folder: Path) -> None:
    """Flush a folder's entries (the renames into it) to disk, where the system allows."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
