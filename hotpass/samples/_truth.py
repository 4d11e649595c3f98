"""truth_organisations.csv and truth_contacts.csv: the population behind the rows."""

from __future__ import annotations

import csv
from pathlib import Path

from hotpass.samples import _vocab as v
from hotpass.samples._population import Population
from hotpass.samples._sheets import org_id, person_id
from hotpass.samples._variants import e164

ORGANISATION_COLUMNS = [
    "org_id",
    "name",
    "legal_suffix",
    "region",
    "town",
    "website",
    "domain",
    "phone_e164",
    "email",
    "category",
]
CONTACT_COLUMNS = ["person_id", "org_id", "first_name", "last_name", "role", "email", "mobile_e164"]


def write_organisations(pop: Population, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(ORGANISATION_COLUMNS)
        for i in range(pop.n_orgs):
            town, region = v.TOWNS[pop.town[i]][:2]
            out.writerow(
                [
                    org_id(i),
                    pop.name[i],
                    pop.suffix[i],
                    region,
                    town,
                    pop.website(i),
                    pop.domain[i],
                    e164(int(pop.phone[i])),
                    pop.email[i],
                    v.CATEGORIES[int(pop.category[i])],
                ]
            )


def write_contacts(pop: Population, path: Path) -> None:
    """Every person that at least one source row shows."""
    people = pop.people
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(CONTACT_COLUMNS)
        for p, (number, org, mobile) in enumerate(
            zip(people.person_id.tolist(), people.org.tolist(), people.mobile.tolist(), strict=True)
        ):
            if number:
                out.writerow(
                    [
                        person_id(number),
                        org_id(org),
                        people.first[p],
                        people.last[p],
                        people.role[p],
                        people.email[p],
                        e164(mobile) if mobile else "",
                    ]
                )
