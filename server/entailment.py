"""The triples the data entails under the ontology and ORG, so consumers may query with any term.

A small forward-chaining closure, not a general reasoner: it applies exactly the axioms that say
how to read the data in another direction or at another level of generality —
`owl:inverseOf`, `rdfs:subPropertyOf` (and `owl:equivalentProperty`), `owl:SymmetricProperty`,
`owl:TransitiveProperty` (notably `org:transitiveSubOrganizationOf`) and `rdfs:subClassOf`
(and `owl:equivalentClass`) between named classes. Domains and ranges are deliberately not used:
they would type every object of a loosely-ranged property and add claims the annex does not make.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, Literal, NamedNode, Store, Triple

OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SUB_PROPERTY = NamedNode("http://www.w3.org/2000/01/rdf-schema#subPropertyOf")
SUB_CLASS = NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
INVERSE_OF = NamedNode(OWL + "inverseOf")
EQUIVALENT_PROPERTY = NamedNode(OWL + "equivalentProperty")
EQUIVALENT_CLASS = NamedNode(OWL + "equivalentClass")
SYMMETRIC = NamedNode(OWL + "SymmetricProperty")
TRANSITIVE = NamedNode(OWL + "TransitiveProperty")
# Super-classes that say nothing and would only bloat every description.
TRIVIAL_CLASSES = frozenset(
    {NamedNode(OWL + "Thing"), NamedNode("http://www.w3.org/2000/01/rdf-schema#Resource")}
)


@dataclass
class Schema:
    """The axioms entailment uses, closed: every super-property/class, not just the direct ones."""

    super_properties: dict[NamedNode, set[NamedNode]] = field(default_factory=dict)
    super_classes: dict[NamedNode, set[NamedNode]] = field(default_factory=dict)
    inverses: dict[NamedNode, set[NamedNode]] = field(default_factory=dict)
    symmetric: set[NamedNode] = field(default_factory=set)
    transitive: set[NamedNode] = field(default_factory=set)

    @classmethod
    def from_triples(cls, triples: Iterable[Triple]) -> Schema:
        sub_props: dict[NamedNode, set[NamedNode]] = defaultdict(set)
        sub_classes: dict[NamedNode, set[NamedNode]] = defaultdict(set)
        inverses: dict[NamedNode, set[NamedNode]] = defaultdict(set)
        schema = cls()
        for s, p, o in triples:
            if not (isinstance(s, NamedNode) and isinstance(o, NamedNode)):
                continue  # restrictions and other anonymous classes are not followed
            if p == SUB_PROPERTY:
                sub_props[s].add(o)
            elif p == EQUIVALENT_PROPERTY:
                sub_props[s].add(o)
                sub_props[o].add(s)
            elif p == SUB_CLASS:
                sub_classes[s].add(o)
            elif p == EQUIVALENT_CLASS:
                sub_classes[s].add(o)
                sub_classes[o].add(s)
            elif p == INVERSE_OF:
                inverses[s].add(o)
                inverses[o].add(s)
            elif p == RDF_TYPE and o == SYMMETRIC:
                schema.symmetric.add(s)
            elif p == RDF_TYPE and o == TRANSITIVE:
                schema.transitive.add(s)
        schema.super_properties = _closure(sub_props)
        schema.super_classes = {
            c: supers - TRIVIAL_CLASSES - {c} for c, supers in _closure(sub_classes).items()
        }
        schema.inverses = dict(inverses)
        return schema

    def read_predicates(self) -> set[NamedNode]:
        """Every predicate a rule reads or writes (rdf:type aside, see `entail_graph`)."""
        found = set(self.symmetric) | set(self.transitive)
        for table in (self.super_properties, self.inverses):
            found.update(table)
            for values in table.values():
                found.update(values)
        return found


def _closure(direct: dict[NamedNode, set[NamedNode]]) -> dict[NamedNode, set[NamedNode]]:
    """Every node reachable from each key (cycles allowed; the key itself excluded)."""
    closed: dict[NamedNode, set[NamedNode]] = {}
    for start in direct:
        seen: set[NamedNode] = set()
        stack = list(direct[start])
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack.extend(direct.get(node, ()))
        seen.discard(start)
        closed[start] = seen
    return closed


def entail(data: Iterable[Triple], schema: Schema) -> set[Triple]:
    """The triples `data` entails under `schema` that it does not already state.

    Rounds of the one-step rules over the triples new in the last round, each followed by the
    transitive closure of the transitive properties, until a round adds nothing. The edges of each
    transitive property are indexed as they appear, so a round never rescans every triple.
    """
    asserted = set(data)
    known = set(asserted)
    edges: dict[NamedNode, dict] = {p: defaultdict(set) for p in schema.transitive}
    frontier = list(asserted)
    while frontier:
        new: list[Triple] = []

        def add(triple: Triple, new: list[Triple] = new) -> None:
            if triple not in known:
                known.add(triple)
                new.append(triple)

        grown: set[NamedNode] = set()
        for s, p, o in frontier:
            if p in edges and not isinstance(o, Literal):
                edges[p][s].add(o)
                grown.add(p)
        for s, p, o in frontier:
            for q in schema.super_properties.get(p, ()):
                add(Triple(s, q, o))
            if isinstance(o, (NamedNode, BlankNode)):
                for r in schema.inverses.get(p, ()):
                    add(Triple(o, r, s))
                if p in schema.symmetric:
                    add(Triple(o, p, s))
            if p == RDF_TYPE and isinstance(o, NamedNode):
                for c in schema.super_classes.get(o, ()):
                    add(Triple(s, RDF_TYPE, c))
        for p in grown:
            for triple in _closure_links(p, edges[p]):
                add(triple)
        frontier = new
    return known - asserted


def _closure_links(p: NamedNode, succ: dict) -> list[Triple]:
    """Links of the transitive closure of `p` (edges `succ`) that are not edges already."""
    out: list[Triple] = []
    for start in list(succ):
        seen: set = set()
        stack = list(succ[start])
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            stack.extend(succ.get(node, ()))
        out.extend(Triple(start, p, o) for o in seen - succ[start])
    return out


def entail_graph(store: Store, graph: NamedNode, schema: Schema) -> set[Triple]:
    """`entail` of the triples in `graph` of `store`, reading only those a rule can use.

    A rule fires on a triple only by its predicate (or, for rdf:type, its class) and derives only
    triples with such predicates (classes), so the other triples neither add nor hide anything:
    the result is `entail` of the whole graph, while most of the data stays in the store.
    """
    predicates = schema.read_predicates()
    classes: set[NamedNode] | None = None  # None: every rdf:type triple
    if RDF_TYPE not in predicates:
        classes = set(schema.super_classes)
        for supers in schema.super_classes.values():
            classes.update(supers)
    predicates.discard(RDF_TYPE)

    def triples():  # by SPARQL rather than quads_for_pattern: fewer Python objects per triple
        for p in predicates:
            for s, o in store.query(f"SELECT ?s ?o WHERE {{ GRAPH {graph} {{ ?s {p} ?o }} }}"):
                yield Triple(s, p, o)
        if classes is None:
            query = f"SELECT ?s ?c WHERE {{ GRAPH {graph} {{ ?s {RDF_TYPE} ?c }} }}"
            for s, c in store.query(query):
                yield Triple(s, RDF_TYPE, c)
            return
        for c in classes:
            for (s,) in store.query(f"SELECT ?s WHERE {{ GRAPH {graph} {{ ?s {RDF_TYPE} {c} }} }}"):
                yield Triple(s, RDF_TYPE, c)

    return entail(triples(), schema)
