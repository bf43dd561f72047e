"""IRIs under the canonical base rewritten to the served base (like Trifid's datasetBaseUrl).

The store holds the served IRIs, so documents and SPARQL results need no rewriting on the way out;
what a client sends (a query naming canonical IRIs) is rewritten on the way in. Literals are text
and stay as they are (a bibliographic citation keeps the persistent IRI), except the values of the
properties that state a namespace as a string (`vann:preferredNamespaceUri`, `void:uriSpace`):
those name where the terms are served, so they follow the IRIs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, Quad

XSD_ANY_URI = NamedNode("http://www.w3.org/2001/XMLSchema#anyURI")
# Properties whose (string) value is a namespace IRI: rewritten like an IRI.
NAMESPACE_PROPERTIES = frozenset(
    {
        NamedNode("http://purl.org/vocab/vann/preferredNamespaceUri"),
        NamedNode("http://rdfs.org/ns/void#uriSpace"),
    }
)


@dataclass(frozen=True)
class Rewriter:
    """Maps IRIs between the canonical base and the base the server answers for."""

    canonical: str
    served: str

    @property
    def identity(self) -> bool:
        return self.canonical == self.served

    def iri(self, value: str) -> str:
        """The served form of one IRI (unchanged when not under the canonical base)."""
        if value.startswith(self.canonical):
            return self.served + value[len(self.canonical) :]
        return value

    def canonical_iri(self, value: str) -> str:
        """The canonical form of one served IRI (unchanged when not under the served base)."""
        if value.startswith(self.served):
            return self.canonical + value[len(self.served) :]
        return value

    def term(self, term):
        """A term with its IRI rewritten: named nodes and xsd:anyURI literals; others unchanged."""
        if isinstance(term, NamedNode):
            value = term.value
            return NamedNode(self.iri(value)) if value.startswith(self.canonical) else term
        if (
            isinstance(term, Literal)
            and term.datatype == XSD_ANY_URI
            and term.value.startswith(self.canonical)
        ):
            return Literal(self.iri(term.value), datatype=XSD_ANY_URI)
        return term

    def quads(self, quads: Iterable[Quad]) -> Iterator[Quad]:
        """The quads with every IRI under the canonical base rewritten (a no-op when identical)."""
        if self.identity:
            yield from quads
            return
        term = self.term
        for q in quads:
            o = q.object
            if q.predicate in NAMESPACE_PROPERTIES:
                o = self.namespace_literal(o)
            yield Quad(term(q.subject), term(q.predicate), term(o), term(q.graph_name))

    def namespace_literal(self, term):
        """A literal naming a namespace under the canonical base, moved to the served base
        (datatype or language kept); any other term unchanged."""
        if not (isinstance(term, Literal) and term.value.startswith(self.canonical)):
            return term
        value = self.iri(term.value)
        if term.language:
            return Literal(value, language=term.language)
        return Literal(value, datatype=term.datatype)

    def to_served(self, text: str) -> str:
        """Text (a SPARQL query, say) with every occurrence of the canonical base made served.

        Every occurrence is replaced — in IRIs, and also inside string literals, so that
        `STRSTARTS(STR(?x), "https://w3id.org/oas-ssm/id/")` keeps working under another base.
        """
        if self.identity or self.canonical not in text:
            return text
        return _replace_base(text, self.canonical, self.served)

    def to_canonical(self, text: str) -> str:
        """The inverse of `to_served`: served base occurrences back to the canonical base."""
        if self.identity or self.served not in text:
            return text
        return _replace_base(text, self.served, self.canonical)


def _replace_base(text: str, old: str, new: str) -> str:
    """Replace `old` by `new`, leaving alone what is already `new` when `new` extends `old`."""
    if new.startswith(old):
        pattern = re.escape(old) + "(?!" + re.escape(new[len(old) :]) + ")"
        return re.sub(pattern, lambda _m: new, text)
    return text.replace(old, new)
