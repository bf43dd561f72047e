"""Content negotiation (RFC 9110 §12.5.1): pick the offer a client's Accept header rates highest.

Each offer takes the q of the most specific range that matches it (`text/turtle` over `text/*`
over `*/*`); the highest q wins and ties go to the server's order of preference. A missing or
empty header accepts anything, so the server's first choice wins: for resources that is Turtle,
following the W3C recipes for publishing RDF vocabularies ("no Accept, or */*: serve RDF").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float

    def specificity(self, media_type: str) -> int:
        """How closely this range matches `media_type`: 2 exact, 1 `type/*`, 0 `*/*`, -1 none."""
        t, _, s = media_type.partition("/")
        if self.type == "*":
            return 0
        if self.type != t:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == s else -1


def parse_accept(header: str) -> list[MediaRange]:
    """The media ranges of an Accept header; malformed members are skipped, not fatal."""
    ranges = []
    for member in header.split(","):
        parts = [p.strip() for p in member.split(";")]
        media = parts[0].lower()
        t, slash, s = media.partition("/")
        if not slash or not t or not s or (t == "*" and s != "*"):
            continue
        q = 1.0
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(1.0, max(0.0, float(value.strip())))
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(t, s, q))
    return ranges


def quality(ranges: Sequence[MediaRange], media_type: str) -> float:
    """The q the client gives `media_type`: that of its most specific matching range, else 0."""
    best, q = -1, 0.0
    for r in ranges:
        spec = r.specificity(media_type)
        if spec > best:
            best, q = spec, r.q
    return q


@lru_cache(maxsize=4096)
def negotiate(header: str | None, offers: tuple[str, ...]) -> str | None:
    """The offer to send for `header`, or None when the client accepts none of them.

    `offers` are media types in the server's order of preference; a missing or blank header
    (or one with no parsable range) gets the first.
    """
    if not header or not header.strip():
        return offers[0] if offers else None
    ranges = parse_accept(header)
    if not ranges:
        return offers[0] if offers else None
    return most_wanted(offers, lambda offer: quality(ranges, offer))


def most_wanted(offers: Sequence[T], q_of: Callable[[T], float]) -> T | None:
    """The first offer with the highest q (our order breaks ties); None when every q is 0."""
    best, best_q = None, 0.0
    for offer in offers:
        q = q_of(offer)
        if q > best_q:
            best, best_q = offer, q
    return best


def best_language(header: str | None, offers: tuple[str, ...]) -> str:
    """The language tag of `offers` an Accept-Language header prefers (the first if none)."""
    if not header:
        return offers[0]
    best, best_q = offers[0], 0.0
    for member in header.split(","):
        tag, _, params = member.strip().partition(";")
        tag = tag.strip().lower()
        q = 1.0
        name, _, value = params.partition("=")
        if name.strip().lower() == "q":
            try:
                q = float(value)
            except ValueError:
                q = 0.0
        for offer in offers:
            if (tag == offer or tag.split("-")[0] == offer or tag == "*") and q > best_q:
                best, best_q = offer, q
    return best
