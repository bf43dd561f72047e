"""A public endpoint is hostile ground: no outbound calls, deadlines, bounded load, no 500s."""

from __future__ import annotations

import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests


# These tests need a real server (a client's own sockets, processes, concurrency).
@pytest.fixture(scope="module")
def endpoint(live_endpoint: str) -> str:
    return live_endpoint


@pytest.fixture(scope="module")
def base(live_base: str) -> str:
    return live_base

ROOT = Path(__file__).resolve().parents[3]


def test_no_outbound_connection_whatever_the_query_says(endpoint, listener):
    url = listener.url
    q = "application/sparql-query"
    sends = [
        ("GET", {"query": f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"}, None, None),
        ("GET", {"query": f"SELECT * {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}"}, None, None),
        ("GET", {"query": f"SELECT * {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}"}, None, None),
        ("GET", {"query": f"SELECT * FROM <{url}x> WHERE {{ ?s ?p ?o }}"}, None, None),
        ("GET", {"query": f"SELECT * FROM NAMED <{url}x> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"},
         None, None),
        ("GET", {"query": "ASK { ?s ?p ?o }", "default-graph-uri": url + "x"}, None, None),
        ("GET", {"query": "ASK { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": url + "x"},
         None, None),
        ("GET", {"query": f"DESCRIBE <{url}x>"}, None, None),
        ("GET", {"query": f"LOAD <{url}data.ttl>"}, None, None),
        ("GET", {"update": f"LOAD <{url}data.ttl>"}, None, None),
        ("POST", None, f"LOAD <{url}data.ttl>".encode(), "application/sparql-update"),
        ("POST", None, f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}".encode(), q),
        ("POST", {"query": f"SELECT * FROM <{url}y> {{ ?s ?p ?o }}"}, None, None),
    ]  # fmt: skip
    statuses = []
    for method, params, body, content_type in sends:
        if method == "GET":
            r = requests.get(endpoint, params=params, timeout=30)
        elif body is not None:
            r = requests.post(
                endpoint, data=body, headers={"Content-Type": content_type}, timeout=30
            )
        else:
            r = requests.post(endpoint, data=params, timeout=30)
        assert r.status_code < 500, (params, r.text)
        statuses.append(r.status_code)
    time.sleep(0.5)
    assert listener.connections == 0
    assert statuses[:3] == [403, 403, 403]  # SERVICE refused before evaluation
    assert statuses[3:8] == [200] * 5  # foreign graphs are just empty


def test_query_processes_can_be_cut_off_from_the_network(listener):
    """Second wall: a worker started with --isolate has no network at all (where allowed)."""
    code = (
        "import socket, sys\n"
        "from oas_ssm.server.sparql.worker import isolate_network\n"
        "if not isolate_network(): sys.exit(2)\n"
        "try:\n"
        f"    socket.create_connection(('127.0.0.1', {listener.port}), timeout=2)\n"
        "except OSError:\n"
        "    sys.exit(0)\n"
        "sys.exit(1)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=30)
    if result.returncode == 2:
        pytest.skip("this kernel does not allow unprivileged network namespaces")
    assert result.returncode == 0
    time.sleep(0.2)
    assert listener.connections == 0


def test_deadline_kills_the_query_and_the_pool_recovers(endpoint, heavy_query):
    start = time.monotonic()
    r = requests.get(endpoint, params={"query": heavy_query("deadline")}, timeout=30)
    elapsed = time.monotonic() - start
    assert r.status_code == 503 and "3 s" in r.text
    assert elapsed > 2.5  # it ran to the deadline (how much later it ends is the machine's)
    # the killed worker is replaced: two fresh queries at once both succeed
    queries = [f"ASK {{ ?s ?p {i} }} # {time.monotonic_ns()}" for i in range(2)]
    with ThreadPoolExecutor(2) as pool:
        results = list(
            pool.map(lambda q: requests.get(endpoint, params={"query": q}, timeout=30), queries)
        )
    assert [r.status_code for r in results] == [200, 200]


def test_light_queries_and_pages_answer_while_a_heavy_query_runs(sparql_server, heavy_query):
    endpoint = sparql_server.endpoint
    with ThreadPoolExecutor(1) as pool:
        heavy = pool.submit(
            requests.get, endpoint, params={"query": heavy_query("busy")}, timeout=30
        )
        time.sleep(0.3)
        for i in range(8):
            q = f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT {i + 1} # {time.monotonic_ns()}"
            r = requests.get(endpoint, params={"query": q}, timeout=30)
            assert r.status_code == 200, (i, r.status_code, r.text[:100])
            page = requests.get(sparql_server.url + "page", timeout=30)
            assert page.status_code == 200, (i, "page")
        assert heavy.result().status_code == 503


def test_cached_results_need_no_query_process(endpoint, heavy_query):
    """With every worker stuck, a query answered before is still answered, at once."""
    cached = f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT 3 # cached {time.monotonic_ns()}"
    first = requests.get(endpoint, params={"query": cached}, timeout=30)
    assert first.status_code == 200
    post_cached = requests.post(endpoint, data={"query": cached}, timeout=30)
    assert post_cached.status_code == 200
    with ThreadPoolExecutor(2) as pool:
        stuck = [pool.submit(requests.get, endpoint, params={"query": heavy_query(f"s{i}")},
                             timeout=30) for i in range(2)]  # fmt: skip
        time.sleep(0.5)
        for _ in range(20):
            again = requests.get(endpoint, params={"query": cached}, timeout=30)
            assert again.content == first.content
            posted = requests.post(endpoint, data={"query": cached}, timeout=30)
            assert posted.content == first.content
        assert [f.result().status_code for f in stuck] == [503, 503]


def test_beyond_the_limit_clients_are_told_to_retry(endpoint, heavy_query):
    """2 running + 1 waiting is the test server's limit: the next one gets 429 at once."""
    with ThreadPoolExecutor(3) as pool:
        busy = [pool.submit(requests.get, endpoint, params={"query": heavy_query(f"b{i}")},
                            timeout=30) for i in range(3)]  # fmt: skip
        time.sleep(0.5)
        r = requests.get(endpoint, params={"query": heavy_query("one too many")}, timeout=30)
        assert r.status_code == 429 and r.headers["Retry-After"].isdigit()
        codes = sorted(f.result().status_code for f in busy)
    assert codes in ([429, 503, 503], [503, 503, 503])


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 2000 + "1" + ")" * 2000 + ") }",
        "SELECT * WHERE " + "{" * 3000 + "}" * 3000,
        "SELECT * WHERE { ?s ?p " + "[ ?p " * 1000 + "?o" + " ]" * 1000 + " }",
        "ASK { FILTER(" + "!" * 7000 + "true) }",
        "ASK { FILTER(" + "-" * 7000 + "1 = 1) }",
        "ASK { FILTER(" + "+".join(["1"] * 3500) + " > 0) }",
        "ASK { FILTER(" + "||".join(["false"] * 1300) + ") }",
        "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 600) + " } LIMIT 1",
        "SELECT * WHERE { ?s " + "/".join(["?p"] * 10) + " ?o }",
        "SELECT * WHERE { ?s " + "/".join(["<http://x/p>*"] * 400) + " ?o }",
        "SELECT " + " ".join(f"?v{i}" for i in range(1500)) + " WHERE { }",
        'SELECT * WHERE { ?s ?p """' + "'" * 5000,
    ],
)
def test_pathological_queries_get_4xx_or_an_answer_never_500(endpoint, base, query):
    r = requests.post(endpoint, data={"query": query}, timeout=30)
    assert r.status_code < 500 or r.status_code == 503, r.text[:200]
    assert "Traceback" not in r.text
    check = requests.get(
        endpoint, params={"query": f"ASK {{ <{base}id/unit/ssm> ?p ?o }}"}, timeout=30
    )
    assert check.status_code == 200


def test_deep_nesting_is_400(endpoint):
    r = requests.post(
        endpoint, data={"query": "ASK { FILTER(" + "(" * 200 + "1" + ")" * 200 + ") }"}, timeout=30
    )
    assert r.status_code == 400 and "nested too deeply" in r.text


def test_reflected_input_is_escaped_in_html(endpoint):
    browser = {"Accept": "text/html"}
    evil = "<script>alert('x')</script>"
    error = requests.get(endpoint, params={"query": f"SELECT {evil}"}, headers=browser, timeout=30)
    assert error.status_code == 400 and error.headers["Content-Type"].startswith("text/html")
    assert evil not in error.text and "&lt;script&gt;" in error.text
    result = requests.get(
        endpoint,
        params={"query": f'SELECT ?v WHERE {{ BIND("{evil}" AS ?v) }}'},
        headers=browser,
        timeout=30,
    )
    assert result.status_code == 200 and evil not in result.text
    attr = requests.get(
        endpoint,
        params={"query": 'SELECT ?v WHERE { BIND(<http://x/"onmouseover="alert(1)> AS ?v) }'},
        headers=browser,
        timeout=30,
    )
    assert 'onmouseover="alert' not in attr.text
    plain = requests.get(endpoint, params={"query": f"SELECT {evil}"}, timeout=30)
    assert plain.headers["X-Content-Type-Options"] == "nosniff"
    assert plain.headers["Content-Type"].startswith("text/plain")


def test_a_query_that_exhausts_memory_costs_only_its_own_process(launch_sparql_server):
    greedy = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } ORDER BY ?a LIMIT 1"
    with launch_sparql_server(worker_memory_mb=200, timeout=20) as server:
        r = requests.post(server.endpoint, data={"query": greedy}, timeout=60)
        assert r.status_code == 503 and "memory" in r.text
        for _ in range(20):  # the replacement is up within moments
            ok = requests.get(server.endpoint, params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
            if ok.status_code == 200:
                break
            time.sleep(0.2)
        assert ok.json()["boolean"] is True
