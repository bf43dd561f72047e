"""VoID + DCAT, the sitemap and the dumps."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID, XSD

# The EU licence authority's IRI for CC BY 4.0 (DCAT-AP's controlled vocabulary).
CC_BY = URIRef("http://publications.europa.eu/resource/authority/licence/CC_BY_4_0")


def get(url: str, accept: str | None = None) -> requests.Response:
    r = requests.get(url, headers={"Accept": accept}, timeout=30)
    r.raise_for_status()
    return r


@pytest.fixture(scope="module")
def void(annex_server) -> Graph:
    return Graph().parse(
        data=get(annex_server.url + "void", "text/turtle").content, format="turtle"
    )


@pytest.fixture(scope="module")
def asserted(annex_server) -> Graph:
    return Graph().parse(data=get(annex_server.url + "dumps/ssm.nt").content, format="nt")


def test_void_describes_the_dataset(annex_server, void, asserted):
    base = annex_server.base
    ds = URIRef(base + "id/dataset/ssm")
    assert (ds, RDF.type, VOID.Dataset) in void and (ds, RDF.type, DCAT.Dataset) in void
    assert (ds, DCTERMS.license, CC_BY) in void
    assert (ds, VOID.sparqlEndpoint, URIRef(base + "sparql")) in void
    assert void.value(ds, VOID.triples) == Literal(len(asserted), datatype=XSD.integer)
    dumps = set(void.objects(ds, VOID.dataDump))
    assert {URIRef(base + f"dumps/ssm.{e}") for e in ("ttl", "nt", "jsonld")} == dumps
    assert void.value(ds, DCTERMS.title) is not None
    downloads = {void.value(d, DCAT.downloadURL) for d in void.objects(ds, DCAT.distribution)}
    assert URIRef(base + "dumps/ssm-entailed.ttl") in downloads
    service = void.value(predicate=DCAT.servesDataset, object=ds)
    assert void.value(service, DCAT.endpointURL) == URIRef(base + "sparql")


def test_void_class_partitions_count_the_data(void, asserted, annex_server):
    ds = URIRef(annex_server.base + "id/dataset/ssm")
    counts = Counter(o for o in asserted.objects(None, RDF.type))
    partitions = {
        void.value(p, VOID["class"]): void.value(p, VOID.entities).toPython()
        for p in void.objects(ds, VOID.classPartition)
    }
    assert partitions == dict(counts)


def test_void_everywhere(annex_server, void):
    from rdflib.namespace import RDF as _RDF  # noqa: F401

    for path in ("void", ".well-known/void", "doc/dataset/ssm.ttl"):
        r = get(annex_server.url + path, "text/turtle")
        assert r.headers["Content-Location"] == "/doc/dataset/ssm.ttl"
        assert isomorphic(Graph().parse(data=r.content, format="turtle"), void)
    r = get(annex_server.url + ".well-known/void", "application/ld+json")
    assert isomorphic(Graph().parse(data=r.content, format="json-ld"), void)
    redirect = requests.get(annex_server.url + "id/dataset/ssm", allow_redirects=False, timeout=10)
    assert redirect.status_code == 303 and redirect.headers["Location"] == "/doc/dataset/ssm.ttl"


def test_sitemap_lists_every_document(annex_server, asserted):
    r = get(annex_server.url + "sitemap.xml")
    assert r.headers["Content-Type"].startswith("application/xml")
    locs = re.findall(r"<loc>([^<]+)</loc>", r.text)
    assert len(locs) == len(set(locs))
    base = annex_server.base
    things = {str(t) for t in asserted.all_nodes() if str(t).startswith(base + "id/")}
    expected = {base + "doc/" + t[len(base + "id/") :] for t in things}
    assert expected <= set(locs)
    assert base + "def/ssm.html" in locs  # the ontology IRI itself is a 303
    session = requests.Session()
    for loc in locs:
        url = annex_server.http(loc)
        assert session.head(url, timeout=10).status_code == 200, loc


@pytest.mark.parametrize(
    ("stem", "ext", "media", "parser"),
    [
        (stem, ext, media, parser)
        for stem in ("ssm", "ssm-entailed")
        for ext, media, parser in (
            ("ttl", "text/turtle", "turtle"),
            ("nt", "application/n-triples", "nt"),
            ("jsonld", "application/ld+json", "json-ld"),
        )
    ],
)
def test_dumps(annex_server, asserted, stem, ext, media, parser):
    r = get(f"{annex_server.url}dumps/{stem}.{ext}")
    assert r.headers["Content-Type"].startswith(media)
    assert r.headers["ETag"] and r.headers["Access-Control-Allow-Origin"] == "*"
    g = Graph().parse(data=r.content, format=parser)
    if stem == "ssm":
        assert isomorphic(g, asserted)
    else:
        assert len(g) > len(asserted) and all(t in g for t in asserted)
        org = "http://www.w3.org/ns/org#"
        assert (None, URIRef(org + "hasSubOrganization"), None) in g
    again = requests.get(
        f"{annex_server.url}dumps/{stem}.{ext}",
        headers={"If-None-Match": r.headers["ETag"]},
        timeout=10,
    )
    assert again.status_code == 304


def graph_names(annex_server) -> set[str]:
    """The named graphs the SPARQL service description lists."""
    from rdflib import Namespace

    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    r = get(annex_server.url + "sparql", "text/turtle")
    g = Graph().parse(data=r.content, format="turtle")
    return {str(name) for name in g.objects(None, sd.name)}


@pytest.mark.parametrize(
    ("name", "accept", "location"),
    [
        ("asserted", None, "/dumps/ssm.ttl"),
        ("asserted", "text/turtle", "/dumps/ssm.ttl"),
        ("asserted", "application/ld+json", "/dumps/ssm.jsonld"),
        ("asserted", "application/json", "/dumps/ssm.jsonld"),
        ("asserted", "application/n-triples", "/dumps/ssm.nt"),
        ("asserted", "text/plain", "/dumps/ssm.nt"),
        ("asserted", "text/html", "/doc/dataset/ssm.html"),
        ("entailed", "text/turtle", "/dumps/ssm-entailed.ttl"),
        ("entailed", "application/n-triples;q=0.9, text/turtle;q=0.5", "/dumps/ssm-entailed.nt"),
        ("ontology", "text/turtle", "/def/ssm.ttl"),
        ("ontology", "application/rdf+xml", "/def/ssm.rdf"),
        ("ontology", "text/html", "/def/ssm.html"),
        ("metadata", "text/turtle", "/void"),
        ("metadata", "application/ld+json", "/void"),
    ],
)
def test_graph_names_dereference(annex_server, name, accept, location):
    iri = annex_server.base + "graph/" + name
    assert iri in graph_names(annex_server)
    r = requests.get(annex_server.http(iri), headers={"Accept": accept}, allow_redirects=False,
                     timeout=10)  # fmt: skip
    assert r.status_code == 303 and r.headers["Location"] == location
    assert "Accept" in r.headers["Vary"]
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    d = requests.get(annex_server.url.rstrip("/") + location, headers={"Accept": accept},
                     timeout=30)  # fmt: skip
    assert d.status_code == 200 and d.content


def test_graph_documents_hold_the_graphs(annex_server, asserted, void):
    """Every listed graph name leads to the triples of that graph (the entailed one together
    with the asserted triples it follows from); each release's graph is listed too."""
    listed = graph_names(annex_server)
    releases = {n for n in listed if "/graph/release/" in n}
    assert annex_server.base + "graph/release/1.0.0" in releases
    for iri in releases:  # a release's graph name leads to that release's dump
        r = requests.get(annex_server.http(iri), headers={"Accept": "text/turtle"},
                         allow_redirects=False, timeout=10)  # fmt: skip
        assert r.status_code == 303 and "/dumps/ssm.ttl" in r.headers["Location"]
    names = listed - releases
    assert len(names) == 4
    documents = {}
    for iri in sorted(names):
        r = requests.get(annex_server.http(iri), headers={"Accept": "text/turtle"}, timeout=10)
        assert r.history and r.history[0].status_code == 303
        g = Graph().parse(data=r.content, format="turtle")
        documents[iri.rsplit("/", 1)[1]] = g
    assert isomorphic(documents["asserted"], asserted)
    assert len(documents["entailed"]) > len(asserted)
    assert all(t in documents["entailed"] for t in asserted)
    ontology = URIRef(annex_server.base + "def/ssm")
    assert (ontology, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Ontology")) in documents[
        "ontology"
    ]
    assert isomorphic(documents["metadata"], void)


def test_unknown_graph_and_unacceptable_formats(annex_server):
    r = requests.get(annex_server.url + "graph/secret", timeout=10)
    assert r.status_code == 404
    r = requests.get(annex_server.url + "graph/asserted", headers={"Accept": "image/png"},
                     timeout=10)  # fmt: skip
    assert r.status_code == 406 and "/dumps/ssm.nt" in r.text and "Accept" in r.headers["Vary"]
