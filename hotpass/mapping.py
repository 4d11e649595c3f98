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
from hotpass.profile import Profile
from hotpass.text import fold, is_missing, words

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
    role: str  # organisation | contact | mixed | ignore
    role_method: str  # detected | profile | saved | manual
    columns: list[ColumnMapping] = field(default_factory=list)

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

    def match(self, header: str, fuzzy_min: float) -> _Candidate | None:
        folded = fold(header)
        if not folded:
            return None
        if folded in self.by_fold:
            return _Candidate(f"{self.kind}.{self.by_fold[folded]}", 100.0, "synonym")
        best = process.extractOne(folded, self.choices, scorer=fuzz.ratio, score_cutoff=fuzzy_min)
        if best and len(folded) >= 4:
            return _Candidate(f"{self.kind}.{self.by_fold[best[0]]}", round(best[1] * 0.97, 1), "fuzzy")
        return self._word_match(header)

    def _word_match(self, header: str) -> _Candidate | None:
        """A synonym that appears word for word inside a longer header ("Main Phone No")."""
        header_words = words(header)
        best: tuple[int, str] | None = None
        for syn_words, name in self.by_words:
            n = len(syn_words)
            if not n or n >= len(header_words) or len("".join(syn_words)) < 3:
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


def _sniff(values: list[str], region_folds: set[str]) -> tuple[str, float] | None:
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


def _person_side(profile: Profile, cand: _Candidate | None) -> bool:
    if cand is None:
        return False
    name = cand.target.split(".", 1)[1]
    spec = profile.contact_fields[name]
    return spec.kind in PERSON_KINDS


def _detect_role(profile: Profile, sheet, org: list, contact: list) -> str:
    """Decide a sheet's role from what its columns matched (and, when unsure, their values).

    A sheet naming organisations and people is *mixed* (an organisation per row
    with its people) unless it reads as a list of people: the people have
    structured name or role columns, or the organisation names repeat row after
    row, and nothing but the name describes the organisation.
    """
    person_fields = {c.target.split(".", 1)[1] for o, c in zip(org, contact)
                     if _person_side(profile, c) and (o is None or c.score >= o.score)}
    org_only = {"website", "domain", "region", "town", "category", "type", "status", "address",
                "trading_as", "legal_suffix", "description", "priority", "lawful_basis", "country"}
    names = [(h, o) for h, o, c in zip(sheet.columns, org, contact)
             if o and o.target == f"{ORG}.name" and not (_person_side(profile, c) and c.score > o.score)]
    org_detail = any(o and o.target.split(".", 1)[1] in org_only for o in org)
    if person_fields and names:
        if org_detail:
            return "mixed"
        structured = bool(person_fields & {"first_name", "last_name", "role"})
        return CONTACT if structured or _names_repeat(sheet.frame[names[0][0]]) else "mixed"
    if person_fields:
        return CONTACT
    if names:
        return ORG
    return "ignore"


def _names_repeat(column) -> bool:
    """True when most organisation names appear on several rows (a list of people)."""
    values = [fold(v) for v in column.tolist() if not is_missing(v)]
    return len(values) >= 8 and len(set(values)) / len(values) < 0.75


def _choose(profile: Profile, role: str, org: _Candidate | None, contact: _Candidate | None) -> _Candidate | None:
    """The candidate a column takes, given the sheet's role."""
    if role == ORG:
        return org
    if role == CONTACT:
        if contact is None and org and org.target == f"{ORG}.name":
            return _Candidate(f"{CONTACT}.{profile.link_field()}", org.score, org.method)
        return contact
    if role == "mixed":
        personal = _person_side(profile, contact) or (
            contact is not None and contact.target.split(".", 1)[1] in {"mobile", "whatsapp"}
        )
        if contact and personal and (org is None or contact.score > org.score or
                                     (contact.score == org.score and org.target != f"{ORG}.name")):
            return contact
        if org:
            return org
        if contact and not contact.target.endswith(".organisation_link"):
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


def map_sheet(sheet, profile: Profile, saved: SheetMapping | None = None) -> SheetMapping:
    """Map every column of ``sheet`` (an ingest ``SourceSheet``) and decide its role."""
    indexes = {kind: _SynonymIndex(profile, kind) for kind in (ORG, CONTACT)}
    fuzzy_min = profile.mapping.fuzzy_min_score
    org = [indexes[ORG].match(h, fuzzy_min) for h in sheet.columns]
    contact = [indexes[CONTACT].match(h, fuzzy_min) for h in sheet.columns]
    role = _detect_role(profile, sheet, org, contact)
    role_method = "detected"
    forced = profile.role_override(sheet.file, sheet.sheet)
    if forced:
        role, role_method = forced, "profile"
    if saved is not None:
        role, role_method = saved.role, "saved"
    region_folds = {fold(n) for n in profile.region_aliases} | {
        fold(a) for aliases in profile.region_aliases.values() for a in aliases
    }
    columns = []
    for header, o, c in zip(sheet.columns, org, contact):
        cand = _saved_candidate(saved, header) or _choose(profile, role, o, c)
        if cand is None and role != "ignore":
            sniffed = _sniff(_column_values(sheet.frame, header), region_folds)
            kind = CONTACT if role == CONTACT else ORG
            cand = _content_candidate(profile, kind, sniffed)
        columns.append(
            ColumnMapping(header, cand.target, cand.score, cand.method)
            if cand and role != "ignore" else ColumnMapping(header, None, 0.0, "unmapped")
        )
    _resolve_conflicts(profile, columns)
    return SheetMapping(sheet.file, sheet.sheet, role, role_method, columns)


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
        if kind not in (ORG, CONTACT) or name not in profile.fields(kind):
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
                         [ColumnMapping(**c) for c in s["columns"]])
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
