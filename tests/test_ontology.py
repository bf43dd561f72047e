"""The ontology as its users see it: parsable, documented in es and en, and matching the model
contract in docs/model.md that the data, shapes, queries and server are written against."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from oas_ssm.namespaces import ONTOLOGY_IRI, PREFIXES, SSM, VANN
from oas_ssm.paths import ONTOLOGY, ROOT
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, SKOS

MODEL = ROOT / "docs" / "model.md"
ONTO = URIRef(ONTOLOGY_IRI)
ENTITY_KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
XSD = "http://www.w3.org/2001/XMLSchema#"  # a plain string: pytest trips over rdflib's XSD
BUILT_IN = (str(RDF), str(RDFS), str(OWL), XSD)
# Terms docs/model.md names but the ontology deliberately does not mint (see the model's note).
NOT_MINTED = {"hasRankOf"}


@pytest.fixture(scope="module")
def graph() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


@pytest.fixture(scope="module")
def model_text() -> str:
    return MODEL.read_text(encoding="utf-8")


def ssm_terms(graph: Graph) -> set[URIRef]:
    """Every IRI in the ssm: namespace the ontology says anything about."""
    return {s for s in graph.subjects() if isinstance(s, URIRef) and s.startswith(str(SSM))}


def curie(text: str) -> URIRef:
    """`org:Post` -> IRI; a bare name (`Function`, as model.md writes ssm terms) is ssm:."""
    prefix, _, local = text.rpartition(":")
    return URIRef(str(PREFIXES[prefix or "ssm"]) + local)


def table_rows(model_text: str, heading: str) -> list[list[str]]:
    """The body rows of the first Markdown table under `heading`, as stripped cells."""
    section = model_text.split(heading, 1)[1]
    rows = []
    for line in section.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not set("".join(cells)) <= set("-: "):
                rows.append(cells)
        elif rows:
            break
    return rows[1:]  # drop the header row


def test_ontology_header(graph: Graph) -> None:
    assert set(graph.subjects(RDF.type, OWL.Ontology)) == {ONTO}
    assert graph.value(ONTO, OWL.versionIRI) == URIRef(ONTOLOGY_IRI + "/1.0.0")
    assert str(graph.value(ONTO, OWL.versionInfo)) == "1.0.0"
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.bibliographicCitation):
        langs = sorted(o.language for o in graph.objects(ONTO, prop))
        assert langs == ["en", "es"], f"{prop} must be given once in es and once in en"
    assert graph.value(ONTO, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    for prop in (DCTERMS.creator, DCTERMS.publisher):
        agents = list(graph.objects(ONTO, prop))
        assert agents and all(isinstance(a, URIRef) for a in agents), f"{prop} must be IRIs"
        assert all(graph.value(a, FOAF.name) for a in agents), f"{prop} needs a name"
    assert graph.value(ONTO, DCTERMS.publisher) == URIRef("https://w3id.org/oas-ssm/")
    for prop in (DCTERMS.created, DCTERMS.modified, DCTERMS.issued):
        value = graph.value(ONTO, prop)
        assert isinstance(value, Literal) and value.datatype == URIRef(XSD + "date"), prop
    assert graph.value(ONTO, DCTERMS.source) is not None
    assert str(graph.value(ONTO, VANN.preferredNamespacePrefix)) == "ssm"
    assert str(graph.value(ONTO, VANN.preferredNamespaceUri)) == str(SSM)


def test_no_imports_fetch_from_the_web(graph: Graph) -> None:
    remote = [o for o in graph.objects(None, OWL.imports) if str(o).startswith(("http:", "https:"))]
    assert remote == []


def test_every_term_is_labelled_defined_and_attributed(graph: Graph) -> None:
    terms = ssm_terms(graph)
    assert len(terms) > 40
    problems = []
    for term in sorted(terms):
        for prop in (RDFS.label, SKOS.definition):
            langs = sorted(o.language or "" for o in graph.objects(term, prop))
            if langs != ["en", "es"]:
                problems.append(f"{term}: {prop} in {langs}, want exactly one es and one en")
        if graph.value(term, RDFS.isDefinedBy) != ONTO:
            problems.append(f"{term}: rdfs:isDefinedBy is not the ontology")
        kinds = set(graph.objects(term, RDF.type)) & set(ENTITY_KINDS)
        if len(kinds) != 1:
            problems.append(f"{term}: declared as {sorted(kinds)}, want exactly one kind")
    assert problems == []


def test_every_ssm_property_has_a_domain_or_range(graph: Graph) -> None:
    props = set(graph.subjects(RDF.type, OWL.ObjectProperty)) | set(
        graph.subjects(RDF.type, OWL.DatatypeProperty)
    )
    bare = [
        p
        for p in sorted(props & ssm_terms(graph))
        if graph.value(p, RDFS.domain) is None and graph.value(p, RDFS.range) is None
    ]
    assert bare == []


def test_ontology_has_exactly_the_terms_of_the_model(graph: Graph, model_text: str) -> None:
    named = {m for m in re.findall(r"ssm:([A-Za-z]+)", model_text)} - NOT_MINTED
    declared = {
        str(t)[len(str(SSM)) :]
        for t in ssm_terms(graph)
        if set(graph.objects(t, RDF.type)) & set(ENTITY_KINDS)
    }
    assert named - declared == set(), "named in docs/model.md but missing from the ontology"
    assert declared - named == set(), "in the ontology but not in docs/model.md"
    for missing in NOT_MINTED:
        assert (SSM[missing], None, None) not in graph


def test_classes_have_the_model_super_classes(graph: Graph, model_text: str) -> None:
    rows = table_rows(model_text, "## Classes")
    checked = 0
    for cls, sup, *_ in rows:
        plain = re.fullmatch(r"`([\w:]+)`", cls), re.fullmatch(r"`([\w:]+)`", sup)
        if all(plain):
            assert (curie(plain[0][1]), RDFS.subClassOf, curie(plain[1][1])) in graph, cls
            checked += 1
    assert checked >= 8


def test_observatory_is_not_a_unit_and_not_disjoint_from_section(graph: Graph) -> None:
    observatory = SSM.Observatory
    assert list(graph.objects(observatory, RDFS.subClassOf)) == []
    members = {
        frozenset(graph.items(graph.value(g, OWL.members)))
        for g in graph.subjects(RDF.type, OWL.AllDisjointClasses)
    }
    assert all(observatory not in m for m in members)
    assert (observatory, OWL.disjointWith, None) not in graph
    assert (None, OWL.disjointWith, observatory) not in graph


def test_declared_disjointness_follows_the_model(graph: Graph) -> None:
    groups = {
        frozenset(graph.items(graph.value(g, OWL.members)))
        for g in graph.subjects(RDF.type, OWL.AllDisjointClasses)
    }
    org = PREFIXES["org"]
    assert (
        frozenset(
            [SSM.Function, org.Post, org.Organization, SSM.Provision, SSM.Instrument]
            + [SSM.AreaOfWork, SKOS.Concept]
        )
        in groups
    )
    assert frozenset([SSM.Secretariat, SSM.ExecutiveOffice, SSM.Department, SSM.Section]) in groups
    assert (SSM.Body, OWL.disjointWith, org.OrganizationalUnit) in graph


def test_properties_match_the_model_table(graph: Graph, model_text: str) -> None:
    rows = table_rows(model_text, "Minted (domain → range; inverse):")
    checked = 0
    for cells in rows:
        prop_cell, shape, inverse = cells[0], cells[1], cells[2]
        name = re.fullmatch(r"`ssm:(\w+)`", prop_cell)
        if not name or name[1] in NOT_MINTED:
            continue
        prop = SSM[name[1]]
        if sub := re.fullmatch(r"⊑ (\w+)", shape):
            assert (prop, RDFS.subPropertyOf, curie(sub[1])) in graph, prop
        if dom := re.match(r"([\w:]+) →", shape):
            assert graph.value(prop, RDFS.domain) == curie(dom[1]), prop
        if rng := re.search(r"→ ([\w:]+)$", shape):
            assert graph.value(prop, RDFS.range) == curie(rng[1]), prop
        if inv := re.fullmatch(r"`ssm:(\w+)`", inverse):
            assert (prop, OWL.inverseOf, SSM[inv[1]]) in graph or (
                SSM[inv[1]],
                OWL.inverseOf,
                prop,
            ) in graph, prop
        checked += 1
    assert checked >= 25


def class_expression(graph: Graph, node: object) -> object:
    """A named class as itself, an owl:unionOf as the set of its members (blank nodes differ)."""
    members = graph.value(node, OWL.unionOf)
    return frozenset(graph.items(members)) if members is not None else node


def test_inverse_pairs_swap_domain_and_range(graph: Graph) -> None:
    for p, q in graph.subject_objects(OWL.inverseOf):
        if p.startswith(str(SSM)):
            for a, b in ((RDFS.domain, RDFS.range), (RDFS.range, RDFS.domain)):
                mine = class_expression(graph, graph.value(p, a))
                theirs = class_expression(graph, graph.value(q, b))
                assert mine == theirs, f"{p} {a} vs {q} {b}"


def test_reused_inverses_are_declared(graph: Graph) -> None:
    org, eli = PREFIXES["org"], PREFIXES["eli"]
    for p, q in [
        (org.subOrganizationOf, org.hasSubOrganization),
        (org.unitOf, org.hasUnit),
        (org.postIn, org.hasPost),
        (eli.is_part_of, eli.has_part),
        (SKOS.broader, SKOS.narrower),
    ]:
        assert (p, OWL.inverseOf, q) in graph


def test_owl2_dl_declarations(graph: Graph) -> None:
    """What an OWL 2 DL parser needs: each IRI is one kind of entity, every property the
    ontology uses is declared, and no reserved rdf:/rdfs:/owl: IRI is redefined."""
    kinds: dict[URIRef, set[URIRef]] = {}
    for kind in ENTITY_KINDS:
        for s in graph.subjects(RDF.type, kind):
            kinds.setdefault(s, set()).add(kind)
    punned = {s: k for s, k in kinds.items() if len(k) > 1}
    assert punned == {}
    undeclared = {
        p for p in graph.predicates() if not str(p).startswith(BUILT_IN) and p not in kinds
    }
    assert undeclared == set()
    redefined = {s for s in kinds if str(s).startswith(BUILT_IN)}
    assert redefined == set()
    for cls in set(graph.objects(None, RDFS.subClassOf)) | set(graph.objects(None, RDFS.domain)):
        if isinstance(cls, URIRef):
            assert OWL.Class in kinds.get(cls, set()), f"{cls} used as a class, not declared"


@pytest.mark.skipif(shutil.which("rapper") is None, reason="raptor2-utils is not installed")
def test_rapper_parses_the_ontology() -> None:
    result = subprocess.run(
        ["rapper", "-i", "turtle", "-c", str(ONTOLOGY)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"returned \d+ triples", result.stderr)
