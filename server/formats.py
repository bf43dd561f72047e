"""Every representation the server sends, in one registry: documents, SPARQL results and pages.

A `Format` names its media type, the other media types that select it in `Accept` (aliases match
only exactly: `text/*` is no request for SPARQL XML), its file extension, the names that select it
in a SPARQL `format=` parameter, a label for people, and how RDF is written in it. The tuples at
the end are the offers of each kind of answer, in the server's order of preference: the first
wins when the client has no preference (RDF first, as the W3C vocabulary-publishing recipes
advise; HTML last, so that `*/*` gets data).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pyoxigraph import RdfFormat, Triple, serialize

from . import jsonld

W3C_FORMATS = "http://www.w3.org/ns/formats/"
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"


@dataclass(frozen=True, slots=True)
class Format:
    key: str  # the short name: file extension of documents, `format=` value of the editor
    media_type: str
    label: str
    aliases: tuple[str, ...] = ()  # other media types that select this format in Accept
    names: tuple[str, ...] = ()  # other `format=` values (SPARQLWrapper's among them)
    charset: bool = True  # whether Content-Type carries `; charset=utf-8`
    rdf_format: RdfFormat | None = None  # pyoxigraph's writer, for RDF syntaxes it writes well
    # How dataset descriptions name the format: W3C's format IRI (VoID, SPARQL service
    # descriptions) and the EU file-type authority table's (DCAT-AP's dcterms:format).
    w3c_iri: str | None = None
    eu_file_type: str | None = None

    @property
    def extension(self) -> str:
        return "." + self.key

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8" if self.charset else self.media_type

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)

    def named(self, name: str) -> bool:
        """Whether a `format=` value (a short name or a media type) asks for this format."""
        name = name.strip().lower()
        return name == self.key or name in self.names or name in self.media_types


# -- RDF documents and graph results ----------------------------------------------------------
TURTLE = Format(
    "ttl", "text/turtle", "Turtle",
    aliases=("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3",
             "application/n3"),
    names=("turtle", "n3"), rdf_format=RdfFormat.TURTLE,
    w3c_iri=W3C_FORMATS + "Turtle", eu_file_type=EU_FILE_TYPE + "RDF_TURTLE",
)  # fmt: skip
# JSON-LD is written by oas_ssm.server.jsonld (compact, with our prefixes as its context).
JSONLD = Format(
    "jsonld", "application/ld+json", "JSON-LD",
    aliases=("application/json", "application/x-json+ld"), names=("json-ld", "json"),
    w3c_iri=W3C_FORMATS + "JSON-LD", eu_file_type=EU_FILE_TYPE + "JSON_LD",
)  # fmt: skip
# Generic types name the RDF syntax a client most likely means by them: XML is RDF/XML, plain
# text N-Triples (and JSON, above, JSON-LD).
RDFXML = Format(
    "rdf", "application/rdf+xml", "RDF/XML",
    aliases=("application/xml", "text/xml"), names=("rdf+xml", "rdfxml", "xml"),
    rdf_format=RdfFormat.RDF_XML,
    w3c_iri=W3C_FORMATS + "RDF_XML", eu_file_type=EU_FILE_TYPE + "RDF_XML",
)  # fmt: skip
NTRIPLES = Format(
    "nt", "application/n-triples", "N-Triples",
    aliases=("text/plain",), names=("ntriples", "n-triples"), rdf_format=RdfFormat.N_TRIPLES,
    w3c_iri=W3C_FORMATS + "N-Triples", eu_file_type=EU_FILE_TYPE + "RDF_N_TRIPLES",
)  # fmt: skip
HTML = Format("html", "text/html", "HTML", aliases=("application/xhtml+xml",))

# -- SELECT / ASK results ----------------------------------------------------------------------
SPARQL_JSON = Format(
    "json", "application/sparql-results+json", "SPARQL JSON",
    aliases=("application/json", "text/javascript", "application/javascript"), names=("srj",),
    charset=False, w3c_iri=W3C_FORMATS + "SPARQL_Results_JSON",
)  # fmt: skip
SPARQL_XML = Format(
    "xml", "application/sparql-results+xml", "SPARQL XML",
    aliases=("application/xml", "text/xml"), names=("srx",),
    w3c_iri=W3C_FORMATS + "SPARQL_Results_XML",
)  # fmt: skip
CSV = Format("csv", "text/csv", "CSV", w3c_iri=W3C_FORMATS + "SPARQL_Results_CSV")
TSV = Format("tsv", "text/tab-separated-values", "TSV", w3c_iri=W3C_FORMATS + "SPARQL_Results_TSV")

# -- other files ------------------------------------------------------------------------------
XML = Format("xml", "application/xml", "XML")  # the sitemap
TEXT = Format("txt", "text/plain", "text")  # robots.txt, error messages
SVG = Format("svg", "image/svg+xml", "SVG")

# The offers of each kind of answer, in our order of preference.
RDF_FORMATS: tuple[Format, ...] = (TURTLE, JSONLD, RDFXML, NTRIPLES)
DOCUMENT_FORMATS: tuple[Format, ...] = (*RDF_FORMATS, HTML)
DUMP_FORMATS: tuple[Format, ...] = (TURTLE, JSONLD, NTRIPLES)
GRAPH_RESULTS: tuple[Format, ...] = DOCUMENT_FORMATS  # CONSTRUCT, DESCRIBE, service description
# SELECT and ASK results:
SOLUTION_RESULTS: tuple[Format, ...] = (SPARQL_JSON, SPARQL_XML, CSV, TSV, HTML)
ERROR_FORMATS: tuple[Format, ...] = (TEXT, HTML)
BY_EXTENSION: dict[str, Format] = {f.key: f for f in DOCUMENT_FORMATS}


def write_rdf(triples: Sequence[Triple], fmt: Format, prefixes: dict[str, str]) -> bytes:
    """Triples in an RDF syntax of the registry, in the order given (Turtle groups subjects)."""
    if fmt is JSONLD:
        return jsonld.write(triples, prefixes)
    if fmt.rdf_format is None:
        raise ValueError(f"{fmt.label} is not an RDF syntax")
    if fmt.rdf_format in (RdfFormat.TURTLE, RdfFormat.RDF_XML):
        return serialize(triples, format=fmt.rdf_format, prefixes=prefixes)
    return serialize(triples, format=fmt.rdf_format)
