"""A SPARQL engine the publisher already runs (Oxigraph, Fuseki, QLever, GraphDB, Virtuoso) as
the query tier: `RemoteEngine.run(job, version)` has the contract of `Pool.run`.

Everything that protects the endpoint stays ours and happens before a byte leaves: the guard has
already refused updates and SERVICE on tokens, admission here bounds running and waiting
queries (the same machine-wide slots as the pool), and the deadline is enforced on our side (the
answer is abandoned, 503, when it is late, whatever the engine does). What the engine sees is
made to mean what our embedded store would answer:

- the default graph is the union of our named graphs whatever the engine's own default is: a
  query naming no dataset is sent with `default-graph-uri` *and* `named-graph-uri` for each of
  our graphs (SPARQL 1.1 Protocol §2.1.4), so `GRAPH ?g` sees exactly them, as it does here;
- IRIs: the engine holds the graphs `ssm publish` loaded, under the canonical base or under the
  served one (asked once per data version); when they differ the query's IRIs are rewritten to
  the engine's base and every IRI (and xsd:anyURI literal) in the answer back to the served base.
  String functions over IRIs (`STR(?x)`) then see the engine's base: publish with the same
  `--base-uri` as `ssm serve` for answers identical in every respect;
- results come back as SPARQL JSON or N-Triples and are written again by `results`, in the
  format the client asked for, by the writers the embedded engine's results go through (byte for
  byte the same answer), refused (422) past `max_rows` or `max_result_bytes` like those.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable

import requests
from oas_ssm.server.rewrite import Rewriter
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Triple, parse

from . import results
from .errors import SparqlError
from .guard import inspect
from .settings import SparqlSettings
from .slots import Slots
from .source import QuerySource

log = logging.getLogger(__name__)
CONNECT_TIMEOUT = 5.0
CHUNK = 1 << 16
RESULTS_JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"
XSD = "http://www.w3.org/2001/XMLSchema#"


def query_tier(settings: SparqlSettings, source: QuerySource, init: Callable[[], dict]):
    """What evaluates the endpoint's queries: the external engine `settings.query_endpoint`
    names, else the pool of embedded query processes (`init` gives their data)."""
    if settings.query_endpoint:
        return RemoteEngine(settings.query_endpoint, settings, source)
    from .pool import Pool

    return Pool(settings, init)


class RemoteEngine:
    """Queries evaluated by a SPARQL 1.1 Protocol endpoint at `url` (its query URL, e.g.
    Oxigraph's `http://host:7878/query`, Fuseki's `http://host:3030/ds/sparql`)."""

    def __init__(self, url: str, settings: SparqlSettings, source: QuerySource):
        self.url = url
        self.settings = settings
        self.source = source
        self._session = requests.Session()
        self._session.trust_env = False  # no proxies from the environment: we name the engine
        self._admitted = threading.BoundedSemaphore(settings.max_concurrent + settings.max_waiting)
        self._slots: Slots | None = None
        self._lock = threading.Lock()
        self._rewriters: dict[str, Rewriter] = {}  # data version -> served ↔ engine IRIs

    # -- the pool's contract ---------------------------------------------------------------------

    def run(self, job: dict, version: str) -> tuple[int, bytes | str]:
        """Evaluate `job` on the engine: (status, body or message), or `SparqlError`."""
        if not self._admitted.acquire(blocking=False):
            raise _busy()
        slots = self._slots_here()
        slot = slots.acquire(self.settings.queue_wait)
        if slot is None:
            self._admitted.release()
            raise _busy()
        try:
            deadline = time.monotonic() + self.settings.timeout
            rewriter = self._rewriter(version, deadline)
            return self._evaluate(job, rewriter, deadline)
        finally:
            slots.release(slot)
            self._admitted.release()

    def close(self) -> None:
        self._session.close()

    # -- one query ---------------------------------------------------------------------------

    def _evaluate(self, job: dict, rewriter: Rewriter, deadline: float) -> tuple[int, bytes | str]:
        form, key, limit = job["form"], job["format"], job["max_rows"]
        fields = self._protocol_fields(job, rewriter)
        graph = form in ("CONSTRUCT", "DESCRIBE")
        status, body, content_type = self._post(fields, NTRIPLES if graph else RESULTS_JSON,
                                                deadline)  # fmt: skip
        if status != 200:
            return _engine_error(status, body)
        try:
            if graph:
                triples = (_triple(t, rewriter) for t in parse(body, format=RdfFormat.N_TRIPLES))
                return 200, results.graph(results.capped(triples, limit), key,
                                          dict(self.source.prefixes))  # fmt: skip
            answer = json.loads(body)
            if form == "ASK":
                return 200, results.boolean(_boolean(answer), key)
            variables = list(answer["head"]["vars"])
            rows = results.capped(
                (_row(b, variables, rewriter) for b in answer["results"]["bindings"]), limit)
            return 200, results.write_solutions(
                results.rows_as_solutions(variables, rows), key, limit, job["max_bytes"])
        except (results.TooManyRows, results.TooLarge) as e:
            return results.refusal(e, form, limit, job["max_bytes"])
        except (ValueError, KeyError, TypeError, SyntaxError) as e:
            log.warning("unreadable answer from %s (%s): %r", self.url, content_type, e)
            return 502, "The query engine sent an answer this endpoint could not read."

    def _protocol_fields(self, job: dict, rewriter: Rewriter) -> list[tuple[str, str]]:
        """The form fields to POST: the query in the engine's IRIs, and the dataset."""
        query = job["query"]
        if not rewriter.identity:  # IRI tokens only, as the guard does on the way in
            depth = self.settings.max_depth
            query = inspect(query, rewriter.served, rewriter.canonical, depth).text
        fields = [("query", query)]
        default, named = job["default_graphs"], job["named_graphs"]
        if default is not None or named is not None:  # the client named the dataset
            fields += [("default-graph-uri", rewriter.canonical_iri(g)) for g in default or ()]
            fields += [("named-graph-uri", rewriter.canonical_iri(g)) for g in named or ()]
        elif not job["has_dataset"]:  # ours: the union of our graphs, and them as named graphs
            ours = [rewriter.canonical_iri(_iri(g)) for g in self.source.graphs.values()]
            fields += [("default-graph-uri", g) for g in ours]
            fields += [("named-graph-uri", g) for g in ours]
        return fields

    def _post(self, fields: list[tuple[str, str]], accept: str,
              deadline: float) -> tuple[int, bytes, str]:  # fmt: skip
        """POST to the engine and read the whole answer before `deadline` (503 past it)."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise _late(self.settings.timeout)
        try:
            response = self._session.post(
                self.url, data=fields, headers={"Accept": accept}, stream=True,
                timeout=(min(CONNECT_TIMEOUT, left), left),
            )  # fmt: skip
            with response:
                chunks = []
                for chunk in response.iter_content(CHUNK):
                    chunks.append(chunk)
                    if time.monotonic() > deadline:
                        raise _late(self.settings.timeout)
                return (response.status_code, b"".join(chunks),
                        response.headers.get("Content-Type", ""))  # fmt: skip
        except requests.Timeout:
            raise _late(self.settings.timeout) from None
        except requests.RequestException as e:
            log.warning("query engine %s unreachable: %r", self.url, e)
            raise SparqlError(
                503, "The query engine is unreachable; retry in a moment.",
                headers=(("Retry-After", "5"),),
            ) from None  # fmt: skip

    # -- which IRIs the engine holds ------------------------------------------------------------

    def _rewriter(self, version: str, deadline: float) -> Rewriter:
        """Served ↔ engine IRIs: identity when the engine holds our graphs under the served base,
        else canonical ↔ served; asked once per data version."""
        found = self._rewriters.get(version)
        if found is not None:
            return found
        served, canonical = self.source.base, self.source.canonical_base
        asserted = _iri(self.source.graphs["asserted"])
        for base in dict.fromkeys((served, canonical)):
            graph = base + asserted[len(served) :]
            query = f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
            status, body, _ = self._post([("query", query)], RESULTS_JSON, deadline)
            if status != 200:
                raise SparqlError(*_engine_error(status, body))
            try:
                holds = _boolean(json.loads(body))
            except (ValueError, KeyError, TypeError):
                raise SparqlError(502, "The query engine sent an answer this endpoint could not "
                                  "read.") from None  # fmt: skip
            if holds:
                rewriter = Rewriter(canonical=base, served=served)
                with self._lock:
                    self._rewriters = {version: rewriter}
                return rewriter
        raise SparqlError(
            503,
            f"The query engine holds none of this dataset's graphs (no <{asserted}> under "
            f"{served} or {canonical}); load them with `ssm publish --graph-store`.",
        )

    def _slots_here(self) -> Slots:
        if self._slots is None:
            with self._lock:
                if self._slots is None:
                    self._slots = Slots(self.settings.max_concurrent)
        return self._slots


# -- terms ---------------------------------------------------------------------------------------


def _iri(graph: object) -> str:
    return str(getattr(graph, "value", graph))


def _term(data: dict, rewriter: Rewriter):
    """A pyoxigraph term from a SPARQL JSON results term, IRIs back under the served base."""
    kind = data["type"]
    if kind == "uri":
        return rewriter.term(NamedNode(data["value"]))
    if kind == "bnode":
        return BlankNode(data["value"])
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in data:
            return Literal(data["value"], language=data["xml:lang"])
        datatype = data.get("datatype")
        literal = Literal(data["value"], datatype=NamedNode(datatype)) if datatype else Literal(
            data["value"])
        return rewriter.term(literal)
    if kind == "triple":
        value = data["value"]
        return Triple(*(_term(value[k], rewriter) for k in ("subject", "predicate", "object")))
    raise ValueError(f"unknown term type {kind!r}")


def _boolean(answer: dict) -> bool:
    """An ASK answer; Virtuoso 7 sends it as a SELECT of `__ASK_RETVAL` instead (one row of 1
    for true, no row for false)."""
    if "boolean" in answer:
        return bool(answer["boolean"])
    if answer["head"]["vars"] != ["__ASK_RETVAL"]:
        raise ValueError("not an ASK answer")
    rows = answer["results"]["bindings"]
    return bool(rows) and rows[0]["__ASK_RETVAL"]["value"] not in ("0", "false")


def _row(binding: dict, variables: list[str], rewriter: Rewriter) -> dict:
    return {v: (_term(binding[v], rewriter) if v in binding else None) for v in variables}


def _triple(parsed: Quad | Triple, rewriter: Rewriter) -> Triple:
    triple = parsed.triple if isinstance(parsed, Quad) else parsed
    return Triple(*(rewriter.term(t) for t in triple))


def _engine_error(status: int, body: bytes | str) -> tuple[int, str]:
    """The engine's refusal as our answer: its 4xx are the query's fault (400, its words),
    anything else is the engine's (502)."""
    text = body.decode(errors="replace") if isinstance(body, bytes) else body
    text = " ".join(text.split())[:500]
    if 400 <= status < 500 and status not in (401, 403, 404, 407, 429):
        return 400, f"The query engine refused the query: {text}"
    log.warning("query engine answered %s: %s", status, text)
    if status in (429, 503):
        return 503, "The query engine is busy; retry in a moment."
    return 502, f"The query engine failed ({status})."


def _busy() -> SparqlError:
    return SparqlError(
        429, "Too many queries at once; retry in a moment.", headers=(("Retry-After", "1"),)
    )


def _late(timeout: float) -> SparqlError:
    return SparqlError(
        503,
        f"The query ran longer than {timeout:g} s and was stopped; simplify it or add a LIMIT.",
    )

