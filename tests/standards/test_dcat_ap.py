"""/void against the official DCAT-AP 3.0.0 SHACL shapes (SEMIC), with RDFS inference."""

from __future__ import annotations

import pytest
from oas_ssm.paths import ONTOLOGY, ROOT
from oas_ssm.server.metadata import LICENSE, PUBLISHER_NAMES
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SH

DCAT_AP_SHAPES = ROOT / "shapes" / "vendor" / "dcat-ap-3.0.0" / "dcat-ap-SHACL.ttl"


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(DCAT_AP_SHAPES, format="turtle")


@pytest.fixture(scope="module")
def void(client) -> Graph:
    r = client.get("/void", headers={"Accept": "text/turtle"}, follow_redirects=True)
    assert r.status_code == 200
    return Graph().parse(data=r.data, format="turtle")


def violations(data: Graph, shapes: Graph) -> list[str]:
    """Violation messages of `data` against `shapes`, validated as SEMIC prescribes."""
    _, report, _ = validate(data, shacl_graph=shapes, inference="rdfs", allow_warnings=True)
    return sorted(
        f"{report.value(r, SH.focusNode)} {report.value(r, SH.resultPath)}: "
        f"{report.value(r, SH.resultMessage)}"
        for r in report.subjects(SH.resultSeverity, SH.Violation)
    )


def test_void_conforms_to_dcat_ap_3(void, shapes):
    assert violations(void, shapes) == []


def test_catalogue_dataset_distributions_and_service_are_all_checked(void, shapes):
    """The description has every DCAT-AP class the shapes target, so none is checked vacuously."""
    for cls in (DCAT.Catalog, DCAT.Dataset, DCAT.Distribution, DCAT.DataService, FOAF.Agent,
                DCTERMS.LicenseDocument, DCTERMS.MediaType, DCTERMS.MediaTypeOrExtent,
                DCTERMS.Standard):
        assert (None, SH.targetClass, cls) in shapes, cls
        assert (None, RDF.type, cls) in void, cls


@pytest.mark.parametrize("untyped", [DCTERMS.LicenseDocument, DCTERMS.MediaType, FOAF.Agent,
                                     FOAF.Document, DCTERMS.Standard])
def test_an_untyped_value_is_a_violation(void, shapes, untyped):
    """The check can fail: drop one kind of typing and the official shapes object."""
    broken = Graph()
    for t in void:
        if t[1] != RDF.type or t[2] != untyped:
            broken.add(t)
    assert violations(broken, shapes)


def test_licence_media_and_file_types_use_the_authority_iris(void):
    licences = set(void.objects(None, DCTERMS.license))
    assert licences == {URIRef(LICENSE)}
    media = set(void.objects(None, DCAT.mediaType))
    assert URIRef("http://www.iana.org/assignments/media-types/text/turtle") in media
    formats = set(void.objects(None, DCTERMS["format"]))
    assert URIRef("http://publications.europa.eu/resource/authority/file-type/RDF_TURTLE") in (
        formats)


def test_publisher_is_the_ontologys(void):
    """The dataset's publisher is the agent the ontology header names, with the same names."""
    ontology = Graph().parse(ONTOLOGY, format="turtle")
    onto_publisher = next(ontology.objects(None, DCTERMS.publisher))
    assert {(str(n), n.language) for n in ontology.objects(onto_publisher, FOAF.name)} == {
        (name, lang) for lang, name in PUBLISHER_NAMES.items()}
    ds = next(void.subjects(RDF.type, DCAT.Dataset))
    publisher = void.value(ds, DCTERMS.publisher)
    assert set(void.objects(publisher, FOAF.name)) == {
        Literal(name, lang=lang) for lang, name in PUBLISHER_NAMES.items()}


def test_vendored_shapes_carry_source_and_licence():
    readme = (DCAT_AP_SHAPES.parent / "README.md").read_text()
    assert "SEMICeu/DCAT-AP" in readme and "CC BY 4.0" in readme
