"""The data profile: our SHACL shapes, published at `{base}def/shapes` and described with PROF.

The shapes in `shapes/` are the contract of the data; this module makes them a resource a
consumer can fetch and cite. `{base}def/shapes` is both the shapes' namespace (`ssmsh:`, whose
`#` terms are the shapes) and the IRI of the profile (`prof:Profile`, also a `dcterms:Standard`
for DCAT-AP) that the dataset `dcterms:conformsTo`. Its resources: the shapes (role
`validation`, `def/shapes.ttl`) and the ontology (role `vocabulary`, `def/ssm.ttl`).

`/def/shapes` answers 303 by content negotiation to `/def/shapes.{ttl,jsonld,rdf,nt,html}`, like
the ontology (`server/linkeddata.py`): the RDF documents hold every shape (IRIs rewritten to the
served base, like every other document) and the profile's description; the HTML page (the web
layer's, `web/profile_page.py`) lists each shape with its message in both languages. The shapes
are not put in the store: they would join the SPARQL endpoint's default graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from oas_ssm.paths import SHAPES_DIR
from oas_ssm.server.rewrite import Rewriter
from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, parse, serialize
from rdflib import Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.compare import to_canonical_graph
from rdflib.namespace import RDF, RDFS, SH, XSD

PROFILE_PATH = "def/shapes"
PROF = "http://www.w3.org/ns/dx/prof/"
ROLE = PROF + "role/"
DCT = "http://purl.org/dc/terms/"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
IANA_TURTLE = "http://www.iana.org/assignments/media-types/text/turtle"
SHACL_SPEC = "https://www.w3.org/TR/shacl/"
OWL_SPEC = "https://www.w3.org/TR/owl2-overview/"
ORG_SPEC = "https://www.w3.org/TR/vocab-org/"
LICENSE = "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"

def profile_iri(base: str) -> str:
    """The profile's IRI (and the shapes' namespace without its '#') under `base`."""
    return base + PROFILE_PATH


def profile_triples(base: str) -> list[Triple]:
    """The PROF description of the profile; the first triple's subject is the profile."""
    p = NamedNode(profile_iri(base))
    shapes = NamedNode(p.value + "#resource-shapes")
    vocabulary = NamedNode(p.value + "#resource-ontology")
    out: list[Triple] = []

    def add(s: NamedNode, pred: str, o) -> None:
        out.append(Triple(s, NamedNode(pred), o))

    add(p, TYPE, NamedNode(PROF + "Profile"))
    add(p, TYPE, NamedNode(DCT + "Standard"))
    add(p, DCT + "title", Literal("Perfil de datos de la SSM (formas SHACL)", language="es"))
    add(p, DCT + "title", Literal("SSM data profile (SHACL shapes)", language="en"))
    add(p, DCT + "description", Literal(
        "Cómo usan ORG, SKOS, PROV y ELI los datos del Anexo E: las formas SHACL que los datos "
        "cumplen antes de publicarse y la ontología que las sostiene.", language="es"))
    add(p, DCT + "description", Literal(
        "How the Annex E data uses ORG, SKOS, PROV and ELI: the SHACL shapes the data meets "
        "before it is published and the ontology behind them.", language="en"))
    add(p, DCT + "license", NamedNode(LICENSE))
    add(p, PROF + "hasToken", Literal("ssm-shapes"))
    add(p, PROF + "isProfileOf", NamedNode(ORG_SPEC))
    add(NamedNode(ORG_SPEC), TYPE, NamedNode(DCT + "Standard"))
    resources = (
        (shapes, "validation", PROFILE_PATH + ".ttl", SHACL_SPEC,
         ("Formas SHACL", "SHACL shapes")),
        (vocabulary, "vocabulary", "def/ssm.ttl", OWL_SPEC,
         ("Ontología OWL", "OWL ontology")),
    )
    for node, role, artifact, spec, (es, en) in resources:
        add(p, PROF + "hasResource", node)
        add(node, TYPE, NamedNode(PROF + "ResourceDescriptor"))
        add(node, DCT + "title", Literal(es, language="es"))
        add(node, DCT + "title", Literal(en, language="en"))
        add(node, PROF + "hasRole", NamedNode(ROLE + role))
        add(node, DCT + "format", NamedNode(IANA_TURTLE))
        add(node, DCT + "conformsTo", NamedNode(spec))
        add(node, PROF + "hasArtifact", NamedNode(base + artifact))
    return out


@dataclass(frozen=True)
class ShapeView:
    """One named shape as the HTML page lists it."""

    iri: str
    local: str
    kind: str  # "NodeShape" or "PropertyShape"
    targets: list[str]
    path: str | None
    messages: dict[str, str]
    comment: str | None
    sparql: bool


@dataclass
class Profile:
    """The shapes graph as served under one base, in every format (built once, then reused)."""

    rewriter: Rewriter

    @property
    def base(self) -> str:
        return self.rewriter.served

    @property
    def iri(self) -> str:
        return profile_iri(self.base)

    @cached_property
    def graph(self) -> Graph:
        """Every shapes/*.ttl file plus the profile description, IRIs under the served base.

        Blank nodes get canonical labels, so every worker serves the same bytes (and ETags).
        """
        raw = Graph()
        for path in sorted(SHAPES_DIR.glob("*.ttl")):
            raw.parse(path, format="turtle")
        raw.parse(data=serialize(profile_triples(self.base), format=RdfFormat.N_TRIPLES),
                  format="nt")
        graph = Graph()
        for s, p, o in to_canonical_graph(raw):
            graph.add((self._term(s), self._term(p), self._term(o)))
        for prefix, ns in raw.namespaces():
            graph.bind(prefix, self._term(URIRef(str(ns))), override=True)
        graph.bind("prof", PROF)
        graph.bind("role", ROLE)
        return graph

    def _term(self, term):
        if isinstance(term, URIRef):
            return URIRef(self.rewriter.iri(str(term)))
        if isinstance(term, RdfLiteral) and term.datatype == XSD.anyURI:
            return RdfLiteral(self.rewriter.iri(str(term)), datatype=XSD.anyURI)
        return term

    @cached_property
    def triples(self) -> list[Triple]:
        """The graph as pyoxigraph triples, sorted: what `Documents` writes in every format."""
        text = self.graph.serialize(format="nt")
        return sorted((t.triple for t in parse(text, format=RdfFormat.N_TRIPLES)), key=str)

    @cached_property
    def prefixes(self) -> dict[str, str]:
        return {p: str(ns) for p, ns in self.graph.namespaces() if p}

    def shapes(self) -> list[ShapeView]:
        """Every shape with an IRI in our namespace, sorted by name."""
        g = self.graph
        ns = self.iri + "#"
        found = []
        kinds = {SH.NodeShape: "NodeShape", SH.PropertyShape: "PropertyShape"}
        for cls, kind in kinds.items():
            for s in set(g.subjects(RDF.type, cls)):
                if not isinstance(s, URIRef) or not str(s).startswith(ns) or str(s) == ns:
                    continue
                # Classes by name; other targets with their kind ("sh:targetSubjectsOf ssm:inArea").
                targets = sorted(
                    (self._short(t) if p == SH.targetClass
                     else f"{self._short(p)} {self._short(t)}")
                    for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf,
                              SH.targetObjectsOf)
                    for t in g.objects(s, p))
                path = g.value(s, SH.path)
                messages = {m.language or "": str(m) for m in g.objects(s, SH.message)
                            if isinstance(m, RdfLiteral)}
                comments = [str(c) for c in g.objects(s, RDFS.comment)]
                found.append(ShapeView(
                    str(s), str(s)[len(ns):], kind, targets,
                    self._short(path) if isinstance(path, URIRef) else
                    (None if path is None else path.n3(g.namespace_manager)),
                    messages, comments[0] if comments else None,
                    (s, SH.sparql, None) in g))
        return sorted(found, key=lambda v: v.local.casefold())

    def _short(self, iri) -> str:
        try:
            return self.graph.namespace_manager.normalizeUri(iri)
        except Exception:  # pragma: no cover - rdflib raises on odd IRIs; show them whole
            return str(iri)


_PROFILES: dict[tuple[str, str], Profile] = {}


def profile_for(rewriter: Rewriter) -> Profile:
    """The `Profile` for one (canonical, served) base pair, built on first use."""
    key = (rewriter.canonical, rewriter.served)
    if key not in _PROFILES:
        _PROFILES[key] = Profile(rewriter)
    return _PROFILES[key]
