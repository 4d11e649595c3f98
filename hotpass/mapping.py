"""Map source columns to canonical fields and decide each sheet's role.

Each column is matched, in order of trust, by: a saved mapping, a profile
synonym (after folding case, spaces and punctuation), a fuzzy header match
(rapidfuzz), a synonym contained word for word in the header, and finally the
look of its values (emails, web addresses, phone numbers, region names).
Every mapping records its method and confidence; a column nothing matches is
kept as an ``extra:<header>`` column and reported.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process

from hotpass.errors import MappingError
from hotpass.ingest.headers import fold_header, spelled_out
from hotpass.normalise.person import TITLES
from hotpass.profile import BASIS_FIELDS, Profile
from hotpass.roles import ID_ENDINGS, RoleHints, SheetRole, classify, classify_all
from hotpass.text import fold, is_missing, words

#: The entities of the shipped profiles, which the organisation-and-contact stages name.
ORG, CONTACT = "organisation", "contact"
# Fields that only a person has: their presence makes a sheet a contact or mixed sheet.
PERSON_KINDS = {"persons", "person_name", "first_name", "last_name", "role"}
# Kinds where several source columns may feed one field (values are joined, then split).
MULTI_KINDS = {"phone", "email", "website"}
SAMPLE_SIZE = 200


@dataclass
class ColumnMapping:
    """Where one source column goes."""

    source: str
    target: str | None  # "organisation.name", "contact.email", or None (kept as extra)
    confidence: float  # 0-100
    method: str  # saved | synonym | fuzzy | word | content | manual | unmapped

    @property
    def record_kind(self) -> str | None:
        return self.target.split(".", 1)[0] if self.target else None

    @property
    def field(self) -> str | None:
        return self.target.split(".", 1)[1] if self.target else None


@dataclass
class SheetMapping:
    """The mapping of one sheet: its role and where each column goes."""

    file: str
    sheet: str
    role: str  # an entity's name | mixed | side_table | activity_log | lookup | ignore
    role_method: str  # detected | profile | saved | manual
    columns: list[ColumnMapping] = field(default_factory=list)
    reason: str = ""  # why the sheet has its role, in a sentence
    key: str | None = None  # side tables and activity logs: the column naming the entity
    date: str | None = None  # activity logs: the date column
    confidence: float = 1.0  # how sure the role is (0-1)

    def targets(self, kind: str) -> dict[str, list[str]]:
        """Canonical field -> source columns feeding it, for one record kind."""
        out: dict[str, list[str]] = {}
        for col in self.columns:
            if col.record_kind == kind:
                out.setdefault(col.field, []).append(col.source)
        return out

    def extras(self) -> list[str]:
        """Source columns that map to no field."""
        return [c.source for c in self.columns if c.target is None]

    def uncertain(self, confident_score: float) -> list[ColumnMapping]:
        """Mapped columns whose confidence is below ``confident_score``."""
        return [c for c in self.columns if c.target and c.confidence < confident_score]


@dataclass
class _Candidate:
    target: str
    score: float
    method: str


def _is_identifier(header: str) -> bool:
    """Whether a header names an identifier by its last word ("Member No", "Client ID"): a fuzzy
    match never turns one into a name or a name into one ("Member No" is not "Member Name")."""
    found = words(spelled_out(header))
    return bool(found) and found[-1] in ID_ENDINGS


class _SynonymIndex:
    """Folded synonyms of every field of one record kind."""

    def __init__(self, profile: Profile, kind: str):
        self.kind = kind
        self.by_fold: dict[str, str] = {}
        self.by_words: list[tuple[tuple[str, ...], str]] = []
        for name, spec in profile.fields(kind).items():
            for synonym in [name, name.replace("_", " "), spec.label, *spec.synonyms]:
                folded = fold(synonym)
                if folded and folded not in self.by_fold:
                    self.by_fold[folded] = name
                    self.by_words.append((tuple(words(synonym)), name))
        self.choices = list(self.by_fold)
        self.spelled = {fold(syn): syn for name, spec in profile.fields(kind).items()
                        for syn in reversed([name.replace("_", " "), spec.label, *spec.synonyms])}
        self.kinds = {name: spec.kind for name, spec in profile.fields(kind).items()}

    def _flips_identity(self, header: str, choice: str) -> bool:
        """Whether a fuzzy match of ``header`` to the synonym ``choice`` turns an identifier into a
        name or a name into an identifier ("Member No" is not "Member Name")."""
        kind = self.kinds[self.by_fold[choice]]
        if kind not in (*_NAME_KINDS, "id", "link"):
            return False
        return _is_identifier(header) != _is_identifier(self.spelled.get(choice, choice))

    def match(self, header: str, fuzzy_min: float) -> _Candidate | None:
        header = spelled_out(header)
        folded = fold(header)
        if not folded:
            return None
        if folded in self.by_fold:
            return _Candidate(f"{self.kind}.{self.by_fold[folded]}", 100.0, "synonym")
        if len(folded) >= 4:
            for choice, score, _ in process.extract(folded, self.choices, scorer=fuzz.ratio,
                                                    score_cutoff=fuzzy_min, limit=5):
                if not self._flips_identity(header, choice):
                    return _Candidate(f"{self.kind}.{self.by_fold[choice]}", round(score * 0.97, 1), "fuzzy")
        return self._word_match(header)

    def _word_match(self, header: str) -> _Candidate | None:
        """A synonym that appears word for word inside a longer header ("Main Phone No")."""
        header_words = words(header)
        best: tuple[int, str] | None = None
        for syn_words, name in self.by_words:
            n = len(syn_words)
            if not n or n >= len(header_words) or len("".join(syn_words)) < 3 or \
                    self._flips_identity(header, fold(" ".join(syn_words))):
                continue
            for i in range(len(header_words) - n + 1):
                if tuple(header_words[i : i + n]) == syn_words and (best is None or n > best[0]):
                    best = (n, name)
        if best is None:
            return None
        return _Candidate(f"{self.kind}.{best[1]}", 78.0, "word")


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.I)
_URL = re.compile(r"^(https?://|www\.)|^[a-z0-9-]+(\.[a-z0-9-]+)*\.(com|org|net|za|co\.za|org\.za|aero|edu)(/.*)?$", re.I)
_PHONE = re.compile(r"^[+(]?[\d\s().\-/]{7,}$")


def sniff(values: list[str], region_folds: set[str]) -> tuple[str, float] | None:
    """Guess a field kind from a column's values: (kind, share of values that fit)."""
    if not values:
        return None
    tests = {
        "email": lambda v: any(_EMAIL.match(p.strip()) for p in re.split(r"[;,\s]+", v) if p),
        "website": lambda v: bool(_URL.match(v.strip())) and "@" not in v,
        "phone": lambda v: bool(_PHONE.match(v.strip())) and sum(c.isdigit() for c in v) >= 9,
        "region": lambda v: fold(v) in region_folds,
    }
    best = max(((kind, sum(map(test, values)) / len(values)) for kind, test in tests.items()), key=lambda kv: kv[1])
    return best if best[1] >= 0.6 else None


def _column_values(frame, column: str) -> list[str]:
    values = [v for v in frame[column].head(SAMPLE_SIZE * 3).tolist() if not is_missing(v)]
    return [str(v) for v in values[:SAMPLE_SIZE]]


def _content_candidate(profile: Profile, kind: str, sniffed: tuple[str, float] | None) -> _Candidate | None:
    if sniffed is None:
        return None
    field_kind, share = sniffed
    for name, spec in profile.fields(kind).items():
        if spec.kind == field_kind:
            return _Candidate(f"{kind}.{name}", round(60 + 20 * share, 1), "content")
    return None


class _Pair:
    """The two entities a sheet's columns are weighed between: an entity that stands alone
    (``parent``) and the entity that belongs to it (``child``, None when it has none)."""

    def __init__(self, profile: Profile, parent: str, child: str | None):
        self.profile, self.parent, self.child = profile, parent, child
        spec = profile.entity(parent)
        self.name = f"{parent}.{spec.name_field()}" if spec.name_field() else None
        link = profile.link_field(child) if child else None
        self.link = f"{child}.{link}" if link else None

    def person_side(self, cand: _Candidate | None) -> bool:
        """Whether ``cand`` is a field only a person has (a name, a role) of the child."""
        if cand is None or self.child is None or not cand.target.startswith(self.child + "."):
            return False
        return self.profile.fields(self.child)[cand.target.split(".", 1)[1]].kind in PERSON_KINDS


def _pairs(profile: Profile) -> list[_Pair]:
    """Each standalone entity with its first child (the shipped profiles: organisation, contact)."""
    return [_Pair(profile, top, next(iter(profile.children(top)), None)) for top in profile.top_entities()]


def _detect_role(pair: _Pair, sheet, org: list, contact: list) -> str:
    """Decide a sheet's role from what its columns matched (and, when unsure, their values).

    A sheet naming parent records and people is *mixed* (a parent record per row
    with its people) unless it reads as a list of people: the people have
    structured name or role columns, or the parent names repeat row after
    row, and nothing but the name describes the parent.
    """
    if pair.child is None:  # an entity of its own: its records are rows naming it or giving two fields
        named = any(o and o.target == pair.name for o in org)
        return pair.parent if named or sum(1 for o in org if o) >= 2 else "ignore"
    person_fields = {c.target.split(".", 1)[1] for o, c in zip(org, contact, strict=True)
                     if pair.person_side(c) and (o is None or c.score >= o.score)}
    names = [(h, o) for h, o, c in zip(sheet.columns, org, contact, strict=True)
             if o and o.target == pair.name and not (pair.person_side(c) and c.score > o.score)]
    org_detail = any(o and o.target.split(".", 1)[1] in DETAIL_FIELDS for o in org)
    if person_fields and names:
        if org_detail:
            return "mixed"
        structured = bool(person_fields & {"first_name", "last_name", "role"})
        return pair.child if structured or _names_repeat(sheet.frame[names[0][0]]) else "mixed"
    if person_fields:
        return pair.child
    if names:
        return pair.parent
    return "ignore"


#: Fields that describe the organisation beyond its name (a sheet with them and people is mixed).
DETAIL_FIELDS = {"website", "domain", "region", "town", "category", "type", "status", "address", "trading_as",
                 "legal_suffix", "description", "priority", "lawful_basis", "country"}


def _names_repeat(column) -> bool:
    """True when most names appear on several rows (a list of people)."""
    values = [fold(v) for v in column.tolist() if not is_missing(v)]
    return len(values) >= 8 and len(set(values)) / len(values) < 0.75


#: Header words that say a column on a mixed sheet is about the person, not the organisation
#: ("Contact Number", "Contact Email Address", "Representative Phone").
PERSON_WORDS = {"contact", "person", "representative", "rep", "manager", "personal", "cell", "mobile"}


def _choose(pair: _Pair, role: str, org: _Candidate | None, contact: _Candidate | None,
            header: str = "") -> _Candidate | None:
    """The candidate a column takes, given the sheet's role."""
    if role == pair.parent:
        return org
    if role == pair.child:
        if contact is None and org and org.target == pair.name and pair.link:
            return _Candidate(pair.link, org.score, org.method)
        return contact
    if role == "mixed":
        # a mobile, and why a person may be processed (consent, opt-out: POPIA's data subject),
        # are the person's on a row that names both
        personal = pair.person_side(contact) or (
            contact is not None and contact.target.split(".", 1)[1] in {"mobile", "whatsapp", *BASIS_FIELDS}
        )
        if contact and personal and (org is None or contact.score > org.score or
                                     (contact.score == org.score and org.target != pair.name)):
            return contact
        if contact and org and org.target != pair.name and set(words(header)) & PERSON_WORDS:
            return _Candidate(contact.target, org.score, org.method)
        if org:
            return org
        if contact and not (pair.link and contact.target == pair.link):
            return contact
    return None


def _resolve_conflicts(profile: Profile, columns: list[ColumnMapping]) -> None:
    """One source column per field, except phones, emails and websites."""
    best: dict[str, ColumnMapping] = {}
    for col in columns:
        if col.target is None:
            continue
        kind, name = col.target.split(".", 1)
        if profile.fields(kind)[name].kind in MULTI_KINDS:
            continue
        held = best.get(col.target)
        if held is None:
            best[col.target] = col
            continue
        loser = col if col.confidence <= held.confidence else held
        if loser is held:
            best[col.target] = col
        loser.target, loser.method = None, "unmapped"


def _best_pair(profile: Profile, sheet, fuzzy_min: float) -> tuple[_Pair, list, list]:
    """The entity pair whose synonyms the sheet's headers match best, with each header's candidates."""
    found = []
    for pair in _pairs(profile):
        org_index = _SynonymIndex(profile, pair.parent)
        org = [org_index.match(h, fuzzy_min) for h in sheet.columns]
        contact = [None] * len(sheet.columns)
        if pair.child:
            child_index = _SynonymIndex(profile, pair.child)
            contact = [child_index.match(h, fuzzy_min) for h in sheet.columns]
        named = any(o and o.target == pair.name for o in org) or any(pair.person_side(c) for c in contact)
        matched = sum(1 for o, c in zip(org, contact, strict=True) if o or c)
        found.append(((named, matched), pair, org, contact))
    _, pair, org, contact = max(found, key=lambda item: item[0]) if len(found) > 1 else found[0]
    return pair, org, contact


#: Sheet roles that never make records of their own.
NOT_RECORDS = ("side_table", "activity_log", "lookup", "ignore")
#: How sure the sheet classifier must be before its side table, log, lookup or ignore wins.
ROLE_CONFIDENCE = 0.6
_NAME_KINDS = ("org_name", "person_name", "persons", "first_name", "last_name")


def role_hints(profile: Profile) -> RoleHints:
    """What the profile's synonyms say about headers, for the sheet classifier."""
    found: dict[str, set[str]] = {"name": set(), "id": set(), "date": set(), "field": set()}
    for entity in profile.entities:
        for name, spec in profile.fields(entity).items():
            group = ("name" if spec.kind in _NAME_KINDS else "id" if spec.kind in ("id", "link")
                     else "date" if spec.kind == "date" else "field")
            found[group].update(fold_header(s) for s in [name.replace("_", " "), spec.label, *spec.synonyms]
                                if fold_header(s))
    found["id"] -= found["name"]  # "company name" names an organisation, though a contact's link says it too
    return RoleHints(frozenset(found["name"]), frozenset(found["id"]), frozenset(found["date"]),
                     frozenset(found["field"] - found["name"] - found["id"] - found["date"]))


def map_sheets(sheets, profile: Profile, saved: list[SheetMapping] | None = None) -> list[SheetMapping]:
    """Map every sheet of several files, each workbook's sheets classified together (a value used as
    a category on one sheet is evidence that a list elsewhere is a lookup)."""
    hints = role_hints(profile)
    by_file: dict[str, list[int]] = {}
    for i, sheet in enumerate(sheets):
        by_file.setdefault(sheet.file, []).append(i)
    detected: dict[int, SheetRole] = {}
    for positions in by_file.values():
        for i, found in zip(positions, classify_all([sheets[i] for i in positions], hints), strict=True):
            detected[i] = found
    return [map_sheet(sheet, profile, find_saved(saved, sheet.file, sheet.sheet) if saved else None, detected[i])
            for i, sheet in enumerate(sheets)]


def _role(pair: _Pair, sheet, org: list, contact: list, detected: SheetRole) -> tuple[str, str, float]:
    """(role, reason, confidence): the classifier's side table, log, lookup or ignore when it is sure,
    else the entity the columns name."""
    if detected.role in NOT_RECORDS and detected.confidence >= ROLE_CONFIDENCE:
        return detected.role, detected.reason, detected.confidence
    role = _detect_role(pair, sheet, org, contact)
    if role == "ignore":
        return role, "no column matches a name field of the profile's entities", 0.5
    matched = list(dict.fromkeys(c.target.split(".", 1)[1] for c in [*org, *contact] if c is not None))
    fields = ", ".join(matched[:6]) + (" ..." if len(matched) > 6 else "")
    if detected.role == "entity":
        return role, f"{detected.reason}; its columns match {fields}", max(detected.confidence, 0.6)
    return role, f"its columns match {role} fields: {fields}", 0.6


def map_sheet(sheet, profile: Profile, saved: SheetMapping | None = None,
              detected: SheetRole | None = None) -> SheetMapping:
    """Map every column of ``sheet`` (an ingest ``SourceSheet``) and decide its role.

    ``detected``: what the sheet classifier (:mod:`hotpass.roles`) made of it; classified alone
    when not given. A saved mapping's role wins, then the profile's ``sheet_roles``.
    """
    fuzzy_min = profile.mapping.fuzzy_min_score
    pair, org, contact = _best_pair(profile, sheet, fuzzy_min)
    detected = detected or classify(sheet, role_hints(profile))
    role, reason, confidence = _role(pair, sheet, org, contact, detected)
    key = date = None
    role_method = "detected"
    forced = profile.role_override(sheet.file, sheet.sheet)
    if forced:
        role, role_method, reason, confidence = forced, "profile", "the profile's sheet_roles say so", 1.0
    if saved is not None:
        role, role_method, reason, confidence = saved.role, "saved", saved.reason or "chosen before", 1.0
        key, date = saved.key, saved.date
    if role in ("side_table", "activity_log"):
        key = key if key in sheet.columns else detected.key
        date = date if date in sheet.columns else detected.date
    region_folds = {fold(n) for n in profile.region_aliases} | {
        fold(a) for aliases in profile.region_aliases.values() for a in aliases
    }
    columns = []
    for header, o, c in zip(sheet.columns, org, contact, strict=True):
        saved_cand = _saved_candidate(saved, header)
        cand = saved_cand or _choose(pair, role, o, c, header)
        if cand is None and role in profile.entities or cand is None and role == "mixed":
            sniffed = sniff(_column_values(sheet.frame, header), region_folds)
            if sniffed and sniffed[0] == "phone" and _is_identifier(header):
                sniffed = None  # "VAT No", "Account No": numbers that only look like phones
            cand = _content_candidate(profile, role if role in profile.entities else pair.parent, sniffed)
        elif cand is not None and saved_cand is None:
            cand = _regions_not_towns(profile, cand, sheet.frame, header, region_folds)
            cand = _not_honorifics(profile, cand, sheet.frame, header)
        columns.append(
            ColumnMapping(header, cand.target, cand.score, cand.method)
            if cand and role not in NOT_RECORDS else ColumnMapping(header, None, 0.0, "unmapped")
        )
    _resolve_conflicts(profile, columns)
    _names_beside_a_surname(profile, columns)
    return SheetMapping(sheet.file, sheet.sheet, role, role_method, columns, reason, key, date,
                        round(float(confidence), 2))


def _regions_not_towns(profile: Profile, cand: _Candidate, frame, header: str,
                       region_folds: set[str]) -> _Candidate:
    """A column whose header says town but whose values are nearly all region names ("Area":
    Gauteng, Western Cape ...) goes to the record's region field when it has one."""
    entity, name = cand.target.split(".", 1)
    if profile.fields(entity)[name].kind != "town" or not region_folds:
        return cand
    found = sniff(_column_values(frame, header), region_folds)
    region = next((f for f, spec in profile.fields(entity).items() if spec.kind == "region"), None)
    if found and found[0] == "region" and found[1] >= 0.8 and region:
        return _Candidate(f"{entity}.{region}", round(60 + 20 * found[1], 1), "content")
    return cand


def _names_beside_a_surname(profile: Profile, columns: list[ColumnMapping]) -> None:
    """A full-name column beside a surname column and no given-name column holds the given names
    (South African forms: "Full Names" and "Surname"): point it at the given name."""
    for entity in profile.entities:
        kinds = {name: spec.kind for name, spec in profile.fields(entity).items()}
        first = next((n for n, k in kinds.items() if k == "first_name"), None)
        mine = [c for c in columns if c.target and c.target.split(".", 1)[0] == entity]
        held = {kinds[c.target.split(".", 1)[1]] for c in mine}
        if first is None or "last_name" not in held or "first_name" in held:
            continue
        full = [c for c in mine if kinds[c.target.split(".", 1)[1]] in ("person_name", "persons")]
        if len(full) == 1:
            full[0].target = f"{entity}.{first}"


def _not_honorifics(profile: Profile, cand: _Candidate | None, frame, header: str) -> _Candidate | None:
    """No candidate for a role column whose values are mostly honorifics ("Title": Mr, Mrs, Dr):
    they say how to address a person, not what the person does."""
    if cand is None:
        return None
    entity, name = cand.target.split(".", 1)
    if profile.fields(entity)[name].kind != "role":
        return cand
    values = _column_values(frame, header)
    said = sum(fold(v).rstrip(".") in TITLES for v in values)
    return None if values and said >= 0.6 * len(values) else cand


def _saved_candidate(saved: SheetMapping | None, header: str) -> _Candidate | None:
    """The target a saved mapping gives a header, matching renamed headers fuzzily."""
    if saved is None:
        return None
    by_fold = {fold(c.source): c for c in saved.columns}
    hit = by_fold.get(fold(header))
    score = 100.0
    if hit is None and by_fold:
        best = process.extractOne(fold(header), list(by_fold), scorer=fuzz.ratio, score_cutoff=85)
        if best:
            hit, score = by_fold[best[0]], round(best[1], 1)
    if hit is None or hit.target is None:
        return None
    return _Candidate(hit.target, score, "saved")


def set_target(mapping: SheetMapping, source: str, target: str | None, profile: Profile) -> None:
    """Point one source column at ``target`` by hand (None keeps it as an extra column)."""
    if target is not None:
        kind, _, name = target.partition(".")
        if kind not in profile.entities or name not in profile.fields(kind):
            raise MappingError(f"sheet {mapping.sheet!r}: unknown field {target!r} for column {source!r}")
    for col in mapping.columns:
        if col.source == source:
            col.target, col.confidence = target, 100.0
            col.method = "manual" if target else "unmapped"
            return
    raise MappingError(f"sheet {mapping.sheet!r} of {mapping.file}: no column {source!r}")


# --- saving and re-applying -------------------------------------------------------------------


def save_mappings(mappings: list[SheetMapping], path: str | Path) -> Path:
    """Write mappings as JSON so next month's files can reuse them."""
    path = Path(path)
    data = {"version": 1, "sheets": [asdict(m) for m in mappings]}
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def load_mappings(path: str | Path) -> list[SheetMapping]:
    """Read mappings written by :func:`save_mappings`."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [
            SheetMapping(s["file"], s["sheet"], s["role"], s.get("role_method", "saved"),
                         [ColumnMapping(**c) for c in s["columns"]], s.get("reason", ""), s.get("key"),
                         s.get("date"), float(s.get("confidence", 1.0)))
            for s in data["sheets"]
        ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise MappingError(f"{path}: not a saved Hotpass mapping ({exc})") from None


def find_saved(saved: list[SheetMapping], file: str, sheet: str) -> SheetMapping | None:
    """The saved mapping for a sheet: same sheet name (file names change monthly), else closest."""
    same = [m for m in saved if m.sheet == sheet]
    if same:
        return next((m for m in same if m.file == file), same[0])
    names = [m.sheet for m in saved]
    best = process.extractOne(sheet, names, scorer=fuzz.ratio, score_cutoff=80) if names else None
    return saved[best[2]] if best else None
