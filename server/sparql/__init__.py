"""The read-only SPARQL 1.1 endpoint at `/sparql`: a Flask blueprint over a pool of query processes.

Interface for the app factory::

    from oas_ssm.server.sparql import SparqlSettings, create_blueprint
    app.register_blueprint(create_blueprint(dataset, SparqlSettings(timeout=config.query_timeout)))

`dataset` is any `QuerySource` (`oas_ssm.server.dataset.Dataset` is one). Registering also
installs a WSGI middleware on `app.wsgi_app` that answers repeated requests from the cache
before Flask (`SparqlSettings.fast_path`). This module imports nothing heavy: query processes
import the package too, and must start fast.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from .settings import SparqlSettings
from .source import QuerySource

if TYPE_CHECKING:
    from flask import Blueprint

__all__ = ["QuerySource", "SparqlSettings", "create_blueprint"]
log = logging.getLogger(__name__)


def create_blueprint(source: QuerySource, settings: SparqlSettings | object = None) -> Blueprint:
    """The blueprint serving `/sparql` over `source`.

    `settings` is a `SparqlSettings`; another config object is read for the attributes they share
    (`query_timeout` becomes `timeout`), see `SparqlSettings.coerce`.
    """
    from flask import Blueprint, Response, request

    from .cache import Reply
    from .endpoint import TEXT, Endpoint
    from .fastpath import CachedSparql

    settings = SparqlSettings.coerce(settings)
    endpoint = Endpoint(source, settings)
    bp = Blueprint("sparql", __name__)
    bp.sparql_endpoint = endpoint  # type: ignore[attr-defined]  # for tests and shutdown

    @bp.route("/sparql", methods=["GET", "POST"])
    def sparql() -> Response:
        body = b""
        if request.method == "POST":
            length = request.content_length
            if length is not None and length > settings.max_body_bytes:
                reply = _too_large(settings.max_body_bytes)
                return Response(reply.body, reply.status, reply.headers)
            body = request.stream.read(settings.max_body_bytes + 1)
            if len(body) > settings.max_body_bytes:
                reply = _too_large(settings.max_body_bytes)
                return Response(reply.body, reply.status, reply.headers)
        try:
            reply = endpoint.respond(request.environ, body)
        except Exception:  # a bug: logged for us, a short message for the client
            log.exception("SPARQL request failed")
            reply = Reply(500, TEXT, b"Internal error while answering the query.\n")
        return Response(reply.body, reply.status, reply.headers)

    if settings.fast_path:

        @bp.record_once
        def _install(state) -> None:
            path = (state.url_prefix or "").rstrip("/") + "/sparql"
            state.app.wsgi_app = CachedSparql(state.app.wsgi_app, endpoint, path)

    return bp


def _too_large(limit: int):
    from .cache import Reply
    from .endpoint import TEXT

    return Reply(413, TEXT, f"Request body too large: at most {limit} bytes.\n".encode())
