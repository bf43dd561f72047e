"""The page of one resource (unit, post, function, provision, body, concept …) as a view-model.

Everything comes from two pattern queries (the resource's outgoing and incoming triples) plus
small follow-ups for the posts and functions it lists; names come from the site's label table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox
from oas_ssm.server.release_archive import page_history

from .. import jsonld
from ..formats import RDF_FORMATS
from .annex import annex
from .i18n import TERM_LABELS
from .model import (
    FunctionRow,
    Link,
    PostRow,
    RelationGroup,
    Target,
    Text,
    in_lang,
    link,
    page_lang_first,
)
from .relations import (
    Statement,
    all_statements,
    property_facts,
    statements_about,
    this_phrase,
)
from .schemaorg import island, organization
from .site import DCT, ELI, ORG, OWL, PROV, RDF, RDFS, SKOS, VOID, Label, Site, pick

IGNORED_TYPES = {OWL + "NamedIndividual", OWL + "Thing", RDFS + "Resource"}
# Classes a type badge may show when the resource has none of ours: ORG's and a few others,
# most specific first (the reused vocabularies' hierarchies are not in the store).
SHOWN_TYPES = (ORG + "FormalOrganization", ORG + "OrganizationalUnit", ORG + "Post",
               ORG + "Organization", SKOS + "Concept", SKOS + "ConceptScheme",
               RDF + "Statement", VOID + "Dataset")


@dataclass
class ResourceView:
    iri: str
    kind: str | None
    label: Label
    lang: str
    heading: str = ""  # the h1 and <title>: the name, or "III.G — Sección …" for a provision
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
    rank: list[Link] = field(default_factory=list)  # I.E.1-2: "con rango de Departamento"
    office_of: list[Link] = field(default_factory=list)  # the post whose office the unit is
    held_jointly: list[Link] = field(default_factory=list)  # posts the same holder fills
    mission: Text | None = None  # I.A, in the page's language (es verbatim / en translation)
    scope: Text | None = None  # I.B, likewise
    purposes: list[Link] = field(default_factory=list)
    provisions: list[Link] = field(default_factory=list)
    annex_href: str | None = None
    part_of: list[Link] = field(default_factory=list)
    # Releases (issue 10): what happened to the resource, release by release, and its TimeMap.
    history: list = field(default_factory=list)
    timemap: str | None = None
    parts: list[Link] = field(default_factory=list)
    derived: list[Link] = field(default_factory=list)
    stated: list[tuple[Link, Link, Link, Link]] = field(default_factory=list)  # (s, p, o, page)
    statement: StatementView | None = None
    scheme: list[Link] = field(default_factory=list)
    top_concept_of: list[Link] = field(default_factory=list)
    top_concepts: list[Link] = field(default_factory=list)
    members: list[Link] = field(default_factory=list)
    broader: list[Link] = field(default_factory=list)
    narrower: list[Link] = field(default_factory=list)
    addressed_by: list[Link] = field(default_factory=list)
    functions_on: list[Link] = field(default_factory=list)
    other: list[tuple[Link, list[Text]]] = field(default_factory=list)
    formats: list[tuple[str, str, str]] = field(default_factory=list)
    jsonld: str = ""
    schema_org: str = ""  # schema.org JSON-LD for search engines (see schemaorg)


@dataclass
class ProvisionText:
    """A provision quoted in full: where it is, its heading, its text and translation."""

    link: Link  # to the provision's page, labelled by its notation
    annex_href: str
    title: str | None
    text_es: str | None
    text_en: str | None


@dataclass
class StatementView:
    """An rdf:Statement's page: the relation, the provisions stating it, the note."""

    subject: Link
    predicate: Link
    object: Link
    provisions: list[ProvisionText] = field(default_factory=list)
    notes: list[Text] = field(default_factory=list)


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
        if prov is not None and prov.parent is None:  # the annex itself: "Anexo E" / "Annex E"
            notation = site.label(i, lang).text
        found.append(Link(i, site.annex_href(i), notation, None, None, None))
    return found


def ssm(site: Site, local: str) -> str:
    return site.ssm + local


def most_specific_types(site: Site, iri: str) -> list[str]:
    """The classes a page names in its type badges: our most specific ones, else ORG's (etc.).

    Classes from vocabularies the site has no name for (foaf:Agent …) are never shown.
    """
    rows = site.select("""
        SELECT DISTINCT ?t WHERE { ?this a ?t . FILTER(isIRI(?t))
          FILTER NOT EXISTS { ?this a ?t2 . ?t2 rdfs:subClassOf+ ?t . FILTER(?t2 != ?t) } }""",
                       this=iri)
    found = sorted(r["t"].value for r in rows if r["t"].value not in IGNORED_TYPES)
    ours = [t for t in found if t.startswith(site.ssm)]
    if ours:
        return ours
    for t in SHOWN_TYPES:
        if t in found:
            return [t]
    return [t for t in found if site.names(t) or t in TERM_LABELS][:1]


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
    lab = site.label(iri, lang)
    other = site.label(iri, "en" if lang == "es" else "es")
    v = ResourceView(iri=iri, kind=site.kind(iri), label=lab, lang=lang)
    if other.text != lab.text and other.lang and other.lang != lab.lang:
        v.other_label = other
    v.acronyms = [lab.acronym] if lab.acronym and lab.acronym != lab.text else []
    names = site.names(iri)
    notation = names.get("notation")
    v.notation = notation[0][0] if notation else None
    v.types = [link(site, t, lang) for t in most_specific_types(site, iri)]
    v.breadcrumb = breadcrumb(site, iri, lang)
    v.heading = lab.text
    v.formats = [(f.label, f.media_type, site.doc_path(iri, f.key) or "") for f in RDF_FORMATS
                 if site.doc_path(iri, f.key)]
    node = ox.NamedNode(iri)
    own = [ox.Triple(node, ox.NamedNode(p), o) for p in sorted(tr.out)
           for o in sorted(tr.out[p], key=str)]
    data = jsonld.document(own, site.prefixes)  # one node: put it at the top, with the context
    v.jsonld = jsonld.script_safe({"@context": data["@context"], **data["@graph"][0]})
    v.schema_org = island(organization(site, iri, lang))
    if v.kind == "statement" and _statement(site, iri, v, lang):
        return v
    v.definitions = page_lang_first(
        tr.literals(SKOS + "definition") or tr.literals(RDFS + "comment"), lang)
    v.notes = page_lang_first(tr.literals(SKOS + "editorialNote"), lang)
    es = pick([(t.value, t.lang) for t in tr.literals(ssm(site, "verbatimText"))], "es")
    en = pick([(t.value, t.lang) for t in tr.literals(ssm(site, "unofficialTranslation"))], "en")
    v.text_es, v.text_en = (es[0] if es else None), (en[0] if en else None)

    _organization(site, tr, v, lang)
    _statements_of_unit(site, tr, v, lang)
    _post(site, tr, v, lang)
    _function(site, tr, v, lang)
    _provision(site, iri, tr, v, lang)
    _concept(site, tr, v, lang)
    v.relations = relation_groups(site, iri, v.kind, lang)
    v.purposes = links(site, tr.iris(ORG + "purpose"), lang)
    v.provisions = provision_links(site, tr.iris(PROV + "wasDerivedFrom"), lang)
    if v.annex_href is None and v.provisions and (v.text_es or v.text_en):
        v.annex_href = v.provisions[0].href  # a function's text: its paragraph in /annex
    v.other = _other_literals(site, tr, lang)
    v.history, v.timemap = page_history(site.base, iri, lang)  # releases (issue 10)
    return v


def statement_title(site: Site, st: Statement, lang: str) -> str:
    """"Sección Antilavado de Activos — coordina con — Secretaría de Asuntos Jurídicos"."""
    return " — ".join(site.label(i, lang).text for i in (st.subject, st.predicate, st.object))


def statement_link(site: Site, st: Statement, lang: str) -> Link:
    return Link(st.iri, site.href(st.iri), statement_title(site, st, lang))


def _statement(site: Site, iri: str, v: ResourceView, lang: str) -> bool:
    st = all_statements(site).get(iri)
    if st is None:
        return False
    v.heading = statement_title(site, st, lang)
    v.label = Label(v.heading, lang)
    v.other_label = None
    ax = annex(site)
    quoted = []
    for p in sorted(st.provisions, key=ax.position):
        prov = ax.provisions.get(p)
        notation = prov.notation if prov else site.slug(p)
        quoted.append(ProvisionText(
            Link(p, site.href(p), notation), site.annex_href(p), ax.title(p, lang),
            prov.text_es if prov else None, prov.text_en if prov else None))
    v.statement = StatementView(
        subject=link(site, st.subject, lang), predicate=link(site, st.predicate, lang),
        object=link(site, st.object, lang), provisions=quoted,
        notes=page_lang_first([Text(t, tag) for t, tag in st.notes], lang))
    return True


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


def _statements_of_unit(site: Site, tr: Triples, v: ResourceView, lang: str) -> None:
    """Rank, office and mission/scope: the facts of I.A, I.B, I.E the page states in words."""
    v.rank = links(site, tr.iris(ssm(site, "hasRank")), lang)
    v.office_of = links(site, tr.iris(ssm(site, "officeOf")), lang)
    for name in ("mission", "scope"):
        found = pick([(x.value, x.lang) for x in tr.literals(ssm(site, name))], lang)
        setattr(v, name, Text(*found) if found else None)


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
    joint = ssm(site, "heldJointlyWith")
    v.held_jointly = links(site, [i for i in tr.iris(joint, inverse=(joint,)) if i != v.iri], lang)


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
    title = ax.title(iri, lang)
    if title:
        v.heading = f"{prov.notation} — {title}"
    v.other_label = None  # "Annex E, III.G" says nothing the page does not
    v.part_of = links(site, [prov.parent] if prov.parent else [], lang)
    v.parts = [Link(c, site.href(c), ax.provisions[c].notation) for c in prov.children]
    v.derived = links(site, ax.derived.get(iri, []), lang)
    stated = [st for st in all_statements(site).values() if iri in st.provisions]
    stated.sort(key=lambda st: statement_title(site, st, lang).casefold())
    v.stated = [(link(site, st.subject, lang), link(site, st.predicate, lang),
                 link(site, st.object, lang), statement_link(site, st, lang)) for st in stated]


def _concept(site: Site, tr: Triples, v: ResourceView, lang: str) -> None:
    v.scheme = links(site, tr.iris(SKOS + "inScheme"), lang)
    v.top_concept_of = links(site, tr.iris(SKOS + "topConceptOf",
                                           inverse=(SKOS + "hasTopConcept",)), lang)
    v.broader = links(site, tr.iris(SKOS + "broader", inverse=(SKOS + "narrower",)), lang)
    v.narrower = links(site, tr.iris(SKOS + "narrower", inverse=(SKOS + "broader",)), lang)
    top = tr.iris(SKOS + "hasTopConcept", inverse=(SKOS + "topConceptOf",))
    v.top_concepts = links(site, top, lang)
    v.members = links(site, [c for c in tr.iris(inverse=(SKOS + "inScheme",)) if c not in top],
                      lang)
    v.addressed_by = links(site, tr.iris(inverse=(ORG + "purpose",)), lang)
    v.functions_on = links(site, tr.iris(inverse=(DCT + "subject",)), lang)


def relation_groups(site: Site, iri: str, kind: str | None, lang: str) -> list[RelationGroup]:
    """The relations the annex states about `iri` (its rdf:Statements), grouped by wording.

    Outgoing ones under the property's name; incoming ones under the inverse property's name
    when the ontology has one, else as a sentence with the subject first ("X coordina con esta
    unidad"). Each relation once, with its provisions, its note and a link to its page.
    """
    facts = property_facts(site)
    this = this_phrase(kind, lang)
    groups: dict[tuple[int, str], RelationGroup] = {}
    for st in statements_about(site, iri):
        outgoing = st.subject == iri
        other = st.object if outgoing else st.subject
        sentence = False
        if outgoing or st.predicate in facts.symmetric:
            pred = link(site, st.predicate, lang)
            phrase = pred.text
        elif facts.inverse.get(st.predicate):
            pred = link(site, sorted(facts.inverse[st.predicate])[0], lang)
            phrase = pred.text
        else:
            pred = link(site, st.predicate, lang)
            phrase, sentence = f"{pred.text} {this}", True
        notes = [Text(t, tag) for t, tag in st.notes]
        target = Target(link(site, other, lang), provision_links(site, st.provisions, lang),
                        (in_lang(notes, lang) or [None])[0], statement_link(site, st, lang))
        key = (1 if sentence else 0, phrase)
        group = groups.get(key)
        if group is None:
            group = groups[key] = RelationGroup(pred, [], incoming=not outgoing, phrase=phrase,
                                                sentence=sentence)
        group.targets.append(target)
    pos = positions(site)
    for g in groups.values():
        g.targets.sort(key=lambda tg: (pos.get(tg.link.iri, 10**6), tg.link.text.casefold()))
    return [groups[k] for k in sorted(groups, key=lambda k: (k[0], k[1].casefold()))]


SHOWN_LITERALS = {SKOS + "prefLabel", SKOS + "altLabel", SKOS + "notation", SKOS + "definition",
                  SKOS + "editorialNote", RDFS + "label", RDFS + "comment", ELI + "number",
                  ELI + "title"}


def _other_literals(site: Site, tr: Triples, lang: str) -> list[tuple[Link, list[Text]]]:
    """Literals no section shows; language-tagged ones in the page's language only."""
    found = []
    for p, objs in sorted(tr.out.items()):
        if p in SHOWN_LITERALS or p in (ssm(site, "verbatimText"), ssm(site, "mission"),
                                        ssm(site, "scope"), ssm(site, "unofficialTranslation"),
                                        ssm(site, "order")):
            continue
        lits = [Text(o.value, o.language) for o in objs if isinstance(o, ox.Literal)]
        if lits:
            lits = in_lang(sorted(lits, key=lambda t: (t.lang or "", t.value)), lang)
            found.append((link(site, p, lang), lits))
    return found
