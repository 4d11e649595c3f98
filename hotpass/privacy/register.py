"""The register of processing (POPIA s14, s17-s18 documentation), generated from the workspace.

One row per (profile, entity, field) of personal information processed, with
why (purposes used and declared), on which lawful bases (counted over the
kept runs), for how long (the profile's retention), who may reach it (users
by role), where it is stored and who received it (downloads, from the audit
log). Everything is read from the workspace; nothing here is a value from the
data.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import duckdb

from hotpass.errors import HotpassError
from hotpass.privacy import purposes, retention, suppression, tables
from hotpass.profile import LAWFUL_BASES, Profile, load_profile
from hotpass.users import PERMISSIONS

PERSONAL_KINDS = {"person_name", "persons", "first_name", "last_name", "phone", "email", "date", "id",
                  "address", "postcode", "role"}
COLUMNS = ["profile", "entity", "field", "label", "kind", "purposes", "lawful_bases", "retention_days",
           "access", "stored_in", "recipients"]


def _profile(ws, name: str, run_id: int | None) -> Profile | None:
    saved = Path(ws.directory) / "runs" / str(run_id) / retention.PROFILE_FILE if run_id else None
    try:
        return Profile.from_yaml(saved) if saved and saved.is_file() else load_profile(name)
    except HotpassError:
        return None


def _run_meta(ws, run_id: int) -> dict:
    path = Path(ws.directory) / "runs" / str(int(run_id)) / retention.RUN_FILE
    if not path.is_file():
        return {}
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            row = con.execute("SELECT value FROM meta WHERE key = 'privacy'").fetchone()
    except duckdb.Error:
        return {}
    return json.loads(row[0]) if row else {}


def facts(ws) -> dict:
    """What the register is made of, read from the workspace."""
    tables.ensure(ws)
    runs = ws.query_dicts("SELECT run_id, profile, status FROM runs WHERE status IS NULL OR status != 'purged' "
                          "ORDER BY run_id")
    profiles: dict[str, Profile] = {}
    used: dict[str, set[str]] = {}
    bases: dict[str, Counter] = {}
    for run in runs:
        name = run["profile"] or "?"
        found = profiles.get(name) or _profile(ws, name, run["run_id"])
        if found is not None:
            profiles[name] = found
        meta = _run_meta(ws, run["run_id"])
        used.setdefault(name, set()).update(f.get("purpose") or "none" for f in meta.get("files", {}).values())
        bases.setdefault(name, Counter()).update({k: v for k, v in meta.get("bases", {}).items() if k != "opt_out"})
    users = ws.query_dicts("SELECT role, count(*) AS n FROM users GROUP BY role ORDER BY role")
    downloads = ws.query_dicts("SELECT username, count(*) AS n FROM audit WHERE action = 'download' "
                               "GROUP BY username ORDER BY username")
    return {"profiles": profiles, "purposes_used": used, "bases": bases, "users": users,
            "downloads": downloads, "declarations": purposes.uploads(ws), "runs": len(runs),
            "suppressed": suppression.counts(ws), "workspace": str(Path(ws.directory).resolve())}


def rows(ws, found: dict | None = None) -> list[dict]:
    """The register, one row per personal field of each profile used."""
    found = found or facts(ws)
    access = "; ".join(f"{u['role']} ({u['n']}): {', '.join(sorted(PERMISSIONS.get(u['role'], [])))}"
                       for u in found["users"]) or "no users"
    recipients = "; ".join(f"{d['username']} ({d['n']} downloads)" for d in found["downloads"]) or "no downloads"
    stored = (f"{found['workspace']}/runs/<id>/run.duckdb and outputs; uploads under "
              f"{found['workspace']}/uploads; deliverables where each run wrote them")
    out = []
    for name, profile in sorted(found["profiles"].items()):
        used = sorted(found["purposes_used"].get(name, set()))
        counted = found["bases"].get(name, Counter())
        bases = ", ".join(f"{k} ({v})" for k, v in sorted(counted.items())) or "none recorded"
        for entity, spec in profile.entities.items():
            for field, fspec in spec.fields.items():
                if fspec.kind not in PERSONAL_KINDS and field not in purposes.BASIS_FIELDS:
                    continue
                if entity == "organisation" and fspec.kind not in ("persons",):
                    continue
                why = [p for p in used if purposes.allowed(profile, None if p == "none" else p, entity, field)]
                if used and not why:
                    continue  # no purpose in use may process it: dropped at every run
                out.append({"profile": name, "entity": entity, "field": field, "label": fspec.label,
                            "kind": fspec.kind, "purposes": "; ".join(why) or "none declared",
                            "lawful_bases": bases, "retention_days": profile.privacy.retention_days,
                            "access": access, "stored_in": stored, "recipients": recipients})
    return out


def to_csv(ws) -> str:
    """The register as CSV."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows(ws))
    return buffer.getvalue()


def to_markdown(ws) -> str:
    """The register as Markdown: a summary per profile, then the field table."""
    found = facts(ws)
    table = rows(ws, found)
    lines = ["# Register of processing", "",
             f"Workspace: `{found['workspace']}` · {found['runs']} run(s) kept · suppression list: "
             f"{sum(v for k, v in found['suppressed'].items() if k != 'removed')} hashed identifier(s)", ""]
    for name, profile in sorted(found["profiles"].items()):
        lines += [f"## Profile {name}", "",
                  f"- Retention: {profile.privacy.retention_days} days (`hotpass privacy purge`)",
                  "- Purposes defined: " + "; ".join(
                      f"{key} ({spec.lawful_basis or 'no default basis'}): {spec.description or spec.label}"
                      for key, spec in profile.privacy.purposes.items()),
                  "- Purposes used: " + (", ".join(sorted(found["purposes_used"].get(name, set()))) or "none"),
                  "- Lawful bases recorded (person records of the kept runs): " + (", ".join(
                      f"{k} ({v})" for k, v in sorted(found["bases"].get(name, Counter()).items())) or "none"), ""]
    lines += ["## Who has access", ""]
    lines += [f"- {u['role']}: {u['n']} user(s), may {', '.join(sorted(PERMISSIONS.get(u['role'], [])))}"
              for u in found["users"]] or ["- no users"]
    lines += ["", "## Recipients (downloads)", ""]
    lines += [f"- {d['username']}: {d['n']} download(s)" for d in found["downloads"]] or ["- none"]
    lines += ["", "## Uploads and their declared purpose", ""]
    lines += [f"- {d['username']}: file {d['sha256'][:12]} for {d['purpose'] or 'no purpose'}"
              f" ({d['lawful_basis'] or 'no basis declared'})" for d in found["declarations"]] or ["- none"]
    lines += ["", "## Personal fields", "", "| profile | entity | field | kind | purposes | lawful bases | retention (days) |",
              "|---|---|---|---|---|---|---|"]
    lines += [f"| {r['profile']} | {r['entity']} | {r['field']} | {r['kind']} | {r['purposes']} | "
              f"{r['lawful_bases']} | {r['retention_days']} |" for r in table]
    lines += ["", "Lawful bases (POPIA s11): " + "; ".join(f"{k}: {v}" for k, v in LAWFUL_BASES.items()), ""]
    return "\n".join(lines)
