"""Content negotiation: one rule (server.conneg.negotiate) for documents, SPARQL results and
errors, plus `format=` for SPARQL links and SPARQLWrapper, and the page language."""

from __future__ import annotations

import pytest
from oas_ssm.server.conneg import negotiate, page_language
from oas_ssm.server.formats import DOCUMENT_FORMATS, GRAPH_RESULTS, SOLUTION_RESULTS
from oas_ssm.server.sparql.endpoint import choose
from oas_ssm.server.sparql.errors import SparqlError

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


def chosen(accept, offers=DOCUMENT_FORMATS):
    fmt = negotiate(accept, offers)
    return fmt.key if fmt else None


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
def test_documents(accept, expected):
    assert chosen(accept) == expected


def test_ties_go_to_server_preference():
    assert chosen("application/n-triples, text/turtle") == "ttl"
    assert chosen("text/html, application/ld+json") == "jsonld"
    assert chosen("*/*, text/html") == "ttl"  # werkzeug's best_match would say html


@pytest.mark.parametrize(
    ("accept", "key"),
    [
        (None, "json"),
        ("*/*", "json"),
        ("application/sparql-results+xml", "xml"),
        ("text/csv;q=0.5, text/tab-separated-values", "tsv"),
        ("text/csv;q=0.5, text/tab-separated-values;q=0.4", "csv"),
        ("application/json", "json"),
        ("text/*", "csv"),
        (BROWSER, "html"),
        ("application/sparql-results+json;q=0.1, */*;q=0.5", "xml"),
    ],
)
def test_select_results(accept, key):
    assert choose(SOLUTION_RESULTS, accept, []).key == key


@pytest.mark.parametrize(
    ("accept", "key"),
    [
        (None, "ttl"),
        ("application/ld+json", "jsonld"),
        ("application/rdf+xml", "rdf"),
        ("application/n-triples", "nt"),
        ("application/turtle,text/turtle,text/rdf+n3,application/n-triples,text/n3", "ttl"),
        (BROWSER, "html"),
    ],
)
def test_graph_results(accept, key):
    assert choose(GRAPH_RESULTS, accept, []).key == key


def test_format_parameter_wins_and_takes_the_first_known_value():
    assert choose(SOLUTION_RESULTS, "text/csv", ["json"]).key == "json"
    # SPARQLWrapper sends format=tsv&format=text/tab-separated-values
    assert choose(SOLUTION_RESULTS, None, ["tsv", "text/tab-separated-values"]).key == "tsv"
    assert choose(GRAPH_RESULTS, None, ["xml"]).key == "rdf"
    assert choose(GRAPH_RESULTS, None, ["json"]).key == "jsonld"
    assert choose(GRAPH_RESULTS, None, ["", "n3"]).key == "ttl"
    assert choose(GRAPH_RESULTS, None, ["turtle"]).key == "ttl"


def test_nothing_acceptable_is_406():
    with pytest.raises(SparqlError) as info:
        choose(SOLUTION_RESULTS, "image/png", [])
    assert info.value.status == 406 and "application/sparql-results+json" in info.value.message
    with pytest.raises(SparqlError) as info:
        choose(SOLUTION_RESULTS, None, ["turtle"])
    assert info.value.status == 406
    with pytest.raises(SparqlError):
        choose(SOLUTION_RESULTS, "application/sparql-results+json;q=0", [])


@pytest.mark.parametrize(
    ("cookie", "header", "expected"),
    [
        (None, None, "es"),
        (None, "en-US,en;q=0.9", "en"),
        (None, "fr, en;q=0.5, es;q=0.8", "es"),
        (None, "de", "es"),
        (None, "en;q=0.2, es;q=0.1", "en"),
        ("lang=en", "es", "en"),  # the reader's choice beats the browser's
        ("other=1; lang=es", "en", "es"),
        ("lang=xx", "en", "en"),  # an unknown choice is no choice
    ],
)
def test_page_language(cookie, header, expected):
    assert page_language(cookie, header) == expected
