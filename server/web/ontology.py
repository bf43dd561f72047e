"""The ontology page: header metadata, classes, properties and a diagram of the main classes."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from .describe import metadata_rows
from .model import Link, Text, link, page_lang_first
from .site import OWL, RDF, RDFS, SKOS, Site, pick

CHARACTERISTICS = ("TransitiveProperty", "SymmetricProperty", "FunctionalProperty",
                   "InverseFunctionalProperty", "AsymmetricProperty", "IrreflexiveProperty")
PROPERTY_KINDS = ("ObjectProperty", "DatatypeProperty", "AnnotationProperty")


@dataclass
class TermView:
    iri: str
    local: str
    kind: str  # Class | ObjectProperty | DatatypeProperty | AnnotationProperty
    labels: dict[str, str] = field(default_factory=dict)
    definitions: dict[str, str] = field(default_factory=dict)
    notes: list[Text] = field(default_factory=list)
    supers: list[Link] = field(default_factory=list)
    subs: list[Link] = field(default_factory=list)
    alignments: list[tuple[str, Link]] = field(default_factory=list)  # (relation, external term)
    domain: list[list[Link]] = field(default_factory=list)  # each entry: a class or a union
    range: list[list[Link]] = field(default_factory=list)
    inverse: list[Link] = field(default_factory=list)
    characteristics: list[str] = field(default_factory=list)


@dataclass
class OntologyView:
    iri: str
    title: str
    description: str | None
    metadata: list[tuple[Link, list[Link | Text]]]
    classes: list[TermView]
    properties: list[TermView]
    lang: str = "es"


def _closure(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}

    def reach(x: str, seen: set[str]) -> set[str]:
        for y in edges.get(x, ()):
            if y not in seen:
                seen.add(y)
                reach(y, seen)
        return seen

    for x in edges:
        result[x] = reach(x, set()) - {x}
    return result


def direct(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    """Transitive reduction: drop x→z when x→y→z (the store holds entailed sub-class triples)."""
    closure = _closure(edges)
    return {x: {y for y in ys if y != x and not any(
        y in closure.get(m, ()) for m in ys if m not in (x, y))} for x, ys in closure.items()}


def build_ontology(site: Site, lang: str) -> OntologyView:
    ont = site.ontology
    terms: dict[str, TermView] = {}
    for r in site.select("""SELECT DISTINCT ?t ?k WHERE {
            VALUES ?k { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty }
            ?t a ?k . FILTER(isIRI(?t) && STRSTARTS(STR(?t), STR(?ns))) }""",
                         ns=site.ssm):
        t, kind = r["t"].value, r["k"].value.split("#")[1]
        if t not in terms or kind != "AnnotationProperty":
            terms[t] = TermView(t, t[len(site.ssm):], kind)
    props: dict[str, dict[str, list]] = {t: {} for t in terms}
    if terms:
        values = " ".join(str(ox.NamedNode(t)) for t in terms)
        for r in site.select(f"SELECT ?t ?p ?o WHERE {{ VALUES ?t {{ {values} }} ?t ?p ?o }}"):
            props[r["t"].value].setdefault(r["p"].value, []).append(r["o"])
    sub_edges = {t: {o.value for o in p.get(RDFS + "subClassOf", []) + p.get(
        RDFS + "subPropertyOf", []) if isinstance(o, ox.NamedNode)} for t, p in props.items()}
    supers = direct(sub_edges)
    subs: dict[str, set[str]] = {}
    for t, ss in supers.items():
        for s in ss:
            subs.setdefault(s, set()).add(t)
    unions = _unions(site)
    for t, view in terms.items():
        p = props[t]
        for key in ("es", "en"):
            lab = pick([(o.value, o.language) for o in p.get(RDFS + "label", [])
                        + p.get(SKOS + "prefLabel", [])], key)
            if lab and (lab[1] or "") .startswith(key):
                view.labels[key] = lab[0]
            d = pick([(o.value, o.language) for o in p.get(SKOS + "definition", [])
                      + p.get(RDFS + "comment", [])], key)
            if d and (d[1] or "").startswith(key):
                view.definitions[key] = d[0]
        view.notes = page_lang_first(sorted(
            (Text(o.value, o.language) for o in p.get(SKOS + "editorialNote", [])
             if isinstance(o, ox.Literal)), key=lambda x: x.lang or ""), lang)
        for s in sorted(supers.get(t, ())):
            if s.startswith(site.ssm):
                view.supers.append(link(site, s, lang))
            elif s not in (OWL + "Thing", OWL + "topObjectProperty"):
                view.alignments.append(("⊑", link(site, s, lang)))
        view.subs = sorted((link(site, s, lang) for s in subs.get(t, ())
                            if s.startswith(site.ssm)), key=lambda lk: lk.text.casefold())
        for rel, sym in ((OWL + "equivalentClass", "≡"), (OWL + "equivalentProperty", "≡")):
            for o in p.get(rel, []):
                if isinstance(o, ox.NamedNode):
                    view.alignments.append((sym, link(site, o.value, lang)))
        view.domain = _class_refs(site, p.get(RDFS + "domain", []), unions, lang)
        view.range = _class_refs(site, p.get(RDFS + "range", []), unions, lang)
        view.inverse = [link(site, o.value, lang) for o in p.get(OWL + "inverseOf", [])
                        if isinstance(o, ox.NamedNode)]
        view.characteristics = sorted(o.value.split("#")[1] for o in p.get(RDF + "type", [])
                                      if o.value.split("#")[-1] in CHARACTERISTICS)
    # owl:inverseOf stated on the other side only
    for t, view in terms.items():
        for inv in view.inverse:
            other = terms.get(inv.iri)
            if other and t not in {lk.iri for lk in other.inverse}:
                other.inverse.append(link(site, t, lang))

    def order(v: TermView):
        return v.labels.get(lang, v.local).casefold()
    classes = sorted((v for v in terms.values() if v.kind == "Class"), key=order)
    properties = sorted((v for v in terms.values() if v.kind != "Class"),
                        key=lambda v: (PROPERTY_KINDS.index(v.kind), order(v)))
    title = site.label(ont, lang)
    desc_rows = site.select("SELECT ?d WHERE { ?this dcterms:description ?d }", this=ont)
    desc = pick([(r["d"].value, r["d"].language) for r in desc_rows], lang)
    return OntologyView(ont, title.text, desc[0] if desc else None, _metadata(site, ont, lang),
                        classes, properties, lang)


def _unions(site: Site) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for r in site.select("""SELECT ?u ?m WHERE { ?u owl:unionOf ?l . ?l rdf:rest*/rdf:first ?m .
                             FILTER(isBlank(?u)) }"""):
        found.setdefault(str(r["u"]), []).append(r["m"].value)
    return found


def _class_refs(site: Site, objs, unions: dict[str, list[str]], lang: str) -> list[list[Link]]:
    refs = []
    for o in objs:
        if isinstance(o, ox.NamedNode):
            refs.append([link(site, o.value, lang)])
        elif isinstance(o, ox.BlankNode) and str(o) in unions:
            refs.append([link(site, m, lang) for m in sorted(unions[str(o)])])
    # an entailed super-class domain is noise next to the stated one: keep the stated ones
    return sorted(refs, key=lambda ls: [lk.text for lk in ls])


def _metadata(site: Site, ont: str, lang: str) -> list[tuple[Link, list[Link | Text]]]:
    return metadata_rows(site, ont, lang, skip={RDFS + "label"})
