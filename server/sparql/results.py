"""Query results as bytes, in the worker: SPARQL JSON/XML/CSV/TSV and the RDF syntaxes.

Rows are counted as they are read and a result past the row limit is refused, not cut: a
client must never mistake part of an answer for all of it. Solutions are serialized here (the
engine's own writers cannot stop at a row count); graphs go through the format registry.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from ..formats import GRAPH_RESULTS, write_rdf

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RDF_DIR_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString"
SRX = "http://www.w3.org/2005/sparql-results#"
TABLE_VARIABLES = ("subject", "predicate", "object")  # a graph shown as a table (HTML)
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What must be escaped in XML text, and in an attribute value between double quotes. \r and (in
# attributes) \t and \n are written as references, or a parser would normalize them away.
_XML_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_XML_ATTR = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;",
                           "\n": "&#10;", "\t": "&#9;"})  # fmt: skip


class TooManyRows(Exception):
    """The result has more rows (or triples) than allowed."""


def capped(items: Iterable, limit: int) -> list:
    """All of `items` as a list, or `TooManyRows` as soon as there are more than `limit`."""
    out = []
    for item in items:
        if len(out) >= limit:
            raise TooManyRows
        out.append(item)
    return out


# -- SELECT ------------------------------------------------------------------------------------


def solutions(variables: list[str], rows: list, key: str) -> bytes:
    """SELECT results (rows of pyoxigraph solutions) in format `key` (html means JSON)."""
    if key in ("json", "html"):
        return _json(
            {"head": {"vars": variables}, "results": {"bindings": _bindings(variables, rows)}}
        )
    if key == "xml":
        return _xml_solutions(variables, rows)
    if key == "csv":
        return _csv(variables, rows)
    if key == "tsv":
        return _tsv(variables, rows)
    raise ValueError(f"not a results format: {key}")


def boolean(value: bool, key: str) -> bytes:
    """ASK results in format `key`."""
    if key in ("json", "html"):
        return _json({"head": {}, "boolean": value})
    if key == "xml":
        return (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="{SRX}">\n  <head/>\n'
            f"  <boolean>{'true' if value else 'false'}</boolean>\n</sparql>\n"
        ).encode()
    if key in ("csv", "tsv"):
        return b"true\n" if value else b"false\n"
    raise ValueError(f"not a results format: {key}")


def graph(triples: list[Triple], key: str, prefixes: dict[str, str]) -> bytes:
    """CONSTRUCT/DESCRIBE results in format `key`; html gets a subject/predicate/object table."""
    if key == "html":
        rows = [dict(zip(TABLE_VARIABLES, t, strict=True)) for t in triples]
        return _json(
            {
                "head": {"vars": list(TABLE_VARIABLES)},
                "results": {"bindings": _bindings(list(TABLE_VARIABLES), rows)},
            }
        )
    for fmt in GRAPH_RESULTS:
        if fmt.key == key:
            return write_rdf(triples, fmt, prefixes)
    raise ValueError(f"not a graph format: {key}")


# -- terms -------------------------------------------------------------------------------------


def _json(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def _bindings(variables: list[str], rows: list) -> list[dict]:
    out = []
    for row in rows:
        binding = {}
        for v in variables:
            term = row[v]
            if term is not None:
                binding[v] = _json_term(term)
        out.append(binding)
    return out


def _json_term(term) -> dict:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
            if term.direction:  # RDF 1.2 directional language strings
                out["its:dir"] = str(term.direction)
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    raise TypeError(f"unexpected term {term!r}")


def _xml_text(value: str) -> str:
    """`value` as XML character data (characters XML cannot hold become U+FFFD)."""
    return _XML_INVALID.sub("\ufffd", value).translate(_XML_TEXT)


def quoteattr(value: str) -> str:
    """`value` as a double-quoted XML attribute value (xml.sax.saxutils' `quoteattr`, without
    importing xml.sax, which pulls urllib.request, http.client, ssl and email into every query
    process)."""
    return '"' + _XML_INVALID.sub("\ufffd", value).translate(_XML_ATTR) + '"'


def _xml_term(term) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{_xml_text(term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{_xml_text(term.value)}</bnode>"
    if isinstance(term, Literal):
        if term.language:
            attr = f" xml:lang={quoteattr(term.language)}"
        elif term.datatype.value != XSD_STRING:
            attr = f" datatype={quoteattr(term.datatype.value)}"
        else:
            attr = ""
        return f"<literal{attr}>{_xml_text(term.value)}</literal>"
    if isinstance(term, Triple):
        return (
            f"<triple><subject>{_xml_term(term.subject)}</subject>"
            f"<predicate>{_xml_term(term.predicate)}</predicate>"
            f"<object>{_xml_term(term.object)}</object></triple>"
        )
    raise TypeError(f"unexpected term {term!r}")


def _xml_solutions(variables: list[str], rows: list) -> bytes:
    def lines() -> Iterator[str]:
        yield f'<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="{SRX}">\n  <head>\n'
        for v in variables:
            yield f"    <variable name={quoteattr(v)}/>\n"
        yield "  </head>\n  <results>\n"
        for row in rows:
            yield "    <result>"
            for v in variables:
                term = row[v]
                if term is not None:
                    yield f"<binding name={quoteattr(v)}>{_xml_term(term)}</binding>"
            yield "</result>\n"
        yield "  </results>\n</sparql>\n"

    return "".join(lines()).encode()


def _csv_value(term) -> str:
    if term is None:
        return ""
    if isinstance(term, BlankNode):
        return "_:" + term.value
    if isinstance(term, NamedNode | Literal):
        return term.value
    return str(term)  # a triple term: its N-Triples form


def _csv(variables: list[str], rows: list) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow([_csv_value(row[v]) for v in variables])
    return out.getvalue().encode()


def _tsv(variables: list[str], rows: list) -> bytes:
    lines = ["\t".join("?" + v for v in variables)]
    for row in rows:
        lines.append("\t".join("" if row[v] is None else str(row[v]) for v in variables))
    return ("\n".join(lines) + "\n").encode()
