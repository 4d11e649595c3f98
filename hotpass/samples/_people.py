"""The true people: each belongs to one organisation's staff, in a fixed order.

Staff member 0 heads the organisation (the accountable manager of a registered
training organisation, a club's chairperson); the rows that list people list a
run of the staff, so the same person turns up in several files.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import numpy as np

from hotpass.samples import _vocab as v

ROLE_POOLS = {
    v.FLIGHT_SCHOOL: [
        "Chief Flight Instructor",
        "Head of Training",
        "Flight Instructor",
        "Office Manager",
        "Bookings Coordinator",
        "Safety Officer",
        "Sales Manager",
    ],
    v.ATO: [
        "Head of Training",
        "Quality Manager",
        "Office Manager",
        "Flight Instructor",
        "Safety Officer",
        "Sales Manager",
    ],
    v.AMO: [
        "Quality Manager",
        "Maintenance Manager",
        "Office Manager",
        "Sales Manager",
        "Safety Officer",
    ],
    v.CHARTER: [
        "Operations Manager",
        "Chief Pilot",
        "Bookings Coordinator",
        "Safety Officer",
        "Sales Manager",
        "Quality Manager",
    ],
    v.CLUB: ["Treasurer", "Secretary", "Chief Flight Instructor", "Safety Officer"],
}
HEADS = ["Accountable Manager"] * 11 + ["Owner"] * 4 + ["Managing Director"] * 3 + ["Director"] * 2
WORK_EMAIL_STYLES = 4  # first.last, flast, first, firstl
PLAIN = {accented: plain for plain, accented in v.ACCENTED_FIRST.items()}


@dataclass
class People:
    """Staff of every organisation; person ``p`` works for ``org[p]``."""

    start: np.ndarray  # per organisation: index of its first staff member
    count: np.ndarray  # per organisation: staff size
    org: np.ndarray
    male: np.ndarray
    first: list[str]
    last: list[str]
    role: list[str]
    mobile: np.ndarray  # national significant number, 0 when the person has none
    email: list[str] = field(default_factory=list)
    person_id: np.ndarray | None = None  # 1-based id of people some row shows, else 0

    def plain_first(self, p: int) -> str:
        return PLAIN.get(self.first[p], self.first[p])

    def mark_shown(self, views, offset: np.ndarray, listed: np.ndarray) -> None:
        """Number the people that at least one row shows; the rest stay unnumbered."""
        edges = np.zeros(len(self.org) + 1, dtype=np.int64)
        for begin, length in (
            (self.start[views.regulator], np.ones(len(views.regulator), dtype=np.int64)),
            (self.start[views.crm], views.crm_contacts),
            (self.start[views.legacy] + offset, listed),
        ):
            np.add.at(edges, begin, 1)
            np.add.at(edges, begin + length, -1)
        shown = np.cumsum(edges)[:-1] > 0
        self.person_id = np.where(shown, np.cumsum(shown), 0)

    def add_emails(self, rng, domain: list[str], names: list[str]) -> None:
        """Work addresses at the organisation's domain, personal free-mail ones, or none."""
        n = len(self.org)
        style = rng.integers(0, WORK_EMAIL_STYLES, len(self.start))
        kind, free_pick, digits = rng.random(n), rng.random(n), rng.integers(1, 99, n)
        taken: set[str] = set()
        emails = []
        for p, org in enumerate(self.org.tolist()):
            first = _ascii(self.plain_first(p)).lower()
            last = _ascii(self.last[p]).lower().replace(" ", "")
            d = domain[org]
            if d and kind[p] < 0.65:
                local = _work_local(first, last, int(style[org]))
                address = f"{local}@{d}"
                if address in taken:
                    address = f"{first}.{last}@{d}"
            elif kind[p] < (0.85 if d else 0.70):
                free = v.FREE_MAIL[int(free_pick[p] * len(v.FREE_MAIL))]
                address = (
                    f"{first}.{last}{digits[p]}@{free}"
                    if digits[p] % 3
                    else f"{first}{last}@{free}"
                )
            else:
                emails.append("")
                continue
            base, k = address, 1
            while address in taken:
                k += 1
                local, at = base.split("@")
                address = f"{local}{k}@{at}"
            taken.add(address)
            emails.append(address)
        self.email = emails


def make_people(rng, category, on_register, staff, mobile_main) -> People:
    """Draw names, roles and mobiles for ``staff[i]`` people at each organisation."""
    n_people = int(staff.sum())
    start = np.cumsum(staff) - staff
    org = np.repeat(np.arange(len(staff)), staff)
    male = rng.random(n_people) < 0.65
    first_pick, last_pick = rng.random(n_people), rng.random(n_people)
    accent = rng.random(n_people) < 0.5
    first, last = _names(org, male, first_pick, last_pick, accent)
    role = _roles(rng, category, on_register, staff)
    head = np.zeros(n_people, dtype=bool)
    head[start] = True
    has_mobile = (rng.random(n_people) < 0.85) | (head & mobile_main[org])
    mobile = np.zeros(n_people, dtype=np.int64)
    picks = rng.choice(len(v.MOBILE_PREFIXES) * 10_000_000, int(has_mobile.sum()), replace=False)
    prefixes = np.array([int(p) for p in v.MOBILE_PREFIXES], dtype=np.int64)
    mobile[has_mobile] = prefixes[picks // 10_000_000] * 10_000_000 + picks % 10_000_000
    return People(start, staff, org, male, first, last, role, mobile)


def _names(org, male, first_pick, last_pick, accent) -> tuple[list[str], list[str]]:
    """First names distinct within an organisation; a few written with accents."""
    first, last = [], []
    seen: set[str] = set()
    previous = -1
    for o, m, fp, lp, acc in zip(
        org.tolist(),
        male.tolist(),
        first_pick.tolist(),
        last_pick.tolist(),
        accent.tolist(),
        strict=True,
    ):
        if o != previous:
            seen.clear()
            previous = o
        pool = v.MALE_FIRST if m else v.FEMALE_FIRST
        k = int(fp * len(pool))
        while pool[k] in seen:
            k = (k + 1) % len(pool)
        seen.add(pool[k])
        name = v.ACCENTED_FIRST[pool[k]] if acc and pool[k] in v.ACCENTED_FIRST else pool[k]
        first.append(name)
        last.append(v.LAST[int(lp * len(v.LAST))])
    return first, last


def _roles(rng, category, on_register, staff) -> list[str]:
    """The head's role first, then distinct roles from the category's pool."""
    roles: list[str] = []
    head_pick = rng.random(len(staff))
    for i, (cat, registered, size) in enumerate(
        zip(category.tolist(), on_register.tolist(), staff.tolist(), strict=True)
    ):
        if registered:
            roles.append("Accountable Manager")
        elif cat == v.CLUB:
            roles.append("Chairperson")
        else:
            roles.append(HEADS[int(head_pick[i] * len(HEADS))])
        if size > 1:
            pool = ROLE_POOLS[cat]
            order = rng.permutation(len(pool))[: size - 1]
            roles.extend(pool[k] for k in order.tolist())
    return roles


def _work_local(first: str, last: str, style: int) -> str:
    return (f"{first}.{last}", f"{first[0]}{last}", first, f"{first}{last[0]}")[style]


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
