"""Content negotiation: Accept with q-values, `format=` for links and SPARQLWrapper, 406."""

from __future__ import annotations

import pytest
from oas_ssm.server.sparql.errors import SparqlError
from oas_ssm.server.sparql.formats import GRAPHS, RESULTS, choose

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


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
    assert choose(RESULTS, accept, []).key == key


@pytest.mark.parametrize(
    ("accept", "key"),
    [
        (None, "turtle"),
        ("application/ld+json", "jsonld"),
        ("application/rdf+xml", "rdfxml"),
        ("application/n-triples", "ntriples"),
        ("application/turtle,text/turtle,text/rdf+n3,application/n-triples,text/n3", "turtle"),
        (BROWSER, "html"),
    ],
)
def test_graph_results(accept, key):
    assert choose(GRAPHS, accept, []).key == key


def test_format_parameter_wins_and_takes_the_first_known_value():
    assert choose(RESULTS, "text/csv", ["json"]).key == "json"
    # SPARQLWrapper sends format=tsv&format=text/tab-separated-values
    assert choose(RESULTS, None, ["tsv", "text/tab-separated-values"]).key == "tsv"
    assert choose(GRAPHS, None, ["xml"]).key == "rdfxml"
    assert choose(GRAPHS, None, ["json"]).key == "jsonld"
    assert choose(GRAPHS, None, ["", "n3"]).key == "turtle"


def test_nothing_acceptable_is_406():
    with pytest.raises(SparqlError) as info:
        choose(RESULTS, "image/png", [])
    assert info.value.status == 406 and "application/sparql-results+json" in info.value.message
    with pytest.raises(SparqlError) as info:
        choose(RESULTS, None, ["turtle"])
    assert info.value.status == 406
    with pytest.raises(SparqlError):
        choose(RESULTS, "application/sparql-results+json;q=0", [])
