"""`--base-uri`: every IRI under the canonical base is served, and dereferences, under another."""

from __future__ import annotations

import requests
from pyoxigraph import Literal, NamedNode
from rdflib import Graph

from server.rewrite import XSD_ANY_URI, Rewriter

CANONICAL = "https://w3id.org/oas-ssm/"


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


def test_served_documents_use_the_new_base(rewritten_server):
    g = Graph().parse(rewritten_server.base + "id/unit/ssm")  # rdflib: conneg and 303
    assert len(g) > 10
    assert all(CANONICAL not in str(term) for triple in g for term in triple)
    void = requests.get(rewritten_server.url + "void", timeout=10).text
    assert f"<{rewritten_server.base}sparql>" in void


def test_mounted_under_a_path(launch_server):
    with launch_server(workers=1, base_uri="http://127.0.0.1:{port}/ssm/") as server:
        base = server.base
        assert requests.get(server.url + "ssm/void", timeout=10).status_code == 200
        r = requests.get(base + "id/unit/ssm", allow_redirects=False, timeout=10)
        assert r.status_code == 303 and r.headers["Location"] == "/ssm/doc/unit/ssm.ttl"
        g = Graph().parse(base + "id/unit/ssm")
        assert any(str(s) == base + "id/unit/ssm" for s in g.subjects())
        assert requests.get(server.url + "id/unit/ssm", timeout=10).status_code == 404


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
