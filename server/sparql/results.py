"""Query results as bytes, in the worker: SPARQL JSON/XML/CSV/TSV and the RDF syntaxes.

A result past the row limit is refused, not cut: a client must never mistake part of an answer
for all of it. Solutions are written by pyoxigraph's own writers (`write_solutions`: several
times faster than building Python objects per term, and one writer for every tier), which cannot
stop at a row count: the rows are counted in the written bytes (`_more_rows_than`), never by
evaluating the query again. Rows that went through Python (the
remote tier rewrites their IRIs) become solutions again by `rows_as_solutions`, so they are
written by the same writers, byte for byte. Graphs go through the format registry.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryResultsFormat,
    QuerySolutions,
    Triple,
    parse_query_results,
)

from ..formats import GRAPH_RESULTS, write_rdf

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
SRX = "http://www.w3.org/2005/sparql-results#"
TABLE_VARIABLES = ("subject", "predicate", "object")  # a graph shown as a table (HTML)


# pyoxigraph's writer per results format key ("html" is JSON: the page renders it).
ENGINE_FORMATS = {
    "json": QueryResultsFormat.JSON,
    "html": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
}


class TooManyRows(Exception):
    """The result has more rows (or triples) than allowed."""


class TooLarge(Exception):
    """The written result is larger than allowed."""


def refusal(
    error: TooManyRows | TooLarge, form: str, limit: int, max_bytes: int
) -> tuple[int, str]:
    """The 422 answer to a result past a bound, saying which one and what to do."""
    if isinstance(error, TooLarge):
        bound = f"is larger than {max_bytes // 2**20} MB"
    else:
        bound = f"has more than {limit} {'rows' if form == 'SELECT' else 'triples'}"
    return 422, (f"The result {bound}, the most this endpoint returns; narrow the query or page "
                 "through it with LIMIT and OFFSET.")  # fmt: skip


class _Sink:
    """A binary file for pyoxigraph's writers that refuses to grow past `limit` bytes."""

    def __init__(self, limit: int) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.limit = limit

    def write(self, data) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise TooLarge
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def write_solutions(answer: QuerySolutions, key: str, limit: int, max_bytes: int) -> bytes:
    """SELECT results in format `key`, written by pyoxigraph: `TooManyRows` past `limit` rows,
    `TooLarge` past `max_bytes`."""
    sink = _Sink(max_bytes)
    answer.serialize(sink, format=ENGINE_FORMATS[key])
    data = b"".join(sink.parts)
    if _more_rows_than(limit, data, key):
        raise TooManyRows
    if key == "xml":
        data = _xml_safe(data)  # a reference is longer than the character: measure again
        if len(data) > max_bytes:
            raise TooLarge
    return data


# What pyoxigraph's XML writer leaves as it is but XML cannot carry: a carriage return (a parser
# reads it as a line feed: written as a reference), and characters XML 1.0 does not allow at all
# (C0 controls but tab and line feed, U+FFFE, U+FFFF: replaced by U+FFFD, as no reference can
# stand for them). Only in text: markup and IRIs never hold them. ASCII bytes never occur inside
# a multi-byte UTF-8 sequence, so this works on the bytes.
_XML_UNSAFE = re.compile(rb"[\x00-\x08\x0b-\x1f]|\xef\xbf[\xbe\xbf]")


def _xml_safe(data: bytes) -> bytes:
    if not _XML_UNSAFE.search(data):
        return data
    return _XML_UNSAFE.sub(lambda m: b"&#13;" if m.group() == b"\r" else "\ufffd".encode(), data)


def _more_rows_than(limit: int, data: bytes, key: str) -> bool:
    """Whether the written results `data` hold more than `limit` rows. A count of the bytes that
    end a row bounds them from above, exactly in XML and TSV (whose writers escape those bytes in
    values); JSON and CSV values may hold them, so only a bound past `limit` is checked by
    reading the rows back (of the bytes: the query is not evaluated again)."""
    if key == "xml":
        return data.count(b"<result>") > limit
    if key == "tsv":
        return data.count(b"\n") - 1 > limit  # the header's line
    if key == "csv":
        if data.count(b"\r\n") - 1 <= limit:
            return False
        rows: Iterable = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
        next(rows)  # the header
    else:  # json, html
        if data.count(b"},{") + 1 <= limit:
            return False
        rows = parse_query_results(data, format=QueryResultsFormat.JSON)
    return any(i >= limit for i, _ in enumerate(rows))


def capped(items: Iterable, limit: int) -> list:
    """All of `items` as a list, or `TooManyRows` as soon as there are more than `limit`."""
    out = []
    for item in items:
        if len(out) >= limit:
            raise TooManyRows
        out.append(item)
    return out


# -- SELECT ------------------------------------------------------------------------------------


def rows_as_solutions(variables: list[str], rows: list) -> QuerySolutions:
    """Rows of pyoxigraph terms (dicts by variable) as solutions pyoxigraph's writers take."""
    bindings = _bindings(variables, rows)
    data = _json({"head": {"vars": variables}, "results": {"bindings": bindings}})
    return parse_query_results(data, format=QueryResultsFormat.JSON)


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
