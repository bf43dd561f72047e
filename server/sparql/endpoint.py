"""One SPARQL request from start to finish: read, check, negotiate, look up, evaluate, answer.

Order matters for cost and safety. A request seen before (same bytes, same data version) is
answered from the cache before anything else. Otherwise the request is read (protocol), the query
checked on its tokens (guard) and its format chosen (formats) before a worker is involved; the
result is cached under both the request's bytes and its meaning (query, dataset, format, version),
so a differently spelled request for the same result costs a lookup too. A query that calls a
function whose value changes on every evaluation (RAND, UUID, STRUUID, NOW, BNODE: `Plan.volatile`)
is evaluated every time, alone, and answered with `Cache-Control: no-store`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Hashable

from pyoxigraph import RdfFormat, serialize

from ..conneg import negotiate
from ..formats import GRAPH_RESULTS, HTML, SOLUTION_RESULTS, Format
from ..response_cache import Stored
from .cache import ReplyCache, SingleFlight, reply
from .errors import SparqlError
from .guard import Plan, inspect
from .pool import FIRST_WORKER_WAIT
from .protocol import ProtocolRequest, parse_request
from .remote import query_tier
from .service import description
from .settings import SparqlSettings
from .source import QuerySource

log = logging.getLogger(__name__)
TEXT = "text/plain; charset=utf-8"
NO_STORE = ("Cache-Control", "no-store")
# Below this many quads a query process copies the shared store into memory: a few MB each, and
# in-memory evaluation is about 3× faster than reading RocksDB; above it, every process reads
# the one on-disk store (one copy of the data per machine). Decided here, from the counts the
# dataset already has, and sent to the process.
COPY_BELOW_QUADS = 20_000
# The page for people: (query, SPARQL JSON results, error message) -> HTML (the web layer's).
Page = Callable[[str | None, dict | None, str | None], str]


def raw_key(environ: dict, body: bytes, version: str) -> tuple:
    """The cache key of a request's bytes: method, URL query, content type, body, Accept."""
    return (
        environ.get("REQUEST_METHOD"),
        environ.get("QUERY_STRING", ""),
        environ.get("CONTENT_TYPE"),
        body,
        environ.get("HTTP_ACCEPT"),
        version,
    )


class Endpoint:
    """The endpoint over one `QuerySource`; thread-safe, one per web worker process."""

    def __init__(self, source: QuerySource, settings: SparqlSettings, page: Page,
                 extra: Callable[[], list] | None = None):
        """`extra()` gives quads of named graphs the endpoint also offers outside its default
        graph (the releases, `graph/release/{v}`)."""
        self.source = source
        self.settings = settings
        self.render_page = page
        self.extra = extra
        self.cache = ReplyCache(settings.cache_bytes)
        self.flights = SingleFlight()
        self.pool = query_tier(settings, source, self._worker_init)  # embedded, or an engine

    def respond(self, environ: dict, body: bytes) -> Stored:
        """The reply to one request (WSGI `environ`, the body already read). Never raises."""
        version = self.source.version
        key = raw_key(environ, body, version)
        answer = self.cache.get(key)
        if answer is not None:
            return answer
        accept = environ.get("HTTP_ACCEPT")
        req: ProtocolRequest | None = None
        try:
            req = parse_request(
                environ.get("REQUEST_METHOD", "GET"),
                environ.get("QUERY_STRING", ""),
                environ.get("CONTENT_TYPE"),
                body,
                self.settings,
            )
            if req.query is None:
                fmt = choose(GRAPH_RESULTS, accept, list(req.formats))
                if fmt is HTML:
                    return _html(self.render_page(None, None, None))
                answer = self._description(fmt, version)
            else:
                plan = inspect(
                    req.query,
                    self.source.canonical_base,
                    self.source.base,
                    self.settings.max_depth,
                )
                fmt = choose(formats_for(plan.form), accept, list(req.formats))
                if fmt is HTML:  # rendered per request (language), not cached by its bytes
                    return self._page(req, plan, version)
                answer = self._evaluate(req, plan, fmt, version)
                if plan.volatile:  # never kept: neither here nor for the fast path
                    return answer
        except SparqlError as e:
            if _wants_html(accept, req):
                page = self.render_page(req.query if req else None, None, e.message)
                return _html(page, e.status, e.headers)
            answer = _error(e)
        self.cache.put(key, answer)
        return answer

    # -- queries -------------------------------------------------------------------------------

    def _page(self, req: ProtocolRequest, plan: Plan, version: str) -> Stored:
        """The HTML page with the form and the results (or the error) of `req`."""
        answer = self._evaluate(req, plan, HTML, version)
        if answer.status != 200:
            page = self.render_page(req.query, None, answer.body.decode().strip())
            kept = tuple((k, v) for k, v in answer.headers if k in ("Retry-After", "Cache-Control"))
            return _html(page, answer.status, kept)
        extra = (NO_STORE,) if plan.volatile else ()
        return _html(self.render_page(req.query, json.loads(answer.body), None), headers=extra)

    def _evaluate(self, req: ProtocolRequest, plan: Plan, fmt: Format, version: str) -> Stored:
        default_graphs = self._served(req.default_graphs)
        named_graphs = self._served(req.named_graphs)
        key: Hashable = ("query", plan.text, default_graphs, named_graphs, fmt.key, version)
        answer = None if plan.volatile else self.cache.get(key)
        if answer is not None:
            return answer
        job = {
            "query": plan.text,
            "form": plan.form,
            "format": fmt.key,
            "base_iri": self.source.base,
            "has_dataset": plan.has_dataset,
            "default_graphs": default_graphs,
            "named_graphs": named_graphs,
            "max_rows": self.settings.max_rows,
            "max_bytes": self.settings.max_result_bytes,
        }

        def run() -> Stored:
            try:
                status, body = self.pool.run(job, version)
            except SparqlError as e:
                return _error(e, volatile=plan.volatile)
            if status == 200:
                content_type = (
                    "application/sparql-results+json" if fmt is HTML else fmt.content_type
                )
                return reply(200, content_type, body, (NO_STORE,) if plan.volatile else ())
            return _error(SparqlError(status, str(body)), volatile=plan.volatile)

        if plan.volatile:  # each request its own evaluation: no cache, no shared flight
            return run()
        wait = self.settings.timeout + self.settings.queue_wait + FIRST_WORKER_WAIT
        try:
            answer = self.flights.do(key, run, wait)
        except TimeoutError:
            answer = _error(SparqlError(503, "The query did not finish in time."))
        self.cache.put(key, answer)
        return answer

    def _served(self, iris: tuple[str, ...] | None) -> tuple[str, ...] | None:
        """Dataset IRIs with the canonical base read as the served one."""
        if iris is None:
            return None
        canonical, served = self.source.canonical_base, self.source.base
        return tuple(served + i[len(canonical) :] if i.startswith(canonical) else i for i in iris)

    # -- the service itself --------------------------------------------------------------------

    def _description(self, fmt: Format, version: str) -> Stored:
        key = ("description", fmt.key, version)
        answer = self.cache.get(key)
        if answer is None:
            graphs = [str(getattr(g, "value", g)) for g in self.source.graphs.values()]
            graphs += sorted({q.graph_name.value for q in self.extra()} if self.extra else ())
            body = description(self.source.base + "sparql", graphs, fmt)
            answer = reply(200, fmt.content_type, body)
            self.cache.put(key, answer)
        return answer

    def _worker_init(self) -> dict:
        """What a query process loads: the server's on-disk store, opened read-only and copied
        into memory when it is small (`copy`), or the quads themselves for a source that has no
        store (the tests' fixture source)."""
        path = getattr(self.source, "store_path", None)
        counts = getattr(self.source, "counts", None)
        quads = sum(counts.values()) if counts else None
        if path is None:
            data: dict = {"nquads": self.source.nquads()}
        else:
            data = {"store": str(path), "copy": quads is not None and quads < COPY_BELOW_QUADS}
        if self.extra is not None and path is not None and not data["copy"]:
            # read in place by every query process: nothing can join it (see worker.serve)
            log.warning("the release graphs are not offered to SPARQL over a store of %s quads "
                        "(under %d they are)", quads, COPY_BELOW_QUADS)
        elif self.extra is not None:  # named graphs beside ours; the default graph stays ours
            extra = self.extra()
            data["extra"] = serialize(extra, format=RdfFormat.N_QUADS) if extra else b""
            data["union"] = [str(getattr(g, "value", g)) for g in self.source.graphs.values()]
        return {**data, "prefixes": dict(self.source.prefixes)}


def _error(e: SparqlError, volatile: bool = False) -> Stored:
    headers = (*e.headers, NO_STORE) if volatile else e.headers
    return reply(e.status, TEXT, (e.message + "\n").encode(), headers)


def _html(page: str, status: int = 200, headers: tuple[tuple[str, str], ...] = ()) -> Stored:
    return reply(status, HTML.content_type, page.encode(), headers)


def _wants_html(accept: str | None, req: ProtocolRequest | None) -> bool:
    """Whether an error should be a page: the browser asked for HTML or `format=html`."""
    if req is not None and req.formats:
        return any(HTML.named(f) for f in req.formats)
    return negotiate(accept, GRAPH_RESULTS) is HTML


def formats_for(form: str | None) -> tuple[Format, ...]:
    """Result formats of a query form; None (no query: the service description) gets RDF."""
    return SOLUTION_RESULTS if form in ("SELECT", "ASK") else GRAPH_RESULTS


def choose(formats: tuple[Format, ...], accept: str | None, names: list[str]) -> Format:
    """The format to answer in: the first known `format=` value, else the Accept header's best.

    `SparqlError(406)` lists what we offer when nothing asked for is available.
    """
    wanted = [n.strip().lower() for n in names if n.strip()]
    if wanted:
        for name in wanted:
            for f in formats:
                if f.named(name):
                    return f
        offered = ", ".join(f.key for f in formats)
        raise SparqlError(406, f"No format {wanted[0]!r} for this kind of result; use one of: "
                               f"{offered}.")
    found = negotiate(accept, formats)
    if found is None:
        offered = ", ".join(f.media_type for f in formats)
        raise SparqlError(406, f"Nothing in 'Accept: {accept}' is available here; we offer: "
                               f"{offered}.")
    return found
