"""Synthetic FEBRL-like people lists with realistic typos, and pairwise scores against their truth.

Each invented person has the FEBRL columns (:data:`COLUMNS`): a ``rec_id``, given
name, surname, street number, two address lines (the second often empty),
suburb, four-digit postcode, state, date of birth (``yyyymmdd``, sometimes
missing) and a seven-digit ID number, all lower case as in FEBRL. A duplicate is
a copy of its original with a few FEBRL-style modifications, anywhere: typos
(keyboard-neighbour substitutions, insertions, deletions, transpositions), OCR
confusions, phonetic respellings, nicknames, abbreviated street types, missing
values, swapped given name and surname, a mistyped postcode digit, swapped day
and month or one digit off in a date, transposed ID digits.

- :func:`dedupe_set`: one file in which originals have zero to five duplicates
  (FEBRL3-like: 2,000 originals and 3,000 duplicates in 5,000 records);
- :func:`link_set`: two files, the originals and one duplicate of each, shuffled
  (FEBRL4-like);
- :func:`write_people`: either set as CSV or xlsx files (every cell text).

The truth is a dict ``rec_id -> person`` (an int); ``rec_id`` also spells it,
FEBRL style: ``rec-12-org`` is person 12's original, ``rec-12-dup-0`` its first
duplicate. :func:`true_pairs` turns such a dict (or record -> predicted cluster)
into pairs, :func:`pairwise_f1` scores predicted pairs against true ones.

Nothing here is real personal data: names are drawn from lists of common given
names and surnames (plus invented ones), streets and suburbs are invented, and
postcodes are random codes in the Australian state ranges. The same seed gives
the same frames; only ``random.Random(seed)`` is used.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

__all__ = ["COLUMNS", "dedupe_set", "link_set", "write_people", "true_pairs", "pairwise_f1"]

COLUMNS = ["rec_id", "given_name", "surname", "street_number", "address_1", "address_2", "suburb",
           "postcode", "state", "date_of_birth", "soc_sec_id"]
FIELDS = COLUMNS[1:]

# --- vocabulary (invented or generic; fixed, whatever the seed) -------------------------------------

_MALE = """james john robert michael william david richard joseph thomas charles christopher daniel
matthew anthony mark donald steven paul andrew joshua kenneth kevin brian george timothy ronald edward
jason jeffrey ryan jacob gary nicholas eric jonathan stephen larry justin scott brandon benjamin samuel
gregory alexander frank patrick raymond jack dennis jerry tyler aaron adam nathan henry douglas zachary
peter kyle noah ethan jeremy walter christian keith roger terry austin sean gerald carl harold dylan
arthur lawrence jordan jesse bryan bruce gabriel logan alan albert elijah wayne vincent mason roy ralph
russell bradley philip eugene liam lachlan oliver jayden cooper riley hamish angus callum declan fergus
mitchell blake connor darcy flynn harrison isaac jarrah kane lincoln marcus nigel oscar quentin rhys"""
_FEMALE = """mary patricia jennifer linda elizabeth barbara susan jessica sarah karen lisa nancy betty
sandra margaret ashley kimberley emily donna michelle carol amanda melissa deborah stephanie dorothy
rebecca sharon laura cynthia amy kathleen angela shirley brenda emma anna pamela nicole samantha
katherine christine helen debra rachel carolyn janet maria catherine heather diane olivia julie joyce
victoria ruth virginia lauren kelly christina joan evelyn judith andrea hannah megan cheryl jacqueline
martha madison teresa gloria sara janice ann kathryn abigail sophia frances jean alice judy isabella
julia grace amber denise danielle marilyn beverley charlotte natalie theresa diana brittany doris
kayla alexis lori marie chloe ella ruby mia zoe georgia jasmine tahlia bronte kirra matilda imogen
josephine leah naomi paige rosie skye tegan willow yvonne"""
_SURNAMES = """smith jones williams brown wilson taylor johnson white martin anderson thompson nguyen
thomas walker harris lee ryan robinson kelly king davis wright evans roberts green hall wood jackson
clarke patel khan lewis james phillips mitchell campbell young allen scott edwards baker murphy turner
cooper hill morris collins bell ward stewart cook murray watson morgan hughes richardson graham
clark moore tran chen wang li zhang liu pham le russo rossi ferrari esposito bianchi romano colombo
papadopoulos nikolaidis georgiou kennedy sullivan mcdonald reid ross hunter fraser hamilton gray
simpson marshall ellis harrison gibson wells grant stevens walsh dixon hart palmer mason chapman
webb rogers fox lane barker holmes butler jenkins burns duncan mills knight elliott pearce shaw
murdoch lawson fisher hayes cole bennett price rose black spencer douglas wallace ferguson crawford
o'brien o'connor o'neill mccarthy fitzgerald doyle quinn brennan byrne gallagher mckenzie macleod
singh sharma kaur ahmed ali hussain kim park choi nakamura sato tanaka schmidt muller weber becker
novak kowalski horvat jovanovic petrovic silva santos costa pereira lopez garcia martinez rodriguez"""
_SURNAME_HEADS = """ash brad carr dun fair gold hart kings lang mor pen ros strat wal whit ald brom craw
bam cal den ever fen gar hal kel mar nor ost rad sel tam ver wen"""
_SURNAME_TAILS = "ley ford ton well wood by field more sworth ham don ridge ington stone man"

_NICKNAMES = """william bill will billy liam|robert bob rob bobby robbie|richard dick rick rich ricky
james jim jimmy jamie|john jack johnny jon|margaret maggie peggy meg|elizabeth liz beth betty lizzie
katherine kate kathy katie catherine kathryn|jennifer jenny jen|michael mike mick mickey
christopher chris kit|matthew matt|daniel dan danny|anthony tony|joseph joe joey|thomas tom tommy
edward ed ted eddie ned|benjamin ben benny|samuel sam sammy|alexander alex sandy xander
nicholas nick nicky|patricia pat patty trish tricia|susan sue susie suzy|deborah deb debbie debra
rebecca becky bec|jessica jess jessie|victoria vicki vicky tori|stephanie steph|andrew andy drew
david dave davey|peter pete|stephen steve steven stevie|timothy tim timmy|gregory greg
charles charlie chuck chas|frederick fred freddie|josephine jo josie|abigail abby abbie
samantha sam sammie|kimberley kim kimberly|natalie nat|zachary zac zach|lachlan lachie|sarah sara
rachel rachael|ann anne annie anna|alan allan allen al|brian bryan|philip phillip phil
christine chris christina tina|angela angie|pamela pam|jacqueline jackie|cynthia cindy
kenneth ken kenny|donald don donny|raymond ray|lawrence larry laurie|gerald gerry|harold harry hal
douglas doug|terry terence|beverley bev beverly|judith judy|carolyn carol caroline|dorothy dot dottie"""

_PHONETIC = [("ph", "f"), ("f", "ph"), ("ck", "k"), ("c", "k"), ("k", "c"), ("ee", "ea"), ("ea", "ee"),
             ("ie", "y"), ("y", "ie"), ("ai", "ay"), ("ay", "ai"), ("ou", "ow"), ("th", "t"), ("wh", "w"),
             ("kn", "n"), ("gh", ""), ("our", "or"), ("s", "z"), ("z", "s"), ("ll", "l"), ("tt", "t"),
             ("nn", "n"), ("son", "sen"), ("ey", "y"), ("i", "y"), ("ah", "a"), ("mm", "m"), ("x", "ks"),
             ("qu", "kw"), ("ei", "ie"), ("ie", "ei"), ("er", "a"), ("en", "an"), ("an", "en")]
_OCR = [("0", "o"), ("o", "0"), ("1", "l"), ("l", "1"), ("5", "s"), ("s", "5"), ("8", "b"), ("b", "8"),
        ("m", "rn"), ("rn", "m"), ("cl", "d"), ("d", "cl"), ("h", "b"), ("e", "c"), ("c", "e"),
        ("g", "q"), ("i", "l"), ("u", "v"), ("v", "u"), ("n", "m"), ("w", "vv"), ("a", "o")]
_OCR_DIGITS = {"1": "7", "7": "1", "3": "8", "8": "3", "5": "6", "6": "5", "0": "8", "9": "4", "4": "9",
               "2": "7"}
_KEYBOARD = ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"]

_STREET_WORDS = """wattle banksia acacia kurrajong jacaranda bottlebrush grevillea waratah boronia myrtle
ironbark stringybark river ocean beach bay harbour hill ridge valley park forest lake spring mill church
school station railway bridge market high main queen king victoria albert george elizabeth william
edward princes regent prince duke york kent sussex norfolk cambridge oxford hampton windsor richmond
clarence darling murray hunter macquarie flinders hume stuart cook banks phillip bligh hargrave
wentworth blaxland sturt mitchell eyre leichhardt kennedy forrest oxley parkes barton deakin chifley
pacific western northern southern mountain hillside fairview glenview bayview seaview lakeview
bellbird kookaburra lyrebird magpie rosella currawong heron pelican osprey egret wren finch swallow
cedar pine oak elm maple willow laurel hawthorn juniper olive orchard meadow paddock quarry tannery"""
_STREET_TYPES = {"street": 40, "road": 20, "avenue": 10, "place": 6, "crescent": 5, "drive": 5,
                 "court": 4, "close": 3, "parade": 2, "lane": 2, "circuit": 2, "way": 1, "terrace": 1,
                 "grove": 1}
_ABBREVIATIONS = {"street": "st", "road": "rd", "avenue": "ave", "place": "pl", "crescent": "cres",
                  "drive": "dr", "court": "ct", "close": "cl", "parade": "pde", "lane": "ln",
                  "circuit": "cct", "terrace": "tce", "grove": "gr", "way": "wy"}
_ADDRESS_2 = ["unit {n}", "flat {n}", "apartment {n}", "{w} village", "{w} park", "{w} gardens",
              "{w} house", "{w} lodge", "{w} estate", "rmb {n}{n}", "{w} court", "{w}"]
_SUBURB_HEADS = """kings ash oak elm pine glen spring river brook green red black white silver gold rose
fern maple willow cedar bell clear fair hazel high long mount north south east west new old stony sandy
mill lake bay wattle bush bridge ever wood hamp carl dal ken mel nor wal"""
_SUBURB_TAILS = ["ville", "dale", "field", "wood", "vale", "ford", "bury", "ton", "hurst", "view",
                 "leigh", "more", "wick", "stead", "worth", "grove", " park", " heights", " hills",
                 " creek", " point", " beach", " downs", " flat", " gully", " ridge", " junction",
                 " plains", " vale", " east", " west", " north", " south"]
#: state -> (share of people, postcode ranges)
_STATES = {"nsw": (32, [(2000, 2599), (2619, 2899)]), "vic": (26, [(3000, 3999)]),
           "qld": (20, [(4000, 4999)]), "wa": (10, [(6000, 6797)]), "sa": (7, [(5000, 5799)]),
           "tas": (2, [(7000, 7799)]), "act": (2, [(2600, 2618), (2900, 2920)]),
           "nt": (1, [(800, 899)])}
_VOCAB_SEED = 20240601


@dataclass(frozen=True)
class _Pool:
    """Values with cumulative weights, for ``rng.choices``."""

    values: list
    cum: list[float]

    @classmethod
    def zipf(cls, values: list, exponent: float = 1.0, offset: float = 3.0) -> _Pool:
        """Earlier values more frequent: weight 1 / (rank + offset) ** exponent."""
        weights = [1 / (rank + offset) ** exponent for rank in range(len(values))]
        return cls(list(values), list(itertools.accumulate(weights)))

    def draw(self, rng: random.Random):
        return rng.choices(self.values, cum_weights=self.cum)[0]


@dataclass(frozen=True)
class _Vocab:
    given: _Pool
    surname: _Pool
    street: _Pool
    street_type: _Pool
    suburb: _Pool  # (suburb, postcode, state)
    nicknames: dict[str, list[str]]


@cache
def _vocab() -> _Vocab:
    """The fixed vocabulary: common names first (frequent), invented ones after (the rare tail)."""
    rng = random.Random(_VOCAB_SEED)
    given = [name for pair in itertools.zip_longest(_MALE.split(), _FEMALE.split()) for name in pair if name]
    invented = [h + t for h in _SURNAME_HEADS.split() for t in _SURNAME_TAILS.split()]
    surnames = _SURNAMES.split() + rng.sample(invented, len(invented))
    nicknames: dict[str, list[str]] = {}
    for group in _NICKNAMES.replace("\n", "|").split("|"):
        names = group.split()
        for name in names:
            nicknames.setdefault(name, []).extend(n for n in names if n != name)
    return _Vocab(
        _Pool.zipf(given, 0.9), _Pool.zipf(surnames, 1.0), _Pool.zipf(_STREET_WORDS.split(), 0.6),
        _Pool(list(_STREET_TYPES), list(itertools.accumulate(_STREET_TYPES.values()))),
        _Pool.zipf(_suburbs(rng), 0.7), nicknames)


def _suburbs(rng: random.Random, count: int = 420) -> list[tuple[str, str, str]]:
    """Invented suburbs with a state and a postcode in its range (a quarter share a postcode)."""
    names = [h + t for h in _SUBURB_HEADS.split() for t in _SUBURB_TAILS if h != t.strip()]
    states = list(_STATES)
    weights = list(itertools.accumulate(share for share, _ in _STATES.values()))
    used: dict[str, list[str]] = defaultdict(list)
    out = []
    for name in rng.sample(names, count):
        state = rng.choices(states, cum_weights=weights)[0]
        if used[state] and rng.random() < 0.25:
            postcode = rng.choice(used[state])
        else:
            low, high = rng.choice(_STATES[state][1])
            postcode = f"{rng.randint(low, high):04d}"
            used[state].append(postcode)
        out.append((name, postcode, state))
    return out


# --- originals ---------------------------------------------------------------------------------------

#: share of originals missing each value (address_2 is mostly empty)
_MISSING = {"given_name": 0.02, "surname": 0.01, "street_number": 0.03, "address_1": 0.02,
            "address_2": 0.6, "suburb": 0.01, "postcode": 0.01, "state": 0.01, "date_of_birth": 0.03}
_BORN = (dt.date(1920, 1, 1), dt.date(2005, 12, 31))


def _person(rng: random.Random, ssid: int) -> dict[str, str | None]:
    """One invented person (without rec_id)."""
    v = _vocab()
    suburb, postcode, state = v.suburb.draw(rng)
    born = _BORN[0] + dt.timedelta(days=rng.randrange((_BORN[1] - _BORN[0]).days + 1))
    number = rng.choice([rng.randint(1, 40), rng.randint(1, 40), rng.randint(1, 200), rng.randint(1, 999)])
    person = {
        "given_name": v.given.draw(rng), "surname": v.surname.draw(rng), "street_number": str(number),
        "address_1": f"{v.street.draw(rng)} {v.street_type.draw(rng)}",
        "address_2": rng.choice(_ADDRESS_2).format(n=rng.randint(1, 60), w=v.street.draw(rng)),
        "suburb": suburb, "postcode": postcode, "state": state,
        "date_of_birth": born.strftime("%Y%m%d"), "soc_sec_id": str(ssid),
    }
    return {k: None if rng.random() < _MISSING.get(k, 0.0) else value for k, value in person.items()}


def _originals(rng: random.Random, count: int) -> list[dict[str, str | None]]:
    ids = rng.sample(range(1_000_000, 10_000_000), count)  # unique seven-digit ID numbers
    return [_person(rng, ssid) for ssid in ids]


# --- corruption ---------------------------------------------------------------------------------------

def _neighbours() -> dict[str, str]:
    """Keys next to each key on a QWERTY keyboard (same row and the rows above and below)."""
    out: dict[str, str] = defaultdict(str)
    for r, row in enumerate(_KEYBOARD):
        for c, key in enumerate(row):
            for rr in (r - 1, r, r + 1):
                if 0 <= rr < len(_KEYBOARD):
                    near = _KEYBOARD[rr][max(0, c - 1):c + 2] if rr != r else row[max(0, c - 1):c + 2]
                    out[key] += "".join(k for k in near if k != key and k.isalpha() == key.isalpha())
    return dict(out)


_NEAR = _neighbours()


def _position(rng: random.Random, text: str) -> int:
    """Where a typo falls: rarely the first character (people get that one right)."""
    spots = [i for i, ch in enumerate(text) if ch != " "]
    later = spots[1:] if len(spots) > 1 and rng.random() < 0.8 else spots
    return rng.choice(later)


def _typo(rng: random.Random, text: str) -> str:
    """One keyboard slip: substitute a neighbouring key, insert, delete or swap two characters."""
    i = _position(rng, text)
    kind = rng.choices(["sub", "ins", "del", "swap"], [0.4, 0.2, 0.2, 0.2])[0]
    if kind == "swap" and i + 1 < len(text) and text[i] != text[i + 1] and text[i + 1] != " ":
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    if kind == "del" and len(text.replace(" ", "")) > 2:
        return text[:i] + text[i + 1:]
    near = _NEAR.get(text[i]) or text[i]
    if kind == "ins":
        return text[:i] + rng.choice(near) + text[i:]
    return text[:i] + rng.choice(near) + text[i + 1:]


def _replace(rng: random.Random, text: str, rules) -> str | None:
    """Apply one applicable (old, new) rule at one of its places; None when none applies."""
    usable = [(old, new) for old, new in rules if old in text]
    if not usable:
        return None
    old, new = rng.choice(usable)
    places = [i for i in range(len(text)) if text.startswith(old, i)]
    i = rng.choice(places)
    return text[:i] + new + text[i + len(old):]


def _text(rng: random.Random, text: str, weights: dict[str, float]) -> str | None:
    """One modification of a name or address value, its kind drawn from ``weights``."""
    kind = rng.choices(list(weights), list(weights.values()))[0]
    if kind == "missing":
        return None
    if kind == "nickname" and _vocab().nicknames.get(text):
        return rng.choice(_vocab().nicknames[text])
    if kind == "abbreviate":
        words = text.split()
        if words and words[-1] in _ABBREVIATIONS:
            return " ".join(words[:-1] + [_ABBREVIATIONS[words[-1]]])
    if kind == "ocr":
        return _replace(rng, text, _OCR) or _typo(rng, text)
    if kind in ("phonetic", "nickname"):
        return _replace(rng, text, _PHONETIC) or _typo(rng, text)
    return _typo(rng, text)


def _digits(rng: random.Random, text: str, weights: dict[str, float]) -> str | None:
    """One modification of a number: a neighbouring digit, an OCR misread, a swap, one too many or few."""
    kind = rng.choices(list(weights), list(weights.values()))[0]
    i = rng.randrange(len(text))
    if kind == "missing":
        return None
    if kind == "swap" and len(text) > 1:
        i = min(i, len(text) - 2)
        return text[:i] + text[i + 1] + text[i] + text[i + 2:] if text[i] != text[i + 1] else text[::-1]
    if kind == "insdel" and len(text) > 1:
        if rng.random() < 0.5:
            return text[:i] + text[i + 1:]
        return text[:i] + rng.choice(_NEAR.get(text[i], "0123456789")) + text[i:]
    if kind == "ocr" and text[i] in _OCR_DIGITS:
        return text[:i] + _OCR_DIGITS[text[i]] + text[i + 1:]
    return text[:i] + rng.choice(_NEAR.get(text[i], "0123456789")) + text[i + 1:]


def _date(rng: random.Random, text: str) -> str | None:
    """A date of birth misrecorded: missing, day and month swapped, one digit off, two digits swapped."""
    kind = rng.choices(["missing", "daymonth", "digit", "swap"], [0.2, 0.25, 0.4, 0.15])[0]
    if kind == "missing":
        return None
    if kind == "daymonth" and text[4:6] != text[6:8] and int(text[6:8]) <= 12:
        return text[:4] + text[6:8] + text[4:6]
    if kind == "swap":
        return _digits(rng, text, {"swap": 1})
    i = rng.choice([2, 3, 3, 5, 6, 7, 7])  # decade, year, month, day digits
    digit = int(text[i])
    step = rng.choice([-1, 1]) if 0 < digit < 9 else (1 if digit == 0 else -1)
    return text[:i] + str(digit + step) + text[i + 1:]


_NAME = {"typo": 0.45, "ocr": 0.08, "phonetic": 0.17, "nickname": 0.15, "missing": 0.15}
_SURNAME = {"typo": 0.55, "ocr": 0.1, "phonetic": 0.25, "missing": 0.1}
_STREET = {"typo": 0.55, "ocr": 0.08, "phonetic": 0.1, "abbreviate": 0.15, "missing": 0.12}
_PLACE = {"typo": 0.6, "ocr": 0.1, "phonetic": 0.15, "missing": 0.15}
_LINE_2 = {"typo": 0.5, "ocr": 0.1, "phonetic": 0.1, "missing": 0.3}
_CORRUPT = {
    "given_name": lambda rng, s: _text(rng, s, _NAME),
    "surname": lambda rng, s: _text(rng, s, _SURNAME),
    "street_number": lambda rng, s: _digits(rng, s, {"sub": 0.45, "swap": 0.15, "insdel": 0.15, "missing": 0.25}),
    "address_1": lambda rng, s: _text(rng, s, _STREET),
    "address_2": lambda rng, s: _text(rng, s, _LINE_2),
    "suburb": lambda rng, s: _text(rng, s, _PLACE),
    "postcode": lambda rng, s: _digits(rng, s, {"sub": 0.5, "ocr": 0.1, "swap": 0.25, "missing": 0.15}),
    "state": lambda rng, s: None if rng.random() < 0.4 else rng.choice([t for t in _STATES if t != s]),
    "date_of_birth": _date,
    "soc_sec_id": lambda rng, s: _digits(rng, s, {"sub": 0.45, "ocr": 0.1, "swap": 0.3, "insdel": 0.1,
                                                  "missing": 0.05}),
}
#: how often a modification hits each field ("names": given name and surname swapped)
_FIELD_WEIGHTS = {"given_name": 0.17, "surname": 0.15, "street_number": 0.08, "address_1": 0.1,
                  "address_2": 0.06, "suburb": 0.1, "postcode": 0.08, "state": 0.04, "date_of_birth": 0.09,
                  "soc_sec_id": 0.09, "names": 0.015}


@dataclass(frozen=True)
class _Corruption:
    """How hard duplicates are: the odds of 1, 2, ... modifications, and at most how many per field."""

    modifications: tuple[float, ...]
    per_field: int


DEDUPE = _Corruption((0.3, 0.3, 0.2, 0.12, 0.08), per_field=2)  # FEBRL3: up to 5 a record, 2 a field
LINK = _Corruption((0.4, 0.35, 0.25), per_field=1)  # FEBRL4: up to 3 a record, 1 a field


def _duplicate(rng: random.Random, original: dict, how: _Corruption) -> dict:
    """A copy of ``original`` with 1 to ``len(how.modifications)`` modifications, each one changing it."""
    while True:  # two modifications of one field can cancel out: a duplicate always differs
        dup = _modified(rng, original, how)
        if dup != original:
            return dup


def _modified(rng: random.Random, original: dict, how: _Corruption) -> dict:
    wanted = rng.choices(range(1, len(how.modifications) + 1), how.modifications)[0]
    fields, weights = list(_FIELD_WEIGHTS), list(_FIELD_WEIGHTS.values())
    dup, hits = dict(original), defaultdict(int)
    for _ in range(50 * wanted):
        if sum(hits.values()) >= wanted:
            break
        field = rng.choices(fields, weights)[0]
        if hits[field] >= how.per_field:
            continue
        if field == "names":
            if dup["given_name"] and dup["surname"] and dup["given_name"] != dup["surname"]:
                dup["given_name"], dup["surname"] = dup["surname"], dup["given_name"]
                hits[field] += 1
            continue
        if dup[field] is None:
            continue
        new = _CORRUPT[field](rng, dup[field]) or None
        if new != dup[field]:
            dup[field] = new
            hits[field] += 1
    return dup


# --- public API ----------------------------------------------------------------------------------------

def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS, dtype=object)


def dedupe_set(n: int = 5000, seed: int = 7, originals_share: float = 0.4) -> tuple[pd.DataFrame, dict[str, int]]:
    """One file of ``n`` people records with duplicates inside it (FEBRL3-like), and its truth.

    ``originals_share`` of the rows are originals (default 0.4: 2,000 of 5,000, as in
    FEBRL3); the rest are duplicates, up to five of one original (Zipf-like: most
    originals have one, a few have five; some have none), each with one to five
    modifications (at most two in one field). Rows are shuffled. Returns the frame
    (:data:`COLUMNS`, missing values as None) and ``rec_id -> person``.
    """
    rng = random.Random(seed)
    originals = _originals(rng, max(1, min(n, round(n * originals_share))))
    rows = []
    for person, count in enumerate(_duplicate_counts(rng, len(originals), n - len(originals))):
        rows.append({"rec_id": f"rec-{person}-org", **originals[person]})
        rows += [{"rec_id": f"rec-{person}-dup-{j}", **_duplicate(rng, originals[person], DEDUPE)}
                 for j in range(count)]
    rng.shuffle(rows)
    truth = {row["rec_id"]: int(row["rec_id"].split("-")[1]) for row in rows}
    return _frame(rows), truth


def _duplicate_counts(rng: random.Random, originals: int, duplicates: int) -> list[int]:
    """How many duplicates each original gets: 1-5 (weights 1/k^2) in a random order until they run out."""
    counts = [0] * originals
    order = rng.sample(range(originals), originals)
    left = duplicates
    for k in order:
        if left <= 0:
            break
        counts[k] = min(left, rng.choices([1, 2, 3, 4, 5], [1, 1 / 4, 1 / 9, 1 / 16, 1 / 25])[0])
        left -= counts[k]
    for k in itertools.islice(itertools.cycle(order), max(0, left)):  # too few originals for the rest
        counts[k] += 1
    return counts


def link_set(n: int = 5000, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """Two files to link (FEBRL4-like): ``n`` originals, and one duplicate of each, and their truth.

    File A holds ``rec-<k>-org``, file B ``rec-<k>-dup-0`` with one to three
    modifications (at most one a field); both are shuffled. Returns A, B and
    ``rec_id -> person`` for the records of both files.
    """
    rng = random.Random(seed)
    originals = _originals(rng, n)
    a = [{"rec_id": f"rec-{k}-org", **person} for k, person in enumerate(originals)]
    b = [{"rec_id": f"rec-{k}-dup-0", **_duplicate(rng, person, LINK)} for k, person in enumerate(originals)]
    rng.shuffle(a)
    rng.shuffle(b)
    truth = {row["rec_id"]: int(row["rec_id"].split("-")[1]) for row in a + b}
    return _frame(a), _frame(b), truth


def write_people(directory: str | Path, kind: str = "dedupe", n: int = 5000, seed: int = 7,
                 fmt: str = "csv") -> list[Path]:
    """Write a dedupe set (``people.<fmt>``) or a link set (``people_a.<fmt>``, ``people_b.<fmt>``).

    ``fmt`` is ``csv`` (UTF-8, header row, missing values empty) or ``xlsx`` (sheet
    "People", header row 1, every cell text so postcodes keep their leading zero).
    """
    if kind not in ("dedupe", "link") or fmt not in ("csv", "xlsx"):
        raise ValueError(f"kind must be dedupe or link and fmt csv or xlsx, not {kind!r} and {fmt!r}")
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    if kind == "dedupe":
        frames = {"people": dedupe_set(n, seed)[0]}
    else:
        a, b, _ = link_set(n, seed)
        frames = {"people_a": a, "people_b": b}
    paths = []
    for name, frame in frames.items():
        path = out / f"{name}.{fmt}"
        _write_xlsx(frame, path) if fmt == "xlsx" else frame.to_csv(path, index=False, na_rep="")
        paths.append(path)
    return paths


def _write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("People")
    sheet.append(list(frame.columns))
    for values in frame.itertuples(index=False):
        row = []
        for value in values:
            cell = WriteOnlyCell(sheet, value="" if value is None else str(value))
            cell.number_format = "@"
            row.append(cell)
        sheet.append(row)
    book.save(path)


def true_pairs(ids: Mapping[Hashable, Hashable] | Iterable[tuple[Hashable, Hashable]]) -> set[tuple]:
    """Every pair of records that share a group, each pair sorted: ``ids`` maps a record (e.g. its
    rec_id) to its group (the true person, or a predicted cluster); None groups nothing."""
    members: dict[Hashable, list] = defaultdict(list)
    for record, group in (ids.items() if isinstance(ids, Mapping) else ids):
        if group is not None and group == group:  # not None nor NaN
            members[group].append(record)
    return {pair for group in members.values() for pair in itertools.combinations(sorted(group), 2)}


def pairwise_f1(predicted_pairs: Iterable[tuple], true_pairs: Iterable[tuple]) -> dict[str, float]:
    """Precision, recall and F1 of ``predicted_pairs`` against ``true_pairs`` (order inside a pair
    does not matter), with the counts of true positives, false positives and false negatives."""
    found = {tuple(sorted(p)) for p in predicted_pairs}
    truth = {tuple(sorted(p)) for p in true_pairs}
    hits = len(found & truth)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "true_positives": hits,
            "false_positives": len(found) - hits, "false_negatives": len(truth) - hits}
