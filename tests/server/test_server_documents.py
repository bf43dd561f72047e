"""What a document holds: outgoing, incoming, citing statements, hash children, linked labels."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests
from oas_ssm.server.config import Config
from oas_ssm.server.dataset import Dataset
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "server"
ORG = "http://www.w3.org/ns/org#"


def fetch(server, path: str, accept: str = "text/turtle") -> Graph:
    r = requests.get(server.url + path, headers={"Accept": accept}, timeout=10)
    r.raise_for_status()
    return Graph().parse(data=r.content, format="turtle")


def test_unit_document(fixture_server):
    base = fixture_server.base
    ssm, se_cicad = URIRef(base + "id/unit/ssm"), URIRef(base + "id/unit/se-cicad")
    g = fetch(fixture_server, "doc/unit/ssm.ttl")
    # outgoing, asserted and entailed
    assert (
        ssm,
        URIRef(ORG + "subOrganizationOf"),
        URIRef(base + "id/unit/secretaria-general"),
    ) in g
    assert (ssm, URIRef(ORG + "hasSubOrganization"), se_cicad) in g
    assert (ssm, RDF.type, URIRef(ORG + "OrganizationalUnit")) in g
    # incoming
    assert (se_cicad, URIRef(ORG + "subOrganizationOf"), ssm) in g
    # the statement citing it, whole
    st = URIRef(base + "id/statement/se-cicad--subOrganizationOf--ssm")
    assert (st, RDF.predicate, URIRef(ORG + "subOrganizationOf")) in g
    assert (st, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), None) in g
    assert (st, SKOS.note, None) in g
    # labels of what it links to, and nothing more about them
    assert (se_cicad, SKOS.prefLabel, Literal("Secretaría Ejecutiva de la Comisión Interamericana "
            "para el Control del Abuso de Drogas", lang="es")) in g  # fmt: skip
    assert (se_cicad, SKOS.editorialNote, None) not in g
    assert (URIRef(base + "def/ssm#hasFunction"), RDFS.label, None) in g


def test_ontology_document_has_hash_terms_and_closed_blank_nodes(fixture_server):
    base = fixture_server.base
    g = fetch(fixture_server, "def/ssm")
    assert (URIRef(base + "def/ssm#Function"), RDFS.label, Literal("función", lang="es")) in g
    union = g.value(URIRef(base + "def/ssm#Unitish"), OWL.unionOf)
    assert union is not None
    assert g.value(union, RDF.first) == URIRef(base + "def/ssm#Secretariat")
    assert not list(g.triples((None, RDF.type, URIRef(base + "def/ssm#Function"))))


def test_no_canonical_iri_left_when_rewritten(fixture_server):
    for path in ("doc/unit/ssm.ttl", "def/ssm.nt", "void", "dumps/ssm-entailed.nt"):
        body = requests.get(fixture_server.url + path, timeout=10).text
        assert "https://w3id.org/oas-ssm/" not in body, path
        assert fixture_server.base in body


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return Dataset.load(Config(data=FIXTURES / "data.ttl", ontology=FIXTURES / "ontology.ttl"))


def test_jsonld_is_compact(dataset):
    from oas_ssm.server.jsonld import write

    doc = json.loads(write(dataset.describe(dataset.base + "id/unit/ssm"), dataset.prefixes))
    assert doc["@context"]["org"] == ORG
    first = doc["@graph"][0]
    assert first["@id"] == dataset.base + "id/unit/ssm"
    assert "org:OrganizationalUnit" in first["@type"]
    assert "org:subOrganizationOf" in first


def test_dataset_labels(dataset):
    iri = dataset.base + "id/unit/se-cicad"
    assert dataset.label(iri, "en").startswith("Executive Secretariat")
    assert dataset.label(iri, "fr").startswith("Secretaría Ejecutiva")
    assert dataset.label(dataset.base + "id/unit/unknown", "es") == "unknown"
    assert re.fullmatch(r"[0-9a-f]{64}", dataset.version)
