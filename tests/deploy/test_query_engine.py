"""An existing SPARQL engine as the query tier: `ssm publish --graph-store` loads it, and
`oas_ssm.server.sparql.remote.RemoteEngine` answers `/sparql` through it with our rules.

Run against Oxigraph server (always, from the test extras) and Virtuoso (where Debian's package
is installed; skipped with the reason otherwise). The engine holds the graphs under the canonical
base while the application serves another one, so base rewriting is exercised both ways, and it
holds a decoy graph of its own, which our union default graph must not see.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from flask import Flask
from oas_ssm.server.formats import RDF_FORMATS

from tests.deploy.engines import ENGINES, Engine
from tests.sparql_page import editor_page

ROOT = Path(__file__).resolve().parents[2]
SERVED = "http://ssm.test:8080/"
CANONICAL = "https://w3id.org/oas-ssm/"
DECOY = "http://example.org/decoy"
# Where an engine's answer is known to differ from the SPARQL 1.1 semantics our embedded store
# (Oxigraph) follows; the test fails if these change, either way.
KNOWN_DEVIATIONS = {
    "virtuoso": {
        "03-secretariat-to-bodies": "Virtuoso 7.2 returns an xsd:boolean projection as 1/0",
        "08-ssm-units-any-depth": "Virtuoso 7.2 counts `?above p* <const>` (zero-length path "
        "to a constant) differently: every depth comes out wrong",
    },
}
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def ssm(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "oas_ssm.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip


def publish_env(engine: Engine) -> dict:
    env = dict(os.environ)
    if engine.auth:
        env["SSM_GRAPH_STORE_AUTH"] = engine.auth
    return env


@pytest.fixture(scope="module", params=sorted(ENGINES))
def engine(request):
    with ENGINES[request.param]() as running:
        r = ssm("publish", "--graph-store", running.store_url, env=publish_env(running))
        assert r.returncode == 0, r.stderr
        decoy = "<http://example.org/x> <http://example.org/p> <http://example.org/y> .\n"
        auth = tuple(running.auth.split(":")) if running.auth else None
        put = requests.put(f"{running.store_url}?graph={quote(DECOY, safe='')}", data=decoy,
                           headers={"Content-Type": "application/n-triples"}, timeout=30,
                           auth=requests.auth.HTTPDigestAuth(*auth) if auth else None)  # fmt: skip
        assert put.status_code in (200, 201, 204), put.text
        yield running


@pytest.fixture(scope="module")
def dataset():
    from oas_ssm.server.config import Config
    from oas_ssm.server.dataset import Dataset

    return Dataset.load(Config().with_base(SERVED))


def settings(**kwargs):
    from oas_ssm.server.sparql import SparqlSettings

    return SparqlSettings(**{"timeout": 20.0, **kwargs})


@pytest.fixture
def remote(engine, dataset, monkeypatch):
    from oas_ssm.server.sparql.remote import RemoteEngine
    from oas_ssm.server.sparql.slots import ENV

    monkeypatch.delenv(ENV, raising=False)  # a bound of this test's own
    made = []

    def make(**kwargs):
        made.append(RemoteEngine(engine.query_url, settings(**kwargs), dataset))
        return made[-1]

    yield make
    for r in made:
        r.close()


def job(dataset, query: str, fmt: str = "json", default=None, named=None, max_rows=100_000):
    from oas_ssm.server.sparql.guard import inspect

    plan = inspect(query, dataset.canonical_base, dataset.base, 128)
    return {"query": plan.text, "form": plan.form, "format": fmt, "base_iri": dataset.base,
            "has_dataset": plan.has_dataset, "default_graphs": default, "named_graphs": named,
            "max_rows": max_rows, "max_bytes": 2**27}  # fmt: skip


def embedded(dataset, j: dict):
    from oas_ssm.server.sparql.worker import run_job

    return run_job(dataset.store, j, dict(dataset.prefixes))


def rows(body: bytes, ordered: bool):
    """SPARQL JSON results as comparable rows (blank node labels are the engine's own)."""
    answer = json.loads(body)
    if "boolean" in answer:
        return answer["boolean"]

    def term(t: dict) -> tuple:
        return (t["type"], "_" if t["type"] == "bnode" else t["value"], t.get("xml:lang"),
                t.get("datatype"))  # fmt: skip

    out = [tuple(sorted((k, term(v)) for k, v in b.items())) for b in answer["results"]["bindings"]]
    return out if ordered else Counter(out)


# -- the same answers ----------------------------------------------------------------------------


def test_every_competency_question_answers_as_the_embedded_store(engine, dataset, remote):
    from oas_ssm.queries import load_queries

    engine_ = remote()
    questions = load_queries()
    assert len(questions) >= 10
    differ = {}
    for q in questions:
        j = job(dataset, q.sparql)
        ours, theirs = embedded(dataset, j), engine_.run(j, dataset.version)
        assert theirs[0] == ours[0] == 200, (q.name, theirs)
        if rows(theirs[1], q.ordered) != rows(ours[1], q.ordered):
            differ[q.name] = theirs[1][:300]
        assert CANONICAL.encode() not in theirs[1] or CANONICAL.encode() in ours[1], q.name
    assert set(differ) == set(KNOWN_DEVIATIONS.get(engine.name, {})), differ


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv", "html"])
def test_select_formats_are_byte_for_byte_the_embedded_ones(dataset, remote, fmt):
    query = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?u ?label WHERE { "
             f"?u a <{CANONICAL}def/ssm#Department> ; skos:prefLabel ?label "
             # one language: SPARQL leaves the order of differently tagged literals open
             'FILTER(lang(?label) = "es") } ORDER BY ?u ?label')
    j = job(dataset, query, fmt)
    ours, theirs = embedded(dataset, j), remote().run(j, dataset.version)
    assert theirs == ours and ours[0] == 200 and SERVED.encode() in ours[1]


@pytest.mark.parametrize("fmt", [f.key for f in RDF_FORMATS])
def test_construct_describe_and_ask(dataset, remote, fmt):
    from pyoxigraph import RdfFormat, parse

    formats = {"ttl": RdfFormat.TURTLE, "nt": RdfFormat.N_TRIPLES,
               "jsonld": RdfFormat.JSON_LD, "rdf": RdfFormat.RDF_XML}  # fmt: skip
    engine_ = remote()
    for query in (f"DESCRIBE <{CANONICAL}id/unit/ssm>",
                  f"CONSTRUCT {{ <{SERVED}id/unit/ssm> ?p ?o }} WHERE "
                  f"{{ <{SERVED}id/unit/ssm> ?p ?o }}"):  # fmt: skip
        j = job(dataset, query, fmt)
        ours, theirs = embedded(dataset, j), engine_.run(j, dataset.version)
        assert theirs[0] == ours[0] == 200
        got = set(parse(theirs[1], format=formats[fmt]))
        expected = set(parse(ours[1], format=formats[fmt]))
        assert len(expected) > 10
        if query.startswith("DESCRIBE"):  # what a description holds is the engine's choice
            assert expected <= got
        else:
            assert got == expected
    for query in (f"ASK {{ <{CANONICAL}id/unit/ssm> ?p ?o }}", "ASK { ?s ?p 'no such thing' }"):
        j = job(dataset, query)
        assert engine_.run(j, dataset.version) == embedded(dataset, j)


def test_default_graph_is_the_union_of_ours_whatever_the_engine_holds(dataset, remote):
    engine_ = remote()
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    only = f"SELECT (COUNT(*) AS ?n) FROM <{CANONICAL}graph/ontology> WHERE {{ ?s ?p ?o }}"
    for query in (count, graphs, only):
        j = job(dataset, query)
        ours, theirs = embedded(dataset, j), engine_.run(j, dataset.version)
        assert rows(theirs[1], True) == rows(ours[1], True), query
        assert DECOY.encode() not in theirs[1]
    protocol = job(dataset, count, default=(f"{SERVED}graph/entailed",), named=())
    assert rows(engine_.run(protocol, dataset.version)[1], True) == rows(
        embedded(dataset, protocol)[1], True)


def test_row_limit_and_engine_errors(dataset, remote, engine):
    from oas_ssm.server.sparql.remote import RemoteEngine

    j = job(dataset, "SELECT * WHERE { ?s ?p ?o }", max_rows=50)
    assert remote().run(j, dataset.version)[0] == 422 == embedded(dataset, j)[0]
    bad = job(dataset, "SELECT ?x WHERE { ?x <http://example.org/p> }")  # the engine's parser
    status, message = remote().run(bad, dataset.version)
    assert status == 400 and "Traceback" not in message
    from oas_ssm.server.sparql.errors import SparqlError

    from tests.deploy.engines import PORTS
    from tests.serving import free_port

    nowhere = RemoteEngine(f"http://127.0.0.1:{free_port(PORTS)}/query", settings(), dataset)
    with pytest.raises(SparqlError) as e:
        nowhere.run(job(dataset, "ASK {}"), dataset.version)
    assert e.value.status == 503 and "unreachable" in e.value.message


def test_deadline_is_ours(dataset, remote):
    from oas_ssm.server.sparql.errors import SparqlError

    with pytest.raises(SparqlError) as e:
        remote(timeout=1.0).run(job(dataset, HEAVY), dataset.version)
    assert e.value.status == 503 and "longer than 1 s" in e.value.message


def test_admission_turns_away_what_cannot_wait(dataset, remote):
    from oas_ssm.server.sparql.errors import SparqlError

    engine_ = remote(timeout=2.0, max_concurrent=1, max_waiting=0, queue_wait=0.1)
    statuses: list[int] = []

    def heavy() -> None:
        try:
            statuses.append(engine_.run(job(dataset, HEAVY), dataset.version)[0])
        except SparqlError as e:
            statuses.append(e.status)

    threads = [threading.Thread(target=heavy) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(statuses) == [429, 429, 503]


# -- through the endpoint ------------------------------------------------------------------------


@pytest.fixture
def client(dataset, remote):
    """A tiny Flask app with the SPARQL blueprint, its query tier the engine; counts what is
    forwarded."""
    from oas_ssm.server.sparql import create_blueprint

    app = Flask(__name__)
    bp = create_blueprint(dataset, settings(timeout=20.0), editor_page)
    app.register_blueprint(bp)
    engine_ = remote(timeout=20.0)
    forwarded: list[str] = []
    run = engine_.run

    def counting(j, version):
        forwarded.append(j["query"])
        return run(j, version)

    engine_.run = counting  # type: ignore[method-assign]
    bp.sparql_endpoint.pool = engine_
    test_client = app.test_client()
    test_client.forwarded = forwarded  # type: ignore[attr-defined]
    return test_client


def test_endpoint_refuses_before_forwarding(client):
    for query in (
        "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
        "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }",
        "DROP ALL",
        "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
    ):
        r = client.get("/sparql", query_string={"query": query})
        assert r.status_code in (400, 403), query
    r = client.post("/sparql", data={"update": "DROP ALL"})
    assert r.status_code in (400, 403, 405)
    assert client.forwarded == []  # type: ignore[attr-defined]


def test_endpoint_answers_through_the_engine(client):
    query = f"SELECT ?p ?o WHERE {{ <{CANONICAL}id/unit/ssm> ?p ?o }} ORDER BY ?p ?o"
    for media in ("application/sparql-results+json", "text/csv", "application/sparql-results+xml"):
        accept = media
        r = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
        assert r.status_code == 200 and r.mimetype == media, r.data
        assert f"{SERVED}id/".encode() in r.data and f"{CANONICAL}id/".encode() not in r.data
    again = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/csv"})
    assert again.status_code == 200
    assert len(client.forwarded) == 3  # type: ignore[attr-defined]  # one per format; then cached
    engine_ = client.application.blueprints["sparql"].sparql_endpoint.pool
    sent = dict(engine_._protocol_fields(job(engine_.source, query), engine_._rewriters[
        engine_.source.version]))  # what goes on the wire: the engine's IRIs
    assert f"<{CANONICAL}id/unit/ssm>" in sent["query"] and SERVED not in sent["query"]
    page = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/html"})
    assert page.status_code == 200 and b"<table" in page.data.lower()


def test_settings_choose_the_query_tier(dataset):
    """`SparqlSettings.query_endpoint` (from a config's `query_endpoint`) selects the engine."""
    from oas_ssm.server.sparql import SparqlSettings
    from oas_ssm.server.sparql.pool import Pool
    from oas_ssm.server.sparql.remote import RemoteEngine, query_tier

    class Config:  # what `ssm serve --query-endpoint` puts in the server's config
        query_timeout = 7.0
        query_endpoint = "http://127.0.0.1:1/query"

    chosen = SparqlSettings.coerce(Config())
    assert chosen.query_endpoint == Config.query_endpoint and chosen.timeout == 7.0
    assert isinstance(query_tier(chosen, dataset, dict), RemoteEngine)
    assert isinstance(query_tier(SparqlSettings(), dataset, dict), Pool)


def test_publish_rerun_replaces(engine, dataset):
    r = ssm("publish", "--graph-store", engine.store_url, env=publish_env(engine))
    assert r.returncode == 0, r.stderr
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    answer = requests.post(engine.query_url, data={"query": query}, timeout=30,
                           headers={"Accept": "application/sparql-results+json"}).json()
    counts = {b["g"]["value"]: int(b["n"]["value"]) for b in answer["results"]["bindings"]}
    for name in ("asserted", "entailed", "ontology", "metadata"):
        assert counts[f"{CANONICAL}graph/{name}"] == dataset.counts[name], name


def test_graphs_share_no_blank_node(dataset):
    """Each graph is PUT on its own, so a blank node shared by two graphs would split in two."""
    from pyoxigraph import BlankNode

    seen: dict = {}
    for name in dataset.graphs:
        for t in dataset.triples(name):
            for term in (t.subject, t.object):
                if isinstance(term, BlankNode):
                    assert seen.setdefault(term, name) == name, term


# -- ssm publish against a store that says no ----------------------------------------------------


@contextlib.contextmanager
def refusing_store(status: int):
    """A loopback HTTP server answering every request with `status`; records the requests."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_PUT(self) -> None:  # noqa: N802 - the http.server naming
            seen.append(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            self.send_response(status)
            if status == 401:
                self.send_header("WWW-Authenticate", 'Basic realm="store"')
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/store", seen
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(("status", "says"), [(401, "SSM_GRAPH_STORE_AUTH"), (413, "413"),
                                              (500, "500")])  # fmt: skip
def test_publish_errors_are_clear(status, says):
    with refusing_store(status) as (url, seen):
        r = ssm("publish", "--graph-store", url)
    assert r.returncode == 2 and says in r.stderr and "Traceback" not in r.stderr
    assert len(seen) == 1  # stopped at the first refusal


def test_publish_dry_run_and_bad_urls():
    with refusing_store(500) as (url, seen):
        r = ssm("publish", "--graph-store", url, "--dry-run")
    assert r.returncode == 0 and seen == []
    assert r.stdout.count("would PUT") == 4 and "graph%2Fentailed" in r.stdout
    from tests.deploy.engines import PORTS
    from tests.serving import free_port

    r = ssm("publish", "--graph-store", f"http://127.0.0.1:{free_port(PORTS)}/store")
    assert r.returncode == 2 and "cannot connect" in r.stderr
    r = ssm("publish", "--graph-store", "store")
    assert r.returncode == 2 and "--graph-store" in r.stderr


def test_ssm_serve_with_query_endpoint_answers_as_itself(engine):
    """`ssm serve --query-endpoint` (a real server process): every competency question gives
    the answer the embedded store gives, documents still come from our own store, and the
    guard still refuses before anything is forwarded."""
    from oas_ssm.queries import load_queries

    from tests.server.conftest import start_server

    if engine.name != "oxigraph":
        pytest.skip("one engine is enough for the process test; the others run in-process")
    with start_server(workers=1) as plain, start_server(
        None, None, "--query-endpoint", engine.query_url, workers=1
    ) as through:
        for q in load_queries():
            a = requests.post(plain.url + "sparql", data={"query": q.sparql}, timeout=60,
                              headers={"Accept": "application/sparql-results+json"})
            b = requests.post(through.url + "sparql", data={"query": q.sparql}, timeout=60,
                              headers={"Accept": "application/sparql-results+json"})
            assert a.status_code == b.status_code == 200, (q.name, b.text[:200])
            if q.name not in KNOWN_DEVIATIONS.get(engine.name, {}):
                assert rows(a.content, q.ordered) == rows(b.content, q.ordered), q.name
        doc = requests.get(through.url + "id/unit/ssm", headers={"Accept": "text/turtle"},
                           timeout=30)
        assert doc.status_code == 200 and doc.history[0].status_code == 303
        refused = requests.get(through.url + "sparql", timeout=30, params={
            "query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
        assert refused.status_code == 403
