"""schema.org JSON-LD for search engines, generated from the graph (never written per page).

Dataset and organization search read schema.org, not ORG or DCAT. Each page gets one island:

- a unit (any `org:Organization`): an `Organization` with `name` (page language),
  `alternateName` (acronyms, the other language's name), `parentOrganization` (asserted
  `org:subOrganizationOf`) and `subOrganization` (its inverse), `url` and `@id` its IRI. Posts
  are left out: schema.org can only say that a *person* holds a role, and the annex names none.
  `Organization`, not `GovernmentOrganization`: the OAS is intergovernmental.
- the home page: the `Dataset` (name, description, licence, creator and publisher, each dump as
  a `DataDownload`, `isBasedOn` Annex E) and the `DataCatalog` listing it, read from the
  VoID/DCAT description in the metadata graph;
- the annex page: Annex E as `Legislation`, its chapters, sections and paragraphs as nested
  `hasPart` `Legislation`.

Node IRIs are our IRIs, so a JSON-LD processor merges these nodes with our own RDF.
"""

from __future__ import annotations

import json

import pyoxigraph as ox

from .annex import annex
from .site import Site

CONTEXT = "https://schema.org"
LANGS = ("es", "en")


def island(doc: dict | None) -> str:
    """`doc` as JSON safe inside a <script> element ('' for None)."""
    if doc is None:
        return ""
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _other(lang: str) -> str:
    return "en" if lang == "es" else "es"


def _org_ref(site: Site, iri: str, lang: str) -> dict:
    return {"@type": "Organization", "@id": iri, "name": site.label(iri, lang).text}


def organization(site: Site, iri: str, lang: str) -> dict | None:
    """The `Organization` node of a unit or body page; None if `iri` is no org:Organization."""
    if not site.ask("ASK { ?this a org:Organization }", this=iri):
        return None
    names = site.names(iri)
    label = site.label(iri, lang)
    alternate = sorted({text for text, _ in names.get("alt", [])})
    other = [text for text, tag in names.get("pref", []) if (tag or "") == _other(lang)]
    alternate += [text for text in other if text != label.text and text not in alternate]
    doc: dict = {"@context": CONTEXT, "@type": "Organization", "@id": iri, "url": iri,
                 "name": label.text}
    if alternate:
        doc["alternateName"] = alternate
    parents = sorted(r["o"].value for r in site.select(
        "SELECT DISTINCT ?o WHERE { ?this org:subOrganizationOf ?o FILTER(isIRI(?o)) }",
        this=iri))
    if parents:
        doc["parentOrganization"] = [_org_ref(site, p, lang) for p in parents]
    children = sorted(r["s"].value for r in site.select(
        "SELECT DISTINCT ?s WHERE { ?s org:subOrganizationOf ?this FILTER(isIRI(?s)) }",
        this=iri))
    if children:
        doc["subOrganization"] = [_org_ref(site, c, lang) for c in children]
    return doc


def _text(site: Site, iri: str, prop: str, lang: str) -> str | None:
    rows = site.select("SELECT ?o WHERE { ?this ?p ?o FILTER(isLiteral(?o)) }", this=iri, p=prop)
    by_lang = {(r["o"].language or ""): r["o"].value for r in rows}
    for key in (lang, _other(lang), ""):
        if key in by_lang:
            return by_lang[key]
    return None


def dataset(site: Site, lang: str) -> dict | None:
    """The `Dataset` and `DataCatalog` of the home page, from the metadata graph."""
    d = site.dataset.dataset_iri  # the dataset itself, not one of its releases
    rows = site.select("SELECT ?c WHERE { ?d a dcat:Dataset . "
                       "OPTIONAL { ?c a dcat:Catalog ; dcat:dataset ?d } }", d=d)
    if not rows:
        return None
    dct = "http://purl.org/dc/terms/"
    node: dict = {"@type": "Dataset", "@id": d,
                  "name": _text(site, d, dct + "title", lang),
                  "description": _text(site, d, dct + "description", lang),
                  "inLanguage": list(LANGS), "isAccessibleForFree": True}
    one = {r["p"].value.rsplit("/", 1)[-1].rsplit("#", 1)[-1]: r["o"] for r in site.select(
        """SELECT ?p ?o WHERE { ?this ?p ?o . VALUES ?p { dcterms:license dcterms:creator
        dcterms:publisher dcterms:modified prov:wasDerivedFrom dcat:landingPage } }""", this=d)}
    if "license" in one:
        # The licence by the IRI search engines know (Creative Commons'), when the graph has it.
        same = site.select("SELECT ?cc WHERE { ?this skos:exactMatch ?cc }",
                           this=one["license"].value)
        node["license"] = same[0]["cc"].value if same else one["license"].value
    for prop in ("creator", "publisher"):
        if prop in one:
            node[prop] = {"@type": "Organization", "@id": one[prop].value,
                          "name": _text(site, one[prop].value,
                                        "http://xmlns.com/foaf/0.1/name", lang)}
    if "modified" in one:
        node["dateModified"] = one["modified"].value
    node["url"] = one["landingPage"].value if "landingPage" in one else d
    if "wasDerivedFrom" in one:
        source = one["wasDerivedFrom"].value
        node["isBasedOn"] = {"@type": "Legislation", "@id": source,
                             "name": site.label(source, lang).text}
    downloads = []
    for r in site.select("""SELECT ?x ?url ?media WHERE { ?this dcat:distribution ?x .
            ?x dcat:downloadURL ?url ; dcat:mediaType ?media }""", this=d):
        media = r["media"].value.rsplit("media-types/", 1)[-1]
        title = _text(site, r["x"].value, dct + "title", lang)
        entry = {"@type": "DataDownload", "contentUrl": r["url"].value, "encodingFormat": media}
        if title:
            entry["name"] = title
        downloads.append(entry)
    if downloads:
        node["distribution"] = sorted(downloads, key=lambda e: e["contentUrl"])
    graph = [node]
    catalog = rows[0].get("c")
    if isinstance(catalog, ox.NamedNode):
        node["includedInDataCatalog"] = {"@id": catalog.value}
        graph.append({"@type": "DataCatalog", "@id": catalog.value,
                      "name": _text(site, catalog.value, dct + "title", lang),
                      "description": _text(site, catalog.value, dct + "description", lang),
                      "dataset": {"@id": d}})
    return {"@context": CONTEXT, "@graph": graph}


def legislation(site: Site, lang: str) -> dict | None:
    """Annex E as `Legislation`, every provision a nested `hasPart`."""
    ax = annex(site)
    roots = [p for p in ax.ordered if p.parent is None or p.parent not in ax.provisions]
    if not roots:
        return None

    def node(iri: str) -> dict:
        p = ax.provisions[iri]
        title = ax.title(iri, lang)
        out: dict = {"@type": "Legislation", "@id": iri, "legislationIdentifier": p.notation,
                     "name": f"{p.notation}. {title}" if title else p.notation,
                     "url": site.base.rstrip("/") + site.annex_href(iri)[len(site.prefix):]}
        parts = sorted(p.children, key=ax.position)
        if parts:
            out["hasPart"] = [node(c) for c in parts]
        return out

    doc = node(roots[0].iri)
    doc["inLanguage"] = "es"
    return {"@context": CONTEXT, **doc}
