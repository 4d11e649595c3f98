"""The trained model and the last scores, cached per profile in the workspace.

``<workspace>/models/<profile>.resolve.json`` holds the model Splink saved
(``save_model_to_json``), the fingerprint of its structure and the signature
of the training settings it was trained with. A model whose fingerprint or
training signature no longer matches the profile is ignored, so changing the
comparisons, blocking or training rules retrains.

``<workspace>/models/<profile>.pairs.parquet`` holds the scored pairs of the
last run, keyed on a hash of the matching frame and of the model that scored
it (with the model as used, its prior estimated on those records): a re-run
on the same records with the same model (the usual case after review
decisions) reads them instead of scoring again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from hotpass.errors import WorkspaceError
from hotpass.resolve import settings as rs


def _stem(profile, entity: str | None) -> str:
    """``<profile>`` for the profile's first entity that stands alone, else ``<profile>.<entity>``."""
    return profile.name if entity in (None, profile.primary) else f"{profile.name}.{entity}"


def model_path(workspace: str | Path, profile, entity: str | None = None) -> Path:
    """Where the model of ``profile`` (for ``entity``, its first that stands alone by default) is cached."""
    return Path(workspace) / "models" / f"{_stem(profile, entity)}.resolve.json"


def load_model(workspace: str | Path, profile, entity: str | None = None) -> dict | None:
    """The cached model of ``profile``'s ``entity``, or None when there is none or it no longer fits."""
    path = model_path(workspace, profile, entity)
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict):
        return None
    model = stored.get("model")
    if not isinstance(model, dict) or stored.get("fingerprint") != rs.fingerprint(model):
        return None
    if stored.get("training") != rs.ModelSpec.from_profile(profile, entity).training_signature():
        return None
    return model


def save_model(workspace: str | Path, profile, model: dict, entity: str | None = None) -> Path:
    """Write ``model`` atomically to the workspace; returns the path."""
    path = model_path(workspace, profile, entity)
    stored = {
        "fingerprint": rs.fingerprint(model),
        "training": rs.ModelSpec.from_profile(profile, entity).training_signature(),
        "model": model,
    }
    text = json.dumps(stored, indent=1, sort_keys=True) + "\n"
    _replace(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"), "resolution model")
    return path


def _replace(path: Path, write, what: str) -> None:
    """Write ``path`` through a temporary file beside it, so a crash leaves the old one."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", dir=path.parent)
        os.close(fd)
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)
        raise WorkspaceError(f"{path}: cannot save the {what} ({exc.strerror or exc})") from None


def score_key(frame_digest: str, model: dict, spec: rs.ModelSpec) -> str:
    """What scores depend on: the matching frame, the model, the prediction floor and the pair cap."""
    text = json.dumps([frame_digest, model, spec.predict_floor, spec.max_comparisons], sort_keys=True,
                      default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class ScoreCache:
    """The scored pairs of the last run of one profile, in the workspace."""

    def __init__(self, workspace: str | Path, profile, entity: str | None = None):
        self.path = Path(workspace) / "models" / f"{_stem(profile, entity)}.pairs.parquet"

    def get(self, key: str, db, table: str) -> tuple[dict, list[str]] | None:
        """Write the pairs stored under ``key`` as table ``table`` of the run database ``db`` and
        return (model that scored them, notes of that scoring), or None (no file, another key,
        unreadable)."""
        try:
            meta = pq.read_schema(self.path).metadata or {}
            if meta.get(b"hotpass_key", b"").decode() != key:
                return None
            model = json.loads(meta[b"hotpass_model"])
            notes = json.loads(meta.get(b"hotpass_notes", b"[]"))
            db.write(table, pq.read_table(self.path).replace_schema_metadata(None))
            return model, notes
        except (OSError, KeyError, ValueError, pa.ArrowException):
            return None

    def put(self, key: str, db, table: str, model: dict, notes: list[str] | None = None) -> None:
        """Store the pairs of table ``table`` of the run database ``db``, the ``model`` that scored
        them and ``notes`` that must be said again when they are reused (blocking rules skipped)
        under ``key``."""
        table = db.arrow(f"SELECT * FROM {table}")
        extra = {b"hotpass_key": key.encode(), b"hotpass_model": json.dumps(model).encode(),
                 b"hotpass_notes": json.dumps(notes or []).encode()}
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **extra})
        _replace(self.path, lambda tmp: pq.write_table(table, tmp), "scored pairs")
