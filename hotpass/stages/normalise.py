"""Stage ``normalise``: each distinct value is read once in Python; the results are joined back.

Every distinct (field kind, text) of the raw records goes through the
normalisers (:class:`hotpass.normalise.Normaliser`; on every core when there
are many) into table ``norm_values``: the first value, the others ("; "),
the rule that changed it, the problem that makes it suspect, the extra
(legal suffix off a name, title off a person) and the finding it makes.
SQL then writes ``organisation_records`` and ``contact_records``: each field
replaced by its value, several values spilling into ``<field>_other``, legal
suffixes taken off names filling an empty ``legal_suffix``, titles in
``<field>_title``, a contact known by first and last name given a full name,
a missing country the profile's, a missing domain the website's. Each
changed or suspect cell is a row of ``findings``.

A profile without a phone region (``phone_region: ZZ``, e.g. ``person``) reads
only numbers written with their country code. When the numbers of this run
that carry a country code nearly all share one (:data:`INFER_SHARE`, at least
:data:`INFER_MIN` of them), the numbers written without one are read as that
country's, and an info finding says so: a South African members list with a few
``+27`` numbers gets all its numbers in E.164, a list of mixed countries keeps
its national numbers as written.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import asdict, replace
from pathlib import Path

import duckdb
import phonenumbers
import pyarrow as pa

from hotpass.errors import ExportError
from hotpass.export.atomic import atomic_path
from hotpass.normalise import Normaliser, organisation_domain
from hotpass.normalise.parallel import read_batches
from hotpass.profile import Profile
from hotpass.run import Run
from hotpass.rundb import literal, quote, text_column
from hotpass.stages.names import CONTACT, layout, raw_table, records_table
from hotpass.stages.records import UNASSIGNED

OTHER, TITLE = "_other", "_title"
#: Columns of ``norm_values`` (and of the cache of them).
VALUE_COLUMNS = ["kind", "original", "value", "others", "n_values", "rule", "problem", "extra", "code",
                 "severity", "message", "new"]
#: Bump when a normaliser changes what it makes of a value: caches of older versions are not used.
VERSION = "normalisers-1"
#: Distinct values read (and held in memory) at a time.
BATCH = 200_000
PERSON_KINDS = ("person_name", "first_name", "last_name")
#: Inferring the phone region of a ``ZZ`` profile: how many numbers with a country code are
#: needed, and which share of them one country must hold.
INFER_MIN, INFER_SHARE = 2, 0.9


def field_kinds(profile: Profile, entity: str, columns: list[str]) -> dict[str, str]:
    """Column -> field kind; contact details left on organisations keep their contact kind."""
    kinds = {name: spec.kind for name, spec in profile.fields(entity).items() if name in columns}
    for column in columns:
        name = column[len(UNASSIGNED):] if column.startswith(UNASSIGNED) else None
        if name in profile.contact_fields:
            kinds[column] = profile.contact_fields[name].kind
    return kinds


def run(run: Run, profile: Profile) -> int:
    """Stage ``normalise`` (see the module docstring); returns the number of distinct values read.

    With a workspace, what earlier runs made of each value is kept (per normaliser settings,
    :func:`cache_path`), so a run again on the same or next month's files reads only new values.
    """
    db = run.db
    db.clear_findings("normalise")
    ctx = Normaliser.from_profile(profile)
    entities = layout(profile).entities
    kinds = {e: field_kinds(profile, e, db.columns(raw_table(e))) for e in entities}
    if ctx.region == "ZZ":
        ctx = _inferred_region(run, ctx, kinds)
    cache = cache_path(run.workspace.directory, ctx) if run.workspace is not None else None
    todo = _distinct(run, kinds, cache)
    run.report("normalise", 0.05, f"Reading {todo:,} new distinct values")
    _store_values(run, ctx, todo)
    if cache is not None:
        _save_cache(db, cache)
    run.report("normalise", 0.8, "Writing normalised records")
    for entity in entities:
        _write_records(run, profile, entity, kinds[entity])
        _findings(run, entity, kinds[entity])
    return todo


def _inferred_region(run: Run, ctx: Normaliser, kinds: dict[str, dict[str, str]]) -> Normaliser:
    """``ctx`` reading national numbers as the country nearly all international ones share
    (see the module docstring), with an info finding; else ``ctx`` unchanged."""
    selects = [f"SELECT DISTINCT trim({quote(column)}) AS v FROM {raw_table(entity)} "
               f"WHERE trim({quote(column)}) LIKE '+%' OR trim({quote(column)}) LIKE '00%'"
               for entity, found in kinds.items() for column, kind in found.items() if kind == "phone"]
    if not selects:
        return ctx
    values = [v for (v,) in run.db.rows(f"SELECT DISTINCT v FROM ({' UNION ALL '.join(selects)}) "
                                        "ORDER BY v LIMIT 20000")]
    regions = Counter()
    for value in values:
        try:
            number = phonenumbers.parse("+" + value.lstrip("+0") if value.startswith("00") else value, None)
        except phonenumbers.NumberParseException:
            continue
        region = phonenumbers.region_code_for_number(number)
        if region and phonenumbers.is_valid_number(number):
            regions[region] += 1
    total = sum(regions.values())
    if not total:
        return ctx
    region, count = regions.most_common(1)[0]
    if count < INFER_MIN or count / total < INFER_SHARE:
        return ctx
    run.db.add_findings("normalise", [(
        "normalise.phone.region_inferred", "info",
        f"the profile names no phone region; {count:,} of {total:,} numbers written with a country code "
        f"are {region}, so numbers without one were read as {region} numbers (set phone_region in the "
        "profile to choose)", None, None, None, None, None, region, "phone_region")])
    return replace(ctx, region=region)


def cache_path(workspace: Path, ctx: Normaliser) -> Path:
    """Where a workspace keeps what values became under these normaliser settings."""
    settings = json.dumps([VERSION, asdict(ctx)], sort_keys=True, default=sorted)
    return workspace / "cache" / f"values-{hashlib.sha256(settings.encode()).hexdigest()[:16]}.parquet"


def _distinct(run: Run, kinds: dict[str, dict[str, str]], cache: Path | None) -> int:
    """Tables ``_wanted`` (every distinct (kind, text) of the raw records), ``_known`` (what the
    cache already knows of them) and ``_todo`` (the rest, numbered); returns how many to read."""
    db = run.db
    selects = [f"SELECT DISTINCT {literal(kind)} AS kind, {quote(column)} AS original FROM {raw_table(entity)} "
               f"WHERE {quote(column)} IS NOT NULL"
               for entity, found in kinds.items() for column, kind in found.items()]
    db.create("_wanted", "SELECT DISTINCT * FROM (" + (" UNION ALL ".join(selects) or
                                                         "SELECT NULL::VARCHAR AS kind, NULL::VARCHAR AS original "
                                                         "WHERE false") + ")")
    known = f"SELECT c.* FROM read_parquet({literal(str(cache))}) c SEMI JOIN _wanted USING (kind, original)"
    if cache is None or not cache.is_file() or not _readable(db, cache):
        known = f"SELECT * FROM ({_empty_values()}) WHERE false"
    db.create("_known", known)
    return db.create("_todo", "SELECT row_number() OVER (ORDER BY kind, original) AS n, kind, original "
                              "FROM _wanted ANTI JOIN _known USING (kind, original)")


def _readable(db, cache: Path) -> bool:
    try:
        return db.columns_of(f"SELECT * FROM read_parquet({literal(str(cache))})") == VALUE_COLUMNS
    except Exception:  # noqa: BLE001 - a damaged cache is only a slower run
        return False


def _empty_values() -> str:
    return "SELECT " + ", ".join(f"NULL::{'BIGINT' if n == 'n_values' else 'VARCHAR'} AS {n}"
                                 for n in VALUE_COLUMNS)


def _store_values(run: Run, ctx: Normaliser, todo: int) -> None:
    """``norm_values``: what each distinct value became (known before, or read now, a batch at a
    time so memory stays bounded), and the finding it makes."""
    db = run.db
    db.create("norm_values", "SELECT * FROM _known")
    batches = (db.rows("SELECT kind, original FROM _todo WHERE n > ? AND n <= ? ORDER BY n",
                       [start, start + BATCH]) for start in range(0, todo, BATCH))
    for number, (batch, results) in enumerate(read_batches(ctx, batches, total=todo), start=1):
        rows = [(kind, original, *_row(kind, original, result, extra))
                for (kind, original), (result, extra) in zip(batch, results, strict=True)]
        columns = list(zip(*rows, strict=True))
        arrays = [pa.array(list(c), type=pa.int64()) if n == "n_values" else text_column(c)
                  for n, c in zip(VALUE_COLUMNS, columns, strict=True)]
        db.write("_fresh", pa.Table.from_arrays(arrays, names=VALUE_COLUMNS))
        db.execute("INSERT INTO norm_values SELECT * FROM _fresh")
        run.report("normalise", 0.05 + 0.7 * min(number * BATCH / max(todo, 1), 1.0),
                   f"Read {min(number * BATCH, todo):,} of {todo:,} new distinct values")
    db.drop("_known", "_fresh", "_wanted", "_todo")


def _save_cache(db, cache: Path) -> None:
    """Keep this run's values for the next one (written beside, then moved into place)."""
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(cache) as temp:  # a killed run's temp is removed by the next run
            db.execute(f"COPY norm_values TO {literal(str(temp))} (FORMAT parquet, USE_TMP_FILE false)")
    except (OSError, duckdb.Error, ExportError):
        pass  # no cache is only a slower next run


def _row(kind: str, original: str, result, extra) -> tuple:
    values = result.values
    others = "; ".join(values[1:]) or None
    code = severity = message = None
    new = "; ".join(values) or None
    if result.problem:
        code, severity = f"normalise.{result.problem}", "warning"
        message = f"{kind} value {original!r} looks wrong ({result.problem}); kept as {new!r}"
    elif result.rule is not None:
        code, severity = f"normalise.{result.rule}", "info"
        message = (f"{kind} value {original!r} treated as missing ({result.rule})" if new is None
                   else f"{kind} value {original!r} changed to {new!r} ({result.rule})")
    return (result.value, others, len(values), result.rule, result.problem, extra, code, severity, message,
            new)


def _has(run: Run, table: str, column: str, kind: str, condition: str) -> bool:
    """Whether any value of ``column`` normalised to something matching ``condition``."""
    return bool(run.db.rows(f"SELECT 1 FROM {table} t JOIN norm_values v ON v.kind = {literal(kind)} "
                            f"AND v.original = t.{quote(column)} WHERE {condition} LIMIT 1"))


def _write_records(run: Run, profile: Profile, entity: str, kinds: dict[str, str]) -> None:
    """``<entity>_records``: the raw records with every field normalised (see the module docstring)."""
    raw = raw_table(entity)
    columns = run.db.columns(raw)
    joins, select, added = [], {}, {}
    suffixes = []
    for column in columns:
        select[column] = f"t.{quote(column)}"
    for i, (column, kind) in enumerate(kinds.items()):
        alias = f"v{i}"
        joins.append(f"LEFT JOIN norm_values {alias} ON {alias}.kind = {literal(kind)} "
                     f"AND {alias}.original = t.{quote(column)}")
        select[column] = f"{alias}.value"
        if _has(run, raw, column, kind, "v.others IS NOT NULL"):
            old = f"t.{quote(column + OTHER)}" if column + OTHER in columns else "NULL"
            added[column + OTHER] = f"nullif(concat_ws('; ', {old}, {alias}.others), '')"
        if kind == "org_name":
            suffixes.append(f"{alias}.extra")
        elif kind in PERSON_KINDS and _has(run, raw, column, kind, "v.extra IS NOT NULL"):
            added[column + TITLE] = f"{alias}.extra"
    if suffixes and any(_has(run, raw, c, k, "v.extra IS NOT NULL") for c, k in kinds.items()
                        if k == "org_name"):
        current = select.get("legal_suffix", "NULL")
        fill = f"coalesce({current}, {', '.join(suffixes)})" if "legal_suffix" in select else \
            f"coalesce({', '.join(suffixes)})"
        (select if "legal_suffix" in select else added)["legal_suffix"] = fill
    select.update(added)
    for name, spec in profile.fields(entity).items():  # composite fields, from their parts
        parts = [select[p] for p in spec.from_fields if p in select]
        if spec.from_fields and name in select and parts:
            joined = f"nullif(concat_ws({literal(spec.separator)}, {', '.join(parts)}), '')"
            select[name] = f"coalesce({select[name]}, {joined})"
    if entity != CONTACT:
        _organisation_defaults(run, profile, select, raw, joins)
    body = ", ".join(f"{expr} AS {quote(name)}" for name, expr in select.items())
    run.db.create(records_table(entity), f"SELECT {body} FROM {raw} t {' '.join(joins)} ORDER BY t.record_id")


def _organisation_defaults(run: Run, profile: Profile, select: dict, raw: str, joins: list) -> None:
    """A missing country is the profile's; a missing domain is the website's own domain."""
    if "country" in select and profile.country:
        select["country"] = f"coalesce({select['country']}, {literal(profile.country)})"
    if "website" not in select or "domain" not in select:
        return
    websites = [row[0] for row in run.db.rows(
        f"SELECT DISTINCT {select['website']} FROM {raw} t {' '.join(joins)} WHERE {select['website']} "
        "IS NOT NULL")]
    derived = [(w, organisation_domain(w, profile.social_domains)) for w in websites]
    run.db.write("_site_domains", pa.Table.from_arrays(
        [text_column([w for w, _ in derived]), text_column([d for _, d in derived])], names=["website", "domain"]))
    joins.append(f"LEFT JOIN _site_domains sd ON sd.website = {select['website']}")
    select["domain"] = f"coalesce({select['domain']}, sd.domain)"


def _findings(run: Run, entity: str, kinds: dict[str, str]) -> None:
    """One finding per cell whose value was changed or looks wrong."""
    raw = raw_table(entity)
    for column, kind in kinds.items():
        run.db.insert_findings("normalise", f"""
            SELECT v.code, v.severity, v.message, t.source_file, t.source_sheet, t.source_row,
                   {literal(column)}, t.{quote(column)}, v.new, v.rule
            FROM {raw} t JOIN norm_values v ON v.kind = {literal(kind)} AND v.original = t.{quote(column)}
            WHERE v.code IS NOT NULL ORDER BY t.record_id""")
