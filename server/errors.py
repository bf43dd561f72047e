"""Errors, negotiated like every other answer: short text for programs, the site's page for
browsers; never a traceback. The page renderer is the web layer's, handed in by the app factory.

Every error carries `Vary` (its body depends on Accept, and as a page on the page language), so
a cache never hands the page to a client that asked for text, nor the text to a browser.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, NotAcceptable

from .conneg import negotiate, page_language
from .formats import ERROR_FORMATS, HTML

log = logging.getLogger(__name__)
# (status, lang, path below the mount point, message, mount point) -> HTML page
ErrorPage = Callable[[int, str, str, str | None, str], str]
CACHE_ERROR = "public, max-age=60"
VARY = "Accept, Accept-Language, Cookie"
KEPT_HEADERS = ("Allow", "Retry-After", "Link")


def error_response(status: int, message: str, page: ErrorPage) -> Response:
    """The answer for an error `status` with `message`: text, or the site's page in the
    reader's language when the client prefers HTML."""
    if negotiate(request.headers.get("Accept"), ERROR_FORMATS) is HTML:
        lang = page_language(request.headers.get("Cookie"), request.headers.get("Accept-Language"))
        body = page(status, lang, request.path, message, request.script_root)
        response = Response(body, status, content_type=HTML.content_type)
        response.headers["Content-Language"] = lang
    else:
        response = Response(message.rstrip("\n") + "\n", status, mimetype="text/plain")
    response.headers["Cache-Control"] = CACHE_ERROR
    response.headers["Vary"] = VARY
    return response


def not_acceptable(alternatives: list[tuple[str, str]]) -> Response:
    """406, listing every `(media type, URL)` on offer, in the body and as `Link` headers."""
    lines = "\n".join(f"{media}\t{url}" for media, url in alternatives)
    error = NotAcceptable(f"Not acceptable. This resource is available as:\n{lines}")
    links = ", ".join(f'<{url}>; rel="alternate"; type="{media}"' for media, url in alternatives)
    raise _WithHeaders(error, [("Link", links), ("Vary", "Accept")])


class _WithHeaders(HTTPException):
    """An HTTP error that keeps headers of its own (Link, Vary) through the error handler."""

    def __init__(self, error: HTTPException, headers: list[tuple[str, str]]):
        super().__init__(error.description)
        self.code = error.code
        self.extra = headers

    def get_headers(self, environ=None, scope=None) -> list[tuple[str, str]]:
        return [*super().get_headers(environ, scope), *self.extra]


def install(app: Flask, page: ErrorPage) -> None:
    """Every error of `app` through `error_response`; unexpected ones logged, answered 500."""

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException) -> Response:
        if e.code is None or e.code < 400:
            return e  # type: ignore[return-value]
        message = e.description or e.name
        if e.code == 404:
            message = f"Not found: {request.script_root}{request.path}"
        elif e.code == 405:
            message = f"Method {request.method} not allowed."
        response = error_response(e.code, message, page)
        for name, value in e.get_headers():
            if name in KEPT_HEADERS:
                response.headers[name] = value
            elif name == "Vary":
                response.headers["Vary"] = value
        return response

    @app.errorhandler(Exception)
    def server_error(e: Exception) -> Response:
        log.exception("unhandled error on %s", request.path)
        return error_response(500, "Internal server error.", page)
