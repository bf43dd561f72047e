"""Which triples of a resource a page shows as "relations", and where the annex states them.

The store holds entailed triples too (inverses, super-properties), so a page lists outgoing
triples only, drops a super-property when a more specific one links the same pair, and shows
incoming triples only for properties that have no inverse to show them as outgoing.
"""

from __future__ import annotations

from dataclasses import dataclass

from .site import DCT, ELI, ORG, OWL, PROV, RDF, RDFS, SKOS, Site

# Predicates every page shows in a section of its own (never in the generic relation list).
STRUCTURAL_EXTERNAL = {
    RDF + "type", RDF + "subject", RDF + "predicate", RDF + "object",
    RDFS + "label", RDFS + "comment", RDFS + "isDefinedBy", RDFS + "subClassOf",
    RDFS + "subPropertyOf", RDFS + "domain", RDFS + "range", OWL + "inverseOf",
    SKOS + "prefLabel", SKOS + "altLabel", SKOS + "notation", SKOS + "definition",
    SKOS + "editorialNote", SKOS + "inScheme", SKOS + "broader", SKOS + "narrower",
    SKOS + "topConceptOf", SKOS + "hasTopConcept", SKOS + "note",
    ORG + "subOrganizationOf", ORG + "hasSubOrganization", ORG + "transitiveSubOrganizationOf",
    ORG + "unitOf", ORG + "hasUnit", ORG + "hasPost", ORG + "postIn", ORG + "reportsTo",
    ORG + "purpose", ORG + "memberOf", ORG + "hasMember",
    PROV + "wasDerivedFrom", DCT + "subject", ELI + "is_part_of", ELI + "has_part",
    ELI + "number", ELI + "title", "http://www.w3.org/ns/org#transitiveSubOrganizationOf",
}
STRUCTURAL_LOCAL = {"heads", "headedBy", "actsInAbsenceOf", "substitutedInAbsenceBy",
                    "hasFunction", "functionOf", "areaOf", "hasArea", "inArea",
                    "areaHasFunction", "verbatimText", "unofficialTranslation", "order"}


@dataclass
class PropertyFacts:
    """What the ontology says about properties: inverses, super-properties, symmetry."""

    inverse: dict[str, set[str]]
    supers: dict[str, set[str]]
    symmetric: set[str]

    def has_inverse(self, p: str) -> bool:
        return bool(self.inverse.get(p))


def property_facts(site: Site) -> PropertyFacts:
    def build() -> PropertyFacts:
        inverse: dict[str, set[str]] = {}
        for r in site.select("SELECT DISTINCT ?p ?q WHERE { ?p owl:inverseOf ?q }"):
            p, q = r["p"].value, r["q"].value
            inverse.setdefault(p, set()).add(q)
            inverse.setdefault(q, set()).add(p)
        supers: dict[str, set[str]] = {}
        for r in site.select("SELECT DISTINCT ?p ?q WHERE { ?p rdfs:subPropertyOf+ ?q "
                             "FILTER(?p != ?q && isIRI(?q)) }"):
            supers.setdefault(r["p"].value, set()).add(r["q"].value)
        symmetric = {r["p"].value for r in site.select(
            "SELECT DISTINCT ?p WHERE { ?p a owl:SymmetricProperty }")}
        return PropertyFacts(inverse, supers, symmetric)

    return site.memo("property_facts", build)


def is_structural(site: Site, p: str) -> bool:
    if p in STRUCTURAL_EXTERNAL:
        return True
    return p.startswith(site.ssm) and p[len(site.ssm):] in STRUCTURAL_LOCAL


def drop_entailed_supers(facts: PropertyFacts, pairs: dict[str, set[str]]) -> dict[str, set[str]]:
    """Remove (super-property, o) when (sub-property, o) is there too."""
    result: dict[str, set[str]] = {p: set(objs) for p, objs in pairs.items()}
    for p, objs in pairs.items():
        for sup in facts.supers.get(p, ()):
            if sup in result:
                result[sup] -= objs
    return {p: objs for p, objs in result.items() if objs}


def statement_sources(site: Site, iri: str) -> dict[tuple[str, str, str], list[str]]:
    """(subject, predicate, object) -> provisions, for every rdf:Statement about `iri`."""
    rows = site.select("""
        SELECT DISTINCT ?s ?p ?o ?prov WHERE {
          { ?st rdf:subject ?this } UNION { ?st rdf:object ?this }
          ?st a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
              prov:wasDerivedFrom ?prov .
        }""", this=iri)
    found: dict[tuple[str, str, str], list[str]] = {}
    for r in rows:
        key = (r["s"].value, r["p"].value, r["o"].value)
        found.setdefault(key, []).append(r["prov"].value)
    return found


def sources_for(facts: PropertyFacts, stated: dict[tuple[str, str, str], list[str]],
                s: str, p: str, o: str) -> list[str]:
    """The provisions stating s p o, directly, through an inverse, or through a sub-property."""
    found = list(stated.get((s, p, o), []))
    for q in facts.inverse.get(p, ()):
        found += stated.get((o, q, s), [])
    if not found:
        for (ss, pp, oo), provs in stated.items():
            if p in facts.supers.get(pp, ()) and ((ss, oo) == (s, o)):
                found += provs
    return sorted(set(found))
