"""The SHACL shapes: each one fires on the fixture made to break it, and on nothing else.

Each tests/fixtures/shapes/<Shape>.ru is a SPARQL Update applied to a copy of base.ttl (a small
conforming slice of the data). Its header names the shape it must violate, a focus node that
must be reported, and, rarely, other shapes the same edit cannot help violating.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from oas_ssm.paths import ROOT
from oas_ssm.shacl_report import SH, SHAPES_NS, Finding
from oas_ssm.validate import load_ontology, load_shapes, read_graph, shacl_findings
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
BASE = FIXTURES / "base.ttl"
HEADER = re.compile(r"^#\s*(shape|focus|also):\s*(.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class ShapeFixture:
    """One fixture file and what its header promises."""

    path: Path
    shape: str
    focus: str
    also: frozenset[str]

    @classmethod
    def read(cls, path: Path) -> ShapeFixture:
        fields: dict[str, str] = {}
        for key, value in HEADER.findall(path.read_text(encoding="utf-8")):
            fields[key] = value
        return cls(
            path=path,
            shape=fields["shape"],
            focus=fields["focus"],
            also=frozenset(fields.get("also", "").split()),
        )


FIXTURE_FILES = [ShapeFixture.read(p) for p in sorted(FIXTURES.glob("*.ru"))]


@pytest.fixture(scope="session")
def shapes() -> Graph:
    return load_shapes()


@pytest.fixture(scope="session")
def ontology() -> Graph:
    return load_ontology()


@pytest.fixture(scope="session")
def base() -> Graph:
    return read_graph(BASE)


def violated_shapes(findings: list[Finding]) -> set[str]:
    return {_local(f.shape) for f in findings}


def _local(shape: object) -> str:
    text = str(shape)
    return text.removeprefix(str(SHAPES_NS)) if text.startswith(str(SHAPES_NS)) else text


def _named_shapes(shapes: Graph) -> set[URIRef]:
    found = set(shapes.subjects(RDF.type, SH.NodeShape))
    found |= set(shapes.subjects(RDF.type, SH.PropertyShape))
    return {s for s in found if isinstance(s, URIRef)}


def _expand(graph: Graph, name: str) -> URIRef:
    return graph.namespace_manager.expand_curie(name)


def test_base_fixture_conforms(base, shapes, ontology):
    findings = shacl_findings(base, shapes, ontology)
    assert findings == [], [f.message for f in findings]


def test_published_data_conforms(data_graph, shapes, ontology):
    findings = shacl_findings(data_graph, shapes, ontology)
    assert findings == [], [f"{f.focus} {f.shape}: {f.message}" for f in findings[:20]]


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda f: f.path.stem)
def test_fixture_violates_exactly_its_shape(fixture, base, shapes, ontology):
    data = Graph()
    data += base
    for prefix, namespace in base.namespaces():
        data.bind(prefix, namespace)
    data.update(fixture.path.read_text(encoding="utf-8"), initNs=dict(base.namespaces()))
    assert set(data) != set(base), f"{fixture.path.name} changed nothing: does base.ttl match it?"

    findings = shacl_findings(data, shapes, ontology)

    assert violated_shapes(findings) == {fixture.shape} | fixture.also
    focus_nodes = {f.focus for f in findings if _local(f.shape) == fixture.shape}
    assert _expand(base, fixture.focus) in focus_nodes
    assert all(f.message for f in findings)


def test_every_shape_has_a_fixture_and_every_fixture_a_shape(shapes):
    shape_names = {_local(s) for s in _named_shapes(shapes)}
    fixture_names = {f.shape for f in FIXTURE_FILES}
    assert shape_names - fixture_names == set(), "shapes without a fixture"
    assert fixture_names - shape_names == set(), "fixtures for shapes that do not exist"
    assert all(f.path.stem == f.shape for f in FIXTURE_FILES)


def test_every_shape_says_what_and_why(shapes):
    for shape in _named_shapes(shapes):
        languages = {m.language for m in shapes.objects(shape, SH.message)}
        assert "en" in languages, f"{shape} has no English sh:message"
        assert shapes.value(shape, RDFS.comment) is not None, f"{shape} has no rdfs:comment"


def test_each_sparql_shape_has_one_constraint(shapes):
    """So that a fixture for the shape is a fixture for its SPARQL constraint."""
    for shape in _named_shapes(shapes):
        constraints = list(shapes.objects(shape, SH.sparql))
        assert len(constraints) <= 1, f"{shape} has {len(constraints)} SPARQL constraints"


def test_every_class_the_data_uses_is_targeted(data_graph, shapes, ontology):
    targeted = set(shapes.objects(None, SH.targetClass))
    used = set(data_graph.objects(None, RDF.type))
    untargeted = {
        c for c in used if not targeted & set(ontology.transitive_objects(c, RDFS.subClassOf))
    }
    assert untargeted == set()
