"""The response cache in front of the app: replays only what the views marked, within a byte
budget, never an error, never a request with an oversized key; HEAD and conditional requests
are answered from the same entry."""

from __future__ import annotations

from flask import Flask, Response, abort
from oas_ssm.server.response_cache import MAX_KEY_BYTES, ResponseCache, cacheable
from werkzeug.test import Client


def make_app(budget: int = 1 << 20) -> tuple[Flask, ResponseCache, dict[str, int]]:
    calls = {"doc": 0, "plain": 0, "missing": 0}
    app = Flask(__name__)

    @app.get("/doc/<name>")
    def doc(name: str) -> Response:
        calls["doc"] += 1
        response = Response(name * 1000, mimetype="text/plain")
        response.set_etag(name)
        return cacheable(response)

    @app.get("/plain")
    def plain() -> str:
        calls["plain"] += 1
        return "not marked"

    @app.get("/missing/<path:rest>")
    def missing(rest: str) -> Response:
        calls["missing"] += 1
        abort(404)

    cache = ResponseCache(app.wsgi_app, max_bytes=budget)
    app.wsgi_app = cache  # type: ignore[method-assign]
    return app, cache, calls


def test_marked_answers_are_replayed_unmarked_ones_are_not():
    app, cache, calls = make_app()
    client = Client(app)
    for _ in range(3):
        assert client.get("/doc/a").status_code == 200
        assert client.get("/plain").status_code == 200
    assert calls == {"doc": 1, "plain": 3, "missing": 0} and len(cache) == 1


def test_errors_keyed_on_attacker_paths_are_never_kept():
    app, cache, calls = make_app()
    client = Client(app)
    for i in range(50):
        assert client.get(f"/missing/{'x' * 1000}{i}").status_code == 404
    assert len(cache) == 0 and cache.size == 0 and calls["missing"] == 50


def test_the_key_includes_what_an_answer_varies_on():
    app, cache, calls = make_app()
    client = Client(app)
    client.get("/doc/a", headers={"Accept": "text/turtle"})
    client.get("/doc/a", headers={"Accept": "text/html"})
    client.get("/doc/a", headers={"Accept-Language": "en"})
    client.get("/doc/a", headers={"Cookie": "lang=en"})
    client.get("/doc/a", headers={"Cookie": "tracking=1"})  # not a language choice: same key
    assert calls["doc"] == 4


def test_oversized_keys_are_not_cached():
    app, cache, calls = make_app()
    client = Client(app)
    for _ in range(2):
        client.get("/doc/a", headers={"Accept": "x" * (MAX_KEY_BYTES + 1)})
    assert calls["doc"] == 2 and len(cache) == 0


def test_bounded_in_bytes_oldest_out_first():
    app, cache, calls = make_app(budget=40_000)
    client = Client(app)
    for i in range(30):
        client.get(f"/doc/{i:02d}")  # ~2-3 kB each
    assert 0 < cache.size <= 40_000 and len(cache) < 30
    client.get("/doc/29")
    client.get("/doc/00")
    assert calls["doc"] == 31  # the newest was still there, the oldest was not


def test_head_and_conditional_requests_from_the_cache():
    app, cache, calls = make_app()
    client = Client(app)
    full = client.get("/doc/a")
    head = client.head("/doc/a")
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Length"] == full.headers["Content-Length"]
    again = client.get("/doc/a", headers={"If-None-Match": full.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    other = client.get("/doc/a", headers={"If-None-Match": '"other"'})
    assert other.status_code == 200 and other.data == full.data
    assert calls["doc"] == 1
