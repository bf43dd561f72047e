"""The SPARQL 1.1 service description: what `GET /sparql` without a query says about itself."""

from __future__ import annotations

from collections.abc import Iterable

from pyoxigraph import RdfFormat, parse

from ..formats import RDF_FORMATS, SOLUTION_RESULTS, TURTLE, Format, write_rdf

SD = "http://www.w3.org/ns/sparql-service-description#"
RESULT_FORMATS = tuple(f.w3c_iri for f in (*SOLUTION_RESULTS, *RDF_FORMATS) if f.w3c_iri)


def description_turtle(endpoint: str, graphs: Iterable[str]) -> str:
    """The description in Turtle: a read-only SPARQL 1.1 Query service over our named graphs.

    sd:UnionDefaultGraph: the default graph is the union of the named graphs. No
    sd:BasicFederatedQuery: SERVICE is refused.
    """
    named = "".join(
        f"    sd:namedGraph [ a sd:NamedGraph ; sd:name <{g}> ] ;\n" for g in sorted(graphs)
    )
    formats = ", ".join(f"<{f}>" for f in RESULT_FORMATS)
    return (
        f"@prefix sd: <{SD}> .\n\n"
        "[] a sd:Service ;\n"
        f"  sd:endpoint <{endpoint}> ;\n"
        "  sd:supportedLanguage sd:SPARQL11Query ;\n"
        "  sd:feature sd:UnionDefaultGraph ;\n"
        f"  sd:resultFormat {formats} ;\n"
        "  sd:defaultDataset [\n"
        "    a sd:Dataset ;\n"
        "    sd:defaultGraph [ a sd:Graph ] ;\n"
        f"{named}"
        "  ] .\n"
    )


def description(endpoint: str, graphs: Iterable[str], fmt: Format) -> bytes:
    """The description in an RDF syntax of the registry."""
    turtle = description_turtle(endpoint, graphs)
    if fmt is TURTLE:
        return turtle.encode()
    triples = [q.triple for q in parse(turtle, format=RdfFormat.TURTLE)]
    return write_rdf(triples, fmt, {"sd": SD})
