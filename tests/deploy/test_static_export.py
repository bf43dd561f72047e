"""`ssm export` served by Debian's nginx: the same answers as `ssm serve`, from files.

Every check compares nginx, serving the export with its generated `nginx.conf`, against the
application itself (Flask's test client over the same data and base): what a linked-data client
relies on (status, Location, Content-Type, body, Vary, Link, Content-Location, the page language)
must not change when a publisher moves from `ssm serve` to a web server or CDN.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from collections import deque
from pathlib import Path

import pytest
import requests
from rdflib import Graph, URIRef

from tests.deploy.nginx_runner import free_port, nginx_binary, run_nginx

ROOT = Path(__file__).resolve().parents[2]
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RDFLIB_ANY = (
    "application/rdf+xml, text/n3, text/turtle, application/n-triples, application/ld+json, "
    "application/trig, application/n-quads, application/trix, text/html"
)
# The Accept headers clients send: curl's default, rdflib's (any and per format), browsers, each
# RDF type and its aliases, and q-values the generated maps handle (one decimal).
ACCEPTS = [
    None, "*/*", "text/turtle", "application/ld+json", "application/json", "application/rdf+xml",
    "application/xml", "text/xml", "application/n-triples", "text/plain", "text/html",
    "application/xhtml+xml", BROWSER, FIREFOX, RDFLIB_ANY,
    "text/turtle, application/x-turtle, */*;q=0.1", "application/rdf+xml, */*;q=0.1",
    "application/ld+json, application/json;q=0.9, */*;q=0.1", "text/plain, */*;q=0.1",
    "text/turtle;q=0.2, application/ld+json;q=0.8", "application/n-triples;q=0.9, text/html;q=0.5",
    "text/*", "application/*", "image/png, */*;q=0.1", "image/png",
]  # fmt: skip
COMPARED = ("Location", "Content-Type", "Content-Location", "Content-Language",
            "Access-Control-Allow-Origin")  # fmt: skip


@pytest.fixture(scope="module")
def exported():
    """(export directory, served base URL, the application) for one export of the annex, in a
    directory nginx's workers (user nobody, when started as root) can read."""
    nginx_binary()
    from oas_ssm.export import export
    from oas_ssm.server.app import create_app
    from oas_ssm.server.config import Config
    from oas_ssm.server.dataset import Dataset
    from oas_ssm.webconf import write_configs

    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    config = Config().with_base(base)
    holder = Path(tempfile.mkdtemp(prefix="ssm-export-"))
    holder.chmod(0o755)
    directory = holder / "site"
    site = export(config, directory)
    write_configs(site, None)
    app = create_app(config, Dataset.load(config))
    yield directory, base, app
    shutil.rmtree(holder, ignore_errors=True)


@pytest.fixture(scope="module")
def site(exported):
    directory, base, app = exported
    with run_nginx(f"include {directory}/nginx.conf;", base + "robots.txt"):
        yield Site(base, app.test_client(use_cookies=False), app.extensions["ssm.dataset"])


def without_memento(links: list[str]) -> list[str]:
    """The `rel="alternate"` values of a `Link` header (what files can say; the Memento
    relations need ssm serve)."""
    return [v for v in links if 'rel="alternate"' in v]


class Site:
    def __init__(self, base: str, client, dataset):
        self.base = base
        self.client = client
        self.dataset = dataset

    def nginx(self, path: str, accept: str | None = None, method: str = "GET", **headers):
        headers["Accept"] = accept  # None: no Accept at all (requests would send */*)
        return requests.request(method, self.base + path.lstrip("/"), headers=headers,
                                allow_redirects=False, timeout=10)  # fmt: skip

    def app(self, path: str, accept: str | None = None, method: str = "GET", **headers):
        if accept is not None:
            headers["Accept"] = accept
        return self.client.open(path, method=method, headers=headers, base_url=self.base[:-1])

    def same(self, path: str, accept: str | None = None, **headers) -> requests.Response:
        """Assert nginx answers `path` as the application does; return nginx's response."""
        ours, theirs = self.nginx(path, accept, **headers), self.app(path, accept, **headers)
        what = (path, accept, headers)
        assert ours.status_code == theirs.status_code, what
        assert ours.headers.get("Access-Control-Allow-Origin") == "*", what
        # Files have no TimeGate: Memento (Accept-Datetime, its Link relations) is ssm serve's.
        assert set(tokens(ours, "Vary")) >= set(tokens(theirs, "Vary")) - {"Accept-Datetime"}, what
        if ours.status_code in (200, 303):
            for name in COMPARED if ours.status_code == 200 else ("Location",):
                assert norm(ours.headers.get(name)) == norm(theirs.headers.get(name)), (what, name)
            assert set(tokens(ours, "Link")) == set(without_memento(tokens(theirs, "Link"))), what
        if ours.status_code == 200:
            assert ours.content == theirs.get_data(), what
            assert ours.headers["ETag"] and ours.headers["Last-Modified"].endswith("GMT")
            assert "max-age" in ours.headers["Cache-Control"] or "no-cache" in ours.headers[
                "Cache-Control"]
        return ours


def tokens(response, name: str) -> list[str]:
    value = response.headers.get(name) or ""
    return [t.strip() for t in value.split(",") if t.strip()]


def norm(value: str | None) -> str | None:
    return value.replace(" ", "").lower() if value else value


def one_per_kind(dataset) -> list[str]:
    found: dict[str, str] = {}
    for iri in dataset.resources():
        found.setdefault(iri[len(dataset.base) :].split("/")[1], iri)
    return sorted(found.values())


# -- dereferencing -------------------------------------------------------------------------------


@pytest.mark.parametrize("accept", ACCEPTS)
def test_things_303_and_documents_as_the_server(site, accept):
    for iri in one_per_kind(site.dataset):
        path = "/" + iri[len(site.base) :]
        see = site.same(path, accept)
        if see.status_code == 303:
            assert "Accept" in tokens(see, "Vary")
            site.same(see.headers["Location"], accept)
        site.same("/doc/" + path[len("/id/") :], accept)  # extension-less: negotiated


@pytest.mark.parametrize("accept", [None, "text/turtle", BROWSER, "application/ld+json"])
def test_ontology_void_graphs_as_the_server(site, accept):
    for path in ("/def/ssm", "/def/ssm/1.0.0", "/void", "/.well-known/void", "/graph/ontology",
                 "/graph/metadata", "/graph/asserted", "/graph/entailed"):  # fmt: skip
        r = site.same(path, accept)
        if r.status_code == 303:
            site.same(r.headers["Location"], accept)


def test_every_document_format_language_and_dump(site):
    """Every file of a unit, the ontology, dumps, sitemap, pages: byte for byte the server's."""
    for stem in ("/doc/unit/ssm", "/def/ssm", "/doc/dataset/ssm"):
        for ext in ("ttl", "jsonld", "rdf", "nt"):
            site.same(f"{stem}.{ext}")
        for lang in ("es", "en"):
            r = site.same(f"{stem}.html", BROWSER, **{"Accept-Language": lang})
            assert r.headers["Content-Language"] == lang
    from oas_ssm.server.metadata import DUMPS

    for name in DUMPS:
        site.same("/dumps/" + name)
    for path in ("/sitemap.xml", "/robots.txt"):
        site.same(path)
    for path in ("/", "/annex", "/search"):
        for headers in ({"Accept-Language": "en-GB,en;q=0.9"}, {"Accept-Language": "es"},
                        {"Accept-Language": "en", "Cookie": "theme=x; lang=es"},
                        {"Cookie": "lang=en"}):  # fmt: skip
            site.same(path, BROWSER, **headers)


def test_conditional_requests_and_head(site):
    doc = "/doc/unit/ssm.ttl"
    first = site.nginx(doc)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    for headers, status in (
        ({"If-None-Match": etag}, 304),
        ({"If-None-Match": f'"other", {etag}'}, 304),
        ({"If-None-Match": "W/" + etag}, 304),
        ({"If-None-Match": '"other"'}, 200),
        ({"If-Modified-Since": modified}, 304),
        ({"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}, 200),
        ({"If-None-Match": '"other"', "If-Modified-Since": modified}, 200),
    ):
        r = site.nginx(doc, **headers)
        assert r.status_code == status, headers
        if status == 304:
            assert r.content == b"" and r.headers["ETag"] == etag
            assert r.headers["Access-Control-Allow-Origin"] == "*"
    for path in ("/id/unit/ssm", "/doc/unit/ssm.jsonld", "/void", "/dumps/ssm.nt",
                 "/sitemap.xml", "/id/unit/nope"):  # fmt: skip
        g, h = site.nginx(path), site.nginx(path, method="HEAD")
        assert h.status_code == g.status_code and h.content == b""
        for name in ("Content-Type", "Content-Length", "ETag", "Location", "Vary"):
            assert h.headers.get(name) == g.headers.get(name), (path, name)


@pytest.mark.parametrize(
    "path",
    ["/id/unit/does-not-exist", "/id/unit/ssm/", "/id/", "/doc/unit/does-not-exist.ttl",
     "/doc/unit/ssm.exe", "/def/nothing", "/dumps/secret.ttl", "/graph/nothing",
     "/doc/unit/ssm.en.html", "/nginx.conf", "/.ssm-export.json", "/_errors/404.html",
     "/static/../nginx.conf"],
)  # fmt: skip
def test_unknown_is_404(site, path):
    plain = site.nginx(path, "text/turtle")
    assert plain.status_code == 404, path
    assert plain.headers["Content-Type"].startswith("text/plain")
    assert plain.headers["Access-Control-Allow-Origin"] == "*"
    assert "Accept" in tokens(plain, "Vary") and "max-age" in plain.headers["Cache-Control"]
    assert "ssm_" not in plain.text and "server {" not in plain.text
    page = site.nginx(path, BROWSER, **{"Accept-Language": "en"})
    assert page.status_code == 404 and page.headers["Content-Type"].startswith("text/html")
    assert page.headers["Content-Language"] == "en" and "404" in page.text


def test_escaping_the_root_is_refused(site):
    """nginx refuses a path that climbs above the root (400) before any file is looked at."""
    for path in ("/dumps/..%2F..%2Fnginx.conf", "/doc/..%2F..%2F..%2Fetc%2Fpasswd"):
        r = site.nginx(path)
        assert r.status_code in (400, 404) and "server {" not in r.text, path


def test_406_methods_cors_and_sparql(site):
    r = site.nginx("/id/unit/ssm", "image/png")
    assert r.status_code == 406 and "text/turtle" in r.text and "Accept" in tokens(r, "Vary")
    for method in ("POST", "PUT", "DELETE"):
        r = site.nginx("/id/unit/ssm", method=method)
        assert r.status_code == 405 and "GET" in r.headers["Allow"]
        assert r.headers["Access-Control-Allow-Origin"] == "*"
    pre = site.nginx("/id/unit/ssm", method="OPTIONS", Origin="https://example.org",
                     **{"Access-Control-Request-Method": "GET"})  # fmt: skip
    assert pre.status_code in (200, 204) and "GET" in pre.headers["Access-Control-Allow-Methods"]
    assert pre.headers["Access-Control-Allow-Origin"] == "*"
    sparql = site.nginx("/sparql?query=ASK%7B%7D")
    assert sparql.status_code == 404 and "no SPARQL endpoint" in sparql.text
    switch = site.nginx("/lang/en?next=/annex")
    assert switch.status_code == 303 and switch.headers["Location"] == "/annex"
    assert "lang=en" in switch.headers["Set-Cookie"]
    assert site.nginx("/lang/en?next=//evil.example").headers["Location"] == "/"


# -- crawling ------------------------------------------------------------------------------------


def test_rdf_crawler_from_the_ssm_reaches_every_resource(site):
    """rdflib alone, as any linked-data client: conneg + 303 from the SSM unit outwards."""
    base = site.base
    start = base + "id/unit/ssm"
    seen, queue = {start}, deque([start])
    while queue:
        iri = queue.popleft()
        g = Graph().parse(iri)
        assert (URIRef(iri), None, None) in g or (None, None, URIRef(iri)) in g, iri
        for term in g.all_nodes():
            found = str(term)
            if isinstance(term, URIRef) and found.startswith(base + "id/") and found not in seen:
                seen.add(found)
                queue.append(found)
    missing = set(site.dataset.resources()) - seen
    assert not missing, sorted(missing)[:10]


def test_every_link_of_the_pages_resolves(site):
    """A browser's crawl from the SSM unit's page: every local link and asset answers 200."""
    start = "/doc/unit/ssm.html"
    seen, queue, checked = {start}, deque([start]), 0
    links = re.compile(r"""(?:href|src)="([^"#]*)""")
    while queue and checked < 3000:
        path = queue.popleft()
        r = requests.get(site.base + path.lstrip("/"), headers={"Accept": BROWSER}, timeout=10)
        checked += 1
        assert r.status_code == 200, path
        if not r.headers["Content-Type"].startswith("text/html"):
            continue
        for link in links.findall(r.text):
            if link.startswith(site.base):
                link = "/" + link[len(site.base) :]
            if not link.startswith("/") or link.startswith("//"):
                continue
            dynamic = ("/sparql", "/release/", "/timemap/", "/feed.")  # ssm serve's (proxied)
            if link.startswith((*dynamic, "/lang/", "/search?")) or link in seen:
                continue
            seen.add(link)
            queue.append(link)
    assert checked > len(site.dataset.resources()), checked


# -- the command ---------------------------------------------------------------------------------


def test_export_refuses_what_it_cannot_do(tmp_path):
    def ssm(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "oas_ssm.cli", "export", *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)  # fmt: skip

    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "keep.txt").write_text("mine")
    r = ssm(str(tmp_path / "busy"))
    assert r.returncode == 2 and "not empty" in r.stderr and "Traceback" not in r.stderr
    assert (tmp_path / "busy" / "keep.txt").read_text() == "mine"
    r = ssm(str(tmp_path / "x"), "--base-uri", "ftp://example.org/")
    assert r.returncode == 2 and "base_uri" in r.stderr
    r = ssm(str(tmp_path / "x"), "--sparql-upstream", "not a url")
    assert r.returncode == 2 and "--sparql-upstream" in r.stderr
