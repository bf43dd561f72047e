"""Entailment: inverses, sub-properties, super-classes, symmetry and transitivity, kept apart."""

from pathlib import Path

import pytest
from oas_ssm.server.config import Config
from oas_ssm.server.dataset import Dataset
from oas_ssm.server.entailment import Schema, entail
from pyoxigraph import NamedNode, Triple

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "server"
ORG = "http://www.w3.org/ns/org#"
SSM = "https://w3id.org/oas-ssm/def/ssm#"
ID = "https://w3id.org/oas-ssm/id/"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def n(iri: str) -> NamedNode:
    return NamedNode(iri)


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return Dataset.load(Config(data=FIXTURES / "data.ttl", ontology=FIXTURES / "ontology.ttl"))


def entailed(dataset: Dataset) -> set[Triple]:
    return set(dataset.triples("entailed"))


def test_inverse_both_ways(dataset):
    got = entailed(dataset)
    assert Triple(n(ID + "unit/ssm"), n(ORG + "hasSubOrganization"), n(ID + "unit/se-cicad")) in got
    assert Triple(n(ID + "unit/ssm"), n(SSM + "headedBy"), n(ID + "post/secretario-ssm")) in got
    assert Triple(n(ID + "function/II-A-1"), n(SSM + "functionOf"), n(ID + "unit/ssm")) in got


def test_sub_property_then_inverse(dataset):
    got = entailed(dataset)
    csh, ssm = n(ID + "body/csh"), n(ID + "unit/ssm")
    assert Triple(ssm, n(SSM + "servesAsSecretariatTo"), csh) in got
    assert Triple(csh, n(SSM + "hasSecretariat"), ssm) in got


def test_super_classes_from_ontology_and_org(dataset):
    got = entailed(dataset)
    oid = n(ID + "unit/seccion-oid")
    assert Triple(oid, RDF_TYPE, n(ORG + "OrganizationalUnit")) in got
    assert Triple(oid, RDF_TYPE, n(ORG + "Organization")) in got  # from ORG itself
    assert not any(t.object == n("http://www.w3.org/2002/07/owl#Thing") for t in got)


def test_transitive_sub_organization(dataset):
    got = entailed(dataset)
    oid = n(ID + "unit/seccion-oid")
    transitive = n(ORG + "transitiveSubOrganizationOf")
    for ancestor in ("unit/se-cicad", "unit/ssm", "unit/secretaria-general", "organization/oea"):
        assert Triple(oid, transitive, n(ID + ancestor)) in got, ancestor


def test_symmetric(dataset):
    got = entailed(dataset)
    assert Triple(n(ID + "body/cicad"), n(SSM + "liaisesWith"), n(ID + "unit/seccion-oid")) in got


def test_entailed_graph_holds_nothing_asserted(dataset):
    assert not entailed(dataset) & set(dataset.triples("asserted"))
    assert dataset.counts["entailed"] == len(entailed(dataset)) > 0


def test_union_default_graph(dataset):
    ask = f"ASK {{ <{ID}unit/ssm> <{ORG}hasSubOrganization> <{ID}unit/se-cicad> }}"
    assert bool(dataset.query(ask))


def test_cycles_and_chains_terminate():
    p, q, r = n("http://x/p"), n("http://x/q"), n("http://x/r")
    schema = Schema.from_triples(
        [
            Triple(p, n("http://www.w3.org/2000/01/rdf-schema#subPropertyOf"), q),
            Triple(q, n("http://www.w3.org/2000/01/rdf-schema#subPropertyOf"), p),
            Triple(q, n("http://www.w3.org/2002/07/owl#inverseOf"), r),
        ]
    )
    a, b = n("http://x/a"), n("http://x/b")
    got = entail([Triple(a, p, b)], schema)
    assert got == {Triple(a, q, b), Triple(b, r, a)}
