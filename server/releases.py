"""Serving the past: every release's documents and dumps at version IRIs, Mementos, TimeMaps,
the change sets and the Atom feed, as one Flask blueprint.

`create_blueprint(dataset, pages, directory=RELEASES)` loads the releases once (see
`release_archive` for the URL scheme) and keeps the archive on the dataset, where the core finds
it (`archive_of(dataset)`) to add the TimeGate and `Link` headers to `/id/` and `/doc/`. Formats,
negotiation and writers are the core's (`formats`, `conneg`); the HTML comes from the web layer
through `pages` (`ReleasePages`), handed in by the app factory.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path

from flask import Blueprint, Response, abort, redirect, request
from oas_ssm.diff import format_text
from oas_ssm.paths import RELEASES
from oas_ssm.release import VERSION_RE
from oas_ssm.server.conneg import negotiate, page_language
from oas_ssm.server.errors import not_acceptable
from oas_ssm.server.feed import MEDIA_TYPE as ATOM_TYPE
from oas_ssm.server.feed import atom_feed, event_stream
from oas_ssm.server.formats import (
    BY_EXTENSION,
    DOCUMENT_FORMATS,
    DUMP_FORMATS,
    RDF_FORMATS,
    write_rdf,
)
from oas_ssm.server.memento import LINK_FORMAT, http_date, memento_link_values, timemap
from oas_ssm.server.release_archive import ReleaseArchive, ServedRelease
from oas_ssm.server.response_cache import cacheable
from pyoxigraph import Triple

DUMP_KEYS = tuple(f.key for f in DUMP_FORMATS)
RDF_KEYS = tuple(f.key for f in RDF_FORMATS)


@dataclass(frozen=True)
class ReleasePages:
    """The web layer's renderers: a resource's page over a release's dataset
    `(dataset, iri, lang) -> html | None`, and a page in the site's layout
    `(title, body html, lang, prefix, here) -> html`."""

    resource: Callable[..., str | None]
    page: Callable[[str, str, str, str, str], str]
SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]{0,200}$")
CACHE_IMMUTABLE = "public, max-age=31536000, immutable"  # a release never changes
CACHE_SHORT = "public, max-age=300"
HTML_VARY = ", Accept-Language, Cookie"  # pages follow the reader's language


def archive_of(dataset, directory: Path = RELEASES) -> ReleaseArchive:
    """The releases served with `dataset` (loaded once and kept on it)."""
    return ReleaseArchive.for_dataset(dataset, directory)


def create_blueprint(dataset, pages: ReleasePages, directory: Path = RELEASES) -> Blueprint:
    """Routes for `/release/…`, `/timemap/…` and `/feed.atom` over `dataset`'s releases."""
    archive = archive_of(dataset, directory)
    bp = Blueprint("releases", __name__)

    def _resource_html(ds, iri: str, r: ServedRelease) -> str | None:
        """The release's page about `iri` (the site's page over the release's data), with a
        notice saying which release it is."""
        lang = _lang()
        html = pages.resource(ds, iri, lang)
        if html is None:
            return None
        notice = ('<div class="wrap"><p class="notice" role="note">'
                  + (f"Versión {r.version}, publicada el {r.release.issued.isoformat()}. "
                     if lang == "es" else
                     f"Release {r.version}, issued {r.release.issued.isoformat()}. ")
                  + f'<a href="{escape(archive.href(iri))}">'
                  + ("Versión actual" if lang == "es" else "Current version")
                  + "</a></p></div>")  # fmt: skip
        return html.replace('<main id="main" tabindex="-1">',
                            '<main id="main" tabindex="-1">\n' + notice, 1)  # fmt: skip

    def _page(title: str, body: str, lang: str) -> str:
        return pages.page(title, body, lang, archive.mount, request.path)

    def _index_html() -> str:
        return _page(*_index_parts(archive, _lang()))

    def _release_html(r: ServedRelease) -> str:
        return _page(*_release_parts(archive, r, _lang()))

    def release_or_404(version: str) -> ServedRelease:
        r = archive.get(version) if VERSION_RE.match(version) else None
        if r is None:
            abort(404, f"No release {version!r}; the releases are listed at /release/.")
        return r

    @bp.get("/feed.atom")
    def feed() -> Response:
        return _reply(atom_feed(archive), ATOM_TYPE, cache=CACHE_SHORT)

    @bp.get("/feed.ttl")
    def stream() -> Response:
        ext = _negotiate(None, with_html=False)
        return _rdf(event_stream(archive), ext, vary="Accept", cache=CACHE_SHORT)

    @bp.get("/release/")
    def index() -> Response:
        ext = _negotiate(None, with_html=True)
        if ext == "html":
            return _reply(_index_html().encode(), "text/html", vary="Accept" + HTML_VARY,
                          cache=CACHE_SHORT)  # fmt: skip
        triples = [t for r in archive.releases for t in r.metadata]
        return _rdf(triples, ext, vary="Accept", cache=CACHE_SHORT)

    @bp.get("/release/<name>")
    def release(name: str) -> Response:
        version, ext = _split_ext(name, VERSION_RE)
        r = release_or_404(version)
        chosen = _negotiate(ext, with_html=True)
        if chosen == "html":
            return _reply(_release_html(r).encode(), "text/html",
                          vary=("" if ext else "Accept") + HTML_VARY)  # fmt: skip
        return _rdf(r.metadata, chosen, vary=None if ext else "Accept")

    @bp.get("/release/<version>/changes.<ext>")
    def changes(version: str, ext: str) -> Response:
        r = release_or_404(version)
        if r.diff is None:
            abort(404, f"Release {version} is the first: nothing before it to differ from.")
        if ext == "md":
            return _reply(format_text(r.diff, markdown=True).encode(), "text/markdown",
                          cache=CACHE_IMMUTABLE)  # fmt: skip
        if ext == "txt":
            return _reply(format_text(r.diff).encode(), "text/plain", cache=CACHE_IMMUTABLE)
        if ext not in RDF_KEYS:
            abort(404)
        triples = archive.change_set_triples(r)
        return _rdf(triples, ext, cache=CACHE_IMMUTABLE)

    @bp.get("/release/<version>/dumps/<name>")
    def dump(version: str, name: str) -> Response:
        r = release_or_404(version)
        stem, _, ext = name.rpartition(".")
        if stem != "ssm" or ext not in DUMP_KEYS:
            abort(404, f"No dump {name!r}: ssm.ttl, ssm.nt and ssm.jsonld are served.")
        if ext == "ttl" and archive.rewriter.identity:
            body = r.release.data.read_bytes()  # byte for byte the snapshot (its checksum)
            return _reply(body, "text/turtle", cache=CACHE_IMMUTABLE, memento=r)
        return _rdf(r.triples, ext, cache=CACHE_IMMUTABLE, memento=r)

    @bp.get("/release/<version>/def/<name>")
    def ontology(version: str, name: str) -> Response:
        r = release_or_404(version)
        stem, ext = _split_ext(name, re.compile(r"^ssm$"))
        if stem != "ssm":
            abort(404)
        ds = archive.release_dataset(r)
        chosen = _negotiate(ext, with_html=False)
        triples = list(ds.triples("ontology"))
        return _rdf(triples, chosen, vary=None if ext else "Accept", cache=CACHE_IMMUTABLE,
                    memento=r)  # fmt: skip

    @bp.get("/release/<version>/doc/<kind>/<name>")
    def memento(version: str, kind: str, name: str) -> Response:
        r = release_or_404(version)
        slug, ext = _split_ext(name, SLUG_RE)
        iri = archive.url(f"id/{kind}/{slug}")
        if not SLUG_RE.match(kind) or iri not in r.resources:
            abort(404, f"Release {version} has no document about id/{kind}/{slug}.")
        chosen = _negotiate(ext, with_html=True)
        ds = archive.release_dataset(r)
        headers = {"Link": ", ".join(memento_link_values(archive, r, iri))}
        vary = None if ext else "Accept"
        if chosen == "html":
            html = _resource_html(ds, iri, r)
            if html is None:
                chosen = "ttl"
            else:
                return _reply(html.encode(), "text/html", vary=(vary or "") + HTML_VARY,
                              cache=CACHE_IMMUTABLE, memento=r, headers=headers)  # fmt: skip
        return _rdf(ds.describe(iri), chosen, vary=vary, cache=CACHE_IMMUTABLE, memento=r,
                    headers=headers, prefixes=ds.prefixes)  # fmt: skip

    @bp.get("/graph/release/<version>")
    def graph(version: str) -> Response:
        """The name of a release's graph (SPARQL): 303 to its dump, like `graph/asserted`."""
        release_or_404(version)
        ext = _negotiate(None, with_html=True)
        target = f"release/{version}" if ext == "html" else (
            f"release/{version}/dumps/ssm.{ext if ext in DUMP_KEYS else 'ttl'}")  # fmt: skip
        response = redirect(archive.path(target), code=303)
        response.headers["Vary"] = "Accept"
        return response

    @bp.get("/timemap/<kind>/<slug>")
    def time_map(kind: str, slug: str) -> Response:
        body = timemap(archive, archive.url(f"id/{kind}/{slug}")) if SLUG_RE.match(slug) else None
        if body is None:
            abort(404, f"No release has id/{kind}/{slug}.")
        return _reply(body.encode(), LINK_FORMAT, cache=CACHE_SHORT)

    return bp


# -- helpers ------------------------------------------------------------------------------------


def _split_ext(name: str, stem_re: re.Pattern) -> tuple[str, str | None]:
    """('dsp', 'ttl') for 'dsp.ttl', ('dsp', None) for 'dsp'; 404 for an unknown extension."""
    if stem_re.match(name) and not _known_ext(name):
        return name, None
    stem, dot, ext = name.rpartition(".")
    if dot and ext in BY_EXTENSION and stem_re.match(stem):
        return stem, ext
    if stem_re.match(name):
        return name, None
    abort(404)


def _known_ext(name: str) -> bool:
    ext = name.rpartition(".")[2]
    return "." in name and ext in BY_EXTENSION


def _negotiate(ext: str | None, with_html: bool) -> str:
    """The extension asked for, else the best of the offers by Accept (the core's rule:
    Turtle by default); 406 when Accept allows none of them."""
    if ext is not None:
        if ext == "html" and not with_html:
            abort(404)
        return ext
    offers = DOCUMENT_FORMATS if with_html else RDF_FORMATS
    fmt = negotiate(request.headers.get("Accept"), offers)
    if fmt is None:
        not_acceptable([(f.media_type, request.path + f.extension) for f in offers])
    return fmt.key


def _reply(body: bytes, media: str, vary: str | None = None, cache: str = CACHE_IMMUTABLE,
           memento: ServedRelease | None = None, headers: dict | None = None) -> Response:
    """A response with caching, CORS and conditional-request handling (ETag from the body)."""
    textual = media.startswith("text/") or media.endswith(("json", "xml"))
    charset = "; charset=utf-8" if textual else ""
    response = Response(body, content_type=media + charset)
    response.headers["Cache-Control"] = cache
    if vary:
        response.headers["Vary"] = vary.strip(", ")
    if memento is not None:
        response.headers["Memento-Datetime"] = http_date(memento.datetime)
    for name, value in (headers or {}).items():
        if value:
            response.headers[name] = value
    response.add_etag()
    if cache == CACHE_IMMUTABLE:
        cacheable(response)
    return response.make_conditional(request)


def _rdf(triples: list[Triple], ext: str, prefixes: dict[str, str] | None = None,
         **kwargs) -> Response:  # fmt: skip
    fmt = BY_EXTENSION[ext]
    return _reply(write_rdf(triples, fmt, prefixes or _PREFIXES), fmt.media_type, **kwargs)


_PREFIXES = {
    "dcat": "http://www.w3.org/ns/dcat#", "dcterms": "http://purl.org/dc/terms/",
    "void": "http://rdfs.org/ns/void#", "prov": "http://www.w3.org/ns/prov#",
    "owl": "http://www.w3.org/2002/07/owl#", "spdx": "http://spdx.org/rdf/terms#",
    "xsd": "http://www.w3.org/2001/XMLSchema#", "org": "http://www.w3.org/ns/org#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
}  # fmt: skip


def _lang() -> str:
    return page_language(request.headers.get("Cookie"), request.headers.get("Accept-Language"))


def _index_parts(archive: ReleaseArchive, lang: str) -> tuple[str, str, str]:
    """(title, body, lang) of the releases' index page."""
    es = lang == "es"
    rows = []
    for r in reversed(archive.releases):
        n = f" — {len(r.diff.changes)} " + ("cambio(s)" if es else "change(s)") if r.diff else ""
        changes = (f' · <a href="{escape(archive.path(f"release/{r.version}/changes.md"))}">'
                   + ("cambios" if es else "changes") + "</a>") if r.diff else ""  # fmt: skip
        rows.append(f'<li><a href="{escape(archive.href(r.iri))}">{escape(r.version)}</a> '
                    f"({r.release.issued.isoformat()}){n}{changes} · "
                    f'<a href="{escape(archive.path(f"release/{r.version}/dumps/ssm.ttl"))}" '
                    'download>Turtle</a></li>')  # fmt: skip
    title = "Versiones publicadas" if es else "Releases"
    intro = ("Cada versión es una instantánea fechada e inmutable de los datos y de la ontología."
             if es else "Each release is a dated, immutable snapshot of the data and ontology.")
    feed = escape(archive.path("feed.atom"))
    body = (f"<p>{intro}</p><ul class=\"links\">{''.join(rows)}</ul>"
            f'<p><a href="{feed}" type="{ATOM_TYPE}">'
            + ("Novedades (Atom)" if es else "Change feed (Atom)") + "</a></p>")  # fmt: skip
    return title, body, lang


def _release_parts(archive: ReleaseArchive, r: ServedRelease, lang: str) -> tuple[str, str, str]:
    """(title, body, lang) of a release's page."""
    es = lang == "es"
    title = (f"Versión {r.version}" if es else f"Release {r.version}")
    parts = [f"<p>{'Publicada el' if es else 'Issued'} {r.release.issued.isoformat()}. "
             f"IRI: <code>{escape(archive.href(r.iri))}</code></p>"]  # fmt: skip
    if r.release.previous:
        prev = archive.get(r.release.previous)
        if prev:
            href = escape(archive.href(prev.iri))
            parts.append(f'<p>{"Revisión de" if es else "Revision of"} '
                         f'<a href="{href}">{escape(prev.version)}</a></p>')
    links = [(archive.path(f"release/{r.version}/dumps/ssm.{e}"), f"ssm.{e}")
             for e in DUMP_KEYS]  # fmt: skip
    links.append((archive.path(f"release/{r.version}/def/ssm.ttl"), "ontología / ontology"))
    parts.append('<ul class="links">' + "".join(
        f'<li><a href="{escape(u)}">{escape(t)}</a></li>' for u, t in links) + "</ul>")
    if r.diff is not None:
        parts.append(f"<h2>{'Cambios' if es else 'Changes'}</h2>"
                     f"<pre>{escape(format_text(r.diff))}</pre>")  # fmt: skip
    return title, "".join(parts), lang
