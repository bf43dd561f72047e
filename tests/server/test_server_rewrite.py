"""`--base-uri`: every IRI under the canonical base is served, and dereferences, under another."""

from __future__ import annotations

import requests
from oas_ssm.server.rewrite import XSD_ANY_URI, Rewriter
from pyoxigraph import Literal, NamedNode, Quad
from rdflib import Graph, URIRef
from rdflib import Literal as RdfLiteral

CANONICAL = "https://w3id.org/oas-ssm/"
VOID = "http://rdfs.org/ns/void#"


def test_every_iri_dereferences(rewritten_server):
    base = rewritten_server.base
    dump = requests.get(rewritten_server.url + "dumps/ssm-entailed.nt", timeout=30).text
    assert CANONICAL not in dump
    iris = set()
    for line in dump.splitlines():
        for iri in line.split("<")[1:]:
            iri = iri.split(">", 1)[0]
            if iri.startswith((base + "id/", base + "def/")):
                iris.add(iri.split("#", 1)[0])
    assert len(iris) > 10
    session = requests.Session()
    for iri in sorted(iris):
        r = session.get(iri, headers={"Accept": "application/n-triples"}, timeout=10)
        assert r.status_code == 200, iri
        assert r.history == [] or r.history[0].status_code == 303
        assert f"<{iri}>" in r.text, iri


def test_served_documents_use_the_new_base(live_server):
    """rdflib, a real client over a real server: conneg, the 303, the rewritten IRIs."""
    g = Graph().parse(live_server.base + "id/unit/ssm")
    assert len(g) > 10
    assert all(CANONICAL not in str(term) for triple in g for term in triple)
    void = requests.get(live_server.url + "void", timeout=10).text
    assert f"<{live_server.base}sparql>" in void


def test_mounted_under_a_path(launch_server):
    with launch_server(workers=1, base_uri="http://127.0.0.1:{port}/ssm/") as server:
        base = server.base
        assert requests.get(server.url + "ssm/void", timeout=10).status_code == 200
        r = requests.get(base + "id/unit/ssm", allow_redirects=False, timeout=10)
        assert r.status_code == 303 and r.headers["Location"] == "/ssm/doc/unit/ssm.ttl"
        g = Graph().parse(base + "id/unit/ssm")
        assert any(str(s) == base + "id/unit/ssm" for s in g.subjects())
        assert requests.get(server.url + "id/unit/ssm", timeout=10).status_code == 404
        # outside the mount point too, an error is negotiated and says so
        for accept, media in (("text/turtle", "text/plain"), ("text/html", "text/html")):
            r = requests.get(server.url + "id/unit/ssm", headers={"Accept": accept}, timeout=10)
            assert r.status_code == 404 and r.headers["Content-Type"].startswith(media)
            assert "Accept" in [v.strip() for v in r.headers["Vary"].split(",")]


def test_namespace_strings_follow_the_served_base(rewritten_server):
    """`vann:preferredNamespaceUri` names where the terms are: it is rewritten with them; any
    other string (a citation of the persistent IRI) is data and stays."""
    base = rewritten_server.base
    g = Graph().parse(data=requests.get(rewritten_server.url + "def/ssm.nt", timeout=10).text,
                      format="nt")  # fmt: skip
    vann = URIRef("http://purl.org/vocab/vann/preferredNamespaceUri")
    assert list(g.objects(None, vann)) == [RdfLiteral(base + "def/ssm#")]
    citations = list(g.objects(None, URIRef("http://purl.org/dc/terms/bibliographicCitation")))
    assert citations and all(CANONICAL + "def/ssm/1.0.0" in str(c) for c in citations)
    r = requests.get(rewritten_server.url + "void", headers={"Accept": "text/turtle"}, timeout=10)
    void = Graph().parse(data=r.text, format="turtle")
    assert RdfLiteral(base + "id/") in set(void.objects(None, URIRef(VOID + "uriSpace")))


def test_rewriter_namespace_literals():
    rw = Rewriter(CANONICAL, "http://localhost:8000/")
    ont = NamedNode(CANONICAL + "def/ssm")
    vann = NamedNode("http://purl.org/vocab/vann/preferredNamespaceUri")
    cite = NamedNode("http://purl.org/dc/terms/bibliographicCitation")
    quads = [
        Quad(ont, vann, Literal(CANONICAL + "def/ssm#")),
        Quad(ont, NamedNode(VOID + "uriSpace"), Literal(CANONICAL + "id/", language="en")),
        Quad(ont, cite, Literal("Ontology. " + CANONICAL + "def/ssm/1.0.0")),
        Quad(ont, vann, Literal("http://example.org/ns#")),
    ]
    out = [q.object for q in rw.quads(quads)]
    assert out == [
        Literal("http://localhost:8000/def/ssm#"),
        Literal("http://localhost:8000/id/", language="en"),
        Literal("Ontology. " + CANONICAL + "def/ssm/1.0.0"),
        Literal("http://example.org/ns#"),
    ]


def test_rewriter_terms_and_text():
    rw = Rewriter(CANONICAL, "http://localhost:8000/")
    assert rw.iri(CANONICAL + "id/unit/ssm") == "http://localhost:8000/id/unit/ssm"
    assert rw.iri("http://www.w3.org/ns/org#Post") == "http://www.w3.org/ns/org#Post"
    assert rw.term(NamedNode(CANONICAL + "def/ssm#Function")) == NamedNode(
        "http://localhost:8000/def/ssm#Function"
    )
    lit = Literal(CANONICAL + "id/", datatype=XSD_ANY_URI)
    assert rw.term(lit).value == "http://localhost:8000/id/"
    assert rw.term(Literal(CANONICAL + "id/")) == Literal(CANONICAL + "id/")  # plain text stays
    query = f"PREFIX ssm: <{CANONICAL}def/ssm#> SELECT * {{ <{CANONICAL}id/unit/ssm> ?p ?o }}"
    served = rw.to_served(query)
    assert CANONICAL not in served and "<http://localhost:8000/id/unit/ssm>" in served
    assert rw.to_canonical(served) == query


def test_rewriter_when_one_base_extends_the_other():
    rw = Rewriter(CANONICAL, CANONICAL + "dev/")
    text = f"<{CANONICAL}id/a> <{CANONICAL}dev/id/b>"
    assert rw.to_served(text) == f"<{CANONICAL}dev/id/a> <{CANONICAL}dev/id/b>"
    assert Rewriter(CANONICAL, CANONICAL).to_served(text) == text
