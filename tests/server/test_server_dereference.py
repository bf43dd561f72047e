"""Dereferencing over HTTP: 303s, negotiated documents, headers, validators, errors, CORS."""

from __future__ import annotations

import pytest
import requests
from rdflib import Graph, URIRef

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
FORMATS = {
    "ttl": ("text/turtle", "turtle"),
    "jsonld": ("application/ld+json", "json-ld"),
    "rdf": ("application/rdf+xml", "xml"),
    "nt": ("application/n-triples", "nt"),
    "html": ("text/html", None),
}
ACCEPTS = [
    (None, "ttl"),
    ("*/*", "ttl"),
    ("text/turtle", "ttl"),
    ("application/ld+json", "jsonld"),
    ("application/json", "jsonld"),
    ("application/rdf+xml", "rdf"),
    ("application/xml", "rdf"),
    ("text/xml", "rdf"),
    ("application/n-triples", "nt"),
    ("text/plain", "nt"),
    ("text/html", "html"),
    (BROWSER, "html"),
    ("text/turtle;q=0.2, application/ld+json;q=0.8", "jsonld"),
]
KINDS = ("organization", "unit", "post", "function", "provision", "body", "instrument", "area",
         "observatory", "concept", "scheme", "statement", "dataset")  # fmt: skip


def get(url: str, accept: str | None = None, **headers) -> requests.Response:
    headers["Accept"] = accept  # None: no Accept header at all (requests would send */*)
    return requests.get(url, headers=headers, allow_redirects=False, timeout=10)


def path_of(server, iri: str) -> str:
    return "/" + iri[len(server.base) :]


def one_per_kind(resources: list[str], base: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for iri in resources:
        kind = iri[len(base) :].split("/")[1]
        found.setdefault(kind, iri)
    return found


@pytest.fixture(scope="module")
def samples(annex_server, annex_resources) -> dict[str, str]:
    return one_per_kind(annex_resources, annex_server.base)


def test_every_kind_is_present(samples):
    assert {"unit", "post", "function", "provision", "dataset"} <= set(samples)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("accept", "fmt"), ACCEPTS)
def test_303_then_document(annex_server, samples, kind, accept, fmt):
    if kind not in samples:
        pytest.skip(f"no {kind} in the data")
    iri = samples[kind]
    r = get(annex_server.http(iri), accept)
    assert r.status_code == 303
    doc_path = "/doc/" + iri[len(annex_server.base + "id/") :]
    assert r.headers["Location"] == f"{doc_path}.{fmt}"
    assert "Accept" in r.headers["Vary"]
    assert r.headers["Access-Control-Allow-Origin"] == "*"

    d = get(annex_server.url.rstrip("/") + r.headers["Location"], accept)
    assert d.status_code == 200
    media, parser = FORMATS[fmt]
    assert d.headers["Content-Type"].split(";")[0] == media
    assert d.headers["Content-Location"] == f"{doc_path}.{fmt}"
    for other, (other_media, _) in FORMATS.items():
        if other != fmt:
            assert (
                f'<{doc_path}.{other}>; rel="alternate"; type="{other_media}"' in d.headers["Link"]
            )
    assert d.headers["ETag"].startswith('"')
    assert d.headers["Last-Modified"].endswith("GMT")
    assert "max-age" in d.headers["Cache-Control"]
    assert d.headers["Access-Control-Allow-Origin"] == "*"
    if parser:
        g = Graph().parse(data=d.content, format=parser)
        assert (URIRef(iri), None, None) in g or (None, None, URIRef(iri)) in g
    else:
        assert "<html" in d.text.lower() and d.headers["Content-Language"] in ("es", "en")


def test_negotiated_document_without_extension(annex_server, samples):
    iri = samples["unit"]
    doc = annex_server.url + "doc/" + iri[len(annex_server.base + "id/") :]
    for accept, fmt in ACCEPTS:
        r = get(doc, accept)
        assert r.status_code == 200
        assert r.headers["Content-Location"].endswith("." + fmt)
        assert "Accept" in r.headers["Vary"]
        explicit = get(annex_server.url.rstrip("/") + r.headers["Content-Location"], accept)
        assert explicit.content == r.content and explicit.headers["ETag"] == r.headers["ETag"]


def test_formats_describe_the_same_graph(annex_server, samples):
    from rdflib.compare import isomorphic

    doc = annex_server.url + "doc/" + samples["unit"][len(annex_server.base + "id/") :]
    graphs = [
        Graph().parse(data=get(f"{doc}.{fmt}").content, format=FORMATS[fmt][1])
        for fmt in ("ttl", "jsonld", "rdf", "nt")
    ]
    assert len(graphs[0]) > 10
    for g in graphs[1:]:
        assert isomorphic(graphs[0], g)


def test_406_lists_the_offers(annex_server, samples):
    for url in (
        annex_server.http(samples["unit"]),
        annex_server.url + "doc/" + samples["unit"][len(annex_server.base + "id/") :],
        annex_server.url + "def/ssm",
        annex_server.url + "void",
    ):
        r = get(url, "image/png, application/pdf;q=0.5")
        assert r.status_code == 406, url
        for media, _ in FORMATS.values():
            assert media in r.text
        assert r.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "path",
    [
        "id/unit/does-not-exist",
        "id/unit/ssm/",
        "id/",
        "doc/unit/does-not-exist.ttl",
        "doc/unit/ssm.exe",
        "def/nothing",
        "dumps/secret.ttl",
        "id/../../etc/passwd",
        "doc/..%2F..%2Fdata%2Fssm.ttl",
        "dumps/..%2F..%2Fpyproject.toml",
        "static/../../pyproject.toml",
    ],
)
def test_unknown_is_404_text_or_html(annex_server, path):
    url = annex_server.url + path
    plain = get(url, "text/turtle")
    assert plain.status_code == 404
    assert plain.headers["Content-Type"].startswith(("text/plain", "text/html"))
    assert plain.headers["Access-Control-Allow-Origin"] == "*"
    assert "Traceback" not in plain.text and "[tool" not in plain.text
    assert "Accept" in vary(plain)
    if path.startswith(("id/", "doc/", "def/", "dumps/")):
        assert plain.headers["Content-Type"].startswith("text/plain")
        html = get(url, BROWSER)
        assert html.status_code == 404 and html.headers["Content-Type"].startswith("text/html")
        assert "Accept" in vary(html)


def vary(r: requests.Response) -> list[str]:
    return [v.strip() for v in r.headers.get("Vary", "").split(",")]


def test_every_negotiated_error_varies_on_accept(annex_server, samples):
    """Errors are cacheable (max-age), and their body depends on Accept (text or page)."""
    unit = annex_server.http(samples["unit"])
    for method in ("POST", "PUT", "DELETE"):
        for accept in ("text/plain", BROWSER):
            r = requests.request(method, unit, headers={"Accept": accept}, timeout=10)
            assert r.status_code == 405 and "Accept" in vary(r), (method, accept)
        assert r.headers["Content-Type"].startswith("text/html")  # the browser got a page
    r = get(unit, "image/png")
    assert r.status_code == 406 and "Accept" in vary(r)
    for path in ("no-such-page", "id/unit/nope", "graph/nothing"):
        for accept in ("text/turtle", BROWSER):
            r = get(annex_server.url + path, accept)
            assert r.status_code == 404 and "Accept" in vary(r), (path, accept)
            assert "max-age" in r.headers["Cache-Control"]


def test_conditional_requests(annex_server, samples):
    doc = annex_server.url + "doc/" + samples["post"][len(annex_server.base + "id/") :] + ".ttl"
    first = get(doc)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]

    r = get(doc, **{"If-None-Match": etag})
    assert r.status_code == 304 and r.content == b""
    assert r.headers["ETag"] == etag and r.headers["Access-Control-Allow-Origin"] == "*"
    assert get(doc, **{"If-None-Match": f'"other", {etag}'}).status_code == 304
    assert get(doc, **{"If-None-Match": "W/" + etag}).status_code == 304
    assert get(doc, **{"If-None-Match": "*"}).status_code == 304
    assert get(doc, **{"If-None-Match": '"other"'}).status_code == 200

    assert get(doc, **{"If-Modified-Since": modified}).status_code == 304
    assert get(doc, **{"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status_code == 200
    assert get(doc, **{"If-Modified-Since": "not a date"}).status_code == 200
    # If-None-Match decides when both are sent
    both = {"If-None-Match": '"other"', "If-Modified-Since": modified}
    assert get(doc, **both).status_code == 200


def test_etags_agree_across_workers(annex_server, samples):
    doc = annex_server.url + "doc/" + samples["function"][len(annex_server.base + "id/") :]
    tags = {get(doc, "text/turtle").headers["ETag"] for _ in range(20)}
    tags_html = {get(doc, BROWSER).headers["ETag"] for _ in range(20)}
    assert len(tags) == 1 and len(tags_html) == 1 and tags != tags_html


def test_head_matches_get(annex_server, samples):
    for url in (
        annex_server.http(samples["unit"]),
        annex_server.url + "doc/" + samples["unit"][len(annex_server.base + "id/") :] + ".jsonld",
        annex_server.url + "void",
        annex_server.url + "dumps/ssm.nt",
        annex_server.url + "sitemap.xml",
        annex_server.url + "id/unit/nope",
    ):
        g = get(url)
        h = requests.head(url, headers={"Accept": None}, allow_redirects=False, timeout=10)
        assert h.status_code == g.status_code
        assert h.content == b""
        for name in ("Content-Type", "Content-Length", "ETag", "Location", "Vary",
                     "Access-Control-Allow-Origin"):  # fmt: skip
            assert h.headers.get(name) == g.headers.get(name), (url, name)


def test_cors_everywhere(annex_server, samples):
    post = requests.post(annex_server.http(samples["unit"]), timeout=10)
    assert post.status_code == 405 and "GET" in post.headers["Allow"]
    assert post.headers["Access-Control-Allow-Origin"] == "*"
    preflight = requests.options(
        annex_server.http(samples["unit"]),
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
        timeout=10,
    )
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    for path in ("", "no-such-page", "void", "sitemap.xml", "dumps/ssm.ttl"):
        r = get(annex_server.url + path, BROWSER)
        assert r.headers.get("Access-Control-Allow-Origin") == "*", path


def test_html_language(annex_server, samples):
    doc = annex_server.url + "doc/" + samples["unit"][len(annex_server.base + "id/") :] + ".html"
    assert get(doc, BROWSER).headers["Content-Language"] == "es"
    en = get(doc, BROWSER, **{"Accept-Language": "en-GB,en;q=0.9"})
    assert en.headers["Content-Language"] == "en"
    assert "Accept-Language" in en.headers["Vary"]
    cookie = get(doc, BROWSER, **{"Accept-Language": "en", "Cookie": "theme=x; lang=es"})
    assert cookie.headers["Content-Language"] == "es"


def test_ontology(annex_server):
    """The ontology IRI is a thing like `/id/…`: 303 to `/def/ssm.{ext}` by Accept."""
    ont = annex_server.base + "def/ssm"
    owl = "http://www.w3.org/2002/07/owl#"
    for accept, fmt in ACCEPTS:
        r = get(annex_server.url + "def/ssm", accept)
        assert r.status_code == 303, accept
        assert r.headers["Location"] == f"/def/ssm.{fmt}"
        assert "Accept" in vary(r) and r.headers["Access-Control-Allow-Origin"] == "*"
    r = get(annex_server.url + "def/ssm.ttl", "text/turtle")
    g = Graph().parse(data=r.content, format="turtle")
    assert (URIRef(ont), None, URIRef(owl + "Ontology")) in g
    terms = {s for s in g.subjects() if str(s).startswith(ont + "#")}
    assert len(terms) > 5
    for fmt, (media, parser) in FORMATS.items():
        d = get(f"{annex_server.url}def/ssm.{fmt}", BROWSER)
        assert d.status_code == 200 and d.headers["Content-Type"].startswith(media)
        assert d.headers["Content-Location"] == f"/def/ssm.{fmt}"
        assert d.headers["ETag"].startswith('"') and d.headers["Last-Modified"].endswith("GMT")
        assert "max-age" in d.headers["Cache-Control"]
        assert d.headers["Access-Control-Allow-Origin"] == "*"
        assert "Accept" not in vary(d)  # the URL names the format
        for other, (other_media, _) in FORMATS.items():
            if other != fmt:
                link = f'</def/ssm.{other}>; rel="alternate"; type="{other_media}"'
                assert link in d.headers["Link"]
        if parser:
            assert len(Graph().parse(data=d.content, format=parser)) == len(g)
    version = g.value(URIRef(ont), URIRef(owl + "versionIRI"))
    assert version is not None
    r = get(annex_server.http(str(version)), "text/turtle")
    assert r.status_code == 303 and r.headers["Location"] == "/def/ssm.ttl"
    assert "Accept" in vary(r)


def test_ontology_page_is_the_web_packages(annex_server):
    """`/def/ssm.html` is the web package's `render_resource_html` for the ontology IRI."""
    from oas_ssm.server import web
    from oas_ssm.server.config import Config
    from oas_ssm.server.dataset import Dataset

    from tests.server.conftest import annex_files

    data, ontology = annex_files()  # the same files as the server
    dataset = Dataset.load(Config(data=data, ontology=ontology))
    expected = web.render_resource_html(dataset, dataset.ontology_iri, "en")
    page = get(annex_server.url + "def/ssm.html", BROWSER, **{"Accept-Language": "en"})
    assert page.status_code == 200 and page.headers["Content-Language"] == "en"
    assert page.text == expected
