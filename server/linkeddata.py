"""The linked-data core: from a request's path and headers to a complete HTTP reply.

It answers `/id/…` and the ontology IRIs `/def/ssm`, `/def/ssm/{version}` (303 to the negotiated
document), `/doc/…` (documents, by extension or by negotiation), `/def/ssm.{ext}` (the ontology
document), `/graph/{name}` (303 to a document holding that named graph's content), `/void` and
`/.well-known/void`, `/sitemap.xml`, `/robots.txt` and `/dumps/…`. Replies are plain values, so
the WSGI pre-router (`fastpath`) can cache and replay them and the Flask views can wrap them.
Nothing here reads files: every body comes from the in-memory dataset, so no request path can
reach the file system.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from html import escape
from http import HTTPStatus

from oas_ssm.server.conneg import best_language, negotiate
from oas_ssm.server.dataset import Dataset
from oas_ssm.server.documents import (
    BY_KEY,
    FORMATS,
    HTML,
    JSONLD,
    NTRIPLES,
    TURTLE,
    Document,
    Documents,
    Format,
    document_path,
    offers,
)
from oas_ssm.server.metadata import DUMPS, sitemap

log = logging.getLogger(__name__)

LANGS = ("es", "en")
LANG_COOKIE = "lang"  # the web pages' explicit language choice (server.web.i18n.COOKIE)
CACHE_DOCUMENT = "public, max-age=3600"
CACHE_REDIRECT = "public, max-age=3600"
CACHE_ERROR = "public, max-age=60"
CORS = (
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Expose-Headers", "ETag, Link, Location, Content-Location, Vary"),
)
ALL_OFFERS, ALL_BY_MEDIA = offers(FORMATS)
DUMP_FORMATS = (TURTLE, JSONLD, NTRIPLES)  # the formats of /dumps/, in order of preference
DUMP_OFFERS, DUMP_BY_MEDIA = offers((*DUMP_FORMATS, HTML))  # HTML: the dataset's page
ERROR_OFFERS = ("text/plain", "text/html")
# An error's body depends on Accept (text or page) and, as a page, on the page language.
ERROR_VARY = "Accept, Accept-Language, Cookie"
PREFIXES = ("/id/", "/doc/", "/def/", "/dumps/", "/graph/")
EXACT = ("/void", "/.well-known/void", "/sitemap.xml", "/robots.txt")


@dataclass(frozen=True)
class Request:
    """What a reply depends on: nothing else of the request is read."""

    path: str  # below the mount point, starting with '/'
    accept: str | None = None
    accept_language: str | None = None
    cookie: str | None = None
    query: str = ""


@dataclass
class Reply:
    """A complete response; `etag`/`last_modified` let the caller answer conditional requests."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""
    etag: str | None = None
    last_modified: float | None = None
    status_line: str = field(init=False)

    def __post_init__(self) -> None:
        self.status_line = f"{self.status} {HTTPStatus(self.status).phrase}"

    def not_modified(self) -> Reply:
        """The 304 for this reply: its validators and caching headers, no body."""
        keep = {"etag", "last-modified", "cache-control", "vary", "content-location", "link"}
        headers = [(k, v) for k, v in self.headers if k.lower() in keep or k.startswith("Access-")]
        return Reply(304, headers, b"", self.etag, self.last_modified)

    def is_fresh_for(self, if_none_match: str | None, if_modified_since: str | None) -> bool:
        """True when the client's copy is current (RFC 9110 §13.1: If-None-Match wins)."""
        if self.status != 200:
            return False
        if if_none_match is not None:
            if not self.etag:
                return False
            tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
            return "*" in tags or self.etag in tags
        if if_modified_since and self.last_modified is not None:
            try:
                since = parsedate_to_datetime(if_modified_since).timestamp()
            except (TypeError, ValueError, IndexError, OverflowError):
                return False
            return int(self.last_modified) <= since
        return False


def handles(path: str) -> bool:
    """Whether `path` (below the mount point) is one of the core's."""
    return path.startswith(PREFIXES) or path in EXACT


class LinkedData:
    """Answers the core's paths for one dataset, rendering documents through a shared cache."""

    def __init__(self, dataset: Dataset, documents: Documents | None = None):
        self.dataset = dataset
        self.documents = documents or Documents(dataset)
        self.mount = dataset.mount
        self.last_modified_http = formatdate(dataset.modified, usegmt=True)

    # -- dispatch -------------------------------------------------------------------------------

    def respond(self, req: Request) -> Reply:
        path = req.path
        if path.startswith("/id/"):
            return self._thing(req, path[len("/id/") :])
        if path.startswith("/doc/"):
            return self._document_at(req, "id/", path[len("/doc/") :], "/doc/")
        if path.startswith("/def/"):
            return self._definition(req, path[len("/def/") :])
        if path.startswith("/graph/"):
            return self._graph(req, path[len("/graph/") :])
        if path in ("/void", "/.well-known/void"):
            return self._document(req, self.dataset.dataset_iri, None)
        if path == "/sitemap.xml":
            return self._sitemap()
        if path == "/robots.txt":
            return self._robots()
        if path.startswith("/dumps/") and path[len("/dumps/") :] in DUMPS:
            dump = DUMPS[path[len("/dumps/") :]]
            return self._document_reply(self.documents.dump(dump), None, vary=None)
        return self.not_found(req)

    # -- things and documents -------------------------------------------------------------------

    def _thing(self, req: Request, rest: str) -> Reply:
        """`/id/{kind}/{slug}`: 303 See Other to the document in the negotiated format."""
        iri = self.dataset.base + "id/" + rest
        if not self.dataset.has_document(iri):
            return self.not_found(req)
        return self._see_document(req, iri)

    def _see_document(self, req: Request, iri: str) -> Reply:
        """303 See Other to the document about `iri` in the negotiated format."""
        if iri in self.dataset.ontology_iris:  # a version IRI: this server has one version
            iri = self.dataset.ontology_iri
        fmt = self._negotiate(req)
        if fmt is None:
            return self.not_acceptable(req, iri)
        return self._see_other(req, self.mount + document_path(self.dataset, iri) + fmt.extension)

    def _see_other(self, req: Request, location: str) -> Reply:
        """303 See Other to `location` (the request's query string kept); `Vary: Accept`, since
        every caller picks `location` by it (or could, for another format)."""
        if req.query:
            location += "?" + req.query
        headers = [
            ("Location", location),
            ("Vary", "Accept"),
            ("Cache-Control", CACHE_REDIRECT),
            ("Content-Type", "text/plain; charset=utf-8"),
            *CORS,
        ]
        body = f"See Other: {location}\n".encode()
        headers.append(("Content-Length", str(len(body))))
        return Reply(303, headers, body)

    def _definition(self, req: Request, rest: str) -> Reply:
        """`/def/…`: the ontology IRI and its version IRIs are things, like `/id/…`: 303 to
        `/def/ssm.{ttl,jsonld,rdf,nt,html}` by Accept; those (and `{version IRI}.{ext}`) are the
        ontology document itself."""
        stem, dot, ext = rest.rpartition(".")
        if dot and ext in BY_KEY and self._has_document("def/" + stem):
            return self._document(req, self.dataset.base + "def/" + stem, BY_KEY[ext])
        if self._has_document("def/" + rest):
            return self._see_document(req, self.dataset.base + "def/" + rest)
        return self.not_found(req)

    def _graph(self, req: Request, name: str) -> Reply:
        """`/graph/{name}`, the names of our named graphs (the SPARQL service description lists
        them): 303 to a document holding, or describing, that graph's content.

        - `asserted` → `/dumps/ssm.{ttl,jsonld,nt}`, the asserted triples;
        - `entailed` → `/dumps/ssm-entailed.{ttl,jsonld,nt}`: that dump is the asserted triples
          *plus* the entailed ones (the graph alone holds only the entailed triples, which make
          little sense without what they follow from);
        - either, to a browser (HTML preferred), → the dataset's page, which describes the
          content (VoID) and links every dump;
        - `ontology` → `/def/ssm.{ttl,jsonld,rdf,nt,html}`, the ontology document;
        - `metadata` → `/void`, the VoID + DCAT description (itself negotiated).
        """
        if name in ("asserted", "entailed"):
            stem = "ssm" if name == "asserted" else "ssm-entailed"
            page = self.mount + document_path(self.dataset, self.dataset.dataset_iri) + ".html"
            urls = {f: f"{self.mount}/dumps/{stem}{f.extension}" for f in DUMP_FORMATS}
            urls[HTML] = page
            media = negotiate(req.accept, DUMP_OFFERS)
            if media is None:
                return self._unacceptable([(f.media_type, url) for f, url in urls.items()])
            return self._see_other(req, urls[DUMP_BY_MEDIA[media]])
        if name == "ontology":
            return self._see_document(req, self.dataset.ontology_iri)
        if name == "metadata":
            return self._see_other(req, self.mount + "/void")
        return self.not_found(req)

    def _document_at(self, req: Request, space: str, rest: str, prefix: str) -> Reply:
        """`/doc/…`, with or without a format extension."""
        stem, dot, ext = rest.rpartition(".")
        if dot and ext in BY_KEY and self._has_document(space + stem):
            return self._document(req, self.dataset.base + space + stem, BY_KEY[ext])
        if self._has_document(space + rest):
            return self._document(req, self.dataset.base + space + rest, None)
        return self.not_found(req)

    def _has_document(self, local: str) -> bool:
        iri = self.dataset.base + local
        if local.startswith("def/"):
            return iri in self.dataset.ontology_iris
        return self.dataset.has_document(iri)

    def _document(self, req: Request, iri: str, fmt: Format | None) -> Reply:
        """The document about `iri`: in `fmt`, or negotiated (then `Vary: Accept`) when None."""
        negotiated = fmt is None
        if negotiated:
            fmt = self._negotiate(req)
            if fmt is None:
                return self.not_acceptable(req, iri)
        lang = self._lang(req) if fmt is HTML else None
        doc = self.documents.resource(iri, fmt, lang or "es")
        vary = []
        if negotiated:
            vary.append("Accept")
        if fmt is HTML:
            vary += ["Accept-Language", "Cookie"]
        return self._document_reply(doc, iri, vary=", ".join(vary) or None)

    def _document_reply(self, doc: Document, iri: str | None, vary: str | None) -> Reply:
        headers = [
            ("Content-Type", doc.format.content_type),
            ("Content-Length", str(len(doc.body))),
            ("ETag", doc.etag),
            ("Last-Modified", self.last_modified_http),
            ("Cache-Control", CACHE_DOCUMENT),
            *CORS,
        ]
        if iri is not None:
            base_path = self.mount + document_path(self.dataset, iri)
            headers.append(("Content-Location", base_path + doc.format.extension))
            links = [
                f'<{base_path}{f.extension}>; rel="alternate"; type="{f.media_type}"'
                for f in FORMATS
                if f is not doc.format
            ]
            headers.append(("Link", ", ".join(links)))
        if vary:
            headers.append(("Vary", vary))
        if doc.lang:
            headers.append(("Content-Language", doc.lang))
        return Reply(200, headers, doc.body, doc.etag, self.dataset.modified)

    def _negotiate(self, req: Request) -> Format | None:
        media = negotiate(req.accept, ALL_OFFERS)
        return ALL_BY_MEDIA[media] if media else None

    def _lang(self, req: Request) -> str:
        """The page language: the `lang` cookie the web pages set, else Accept-Language, else es."""
        return request_lang(req.cookie, req.accept_language)

    # -- metadata -------------------------------------------------------------------------------

    def _sitemap(self) -> Reply:
        ds = self.dataset

        def render() -> bytes:
            # The ontology IRI (and its versions) 303 to documents: list its page.
            paths = [document_path(ds, ds.ontology_iri).lstrip("/") + HTML.extension]
            paths += [document_path(ds, iri).lstrip("/") for iri in ds.resources()]
            return sitemap(ds.base, ["", *paths], ds.modified)

        xml = Format("xml", "application/xml")
        return self._document_reply(self.documents.other("sitemap", xml, render), None, None)

    def _robots(self) -> Reply:
        text = Format("txt", "text/plain")
        body = f"User-agent: *\nAllow: /\nSitemap: {self.dataset.base}sitemap.xml\n"
        doc = self.documents.other("robots", text, body.encode)
        return self._document_reply(doc, None, None)

    # -- errors ---------------------------------------------------------------------------------

    def not_found(self, req: Request) -> Reply:
        return error_reply(404, f"Not found: {self.mount}{req.path}", req.accept,
                           lang=self._lang(req), path=req.path, prefix=self.mount)

    def not_acceptable(self, req: Request, iri: str) -> Reply:
        """406, listing every representation on offer with its URL."""
        base_path = self.mount + document_path(self.dataset, iri)
        return self._unacceptable([(f.media_type, base_path + f.extension) for f in FORMATS])

    @staticmethod
    def _unacceptable(alternatives: list[tuple[str, str]]) -> Reply:
        """406 listing `(media type, URL)` alternatives, in the body and as `Link` headers."""
        lines = [f"{media}\t{url}" for media, url in alternatives]
        message = "Not acceptable. This resource is available as:\n" + "\n".join(lines)
        reply = error_reply(406, message, None, vary="Accept")
        links = [f'<{url}>; rel="alternate"; type="{media}"' for media, url in alternatives]
        reply.headers.append(("Link", ", ".join(links)))
        return reply


def request_lang(cookie: str | None, accept_language: str | None) -> str:
    """The page language of a request: the web pages' `lang` cookie, else Accept-Language."""
    if cookie and LANG_COOKIE + "=" in cookie:
        for part in cookie.split(";"):
            name, _, value = part.strip().partition("=")
            if name == LANG_COOKIE and value.strip('"') in LANGS:
                return value.strip('"')
    return best_language(accept_language, LANGS)


ErrorPage = Callable[..., str]
_ERROR_PAGE: list[ErrorPage | None] = []


def site_error_page() -> ErrorPage | None:
    """The web package's styled error page (`web.render_error_html`), if installed."""
    if not _ERROR_PAGE:
        try:
            web = importlib.import_module("oas_ssm.server.web")
        except ModuleNotFoundError as e:
            if e.name != "oas_ssm.server.web":
                raise
            web = None
        _ERROR_PAGE.append(getattr(web, "render_error_html", None))
    return _ERROR_PAGE[0]


def error_reply(status: int, message: str, accept: str | None, lang: str | None = None,
                path: str | None = None, prefix: str = "", vary: str = ERROR_VARY) -> Reply:
    """An error as text/plain, or as an HTML page when the client prefers HTML (browsers).

    The HTML page is the site's own (layout, navigation, search, in `lang`) when the web package
    is installed, else a minimal page. Either way the reply carries `Vary` (by default Accept and
    what picks the page's language): errors are cacheable, and a cache must not hand the page to
    a client that asked for text, nor the text to a browser.
    """
    phrase = HTTPStatus(status).phrase
    headers: list[tuple[str, str]] = []
    if negotiate(accept, ERROR_OFFERS) == "text/html":
        lang = lang if lang in LANGS else LANGS[0]
        page = None
        render = site_error_page()
        if render is not None:
            try:
                page = render(status, lang, path=path or "", message=message, prefix=prefix)
            except Exception:  # the minimal page below still answers
                log.exception("the site's error page failed")
        if page is None:
            page = (
                f'<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8">'
                f"<title>{status} {escape(phrase)}</title></head>\n<body><h1>{status} "
                f"{escape(phrase)}</h1>\n<pre>{escape(message)}</pre>\n</body>\n</html>\n"
            )
            lang = "en"
        body = page.encode()
        content_type = "text/html; charset=utf-8"
        headers.append(("Content-Language", lang))
    else:
        body = (message.rstrip("\n") + "\n").encode()
        content_type = "text/plain; charset=utf-8"
    headers = [
        ("Content-Type", content_type),
        ("Content-Length", str(len(body))),
        ("Cache-Control", CACHE_ERROR),
        ("Vary", vary),
        *CORS,
        *headers,
    ]
    return Reply(status, headers, body)
