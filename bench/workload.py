"""The two workloads: the competency-question SPARQL mix, and dereferencing unit documents."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from pyoxigraph import NamedNode, RdfFormat, parse

ROOT = Path(__file__).resolve().parent.parent
QUERIES_DIR = ROOT / "queries"
DATA = ROOT / "data" / "ssm.ttl"
UNIT_PREFIX = "https://w3id.org/oas-ssm/id/unit/"
SPARQL_JSON = "application/sparql-results+json"
TURTLE = "text/turtle"

# Used only when queries/ holds no .rq file yet.
FALLBACK_QUERIES = {
    "units-and-parents": """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?unit ?label ?parent WHERE {
  ?unit org:subOrganizationOf ?parent ; skos:prefLabel ?label . FILTER(lang(?label) = "es")
} ORDER BY ?label""",
    "functions-per-unit": """PREFIX ssm: <https://w3id.org/oas-ssm/def/ssm#>
SELECT ?unit (COUNT(?f) AS ?n) WHERE { ?f ssm:functionOf ?unit }
GROUP BY ?unit ORDER BY DESC(?n)""",
}


@dataclass(frozen=True)
class Request:
    """One HTTP GET: a path (with query string) and the Accept header to send."""

    path: str
    accept: str
    label: str = ""


@dataclass
class Check:
    """What one request answered when sent once, before the timed run."""

    label: str
    status: int
    size: int
    rows: int | None  # result rows (SELECT/ASK JSON), None for RDF bodies
    error: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300 and not self.error


def load_queries(directory: Path = QUERIES_DIR) -> tuple[dict[str, str], str]:
    """The competency questions by file stem, and where they came from."""
    files = sorted(directory.glob("*.rq")) if directory.is_dir() else []
    if files:
        return {f.stem: f.read_text() for f in files}, f"queries/*.rq ({len(files)} files)"
    return dict(FALLBACK_QUERIES), "built-in fallback (queries/ is empty)"


def unit_iris(data: Path = DATA) -> list[str]:
    """Every unit IRI the data gives a type to, sorted."""
    rdf_type = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    with data.open("rb") as f:
        return sorted({
            t.subject.value for t in parse(f, format=RdfFormat.TURTLE)
            if t.predicate == rdf_type and t.subject.value.startswith(UNIT_PREFIX)
        })


def sparql_path(endpoint: str, query: str) -> str:
    return f"{endpoint}?query={quote(query, safe='')}"


def query_mix(endpoint: str, queries: dict[str, str]) -> list[Request]:
    return [Request(sparql_path(endpoint, q), SPARQL_JSON, name) for name, q in queries.items()]


def document_requests(units: list[str]) -> list[Request]:
    """Our server: the Turtle document of each unit (what `/id/unit/x` 303s to)."""
    return [Request(f"/doc/unit/{u[len(UNIT_PREFIX):]}.ttl", TURTLE, u) for u in units]


def describe_requests(endpoint: str, units: list[str]) -> list[Request]:
    """A SPARQL engine: `DESCRIBE <unit>` as Turtle, the nearest thing to a unit's document."""
    return [Request(sparql_path(endpoint, f"DESCRIBE <{u}>"), TURTLE, u) for u in units]


def check(base_url: str, requests: list[Request], timeout: float = 60) -> list[Check]:
    """Send each request once; status, size and (for JSON results) the number of rows."""
    out = []
    for r in requests:
        req = urllib.request.Request(base_url + r.path, headers={"Accept": r.accept})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                body, status = resp.read(), resp.status
        except urllib.error.HTTPError as e:
            out.append(Check(r.label, e.code, 0, None, e.read()[:200].decode(errors="replace")))
            continue
        except OSError as e:
            out.append(Check(r.label, 0, 0, None, str(e)))
            continue
        out.append(Check(r.label, status, len(body), _rows(body, r.accept)))
    return out


def _rows(body: bytes, accept: str) -> int | None:
    if accept != SPARQL_JSON:
        return None
    try:
        doc = json.loads(body)
    except ValueError:
        return None
    if "boolean" in doc:
        return 1
    return len(doc.get("results", {}).get("bindings", []))


def count_triples(base_url: str, endpoint: str) -> int | None:
    """The number of triples in the default graph, by SPARQL; None if the server won't say."""
    path = sparql_path(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    req = urllib.request.Request(base_url + path, headers={"Accept": SPARQL_JSON})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return int(json.loads(resp.read())["results"]["bindings"][0]["n"]["value"])
    except (OSError, ValueError, KeyError, IndexError):
        return None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def see_other(base_url: str, path: str, accept: str = TURTLE) -> tuple[int, str]:
    """Status and Location of `GET path` without following redirects (the /id/ → /doc/ hop)."""
    opener = urllib.request.build_opener(_NoRedirect)
    req = urllib.request.Request(base_url + path, headers={"Accept": accept})
    try:
        with opener.open(req, timeout=30) as resp:
            return resp.status, resp.headers.get("Location", "")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Location", "")
    except OSError as e:
        return 0, str(e)
