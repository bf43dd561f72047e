"""Content negotiation rules, as pure functions (the HTTP tests check them end to end)."""

import pytest
from oas_ssm.server.conneg import best_language, negotiate
from oas_ssm.server.documents import FORMATS, offers

OFFERS, BY_MEDIA = offers(FORMATS)
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


def chosen(accept):
    media = negotiate(accept, OFFERS)
    return BY_MEDIA[media].key if media else None


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "ttl"),  # no Accept: RDF (Turtle), per the W3C recipes
        ("", "ttl"),
        ("*/*", "ttl"),
        ("text/*", "ttl"),
        (BROWSER, "html"),
        ("application/xhtml+xml", "html"),
        ("text/turtle", "ttl"),
        ("application/x-turtle", "ttl"),
        ("application/ld+json", "jsonld"),
        ("application/json", "jsonld"),
        ("application/rdf+xml", "rdf"),
        ("application/n-triples", "nt"),
        ("application/xml", "rdf"),  # generic types, as the SPARQL endpoint reads them
        ("text/xml", "rdf"),
        ("text/plain", "nt"),
        ("text/plain;q=0.5, application/xml;q=0.4", "nt"),
        ("text/turtle;q=0.5, application/ld+json", "jsonld"),
        ("text/turtle;q=0.9, application/rdf+xml;q=0.95", "rdf"),
        ("application/ld+json;q=0.4, */*;q=0.5", "ttl"),  # */* outranks the lower JSON-LD
        ("*/*;q=0.1, text/turtle;q=0", "jsonld"),  # q=0 means "not this one"
        ("text/html;q=0.1, application/n-triples", "nt"),
        ("TEXT/Turtle; charset=utf-8", "ttl"),
        ("image/png", None),
        ("text/csv, application/pdf;q=0.5", None),
        ("garbage", "ttl"),  # nothing parsable is no constraint at all
    ],
)
def test_negotiation(accept, expected):
    assert chosen(accept) == expected


def test_ties_go_to_server_preference():
    assert chosen("application/n-triples, text/turtle") == "ttl"
    assert chosen("text/html, application/ld+json") == "jsonld"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "es"),
        ("en-US,en;q=0.9", "en"),
        ("fr, en;q=0.5, es;q=0.8", "es"),
        ("de", "es"),
        ("en;q=0.2, es;q=0.1", "en"),
    ],
)
def test_language(header, expected):
    assert best_language(header, ("es", "en")) == expected
