"""Join the parsed provisions and the curated mapping into the RDF graph of Annex E.

Conventions (docs/model.md): the data asserts each relation in one direction, from the
dependent resource (a section is `org:subOrganizationOf` its secretariat, a post is
`org:postIn` its unit, a function `ssm:functionOf` its unit); the server adds the inverses.
Every relation between two resources is also an `rdf:Statement` citing its provisions.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from oas_ssm.mapping import Mapping, Relation
from oas_ssm.namespaces import ELI, ORG, PREFIXES, SSM, iri
from oas_ssm.provisions import Provision, children_of
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, XSD

CLASS_BY_KIND = {
    "instrument": [SSM.Instrument],
    "observatory": [SSM.Observatory],
    "area": [SSM.AreaOfWork],
    "post": [ORG.Post],
}
KINDS = (
    "organization",
    "unit",
    "post",
    "function",
    "provision",
    "body",
    "instrument",
    "observatory",
    "area",
    "concept",
    "scheme",
    "statement",
)
COLLECTIVE_NOTE = {
    "es": "Frase colectiva «{phrase}» ({where}): cada dependencia de la lista del anexo ({listed}) "
    "salvo la propia (README, «Collective phrases»).",
    "en": "Collective phrase «{phrase}» ({where}): each unit of the annex's list ({listed}) but "
    "the speaker (README, “Collective phrases”).",
}
TRANSLATION_NOTE = {
    "es": "Todo texto en inglés de estos datos (etiquetas, títulos, textos) es una traducción no "
    "oficial; el texto en español del Anexo E es el auténtico.",
    "en": "All English text in these data (labels, titles, texts) is an unofficial translation; "
    "the Spanish text of Annex E is authoritative.",
}
UNOFFICIAL = {
    "es": "Traducción al inglés no oficial; el texto en español es el auténtico.",
    "en": "Unofficial English translation; the Spanish text is authoritative.",
}


def fold(text: str) -> str:
    """Lower-case, accent-free text, so 'Lavado de Activos' matches 'lavado de activos'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def curie(value: str) -> URIRef:
    prefix, _, local = value.partition(":")
    if prefix not in PREFIXES:
        raise ValueError(f"unknown prefix in {value!r}")
    return PREFIXES[prefix][local]


def ref_iri(ref: str) -> URIRef:
    kind, _, slug = ref.partition("/")
    return URIRef(iri(kind, slug))


def provision_iri(pid: str) -> URIRef:
    return URIRef(iri("provision", pid))


class GraphBuilder:
    """Builds the graph in one pass; one method per kind of resource."""

    def __init__(self, provisions: dict[str, Provision], mapping: Mapping) -> None:
        self.provisions = provisions
        self.mapping = mapping
        self.graph = Graph()
        for prefix, ns in PREFIXES.items():
            self.graph.bind(prefix, ns)
        for kind in KINDS:
            self.graph.bind(kind, iri(kind, ""))

    # -- helpers -------------------------------------------------------------------------
    def add(self, s: URIRef, p: URIRef, o: Any) -> None:
        self.graph.add((s, p, o))

    def labels(
        self, s: URIRef, label: dict[str, str], alt: dict[str, list[str]] | None = None
    ) -> None:
        for lang in ("es", "en"):
            self.add(s, SKOS.prefLabel, Literal(label[lang], lang=lang))
        for lang, names in (alt or {}).items():
            for name in names:
                self.add(s, SKOS.altLabel, Literal(name, lang=lang))

    def bilingual(self, s: URIRef, p: URIRef, text: dict[str, str] | None) -> None:
        for lang, value in (text or {}).items():
            self.add(s, p, Literal(" ".join(value.split()), lang=lang))

    def derived_from(self, s: URIRef, sources: list[str]) -> None:
        for pid in sources:
            self.add(s, PROV.wasDerivedFrom, provision_iri(pid))

    def state(
        self,
        s: URIRef,
        p: URIRef,
        o: URIRef | Literal,
        sources: list[str],
        note: dict | None = None,
    ) -> None:
        """Assert `s p o` and the rdf:Statement that cites the provisions stating it.

        A literal object (a mission's words) gives the statement IRI `{subject}--{property}`.
        """
        self.add(s, p, o)
        slug = f"{_tail(s)}--{self.graph.qname(p).split(':')[-1]}"
        if isinstance(o, URIRef):
            slug += f"--{_tail(o)}"
        st = URIRef(iri("statement", slug))
        self.add(st, RDF.type, RDF.Statement)
        self.add(st, RDF.subject, s)
        self.add(st, RDF.predicate, p)
        self.add(st, RDF.object, o)
        self.derived_from(st, sources)
        self.bilingual(st, SKOS.note, note)

    # -- the annex -----------------------------------------------------------------------
    def add_provisions(self) -> None:
        for prov in self.provisions.values():
            s = provision_iri(prov.id)
            tr = self.mapping.translations.get(prov.id) or {}
            self.add(s, RDF.type, SSM.Provision)
            self.add(s, SKOS.notation, Literal(prov.notation))
            self.add(s, ELI.number, Literal(prov.number))
            self.add(s, SSM.order, Literal(prov.order, datatype=XSD.integer))
            if prov.level == "annex":
                self.labels(s, {"es": "Anexo E", "en": "Annex E"})
                self.bilingual(s, SKOS.editorialNote, TRANSLATION_NOTE)
            else:
                self.labels(
                    s, {"es": f"Anexo E, {prov.notation}", "en": f"Annex E, {prov.notation}"}
                )
            if prov.parent:
                self.add(s, ELI.is_part_of, provision_iri(prov.parent))
            if prov.title:
                self.add(s, ELI.title, Literal(prov.title, lang="es"))
                self.add(s, ELI.title, Literal(" ".join(tr["title"].split()), lang="en"))
            if prov.text:
                self.add(s, SSM.verbatimText, Literal(prov.text, lang="es"))
                self.add(
                    s, SSM.unofficialTranslation, Literal(" ".join(tr["text"].split()), lang="en")
                )

    # -- things the annex names ----------------------------------------------------------
    def add_entities(self) -> None:
        for kind, entries in self.mapping.entities.items():
            for slug, entry in entries.items():
                s = URIRef(iri(kind, slug))
                for cls in CLASS_BY_KIND.get(kind, []):
                    self.add(s, RDF.type, cls)
                for t in entry.get("types", []):
                    self.add(s, RDF.type, curie(t))
                self.labels(s, entry["label"], entry.get("alt"))
                self.bilingual(s, SKOS.definition, entry.get("definition"))
                self.bilingual(s, SKOS.editorialNote, entry.get("note"))
                if kind == "area":
                    self.bilingual(s, SKOS.editorialNote, self.mapping.area_note)
                self.derived_from(s, entry["source"])
                self._hierarchy(s, entry)
                self._statements_of_text(s, entry)

    def _hierarchy(self, s: URIRef, entry: dict[str, Any]) -> None:
        links = (
            ("parent", ORG.subOrganizationOf, "parent_source"),
            ("unit_of", ORG.unitOf, "parent_source"),
            ("post_in", ORG.postIn, "post_in_source"),
            ("office_of", SSM.officeOf, "office_of_source"),
            ("rank", SSM.hasRank, "rank_source"),
            ("area_of", SSM.areaOf, "area_of_source"),
            ("part_of", DCTERMS.isPartOf, "source"),
        )
        for key, predicate, source_key in links:
            if key in entry:
                self.state(s, predicate, ref_iri(entry[key]), entry[source_key])

    def _statements_of_text(self, s: URIRef, entry: dict[str, Any]) -> None:
        """A unit's mission (I.A) and scope of action (I.B): the paragraph's own words."""
        for key, predicate in (("mission", SSM.mission), ("scope", SSM.scope)):
            if key in entry:
                pid = entry[key]
                english = " ".join(self.mapping.translations[pid]["text"].split())
                self.add(s, predicate, Literal(english, lang="en"))
                self.state(s, predicate, Literal(self.provisions[pid].text, lang="es"), [pid])

    def add_relations(self) -> None:
        for rel in self.mapping.relations:
            self._relation(rel)
        for rel in self.collective_relations():
            self._relation(rel)

    def collective_relations(self) -> list[Relation]:
        """The definite collective phrases, one relation per listed member (README rule).

        The same triple from two phrases (V.B.1, V.G.1) is one relation citing both.
        """
        merged: dict[tuple[str, str, str], Relation] = {}
        for use in self.mapping.collectives:
            speaker = use.object if use.subject == "each" else use.subject
            members = self.mapping.member_lists[use.list]
            listed = ", ".join(self.provisions[pid].notation for _, pid in members)
            where = self.provisions[use.source].notation
            for ref, pid in members:
                if ref == speaker:
                    continue
                s = ref if use.subject == "each" else use.subject
                o = ref if use.object == "each" else use.object
                note = {
                    lang: text.format(phrase=use.phrase, where=where, listed=listed)
                    for lang, text in COLLECTIVE_NOTE.items()
                }
                cited = [use.source, pid] + ([use.speaker_source] if use.speaker_source else [])
                rel = merged.get((s, use.predicate, o))
                if rel is None:
                    merged[(s, use.predicate, o)] = Relation(s, use.predicate, o, cited, note)
                    continue
                rel.sources += [x for x in cited if x not in rel.sources]
                assert rel.note is not None
                rel.note = {lang: f"{rel.note[lang]} {note[lang]}" for lang in note}
        return list(merged.values())

    def _relation(self, rel: Relation) -> None:
        self.state(
            ref_iri(rel.subject), curie(rel.predicate), ref_iri(rel.object), rel.sources, rel.note
        )

    # -- functions and threats -----------------------------------------------------------
    def function_provisions(self) -> list[tuple[Provision, dict[str, Any]]]:
        found = []
        for group in self.mapping.functions:
            for child in children_of(group["section"], self.provisions):
                if child.id not in group.get("exclude", []):
                    found.append((child, group))
        return found

    def add_functions(self) -> None:
        """Add every function with the threats its text names (dcterms:subject)."""
        for prov, group in self.function_provisions():
            f = URIRef(iri("function", prov.id))
            parts = _subtree(prov, self.provisions)
            self.add(f, RDF.type, SSM.Function)
            self.labels(f, {"es": f"Función {prov.notation}", "en": f"Function {prov.notation}"})
            self.add(f, SKOS.notation, Literal(prov.notation))
            text_es = "\n\n".join(p.text for p in parts if p.text)
            text_en = "\n\n".join(
                " ".join(self.mapping.translations[p.id]["text"].split()) for p in parts if p.text
            )
            self.add(f, SSM.verbatimText, Literal(text_es, lang="es"))
            self.add(f, SSM.unofficialTranslation, Literal(text_en, lang="en"))
            self.bilingual(f, SKOS.editorialNote, UNOFFICIAL)
            self.add(f, SSM.functionOf, ref_iri(group["unit"]))
            if "area" in group:
                self.add(f, SSM.inArea, ref_iri(group["area"]))
            self.derived_from(f, [p.id for p in parts])
            for slug in self._concepts_named_in(text_es):
                self.add(f, DCTERMS.subject, URIRef(iri("concept", slug)))

    def _concepts_named_in(self, text: str) -> list[str]:
        folded = fold(" ".join(text.split()))
        return [
            slug
            for slug, concept in self.mapping.concepts.items()
            if any(fold(phrase) in folded for phrase in concept["match"])
        ]

    def add_concepts(self) -> None:
        scheme = URIRef(iri("scheme", self.mapping.scheme["slug"]))
        self.add(scheme, RDF.type, SKOS.ConceptScheme)
        self.labels(scheme, self.mapping.scheme["label"])
        self.derived_from(scheme, self.mapping.scheme["source"])
        for slug, concept in self.mapping.concepts.items():
            c = URIRef(iri("concept", slug))
            self.add(c, RDF.type, SKOS.Concept)
            self.labels(c, concept["label"])
            self.add(c, SKOS.inScheme, scheme)
            self.derived_from(c, ["II-A-1"])
            if concept.get("top"):
                self.add(c, SKOS.topConceptOf, scheme)
            if concept.get("broader"):
                self.add(c, SKOS.broader, URIRef(iri("concept", concept["broader"])))

    def add_ranks(self) -> None:
        """The ranks scheme (I.E.1, I.E.2): what ssm:hasRank points to."""
        ranks = self.mapping.rank_scheme
        if not ranks:
            return
        scheme = URIRef(iri("scheme", ranks["slug"]))
        self.add(scheme, RDF.type, SKOS.ConceptScheme)
        self.labels(scheme, ranks["label"])
        self.derived_from(scheme, ranks["source"])
        for slug, concept in ranks["concepts"].items():
            c = URIRef(iri("concept", slug))
            self.add(c, RDF.type, SKOS.Concept)
            self.labels(c, concept["label"])
            self.bilingual(c, SKOS.definition, concept.get("definition"))
            self.add(c, SKOS.inScheme, scheme)
            self.add(c, SKOS.topConceptOf, scheme)
            self.derived_from(c, ranks["source"])

    def build(self) -> Graph:
        self.add_provisions()
        self.add_entities()
        self.add_relations()
        self.add_functions()
        self.add_concepts()
        self.add_ranks()
        return self.graph


def _tail(node: URIRef) -> str:
    """'…/id/unit/se-cicad' -> 'unit-se-cicad' (for readable statement IRIs)."""
    kind, slug = str(node).rsplit("/", 2)[-2:]
    return f"{kind}-{slug}"


def _subtree(prov: Provision, provisions: dict[str, Provision]) -> list[Provision]:
    """The provision and everything nested in it, in document order."""
    out = [prov]
    for child in children_of(prov.id, provisions):
        out.extend(_subtree(child, provisions))
    return out


def build_graph(provisions: dict[str, Provision], mapping: Mapping) -> Graph:
    """The whole Annex E graph."""
    return GraphBuilder(provisions, mapping).build()
