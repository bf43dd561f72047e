"""The page of one resource (unit, post, function, provision, body, concept …) as a view-model.

Everything comes from two pattern queries (the resource's outgoing and incoming triples) plus
small follow-ups for the posts and functions it lists; names come from the site's label table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from .annex import annex
from .jsonld import resource_jsonld
from .model import FunctionRow, Link, PostRow, RelationGroup, Target, Text, link
from .relations import (
    drop_entailed_supers,
    is_structural,
    property_facts,
    sources_for,
    statement_sources,
)
from .site import DCT, ELI, ORG, OWL, PROV, RDF, RDFS, SKOS, Label, Site, pick

IGNORED_TYPES = {OWL + "NamedIndividual", OWL + "Thing", RDFS + "Resource"}
FORMATS = (("Turtle", "text/turtle", "ttl"), ("JSON-LD", "application/ld+json", "jsonld"),
           ("RDF/XML", "application/rdf+xml", "rdf"), ("N-Triples", "application/n-triples", "nt"))


@dataclass
class ResourceView:
    iri: str
    kind: str | None
    label: Label
    lang: str
    other_label: Label | None = None
    acronyms: list[str] = field(default_factory=list)
    notation: str | None = None
    types: list[Link] = field(default_factory=list)
    breadcrumb: list[Link] = field(default_factory=list)
    definitions: list[Text] = field(default_factory=list)
    notes: list[Text] = field(default_factory=list)
    text_es: str | None = None
    text_en: str | None = None
    head_posts: list[PostRow] = field(default_factory=list)
    posts: list[PostRow] = field(default_factory=list)
    subunits: list[Link] = field(default_factory=list)
    areas: list[Link] = field(default_factory=list)
    functions: list[FunctionRow] = field(default_factory=list)
    function_of: list[Link] = field(default_factory=list)
    in_area: list[Link] = field(default_factory=list)
    subjects: list[Link] = field(default_factory=list)
    post_in: list[Link] = field(default_factory=list)
    heads: list[Link] = field(default_factory=list)
    reports_to: list[Link] = field(default_factory=list)
    acts_in_absence_of: list[Link] = field(default_factory=list)
    substituted_by: list[Link] = field(default_factory=list)
    reported_by: list[Link] = field(default_factory=list)
    relations: list[RelationGroup] = field(default_factory=list)
    purposes: list[Link] = field(default_factory=list)
    provisions: list[Link] = field(default_factory=list)
    annex_href: str | None = None
    part_of: list[Link] = field(default_factory=list)
    parts: list[Link] = field(default_factory=list)
    derived: list[Link] = field(default_factory=list)
    stated: list[tuple[Link, Link, Link]] = field(default_factory=list)
    scheme: list[Link] = field(default_factory=list)
    broader: list[Link] = field(default_factory=list)
    narrower: list[Link] = field(default_factory=list)
    addressed_by: list[Link] = field(default_factory=list)
    functions_on: list[Link] = field(default_factory=list)
    other: list[tuple[Link, list[Text]]] = field(default_factory=list)
    formats: list[tuple[str, str, str]] = field(default_factory=list)
    jsonld: str = ""


class Triples:
    """The outgoing and incoming triples of one resource, by predicate."""

    def __init__(self, site: Site, iri: str):
        self.out: dict[str, list[ox.NamedNode | ox.Literal | ox.BlankNode]] = {}
        self.inc: dict[str, list[str]] = {}
        for r in site.select("SELECT DISTINCT ?p ?o WHERE { ?this ?p ?o }", this=iri):
            self.out.setdefault(r["p"].value, []).append(r["o"])
        for r in site.select("SELECT DISTINCT ?s ?p WHERE { ?s ?p ?this FILTER(isIRI(?s)) }",
                             this=iri):
            self.inc.setdefault(r["p"].value, []).append(r["s"].value)

    @property
    def exists(self) -> bool:
        return bool(self.out or self.inc)

    def iris(self, *preds: str, inverse: tuple[str, ...] = ()) -> list[str]:
        """Objects of `preds` plus subjects of `inverse` predicates, deduplicated."""
        found: list[str] = []
        for p in preds:
            found += [o.value for o in self.out.get(p, []) if isinstance(o, ox.NamedNode)]
        for p in inverse:
            found += self.inc.get(p, [])
        return sorted(set(found))

    def literals(self, pred: str) -> list[Text]:
        return sorted((Text(o.value, o.language) for o in self.out.get(pred, [])
                       if isinstance(o, ox.Literal)), key=lambda t: (t.lang or "", t.value))


def links(site: Site, iris, lang: str, ordered: bool = True) -> list[Link]:
    """Links to `iris`, in annex order (where they come from) then by name."""
    result = [link(site, i, lang) for i in dict.fromkeys(iris)]
    if ordered:
        pos = positions(site)
        result.sort(key=lambda lk: (pos.get(lk.iri, 10**6), lk.text.casefold()))
    return result


def positions(site: Site) -> dict[str, int]:
    """Resource -> position in the annex of the first provision it derives from."""
    def build() -> dict[str, int]:
        ax = annex(site)
        pos: dict[str, int] = {}
        for prov_iri, prov in ax.provisions.items():
            pos[prov_iri] = prov.position
            for r in ax.derived.get(prov_iri, []):
                pos[r] = min(pos.get(r, 10**6), prov.position)
        return pos
    return site.memo("positions", build)


def provision_links(site: Site, iris, lang: str) -> list[Link]:
    """Links to provisions' places in /annex (#III-B-6), labelled by their notation."""
    ax = annex(site)
    found = []
    for i in sorted(set(iris), key=ax.position):
        prov = ax.provisions.get(i)
        notation = prov.notation if prov else site.slug(i)
        found.append(Link(i, site.annex_href(i), notation, None, None, None))
    return found


def ssm(site: Site, local: str) -> str:
    return site.ssm + local


def most_specific_types(site: Site, iri: str) -> list[str]:
    rows = site.select("""
        SELECT DISTINCT ?t WHERE { ?this a ?t . FILTER(isIRI(?t))
          FILTER NOT EXISTS { ?this a ?t2 . ?t2 rdfs:subClassOf+ ?t . FILTER(?t2 != ?t) } }""",
                       this=iri)
    found = sorted(r["t"].value for r in rows if r["t"].value not in IGNORED_TYPES)
    # The reused vocabularies' class hierarchy is not in the store: prefer our own classes.
    ours = [t for t in found if t.startswith(site.ssm)]
    return ours or found


UP_PREDICATES = (ORG + "subOrganizationOf", ORG + "unitOf", ELI + "is_part_of", DCT + "isPartOf",
                 ORG + "postIn", "functionOf", "areaOf", SKOS + "inScheme", RDF + "subject")
UP_INVERSES = {ORG + "subOrganizationOf": ORG + "hasSubOrganization",
               ORG + "unitOf": ORG + "hasUnit", ELI + "is_part_of": ELI + "has_part",
               ORG + "postIn": ORG + "hasPost", "functionOf": "hasFunction", "areaOf": "hasArea"}


def parent_of(site: Site, iri: str) -> str | None:
    """The resource one step up: the unit a unit/post/function belongs to, a provision's parent."""
    for p in UP_PREDICATES:
        full = p if ":" in p else ssm(site, p)
        inv = UP_INVERSES.get(p)
        inv_full = None if inv is None else (inv if ":" in inv else ssm(site, inv))
        union = "UNION { ?x ?q ?this } " if inv_full else ""
        query = ("SELECT ?x WHERE { { ?this ?p ?x } " + union
                 + "FILTER(isIRI(?x)) } ORDER BY ?x LIMIT 1")
        bind = {"this": iri, "p": full}
        if inv_full:
            bind["q"] = inv_full
        rows = site.select(query, **bind)
        if rows:
            return rows[0]["x"].value
    return None


def breadcrumb(site: Site, iri: str, lang: str) -> list[Link]:
    def build() -> list[str]:
        chain: list[str] = []
        current = parent_of(site, iri)
        while current and current not in chain and current != iri and len(chain) < 12:
            chain.append(current)
            current = parent_of(site, current)
        return list(reversed(chain))
    return [link(site, i, lang) for i in site.memo(("crumbs", iri), build)]


def build_resource(site: Site, iri: str, lang: str) -> ResourceView | None:
    """The view-model of `iri`'s page, or None when the graph says nothing about it."""
    tr = Triples(site, iri)
    if not tr.exists:
        return None
    facts = property_facts(site)
    lab = site.label(iri, lang)
    other = site.label(iri, "en" if lang == "es" else "es")
    v = ResourceView(iri=iri, kind=site.kind(iri), label=lab, lang=lang)
    if other.text != lab.text and other.lang and other.lang != lab.lang:
        v.other_label = other
    names = site.names(iri)
    v.acronyms = sorted({t for t, _ in names.get("alt", [])})
    notation = names.get("notation")
    v.notation = notation[0][0] if notation else None
    v.types = [link(site, t, lang) for t in most_specific_types(site, iri)]
    v.breadcrumb = breadcrumb(site, iri, lang)
    v.definitions = tr.literals(SKOS + "definition") or tr.literals(RDFS + "comment")
    v.notes = tr.literals(SKOS + "editorialNote")
    es = pick([(t.value, t.lang) for t in tr.literals(ssm(site, "verbatimText"))], "es")
    en = pick([(t.value, t.lang) for t in tr.literals(ssm(site, "unofficialTranslation"))], "en")
    v.text_es, v.text_en = (es[0] if es else None), (en[0] if en else None)

    _organization(site, tr, v, lang)
    _post(site, tr, v, lang)
    _function(site, tr, v, lang)
    _provision(site, iri, tr, v, lang)
    _concept(site, tr, v, lang)
    v.relations = _relations(site, iri, tr, facts, lang)
    v.purposes = links(site, tr.iris(ORG + "purpose"), lang)
    v.provisions = provision_links(site, tr.iris(PROV + "wasDerivedFrom"), lang)
    if v.annex_href is None and v.provisions and (v.text_es or v.text_en):
        v.annex_href = v.provisions[0].href  # a function's text: its paragraph in /annex
    v.other = _other_literals(site, tr, lang)
    v.formats = [(name, media, site.doc_path(iri, ext) or "") for name, media, ext in FORMATS
                 if site.doc_path(iri, ext)]
    v.jsonld = resource_jsonld(site, iri, tr.out)
    return v


def _organization(site: Site, tr: Triples, v: ResourceView, lang: str) -> None:
    v.subunits = links(site, tr.iris(ORG + "hasSubOrganization", ORG + "hasUnit",
                                     inverse=(ORG + "subOrganizationOf", ORG + "unitOf")), lang)
    v.areas = links(site, tr.iris(ssm(site, "hasArea"), inverse=(ssm(site, "areaOf"),)), lang)
    heads = tr.iris(ssm(site, "headedBy"), inverse=(ssm(site, "heads"),))
    posts = tr.iris(ORG + "hasPost", inverse=(ORG + "postIn",))
    v.head_posts = [_post_row(site, p, lang) for p in heads]
    v.posts = [_post_row(site, p, lang) for p in posts if p not in heads]
    fn_iris = tr.iris(ssm(site, "hasFunction"), inverse=(ssm(site, "functionOf"),))
    v.functions = function_rows(site, fn_iris, lang)


def _post_row(site: Site, post: str, lang: str) -> PostRow:
    pt = Triples(site, post)
    return PostRow(
        post=link(site, post, lang),
        heads=links(site, pt.iris(ssm(site, "heads"), inverse=(ssm(site, "headedBy"),)), lang),
        reports_to=links(site, pt.iris(ORG + "reportsTo"), lang),
        acts_in_absence_of=links(site, pt.iris(ssm(site, "actsInAbsenceOf")), lang),
    )


def function_rows(site: Site, iris: list[str], lang: str) -> list[FunctionRow]:
    """The functions `iris` with their verbatim text, translation and paragraph, in annex order."""
    if not iris:
        return []
    values = " ".join(str(ox.NamedNode(i)) for i in iris)
    rows = site.select(f"""
        SELECT ?f ?p ?o WHERE {{ VALUES ?f {{ {values} }}
          VALUES ?p {{ ssm:verbatimText ssm:unofficialTranslation skos:notation
                       prov:wasDerivedFrom ssm:inArea }}
          ?f ?p ?o }}""")
    by_fn: dict[str, dict[str, list]] = {i: {} for i in iris}
    for r in rows:
        by_fn[r["f"].value].setdefault(r["p"].value, []).append(r["o"])
    ax = annex(site)
    result = []
    for f, props in by_fn.items():
        es = pick([(o.value, o.language) for o in props.get(ssm(site, "verbatimText"), [])], "es")
        en = pick([(o.value, o.language) for o in
                   props.get(ssm(site, "unofficialTranslation"), [])], "en")
        provs = [o.value for o in props.get(PROV + "wasDerivedFrom", [])]
        notation = props.get(SKOS + "notation")
        result.append(FunctionRow(
            function=link(site, f, lang),
            notation=notation[0].value if notation else site.slug(f).replace("-", "."),
            text_es=es[0] if es else None, text_en=en[0] if en else None,
            provisions=provision_links(site, provs, lang),
            areas=links(site, [o.value for o in props.get(ssm(site, "inArea"), [])], lang),
        ))
    result.sort(key=lambda r: (min((ax.position(p.iri) for p in r.provisions), default=10**6),
                               r.notation))
    return result


def _post(site: Site, tr: Triples, v: ResourceView, lang: str) -> None:
    v.post_in = links(site, tr.iris(ORG + "postIn", inverse=(ORG + "hasPost",)), lang)
    v.heads = links(site, tr.iris(ssm(site, "heads"), inverse=(ssm(site, "headedBy"),)), lang)
    v.reports_to = links(site, tr.iris(ORG + "reportsTo"), lang)
    v.reported_by = links(site, tr.iris(inverse=(ORG + "reportsTo",)), lang)
    absence, substituted = ssm(site, "actsInAbsenceOf"), ssm(site, "substitutedInAbsenceBy")
    v.acts_in_absence_of = links(site, tr.iris(absence, inverse=(substituted,)), lang)
    v.substituted_by = links(site, tr.iris(ssm(site, "substitutedInAbsenceBy"),
                                           inverse=(ssm(site, "actsInAbsenceOf"),)), lang)


def _function(site: Site, tr: Triples, v: ResourceView, lang: str) -> None:
    v.function_of = links(site, tr.iris(ssm(site, "functionOf"),
                                        inverse=(ssm(site, "hasFunction"),)), lang)
    v.in_area = links(site, tr.iris(ssm(site, "inArea")), lang)
    v.subjects = links(site, tr.iris(DCT + "subject"), lang)
    if site.kind(v.iri) == "area":
        fns = tr.iris(ssm(site, "areaHasFunction"), inverse=(ssm(site, "inArea"),))
        v.functions = function_rows(site, fns, lang)


def _provision(site: Site, iri: str, tr: Triples, v: ResourceView, lang: str) -> None:
    ax = annex(site)
    prov = ax.provisions.get(iri)
    if prov is None:
        return
    v.annex_href = site.annex_href(iri)
    v.part_of = links(site, [prov.parent] if prov.parent else [], lang)
    v.parts = [link(site, c, lang, ax.provisions[c].notation) for c in prov.children]
    v.derived = links(site, ax.derived.get(iri, []), lang)
    v.stated = [(link(site, s, lang), link(site, p, lang), link(site, o, lang))
                for s, p, o in ax.statements.get(iri, [])]


def _concept(site: Site, tr: Triples, v: ResourceView, lang: str) -> None:
    v.scheme = links(site, tr.iris(SKOS + "inScheme", SKOS + "topConceptOf"), lang)
    v.broader = links(site, tr.iris(SKOS + "broader", inverse=(SKOS + "narrower",)), lang)
    v.narrower = links(site, tr.iris(SKOS + "narrower", SKOS + "hasTopConcept",
                                     inverse=(SKOS + "broader", SKOS + "topConceptOf",
                                              SKOS + "inScheme")), lang)
    v.addressed_by = links(site, tr.iris(inverse=(ORG + "purpose",)), lang)
    v.functions_on = links(site, tr.iris(inverse=(DCT + "subject",)), lang)


def _relations(site: Site, iri: str, tr: Triples, facts, lang: str) -> list[RelationGroup]:
    out = {p: {o.value for o in objs if isinstance(o, ox.NamedNode)}
           for p, objs in tr.out.items() if not is_structural(site, p)}
    out = drop_entailed_supers(facts, {p: o for p, o in out.items() if o})
    inc = {p: set(subjects) for p, subjects in tr.inc.items()
           if not is_structural(site, p) and not facts.has_inverse(p)
           and p not in facts.symmetric and not p.startswith(RDF)}
    inc = drop_entailed_supers(facts, inc)
    stated = statement_sources(site, iri)
    groups: list[RelationGroup] = []
    for p, objs in out.items():
        targets = [Target(lk, provision_links(site, sources_for(facts, stated, iri, p, lk.iri),
                                              lang)) for lk in links(site, objs, lang)]
        groups.append(RelationGroup(link(site, p, lang), targets))
    for p, subs in inc.items():
        targets = [Target(lk, provision_links(site, sources_for(facts, stated, lk.iri, p, iri),
                                              lang)) for lk in links(site, subs, lang)]
        groups.append(RelationGroup(link(site, p, lang), targets, incoming=True))
    groups.sort(key=lambda g: (g.incoming, g.predicate.text.casefold()))
    return groups


SHOWN_LITERALS = {SKOS + "prefLabel", SKOS + "altLabel", SKOS + "notation", SKOS + "definition",
                  SKOS + "editorialNote", RDFS + "label", RDFS + "comment", ELI + "number"}


def _other_literals(site: Site, tr: Triples, lang: str) -> list[tuple[Link, list[Text]]]:
    found = []
    for p, objs in sorted(tr.out.items()):
        if p in SHOWN_LITERALS or p in (ssm(site, "verbatimText"),
                                        ssm(site, "unofficialTranslation"), ssm(site, "order")):
            continue
        lits = [Text(o.value, o.language) for o in objs if isinstance(o, ox.Literal)]
        if lits:
            found.append((link(site, p, lang), sorted(lits, key=lambda t: (t.lang or "", t.value))))
    return found
