"""Serving the releases: Memento (RFC 7089), versioned documents and dumps, the TimeMap, the
release named graphs for SPARQL, the Atom feed, VoID and the history on pages.

A second release is built here, in a temporary folder, from a changed copy of the graph
(DSP renamed, the Anti-Money Laundering Section moved to S/CICTE, function III.B.6 removed, a new
section added);
the application is the server's own (`create_app`) over that folder of releases."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from oas_ssm import release as rel
from oas_ssm.paths import DATA, ONTOLOGY, RELEASES
from oas_ssm.server.app import create_app
from oas_ssm.server.config import Config
from oas_ssm.server.dataset import Dataset
from oas_ssm.server.release_archive import page_history
from oas_ssm.server.releases import archive_of
from pyoxigraph import NamedNode
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, SKOS

BASE = "http://localhost/"
CANONICAL = "https://w3id.org/oas-ssm/"
ORG = "http://www.w3.org/ns/org#"
OLD_NAME, NEW_NAME = "Departamento de Seguridad Pública", "Departamento de Seguridad Ciudadana"
NEW_UNIT = "seccion-de-prueba"


def changed_copy(path: Path) -> Path:
    """The committed graph, amended: what a second release could look like."""
    g = Graph().parse(DATA)
    unit = lambda slug: URIRef(CANONICAL + "id/unit/" + slug)  # noqa: E731
    g.remove((unit("dsp"), SKOS.prefLabel, Literal(OLD_NAME, lang="es")))
    g.add((unit("dsp"), SKOS.prefLabel, Literal(NEW_NAME, lang="es")))
    aml = unit("seccion-antilavado-activos")
    g.remove((aml, URIRef(ORG + "subOrganizationOf"), None))
    g.add((aml, URIRef(ORG + "subOrganizationOf"), unit("s-cicte")))
    f = URIRef(CANONICAL + "id/function/III-B-6")
    g.remove((f, None, None))
    g.remove((None, None, f))
    new = unit(NEW_UNIT)
    g.add((new, RDF.type, URIRef(CANONICAL + "def/ssm#Section")))
    g.add((new, SKOS.prefLabel, Literal("Sección de Prueba", lang="es")))
    g.add((new, URIRef(ORG + "subOrganizationOf"), unit("dsp")))
    g.add((new, PROV.wasDerivedFrom, URIRef(CANONICAL + "id/provision/V-A-1")))
    g.serialize(path, format="turtle", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("releases")
    folder = tmp / "releases"
    changed = changed_copy(tmp / "changed.ttl")
    assert rel.make_release("1.0.0", date(2026, 11, 30), DATA, ONTOLOGY, folder)
    assert rel.make_release("1.1.0", date(2027, 2, 1), changed, ONTOLOGY, folder)
    config = Config(data=changed, releases=folder).with_base(BASE)
    dataset = Dataset.load(config)
    app = create_app(config, dataset)
    return app, dataset, archive_of(dataset, folder)


@pytest.fixture
def client(world):
    return world[0].test_client()


def labels(body: bytes, iri: str, fmt: str = "turtle") -> set[str]:
    g = Graph().parse(data=body, format=fmt)
    return {str(o) for o in g.objects(URIRef(iri), SKOS.prefLabel) if o.language == "es"}


DSP = BASE + "id/unit/dsp"


# -- Memento ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("when", "version", "name"), [
    ("Tue, 15 Dec 2026 12:00:00 GMT", "1.0.0", OLD_NAME),
    ("Mon, 01 Mar 2027 00:00:00 GMT", "1.1.0", NEW_NAME),
    ("Mon, 01 Feb 2027 00:00:00 GMT", "1.1.0", NEW_NAME),  # the day of issue is included
    ("Sun, 31 Jan 2027 23:59:59 GMT", "1.0.0", OLD_NAME),
    ("Fri, 01 Jan 1999 00:00:00 GMT", "1.0.0", OLD_NAME),  # before the first: the first
])  # fmt: skip
def test_memento_client_lands_on_the_version_of_the_date(client, when, version, name):
    """A Memento-aware client: Accept-Datetime on the thing, follow the redirects."""
    first = client.get("/id/unit/dsp", headers={"Accept-Datetime": when, "Accept": "text/turtle"})
    assert first.status_code == 302
    assert "Accept-Datetime" in first.headers["Vary"]
    assert 'rel="timemap"' in first.headers["Link"]
    assert first.headers["Location"] == f"{BASE}release/{version}/doc/unit/dsp"
    final = client.get("/id/unit/dsp", headers={"Accept-Datetime": when, "Accept": "text/turtle"},
                       follow_redirects=True)  # fmt: skip
    assert final.status_code == 200
    assert final.headers["Content-Type"].startswith("text/turtle")
    issued = {"1.0.0": "Mon, 30 Nov 2026", "1.1.0": "Mon, 01 Feb 2027"}[version]
    assert final.headers["Memento-Datetime"] == f"{issued} 00:00:00 GMT"
    assert f'<{DSP}>; rel="original timegate"' in final.headers["Link"]
    assert labels(final.data, DSP) == {name}


def test_timegate_without_accept_datetime_and_bad_dates(client):
    plain = client.get("/id/unit/dsp")
    assert plain.status_code == 303  # the usual answer, with the Memento links
    assert f"<{BASE}timemap/unit/dsp>" in plain.headers["Link"]
    bad = client.get("/id/unit/dsp", headers={"Accept-Datetime": "yesterday"})
    assert bad.status_code == 400 and b"RFC 1123" in bad.data


def test_removed_resource_is_still_answerable_in_the_past(client):
    """III.B.6 is gone in 1.1.0 (and in the served data): 410 Gone, pointing at its TimeMap; its
    1.0.0 version is served."""
    gone = client.get("/id/function/III-B-6")
    assert gone.status_code == 410 and "timemap/function/III-B-6" in gone.text
    assert client.get("/id/function/never-was").status_code == 404
    r = client.get("/id/function/III-B-6", follow_redirects=True,
                   headers={"Accept-Datetime": "Mon, 01 Mar 2027 00:00:00 GMT"})  # fmt: skip
    assert r.status_code == 200 and "1.0.0" in r.request.path
    assert client.get("/release/1.1.0/doc/function/III-B-6.ttl").status_code == 404


def test_timemap(client):
    r = client.get("/timemap/unit/dsp")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/link-format")
    text = r.data.decode()
    assert f'<{DSP}>; rel="original"' in text and f'<{DSP}>; rel="timegate"' in text
    assert f'<{BASE}timemap/unit/dsp>; rel="self"' in text
    assert (f'<{BASE}release/1.0.0/doc/unit/dsp>; rel="first memento"; '
            'datetime="Mon, 30 Nov 2026 00:00:00 GMT"') in text  # fmt: skip
    assert (f'<{BASE}release/1.1.0/doc/unit/dsp>; rel="last memento"; '
            'datetime="Mon, 01 Feb 2027 00:00:00 GMT"') in text  # fmt: skip
    new = client.get(f"/timemap/unit/{NEW_UNIT}").data.decode()
    assert "1.1.0" in new and "1.0.0" not in new and 'rel="first last memento"' in new
    assert client.get("/timemap/unit/no-such-unit").status_code == 404


def test_versioned_documents_and_navigation(client):
    r = client.get("/release/1.0.0/doc/unit/dsp.ttl")
    assert r.status_code == 200 and labels(r.data, DSP) == {OLD_NAME}
    assert r.headers["Memento-Datetime"] == "Mon, 30 Nov 2026 00:00:00 GMT"
    assert "immutable" in r.headers["Cache-Control"]
    assert f'<{BASE}release/1.1.0/doc/unit/dsp>; rel="last next memento"' in r.headers["Link"]
    jsonld = client.get("/release/1.1.0/doc/unit/dsp", headers={"Accept": "application/ld+json"})
    assert jsonld.headers["Vary"] == "Accept"
    assert labels(jsonld.data, DSP, "json-ld") == {NEW_NAME}
    again = client.get("/release/1.0.0/doc/unit/dsp.ttl",
                       headers={"If-None-Match": r.headers["ETag"]})  # fmt: skip
    assert again.status_code == 304
    html = client.get("/release/1.0.0/doc/unit/dsp.html", headers={"Accept-Language": "en"})
    assert html.status_code == 200 and b"Release 1.0.0, issued 2026-11-30" in html.data
    assert OLD_NAME.encode() in html.data
    for bad in ("/release/9.9.9/doc/unit/dsp", "/release/1.0/doc/unit/dsp",
                "/release/1.0.0/doc/unit/no-such-unit", "/release/1.0.0/doc/unit/dsp.exe"):
        assert client.get(bad).status_code == 404, bad
    assert client.get("/release/1.0.0/doc/unit/dsp",
                      headers={"Accept": "image/png"}).status_code == 406  # fmt: skip


def test_versioned_dumps_and_ontology(client, world):
    _, dataset, archive = world
    dump = Graph().parse(data=client.get("/release/1.0.0/dumps/ssm.nt").data, format="nt")
    assert len(dump) == len(Graph().parse(DATA))
    assert (URIRef(DSP), SKOS.prefLabel, Literal(OLD_NAME, lang="es")) in dump  # served base
    onto = client.get("/release/1.1.0/def/ssm.ttl")
    assert onto.status_code == 200 and onto.headers["Memento-Datetime"]
    assert (URIRef(BASE + "def/ssm"), None, None) in Graph().parse(data=onto.data)


# -- SPARQL, feed, VoID, history ----------------------------------------------------------------


def test_sparql_can_query_a_release_as_a_named_graph(client):
    """Through the server's own endpoint (its query processes): each release is a named graph;
    the default graph stays the current data, never mixed with the past."""
    query = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?name {FROM_CLAUSE} "
             f"WHERE {{ <{DSP}> skos:prefLabel ?name FILTER(lang(?name) = 'es') }}")  # fmt: skip

    def rows(q: str) -> list[dict]:
        r = client.get("/sparql", query_string={"query": q},
                       headers={"Accept": "application/sparql-results+json"})  # fmt: skip
        assert r.status_code == 200, r.data
        return r.get_json()["results"]["bindings"]

    def names(from_clause: str) -> set[str]:
        return {b["name"]["value"] for b in rows(query.replace("{FROM_CLAUSE}", from_clause))}

    assert names(f"FROM <{BASE}graph/release/1.0.0>") == {OLD_NAME}
    assert names(f"FROM <{BASE}graph/release/1.1.0>") == {NEW_NAME}
    assert names(f"FROM <{BASE}graph/asserted>") == {NEW_NAME}
    assert names("") == {NEW_NAME}  # the default graph: today's data only
    found = {(b["g"]["value"], b["name"]["value"]) for b in rows(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?g ?name WHERE { GRAPH ?g { "
        f"<{DSP}> skos:prefLabel ?name FILTER(lang(?name) = 'es') }} }}")}  # fmt: skip
    assert (f"{BASE}graph/release/1.0.0", OLD_NAME) in found
    assert (f"{BASE}graph/release/1.1.0", NEW_NAME) in found
    described = client.get("/sparql", headers={"Accept": "text/turtle"}).data.decode()
    assert f"<{BASE}graph/release/1.0.0>" in described  # the service description lists them


def test_atom_feed_lists_each_release_with_its_changes(client):
    r = client.get("/feed.atom")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/atom+xml")
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.fromstring(r.data)
    entries = feed.findall(f"{atom}entry")
    assert [e.findtext(f"{atom}id") for e in entries] == [f"{BASE}release/1.1.0",
                                                          f"{BASE}release/1.0.0"]  # fmt: skip
    newest = entries[0].findtext(f"{atom}content")
    assert "renamed unit:dsp" in newest and NEW_NAME in newest
    assert "moved" in newest and "unit:seccion-antilavado-activos" in newest
    assert "removed" in newest and "function:III-B-6" in newest
    assert f"added “Sección de Prueba” (unit:{NEW_UNIT})" in newest
    related = [link.get("href") for link in entries[0].findall(f"{atom}link")
               if link.get("rel") == "related"]  # fmt: skip
    assert f"{BASE}release/1.1.0/changes.ttl" in related
    changes = Graph().parse(data=client.get("/release/1.1.0/changes.ttl").data, format="turtle")
    about = URIRef(f"{BASE}release/1.1.0/changes")
    assert (about, PROV.used, URIRef(f"{BASE}release/1.0.0")) in changes
    assert (URIRef(f"{BASE}release/1.1.0"), PROV.wasGeneratedBy, about) in changes
    assert (None, RDF.type, URIRef(ORG + "ChangeEvent")) in changes
    assert client.get("/release/1.0.0/changes.ttl").status_code == 404  # the first has none
    md = client.get("/release/1.1.0/changes.md").data.decode()
    assert md.startswith("## ssm diff:") and "### Units" in md


def test_linked_data_event_stream(client, world):
    _, _, archive = world
    r = client.get("/feed.ttl", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    g = Graph().parse(data=r.data, format="turtle")
    ldes, tree = "https://w3id.org/ldes#", "https://w3id.org/tree#"
    stream = URIRef(BASE + "feed.ttl#stream")
    assert (stream, RDF.type, URIRef(ldes + "EventStream")) in g
    assert (stream, URIRef(ldes + "timestampPath"), PROV.endedAtTime) in g
    members = set(g.objects(stream, URIRef(tree + "member")))
    assert len(members) == len(archive.get("1.1.0").diff.changes)
    for m in members:
        assert str(m).startswith(BASE + "release/1.1.0/changes#change-")
        assert g.value(m, PROV.endedAtTime).toPython() == datetime(2027, 2, 1, tzinfo=UTC)
    renamed = [m for m in members if (m, URIRef(ORG + "originalOrganization"), URIRef(DSP)) in g]
    assert renamed, "the DSP's rename is a member, as an org:ChangeEvent"


def test_release_graph_names_and_old_ontology_versions(client, world):
    _, _, archive = world
    r = client.get("/graph/release/1.0.0", headers={"Accept": "application/n-triples"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/release/1.0.0/dumps/ssm.nt")
    assert client.get("/graph/release/3.0.0").status_code == 404
    onto = archive.ontology_version_location(BASE + "def/ssm/1.0.0")
    assert onto == BASE + "release/1.1.0/def/ssm"  # the last release carrying that version
    assert archive.ontology_version_location(BASE + "def/ssm/0.1.0") is None


def test_release_descriptions(client):
    r = client.get("/release/1.1.0", headers={"Accept": "text/turtle"})
    g = Graph().parse(data=r.data, format="turtle")
    assert (URIRef(f"{BASE}release/1.1.0"), PROV.wasRevisionOf,
            URIRef(f"{BASE}release/1.0.0")) in g  # fmt: skip
    page = client.get("/release/1.1.0", headers={"Accept": "text/html", "Accept-Language": "en"})
    assert page.status_code == 200 and "Accept-Language" in page.headers["Vary"]
    assert b'Revision of <a href="/release/1.0.0">1.0.0</a>' in page.data
    assert b"renamed unit:dsp" in page.data
    index = client.get("/release/", headers={"Accept": "text/html"})
    assert index.status_code == 200 and b"1.1.0" in index.data and b"feed.atom" in index.data
    assert client.get("/release/2.0.0").status_code == 404


def test_void_says_which_release_the_data_is(world):
    _, dataset, archive = world
    served = set(dataset.triples("asserted"))
    d = NamedNode(BASE + "id/dataset/ssm")
    found = {(t.predicate.value, getattr(t.object, "value", None))
             for t in archive.void_triples(served) if t.subject == d}  # fmt: skip
    owl, dcat, dct = ("http://www.w3.org/2002/07/owl#", "http://www.w3.org/ns/dcat#",
                      "http://purl.org/dc/terms/")  # fmt: skip
    assert (owl + "versionInfo", "1.1.0") in found
    assert (owl + "versionIRI", BASE + "release/1.1.0") in found
    assert (dct + "issued", "2027-02-01") in found
    assert (str(PROV.wasRevisionOf), BASE + "release/1.0.0") in found
    assert (dcat + "hasVersion", BASE + "release/1.0.0") in found
    # Data changed since the latest release: no version claimed, a revision of the latest.
    unreleased = {(t.predicate.value, getattr(t.object, "value", None))
                  for t in archive.void_triples(set(list(served)[1:])) if t.subject == d}
    assert not any(p == owl + "versionInfo" for p, _ in unreleased)
    assert (str(PROV.wasRevisionOf), BASE + "release/1.1.0") in unreleased


def test_served_void_lists_the_published_releases():
    """The real server's metadata graph names release 1.0.0 as a version of the dataset."""
    dataset = Dataset.load(Config())
    versions = {q.object.value for q in dataset.store.quads_for_pattern(
        NamedNode(dataset.dataset_iri), NamedNode("http://www.w3.org/ns/dcat#hasVersion"), None)}
    assert {r.iri for r in rel.list_releases(RELEASES)} <= versions


def test_history_of_a_unit(world):
    _, dataset, archive = world
    entries = [(h.version, h.action) for h in archive.history(DSP)]
    assert entries[0] == ("1.0.0", "present")
    assert ("1.1.0", "renamed") in entries
    moved = archive.history(BASE + "id/unit/seccion-antilavado-activos")
    assert [h.action for h in moved] == ["present", "moved"]
    assert "unit:s-cicte" in moved[1].summary
    assert [h.action for h in archive.history(BASE + f"id/unit/{NEW_UNIT}")] == ["added"]
    gone = archive.history(BASE + "id/function/III-B-6")
    assert [(h.version, h.action) for h in gone] == [("1.0.0", "present"), ("1.1.0", "removed")]
    items, timemap = page_history(BASE, DSP, "en")
    assert timemap == "/timemap/unit/dsp"  # pages link by path, like the rest of the site
    assert [i.text for i in items] == ["since the first release", "renamed"]
    assert items[0].href == "/release/1.0.0/doc/unit/dsp"


def test_unit_page_shows_its_history(world):
    from oas_ssm.server.web import render_resource_html

    _, dataset, _ = world
    html = render_resource_html(dataset, DSP, "es")
    assert 'id="h-history"' in html
    assert 'href="/release/1.0.0/doc/unit/dsp" rel="memento"' in html
    assert "cambio de nombre" in html and 'href="/timemap/unit/dsp"' in html


def test_home_page_links_the_releases_and_the_feed(world):
    from oas_ssm.server.web.pages import home_page
    from oas_ssm.server.web.site import site_for

    _, dataset, _ = world
    html = home_page(site_for(dataset), "en", BASE)
    assert 'href="/release/"' in html and 'href="/feed.atom"' in html
