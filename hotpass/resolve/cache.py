"""The trained model, cached per profile in the workspace.

``<workspace>/models/<profile>.resolve.json`` holds the model Splink saved
(``save_model_to_json``) and the fingerprint of the settings it was trained
with. A model whose fingerprint no longer matches is ignored, so changing the
comparisons or blocking rules retrains.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from hotpass.errors import WorkspaceError
from hotpass.resolve import settings as rs


def model_path(workspace: str | Path, profile) -> Path:
    """Where the model of ``profile`` is cached."""
    return Path(workspace) / "models" / f"{profile.name}.resolve.json"


def load_model(workspace: str | Path, profile) -> dict | None:
    """The cached model of ``profile``, or None when there is none or it no longer fits."""
    path = model_path(workspace, profile)
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    model = stored.get("model") if isinstance(stored, dict) else None
    if not isinstance(model, dict) or stored.get("fingerprint") != rs.fingerprint(model):
        return None
    return model


def save_model(workspace: str | Path, profile, model: dict) -> Path:
    """Write ``model`` atomically to the workspace; returns the path."""
    path = model_path(workspace, profile)
    text = json.dumps(
        {"fingerprint": rs.fingerprint(model), "model": model}, indent=1, sort_keys=True
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".model-", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        os.replace(tmp, path)
    except OSError as exc:
        raise WorkspaceError(
            f"{path}: cannot save the resolution model ({exc.strerror or exc})"
        ) from None
    return path
