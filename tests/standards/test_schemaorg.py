"""schema.org JSON-LD on the unit, home and annex pages, read as RDF, checked against the graph."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from oas_ssm.paths import ROOT
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

SDO = Namespace("http://schema.org/")
# schema.org's own context, the entries our islands use (vendored: the test never fetches).
CONTEXT = json.loads(
    (ROOT / "tests" / "fixtures" / "schemaorg" / "schemaorgcontext-excerpt.jsonld").read_text()
)["@context"]
TYPES = {"Organization", "Dataset", "DataCatalog", "DataDownload", "Legislation"}
ORG = "http://www.w3.org/ns/org#"


class _Islands(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in = False

    def handle_starttag(self, tag, attrs):
        self._in = tag == "script" and dict(attrs).get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._in:
            self.found.append(data)

    def handle_endtag(self, tag):
        self._in = False


def schema_graph(client, path: str, lang: str = "es") -> Graph:
    """The schema.org islands of a page, as RDF (islands of other vocabularies ignored)."""
    r = client.get(path, headers={"Accept": "text/html", "Accept-Language": lang})
    assert r.status_code == 200, path
    parser = _Islands()
    parser.feed(r.data.decode())
    g = Graph()
    docs = [json.loads(text) for text in parser.found]
    ours = [d for d in docs if d.get("@context") == "https://schema.org"]
    assert len(ours) == 1, path
    terms, types = _terms(ours[0])
    assert terms <= set(CONTEXT), f"{path}: not schema.org terms: {terms - set(CONTEXT)}"
    assert types <= TYPES, f"{path}: unexpected types {types - TYPES}"
    doc = {**ours[0], "@context": CONTEXT}
    g.parse(data=json.dumps(doc), format="json-ld")
    return g


def _terms(node) -> tuple[set[str], set[str]]:
    """The property names and @type values used anywhere in a JSON-LD tree."""
    terms: set[str] = set()
    types: set[str] = set()
    if isinstance(node, list):
        for item in node:
            t, ty = _terms(item)
            terms |= t
            types |= ty
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@type":
                types |= set(value) if isinstance(value, list) else {value}
            elif not key.startswith("@"):
                terms.add(key)
            if key != "@context":
                t, ty = _terms(value)
                terms |= t
                types |= ty
    return terms, types


def iris(dataset, query: str) -> set[URIRef]:
    return {URIRef(r[0].value) for r in dataset.query(query)}


def test_every_unit_page_says_organization_parent_and_children(client, dataset):
    units = iris(dataset, f"SELECT ?u WHERE {{ ?u a <{ORG}OrganizationalUnit> }}")
    assert len(units) > 10
    for unit in units:
        g = schema_graph(client, "/doc/" + str(unit)[len(dataset.base) + 3:] + ".html")
        assert (unit, RDF.type, SDO.Organization) in g
        assert g.value(unit, SDO.name) == Literal(dataset.label(str(unit), "es"))
        names = {r[0].value for r in dataset.query(
            f"SELECT ?n WHERE {{ <{unit}> ?p ?n VALUES ?p {{ "
            f"<http://www.w3.org/2004/02/skos/core#altLabel> "
            f"<http://www.w3.org/2004/02/skos/core#prefLabel> }} }}")}
        assert {str(n) for n in g.objects(unit, SDO.alternateName)} <= names
        parents = iris(dataset, f"SELECT ?p WHERE {{ GRAPH <{dataset.graph('asserted').value}> "
                                f"{{ <{unit}> <{ORG}subOrganizationOf> ?p }} }}")
        assert set(g.objects(unit, SDO.parentOrganization)) == parents, unit
        children = iris(dataset, f"SELECT ?c WHERE {{ GRAPH <{dataset.graph('asserted').value}>"
                                 f" {{ ?c <{ORG}subOrganizationOf> <{unit}> }} }}")
        assert set(g.objects(unit, SDO.subOrganization)) == children, unit


def test_english_page_names_in_english(client, dataset):
    unit = URIRef(dataset.base + "id/unit/se-cicad")
    g = schema_graph(client, "/doc/unit/se-cicad.html", "en")
    assert g.value(unit, SDO.name) == Literal(dataset.label(str(unit), "en"))
    assert Literal(dataset.label(str(unit), "es")) in set(g.objects(unit, SDO.alternateName))


def test_home_page_describes_the_dataset_and_its_catalogue(client, dataset):
    g = schema_graph(client, "/")
    ds = URIRef(dataset.dataset_iri)
    assert (ds, RDF.type, SDO.Dataset) in g
    void = Graph().parse(data=client.get("/void", headers={"Accept": "text/turtle"}).data,
                         format="turtle")
    dct = Namespace("http://purl.org/dc/terms/")
    dcat = Namespace("http://www.w3.org/ns/dcat#")
    assert str(g.value(ds, SDO.name)) in {str(t) for t in void.objects(ds, dct.title)}
    assert str(g.value(ds, SDO.description)) in {
        str(t) for t in void.objects(ds, dct.description)}
    assert g.value(ds, SDO.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert set(g.objects(ds, SDO.creator)) == set(void.objects(ds, dct.creator))
    assert set(g.objects(ds, SDO.publisher)) == set(void.objects(ds, dct.publisher))
    assert g.value(ds, SDO.isBasedOn) == URIRef(dataset.base + "id/provision/anexo-e")
    assert (g.value(ds, SDO.isBasedOn), RDF.type, SDO.Legislation) in g
    downloads = {g.value(d, SDO.contentUrl) for d in g.objects(ds, SDO.distribution)}
    own = {void.value(x, dcat.downloadURL) for x in void.objects(ds, dcat.distribution)}
    assert downloads == own - {None}  # the dataset's own downloads (not its releases')
    catalog = g.value(ds, SDO.includedInDataCatalog)
    assert (catalog, RDF.type, SDO.DataCatalog) in g and (catalog, SDO.dataset, ds) in g
    assert (catalog, dcat.dataset, ds) in void


def test_annex_page_is_legislation_with_every_provision_as_a_part(client, dataset):
    g = schema_graph(client, "/annex")
    provisions = iris(dataset, "SELECT ?p WHERE { ?p a "
                               "<https://w3id.org/oas-ssm/def/ssm#Provision> }".replace(
                                   "https://w3id.org/oas-ssm/", dataset.base))
    assert set(g.subjects(RDF.type, SDO.Legislation)) == provisions
    parts = {(parent, child) for parent, child in g.subject_objects(SDO.hasPart)}
    eli = "http://data.europa.eu/eli/ontology#is_part_of"
    stated = {(URIRef(r[1].value), URIRef(r[0].value)) for r in dataset.query(
        f"SELECT ?c ?p WHERE {{ GRAPH <{dataset.graph('asserted').value}> {{ ?c <{eli}> ?p }} }}")}
    assert parts == stated


@pytest.mark.parametrize("path", ["/doc/unit/ssm.html", "/", "/annex"])
def test_islands_cannot_close_the_script_element(client, path):
    html = client.get(path, headers={"Accept": "text/html"}).data.decode()
    for chunk in html.split('<script type="application/ld+json">')[1:]:
        assert "<" not in chunk.split("</script>", 1)[0]
