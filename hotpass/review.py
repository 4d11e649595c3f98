"""The review queue outside the workbench: list, decide, pick, undo, and Label Studio round trips.

The queue is the review-band pairs of the latest successful run, most
uncertain first, less the pairs people have decided since. Label Studio
tasks carry both records side by side; completed annotations come back as
decisions with the annotator as reviewer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hotpass.errors import HotpassError, WorkspaceError
from hotpass.keys import display_id
from hotpass.resolve import CLUSTERS, PAIRS, accuracy, labels_frame
from hotpass.resolve.labels import THRESHOLDS
from hotpass.resolve.settings import ModelSpec
from hotpass.result import latest_finished, open_run
from hotpass.stages.names import records_table
from hotpass.text import is_missing

#: A Label Studio choice's first word -> the decision it makes ("Same organisation", "Different people").
VERDICTS = {"same": "same", "different": "different"}
LABEL_CONFIG = """<View>
  <Header value="Are these two records the same {label}?"/>
  <Text name="left" value="$left"/>
  <Text name="right" value="$right"/>
  <Text name="evidence" value="$evidence"/>
  <Choices name="verdict" toName="left" choice="single" required="true">
    <Choice value="Same {label}"/>
    <Choice value="Different {plural}"/>
    <Choice value="Not sure"/>
  </Choices>
  <TextArea name="note" toName="left" placeholder="Why (optional)"/>
</View>
"""


def _latest(workspace) -> int:
    run = latest_finished(workspace)
    if run is None:
        raise WorkspaceError(f"{workspace.path}: no finished run yet; run `hotpass refine` first")
    return run


def _table(workspace, run_id: int, name: str) -> pd.DataFrame:
    with open_run(workspace, run_id) as result:
        return result.table(name)


def queue(workspace) -> pd.DataFrame:
    """Pending review pairs of the latest run, most uncertain first."""
    pending = _table(workspace, _latest(workspace), "out_review")
    if not len(pending):
        return pending
    decided = {tuple(sorted((a, b))) for a, b in
               workspace.decisions()[["record_key", "other_key"]].itertuples(index=False) if b}
    keep = [tuple(sorted((a, b))) not in decided for a, b in zip(pending["key_l"], pending["key_r"])]
    return pending[keep].reset_index(drop=True)


def counts(workspace) -> tuple[int, int]:
    """(reviewed, remaining) review-band pairs of the latest run: reviewed counts the pairs people
    decided, before that run (it honoured them) or since."""
    run = _latest(workspace)
    with open_run(workspace, run) as result:
        total = int(result.db.value(f"SELECT count(*) FROM {PAIRS} WHERE band = 'review'") or 0)
    remaining = len(queue(workspace))
    return max(total - remaining, 0), remaining


def label_accuracy(workspace, run_id: int | None = None, thresholds=THRESHOLDS) -> pd.DataFrame:
    """Precision, recall and F1 of a run's scored pairs (the latest finished run by default)
    against the workspace's pairwise decisions on its records, at each threshold and at the
    profile's match threshold (column ``current``); see :func:`hotpass.resolve.accuracy`."""
    run_id = _latest(workspace) if run_id is None else run_id
    with open_run(workspace, run_id) as result:
        pairs = result.db.frame(f"SELECT key_l, key_r, match_probability FROM {PAIRS}")
        keys = [row[0] for row in result.db.rows(f"SELECT record_key FROM {CLUSTERS}")]
        profile = result.profile
    current = ModelSpec.from_profile(profile).match if profile is not None else None
    return accuracy(pairs, labels_frame(workspace.decisions(), keys), thresholds, current)


def cluster_members(workspace, record_key: str) -> list[str]:
    """The record keys that share ``record_key``'s cluster in the latest run."""
    clusters = _table(workspace, _latest(workspace), "out_clusters")
    ident = next((c for c in clusters.columns if c.endswith("_id")), None)
    own = clusters.loc[clusters["record_key"] == record_key, ident] if ident else pd.Series(dtype=object)
    if own.empty:
        raise WorkspaceError(f"record {record_key} is not in the latest run")
    return clusters.loc[clusters[ident] == own.iloc[0], "record_key"].tolist()


def record_key(workspace, text: str) -> str:
    """The record key a user typed: a key as it is (``org:5697…``), or a display id
    (``ORG-5697ABCDEF01``, see :func:`hotpass.keys.display_id`) of a record of the latest run."""
    text = (text or "").strip()
    if ":" in text:
        return text
    clusters = _table(workspace, _latest(workspace), "out_clusters")
    hits = [k for k in clusters["record_key"] if display_id(k).casefold() == text.casefold()]
    if len(hits) != 1:
        raise WorkspaceError(f"{text!r} names {'no' if not hits else 'more than one'} record of the latest run; "
                             "use the record key (see `hotpass review list` or the Clusters sheet)")
    return hits[0]


def pick(workspace, record: str, field: str, reviewer: str, note: str | None = None) -> int:
    """Record that ``record``'s value of ``field`` survives in its golden record from the next run
    (a ``pick`` decision); the field must be one the record's run keeps and the record must have a
    value for it."""
    key = record_key(workspace, record)
    with open_run(workspace, _latest(workspace)) as result:
        profile = result.profile
        entity = profile.primary if profile is not None else "organisation"
        table = records_table(entity)
        if field not in result.db.columns(table):
            known = ", ".join(f for f in result.db.columns(table) if profile is None or f in profile.fields(entity))
            raise WorkspaceError(f"{entity} records have no field {field!r}; use one of: {known}")
        value = result.db.value(f'SELECT "{field}" FROM {table} WHERE record_key = ?', [key])
    if is_missing(value):
        raise WorkspaceError(f"record {display_id(key)} has no value for {field}: pick a record that has one")
    return workspace.decide("pick", key, field, cluster_members(workspace, key), reviewer, note)


def label_config(workspace) -> str:
    """The Label Studio labelling config for the latest run's records (its profile's primary entity)."""
    with open_run(workspace, _latest(workspace)) as result:
        profile = result.profile
    if profile is None:
        return LABEL_CONFIG.format(label="organisation", plural="organisations")
    primary = profile.primary
    return LABEL_CONFIG.format(label=profile.label(primary).lower(),
                               plural=profile.plural(primary).replace("_", " "))


def _shown(row: pd.Series) -> list[str]:
    """The fields the review queue carries for both records (``<field>_l``, ``<field>_r``)."""
    return [c[:-2] for c in row.index if c.endswith("_l") and f"{c[:-2]}_r" in row.index
            and c not in ("key_l", "source_l")]


def side_label(row, side: str) -> str:
    """What one record of a queued pair is called: its name (``name``, ``full_name``), else its
    first two shown fields; ``row`` is a queue row (Series or itertuples row), ``side`` l or r."""
    values = row._asdict() if hasattr(row, "_asdict") else dict(row)
    shown = _shown(pd.Series(values))
    named = next((f for f in ("name", "full_name") if f in shown), None)
    fields = [named] if named else shown[:2]
    parts = [str(values[f"{f}_{side}"]) for f in fields if not is_missing(values[f"{f}_{side}"])]
    return " ".join(parts) or "(no name)"


def _describe(row: pd.Series, side: str) -> str:
    lines = [f"{name}: {row[f'{name}_{side}']}" for name in _shown(row)
             if not is_missing(row[f"{name}_{side}"])]
    return "\n".join([*lines, f"source: {row[f'source_{side}']}"])


def _evidence(row: pd.Series) -> str:
    weights = {k[3:]: v for k, v in row.items() if k.startswith("mw_") and not is_missing(v) and v}
    parts = [f"{name} {weight:+.1f}" for name, weight in sorted(weights.items(), key=lambda kv: -abs(kv[1]))]
    return f"match probability {row['match_probability']:.2f}; weights: " + ", ".join(parts)


@dataclass
class ExportResult:
    """Where the Label Studio files went and how many tasks they hold."""

    tasks: Path
    config: Path
    count: int


def export_label_studio(workspace, path: str | Path, limit: int | None = None) -> ExportResult:
    """Write the pending queue as Label Studio tasks (JSON) and the labelling config (XML beside it)."""
    from label_studio_sdk.label_interface import LabelInterface

    labels = label_config(workspace)
    interface = LabelInterface(labels)
    pending = queue(workspace).head(limit) if limit else queue(workspace)
    tasks = []
    for i, row in pending.iterrows():
        task = {"id": int(i) + 1, "data": {"left": _describe(row, "l"), "right": _describe(row, "r"),
                                           "evidence": _evidence(row), "key_l": row["key_l"],
                                           "key_r": row["key_r"]}}
        interface.validate_task(task)
        tasks.append(task)
    path = Path(path)
    config = path.with_suffix(".xml")
    path.write_text(json.dumps(tasks, indent=2, ensure_ascii=False), encoding="utf-8")
    config.write_text(labels, encoding="utf-8")
    return ExportResult(path, config, len(tasks))


@dataclass
class ImportResult:
    """What an import of Label Studio annotations did."""

    decided: list[int]
    skipped: list[str]


def _annotation(task: dict) -> dict | None:
    done = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    return done[-1] if done else None


def _verdict(annotation: dict) -> tuple[str | None, str | None]:
    verdict = note = None
    for item in annotation.get("result") or []:
        value = item.get("value") or {}
        if item.get("from_name") == "verdict" and value.get("choices"):
            words = str(value["choices"][0]).split()
            verdict = VERDICTS.get(words[0].lower()) if words else None
        if item.get("from_name") == "note" and value.get("text"):
            note = " ".join(value["text"])
    return verdict, note


def _annotator(annotation: dict) -> str:
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        who = who.get("email") or who.get("id")
    return f"label-studio:{who if who is not None else 'unknown'}"


def _read_tasks(path: Path) -> list[dict]:
    try:
        tasks = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise HotpassError(f"{path}: not a Label Studio export ({exc})") from None
    if not isinstance(tasks, list):
        raise HotpassError(f"{path}: not a Label Studio export (expected a list of tasks)")
    return tasks


def import_label_studio(workspace, path: str | Path) -> ImportResult:
    """Turn completed annotations into decisions; pairs already decided are skipped and reported."""
    path = Path(path)
    active = {tuple(sorted((r.record_key, r.other_key))): r.kind
              for r in workspace.decisions().itertuples(index=False) if r.other_key}
    decided, skipped = [], []
    for task in _read_tasks(path):
        data, annotation = task.get("data") or {}, _annotation(task)
        pair = tuple(sorted((str(data.get("key_l")), str(data.get("key_r")))))
        label = f"task {task.get('id')}"
        verdict, note = _verdict(annotation) if annotation else (None, None)
        if not data.get("key_l") or not data.get("key_r"):
            skipped.append(f"{label}: no record keys")
        elif verdict is None:
            skipped.append(f"{label}: no verdict")
        elif pair in active:
            same = active[pair] == verdict
            skipped.append(f"{label}: already decided" + ("" if same else f" as {active[pair]}; kept that"))
        else:
            note = f"{label} from {path.name}" + (f": {note}" if note else "")
            decided.append(workspace.decide(verdict, pair[0], pair[1], reviewer=_annotator(annotation), note=note))
            active[pair] = verdict
    return ImportResult(decided, skipped)


# --- Label Studio over its API (hotpass.labelstudio pushes and pulls these) ------------------------


def label_studio_tasks(workspace, limit: int | None = None) -> list[dict]:
    """The pending queue as Label Studio tasks to import (``{"data": ...}``, no ids: the server
    numbers them), each carrying both record keys."""
    pending = queue(workspace).head(limit) if limit else queue(workspace)
    return [{"data": {"left": _describe(row, "l"), "right": _describe(row, "r"), "evidence": _evidence(row),
                      "key_l": row["key_l"], "key_r": row["key_r"]}} for _, row in pending.iterrows()]


def task_verdict(task: dict) -> tuple[dict | None, str | None, str | None]:
    """A task's latest completed annotation, its verdict (same, different or None) and note."""
    annotation = _annotation(task)
    verdict, note = _verdict(annotation) if annotation else (None, None)
    return annotation, verdict, note
