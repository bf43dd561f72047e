"""What the server says about the dataset itself: VoID + DCAT-AP 3, the sitemap and the dumps.

The VoID description is computed from the loaded data (counts, class and property partitions)
and lives in `<{base}graph/metadata>`, so it is one more resource (`{base}id/dataset/ssm`, also
at `/void` and `/.well-known/void`) and can be queried like everything else. Partitions,
distributions, the catalogue and the SPARQL service are hash IRIs of the dataset IRI, so its
document is self-contained without blank nodes.

The same triples are a DCAT-AP 3.0.0 description (checked against SEMIC's shapes, vendored in
`shapes/vendor/dcat-ap-3.0.0/`): harvesters do not dereference, so every agent, licence, media
type, file type and standard the description links to is typed here as DCAT-AP expects, with
the EU authority tables' IRIs for licences, file types and languages and IANA's for media types.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from oas_ssm.server.formats import BY_EXTENSION, DUMP_FORMATS, RDF_FORMATS
from oas_ssm.server.profile import profile_triples
from pyoxigraph import Literal, NamedNode, Store, Triple

RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"
FOAF = "http://xmlns.com/foaf/0.1/"
PROV = "http://www.w3.org/ns/prov#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
IANA_MEDIA_TYPES = "http://www.iana.org/assignments/media-types/"
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
# The licence of the data (pyproject's CC-BY-4.0), by the EU licence table's IRI that DCAT-AP
# portals expect; `skos:exactMatch` links it to Creative Commons' own IRI.
LICENSE = EU_AUTHORITY + "licence/CC_BY_4_0"
LICENSE_CC = "https://creativecommons.org/licenses/by/4.0/"
LANGUAGES = {"es": EU_AUTHORITY + "language/SPA", "en": EU_AUTHORITY + "language/ENG"}
# The publisher and creator: the project, as the ontology's header names it (a test keeps the
# two in step). Its IRI is the base itself, so the landing page is the dataset's own page.
PUBLISHER_NAMES = {"es": "Proyecto oas-ssm de datos enlazados", "en": "oas-ssm linked data project"}
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"
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
    out = {}
    for stem, graphs, es, en in kinds:
        for f in DUMP_FORMATS:
            name = f"{stem}{f.extension}"
            out[name] = Dump(
                name, graphs, f.key, f.media_type, f"Triples {es} ({f.label})",
                f"Triples {en} ({f.label})",
            )
    return out


DUMPS: dict[str, Dump] = _dumps()


@dataclass(frozen=True)
class Statistics:
    """What VoID counts in the asserted triples. `of_graph` asks the store (aggregates evaluated
    in Rust: only distinct terms and counts become Python objects); `of` counts Python triples."""

    triples: int
    subjects: frozenset  # distinct subject terms
    objects: frozenset  # distinct object terms
    properties: dict  # predicate → triples
    classes: dict  # object of rdf:type → triples

    @classmethod
    def of(cls, asserted: Iterable[Triple]) -> Statistics:
        triples = set(asserted)
        return cls(
            triples=len(triples),
            subjects=frozenset(t.subject for t in triples),
            objects=frozenset(t.object for t in triples),
            properties=dict(Counter(t.predicate for t in triples)),
            classes=dict(Counter(t.object for t in triples if t.predicate == RDF_TYPE)),
        )

    @classmethod
    def of_graph(cls, store: Store, graph: NamedNode) -> Statistics:
        g = f"GRAPH {graph}"
        properties = {r[0]: int(r[1].value) for r in store.query(
            f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ {g} {{ ?s ?p ?o }} }} GROUP BY ?p")}
        return cls(
            triples=sum(properties.values()),
            subjects=frozenset(r[0] for r in store.query(
                f"SELECT DISTINCT ?s WHERE {{ {g} {{ ?s ?p ?o }} }}")),
            objects=frozenset(r[0] for r in store.query(
                f"SELECT DISTINCT ?o WHERE {{ {g} {{ ?s ?p ?o }} }}")),
            properties=properties,
            classes={r[0]: int(r[1].value) for r in store.query(
                f"SELECT ?c (COUNT(*) AS ?n) WHERE {{ {g} {{ ?s {RDF_TYPE} ?c }} }} GROUP BY ?c")},
        )  # fmt: skip


def void_triples(
    base: str,
    asserted: Statistics,
    prefixes: dict[str, str],
    modified: float,
    is_latest_release: Callable[[list[Triple]], bool] = lambda _triples: False,
) -> list[Triple]:
    """The VoID + DCAT-AP description of the dataset served under `base`, from the statistics of
    its triples; `is_latest_release(triples)` says whether they are exactly a release's."""
    stats = asserted
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
        "en": "Secretariat for Multidimensional Security (SMS) of the OAS: Annex E as linked data",
    }
    description = {
        "es": "Las dependencias, puestos, órganos, instrumentos y funciones que el Anexo E de la "
        "Orden Ejecutiva de la Secretaría General de la OEA establece para la SSM, cada hecho "
        "con el párrafo del Anexo del que procede. El español es la lengua de referencia.",
        "en": "The units, posts, bodies, instruments and functions that Annex E of the executive "
        "order of the OAS General Secretariat establishes for the SMS, each fact citing the "
        "paragraph of the Annex it comes from. Spanish is authoritative; English is a translation.",
    }
    for lang in ("es", "en"):
        add(d, DCT + "title", text(title[lang], lang))
        add(d, SKOS + "prefLabel", text(title[lang], lang))
        add(d, DCT + "description", text(description[lang], lang))
    publisher = NamedNode(base)
    licence = NamedNode(LICENSE)
    add(d, DCT + "license", licence)
    add(d, DCT + "publisher", publisher)
    add(d, DCT + "creator", publisher)
    # The annex is a legal text, not a dcat:Dataset (DCAT-AP's range of dcterms:source).
    add(d, PROV + "wasDerivedFrom", NamedNode(base + "id/provision/anexo-e"))
    day = datetime.fromtimestamp(modified, UTC).date().isoformat()
    add(d, DCT + "modified", Literal(day, datatype=NamedNode(XSD + "date")))
    landing = NamedNode(base + "doc/dataset/ssm.html")
    add(d, DCAT + "landingPage", landing)
    for lang in ("es", "en"):
        add(d, DCT + "language", NamedNode(LANGUAGES[lang]))
    add(d, VOID + "sparqlEndpoint", NamedNode(base + "sparql"))
    add(d, VOID + "uriSpace", Literal(base + "id/"))
    root = NamedNode(base + "id/unit/ssm")
    if root in stats.subjects:
        add(d, VOID + "rootResource", root)
        add(d, VOID + "exampleResource", root)
    for ns in (prefixes.get("ssm", base + "def/ssm#"), *VOCABULARIES):
        add(d, VOID + "vocabulary", NamedNode(ns))
    for f in RDF_FORMATS:
        add(d, VOID + "feature", NamedNode(f.w3c_iri))

    # Statistics of the asserted triples.
    classes, properties, subjects = stats.classes, stats.properties, stats.subjects
    entities = {
        s for s in subjects if isinstance(s, NamedNode) and s.value.startswith(base + "id/")
    }
    add(d, VOID + "triples", integer(stats.triples))
    add(d, VOID + "entities", integer(len(entities)))
    add(d, VOID + "distinctSubjects", integer(len(subjects)))
    add(d, VOID + "distinctObjects", integer(len(stats.objects)))
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
    media_types: set[str] = set()
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
        add(dist, DCAT + "mediaType", NamedNode(IANA_MEDIA_TYPES + dump.media_type))
        media_types.add(dump.media_type)
        add(dist, DCT + "format", NamedNode(BY_EXTENSION[dump.format].eu_file_type))
        add(dist, DCT + "license", licence)
    service = NamedNode(d.value + "#sparql")
    add(service, RDF_TYPE.value, NamedNode(DCAT + "DataService"))
    add(service, DCT + "title", text("Punto de acceso SPARQL", "es"))
    add(service, DCT + "title", text("SPARQL endpoint", "en"))
    add(service, DCAT + "endpointURL", NamedNode(base + "sparql"))
    add(service, DCAT + "endpointDescription", NamedNode(base + "sparql"))
    add(service, DCAT + "servesDataset", d)
    add(service, DCT + "conformsTo", NamedNode(SPARQL_PROTOCOL))
    add(service, DCT + "license", licence)
    add(service, DCT + "publisher", publisher)
    via_service = NamedNode(d.value + "#sparql-access")
    add(d, DCAT + "distribution", via_service)
    add(via_service, RDF_TYPE.value, NamedNode(DCAT + "Distribution"))
    add(via_service, DCT + "title", text("Consulta SPARQL de todos los grafos", "es"))
    add(via_service, DCT + "title", text("SPARQL queries over every graph", "en"))
    add(via_service, DCAT + "accessURL", NamedNode(base + "sparql"))
    add(via_service, DCAT + "accessService", service)
    add(via_service, DCT + "license", licence)

    # The catalogue that lists the dataset and the service (what a portal harvests).
    catalog = NamedNode(d.value + "#catalog")
    add(catalog, RDF_TYPE.value, NamedNode(DCAT + "Catalog"))
    add(catalog, DCT + "title", text("Catálogo de datos enlazados de la SSM", "es"))
    add(catalog, DCT + "title", text("SSM linked data catalogue", "en"))
    add(catalog, DCT + "description", text(
        "El conjunto de datos del Anexo E y el servicio SPARQL que lo consulta.", "es"))
    add(catalog, DCT + "description", text(
        "The Annex E dataset and the SPARQL service that queries it.", "en"))
    add(catalog, DCT + "publisher", publisher)
    add(catalog, DCT + "license", licence)
    add(catalog, DCT + "modified", Literal(day, datatype=NamedNode(XSD + "date")))
    add(catalog, DCAT + "dataset", d)
    add(catalog, DCAT + "service", service)
    for lang in ("es", "en"):
        add(catalog, DCT + "language", NamedNode(LANGUAGES[lang]))

    # The data profile the dataset conforms to: our SHACL shapes (see `profile`).
    profile = profile_triples(base)
    out.extend(profile)
    add(d, DCT + "conformsTo", profile[0].subject)

    # What the description links to, typed and named for harvesters that do not dereference.
    add(publisher, RDF_TYPE.value, NamedNode(FOAF + "Agent"))
    add(publisher, RDF_TYPE.value, NamedNode(FOAF + "Organization"))
    for lang, name in PUBLISHER_NAMES.items():
        add(publisher, FOAF + "name", text(name, lang))
    add(licence, RDF_TYPE.value, NamedNode(DCT + "LicenseDocument"))
    add(licence, RDFS + "label", Literal("Creative Commons Attribution 4.0 International"))
    add(licence, SKOS + "exactMatch", NamedNode(LICENSE_CC))
    add(landing, RDF_TYPE.value, NamedNode(FOAF + "Document"))
    for media in sorted(media_types):
        add(NamedNode(IANA_MEDIA_TYPES + media), RDF_TYPE.value, NamedNode(DCT + "MediaType"))
    for key in sorted({dump.format for dump in DUMPS.values()}):
        file_type = NamedNode(BY_EXTENSION[key].eu_file_type)
        add(file_type, RDF_TYPE.value, NamedNode(DCT + "MediaTypeOrExtent"))
    for lang in ("es", "en"):
        add(NamedNode(LANGUAGES[lang]), RDF_TYPE.value, NamedNode(DCT + "LinguisticSystem"))
    add(NamedNode(SPARQL_PROTOCOL), RDF_TYPE.value, NamedNode(DCT + "Standard"))
    add(NamedNode(SPARQL_PROTOCOL), DCT + "title",
        Literal("SPARQL 1.1 Protocol", language="en"))

    # Releases (issue 10): every release, and the current version, its date and the release it
    # revises (owl:versionInfo, owl:versionIRI, dcterms:issued, prov:wasRevisionOf).
    from oas_ssm.server.release_archive import release_void_triples

    out.extend(release_void_triples(base, is_latest_release))
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
