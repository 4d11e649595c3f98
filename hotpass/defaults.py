"""Default values for a profile: canonical fields with synonyms, regions, placeholders.

These are the settings of the ``generic`` profile; other profiles start here.
Synonyms are written as people write headers; they are folded (case, spaces,
punctuation) before comparison, so "E-mail Address" and "email_address" agree.
"""

from __future__ import annotations

from typing import Any


def _spec(kind: str, label: str, synonyms: list[str], required: bool = False) -> dict[str, Any]:
    return {"kind": kind, "label": label, "synonyms": synonyms, "required": required}


def organisation_fields() -> dict[str, Any]:
    """Canonical organisation fields."""
    return {
        "source_id": _spec("id", "Source ID", [
            "id", "org id", "organisation id", "organization id", "company id", "account id",
            "account number", "record id", "customer id", "client id", "entity id", "ref", "reference",
        ]),
        "name": _spec("org_name", "Organisation", [
            "organisation", "organization", "organisation name", "organization name", "name",
            "company", "company name", "business name", "entity", "entity name", "account",
            "account name", "school", "school name", "operator", "operator name", "registered name",
            "legal name", "institution", "club", "customer", "client", "firm",
        ], required=True),
        "legal_suffix": _spec("legal_suffix", "Legal suffix", ["legal suffix", "legal form", "entity type suffix"]),
        "trading_as": _spec("text", "Trading as", ["trading as", "t/a", "trading name", "dba", "doing business as", "brand", "also known as", "aka"]),
        "category": _spec("category", "Category", ["category", "sector", "industry", "segment", "classification", "class"]),
        "type": _spec("category", "Type", ["type", "organisation type", "organization type", "org type", "business type", "entity type", "kind"]),
        "status": _spec("category", "Status", ["status", "licence status", "license status", "account status", "state of record", "active"]),
        "region": _spec("region", "Province/region", ["province", "region", "state", "province/region", "prov", "area region"]),
        "town": _spec("town", "Town/area", ["town", "city", "area", "suburb", "location", "town/area", "town city", "place", "base", "airfield"]),
        "address": _spec("text", "Address", ["address", "physical address", "street address", "postal address", "street", "address line 1", "premises"]),
        "country": _spec("country", "Country", ["country", "nation"]),
        "website": _spec("website", "Website", ["website", "web site", "web", "url", "homepage", "home page", "site", "web address", "www"]),
        "domain": _spec("domain", "Domain", ["domain", "web domain", "email domain"]),
        "email": _spec("email", "Email", ["email", "e-mail", "email address", "e-mail address", "general email", "office email", "company email", "organisation email", "info email", "mail"]),
        "phone": _spec("phone", "Phone", ["phone", "telephone", "tel", "phone number", "telephone number", "tel no", "office phone", "landline", "switchboard", "main number", "contact number", "number"]),
        "description": _spec("text", "Description", ["description", "about", "profile", "services", "summary"]),
        "notes": _spec("text", "Notes", ["notes", "note", "comments", "comment", "remarks", "memo"]),
        "last_interaction": _spec("date", "Last interaction", ["last interaction", "last contact", "last contacted", "last activity", "last activity date", "last touch", "last modified", "date last contacted", "last call"]),
        "priority": _spec("category", "Priority", ["priority", "tier", "rating", "lead score", "importance"]),
        "lawful_basis": _spec("category", "Lawful basis", ["lawful basis", "popia basis", "legal basis", "consent", "processing basis"]),
    }


def contact_fields() -> dict[str, Any]:
    """Canonical contact fields."""
    return {
        "organisation_link": _spec("link", "Organisation link", [
            "organisation id", "organization id", "org id", "company id", "account id", "parent id",
            "organisation", "organization", "company", "company name", "organisation name",
            "organization name", "account name", "school", "employer",
        ]),
        "source_id": _spec("id", "Contact ID", ["contact id", "person id", "contact ref", "contact number id", "id"]),
        "full_name": _spec("persons", "Contact person", [
            "contact", "contact person", "contact name", "contact persons", "contacts", "person",
            "full name", "name", "key contact", "key person", "people", "representative",
            "responsible person", "accountable manager", "primary contact",
        ]),
        "first_name": _spec("first_name", "First name", ["first name", "firstname", "given name", "forename", "first"]),
        "last_name": _spec("last_name", "Last name", ["last name", "lastname", "surname", "family name", "last"]),
        "role": _spec("role", "Role", ["role", "position", "title", "job title", "designation", "function", "job"]),
        "email": _spec("email", "Email", ["email", "e-mail", "email address", "contact email", "personal email", "work email", "mail"]),
        "phone": _spec("phone", "Phone", ["phone", "telephone", "tel", "direct line", "work phone", "office number", "contact number", "phone number"]),
        "mobile": _spec("phone", "Mobile", ["mobile", "cell", "cellphone", "cell phone", "mobile number", "cell no", "mobile phone", "cell number"]),
        "whatsapp": _spec("phone", "WhatsApp", ["whatsapp", "whats app", "whatsapp number", "wa"]),
    }


def region_aliases() -> dict[str, list[str]]:
    """South Africa's nine provinces and the ways people write them."""
    return {
        "Eastern Cape": ["EC", "E Cape", "E. Cape", "Eastern Cape Province", "Oos-Kaap"],
        "Free State": ["FS", "Free State Province", "Orange Free State", "OFS", "Vrystaat"],
        "Gauteng": ["GP", "GT", "GAU", "Gauteng Province", "PWV", "Transvaal"],
        "KwaZulu-Natal": ["KZN", "Kwa-Zulu Natal", "Kwazulu Natal", "KwaZulu Natal", "Kwa Zulu Natal", "Natal", "KZ-N", "K.Z.N."],
        "Limpopo": ["LP", "LIM", "Limpopo Province", "Northern Province"],
        "Mpumalanga": ["MP", "MPU", "Mpumalanga Province", "Eastern Transvaal"],
        "North West": ["NW", "North-West", "Northwest", "North West Province", "Noordwes"],
        "Northern Cape": ["NC", "N Cape", "N. Cape", "Northern Cape Province", "Noord-Kaap"],
        "Western Cape": ["WC", "W Cape", "W. Cape", "Western Cape Province", "Wes-Kaap"],
    }


def placeholders() -> list[str]:
    """Values that mean 'nothing here'."""
    return [
        "-", "--", "- -", "---", ".", "..", "...", "?", "??", "n/a", "na", "n.a.", "nil", "none", "null",
        "nan", "#n/a", "#value!", "#ref!", "unknown", "not known", "unk", "tbc", "tba", "tbd",
        "to be confirmed", "not available", "not applicable", "not provided", "not supplied",
        "not publicly listed", "not listed", "no data", "no info", "no email", "no phone",
        "no website", "none listed", "web form", "webform", "contact form", "see website",
        "xx", "xxx", "0", "000", "blank", "empty", "-none-",
    ]


def legal_suffixes() -> list[str]:
    """Legal forms separated from organisation names (canonical spelling)."""
    return [
        "(Pty) Ltd", "(RF) (Pty) Ltd", "Ltd", "Limited", "CC", "NPC", "NPO", "Inc", "Incorporated",
        "SOC Ltd", "PLC", "LLC", "LLP", "GmbH", "Trust", "Co-op",
    ]


def free_mail_domains() -> list[str]:
    """Mail providers whose domain says nothing about the organisation."""
    return [
        "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.za", "ymail.com", "hotmail.com",
        "hotmail.co.za", "outlook.com", "live.com", "live.co.za", "msn.com", "icloud.com", "me.com",
        "mac.com", "aol.com", "protonmail.com", "proton.me", "gmx.com", "gmx.net", "mail.com",
        "zoho.com", "webmail.co.za", "mweb.co.za", "telkomsa.net", "vodamail.co.za",
        "iafrica.com", "absamail.co.za", "lantic.net", "xsinet.co.za", "cybersmart.co.za",
        "afrihost.co.za", "polka.co.za", "yandex.com", "global.co.za", "icon.co.za", "netactive.co.za",
        "wol.co.za", "intekom.co.za", "webafrica.co.za", "axxess.co.za", "saol.com", "mighty.co.za",
        "worldonline.co.za", "imaginet.co.za", "vox.co.za", "cool-ideas.co.za", "rain.co.za",
    ]


def social_domains() -> list[str]:
    """Social-media and directory sites: never an organisation's own domain."""
    return [
        "facebook.com", "fb.com", "instagram.com", "twitter.com", "x.com", "linkedin.com",
        "youtube.com", "tiktok.com", "wa.me", "whatsapp.com", "google.com", "goo.gl",
        "yellowpages.co.za", "brabys.com", "sites.google.com", "wixsite.com", "linktr.ee",
        "pinterest.com", "t.me",
    ]


def generic_name_words() -> list[str]:
    """Words in organisation names that describe a kind of business, not one business."""
    return [
        "academy", "agency", "associates", "centre", "center", "club", "college", "company", "consulting",
        "enterprises", "group", "holdings", "institute", "international", "organisation", "organization",
        "partners", "school", "services", "solutions", "systems", "technologies", "trading", "training",
        "trust",
    ]


def aviation_name_words() -> list[str]:
    """Generic words of aviation organisations' names (for the aviation profile)."""
    return [
        "aero", "aeronautical", "air", "aircraft", "airways", "avionics", "aviation", "aviators", "cabin",
        "charter", "charters", "components", "crew", "engineering", "executive", "flight", "flyers", "flying",
        "gliding", "helicopter", "helicopters", "jet", "jets", "maintenance", "microlight", "pilot",
        "propeller", "safari", "simulator", "skills", "sport", "taxi", "technical",
    ]
