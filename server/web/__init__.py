"""The web interface: HTML pages over the served graph (Spanish by default, English on request).

What the app factory (`oas_ssm.server.app`) takes from here:

- `create_blueprint(dataset)`: `/`, `/chart.svg`, `/annex`, `/search`, `/lang/<code>` and
  `/static/<fingerprinted name>`;
- `render_resource_html(dataset, iri, lang)`: the page of a resource (the core's HTML document;
  None if the graph does not know it); the ontology IRI gets the ontology page;
- `render_sparql_page(query, results, error)`: the SPARQL editor (for the endpoint), with the
  results (SPARQL JSON) as a table for browsers without JavaScript;
- `render_error_html(status, lang, path, message, prefix)`: an error page in the site's layout;
- `render_release_page(title, body, lang, prefix, here)`: the releases' pages in that layout.

The web layer uses the core's helpers (dataset, document paths, formats, the language rule);
the core never imports it.
"""

from __future__ import annotations

from flask import current_app, request

from ..dataset import Dataset
from .i18n import select_lang
from .pages import error_page, resource_page, sparql_page
from .render import render
from .site import site_for
from .views import create_blueprint


def render_resource_html(dataset: Dataset, iri: str, lang: str) -> str | None:
    """The HTML page about `iri` in `lang`, or None when the graph says nothing about it."""
    return resource_page(site_for(dataset), iri, lang)


def render_sparql_page(query: str | None, results: dict | None, error: str | None) -> str:
    """The SPARQL editor of the current request's app, in the request's language."""
    dataset = current_app.extensions["ssm.dataset"]
    return sparql_page(site_for(dataset), select_lang(request), query, results, error,
                       request.host_url)


def render_release_page(title: str, body: str, lang: str, prefix: str, here: str) -> str:
    """A page of the releases' blueprint (`body` is its HTML) in the site's layout."""
    return render("releases.html", lang, prefix, here=here, title=title, body=body)


def render_error_html(status: int, lang: str, path: str, message: str | None,
                      prefix: str) -> str:
    """The HTML error page for `status` in `lang`; `path` is what was asked for (below the
    mount point `prefix`), `message` the technical detail shown for errors other than 404."""
    return error_page(status, lang, path, message, prefix)


__all__ = ["create_blueprint", "render_error_html", "render_release_page", "render_resource_html",
           "render_sparql_page"]
