"""The matching table Splink reads: one row per organisation record, matching evidence only.

Built in the run database (table ``match_features``, in record order) from
the normalised organisation and contact records; Python looks only at
distinct names, domains, towns and people (:mod:`hotpass.resolve.names`).

``unique_id``
    the record's stable ``record_key``.
``name_key``, ``name_core``, ``name_tail``, ``name_t1`` .. ``name_t3``, ``name_core2``,
``name_code``, ``name_t1_variants``
    the name as matching keys (see :func:`hotpass.resolve.names.name_parts`); first-word
    variants that more than ``resolution.variant_max_records`` records share are dropped.
``phones``
    sorted E.164 numbers from ``phone``, ``phone_other`` and the people's mobiles left
    on the organisation; numbers that did not normalise are left out.
``emails``
    sorted, lower-cased addresses from ``email`` and ``email_other``.
``org_domain``
    the website's registrable domain, else the most common mail domain of the record's
    addresses; never a free-mail, social or dotless domain, nor one that records of
    ``SHARED_DOMAIN_NAMES`` or more different names use (an internet provider's mail, a
    head office's site for every branch: it says nothing about which organisation it is).
``region``, ``town``, ``legal_suffix``
    canonical province, the folded town name and the canonical legal suffix.
``people``, ``people_full``, ``contact_points``
    the linked people as "initial surname" and "first name surname" keys, and their own
    phone numbers and addresses.
"""

from __future__ import annotations

import re

import pandas as pd
import pyarrow as pa

from hotpass.profile import MATCHING_COLUMNS, RULE_FUNCTIONS
from hotpass.resolve.names import (
    EMAIL_COLUMNS,
    PHONE_COLUMNS,
    DomainRules,
    core_frequencies,
    fold_words,
    name_parts,
    town_key,
)
from hotpass.resolve.people import CONTACT_PHONES, person_keys
from hotpass.rundb import RunDB, quote, text_column

TABLE = "match_features"
#: A domain that records of this many different names use names none of them.
SHARED_DOMAIN_NAMES = 10
_RULE_WORD = re.compile(r"[a-z_][a-z0-9_]*")
FEATURE_COLUMNS = ("unique_id", *MATCHING_COLUMNS)
E164 = r"\+[1-9][0-9]{6,14}"
_NAME_PARTS = ["name_key", "name_core", "name_tail", "name_t1", "name_t2", "name_t3", "name_core2",
               "name_code"]


def generic_words(profile) -> frozenset[str]:
    """The profile's generic name words, spelled as name keys spell them."""
    return frozenset(fold_words(profile.resolution.generic_name_words))


def field_columns(spec, columns: set[str], alias: str = "t") -> list[tuple[str, str]]:
    """SQL select items for the declared fields a model compares or blocks on beside the built-in
    columns (``spec`` a ModelSpec): lists (phones, emails) as sorted distinct values of the field
    and its ``<field>_other``, other fields as they are; a field the records lack is NULL."""
    wanted = [c.field for c in spec.comparisons_of_fields]
    wanted += [w for rule in (*spec.blocking_rules, *spec.deterministic_rules, *spec.training_rules)
               for expr in rule for w in _RULE_WORD.findall(expr) if w not in RULE_FUNCTIONS]
    out = []
    for name in dict.fromkeys(wanted):
        if spec.built_in and name in MATCHING_COLUMNS:  # the built-in matching column of that name
            continue
        if name in spec.lists:
            present = [c for c in (name, f"{name}_other") if c in columns]
            out.append((name, _list_of(present, "true", "lower(x)", alias)))
        else:
            out.append((name, f"{alias}.{quote(name)}" if name in columns else "NULL::VARCHAR"))
    return out


def build_fields(db: RunDB, spec, table: str) -> int:
    """Write ``match_features`` for an entity compared on its declared fields: ``unique_id`` (the
    record key), ``source_dataset`` (the source file, when records are linked between files) and
    each field a comparison or rule names; returns its row count."""
    columns = set(db.columns(table))
    source = ["t.source_file AS source_dataset"] if spec.link_type != "dedupe_only" else []
    own = [f"{expr} AS {quote(name)}" for name, expr in field_columns(spec, columns)]
    db.create(TABLE, f"SELECT t.record_key AS unique_id, {', '.join([*source, *own])} "
                     f"FROM {table} t ORDER BY t.record_id")
    return db.count(TABLE)


def build(db: RunDB, profile, orgs: str, contacts: str | None = None, spec=None) -> int:
    """Write ``match_features`` for the records of table ``orgs`` (and the people of table
    ``contacts``, linked by ``org_record`` = ``record_id``); returns its row count. ``spec`` (the
    ModelSpec) adds the declared fields its comparisons and rules name."""
    columns = set(db.columns(orgs))
    _names(db, profile, orgs, columns)
    _domains(db, profile, orgs, columns)
    _towns(db, orgs, columns)
    _people(db, contacts)
    phones = _list_of([c for c in PHONE_COLUMNS if c in columns], f"regexp_full_match(x, '{E164}')", "x")
    emails = _list_of([c for c in EMAIL_COLUMNS if c in columns], "x LIKE '%@%'", "lower(x)")
    max_records = int(profile.resolution.variant_max_records)
    name_cols = ", ".join(f"n.{c}" for c in _NAME_PARTS)
    extra = field_columns(spec, columns) if spec is not None else []
    if spec is not None and spec.link_type != "dedupe_only":
        extra.append(("source_dataset", "t.source_file"))
    own = "".join(f" {expr} AS {quote(name)}," for name, expr in extra)
    carried = "".join(f", b.{quote(name)}" for name, _ in extra)
    db.create(TABLE, f"""
        WITH base AS (
            SELECT t.record_id, t.record_key, {name_cols}, n.deletions,{own}
                   {phones} AS phones, {emails} AS emails,
                   {_col(columns, 'domain')} AS website_domain,
                   {_col(columns, 'region')} AS region, {_col(columns, 'town')} AS town_value,
                   {_col(columns, 'legal_suffix')} AS legal_suffix
            FROM {orgs} t LEFT JOIN _names n ON n.name = t.name),
        variants AS (SELECT record_id, unnest(deletions) AS v FROM base),
        counts AS (SELECT v, count(*) AS c FROM variants GROUP BY v),
        kept AS (SELECT record_id, list_sort(list(v)) AS name_t1_variants FROM variants JOIN counts USING (v)
                 WHERE c <= {max_records} GROUP BY record_id),
        mail AS (SELECT record_id, m.usable AS d, count(*) AS c
                 FROM (SELECT record_id, unnest(emails) AS e FROM base)
                 JOIN _mail_domains m ON m.domain = regexp_extract(e, '[^@]*$')
                 WHERE m.usable IS NOT NULL GROUP BY ALL),
        best_mail AS (SELECT record_id, arg_min(d, (-c, d)) AS d FROM mail GROUP BY record_id)
        SELECT b.record_key AS unique_id, {', '.join('b.' + c for c in _NAME_PARTS)}, k.name_t1_variants,
               b.phones, b.emails, coalesce(s.usable, bm.d) AS org_domain, b.region,
               tk.key AS town, b.legal_suffix, p.people, p.people_full, p.contact_points{carried}
        FROM base b
        LEFT JOIN kept k USING (record_id)
        LEFT JOIN _site_domains s ON s.domain = b.website_domain
        LEFT JOIN best_mail bm USING (record_id)
        LEFT JOIN _towns tk ON tk.value = b.town_value
        LEFT JOIN _org_people p ON p.org_record = b.record_id
        ORDER BY b.record_id""")
    db.drop("_names", "_site_domains", "_mail_domains", "_towns", "_org_people", "_person_keys")
    return db.count(TABLE)


def _col(columns: set[str], name: str) -> str:
    return f"t.{quote(name)}" if name in columns else "NULL::VARCHAR"


def _list_of(columns: list[str], keep: str, value: str, alias: str = "t") -> str:
    """SQL: the sorted distinct parts of ``columns`` (split on ";", trimmed) that pass ``keep``,
    or NULL when there are none."""
    if not columns:
        return "NULL::VARCHAR[]"
    parts = ", ".join(f"string_split(coalesce({alias}.{quote(c)}, ''), ';')" for c in columns)
    found = (f"list_sort(list_distinct(list_transform(list_filter(list_transform(flatten([{parts}]), "
             f"lambda x: trim(x)), lambda x: x <> '' AND {keep}), lambda x: {value})))")
    return f"CASE WHEN len({found}) = 0 THEN NULL ELSE {found} END"


def _write(db: RunDB, name: str, frame: pd.DataFrame, types: dict | None = None) -> None:
    db.write(name, frame, types=types)


def _names(db: RunDB, profile, orgs: str, columns: set[str]) -> None:
    """``_names``: the parts of every distinct name."""
    names = [r[0] for r in db.rows(f"SELECT DISTINCT name FROM {orgs} WHERE name IS NOT NULL")] \
        if "name" in columns else []
    words = generic_words(profile)
    rows = [(n, *name_parts(n, words)) for n in names]
    frame = pd.DataFrame(rows, columns=["name", *_NAME_PARTS, "deletions"])
    _write(db, "_names", frame, {"deletions": pa.list_(pa.string())})


def _domains(db: RunDB, profile, orgs: str, columns: set[str]) -> None:
    """``_site_domains`` and ``_mail_domains``: each distinct domain and whether it may name
    an organisation (its registrable domain when it may)."""
    rules = DomainRules(profile.free_mail_domains, profile.social_domains)
    sites = [r[0] for r in db.rows(f"SELECT DISTINCT domain FROM {orgs} WHERE domain IS NOT NULL")] \
        if "domain" in columns else []
    _write(db, "_site_domains", pd.DataFrame(
        {"domain": sites, "usable": [rules.usable(str(d).strip().lower()) for d in sites]}, dtype=object))
    present = [c for c in EMAIL_COLUMNS if c in columns]
    mail = []
    if present:
        parts = " UNION ".join(
            f"SELECT DISTINCT regexp_extract(lower(trim(unnest(string_split({quote(c)}, ';')))), '[^@]*$') "
            f"FROM {orgs} WHERE {quote(c)} LIKE '%@%'" for c in present)
        mail = [r[0] for r in db.rows(parts)]
    _write(db, "_mail_domains", pd.DataFrame(
        {"domain": mail, "usable": [rules.usable(d) for d in mail]}, dtype=object))
    _shared_domains(db, orgs, columns, present)


def _shared_domains(db: RunDB, orgs: str, columns: set[str], mail_columns: list[str]) -> None:
    """Mark unusable the usable domains (site or mail) that records of ``SHARED_DOMAIN_NAMES``
    or more different names use."""
    if "name" not in columns:
        return
    uses = [f"SELECT s.usable AS d, t.name FROM {orgs} t JOIN _site_domains s ON s.domain = t.domain"
            ] if "domain" in columns else []
    uses += [f"SELECT m.usable AS d, t.name FROM {orgs} t, "
             f"unnest(string_split(lower(coalesce(t.{quote(c)}, '')), ';')) AS e(address) "
             f"JOIN _mail_domains m ON m.domain = regexp_extract(trim(e.address), '[^@]*$') "
             f"WHERE e.address LIKE '%@%'" for c in mail_columns]
    if not uses:
        return
    shared = f"""SELECT d FROM ({' UNION ALL '.join(uses)}) WHERE d IS NOT NULL AND name IS NOT NULL
                 GROUP BY d HAVING count(DISTINCT lower(name)) >= {SHARED_DOMAIN_NAMES}"""
    for table in ("_site_domains", "_mail_domains"):
        db.execute(f"UPDATE {table} SET usable = NULL WHERE usable IN ({shared})")


def _towns(db: RunDB, orgs: str, columns: set[str]) -> None:
    towns = [r[0] for r in db.rows(f"SELECT DISTINCT town FROM {orgs} WHERE town IS NOT NULL")] \
        if "town" in columns else []
    _write(db, "_towns", pd.DataFrame({"value": towns, "key": [town_key(t) for t in towns]}, dtype=object))


def _people(db: RunDB, contacts: str | None) -> None:
    """``_org_people``: per organisation record, its people's name keys and own phones and addresses."""
    columns = set(db.columns(contacts)) if contacts and db.has(contacts) else set()
    if "org_record" not in columns:
        db.create("_org_people", "SELECT NULL::VARCHAR AS org_record, NULL::VARCHAR[] AS people, "
                                 "NULL::VARCHAR[] AS people_full, NULL::VARCHAR[] AS contact_points WHERE false")
        return
    name = {c: (f"c.{quote(c)}" if c in columns else "NULL::VARCHAR") for c in
            ("first_name", "last_name", "full_name")}
    triples = db.rows(f"SELECT DISTINCT {name['first_name']}, {name['last_name']}, {name['full_name']} "
                      f"FROM {contacts} c WHERE org_record IS NOT NULL")
    keys = [(f, la, fu, *person_keys(f, la, fu)) for f, la, fu in triples]
    _write(db, "_person_keys", pd.DataFrame(keys, columns=["first", "last", "full", "short", "whole"],
                                            dtype=object))
    reach = [c for c in (*CONTACT_PHONES, "email") if c in columns]
    parts = ", ".join(f"string_split(coalesce(c.{quote(c)}, ''), ';')" for c in reach) or ""
    points = (f"list_transform(list_filter(list_transform(flatten([{parts}]), lambda x: trim(x)), "
              f"lambda x: regexp_full_match(x, '{E164}') OR x LIKE '%@%'), "
              f"lambda x: CASE WHEN regexp_full_match(x, '{E164}') THEN x ELSE lower(x) END)") \
        if reach else "[]::VARCHAR[]"
    db.create("_org_people", f"""
        WITH each AS (
            SELECT c.org_record, k.short, k.whole, {points} AS points
            FROM {contacts} c LEFT JOIN _person_keys k
              ON k.first IS NOT DISTINCT FROM {name['first_name']} AND k.last IS NOT DISTINCT FROM
                 {name['last_name']} AND k.full IS NOT DISTINCT FROM {name['full_name']}
            WHERE c.org_record IS NOT NULL),
        flat AS (SELECT org_record, short, whole, unnest(CASE WHEN len(points) = 0 THEN [NULL] ELSE points END)
                 AS point FROM each)
        SELECT org_record,
               nullif(list_sort(list_distinct(list(short))), []) AS people,
               nullif(list_sort(list_distinct(list(whole))), []) AS people_full,
               nullif(list_sort(list_distinct(list(point))), []) AS contact_points
        FROM flat GROUP BY org_record""")


def tf_name_core(db: RunDB, profile) -> pd.DataFrame:
    """The term frequencies of name cores (see :func:`hotpass.resolve.names.core_frequencies`)."""
    pairs = db.rows(f"SELECT DISTINCT name_core, name_tail FROM {TABLE} WHERE name_core IS NOT NULL")
    return core_frequencies(pairs, generic_words(profile))


def features(orgs: pd.DataFrame, profile, contacts: pd.DataFrame | None = None) -> pd.DataFrame:
    """The matching table for record frames (``orgs`` with record_id and record_key, ``contacts``
    with org_record), as a frame: for tests and benchmarks that start from frames."""
    with RunDB() as db:
        db.write("_orgs", orgs)
        if contacts is not None:
            db.write("_contacts", contacts)
        build(db, profile, "_orgs", "_contacts" if contacts is not None else None)
        return db.frame(TABLE)


__all__ = ["FEATURE_COLUMNS", "TABLE", "build", "build_fields", "features", "field_columns", "text_column",
           "tf_name_core"]
