"""The data profile: our SHACL shapes, published at `{base}def/shapes` and described with PROF.

The shapes in `shapes/` are the contract of the data; this module makes them a resource a
consumer can fetch and cite. `{base}def/shapes` is both the shapes' namespace (`ssmsh:`, whose
`#` terms are the shapes) and the IRI of the profile (`prof:Profile`, also a `dcterms:Standard`
for DCAT-AP) that the dataset `dcterms:conformsTo`. Its resources: the shapes (role
`validation`, `def/shapes.ttl`) and the ontology (role `vocabulary`, `def/ssm.ttl`).

`/def/shapes` answers 303 by content negotiation to `/def/shapes.{ttl,jsonld,rdf,nt,html}`: the
RDF documents hold every shape (IRIs rewritten to the served base, like every other document)
and the profile's description; the HTML page lists each shape with its message in both
languages. `create_blueprint(dataset)` serves all of it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property

from flask import Blueprint, Response, abort, redirect, request
from oas_ssm.paths import SHAPES_DIR
from oas_ssm.server.conneg import negotiate
from oas_ssm.server.rewrite import Rewriter
from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, serialize
from rdflib import Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.compare import to_canonical_graph
from rdflib.namespace import RDF, RDFS, SH, XSD

PROFILE_PATH = "def/shapes"
PROF = "http://www.w3.org/ns/dx/prof/"
ROLE = PROF + "role/"
DCT = "http://purl.org/dc/terms/"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
IANA_TURTLE = "http://www.iana.org/assignments/media-types/text/turtle"
SHACL_SPEC = "https://www.w3.org/TR/shacl/"
OWL_SPEC = "https://www.w3.org/TR/owl2-overview/"
ORG_SPEC = "https://www.w3.org/TR/vocab-org/"
LICENSE = "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"

# (extension, media type, label, rdflib serializer); HTML last. Turtle first: no Accept or */*
# gets Turtle, as for every other document.
RDF_FORMATS = (
    ("ttl", "text/turtle", "Turtle", "turtle"),
    ("jsonld", "application/ld+json", "JSON-LD", "json-ld"),
    ("rdf", "application/rdf+xml", "RDF/XML", "xml"),
    ("nt", "application/n-triples", "N-Triples", "nt"),
)
HTML = ("html", "text/html", "HTML", None)
FORMATS = (*RDF_FORMATS, HTML)
BY_EXT = {f[0]: f for f in FORMATS}
# Media types a client may send for each format (aliases as the documents accept them).
ALIASES = {
    "text/turtle": "ttl", "application/x-turtle": "ttl",
    "application/ld+json": "jsonld", "application/json": "jsonld",
    "application/rdf+xml": "rdf", "application/xml": "rdf", "text/xml": "rdf",
    "application/n-triples": "nt", "text/plain": "nt",
    "text/html": "html", "application/xhtml+xml": "html",
}
OFFERS = tuple(ALIASES)
CACHE_CONTROL = "public, max-age=3600"

TEXT = {
    "es": {
        "title": "Perfil de datos de la SSM: formas SHACL",
        "lead": "Las restricciones que los datos cumplen antes de publicarse. Cada forma tiene "
        "su mensaje en español y en inglés; valídelas con cualquier procesador SHACL (con "
        "inferencia RDFS) o con `ssm validate`.",
        "resources": "Recursos del perfil", "role": "Función", "artifact": "Documento",
        "shapes": "Formas", "shape": "Forma", "targets": "Se aplica a", "path": "Ruta",
        "message_es": "Mensaje (español)", "message_en": "Mensaje (inglés)",
        "why": "Motivo", "sparql": "Restricción SPARQL",
        "no_es": "Solo en inglés: pySHACL pierde la etiqueta de idioma de los mensajes SPARQL, "
        "así que estas formas llevan un único mensaje.",
        "formats": "Descargas", "validation": "validación", "vocabulary": "vocabulario",
        "iri": "IRI",
    },
    "en": {
        "title": "SSM data profile: SHACL shapes",
        "lead": "The constraints the data meets before it is published. Each shape has its "
        "message in Spanish and English; validate with any SHACL processor (with RDFS "
        "inference) or with `ssm validate`.",
        "resources": "Resources of the profile", "role": "Role", "artifact": "Document",
        "shapes": "Shapes", "shape": "Shape", "targets": "Applies to", "path": "Path",
        "message_es": "Message (Spanish)", "message_en": "Message (English)",
        "why": "Why", "sparql": "SPARQL constraint",
        "no_es": "English only: pySHACL drops the language tag of SPARQL messages, so these "
        "shapes carry one message.",
        "formats": "Downloads", "validation": "validation", "vocabulary": "vocabulary",
        "iri": "IRI",
    },
}


def profile_iri(base: str) -> str:
    """The profile's IRI (and the shapes' namespace without its '#') under `base`."""
    return base + PROFILE_PATH


def profile_triples(base: str) -> list[Triple]:
    """The PROF description of the profile; the first triple's subject is the profile."""
    p = NamedNode(profile_iri(base))
    shapes = NamedNode(p.value + "#resource-shapes")
    vocabulary = NamedNode(p.value + "#resource-ontology")
    out: list[Triple] = []

    def add(s: NamedNode, pred: str, o) -> None:
        out.append(Triple(s, NamedNode(pred), o))

    add(p, TYPE, NamedNode(PROF + "Profile"))
    add(p, TYPE, NamedNode(DCT + "Standard"))
    add(p, DCT + "title", Literal("Perfil de datos de la SSM (formas SHACL)", language="es"))
    add(p, DCT + "title", Literal("SSM data profile (SHACL shapes)", language="en"))
    add(p, DCT + "description", Literal(
        "Cómo usan ORG, SKOS, PROV y ELI los datos del Anexo E: las formas SHACL que los datos "
        "cumplen antes de publicarse y la ontología que las sostiene.", language="es"))
    add(p, DCT + "description", Literal(
        "How the Annex E data uses ORG, SKOS, PROV and ELI: the SHACL shapes the data meets "
        "before it is published and the ontology behind them.", language="en"))
    add(p, DCT + "license", NamedNode(LICENSE))
    add(p, PROF + "hasToken", Literal("ssm-shapes"))
    add(p, PROF + "isProfileOf", NamedNode(ORG_SPEC))
    add(NamedNode(ORG_SPEC), TYPE, NamedNode(DCT + "Standard"))
    resources = (
        (shapes, "validation", PROFILE_PATH + ".ttl", SHACL_SPEC,
         ("Formas SHACL", "SHACL shapes")),
        (vocabulary, "vocabulary", "def/ssm.ttl", OWL_SPEC,
         ("Ontología OWL", "OWL ontology")),
    )
    for node, role, artifact, spec, (es, en) in resources:
        add(p, PROF + "hasResource", node)
        add(node, TYPE, NamedNode(PROF + "ResourceDescriptor"))
        add(node, DCT + "title", Literal(es, language="es"))
        add(node, DCT + "title", Literal(en, language="en"))
        add(node, PROF + "hasRole", NamedNode(ROLE + role))
        add(node, DCT + "format", NamedNode(IANA_TURTLE))
        add(node, DCT + "conformsTo", NamedNode(spec))
        add(node, PROF + "hasArtifact", NamedNode(base + artifact))
    return out


@dataclass(frozen=True)
class ShapeView:
    """One named shape as the HTML page lists it."""

    iri: str
    local: str
    kind: str  # "NodeShape" or "PropertyShape"
    targets: list[str]
    path: str | None
    messages: dict[str, str]
    comment: str | None
    sparql: bool


@dataclass
class Profile:
    """The shapes graph as served under one base, in every format (built once, then reused)."""

    rewriter: Rewriter
    documents: dict[str, bytes] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return self.rewriter.served

    @property
    def iri(self) -> str:
        return profile_iri(self.base)

    @cached_property
    def graph(self) -> Graph:
        """Every shapes/*.ttl file plus the profile description, IRIs under the served base.

        Blank nodes get canonical labels, so every worker serves the same bytes (and ETags).
        """
        raw = Graph()
        for path in sorted(SHAPES_DIR.glob("*.ttl")):
            raw.parse(path, format="turtle")
        raw.parse(data=serialize(profile_triples(self.base), format=RdfFormat.N_TRIPLES),
                  format="nt")
        graph = Graph()
        for s, p, o in to_canonical_graph(raw):
            graph.add((self._term(s), self._term(p), self._term(o)))
        for prefix, ns in raw.namespaces():
            graph.bind(prefix, self._term(URIRef(str(ns))), override=True)
        graph.bind("prof", PROF)
        graph.bind("role", ROLE)
        return graph

    def _term(self, term):
        if isinstance(term, URIRef):
            return URIRef(self.rewriter.iri(str(term)))
        if isinstance(term, RdfLiteral) and term.datatype == XSD.anyURI:
            return RdfLiteral(self.rewriter.iri(str(term)), datatype=XSD.anyURI)
        return term

    def document(self, ext: str) -> bytes:
        """The shapes document in one RDF format ('ttl', 'jsonld', 'rdf', 'nt')."""
        if ext not in self.documents:
            fmt = BY_EXT[ext][3]
            if fmt == "json-ld":
                context = {p: str(ns) for p, ns in self.graph.namespaces() if p}
                body = self.graph.serialize(format=fmt, context=context, auto_compact=True)
                body = json.dumps(json.loads(body), ensure_ascii=False, indent=1)
            elif fmt == "nt":
                body = "".join(sorted(self.graph.serialize(format="nt").splitlines(True)))
            else:
                body = self.graph.serialize(format=fmt)
            self.documents[ext] = body.encode()
        return self.documents[ext]

    def shapes(self) -> list[ShapeView]:
        """Every shape with an IRI in our namespace, sorted by name."""
        g = self.graph
        ns = self.iri + "#"
        found = []
        kinds = {SH.NodeShape: "NodeShape", SH.PropertyShape: "PropertyShape"}
        for cls, kind in kinds.items():
            for s in set(g.subjects(RDF.type, cls)):
                if not isinstance(s, URIRef) or not str(s).startswith(ns) or str(s) == ns:
                    continue
                # Classes by name; other targets with their kind ("sh:targetSubjectsOf ssm:inArea").
                targets = sorted(
                    (self._short(t) if p == SH.targetClass
                     else f"{self._short(p)} {self._short(t)}")
                    for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf,
                              SH.targetObjectsOf)
                    for t in g.objects(s, p))
                path = g.value(s, SH.path)
                messages = {m.language or "": str(m) for m in g.objects(s, SH.message)
                            if isinstance(m, RdfLiteral)}
                comments = [str(c) for c in g.objects(s, RDFS.comment)]
                found.append(ShapeView(
                    str(s), str(s)[len(ns):], kind, targets,
                    self._short(path) if isinstance(path, URIRef) else
                    (None if path is None else path.n3(g.namespace_manager)),
                    messages, comments[0] if comments else None,
                    (s, SH.sparql, None) in g))
        return sorted(found, key=lambda v: v.local.casefold())

    def _short(self, iri) -> str:
        try:
            return self.graph.namespace_manager.normalizeUri(iri)
        except Exception:  # pragma: no cover - rdflib raises on odd IRIs; show them whole
            return str(iri)


_PROFILES: dict[tuple[str, str], Profile] = {}


def profile_for(rewriter: Rewriter) -> Profile:
    """The `Profile` for one (canonical, served) base pair, built on first use."""
    key = (rewriter.canonical, rewriter.served)
    if key not in _PROFILES:
        _PROFILES[key] = Profile(rewriter)
    return _PROFILES[key]


def html_page(profile: Profile, lang: str, prefix: str) -> str:
    """The profile page: its resources, then each shape with both messages."""
    from oas_ssm.server.web.render import render

    here = f"{prefix}/{PROFILE_PATH}.html"
    formats = [(label, media, f"{prefix}/{PROFILE_PATH}.{ext}")
               for ext, media, label, _ in RDF_FORMATS]
    resources = [(role, prefix + "/" + artifact)
                 for role, artifact in (("validation", PROFILE_PATH + ".ttl"),
                                        ("vocabulary", "def/ssm.ttl"))]
    return render("profile.html", lang, prefix, here=here, nav="ontology",
                  p=profile, shapes=profile.shapes(), formats=formats, resources=resources,
                  x=TEXT[lang if lang in TEXT else "es"])


def create_blueprint(dataset, config=None) -> Blueprint:
    """`/def/shapes` (303 by conneg) and `/def/shapes.{ttl,jsonld,rdf,nt,html}` for `dataset`.

    Same signature as the other components' blueprints (`app.COMPONENTS`); `config` is unused.
    """
    from oas_ssm.server.web.i18n import select_lang

    bp = Blueprint("profile", __name__)
    prefix = str(getattr(dataset, "mount", "") or "").rstrip("/")

    def profile() -> Profile:
        return profile_for(dataset.rewriter)

    def reply(body: bytes, media: str, vary: str | None) -> Response:
        response = Response(body, mimetype=media)
        response.headers["Cache-Control"] = CACHE_CONTROL
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Link"] = ", ".join(
            f'<{prefix}/{PROFILE_PATH}.{ext}>; rel="alternate"; type="{m}"'
            for ext, m, _, _ in FORMATS if m != media)
        if vary:
            response.headers["Vary"] = vary
        response.set_etag(hashlib.sha256(body).hexdigest()[:32])
        return response.make_conditional(request)

    @bp.get(f"/{PROFILE_PATH}")
    def negotiated() -> Response:
        media = negotiate(request.headers.get("Accept"), OFFERS)
        if media is None:
            body = "Not acceptable. The profile is available as:\n" + "\n".join(
                f"{m}\t{prefix}/{PROFILE_PATH}.{ext}" for ext, m, _, _ in FORMATS)
            response = Response(body, status=406, mimetype="text/plain")
            response.headers["Vary"] = "Accept"
            return response
        response = redirect(f"{prefix}/{PROFILE_PATH}.{ALIASES[media]}", code=303)
        response.headers["Vary"] = "Accept"
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    @bp.get(f"/{PROFILE_PATH}.<ext>")
    def document(ext: str) -> Response:
        if ext not in BY_EXT:
            abort(404)
        if ext == "html":
            lang = select_lang(request)
            body = html_page(profile(), lang, prefix).encode()
            response = reply(body, "text/html", "Accept-Language, Cookie")
            response.headers["Content-Language"] = lang
            return response
        return reply(profile().document(ext), BY_EXT[ext][1], None)

    return bp
