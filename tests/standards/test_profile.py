"""The data profile: the shapes at /def/shapes, described with PROF, cited by the dataset."""

from __future__ import annotations

import pytest
from oas_ssm.paths import SHAPES_DIR
from oas_ssm.server.profile import PROFILE_PATH
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, SH

PROF = Namespace("http://www.w3.org/ns/dx/prof/")
ROLE = Namespace("http://www.w3.org/ns/dx/prof/role/")
CANONICAL = "https://w3id.org/oas-ssm/"


@pytest.fixture(scope="module")
def profile_client(client):
    return client


@pytest.fixture(scope="module")
def served(profile_client) -> Graph:
    r = profile_client.get(f"/{PROFILE_PATH}.ttl")
    assert r.status_code == 200 and r.mimetype == "text/turtle"
    return Graph().parse(data=r.data, format="turtle")


@pytest.mark.parametrize("accept, ext", [
    (None, "ttl"), ("*/*", "ttl"), ("text/turtle", "ttl"), ("application/ld+json", "jsonld"),
    ("application/rdf+xml", "rdf"), ("application/n-triples", "nt"),
    ("text/html,application/xhtml+xml;q=0.9,*/*;q=0.8", "html"),
])
def test_profile_iri_negotiates(profile_client, accept, ext):
    r = profile_client.get(f"/{PROFILE_PATH}", headers={"Accept": accept} if accept else {})
    assert r.status_code == 303
    assert r.headers["Location"] == f"/{PROFILE_PATH}.{ext}"
    assert "Accept" in r.headers["Vary"]


def test_unacceptable_and_unknown(profile_client):
    r = profile_client.get(f"/{PROFILE_PATH}", headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert profile_client.get(f"/{PROFILE_PATH}.exe").status_code == 404


@pytest.mark.parametrize("ext, fmt", [("jsonld", "json-ld"), ("rdf", "xml"), ("nt", "nt")])
def test_every_format_holds_the_same_graph(profile_client, served, ext, fmt):
    from rdflib.compare import isomorphic

    r = profile_client.get(f"/{PROFILE_PATH}.{ext}")
    assert r.status_code == 200
    assert isomorphic(Graph().parse(data=r.data, format=fmt), served)


def test_every_shape_is_served_under_the_served_base(served, dataset):
    local = Graph()
    for path in SHAPES_DIR.glob("*.ttl"):
        local.parse(path)
    ours = {s for s in local.subjects(RDF.type, None)
            if isinstance(s, URIRef) and str(s).startswith(CANONICAL)}
    assert ours
    for s in ours:
        assert (URIRef(dataset.base + str(s)[len(CANONICAL):]), None, None) in served, s


def test_dataset_conforms_to_the_profile_and_the_profile_says_how(client, served, dataset):
    void = Graph().parse(data=client.get("/void", headers={"Accept": "text/turtle"}).data,
                         format="turtle")
    profile = URIRef(dataset.base + PROFILE_PATH)
    ds = URIRef(dataset.dataset_iri)
    assert (ds, DCTERMS.conformsTo, profile) in void
    for graph in (void, served):
        assert (profile, RDF.type, PROF.Profile) in graph
        roles = {graph.value(r, PROF.hasRole): graph.value(r, PROF.hasArtifact)
                 for r in graph.objects(profile, PROF.hasResource)}
        assert roles[ROLE.validation] == URIRef(dataset.base + PROFILE_PATH + ".ttl")
        assert roles[ROLE.vocabulary] == URIRef(dataset.base + "def/ssm.ttl")


def test_html_lists_each_shape_with_its_messages(profile_client, served, dataset):
    page = profile_client.get(f"/{PROFILE_PATH}.html", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    from html import unescape

    html = unescape(page.data.decode())
    ns = dataset.base + PROFILE_PATH + "#"
    shapes = {s for kind in (SH.NodeShape, SH.PropertyShape)
              for s in served.subjects(RDF.type, kind) if str(s).startswith(ns)}
    assert len(shapes) > 40
    for s in shapes:
        assert f'id="{str(s)[len(ns):]}"' in html, s
        for message in served.objects(s, SH.message):
            assert str(message) in html, (s, message)
