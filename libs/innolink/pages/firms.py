"""Page -> firm by the page's host: the most specific configured host or registered domain.

Keys are registered domains from silver/firms (`domain`, tldextract's offline Public Suffix
List snapshot through innolink.normalize) and the hosts or domains of `pages.firm_domains`
(extra domains of a firm, or one host of a shared domain). A page's host is looked up as is,
then each parent host down to its registered domain: shop.eu.lavazza.com, eu.lavazza.com,
lavazza.com. A key naming two firms is ambiguous: the page is rejected with both ids rather
than given to one at random (configuration settles it by naming the host).
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from innolink.normalize import InvalidUrl, normalize_website

UNMATCHED = "firm.unmatched"
AMBIGUOUS = "firm.ambiguous_domain"


@lru_cache(maxsize=1 << 16)
def host_and_domain(url: str) -> tuple[str, str] | None:
    """(host, registered domain) of a page URL, or None when it has no registrable domain."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return None
    if not host:
        return None
    try:
        normalized = normalize_website(f"http://{host}")
    except InvalidUrl:
        return None
    if normalized is None:
        return None
    ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    return ascii_host, normalized[1]


def candidates(host: str, domain: str) -> list[str]:
    """The host, then its parents down to the registered domain."""
    out = [host]
    while host != domain and "." in host:
        host = host.split(".", 1)[1]
        out.append(host)
        if len(host) < len(domain):
            break
    if out[-1] != domain:
        out.append(domain)
    return out


def match(url: str, keys: dict[str, tuple[str, ...]]) -> tuple[str | None, str | None, str]:
    """(firm_id, registered domain, reason): reason '' when matched, else why not."""
    parsed = host_and_domain(url)
    if parsed is None:
        return None, None, UNMATCHED
    host, domain = parsed
    for key in candidates(host, domain):
        firms = keys.get(key)
        if firms:
            if len(firms) > 1:
                return None, domain, AMBIGUOUS
            return firms[0], domain, ""
    return None, domain, UNMATCHED
