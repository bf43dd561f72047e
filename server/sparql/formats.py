"""The formats we answer in, and content negotiation: Accept with q-values, or `format=` for links.

SELECT and ASK results: SPARQL JSON, XML, CSV, TSV. CONSTRUCT and DESCRIBE graphs (and the
service description): Turtle, JSON-LD, RDF/XML, N-Triples. HTML for browsers, always last in our
order so that `*/*` gets data, not a page. `format=` takes the short names that clients such as
SPARQLWrapper send (json, xml, csv, tsv, turtle, n3, json-ld, rdf+xml …) or a media type.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from oas_ssm.server.conneg import (  # one Accept parser for the whole server
    MediaRange,
    most_wanted,
    parse_accept,
)

from .errors import SparqlError


@dataclass(frozen=True, slots=True)
class Format:
    key: str
    content_type: str  # what we send, charset included where the type has one
    media_types: tuple[str, ...]  # what selects it in Accept: the canonical type first
    names: tuple[str, ...]  # what selects it in `format=`

    @property
    def media_type(self) -> str:
        return self.media_types[0]


def _format(key: str, content_type: str, media: tuple[str, ...], names: tuple[str, ...]) -> Format:
    return Format(key, content_type, media, names + media)


HTML = _format(
    "html", "text/html; charset=utf-8", ("text/html", "application/xhtml+xml"), ("html",)
)
RESULTS: tuple[Format, ...] = (
    _format(
        "json",
        "application/sparql-results+json",
        (
            "application/sparql-results+json",
            "application/json",
            "text/javascript",
            "application/javascript",
        ),
        ("json", "srj"),
    ),
    _format(
        "xml",
        "application/sparql-results+xml; charset=utf-8",
        ("application/sparql-results+xml", "application/xml", "text/xml"),
        ("xml", "srx"),
    ),
    _format("csv", "text/csv; charset=utf-8", ("text/csv",), ("csv",)),
    _format(
        "tsv", "text/tab-separated-values; charset=utf-8", ("text/tab-separated-values",), ("tsv",)
    ),
    HTML,
)
GRAPHS: tuple[Format, ...] = (
    _format(
        "turtle",
        "text/turtle; charset=utf-8",
        (
            "text/turtle",
            "application/x-turtle",
            "application/turtle",
            "text/n3",
            "text/rdf+n3",
            "application/n3",
        ),
        ("turtle", "ttl", "n3"),
    ),
    _format(
        "jsonld",
        "application/ld+json",
        ("application/ld+json", "application/x-json+ld", "application/json"),
        ("json-ld", "jsonld", "json"),
    ),
    _format(
        "rdfxml",
        "application/rdf+xml",
        ("application/rdf+xml", "application/xml", "text/xml"),
        ("rdf+xml", "rdfxml", "rdf", "xml"),
    ),
    _format(
        "ntriples",
        "application/n-triples",
        ("application/n-triples", "text/plain"),
        ("nt", "ntriples", "n-triples"),
    ),
    HTML,
)


def formats_for(form: str | None) -> tuple[Format, ...]:
    """Result formats of a query form; None (no query: the service description) gets RDF."""
    return RESULTS if form in ("SELECT", "ASK") else GRAPHS


def choose(formats: tuple[Format, ...], accept: str | None, names: list[str]) -> Format:
    """The format to answer in: the first known `format=` value, else the Accept header's best.

    `SparqlError(406)` lists what we offer when nothing asked for is available.
    """
    wanted = [n.strip().lower() for n in names if n.strip()]
    if wanted:
        for name in wanted:
            for f in formats:
                if name in f.names:
                    return f
        raise SparqlError(
            406, f"No format {wanted[0]!r} for this kind of result; use one of: {_names(formats)}."
        )
    found = negotiate(formats, accept)
    if found is None:
        raise SparqlError(
            406, f"Nothing in 'Accept: {accept}' is available here; we offer: {_types(formats)}."
        )
    return found


@lru_cache(maxsize=1024)
def negotiate(formats: tuple[Format, ...], accept: str | None) -> Format | None:
    """The format with the highest q in `accept` (our order breaks ties), None if q is 0 for all."""
    if not accept or not accept.strip():
        return formats[0]
    ranges = parse_accept(accept)
    return most_wanted(formats, lambda f: _quality(ranges, f))


def _quality(ranges: list[MediaRange], f: Format) -> float:
    """q of the most specific range naming `f`: any of its types exactly, else its own type's
    `type/*`, else `*/*` (aliases match only exactly: `text/*` is no request for SPARQL XML)."""
    main, _, sub = f.media_type.partition("/")
    best_specificity, q = -1, 0.0
    for r in ranges:
        r_main, r_sub, r_q = r.type, r.subtype, r.q
        if f"{r_main}/{r_sub}" in f.media_types:
            specificity = 2
        elif r_main == main and r_sub == "*":
            specificity = 1
        elif r_main == "*" and r_sub == "*":
            specificity = 0
        else:
            continue
        if specificity > best_specificity or (specificity == best_specificity and r_q > q):
            best_specificity, q = specificity, r_q
    return q


def _names(formats: tuple[Format, ...]) -> str:
    return ", ".join(f.names[0] for f in formats)


def _types(formats: tuple[Format, ...]) -> str:
    return ", ".join(f.media_type for f in formats)
