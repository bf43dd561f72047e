"""The linked-data routes: things, documents, the ontology, named graphs, metadata and dumps.

- `/id/{kind}/{slug}`: 303 See Other to the document in the negotiated format (`Vary: Accept`);
  with `Accept-Datetime`, the Memento TimeGate (302 to a release's document, `releases`);
- `/doc/{kind}/{slug}[.ext]`: the document, in the format of its extension or negotiated;
- `/def/ssm`, `/def/ssm/{version}`: 303 to `/def/ssm.{ext}`, the ontology document;
- `/def/shapes`: 303 to `/def/shapes.{ext}`, the data profile (our SHACL shapes);
- `/graph/{asserted,entailed,ontology,metadata}`: 303 to a document holding that graph;
- `/void`, `/.well-known/void`, `/sitemap.xml`, `/robots.txt`, `/dumps/{name}`.

Every body comes from the in-memory dataset (`Documents`), so no request path reaches the file
system. Successful answers are marked for the response cache in front of the app.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, request

from .conneg import negotiate, page_language
from .dataset import Dataset
from .documents import Document, Documents, document_path
from .errors import not_acceptable
from .formats import (
    BY_EXTENSION,
    DOCUMENT_FORMATS,
    DUMP_FORMATS,
    HTML,
    TEXT,
    XML,
    Format,
)
from .memento import BadAcceptDatetime
from .metadata import DUMPS, sitemap
from .profile import profile_iri
from .release_archive import ReleaseArchive
from .response_cache import cacheable

CACHE_DOCUMENT = "public, max-age=3600"
CACHE_REDIRECT = "public, max-age=3600"


def create_blueprint(dataset: Dataset, documents: Documents, archive: ReleaseArchive) -> Blueprint:
    """The routes above over one dataset and its releases (`archive`: the Memento TimeGate and
    the `Link` headers to past versions)."""
    bp = Blueprint("linkeddata", __name__)

    def mount() -> str:
        return request.script_root

    def doc_url(iri: str, fmt: Format) -> str:
        return mount() + document_path(dataset, iri) + fmt.extension

    def see_other(location: str) -> Response:
        """303 to `location` (the request's query string kept), `Vary: Accept`: every caller
        picks `location` by it."""
        if request.query_string:
            location += "?" + request.query_string.decode("latin-1")
        response = Response(f"See Other: {location}\n", 303, mimetype=TEXT.media_type)
        response.headers["Location"] = location
        response.headers["Vary"] = "Accept"
        response.headers["Cache-Control"] = CACHE_REDIRECT
        response.autocorrect_location_header = False
        return cacheable(response)

    def see_document(iri: str) -> Response:
        """303 See Other to the document about `iri` in the negotiated format."""
        if iri in dataset.ontology_iris:  # a version IRI: this server has one version
            iri = dataset.ontology_iri
        fmt = negotiate(request.headers.get("Accept"), DOCUMENT_FORMATS)
        if fmt is None:
            return alternatives_of(iri)
        return see_other(doc_url(iri, fmt))

    def alternatives_of(iri: str) -> Response:
        return not_acceptable([(f.media_type, doc_url(iri, f)) for f in DOCUMENT_FORMATS])

    def send(doc: Document, iri: str | None, vary: list[str]) -> Response:
        response = Response(doc.body, 200, content_type=doc.format.content_type)
        response.set_etag(doc.etag)
        response.last_modified = dataset.modified
        response.headers["Cache-Control"] = CACHE_DOCUMENT
        if iri is not None:
            base_path = mount() + document_path(dataset, iri)
            response.headers["Content-Location"] = base_path + doc.format.extension
            response.headers["Link"] = ", ".join(
                f'<{base_path}{f.extension}>; rel="alternate"; type="{f.media_type}"'
                for f in DOCUMENT_FORMATS
                if f is not doc.format
            )
        if vary:
            response.headers["Vary"] = ", ".join(vary)
        if doc.lang:
            response.headers["Content-Language"] = doc.lang
        cacheable(response)
        return response.make_conditional(request)

    def document(iri: str, fmt: Format | None) -> Response:
        """The document about `iri`: in `fmt`, or negotiated (then `Vary: Accept`) when None."""
        vary = []
        if fmt is None:
            fmt = negotiate(request.headers.get("Accept"), DOCUMENT_FORMATS)
            if fmt is None:
                return alternatives_of(iri)
            vary.append("Accept")
        lang = "es"
        if fmt is HTML:
            lang = page_language(request.headers.get("Cookie"),
                                 request.headers.get("Accept-Language"))
            vary += ["Accept-Language", "Cookie"]
        doc = documents.resource(iri, fmt, lang)
        if doc is None:
            abort(404)
        return with_history(send(doc, iri, vary), iri)

    def split_extension(rest: str) -> tuple[str, Format | None]:
        stem, dot, ext = rest.rpartition(".")
        if dot and ext in BY_EXTENSION:
            return stem, BY_EXTENSION[ext]
        return rest, None

    def with_history(response: Response, iri: str) -> Response:
        """The Memento `Link` values of `iri` (original, timegate, timemap, mementos)."""
        links = archive.link_header_values(iri)
        if links:
            existing = response.headers.get("Link")
            response.headers["Link"] = ", ".join([*([existing] if existing else []), *links])
        return response

    @bp.get("/id/<path:rest>")
    def thing(rest: str) -> Response:
        """303 to the current document; with `Accept-Datetime`, the TimeGate: 302 to the
        release's document of that date (RFC 7089)."""
        iri = dataset.base + "id/" + rest
        try:
            location = archive.timegate_location(iri, request.headers.get("Accept-Datetime"))
        except BadAcceptDatetime as e:
            abort(400, description=str(e))
        if location is not None:
            response = Response(f"Found: {location}\n", 302, mimetype=TEXT.media_type)
            response.headers["Location"] = location
            response.autocorrect_location_header = False
        elif dataset.has_document(iri):
            response = see_document(iri)
        elif archive.known(iri):  # it was in a release, it is not any more
            abort(410, description=f"Gone: {iri} is not in the current data; see its "
                                   f"past versions at {archive.timemap_url(iri)}")
        else:
            abort(404)
        response.headers["Vary"] = "Accept, Accept-Datetime"
        return cacheable(with_history(response, iri))

    @bp.get("/doc/<path:rest>")
    def doc(rest: str) -> Response:
        stem, fmt = split_extension(rest)
        if fmt is not None and dataset.has_document(dataset.base + "id/" + stem):
            return document(dataset.base + "id/" + stem, fmt)
        if dataset.has_document(dataset.base + "id/" + rest):
            return document(dataset.base + "id/" + rest, None)
        abort(404)

    definitions = {*dataset.ontology_iris, profile_iri(dataset.base)}

    @bp.get("/def/<path:rest>")
    def definition(rest: str) -> Response:
        """The ontology IRI, its version IRIs and the data profile (`def/shapes`) are things,
        like `/id/…` (303 by Accept); `/def/ssm.{ext}`, `/def/shapes.{ext}` (and
        `{version IRI}.{ext}`) are their documents."""
        stem, fmt = split_extension(rest)
        if fmt is not None and dataset.base + "def/" + stem in definitions:
            return document(dataset.base + "def/" + stem, fmt)
        if dataset.base + "def/" + rest in definitions:
            return see_document(dataset.base + "def/" + rest)
        older = archive.ontology_version_location(dataset.base + "def/" + rest)
        if older is not None:  # a version IRI of an earlier release's ontology
            return see_other(older)
        abort(404)

    @bp.get("/graph/<name>")
    def graph(name: str) -> Response:
        """The names of our named graphs (the SPARQL service description lists them): 303 to a
        document holding, or describing, that graph's content. `asserted` goes to the asserted
        dump, `entailed` to the dump of asserted *plus* entailed triples (the entailed ones make
        little sense alone), either to the dataset's page for a browser; `ontology` to the
        ontology document; `metadata` to `/void`."""
        if name in ("asserted", "entailed"):
            stem = "ssm" if name == "asserted" else "ssm-entailed"
            urls = {f: f"{mount()}/dumps/{stem}{f.extension}" for f in DUMP_FORMATS}
            urls[HTML] = doc_url(dataset.dataset_iri, HTML)
            fmt = negotiate(request.headers.get("Accept"), (*DUMP_FORMATS, HTML))
            if fmt is None:
                return not_acceptable([(f.media_type, url) for f, url in urls.items()])
            return see_other(urls[fmt])
        if name == "ontology":
            return see_document(dataset.ontology_iri)
        if name == "metadata":
            return see_other(mount() + "/void")
        abort(404)

    @bp.get("/void")
    @bp.get("/.well-known/void")
    def void() -> Response:
        return document(dataset.dataset_iri, None)

    @bp.get("/dumps/<name>")
    def dump(name: str) -> Response:
        if name not in DUMPS:
            abort(404)
        return send(documents.dump(DUMPS[name]), None, [])

    @bp.get("/sitemap.xml")
    def sitemap_xml() -> Response:
        def render() -> bytes:
            # The ontology IRI (and its versions) 303 to documents: list its page.
            paths = [document_path(dataset, dataset.ontology_iri).lstrip("/") + HTML.extension]
            paths += [document_path(dataset, iri).lstrip("/") for iri in dataset.resources()]
            return sitemap(dataset.base, ["", *paths], dataset.modified)

        return send(documents.other("sitemap", XML, render), None, [])

    @bp.get("/robots.txt")
    def robots() -> Response:
        body = f"User-agent: *\nAllow: /\nSitemap: {dataset.base}sitemap.xml\n"
        return send(documents.other("robots", TEXT, body.encode), None, [])

    return bp
