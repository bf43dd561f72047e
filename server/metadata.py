"""What the server says about the dataset itself: VoID + DCAT, the sitemap and the dumps.

The VoID description is computed from the loaded data (counts, class and property partitions)
and lives in `<{base}graph/metadata>`, so it is one more resource (`{base}id/dataset/ssm`, also
at `/void` and `/.well-known/void`) and can be queried like everything else. Partitions and
distributions are hash IRIs of the dataset IRI, so its document is self-contained without blank
nodes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from pyoxigraph import Literal, NamedNode, Triple

RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
VOCABULARIES = (
    "http://www.w3.org/ns/org#",
    "http://www.w3.org/2004/02/skos/core#",
    "http://www.w3.org/ns/prov#",
    "http://data.europa.eu/eli/ontology#",
    "http://purl.org/dc/terms/",
)


@dataclass(frozen=True)
class Dump:
    """One downloadable file: which graphs it holds, in which format (a `documents` format key)."""

    name: str
    graphs: tuple[str, ...]
    format: str
    media_type: str
    title_es: str
    title_en: str


def _dumps() -> dict[str, Dump]:
    kinds = (
        ("ssm", ("asserted",), "afirmados", "asserted"),
        (
            "ssm-entailed",
            ("asserted", "entailed"),
            "afirmados e inferidos",
            "asserted and entailed",
        ),
    )
    formats = (
        ("ttl", "text/turtle", "Turtle"),
        ("nt", "application/n-triples", "N-Triples"),
        ("jsonld", "application/ld+json", "JSON-LD"),
    )
    out = {}
    for stem, graphs, es, en in kinds:
        for ext, media, label in formats:
            name = f"{stem}.{ext}"
            out[name] = Dump(
                name, graphs, ext, media, f"Triples {es} ({label})", f"Triples {en} ({label})"
            )
    return out


DUMPS: dict[str, Dump] = _dumps()
FORMAT_IRIS = {
    "ttl": FORMATS_NS + "Turtle",
    "nt": FORMATS_NS + "N-Triples",
    "jsonld": FORMATS_NS + "JSON-LD",
    "rdf": FORMATS_NS + "RDF_XML",
}


def void_triples(
    base: str, asserted: Iterable[Triple], prefixes: dict[str, str], modified: float
) -> list[Triple]:
    """The VoID + DCAT description of the dataset served under `base`, from its asserted triples."""
    triples = list(asserted)
    d = NamedNode(base + "id/dataset/ssm")
    out: list[Triple] = []

    def add(s, p: str, o) -> None:
        out.append(Triple(s, NamedNode(p), o))

    def text(value: str, lang: str) -> Literal:
        return Literal(value, language=lang)

    def integer(n: int) -> Literal:
        return Literal(str(n), datatype=NamedNode(XSD + "integer"))

    for cls in (VOID + "Dataset", DCAT + "Dataset"):
        add(d, RDF_TYPE.value, NamedNode(cls))
    title = {
        "es": "Secretaría de Seguridad Multidimensional (SSM) de la OEA: "
        "Anexo E como datos enlazados",
        "en": "Secretariat for Multidimensional Security (SSM) of the OAS: Annex E as linked data",
    }
    description = {
        "es": "Las dependencias, puestos, órganos, instrumentos y funciones que el Anexo E de la "
        "Orden Ejecutiva de la Secretaría General de la OEA establece para la SSM, cada hecho "
        "con el párrafo del Anexo del que procede. El español es la lengua de referencia.",
        "en": "The units, posts, bodies, instruments and functions that Annex E of the executive "
        "order of the OAS General Secretariat establishes for the SSM, each fact citing the "
        "paragraph of the Annex it comes from. Spanish is authoritative; English is a translation.",
    }
    for lang in ("es", "en"):
        add(d, DCT + "title", text(title[lang], lang))
        add(d, SKOS + "prefLabel", text(title[lang], lang))
        add(d, DCT + "description", text(description[lang], lang))
    add(d, DCT + "license", NamedNode(LICENSE))
    add(d, DCT + "publisher", NamedNode(base))
    add(d, DCT + "source", NamedNode(base + "id/provision/anexo-e"))
    day = datetime.fromtimestamp(modified, UTC).date().isoformat()
    add(d, DCT + "modified", Literal(day, datatype=NamedNode(XSD + "date")))
    add(d, DCAT + "landingPage", NamedNode(base))
    add(d, VOID + "sparqlEndpoint", NamedNode(base + "sparql"))
    add(d, VOID + "uriSpace", Literal(base + "id/"))
    root = NamedNode(base + "id/unit/ssm")
    if any(t.subject == root for t in triples):
        add(d, VOID + "rootResource", root)
        add(d, VOID + "exampleResource", root)
    for ns in (prefixes.get("ssm", base + "def/ssm#"), *VOCABULARIES):
        add(d, VOID + "vocabulary", NamedNode(ns))
    for key in ("ttl", "nt", "jsonld", "rdf"):
        add(d, VOID + "feature", NamedNode(FORMAT_IRIS[key]))

    # Statistics of the asserted triples.
    classes = Counter(t.object for t in triples if t.predicate == RDF_TYPE)
    properties = Counter(t.predicate for t in triples)
    subjects = {t.subject for t in triples}
    entities = {
        s for s in subjects if isinstance(s, NamedNode) and s.value.startswith(base + "id/")
    }
    add(d, VOID + "triples", integer(len(triples)))
    add(d, VOID + "entities", integer(len(entities)))
    add(d, VOID + "distinctSubjects", integer(len(subjects)))
    add(d, VOID + "distinctObjects", integer(len({t.object for t in triples})))
    add(d, VOID + "properties", integer(len(properties)))
    add(d, VOID + "classes", integer(len(classes)))
    for cls, n in sorted(classes.items(), key=lambda kv: str(kv[0])):
        part = NamedNode(f"{d.value}#class-{_slug(cls, prefixes)}")
        add(d, VOID + "classPartition", part)
        add(part, VOID + "class", cls)
        add(part, VOID + "entities", integer(n))
    for prop, n in sorted(properties.items(), key=lambda kv: str(kv[0])):
        part = NamedNode(f"{d.value}#property-{_slug(prop, prefixes)}")
        add(d, VOID + "propertyPartition", part)
        add(part, VOID + "property", prop)
        add(part, VOID + "triples", integer(n))

    # Distributions: the dumps, then the SPARQL service.
    for dump in DUMPS.values():
        url = NamedNode(base + "dumps/" + dump.name)
        if dump.graphs == ("asserted",):
            add(d, VOID + "dataDump", url)
        dist = NamedNode(f"{d.value}#dump-{dump.name.replace('.', '-')}")
        add(d, DCAT + "distribution", dist)
        add(dist, RDF_TYPE.value, NamedNode(DCAT + "Distribution"))
        add(dist, DCT + "title", text(dump.title_es, "es"))
        add(dist, DCT + "title", text(dump.title_en, "en"))
        add(dist, DCAT + "downloadURL", url)
        add(dist, DCAT + "accessURL", url)
        add(
            dist,
            DCAT + "mediaType",
            NamedNode("http://www.iana.org/assignments/media-types/" + dump.media_type),
        )
        add(dist, DCT + "format", NamedNode(FORMAT_IRIS[dump.format]))
        add(dist, DCT + "license", NamedNode(LICENSE))
    service = NamedNode(d.value + "#sparql")
    add(service, RDF_TYPE.value, NamedNode(DCAT + "DataService"))
    add(service, DCT + "title", text("Punto de acceso SPARQL", "es"))
    add(service, DCT + "title", text("SPARQL endpoint", "en"))
    add(service, DCAT + "endpointURL", NamedNode(base + "sparql"))
    add(service, DCAT + "servesDataset", d)
    add(service, DCT + "conformsTo", NamedNode("https://www.w3.org/TR/sparql11-protocol/"))
    add(service, DCT + "license", NamedNode(LICENSE))

    # Releases (issue 10): every release, and the current version, its date and the release it
    # revises (owl:versionInfo, owl:versionIRI, dcterms:issued, prov:wasRevisionOf).
    from oas_ssm.server.release_archive import release_void_triples

    out.extend(release_void_triples(base, triples))
    return out


def _slug(iri: NamedNode, prefixes: dict[str, str]) -> str:
    """A readable fragment for a class or property: 'org-Post', 'ssm-Function'."""
    value = iri.value
    for prefix, ns in sorted(prefixes.items(), key=lambda kv: -len(kv[1])):
        if value.startswith(ns) and len(value) > len(ns):
            return _safe(f"{prefix}-{value[len(ns) :]}")
    return _safe(value.split("://", 1)[-1])


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._~-]+", "-", text).strip("-")


def sitemap(base: str, document_paths: Iterable[str], modified: float) -> bytes:
    """A sitemaps.org urlset with one absolute URL per document ('doc/unit/ssm' → base + that)."""
    day = datetime.fromtimestamp(modified, UTC).date().isoformat()
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for path in document_paths:
        lines.append(f"<url><loc>{escape(base + path)}</loc><lastmod>{day}</lastmod></url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode()
