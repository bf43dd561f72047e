"""Real clients against the real server: SPARQLWrapper and rdflib's SPARQLStore."""

from __future__ import annotations

import warnings

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, TSV, TURTLE, XML, SPARQLWrapper


# These tests need a real server (a client's own sockets, processes, concurrency).
@pytest.fixture(scope="module")
def endpoint(live_endpoint: str) -> str:
    return live_endpoint


@pytest.fixture(scope="module")
def base(live_base: str) -> str:
    return live_base

SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
ORG = rdflib.Namespace("http://www.w3.org/ns/org#")


def wrapper(endpoint: str, query: str, fmt: str, method: str | None = None) -> SPARQLWrapper:
    sparql = SPARQLWrapper(endpoint)
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    if method:
        sparql.setMethod(method)
    return sparql


def sub_units_query(base: str) -> str:
    return (
        f"PREFIX org: <{ORG}> PREFIX skos: <{SKOS}>\n"
        f"SELECT ?unit ?name WHERE {{ ?unit org:subOrganizationOf <{base}id/unit/ssm> ; "
        'skos:prefLabel ?name FILTER(lang(?name) = "es") } ORDER BY ?name'
    )


EXPECTED = ["Departamento de Seguridad Pública", "Secretaría Ejecutiva de la CICAD"]


@pytest.mark.parametrize("method", [None, POST])
def test_sparqlwrapper_select_json(endpoint, base, method):
    result = wrapper(endpoint, sub_units_query(base), JSON, method).queryAndConvert()
    assert [b["name"]["value"] for b in result["results"]["bindings"]] == EXPECTED
    assert result["results"]["bindings"][0]["unit"]["value"] == f"{base}id/unit/dsp"


def test_sparqlwrapper_select_xml(endpoint, base):
    doc = wrapper(endpoint, sub_units_query(base), XML).queryAndConvert()  # a minidom Document
    literals = [n.firstChild.data for n in doc.getElementsByTagName("literal")]
    assert literals == EXPECTED


@pytest.mark.parametrize("fmt", [CSV, TSV])
def test_sparqlwrapper_select_csv_tsv(endpoint, base, fmt):
    text = wrapper(endpoint, sub_units_query(base), fmt).queryAndConvert().decode()
    assert all(name in text for name in EXPECTED)


def test_sparqlwrapper_ask(endpoint, base):
    ask = f"ASK {{ <{base}id/unit/oid> <{ORG}subOrganizationOf> <{base}id/unit/se-cicad> }}"
    assert wrapper(endpoint, ask, JSON).queryAndConvert()["boolean"] is True
    doc = wrapper(endpoint, ask, XML).queryAndConvert()
    assert doc.getElementsByTagName("boolean")[0].firstChild.data == "true"


@pytest.mark.parametrize("fmt", [XML, TURTLE, N3, JSONLD])
def test_sparqlwrapper_construct(endpoint, base, fmt):
    unit = rdflib.URIRef(f"{base}id/unit/ssm")
    query = f"CONSTRUCT {{ <{unit}> ?p ?o }} WHERE {{ <{unit}> ?p ?o }}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        result = wrapper(endpoint, query, fmt).queryAndConvert()
    graph = (
        result
        if isinstance(result, rdflib.Graph)
        else rdflib.Graph().parse(
            data=result, format={TURTLE: "turtle", N3: "turtle", JSONLD: "json-ld"}[fmt]
        )
    )
    assert (unit, SKOS.altLabel, rdflib.Literal("SSM", lang="es")) in graph
    assert (unit, ORG.hasSubOrganization, rdflib.URIRef(f"{base}id/unit/dsp")) in graph


def test_sparqlwrapper_describe(endpoint, base):
    unit = rdflib.URIRef(f"{base}id/unit/dsp")
    graph = wrapper(endpoint, f"DESCRIBE <{unit}>", XML).queryAndConvert()
    assert (unit, ORG.subOrganizationOf, rdflib.URIRef(f"{base}id/unit/ssm")) in graph


def test_rdflib_sparqlstore(endpoint, base):
    graph = rdflib.Graph(store=SPARQLStore(endpoint, returnFormat="json"))
    rows = graph.query(sub_units_query(base))
    assert [str(row.name) for row in rows] == EXPECTED
    unit = rdflib.URIRef(f"{base}id/unit/ssm")
    labels = set(graph.objects(unit, SKOS.prefLabel))
    assert rdflib.Literal("Secretaría de Seguridad Multidimensional", lang="es") in labels
    assert graph.query(f"ASK {{ <{unit}> ?p ?o }}").askAnswer is True
    xml_store = rdflib.Graph(store=SPARQLStore(endpoint))  # its default: SPARQL XML
    assert len(list(xml_store.triples((unit, None, None)))) >= 8
