"""Content negotiation, one rule for every answer: documents, SPARQL results, errors and pages.

Headers are parsed by werkzeug (`Accept`, `Accept-Language`, cookies). The choice among our
offers is ours, because werkzeug's `best_match` differs from RFC 9110 §12.5.1 where our users
notice: it lets `*/*;q=0.1` select a type the client refused with `q=0`, and it breaks ties by
the client's specificity rather than by the server's preference (so `text/html, */*` would not
give our first choice). The rule here: each offer takes the q of the most specific range that
names it (one of its media types exactly, then its own `type/*`, then `*/*`); the highest q wins;
ties go to our order. A missing or blank header, or one with no parsable range, accepts anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from werkzeug.datastructures import LanguageAccept, MIMEAccept
from werkzeug.http import parse_accept_header, parse_cookie

from .formats import Format

LANGS = ("es", "en")  # page languages, the authoritative one first
LANG_COOKIE = "lang"  # the page language a reader chose with the site's switch


@lru_cache(maxsize=4096)
def negotiate(accept: str | None, offers: Sequence[Format]) -> Format | None:
    """The offer to send for an `Accept` header, or None when the client accepts none of them."""
    ranges = _ranges(accept)
    if not ranges:
        return offers[0] if offers else None
    best, best_q = None, 0.0
    for offer in offers:
        q = _quality(ranges, offer)
        if q > best_q:
            best, best_q = offer, q
    return best


def _ranges(accept: str | None) -> tuple[tuple[str, str, float], ...]:
    """(type, subtype, q) of each well-formed media range, lower-cased, parameters dropped."""
    if not accept or not accept.strip():
        return ()
    out = []
    for value, q in parse_accept_header(accept, MIMEAccept):
        media = value.split(";", 1)[0].strip().lower()
        main, slash, sub = media.partition("/")
        if slash and main and sub and not (main == "*" and sub != "*"):
            out.append((main, sub, q))
    return tuple(out)


def _quality(ranges: tuple[tuple[str, str, float], ...], offer: Format) -> float:
    main = offer.media_type.partition("/")[0]
    best_specificity, q = -1, 0.0
    for r_main, r_sub, r_q in ranges:
        if f"{r_main}/{r_sub}" in offer.media_types:
            specificity = 2
        elif r_main == main and r_sub == "*":
            specificity = 1
        elif r_main == "*":
            specificity = 0
        else:
            continue
        if specificity > best_specificity or (specificity == best_specificity and r_q > q):
            best_specificity, q = specificity, r_q
    return q


def page_language(cookie: str | None, accept_language: str | None) -> str:
    """The language of a page: the reader's choice (the `lang` cookie), else `Accept-Language`,
    else Spanish, the authoritative language."""
    chosen = parse_cookie(cookie).get(LANG_COOKIE) if cookie else None
    if chosen in LANGS:
        return chosen
    if accept_language:
        best = parse_accept_header(accept_language, LanguageAccept).best_match(LANGS)
        if best in LANGS:
            return best
    return LANGS[0]
