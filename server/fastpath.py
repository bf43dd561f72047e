"""A WSGI pre-router: the core's paths are answered here, before Flask, from cached replies.

A cached document costs a dict lookup, an optional validator comparison and the server's own
work; no Flask request context, routing or response object. Everything else (the web pages,
`/sparql`) passes through to the Flask application unchanged. This is what lets the server answer
dereferencing requests faster than Oxigraph server answers a DESCRIBE (DESIGN.md, "Serving").
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

from oas_ssm.server.linkeddata import (
    CORS,
    LinkedData,
    Reply,
    Request,
    error_reply,
    handles,
    request_lang,
)

log = logging.getLogger(__name__)

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]
ALLOW = "GET, HEAD, OPTIONS"
PREFLIGHT = (
    ("Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS"),
    (
        "Access-Control-Allow-Headers",
        "Accept, Accept-Language, Content-Type, If-None-Match, If-Modified-Since",
    ),
    ("Access-Control-Max-Age", "86400"),
)


class FastPath:
    """WSGI middleware: mount-point handling, then the linked-data core, else the wrapped app."""

    def __init__(self, core: LinkedData, app: WSGIApp, max_entries: int = 20_000):
        self.core = core
        self.app = app
        self.mount = core.mount
        self.max_entries = max_entries
        self._cache: dict[tuple, Reply] = {}
        self._lock = threading.Lock()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        if self.mount:
            if not (path == self.mount or path.startswith(self.mount + "/")):
                reply = self._error(environ, 404, f"Not found: {path}", path)
                return self._send(reply, start_response)
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + self.mount
            path = path[len(self.mount) :] or "/"
            environ["PATH_INFO"] = path
        if not handles(path):
            return self.app(environ, start_response)
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD"):
            return self._send(self._other_method(environ, method, path), start_response)

        cookie = environ.get("HTTP_COOKIE")
        if cookie and "lang=" not in cookie:
            cookie = None
        accept = environ.get("HTTP_ACCEPT")
        accept_language = environ.get("HTTP_ACCEPT_LANGUAGE")
        query = environ.get("QUERY_STRING", "")
        key = (path, query, accept, accept_language, cookie)
        reply = self._cache.get(key)
        if reply is None:
            reply = self._respond(Request(path, accept, accept_language, cookie, query))
            with self._lock:
                if len(self._cache) >= self.max_entries:
                    self._cache.clear()  # bounded: varied headers must not grow memory
                self._cache[key] = reply

        inm = environ.get("HTTP_IF_NONE_MATCH")
        ims = environ.get("HTTP_IF_MODIFIED_SINCE")
        if (inm or ims) and reply.is_fresh_for(inm, ims):
            reply = reply.not_modified()
        start_response(reply.status_line, reply.headers)
        return [] if method == "HEAD" else [reply.body]

    def _respond(self, req: Request) -> Reply:
        try:
            return self.core.respond(req)
        except Exception:  # a bug must not show a traceback: log it, answer 500
            log.exception("error answering %s", req.path)
            lang = request_lang(req.cookie, req.accept_language)
            return error_reply(500, "Internal server error.", req.accept, lang=lang,
                               path=req.path, prefix=self.mount)

    def _other_method(self, environ: dict, method: str, path: str) -> Reply:
        if method == "OPTIONS":
            return Reply(204, [("Allow", ALLOW), *CORS, *PREFLIGHT])
        reply = self._error(environ, 405, f"Method {method} not allowed; use GET or HEAD.", path)
        reply.headers.append(("Allow", ALLOW))
        return reply

    def _error(self, environ: dict, status: int, message: str, path: str) -> Reply:
        """An error negotiated like every other (text or the site's page, `Vary` set)."""
        cookie = environ.get("HTTP_COOKIE")
        lang = request_lang(cookie, environ.get("HTTP_ACCEPT_LANGUAGE"))
        return error_reply(status, message, environ.get("HTTP_ACCEPT"), lang=lang, path=path,
                           prefix=self.mount)

    @staticmethod
    def _send(reply: Reply, start_response: Callable) -> Iterable[bytes]:
        start_response(reply.status_line, reply.headers)
        return [reply.body]
