"""The dataset's page (`id/dataset/ssm`, also `/void`): its VoID/DCAT description for people.

Translated keys and readable values (see `describe`), the class and property partitions as
tables of names and counts, and the downloads by title and format; titles and descriptions in
the page's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from .describe import metadata_rows
from .model import Link, Text, in_lang, link
from .site import DCT, SKOS, Site, pick

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
# Shown in sections of their own (or as the page's title and lead), not as metadata rows.
OWN_SECTIONS = {DCT + "title", DCT + "description", SKOS + "prefLabel", VOID + "classPartition",
                VOID + "propertyPartition", DCAT + "distribution", VOID + "dataDump"}


@dataclass
class Distribution:
    link: Link  # the download, named by its title in the page's language
    media_type: str


@dataclass
class DatasetView:
    iri: str
    title: str
    description: str | None
    facts: list[tuple[Link, list[Link | Text]]]
    classes: list[tuple[Link, int]] = field(default_factory=list)
    properties: list[tuple[Link, int]] = field(default_factory=list)
    distributions: list[Distribution] = field(default_factory=list)


def _texts(site: Site, iri: str, pred: str, lang: str) -> str | None:
    """The text in `lang`: the server's own description (the metadata graph) first, then what
    the data says, each in a fixed order (the store's order is not one)."""
    rows = site.select("SELECT ?o WHERE { GRAPH ?g { ?this ?p ?o } FILTER(isLiteral(?o)) } "
                       "ORDER BY DESC(?g = ?meta) ?o", this=iri, p=pred,
                       meta=site.dataset.graph("metadata").value)
    found = pick([(r["o"].value, r["o"].language) for r in rows], lang)
    return found[0] if found else None


def _partitions(site: Site, iri: str, via: str, key: str, count: str, lang: str
                ) -> list[tuple[Link, int]]:
    rows = site.select("""SELECT ?x (MAX(?n) AS ?count) WHERE {
        ?this ?via ?part . ?part ?key ?x ; ?count_p ?n } GROUP BY ?x""",
                       this=iri, via=via, key=key, count_p=count)
    found = [(link(site, r["x"].value, lang), int(r["count"].value)) for r in rows
             if isinstance(r.get("x"), ox.NamedNode) and "count" in r]
    found.sort(key=lambda pair: (-pair[1], pair[0].text.casefold()))
    return found


def build_dataset(site: Site, iri: str, lang: str) -> DatasetView | None:
    if not site.ask("ASK { ?this a ?t }", this=iri):
        return None
    title = _texts(site, iri, DCT + "title", lang) or site.label(iri, lang).text
    view = DatasetView(iri, title, _texts(site, iri, DCT + "description", lang),
                       metadata_rows(site, iri, lang, skip=OWN_SECTIONS))
    view.classes = _partitions(site, iri, VOID + "classPartition", VOID + "class",
                               VOID + "entities", lang)
    view.properties = _partitions(site, iri, VOID + "propertyPartition", VOID + "property",
                                  VOID + "triples", lang)
    dists: dict[str, Distribution] = {}
    for r in site.select("""SELECT ?d ?url ?title ?media WHERE { ?this dcat:distribution ?d .
            ?d dcat:downloadURL ?url . OPTIONAL { ?d dcterms:title ?title }
            OPTIONAL { ?d dcat:mediaType ?media } }""", this=iri):
        url = r["url"].value
        titles = [Text(r["title"].value, r["title"].language)] if "title" in r else []
        media = r["media"].value.rsplit("media-types/", 1)[-1] if "media" in r else ""
        entry = dists.get(url)
        if entry is None:
            entry = dists[url] = Distribution(Link(url, site.href(url), url.rsplit("/", 1)[-1]),
                                              media)
        mine = in_lang(titles, lang)
        better = mine and ((mine[0].lang or "").startswith(lang)
                           or entry.link.text == url.rsplit("/", 1)[-1])
        if better:
            entry.link = Link(url, site.href(url), mine[0].value, mine[0].lang)
    view.distributions = sorted(dists.values(), key=lambda d: d.link.href)
    return view
