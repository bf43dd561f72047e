"""The one JSON-LD writer: documents, dumps, CONSTRUCT results and the pages' data islands.

Kept here rather than using pyoxigraph's JSON-LD serializer because that one writes expanded
JSON-LD only (full IRIs everywhere, no `@context`), which is correct but unreadable; consumers of
a linked-data document expect compact JSON-LD with the prefixes they see in the Turtle.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def document(triples: Iterable[Triple], prefixes: dict[str, str]) -> dict:
    """Compact JSON-LD: the prefixes as `@context`, one node object per subject, in order."""
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
            if term.datatype.value == XSD_STRING:
                return term.value
            return {"@value": term.value, "@type": compact(term.datatype.value)}
        return {"@id": ref(term)}

    nodes: dict[str, dict] = {}
    for s, p, o in triples:
        node = nodes.setdefault(ref(s), {"@id": ref(s)})
        if p.value == RDF_TYPE and isinstance(o, NamedNode):
            node.setdefault("@type", []).append(compact(o.value))
        else:
            node.setdefault(compact(p.value), []).append(value(o))
    graph = [
        {k: v[0] if isinstance(v, list) and len(v) == 1 else v for k, v in n.items()}
        for n in nodes.values()
    ]
    return {"@context": dict(sorted(prefixes.items())), "@graph": graph}


def write(triples: Iterable[Triple], prefixes: dict[str, str]) -> bytes:
    """`document(triples, prefixes)` as UTF-8 JSON."""
    return (json.dumps(document(triples, prefixes), ensure_ascii=False, indent=2) + "\n").encode()


def script_safe(data: dict) -> str:
    """JSON for a `<script type="application/ld+json">` element: nothing in the data can close
    the element or open a comment."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
