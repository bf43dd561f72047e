"""Documents: a resource's description rendered in one format, once, and kept with its ETag.

RDF formats are written by Oxigraph (Turtle, N-Triples, RDF/XML) or here (compact JSON-LD with
the project's prefixes as context). HTML comes from the web package when it is installed
(`oas_ssm.server.web.render_resource_html(dataset, iri, lang)`), else from `minimal_html` below.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape

from oas_ssm.server.dataset import Dataset
from oas_ssm.server.metadata import Dump
from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, serialize

RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_STRING = NamedNode("http://www.w3.org/2001/XMLSchema#string")


@dataclass(frozen=True)
class Format:
    """One representation the server offers: its extension, media type and accepted aliases."""

    key: str
    media_type: str
    aliases: tuple[str, ...] = ()
    rdf_format: RdfFormat | None = None

    @property
    def extension(self) -> str:
        return "." + self.key

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8"


TURTLE = Format("ttl", "text/turtle", ("application/x-turtle",), RdfFormat.TURTLE)
JSONLD = Format("jsonld", "application/ld+json", ("application/json",))
# Generic types name the RDF format a client most likely means by them, as the SPARQL endpoint's
# CONSTRUCT results do: XML is RDF/XML, plain text N-Triples (and JSON, above, JSON-LD).
RDFXML = Format("rdf", "application/rdf+xml", ("application/xml", "text/xml"), RdfFormat.RDF_XML)
NTRIPLES = Format("nt", "application/n-triples", ("text/plain",), RdfFormat.N_TRIPLES)
HTML = Format("html", "text/html", ("application/xhtml+xml",))
# In order of preference: `*/*` and no Accept get Turtle (RDF first, per the W3C recipes).
FORMATS: tuple[Format, ...] = (TURTLE, JSONLD, RDFXML, NTRIPLES, HTML)
RDF_FORMATS: tuple[Format, ...] = (TURTLE, JSONLD, RDFXML, NTRIPLES)
BY_KEY: dict[str, Format] = {f.key: f for f in FORMATS}


def offers(formats: Iterable[Format]) -> tuple[tuple[str, ...], dict[str, Format]]:
    """Media types to negotiate over (aliases after every primary type) and their formats."""
    formats = tuple(formats)
    media = [f.media_type for f in formats] + [a for f in formats for a in f.aliases]
    return tuple(media), {m: f for f in formats for m in (f.media_type, *f.aliases)}


@dataclass(frozen=True)
class Document:
    """A rendered representation: bytes plus what validators and headers need."""

    body: bytes
    format: Format
    etag: str  # quoted, strong
    lang: str | None = None

    @classmethod
    def of(cls, body: bytes, fmt: Format, version: str, lang: str | None = None) -> Document:
        digest = hashlib.sha256(body).hexdigest()[:20]
        return cls(body, fmt, f'"{version[:8]}-{digest}"', lang)


# -- serializations ----------------------------------------------------------------------------


def serialize_rdf(triples: list[Triple], fmt: Format, prefixes: dict[str, str]) -> bytes:
    """Triples in an RDF format (the order given is kept: Turtle groups by subject)."""
    if fmt is JSONLD:
        return jsonld(triples, prefixes)
    kwargs = (
        {"prefixes": prefixes} if fmt.rdf_format in (RdfFormat.TURTLE, RdfFormat.RDF_XML) else {}
    )
    return serialize(triples, format=fmt.rdf_format, **kwargs)


def jsonld(triples: list[Triple], prefixes: dict[str, str]) -> bytes:
    """Compact JSON-LD: the prefixes as @context, one node object per subject, in order."""
    ordered = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))

    def compact(iri: str) -> str:
        for prefix, ns in ordered:
            if iri.startswith(ns):
                local = iri[len(ns) :]
                if local and not local.startswith("//"):
                    return f"{prefix}:{local}"
        return iri

    def ref(term) -> str:
        return f"_:{term.value}" if isinstance(term, BlankNode) else compact(term.value)

    def value(term):
        if isinstance(term, Literal):
            if term.language:
                return {"@value": term.value, "@language": term.language}
            if term.datatype == XSD_STRING:
                return term.value
            return {"@value": term.value, "@type": compact(term.datatype.value)}
        return {"@id": ref(term)}

    nodes: dict[str, dict] = {}
    for s, p, o in triples:
        node = nodes.setdefault(ref(s), {"@id": ref(s)})
        if p == RDF_TYPE and isinstance(o, NamedNode):
            node.setdefault("@type", []).append(compact(o.value))
        else:
            node.setdefault(compact(p.value), []).append(value(o))
    graph = [
        {k: v[0] if isinstance(v, list) and len(v) == 1 else v for k, v in n.items()}
        for n in nodes.values()
    ]
    document = {"@context": dict(sorted(prefixes.items())), "@graph": graph}
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()


# -- HTML --------------------------------------------------------------------------------------


def html_renderer() -> Callable[[Dataset, str, str], str | None]:
    """The web package's page renderer if it is installed, else `minimal_html`."""
    try:
        web = importlib.import_module("oas_ssm.server.web")
    except ModuleNotFoundError as e:
        if e.name not in ("oas_ssm.server.web",):
            raise
        return minimal_html
    return getattr(web, "render_resource_html", minimal_html)


def minimal_html(dataset: Dataset, iri: str, lang: str) -> str:
    """A small, valid page: name, types, properties as links, alternates, embedded JSON-LD."""
    triples = dataset.describe(iri)
    mount = dataset.mount

    def href(value: str) -> str:
        local = dataset.local_path(value)
        return escape(f"{mount}/{local}" if local is not None else value)

    def show(term) -> str:
        if isinstance(term, NamedNode):
            return f'<a href="{href(term.value)}">{escape(dataset.label(term.value, lang))}</a>'
        if isinstance(term, Literal):
            tag = f' lang="{escape(term.language)}"' if term.language else ""
            return f"<span{tag}>{escape(term.value)}</span>"
        return f"<code>_:{escape(term.value)}</code>"

    title = dataset.label(iri, lang)
    doc = document_path(dataset, iri)
    alternates = "\n".join(
        f'<link rel="alternate" type="{f.media_type}" href="{escape(mount + doc + f.extension)}">'
        for f in RDF_FORMATS
    )
    types = [t.object for t in triples if t.subject.value == iri and t.predicate == RDF_TYPE]
    rows_out = [t for t in triples if t.subject.value == iri and t.predicate != RDF_TYPE]
    rows_in = [t for t in triples if isinstance(t.object, NamedNode) and t.object.value == iri]
    data = jsonld(triples, dataset.prefixes).decode().replace("</", "<\\/")
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        alternates,
        f'<script type="application/ld+json">\n{data}</script>',
        "</head>",
        "<body>",
        f"<h1>{escape(title)}</h1>",
        f"<p><code>{escape(iri)}</code></p>",
        "<p>" + ", ".join(show(t) for t in types) + "</p>",
        "<table>",
        *(f"<tr><th>{show(t.predicate)}</th><td>{show(t.object)}</td></tr>" for t in rows_out),
        "</table>",
    ]
    if rows_in:
        out += [
            "<h2>←</h2>",
            "<table>",
            *(f"<tr><td>{show(t.subject)}</td><th>{show(t.predicate)}</th></tr>" for t in rows_in),
            "</table>",
        ]
    formats = " · ".join(
        f'<a href="{escape(mount + doc + f.extension)}">{f.key}</a>' for f in RDF_FORMATS
    )
    out += [f"<p>{formats}</p>", "</body>", "</html>", ""]
    return "\n".join(out)


# -- paths -------------------------------------------------------------------------------------


def document_path(dataset: Dataset, iri: str) -> str:
    """The path (from the mount point) of the document about `iri`, without extension."""
    local = dataset.local_path(iri) or ""
    if iri in dataset.ontology_iris:
        return "/" + local
    if local.startswith("id/"):
        return "/doc/" + local[3:]
    return "/" + local


# -- the cache ---------------------------------------------------------------------------------


class Documents:
    """Every (resource, format, language) rendered at most once per process, then reused."""

    def __init__(
        self, dataset: Dataset, html: Callable[[Dataset, str, str], str | None] | None = None
    ):
        self.dataset = dataset
        self._html = html or html_renderer()
        self._cache: dict[tuple, Document] = {}
        self._lock = threading.Lock()

    def _cached(self, key: tuple, render: Callable[[], Document]) -> Document:
        doc = self._cache.get(key)
        if doc is None:
            doc = render()
            with self._lock:
                doc = self._cache.setdefault(key, doc)
        return doc

    def resource(self, iri: str, fmt: Format, lang: str = "es") -> Document:
        """The document about `iri` (which must have one) in `fmt` (HTML in `lang`).

        A version IRI of the ontology gets the ontology's document: this server has one version.
        """
        if iri in self.dataset.ontology_iris:
            iri = self.dataset.ontology_iri
        lang_key = lang if fmt is HTML else None
        return self._cached(
            ("resource", iri, fmt.key, lang_key), lambda: self._render(iri, fmt, lang_key)
        )

    def _render(self, iri: str, fmt: Format, lang: str | None) -> Document:
        ds = self.dataset
        if fmt is HTML:
            page = self._html(ds, iri, lang or "es") or minimal_html(ds, iri, lang or "es")
            body = page.encode()
        else:
            body = serialize_rdf(ds.describe(iri), fmt, ds.prefixes)
        return Document.of(body, fmt, ds.version, lang)

    def dump(self, dump: Dump) -> Document:
        """A full dump (see `metadata.DUMPS`)."""

        def render() -> Document:
            ds = self.dataset
            triples = sorted(ds.triples(*dump.graphs), key=_text_order)
            return Document.of(
                serialize_rdf(triples, BY_KEY[dump.format], ds.prefixes),
                BY_KEY[dump.format],
                ds.version,
            )

        return self._cached(("dump", dump.name), render)

    def other(self, name: str, fmt: Format, render: Callable[[], bytes]) -> Document:
        """Any other cached body (the sitemap), keyed by `name`."""
        return self._cached(
            ("other", name), lambda: Document.of(render(), fmt, self.dataset.version)
        )


def _text_order(triple: Triple) -> tuple[str, str, str]:
    s, p, o = triple
    return (str(s), str(p), str(o))

