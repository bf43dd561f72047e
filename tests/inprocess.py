"""HTTP tests in-process: `requests` talks to the Flask app through werkzeug's test `Client`.

The HTTP tests speak `requests` (status, headers, redirects, bodies) as a client would; this
module routes requests for a test origin (`http://annex.test/`) to an app in this process instead
of a socket, so no server process starts and nothing waits on a port. Real servers remain for
what only they can show: start-up, the query pool across processes, real clients (rdflib's and
SPARQLWrapper's urllib, Chromium).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from http.cookies import SimpleCookie
from io import BytesIO
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from werkzeug.test import Client

_APPS: dict[str, Callable] = {}  # origin ("http://annex.test") -> WSGI app
_original_get_adapter = requests.Session.get_adapter


class WSGIAdapter(BaseAdapter):
    """A `requests` transport that hands each request to a WSGI app through werkzeug."""

    def __init__(self, app: Callable):
        super().__init__()
        self.client = Client(app, use_cookies=False)  # requests keeps the cookies

    def send(self, request: requests.PreparedRequest, stream=False, timeout=None, verify=True,
             cert=None, proxies=None) -> requests.Response:
        parts = urlsplit(request.url)
        body = request.body
        if isinstance(body, str):
            body = body.encode()
        answer = self.client.open(
            path=parts.path or "/",
            base_url=f"{parts.scheme}://{parts.netloc}",
            query_string=parts.query,
            method=request.method,
            headers=list(request.headers.items()),
            data=body or b"",
        )
        response = requests.Response()
        response.status_code = answer.status_code
        response.reason = answer.status.split(" ", 1)[1] if " " in answer.status else ""
        response.headers = CaseInsensitiveDict(answer.headers.items())
        response.raw = BytesIO(answer.get_data())
        response.url = request.url
        response.request = request
        response.encoding = requests.utils.get_encoding_from_headers(response.headers)
        response.connection = self
        for header in answer.headers.getlist("Set-Cookie"):
            for name, morsel in SimpleCookie(header).items():
                response.cookies.set(name, morsel.value, path=morsel["path"] or "/")
        answer.close()
        return response

    def close(self) -> None:
        pass


def _get_adapter(self: requests.Session, url: str):
    parts = urlsplit(url)
    app = _APPS.get(f"{parts.scheme}://{parts.netloc}")
    if app is not None:
        return WSGIAdapter(app)
    return _original_get_adapter(self, url)


@contextlib.contextmanager
def serve(app: Callable, origin: str) -> Iterator[str]:
    """Route `requests` calls to `origin` (e.g. "http://annex.test") to `app`; yields its URL
    ending in '/'."""
    origin = origin.rstrip("/")
    _APPS[origin] = app
    requests.Session.get_adapter = _get_adapter  # type: ignore[method-assign]
    try:
        yield origin + "/"
    finally:
        del _APPS[origin]
        if not _APPS:
            requests.Session.get_adapter = _original_get_adapter  # type: ignore[method-assign]
