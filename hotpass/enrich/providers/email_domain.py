"""``email_domain``: an organisation's website and domain from its own email addresses.

* No domain but an own website: the website's registrable domain.
* No website (or no domain, when the website is a social page): the one
  registrable domain the organisation's own addresses share — its ``email``
  and ``email_other`` and its contacts' addresses. Free-mail and social
  domains never count (see :data:`~hotpass.enrich.providers._common.DomainRules`).
  When several own domains compete, the commonest is proposed only when it
  has at least DOMINANT addresses and twice as many as any other. A mail
  domain that addresses of SHARED_BY or more organisations use belongs to a
  mail provider (an ISP the profile does not list as free mail) or a group,
  not to one organisation, and is ignored too.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from hotpass.enrich.base import EnrichContext, Proposal
from hotpass.enrich.providers._common import DomainRules, Org, Sources, organisations, values
from hotpass.enrich.providers._common import sources as cited_sources

SHOWN = 3  # addresses named in one piece of evidence
DOMINANT = 3  # addresses the commonest of competing own domains needs (and twice any other's)
SHARED_BY = 3  # organisations using one mail domain before it counts as a provider's


@dataclass(frozen=True)
class Address:
    """One email address an organisation is known by, and whose it is."""

    address: str
    domain: str  # its usable registrable domain
    whose: str  # "organisation email" or "contact <name>"
    where: str | None = None  # "file | sheet | row N" when the provenance knows

    def __str__(self) -> str:
        return f"{self.address} ({self.whose}{', ' + self.where if self.where else ''})"


@dataclass(frozen=True)
class MailDomain:
    """The domain an organisation's own addresses point to."""

    domain: str
    support: tuple[Address, ...]  # distinct addresses at ``domain``
    rivals: dict[str, int]  # other own domains and their address counts
    ignored: int  # addresses at free-mail, social, shared or unreadable domains

    def confidence(self) -> float:
        """0.75 for one address, 0.85 for two, 0.9 for more; 0.1 less with rivals."""
        return min(0.65 + 0.1 * len(self.support), 0.9) - (0.1 if self.rivals else 0.0)

    def evidence(self) -> str:
        shown = ", ".join(str(a) for a in self.support[:SHOWN])
        more = len(self.support) - SHOWN
        text = f"{len(self.support)} own address(es) use {self.domain}: {shown}"
        text += f" and {more} more" if more > 0 else ""
        if self.rivals:
            text += "; fewer use " + ", ".join(f"{d} ({n})" for d, n in sorted(self.rivals.items()))
        if self.ignored:
            text += f"; {self.ignored} free-mail, social or shared-provider address(es) ignored"
        return text


class EmailDomainProvider:
    """Website and domain from the organisation's own email addresses; domain from website."""

    name = "email_domain"
    fields: tuple[str, ...] = ("website", "domain")
    needs_network = False

    def propose(self, context: EnrichContext) -> list[Proposal]:
        rules = DomainRules(context.profile.free_mail_domains, context.profile.social_domains)
        sources = cited_sources(context)
        orgs = organisations(context)
        shared = shared_domains(orgs, rules)
        return [p for org in orgs for p in self._for(org, rules, sources, shared)]

    def _for(self, org: Org, rules: DomainRules, sources: Sources,
             shared: frozenset[str]) -> list[Proposal]:
        website, domain = org.get("website"), org.get("domain")
        if website and domain:
            return []
        from_site = rules.usable(website.lower()) if website else None
        if from_site and not domain:
            cite = sources.cite("organisation", org.id, "website", website)
            evidence = f"no domain; website {website}{cite} has the registrable domain {from_site}"
            return [org.proposal("domain", from_site, self.name, evidence, 0.95)]
        mail = mail_domain(org, rules, sources, shared)
        if mail is None:
            return []
        out = []
        if not website:
            out.append(org.proposal("website", f"https://{mail.domain}", self.name,
                                    f"no website; {mail.evidence()}", mail.confidence() - 0.05))
        if not domain:
            note = f"; the website {website} is not an own site" if website else ""
            out.append(org.proposal("domain", mail.domain, self.name,
                                    f"no domain{note}; {mail.evidence()}", mail.confidence()))
        return out


def shared_domains(orgs: list[Org], rules: DomainRules) -> frozenset[str]:
    """Usable mail domains that addresses of SHARED_BY or more organisations use."""
    users: dict[str, set[str]] = {}
    for org in orgs:
        for address, _, _ in _addresses(org, None):
            domain = _domain(address, rules)
            if domain:
                users.setdefault(domain, set()).add(org.id)
    return frozenset(d for d, ids in users.items() if len(ids) >= SHARED_BY)


def mail_domain(org: Org, rules: DomainRules, sources: Sources | None,
                shared: frozenset[str] = frozenset()) -> MailDomain | None:
    """The own domain ``org``'s addresses clearly share (never one of ``shared``), else None."""
    found, ignored = own_addresses(org, rules, sources, shared)
    ranked = sorted(Counter(a.domain for a in found).items(), key=lambda item: (-item[1], item[0]))
    if not ranked:
        return None
    (best, n), rivals = ranked[0], dict(ranked[1:])
    runner_up = ranked[1][1] if rivals else 0
    if rivals and (n < DOMINANT or n < 2 * runner_up):
        return None
    return MailDomain(best, tuple(a for a in found if a.domain == best), rivals, ignored)


def own_addresses(org: Org, rules: DomainRules, sources: Sources | None,
                  shared: frozenset[str] = frozenset()) -> tuple[list[Address], int]:
    """(distinct addresses at own domains, how many others were ignored) of ``org`` and its
    contacts."""
    seen: set[str] = set()
    found: list[Address] = []
    ignored = 0
    for address, whose, where in _addresses(org, sources):
        if address.casefold() in seen:
            continue
        seen.add(address.casefold())
        domain = _domain(address, rules)
        if domain and domain not in shared:
            found.append(Address(address, domain, whose, where))
        else:
            ignored += 1
    return found, ignored


def _domain(address: str, rules: DomainRules) -> str | None:
    local, at, host = address.rpartition("@")
    return rules.usable(host.lower()) if at and local else None


def _addresses(org: Org, sources: Sources | None):
    """(address, whose, where) triples: the organisation's own first, then its contacts'."""
    def where(kind: str, record_id: str, address: str) -> str | None:
        return sources.where(kind, record_id, "email", address) if sources else None

    for column in ("email", "email_other"):
        for address in values(org.row.get(column)):
            yield address, "organisation email", where("organisation", org.id, address)
    for person in org.people:
        for address in person.emails:
            yield address, f"contact {person.name}", where("contact", person.contact_id, address)
