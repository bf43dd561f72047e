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
from collections.abc import Hashable

from .cache import Reply, ReplyCache, SingleFlight
from .errors import SparqlError
from .formats import GRAPHS, HTML, Format, choose, formats_for, negotiate
from .guard import Plan, inspect
from .html import render_page
from .pool import FIRST_WORKER_WAIT, Pool
from .protocol import ProtocolRequest, parse_request
from .service import description
from .settings import SparqlSettings
from .source import QuerySource

log = logging.getLogger(__name__)
TEXT = "text/plain; charset=utf-8"
NO_STORE = ("Cache-Control", "no-store")


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

    def __init__(self, source: QuerySource, settings: SparqlSettings):
        self.source = source
        self.settings = settings
        self.cache = ReplyCache(settings.cache_bytes)
        self.flights = SingleFlight()
        self.pool = Pool(settings, self._worker_init)

    def cached(self, environ: dict, body: bytes) -> Reply | None:
        """The cached reply to exactly this request, if any (the fast path's question)."""
        return self.cache.get(raw_key(environ, body, self.source.version))

    def respond(self, environ: dict, body: bytes) -> Reply:
        """The reply to one request (WSGI `environ`, the body already read). Never raises."""
        version = self.source.version
        key = raw_key(environ, body, version)
        reply = self.cache.get(key)
        if reply is not None:
            return reply
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
                fmt = choose(GRAPHS, accept, list(req.formats))
                if fmt is HTML:
                    return _html(render_page(None, None, None))
                reply = self._description(fmt, version)
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
                reply = self._evaluate(req, plan, fmt, version)
                if plan.volatile:  # never kept: neither here nor for the fast path
                    return reply
        except SparqlError as e:
            if _wants_html(accept, req):
                page = render_page(req.query if req else None, None, e.message)
                return _html(page, e.status, e.headers)
            reply = _error(e)
        self.cache.put(key, reply)
        return reply

    # -- queries -------------------------------------------------------------------------------

    def _page(self, req: ProtocolRequest, plan: Plan, version: str) -> Reply:
        """The HTML page with the form and the results (or the error) of `req`."""
        reply = self._evaluate(req, plan, HTML, version)
        if reply.status != 200:
            page = render_page(req.query, None, reply.body.decode().strip())
            return _html(page, reply.status, reply.extra_headers)
        extra = (NO_STORE,) if plan.volatile else ()
        return _html(render_page(req.query, json.loads(reply.body), None), headers=extra)

    def _evaluate(self, req: ProtocolRequest, plan: Plan, fmt: Format, version: str) -> Reply:
        default_graphs = self._served(req.default_graphs)
        named_graphs = self._served(req.named_graphs)
        key: Hashable = ("query", plan.text, default_graphs, named_graphs, fmt.key, version)
        reply = None if plan.volatile else self.cache.get(key)
        if reply is not None:
            return reply
        job = {
            "query": plan.text,
            "form": plan.form,
            "format": fmt.key,
            "base_iri": self.source.base,
            "has_dataset": plan.has_dataset,
            "default_graphs": default_graphs,
            "named_graphs": named_graphs,
            "max_rows": self.settings.max_rows,
        }

        def run() -> Reply:
            try:
                status, body = self.pool.run(job, version)
            except SparqlError as e:
                return _error(e, volatile=plan.volatile)
            if status == 200:
                content_type = (
                    "application/sparql-results+json" if fmt is HTML else fmt.content_type
                )
                return Reply(200, content_type, body, (NO_STORE,) if plan.volatile else ())
            return _error(SparqlError(status, str(body)), volatile=plan.volatile)

        if plan.volatile:  # each request its own evaluation: no cache, no shared flight
            return run()
        wait = self.settings.timeout + self.settings.queue_wait + FIRST_WORKER_WAIT
        try:
            reply = self.flights.do(key, run, wait)
        except TimeoutError:
            reply = _error(SparqlError(503, "The query did not finish in time."))
        self.cache.put(key, reply)
        return reply

    def _served(self, iris: tuple[str, ...] | None) -> tuple[str, ...] | None:
        """Dataset IRIs with the canonical base read as the served one."""
        if iris is None:
            return None
        canonical, served = self.source.canonical_base, self.source.base
        return tuple(served + i[len(canonical) :] if i.startswith(canonical) else i for i in iris)

    # -- the service itself --------------------------------------------------------------------

    def _description(self, fmt: Format, version: str) -> Reply:
        key = ("description", fmt.key, version)
        reply = self.cache.get(key)
        if reply is None:
            graphs = [str(getattr(g, "value", g)) for g in self.source.graphs.values()]
            body = description(self.source.base + "sparql", graphs, fmt.key)
            reply = Reply(200, fmt.content_type, body)
            self.cache.put(key, reply)
        return reply

    def _worker_init(self) -> dict:
        return {"nquads": self.source.nquads(), "prefixes": dict(self.source.prefixes)}


def _error(e: SparqlError, volatile: bool = False) -> Reply:
    headers = (*e.headers, NO_STORE) if volatile else e.headers
    return Reply(e.status, TEXT, (e.message + "\n").encode(), headers)


def _html(page: str, status: int = 200, headers: tuple[tuple[str, str], ...] = ()) -> Reply:
    return Reply(status, HTML.content_type, page.encode(), headers)


def _wants_html(accept: str | None, req: ProtocolRequest | None) -> bool:
    """Whether an error should be a page: the browser asked for HTML or `format=html`."""
    if req is not None and req.formats:
        return any(f.strip().lower() in HTML.names for f in req.formats)
    return negotiate(GRAPHS, accept) is HTML
