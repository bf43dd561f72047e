"""The SPARQL editor page: a plain form that works without JavaScript, upgraded to CodeMirror.

Examples are the competency questions in queries/*.rq (title from the `# title (xx):` header,
else the first comment line), each a one-click permalink `/sparql?query=…`. When the endpoint
hands over results (SPARQL JSON), they are rendered here as a table, so no-JS users get them too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from oas_ssm.paths import QUERIES_DIR

from ..formats import GRAPH_RESULTS, HTML, SOLUTION_RESULTS
from .site import KINDS, Site

MAX_ROWS = 2000
DEFAULT_QUERY = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>

SELECT ?unit ?name WHERE {
  ?unit a org:OrganizationalUnit ; skos:prefLabel ?name .
  FILTER(lang(?name) = "es")
}
ORDER BY ?name"""
RESULT_FORMATS = tuple((f.key, f.label, f.media_type) for f in SOLUTION_RESULTS if f is not HTML)
# CONSTRUCT and DESCRIBE answer with a graph (format keys are the endpoint's `format=` values).
GRAPH_FORMATS = tuple((f.key, f.label, f.media_type) for f in GRAPH_RESULTS if f is not HTML)
_HEADER = re.compile(r"^#\s*(?P<key>[^:]+?)\s*:\s*(?P<value>.*?)\s*$")
_GRAPH_QUERY = re.compile(
    r"^(?:\s+|#[^\n]*(?:\n|$)|(?:PREFIX|BASE)\b[^\n<]*<[^>]*>)*(CONSTRUCT|DESCRIBE)\b", re.I)


def is_graph_query(query: str | None) -> bool:
    """Whether `query` is a CONSTRUCT or DESCRIBE (its results are a graph, not a table)."""
    return bool(query and _GRAPH_QUERY.match(query))


def formats_for(query: str | None) -> tuple[tuple[str, str, str], ...]:
    return GRAPH_FORMATS if is_graph_query(query) else RESULT_FORMATS


@dataclass
class Example:
    name: str
    title: str
    question: str | None
    query: str
    href: str


@dataclass
class Cell:
    text: str
    href: str | None = None
    lang: str | None = None
    datatype: str | None = None
    kind: str = "literal"  # uri | literal | bnode | empty
    iri: str | None = None  # a uri cell's full IRI (its text is the short form)


@dataclass
class ResultTable:
    variables: list[str] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    boolean: bool | None = None
    total: int = 0
    truncated: bool = False


def load_examples(lang: str, prefix: str = "", directory: Path = QUERIES_DIR) -> list[Example]:
    """Every readable queries/*.rq, sorted by file name; unreadable files are skipped.

    The query text starts with its title in `lang` as a comment; the file's other header
    comments (written in English) are kept on English pages only.
    """
    examples = []
    for path in sorted(directory.glob("*.rq")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        header: dict[str, str] = {}
        first_comment = None
        lines = text.splitlines()
        body_start = len(lines)
        comments: list[str] = []
        for n, line in enumerate(lines):
            if not line.startswith("#"):
                if line.strip():
                    body_start = n
                    break
                continue
            first_comment = first_comment or line.lstrip("#").strip()
            m = _HEADER.match(line)
            if m and (m["key"].lower().startswith("title") or m["key"].lower() == "question"):
                header.setdefault(m["key"].lower(), m["value"])
            else:
                comments.append(line)
        title = (header.get(f"title ({lang})") or header.get("title (es)") or header.get("title")
                 or first_comment or path.stem)
        head = [f"# {title}"] + (comments if lang == "en" else [])
        query = "\n".join(head + lines[body_start:]).rstrip("\n") + "\n"
        question = header.get("question") if lang == "en" else None
        examples.append(Example(path.stem, title, question, query,
                                f"{prefix}/sparql?" + urlencode({"query": query})))
    return examples


def short_prefixes(site: Site | None) -> dict[str, str]:
    """Prefixes that shorten result IRIs: the vocabularies', then `unit:`, `post:` … for ours."""
    found = completion_prefixes(site)
    if site is not None:
        for kind in KINDS:
            found.setdefault(kind, f"{site.base}id/{kind}/")
    return found


def shorten(iri: str, prefixes: dict[str, str]) -> str:
    """`unit:ssm` for an IRI under a known namespace (the longest that fits), else the IRI."""
    best = None
    for name, ns in prefixes.items():
        if iri.startswith(ns) and len(iri) > len(ns) and (best is None or len(ns) > len(best[1])):
            best = (name, ns)
    if best is None:
        return iri
    local = iri[len(best[1]):]
    return f"{best[0]}:{local}" if re.fullmatch(r"[\w.\-]+", local) else iri


def result_table(site: Site | None, results: dict) -> ResultTable:
    """SPARQL 1.1 JSON results (a dict) as rows of cells with links to our pages."""
    if "boolean" in results:
        return ResultTable(boolean=bool(results["boolean"]))
    variables = list(results.get("head", {}).get("vars", []))
    bindings = results.get("results", {}).get("bindings", [])
    table = ResultTable(variables=variables, total=len(bindings),
                        truncated=len(bindings) > MAX_ROWS)
    prefixes = short_prefixes(site)
    for b in bindings[:MAX_ROWS]:
        row = []
        for var in variables:
            term = b.get(var)
            if not term:
                row.append(Cell("", kind="empty"))
            elif term.get("type") == "uri":
                value = term.get("value", "")
                href = site.href(value) if site else value
                if not href.startswith(("/", "http://", "https://")):
                    href = None  # never link javascript: or other schemes
                row.append(Cell(shorten(value, prefixes), href=href, kind="uri", iri=value))
            elif term.get("type") == "bnode":
                row.append(Cell("_:" + term.get("value", ""), kind="bnode"))
            else:
                row.append(Cell(term.get("value", ""), lang=term.get("xml:lang"),
                                datatype=term.get("datatype")))
        table.rows.append(row)
    return table


def completion_prefixes(site: Site | None) -> dict[str, str]:
    from oas_ssm.namespaces import PREFIXES

    found = {k: str(v) for k, v in PREFIXES.items()}
    if site is not None:
        found.update(site.prefixes)
    found.setdefault("void", "http://rdfs.org/ns/void#")
    found.setdefault("dcat", "http://www.w3.org/ns/dcat#")
    return dict(sorted(found.items()))


def download_links(prefix: str, query: str | None) -> list[tuple[str, str, str, str]]:
    """(key, label, media type, href) for every format `query`'s results come in (a graph's
    formats for CONSTRUCT and DESCRIBE, a table's for SELECT and ASK)."""
    if not query:
        return []
    return [(key, label, media, f"{prefix}/sparql?" + urlencode({"query": query, "format": key}))
            for key, label, media in formats_for(query)]


__all__ = ["Example", "ResultTable", "load_examples", "result_table", "download_links",
           "completion_prefixes", "DEFAULT_QUERY", "RESULT_FORMATS", "GRAPH_FORMATS",
           "is_graph_query", "short_prefixes"]
