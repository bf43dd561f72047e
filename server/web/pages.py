"""Page renderers: view-model in, HTML out, cached per (page, language, data version)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from ..formats import RDF_FORMATS
from ..profile import profile_for, profile_iri
from .annex_page import build_annex_page
from .chart import build_chart
from .dataset_page import build_dataset
from .diagram import build_diagram
from .home import build_home
from .i18n import translate
from .ontology import build_ontology
from .profile_page import profile_page
from .render import CACHE, render
from .resource import build_resource
from .schemaorg import dataset as schema_dataset
from .schemaorg import island
from .schemaorg import legislation as schema_legislation
from .search import search
from .site import Site
from .sparql_editor import (
    DEFAULT_QUERY,
    GRAPH_FORMATS,
    RESULT_FORMATS,
    completion_prefixes,
    download_links,
    load_examples,
    result_table,
    short_prefixes,
)


def chart_svg(site: Site, lang: str, standalone: bool = False, link_root: str = "") -> str | None:
    """The chart as SVG; `standalone` adds the XML declaration and `link_root` (the served
    scheme://host, no trailing slash) makes its links absolute, so a saved copy still works."""
    chart = build_chart(site, lang)
    if chart is None:
        return None
    svg = render("chart.svg", lang, site.prefix, chart=chart, link_root=link_root.rstrip("/"))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + svg) if standalone else svg


def home_page(site: Site, lang: str, served_base: str) -> str:
    def make() -> str:
        home = build_home(site, lang)
        return render("home.html", lang, site.prefix, here=site.path("/"), nav="home", home=home,
                      chart_svg=chart_svg(site, lang) or "", base=served_base,
                      ontology_iri=site.ontology, schema_org=island(schema_dataset(site, lang)))
    return CACHE.get_or_render(("home", lang, site.version, served_base), make)


def annex_page(site: Site, lang: str) -> str:
    def make() -> str:
        provisions, chapters = build_annex_page(site, lang)
        return render("annex.html", lang, site.prefix, here=site.path("/annex"), nav="annex",
                      provisions=provisions, chapters=chapters,
                      schema_org=island(schema_legislation(site, lang)))
    return CACHE.get_or_render(("annex", lang, site.version), make)


def resource_page(site: Site, iri: str, lang: str) -> str | None:
    if iri == site.ontology or iri.startswith(site.ssm):
        return ontology_page(site, lang)
    if iri == profile_iri(site.base):
        return profile_page(profile_for(site.dataset.rewriter), lang, site.prefix)
    if site.kind(iri) == "dataset":
        page = dataset_page(site, iri, lang)
        if page is not None:
            return page

    def make() -> str | None:
        view = build_resource(site, iri, lang)
        if view is None:
            return None
        return render("resource.html", lang, site.prefix, here=site.href(iri), v=view)
    return CACHE.get_or_render(("resource", iri, lang, site.version), make)


def dataset_page(site: Site, iri: str, lang: str) -> str | None:
    def make() -> str | None:
        view = build_dataset(site, iri, lang)
        if view is None:
            return None
        formats = [(f.label, f.media_type, site.doc_path(iri, f.key) or "")
                   for f in RDF_FORMATS if site.doc_path(iri, f.key)]
        return render("dataset.html", lang, site.prefix, here=site.href(iri), d=view,
                      formats=formats)
    return CACHE.get_or_render(("dataset", iri, lang, site.version), make)


def ontology_page(site: Site, lang: str) -> str:
    def make() -> str:
        view = build_ontology(site, lang)
        diagram = build_diagram(site, view, translate("onto_diagram", lang),
                                translate("onto_diagram_desc", lang),
                                translate("onto_relations", lang))
        formats = [(f.label, f.media_type, site.path("/def/ssm" + f.extension))
                   for f in RDF_FORMATS]
        return render("ontology.html", lang, site.prefix, here=site.href(site.ontology),
                      nav="ontology", o=view, formats=formats,
                      diagram_svg=render("diagram.svg", lang, site.prefix, d=diagram))
    return CACHE.get_or_render(("ontology", lang, site.version), make)


def search_page(site: Site, query: str, lang: str) -> str:
    groups = search(site, query, lang) if query.strip() else []
    here = site.path("/search") + ("?" + urlencode({"q": query}) if query else "")
    return render("search.html", lang, site.prefix, here=here, query=query, search_query=query,
                  groups=groups,
                  total=sum(len(hits) for _, hits in groups))


def sparql_page(site: Site | None, lang: str, query: str | None, results: dict | None,
                error: str | None, served_base: str) -> str:
    prefix = site.prefix if site else ""
    examples = load_examples(lang, prefix)
    table = result_table(site, results) if results is not None else None
    here = prefix + "/sparql" + ("?" + urlencode({"query": query}) if query else "")
    config = {
        "prefixes": completion_prefixes(site),
        "short": short_prefixes(site),
        "examples": {ex.name: ex.query for ex in examples},
        "base": site.base if site else served_base,
        "prefix": prefix,
        "endpoint": prefix + "/sparql",
        "formats": [{"key": k, "label": label, "media": m} for k, label, m in RESULT_FORMATS],
        "graph_formats": [{"key": k, "label": label, "media": m}
                          for k, label, m in GRAPH_FORMATS],
        "autorun": bool(query) and table is None and error is None,
        "strings": {k: translate(k, lang) for k in (
            "running", "rows", "row", "error", "yes", "no", "download", "permalink",
            "boolean_result", "results", "engine_error")},
    }
    config_json = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c").replace(
        ">", "\\u003e").replace("&", "\\u0026")
    return render("sparql.html", lang, prefix, here=here, nav="sparql",
                  query=query if query is not None else DEFAULT_QUERY, examples=examples,
                  table=table, error=error, formats=RESULT_FORMATS, graph_formats=GRAPH_FORMATS,
                  downloads=download_links(prefix, query), permalink=here,
                  base=site.base if site else served_base, config_json=config_json)


def error_page(status: int, lang: str, path: str = "", message: str | None = None,
               prefix: str = "") -> str:
    """An error page in the site's layout (404: "No encontrado", with search and navigation)."""
    from http import HTTPStatus

    heading = (translate("not_found", lang) if status == 404
               else f"{translate('error_title', lang)}: {HTTPStatus(status).phrase}")
    here = path if path.startswith("/") else "/" + path
    return render("error.html", lang, prefix, here=prefix + here, status=status,
                  heading=heading, message=message, shown_path=prefix + here)
