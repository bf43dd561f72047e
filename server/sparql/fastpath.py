"""WSGI middleware that answers a repeated SPARQL request from the cache, before Flask.

A cache hit then costs the HTTP server's work plus a dict lookup: no Flask request context, no
routing, no response object. Misses, and every other path, go to the wrapped application.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable

from .endpoint import Endpoint

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


class CachedSparql:
    """Serve `path` from `endpoint`'s cache when the exact request was answered before."""

    def __init__(self, app: WSGIApp, endpoint: Endpoint, path: str):
        self.app = app
        self.endpoint = endpoint
        self.path = path

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == self.path:
            method = environ.get("REQUEST_METHOD")
            body = b""
            if method == "POST":
                body = self._body(environ)
                if body is None:
                    return self.app(environ, start_response)
            if method in ("GET", "POST"):
                reply = self.endpoint.cached(environ, body)
                if reply is not None:
                    start_response(reply.status_line, reply.headers)
                    return [reply.body]
        return self.app(environ, start_response)

    def _body(self, environ: dict) -> bytes | None:
        """The request body (and a fresh stream of it for the app), None if we should not read."""
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            return None
        if not 0 <= length <= self.endpoint.settings.max_body_bytes:
            return None
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        return body
