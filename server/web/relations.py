"""The relations a page shows as "stated by the annex": its rdf:Statements, and nothing else.

Every relation the annex states is reified in the asserted graph (`<{base}graph/asserted>`) as an
rdf:Statement citing its provision(s) and, at times, a skos:note. The store also holds what those
triples entail (inverses, super-properties, org:linkedTo, the transitive closure) and the VoID
description; none of that is something the annex says, so the section reads the statements only.
An incoming statement (the resource is its object) is worded with the property's owl:inverseOf
when the ontology has one ("tiene como secretaría a"), otherwise as a sentence with the subject
first ("X coordina con esta unidad").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .i18n import translate
from .site import DCT, ELI, ORG, OWL, PROV, RDF, RDFS, SKOS, Site

# Predicates every page shows in a section of its own (never in the relation list).
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
    ELI + "number", ELI + "title",
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


@dataclass
class Statement:
    """One rdf:Statement of the asserted graph: a relation the annex states, and where."""

    iri: str
    subject: str
    predicate: str
    object: str
    provisions: list[str] = field(default_factory=list)
    notes: list[tuple[str, str | None]] = field(default_factory=list)  # (text, lang)


STATEMENTS = """
SELECT ?st ?s ?p ?o ?prov ?note WHERE {
  GRAPH ?g {
    ?st a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
    OPTIONAL { ?st prov:wasDerivedFrom ?prov }
    OPTIONAL { ?st skos:note ?note }
  }
  FILTER(isIRI(?s) && isIRI(?o))
}"""


def asserted_graph(site: Site) -> str:
    return site.base + "graph/asserted"


def all_statements(site: Site) -> dict[str, Statement]:
    """Every asserted rdf:Statement by IRI (memoized per data version)."""
    def build() -> dict[str, Statement]:
        found: dict[str, Statement] = {}
        for r in site.select(STATEMENTS, g=asserted_graph(site)):
            key = r["st"].value
            st = found.get(key)
            if st is None:
                st = found[key] = Statement(key, r["s"].value, r["p"].value, r["o"].value)
            if "prov" in r and r["prov"].value not in st.provisions:
                st.provisions.append(r["prov"].value)
            if "note" in r:
                note = (r["note"].value, r["note"].language)
                if note not in st.notes:
                    st.notes.append(note)
        for st in found.values():
            st.provisions.sort()
            st.notes.sort(key=lambda n: (n[1] or "", n[0]))
        return found
    return site.memo("statements", build)


def statements_by_resource(site: Site) -> dict[str, list[Statement]]:
    """Resource IRI -> the statements it is the subject or the object of."""
    def build() -> dict[str, list[Statement]]:
        index: dict[str, list[Statement]] = {}
        for st in all_statements(site).values():
            index.setdefault(st.subject, []).append(st)
            if st.object != st.subject:
                index.setdefault(st.object, []).append(st)
        return index
    return site.memo("statements_by_resource", build)


def statements_about(site: Site, iri: str) -> list[Statement]:
    """The relations the annex states about `iri`, each once, structural ones left out.

    When the same pair is stated with a property and with one of its super-properties, only the
    more specific statement is kept.
    """
    facts = property_facts(site)
    mine = [st for st in statements_by_resource(site).get(iri, [])
            if not is_structural(site, st.predicate)]
    pairs = {(st.subject, st.object, st.predicate) for st in mine}
    kept = []
    for st in mine:
        if any((st.subject, st.object, sub) in pairs
               for sub, sups in facts.supers.items() if st.predicate in sups):
            continue
        kept.append(st)
    return kept


THIS = {"unit": "this_unit", "organization": "this_organization", "body": "this_body",
        "post": "this_post", "instrument": "this_instrument", "observatory": "this_observatory",
        "area": "this_area", "concept": "this_concept", "scheme": "this_scheme",
        "function": "this_function", "provision": "this_provision"}


def this_phrase(kind: str | None, lang: str) -> str:
    """"esta unidad" / "this unit": how a sentence names the page's own resource."""
    return translate(THIS.get(kind or "", "this_resource"), lang)
