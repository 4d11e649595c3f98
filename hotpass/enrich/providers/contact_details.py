"""``contact_details``: an organisation's email and phone from what its contacts hold.

* No email: a contact's address at the organisation's own domain (its
  ``domain``, its website's, else the one its addresses clearly share), a
  role address (info@, office@, bookings@...) before a personal one.
* No phone: a landline from the contacts' ``phone`` column — geographic by
  the numbering plan (``enrichment.area_codes``), so mobiles, toll-free,
  shared-cost and VoIP numbers never qualify — held by the most contacts;
  one held by a single contact only when no other landline competes. A
  landline whose area code cannot serve the organisation's region is refused.
"""

from __future__ import annotations

from pathlib import Path

from hotpass.enrich.base import EnrichContext, Proposal
from hotpass.enrich.providers._common import sources as cited_sources
from hotpass.enrich.providers._common import (
    DomainRules,
    Org,
    Person,
    Sources,
    organisations,
    table_path,
)
from hotpass.enrich.providers.email_domain import mail_domain, shared_domains
from hotpass.enrich.tables import (
    AREA_CODES,
    AreaCode,
    area_code_of,
    calling_code,
    load_numbering_plan,
)

#: Local parts that name a function rather than a person, most general first.
ROLE_ADDRESSES = (
    "info", "enquiries", "enquiry", "inquiries", "office", "admin", "reception", "contact",
    "hello", "mail", "general", "bookings", "booking", "reservations", "ops", "operations",
    "flightops", "flights", "flight", "dispatch", "charter", "charters", "training", "school",
    "academy", "admissions", "students", "accounts", "finance", "sales", "support", "maintenance",
    "amo", "workshop", "quality", "safety", "marketing", "hr", "careers", "club",
)


class ContactDetailsProvider:
    """The organisation's email and landline from its contacts."""

    name = "contact_details"
    fields: tuple[str, ...] = ("email", "phone")
    needs_network = False

    def __init__(self, area_codes: str | Path | None = None):
        self.area_codes = area_codes  # None: the table the profile names, else the shipped one

    def propose(self, context: EnrichContext) -> list[Proposal]:
        profile = context.profile
        path = self.area_codes or table_path(profile, "area_codes", AREA_CODES)
        plan, country = load_numbering_plan(path, profile), calling_code(profile)
        rules = DomainRules(profile.free_mail_domains, profile.social_domains)
        sources = cited_sources(context)
        orgs = organisations(context)
        shared = shared_domains(orgs, rules)
        out: list[Proposal] = []
        for org in (o for o in orgs if o.people):
            if not org.get("email"):
                out.extend(self._email(org, rules, sources, shared))
            if not org.get("phone"):
                out.extend(self._phone(org, plan, country, sources))
        return out

    def _email(self, org: Org, rules: DomainRules, sources: Sources,
               shared: frozenset[str]) -> list[Proposal]:
        domain, why = _own_domain(org, rules, sources, shared)
        held: dict[str, list[str]] = {}  # address -> who holds it
        for person in org.people if domain else ():
            for address in person.emails:
                local, _, host = address.rpartition("@")
                if local and rules.usable(host.lower()) == domain:
                    cite = sources.cite("contact", person.contact_id, "email", address)
                    held.setdefault(address.lower(), []).append(f"{_who(person)}{cite}")
        if not held:
            return []
        address = min(held, key=lambda a: (_role_rank(a), -len(held[a]), a))
        role = _role_rank(address) < len(ROLE_ADDRESSES)
        kind = "a role address" if role else "a personal address (no role address found)"
        evidence = (f"no email; {address} is {kind} at the organisation's domain {domain} ({why}), "
                    f"held by {'; '.join(held[address])}")
        confidence = (0.8 if role else 0.55) + (0.05 if len(held[address]) > 1 else 0.0)
        return [org.proposal("email", address, self.name, evidence, confidence)]

    def _phone(self, org: Org, plan: dict[str, AreaCode], country: str,
               sources: Sources) -> list[Proposal]:
        holders = _landlines(org.people, plan, country, sources)
        ranked = sorted(holders, key=lambda n: (-len(holders[n]), n))
        if not ranked or (len(ranked) > 1 and len(holders[ranked[0]]) == len(holders[ranked[1]])):
            return []
        number, n, others = ranked[0], len(holders[ranked[0]]), len(ranked) - 1
        entry = plan[area_code_of(number, plan, country)]
        region = org.get("region")
        if region and region not in entry.regions:
            return []
        evidence = (f"no phone; landline {number} (area code 0{entry.code}: "
                    f"{', '.join(entry.regions)}) is the phone of {n} contact(s): "
                    f"{'; '.join(holders[number])}")
        evidence += f"; {others} other landline(s) held by fewer contacts" if others else ""
        confidence = (0.85 if n >= 2 else 0.6) - (0.1 if others else 0.0)
        return [org.proposal("phone", number, self.name, evidence, confidence)]


def _landlines(people: tuple[Person, ...], plan: dict[str, AreaCode], country: str,
               sources: Sources) -> dict[str, list[str]]:
    """Geographic number -> the contacts whose ``phone`` it is (with their source rows)."""
    holders: dict[str, list[str]] = {}
    for person in people:
        for number in person.phones:
            code = area_code_of(number, plan, country)
            if code is not None and plan[code].regions:
                cite = sources.cite("contact", person.contact_id, "phone", number)
                holders.setdefault(number, []).append(f"{_who(person)}{cite}")
    return holders


def _own_domain(org: Org, rules: DomainRules, sources: Sources,
                shared: frozenset[str]) -> tuple[str | None, str]:
    """(the organisation's own domain, why): from its domain, its website, else its addresses."""
    for field in ("domain", "website"):
        value = org.get(field)
        found = rules.usable(value.lower()) if value else None
        if found:
            return found, f"its {field}"
    mail = mail_domain(org, rules, sources, shared)
    if mail is None:
        return None, ""
    return mail.domain, f"the domain of {len(mail.support)} of its address(es)"


def _role_rank(address: str) -> int:
    """The local part's position in ROLE_ADDRESSES; personal addresses rank last."""
    local = address.rpartition("@")[0].lower()
    return ROLE_ADDRESSES.index(local) if local in ROLE_ADDRESSES else len(ROLE_ADDRESSES)


def _who(person: Person) -> str:
    return f"contact {person.name}" + (f", {person.role}" if person.role else "")
