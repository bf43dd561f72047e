"""The response cache in front of the Flask app: a replayed answer costs a dict lookup.

It is a cache, not a router: every request the cache has not seen goes to the app, and the app
alone decides what may be replayed, by marking a response with `cacheable(response)` (documents,
redirects, dumps, metadata, non-volatile SPARQL results, pages that depend on nothing but their
key). Errors are never marked, so no attacker-chosen path is ever kept. The key is what such a
response may vary on: path, query string, `Accept`, `Accept-Language`, `Accept-Datetime` and
the page-language cookie; requests whose key is longer than `MAX_KEY_BYTES` are not cached
(nobody needs a 2 kB Accept header, and long keys are how a cache is filled from outside).
Entries are bounded in bytes and leave oldest first. Conditional requests are answered by werkzeug
(`Response.make_conditional`), as the app's views answer them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus

from flask import Response
from werkzeug.http import parse_cookie

from .conneg import LANG_COOKIE

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]
MARK = "oas_ssm.cacheable"  # the environ key a view sets to let its response be replayed
MAX_KEY_BYTES = 2048
DEFAULT_BUDGET = 32 * 1024 * 1024
ENTRY_OVERHEAD = 512  # bytes an entry costs beyond its body and key (headers, dict slots)
CACHED_STATUSES = (200, 303)


@dataclass(frozen=True, slots=True)
class Stored:
    """A complete answer as it was sent: status line, headers and body."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @property
    def status_line(self) -> str:
        return f"{self.status} {HTTPStatus(self.status).phrase}"

    @property
    def weight(self) -> int:
        return len(self.body) + ENTRY_OVERHEAD + sum(len(k) + len(v) for k, v in self.headers)


def cacheable(response: Response) -> Response:
    """Let the response cache replay `response` for requests with the same key."""
    from flask import request

    request.environ[MARK] = True
    return response


class ResponseCache:
    """WSGI middleware replaying marked GET answers; HEAD is answered from the same entry."""

    def __init__(self, app: WSGIApp, max_bytes: int = DEFAULT_BUDGET):
        self.app = app
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[tuple, tuple[Stored, int]] = OrderedDict()  # with its weight
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        if method not in ("GET", "HEAD"):
            return self.app(environ, start_response)
        key = _key(environ)
        if key is None:
            return self.app(environ, start_response)
        entry = self._entries.get(key)
        if entry is None:
            return self._fill(key, environ, start_response)
        stored = entry[0]
        if "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ:
            response = Response(stored.body, stored.status, list(stored.headers))
            return response.make_conditional(environ)(environ, start_response)
        start_response(stored.status_line, list(stored.headers))
        return [] if method == "HEAD" else [stored.body]

    def _fill(self, key: tuple, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Ask the app; keep a marked 200/303 answer to a GET."""
        sent: list = []

        def capture(status: str, headers: list, exc_info=None):
            sent[:] = [status, headers]
            return start_response(status, headers, exc_info)

        body = self.app(environ, capture)
        if environ.get("REQUEST_METHOD") != "GET" or not environ.get(MARK) or not sent:
            return body
        status = int(sent[0].split(" ", 1)[0])
        if status not in CACHED_STATUSES:
            return body
        try:
            data = b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        self._put(key, Stored(status, tuple(sent[1]), data))
        return [data]

    def _put(self, key: tuple, stored: Stored) -> None:
        weight = stored.weight + sum(len(k) for k in key if k)
        if weight > self.max_bytes // 8:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.size -= old[1]
            self._entries[key] = (stored, weight)
            self.size += weight
            while self.size > self.max_bytes and self._entries:
                _, (_, evicted) = self._entries.popitem(last=False)
                self.size -= evicted


def _key(environ: dict) -> tuple | None:
    """What a cacheable answer may vary on, or None when the request is not worth keeping."""
    cookie = environ.get("HTTP_COOKIE")
    lang = parse_cookie(cookie).get(LANG_COOKIE) if cookie and LANG_COOKIE in cookie else None
    key = (
        environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
        environ.get("HTTP_ACCEPT"),
        environ.get("HTTP_ACCEPT_LANGUAGE"),
        environ.get("HTTP_ACCEPT_DATETIME"),  # the Memento TimeGate picks by it
        lang,
        environ.get("HTTP_HOST"),
    )
    if sum(len(part) for part in key if part) > MAX_KEY_BYTES:
        return None
    return key
