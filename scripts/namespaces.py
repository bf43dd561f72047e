"""The project's namespaces: one place for the canonical base and every prefix."""

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

BASE = "https://w3id.org/oas-ssm/"
ONTOLOGY_IRI = BASE + "def/ssm"
SSM = Namespace(ONTOLOGY_IRI + "#")
ID = Namespace(BASE + "id/")
ORG = Namespace("http://www.w3.org/ns/org#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
VANN = Namespace("http://purl.org/vocab/vann/")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")

PREFIXES: dict[str, Namespace] = {
    "ssm": SSM,
    "org": ORG,
    "skos": SKOS,
    "prov": PROV,
    "dcterms": DCTERMS,
    "eli": ELI,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "vann": VANN,
}


def iri(kind: str, slug: str) -> str:
    """The IRI of a thing of `kind` (unit, post, provision …) with a readable ASCII `slug`."""
    return f"{BASE}id/{kind}/{slug}"
