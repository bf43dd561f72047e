"""Header metadata (of the ontology, of the dataset) as rows a person can read.

Keys are the properties' names in the page's language (`i18n.TERM_LABELS` for the reused
vocabularies), values are links with names, a licence by its short name ("CC BY 4.0"), dates
as dates and language-tagged texts in the page's language only (the other one when that is all
there is).
"""

from __future__ import annotations

import pyoxigraph as ox

from .i18n import TERM_LABELS
from .model import Link, Text, in_lang, link
from .site import RDF, Site, local_name

META_ORDER = ("title", "description", "versionInfo", "versionIRI", "priorVersion", "created",
              "modified", "issued", "license", "creator", "publisher", "contributor", "source",
              "landingPage", "sparqlEndpoint", "uriSpace", "rootResource", "exampleResource",
              "vocabulary", "feature", "triples", "entities", "distinctSubjects",
              "distinctObjects", "properties", "classes", "bibliographicCitation",
              "preferredNamespacePrefix", "preferredNamespaceUri")
FORMAT_NAMES = {"RDF_XML": "RDF/XML", "N-Triples": "N-Triples", "Turtle": "Turtle",
                "JSON-LD": "JSON-LD", "N-Quads": "N-Quads", "TriG": "TriG"}


def licence_name(iri: str) -> str:
    """"CC BY 4.0" for the Creative Commons licences' IRIs (theirs or the EU table's), else the
    IRI."""
    if "creativecommons.org/licenses/by/4.0" in iri or iri.endswith("/licence/CC_BY_4_0"):
        return "CC BY 4.0"
    if "creativecommons.org/publicdomain/zero/1.0" in iri:
        return "CC0 1.0"
    return iri


def value_link(site: Site, iri: str, lang: str) -> Link:
    """A link for an IRI value: named when the site knows a name, else its short form."""
    if "creativecommons.org/" in iri or "/resource/authority/licence/" in iri:
        return Link(iri, iri, licence_name(iri))
    if iri.startswith("http://www.w3.org/ns/formats/"):
        name = local_name(iri)
        return Link(iri, iri, FORMAT_NAMES.get(name, name))
    if site.names(iri) or iri in TERM_LABELS:
        return link(site, iri, lang)
    return Link(iri, site.href(iri), iri)


def _rank(p: str) -> tuple[int, str]:
    local = local_name(p)
    return (META_ORDER.index(local) if local in META_ORDER else len(META_ORDER), local)


def metadata_rows(site: Site, iri: str, lang: str, skip: set[str] = frozenset()
                  ) -> list[tuple[Link, list[Link | Text]]]:
    """(property, values) for the triples of `iri` in a fixed, readable order."""
    by_pred: dict[str, list] = {}
    for r in site.select("SELECT DISTINCT ?p ?o WHERE { ?this ?p ?o }", this=iri):
        p = r["p"].value
        if p == RDF + "type" or p in skip:
            continue
        by_pred.setdefault(p, []).append(r["o"])
    rows = []
    for p in sorted(by_pred, key=_rank):
        links = [value_link(site, o.value, lang) for o in by_pred[p]
                 if isinstance(o, ox.NamedNode)]
        links.sort(key=lambda lk: lk.text.casefold())
        texts = [Text(o.value, o.language) for o in by_pred[p] if isinstance(o, ox.Literal)]
        texts = in_lang(sorted(texts, key=lambda t: (t.lang or "", t.value)), lang)
        values: list[Link | Text] = [*links, *texts]
        if values:
            rows.append((link(site, p, lang), values))
    return rows
