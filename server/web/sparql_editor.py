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

from scripts.paths import QUERIES_DIR

from .site import Site

MAX_ROWS = 2000
DEFAULT_QUERY = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>

SELECT ?unit ?name WHERE {
  ?unit a org:OrganizationalUnit ; skos:prefLabel ?name .
  FILTER(lang(?name) = "es")
}
ORDER BY ?name"""
RESULT_FORMATS = (("json", "SPARQL JSON", "application/sparql-results+json"),
                  ("xml", "SPARQL XML", "application/sparql-results+xml"),
                  ("csv", "CSV", "text/csv"), ("tsv", "TSV", "text/tab-separated-values"))
_HEADER = re.compile(r"^#\s*(?P<key>[^:]+?)\s*:\s*(?P<value>.*?)\s*$")


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


@dataclass
class ResultTable:
    variables: list[str] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    boolean: bool | None = None
    total: int = 0
    truncated: bool = False


def load_examples(lang: str, prefix: str = "", directory: Path = QUERIES_DIR) -> list[Example]:
    """Every readable queries/*.rq, sorted by file name; unreadable files are skipped."""
    examples = []
    for path in sorted(directory.glob("*.rq")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        header: dict[str, str] = {}
        first_comment = None
        for line in text.splitlines():
            if not line.startswith("#"):
                if line.strip():
                    break
                continue
            first_comment = first_comment or line.lstrip("#").strip()
            m = _HEADER.match(line)
            if m:
                header.setdefault(m["key"].lower(), m["value"])
        title = (header.get(f"title ({lang})") or header.get("title (es)") or header.get("title")
                 or first_comment or path.stem)
        examples.append(Example(path.stem, title, header.get("question"), text,
                                f"{prefix}/sparql?" + urlencode({"query": text})))
    return examples


def result_table(site: Site | None, results: dict) -> ResultTable:
    """SPARQL 1.1 JSON results (a dict) as rows of cells with links to our pages."""
    if "boolean" in results:
        return ResultTable(boolean=bool(results["boolean"]))
    variables = list(results.get("head", {}).get("vars", []))
    bindings = results.get("results", {}).get("bindings", [])
    table = ResultTable(variables=variables, total=len(bindings),
                        truncated=len(bindings) > MAX_ROWS)
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
                row.append(Cell(value, href=href, kind="uri"))
            elif term.get("type") == "bnode":
                row.append(Cell("_:" + term.get("value", ""), kind="bnode"))
            else:
                row.append(Cell(term.get("value", ""), lang=term.get("xml:lang"),
                                datatype=term.get("datatype")))
        table.rows.append(row)
    return table


def completion_prefixes(site: Site | None) -> dict[str, str]:
    from scripts.namespaces import PREFIXES

    found = {k: str(v) for k, v in PREFIXES.items()}
    if site is not None:
        found.update(site.prefixes)
    found.setdefault("void", "http://rdfs.org/ns/void#")
    found.setdefault("dcat", "http://www.w3.org/ns/dcat#")
    return dict(sorted(found.items()))


def download_links(prefix: str, query: str | None) -> list[tuple[str, str, str, str]]:
    """(key, label, media type, href) for every result format of `query`."""
    if not query:
        return []
    return [(key, label, media, f"{prefix}/sparql?" + urlencode({"query": query, "format": key}))
            for key, label, media in RESULT_FORMATS]


__all__ = ["Example", "ResultTable", "load_examples", "result_table", "download_links",
           "completion_prefixes", "DEFAULT_QUERY", "RESULT_FORMATS"]
