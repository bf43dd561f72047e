"""The web interface: HTML pages over the served graph (Spanish by default, English on request).

Public API (used by the server core and the SPARQL endpoint):

- `create_blueprint(dataset, config=None)`: Flask blueprint with `/`, `/chart.svg`, `/annex`,
  `/search`, `/lang/<code>` and `/static/<fingerprinted name>`.
- `render_resource_html(dataset, iri, lang)`: a resource's page (None if the graph does not
  know it); the ontology IRI gets the ontology page.
- `render_ontology_html(dataset, lang)`: the ontology page.
- `render_sparql_editor(lang, query=None, results=None, error=None)`: the SPARQL editor page;
  `results` are SPARQL 1.1 JSON results (a dict) to show as a table (for browsers without JS).
- `select_lang(request)`: the page language of a request (cookie, then Accept-Language).
- `render_error_html(status, lang, path="", message=None, prefix="")`: an error page (404 …)
  in the site's layout, with navigation and a search box, for clients that want HTML.
"""

from __future__ import annotations

from .i18n import select_lang
from .pages import error_page, ontology_page, resource_page, sparql_page
from .site import site_for
from .views import create_blueprint


def render_resource_html(dataset, iri: str, lang: str) -> str | None:
    """The HTML page about `iri` in `lang`, or None when the graph says nothing about it."""
    return resource_page(site_for(dataset), iri, lang)


def render_ontology_html(dataset, lang: str) -> str:
    """The ontology's HTML page in `lang`."""
    return ontology_page(site_for(dataset), lang)


def render_sparql_editor(lang: str, query: str | None = None, results: dict | None = None,
                         error: str | None = None) -> str:
    """The SPARQL editor, optionally with `query` filled in and its results (SPARQL JSON dict)."""
    from flask import current_app, has_app_context, has_request_context, request

    dataset = current_app.extensions.get("ssm.dataset") if has_app_context() else None
    site = site_for(dataset) if dataset is not None else None
    served = request.host_url if has_request_context() else ""
    return sparql_page(site, lang, query, results, error, served)


def render_error_html(status: int, lang: str, path: str = "", message: str | None = None,
                      prefix: str = "") -> str:
    """The HTML error page for `status` in `lang`; `path` is what was asked for (below the
    mount point `prefix`), `message` the technical detail shown for errors other than 404."""
    return error_page(status, lang, path, message, prefix)


__all__ = ["create_blueprint", "render_resource_html", "render_ontology_html",
           "render_sparql_editor", "render_error_html", "select_lang"]
