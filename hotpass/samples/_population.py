"""The true population: organisations, their people, and which rows show whom.

Everything here is the *truth*; the sheet writers only ever show corrupted
views of it. Numeric attributes live in numpy arrays; strings in plain lists.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from hotpass.samples import _vocab as v
from hotpass.samples._allocate import RowPlan, Views, allocate
from hotpass.samples._names import make_names
from hotpass.samples._people import People, make_people

HARD_SHARE = 0.07  # views of duplicated organisations that keep little shared evidence
SUFFIX_WEIGHTS = {  # canonical suffilambda x: weight, companies / clubs
    "company": {"(Pty) Ltd": 68, "CC": 14, "": 12, "Ltd": 3, "NPC": 3},
    "club": {"NPC": 30, "": 62, "NPO": 8},
}
CATEGORY_WEIGHTS = np.array([0.20, 0.08, 0.27, 0.25, 0.20])
LEGACY_PEOPLE_WEIGHTS = np.array([0.12, 0.50, 0.28, 0.10])  # 0..3 people in a legacy row


@dataclass
class Population:
    """Organisations (indexed 0..n-1), people, and the rows that show them."""

    views: Views
    category: np.ndarray
    core: list[str]
    tail: list[str]
    name: list[str]
    suffix: list[str]
    town: np.ndarray
    phone: np.ndarray  # national significant number (9 digits) of the main line
    phone2: np.ndarray  # a second line, 0 when there is none
    domain: list[str]  # own registrable domain, "" when the organisation has none
    facebook_site: np.ndarray  # without a domain, a Facebook page serves as the website
    email: list[str]
    people: People
    legacy_offset: np.ndarray  # per legacy row: first staff member listed
    legacy_people: np.ndarray  # per legacy row: how many staff members are listed
    hard: list[np.ndarray]  # per organisation-bearing sheet: rows with little shared evidence
    duplicated: np.ndarray  # organisation shown by more than one row

    @property
    def n_orgs(self) -> int:
        return self.views.n_orgs

    def region(self, org: int) -> str:
        return v.TOWNS[self.town[org]][1]

    def facebook(self, org: int) -> str:
        """The page name of the organisation's Facebook page ("SkywayAviationAcademy")."""
        return "".join(
            w.capitalize() for w in re.findall(r"[A-Za-z0-9]+", self.name[org].replace("&", "and"))
        )

    def website(self, org: int) -> str:
        """Canonical website: ``https://domain``, else the Facebook page, else ""."""
        if self.domain[org]:
            return f"https://{self.domain[org]}"
        return f"https://www.facebook.com/{self.facebook(org)}" if self.facebook_site[org] else ""


def build_population(rng: np.random.Generator, plan: RowPlan, duplicate_rate: float) -> Population:
    """Draw the true organisations and people behind ``plan``."""
    views = allocate(rng, plan, duplicate_rate)
    n = views.n_orgs
    on_register = np.bincount(views.regulator, minlength=n) > 0
    category = _categories(rng, on_register)
    cores, tails = make_names(rng, category)
    names = [f"{c} {t}" for c, t in zip(cores, tails, strict=True)]
    club = category == v.CLUB
    town = _towns(rng, cores)
    offset, listed = _legacy_people(rng, len(views.legacy))
    staff = _staff_sizes(n, views, offset, listed)
    mobile_main = rng.random(n) < np.where(club, 0.30, 0.08)
    people = make_people(rng, category, on_register, staff, mobile_main)
    people.mark_shown(views, offset, listed)
    phone, phone2 = _phones(rng, town, mobile_main, people)
    domain, email = _web(rng, names, cores, tails, club, town)
    facebook_site = rng.random(n) < 0.5
    people.add_emails(rng, domain, names)
    duplicated = views.views_per_org > 1
    hard = [
        duplicated[rows] & (rng.random(len(rows)) < HARD_SHARE)
        for rows in (views.regulator, views.crm, views.legacy)
    ]
    return Population(
        views,
        category,
        cores,
        tails,
        names,
        _suffixes(rng, club),
        town,
        phone,
        phone2,
        domain,
        facebook_site,
        email,
        people,
        offset,
        listed,
        hard,
        duplicated,
    )


def _categories(rng, on_register: np.ndarray) -> np.ndarray:
    """Registered organisations train pilots; the rest are any kind."""
    n = len(on_register)
    trainer = np.where(rng.random(n) < 0.65, v.FLIGHT_SCHOOL, v.ATO)
    anyone = rng.choice(5, n, p=CATEGORY_WEIGHTS)
    return np.where(on_register, trainer, anyone).astype(np.int8)


def _suffixes(rng, club: np.ndarray) -> list[str]:
    out = []
    for kind in ("company", "club"):
        weights = SUFFIX_WEIGHTS[kind]
        p = np.array(list(weights.values()), dtype=float)
        out.append(rng.choice(len(p), len(club), p=p / p.sum()))
    company, clubs = list(SUFFIX_WEIGHTS["company"]), list(SUFFIX_WEIGHTS["club"])
    return [
        clubs[b] if is_club else company[a]
        for a, b, is_club in zip(out[0].tolist(), out[1].tolist(), club.tolist(), strict=True)
    ]


def _towns(rng, cores: list[str]) -> np.ndarray:
    """A town per organisation; one named after a town is mostly based there."""
    weights = np.array([t[3] for t in v.TOWNS], dtype=float)
    town = rng.choice(len(v.TOWNS), len(cores), p=weights / weights.sum())
    home = {t[0]: i for i, t in enumerate(v.TOWNS)}
    stay = rng.random(len(cores)) < 0.85
    for i, core in enumerate(cores):
        if core in home and stay[i]:
            town[i] = home[core]
    return town


def _legacy_people(rng, rows: int) -> tuple[np.ndarray, np.ndarray]:
    listed = rng.choice(4, rows, p=LEGACY_PEOPLE_WEIGHTS)
    offset = ((rng.random(rows) < 0.25) & (listed > 0)).astype(np.int64)
    return offset, listed


def _staff_sizes(n: int, views: Views, offset: np.ndarray, listed: np.ndarray) -> np.ndarray:
    """Enough people per organisation for every row that lists some of them."""
    staff = np.ones(n, dtype=np.int64)
    np.maximum.at(staff, views.crm, views.crm_contacts)
    np.maximum.at(staff, views.legacy, offset + listed)
    return staff


def _phones(rng, town, mobile_main, people: People) -> tuple[np.ndarray, np.ndarray]:
    """Unique landlines in each town's dialling code; some organisations use a mobile."""
    n = len(town)
    codes = np.array([int(t[2]) for t in v.TOWNS])[town]
    second = (rng.random(n) < 0.25) & ~mobile_main
    phone = np.zeros(n, dtype=np.int64)
    phone2 = np.zeros(n, dtype=np.int64)
    for code in np.unique(codes).tolist():
        first = np.flatnonzero((codes == code) & ~mobile_main)
        extra = np.flatnonzero((codes == code) & second)
        subs = rng.choice(8_000_000, len(first) + len(extra), replace=False) + 2_000_000
        phone[first] = code * 10_000_000 + subs[: len(first)]
        phone2[extra] = code * 10_000_000 + subs[len(first) :]
    phone[mobile_main] = people.mobile[people.start[mobile_main]]
    return phone, phone2


def slug(text: str) -> str:
    """ASCII letters and digits only, lower case ("Blue Crane & Co" -> "bluecraneandco")."""
    text = unicodedata.normalize("NFKD", text.replace("&", " and ")).encode("ascii", "ignore")
    return re.sub(r"[^a-z0-9]", "", text.decode().lower())


def _web(rng, names, cores, tails, club, town) -> tuple[list[str], list[str]]:
    """Own domain (or "") and main email address of every organisation."""
    n = len(names)
    has_domain = rng.random(n) < np.where(club, 0.75, 0.93)
    uses_free_mail = rng.random(n) < 0.10
    style = rng.integers(0, 4, n)
    tld_pick, box_pick, free_pick = rng.random(n), rng.random(n), rng.random(n)
    taken: set[str] = set()
    domain, email = [], []
    for i in range(n):
        d = ""
        if has_domain[i]:
            tlds = v.CLUB_TLDS if club[i] else v.TLDS
            d = _domain(
                cores[i],
                tails[i],
                int(style[i]),
                tlds[int(tld_pick[i] * len(tlds))],
                v.TOWNS[town[i]][0],
                taken,
            )
        domain.append(d)
        if d and not uses_free_mail[i]:
            email.append(f"{v.ORG_MAILBOXES[int(box_pick[i] * len(v.ORG_MAILBOXES))]}@{d}")
        else:
            free = v.FREE_MAIL[int(free_pick[i] * len(v.FREE_MAIL))]
            email.append(_unique(slug(names[i])[:24], free, taken))
    return domain, email


def _domain(core: str, tail: str, style: int, tld: str, town: str, taken: set[str]) -> str:
    """A registrable domain derived from the name, unique among the organisations."""
    c, words = slug(core), [slug(w) for w in tail.split()]
    options = [
        c + words[0],
        c + "".join(words),
        f"{c}-{words[0]}",
        c + "".join(w[0] for w in words),
    ]
    options = (
        options[style:]
        + options[:style]
        + [c + words[0] + slug(town), c + "".join(words) + slug(town)]
    )
    for label in options:
        candidate = f"{label[:50]}.{tld}"
        if candidate not in taken:
            taken.add(candidate)
            return candidate
    return _unique(options[0][:46], tld, taken, sep=".")


def _unique(local: str, domain: str, taken: set[str], sep: str = "@") -> str:
    """``local@domain``, numbered until it is not taken."""
    candidate, k = f"{local}{sep}{domain}", 1
    while candidate in taken:
        k += 1
        candidate = f"{local}{k}{sep}{domain}"
    taken.add(candidate)
    return candidate
