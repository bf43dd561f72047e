"""The read-only SPARQL 1.1 endpoint at `/sparql`: a Flask blueprint over a pool of query processes.

Interface for the app factory::

    from oas_ssm.server.sparql import SparqlSettings, create_blueprint
    app.register_blueprint(create_blueprint(dataset, SparqlSettings(...), page))

`dataset` is any `QuerySource` (`oas_ssm.server.dataset.Dataset` is one); `page(query, results,
error)` renders the endpoint's HTML page (the web layer's editor); `extra()`, if given, gives the
quads of named graphs offered beside the default graph (the releases). Successful answers to GET
requests are marked for the response cache in front of the app, except those of queries whose
result changes on every evaluation. This module imports nothing heavy: query processes import
the package too, and must start fast.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from .settings import SparqlSettings
from .source import QuerySource

if TYPE_CHECKING:
    from collections.abc import Callable

    from flask import Blueprint

    from .endpoint import Page

__all__ = ["QuerySource", "SparqlSettings", "create_blueprint"]
log = logging.getLogger(__name__)


def create_blueprint(source: QuerySource, settings: SparqlSettings | object,
                     page: Page, extra: Callable[[], list] | None = None) -> Blueprint:
    """The blueprint serving `/sparql` over `source`.

    `settings` is a `SparqlSettings`; another config object is read for the attributes they share
    (`query_timeout` becomes `timeout`), see `SparqlSettings.coerce`.
    """
    from flask import Blueprint, Response, request

    from ..response_cache import cacheable
    from .cache import reply
    from .endpoint import TEXT, Endpoint

    settings = SparqlSettings.coerce(settings)
    endpoint = Endpoint(source, settings, page, extra)
    bp = Blueprint("sparql", __name__)
    bp.sparql_endpoint = endpoint  # type: ignore[attr-defined]  # for tests and shutdown

    @bp.route("/sparql", methods=["GET", "POST"])
    def sparql() -> Response:
        body = b""
        if request.method == "POST":
            length = request.content_length
            too_large = reply(413, TEXT, f"Request body too large: at most "
                                         f"{settings.max_body_bytes} bytes.\n".encode())
            if length is not None and length > settings.max_body_bytes:
                answer = too_large
            else:
                body = request.stream.read(settings.max_body_bytes + 1)
                answer = too_large if len(body) > settings.max_body_bytes else None
        else:
            answer = None
        if answer is None:
            try:
                answer = endpoint.respond(request.environ, body)
            except Exception:  # a bug: logged for us, a short message for the client
                log.exception("SPARQL request failed")
                answer = reply(500, TEXT, b"Internal error while answering the query.\n")
        response = Response(answer.body, answer.status, list(answer.headers))
        volatile = any(k == "Cache-Control" and v == "no-store" for k, v in answer.headers)
        if request.method == "GET" and answer.status == 200 and not volatile:
            cacheable(response)
        return response

    return bp
