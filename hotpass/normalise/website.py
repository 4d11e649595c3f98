"""Websites -> ``https://host[:port]/path`` and the domains hidden in them.

The host is kept as written (``www.`` included) but lower-cased; default ports,
fragments, tracking parameters (``utm_*``, ``fbclid``...) and trailing slashes
are dropped; the path and other query parameters are kept. Registrable domains
come from tldextract's bundled Public Suffix List snapshot (never the network).
Social-media pages are kept as websites (problem ``website.social``) but are
never an organisation's domain.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import tldextract

from hotpass.normalise.result import MISSING, Result, clean_lines, clean_text

_SCHEME = re.compile(r"^(?:https?\s*:\s*/*|https?//|//)", re.IGNORECASE)
_OTHER_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:(?!\d)", re.IGNORECASE)
_LABEL = re.compile(r"^(?!-)[a-z0-9\u00a1-\uffff-]{1,63}(?<!-)$")
_SEPARATOR = re.compile(r"[\s;,|]+")
_TRACKING = re.compile(
    r"^(?:utm_.*|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_ga|_gl|igshid)$", re.I
)
_DEFAULT_PORTS = ("", "80", "443")


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    """A tldextract that only uses its bundled snapshot: no download, no cache directory."""
    return tldextract.TLDExtract(
        suffix_list_urls=(),
        cache_dir=None,
        fallback_to_snapshot=True,
        include_psl_private_domains=True,
    )


def normalise_website(value: str, social_domains: Iterable[str] = ()) -> Result:
    """Every website in ``value``, canonical; unreadable text is kept with ``website.invalid``."""
    lines = clean_lines(value)
    if not lines:
        return MISSING
    found = [canonical_url(token) for token in _SEPARATOR.split(lines)]
    values = tuple(dict.fromkeys(url for url in found if url))
    if not values:
        text = clean_text(lines)
        return Result((text,), None if text == value else "website.whitespace", "website.invalid")
    social = tuple(social_domains)
    problem = "website.social" if any(is_social(url, social) for url in values) else None
    if values == (value,):
        return Result(values, None, problem)
    return Result(values, "website.split" if len(values) > 1 else "website.canonical", problem)


def canonical_url(text: str) -> str | None:
    """``https://host/path`` for one URL or bare host, or None when it is not a website."""
    parts = _split(text.strip())
    if parts is None:
        return None
    host, port, path, query = parts
    if not _valid_host(host):
        return None
    port = "" if port in _DEFAULT_PORTS else f":{port}"
    query = "&".join(p for p in query.split("&") if p and not _TRACKING.match(p.split("=", 1)[0]))
    return f"https://{host}{port}{path.rstrip('/')}{'?' + query if query else ''}"


def _split(text: str) -> tuple[str, str, str, str] | None:
    """(host, port, path, query) of a URL, or None when it is not an http(s) URL."""
    rest = _SCHEME.sub("", text, count=1)
    if _OTHER_SCHEME.match(rest):
        return None
    rest = rest.split("#", 1)[0]
    cut = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    netloc, tail = rest[:cut], rest[cut:]
    if "@" in netloc:
        return None
    host, colon, port = netloc.rpartition(":")
    if not colon:
        host, port = netloc, ""
    if not port.isdigit() and port:
        return None
    path, _, query = tail.partition("?")
    return host.lower().rstrip("."), port.lstrip("0") or ("" if not port else "0"), path, query


def _valid_host(host: str) -> bool:
    """Letters, digits and hyphens in dot-separated labels under a public suffix."""
    labels = host.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return False
    return _registrable(host) is not None


@lru_cache(maxsize=65536)
def _registrable(host: str) -> str | None:
    parts = _extractor()(host)
    return parts.top_domain_under_public_suffix or None if parts.domain and parts.suffix else None


def host_of(url_or_host: str) -> str | None:
    """The lower-case host of a URL, a bare host or an email address."""
    text = clean_text(url_or_host)
    text = _SCHEME.sub("", text, count=1)
    netloc = re.split(r"[/?#]", text, maxsplit=1)[0].rpartition("@")[2]
    host = netloc.rpartition(":")[0] if re.search(r":\d*$", netloc) else netloc
    host = host.lower().rstrip(".")
    return host or None


def registrable_domain(url_or_host: str) -> str | None:
    """The registrable domain of a URL, host or email address ("example.co.za")."""
    host = host_of(url_or_host)
    if not host or " " in host:
        return None
    return _registrable(host)


def is_social(domain: str, social_domains: Iterable[str]) -> bool:
    """True when a host, domain or URL belongs to one of ``social_domains``."""
    host = host_of(domain) or ""
    return any(host == s or host.endswith("." + s) for s in social_domains)


def organisation_domain(website: str, social_domains: Iterable[str]) -> str | None:
    """The registrable domain of an organisation's website; None for social pages."""
    if not website or is_social(website, tuple(social_domains)):
        return None
    return registrable_domain(website)


def normalise_domain(value: str, social_domains: Iterable[str] = ()) -> Result:
    """A domain cell ("www.Example.co.za", "@example.co.za") -> registrable domain."""
    text = clean_text(value)
    if not text:
        return MISSING
    domain = registrable_domain(text)
    if domain is None:
        return Result((text,), None if text == value else "domain.whitespace", "domain.invalid")
    problem = "domain.social" if is_social(domain, tuple(social_domains)) else None
    return Result((domain,), None if domain == value else "domain.canonical", problem)
