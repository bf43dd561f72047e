"""The endpoint as `ssm serve` wires it: inside the real app, behind its fast path and mount."""

from __future__ import annotations

import time

import requests

ORG = "http://www.w3.org/ns/org#"
CANONICAL = "https://w3id.org/oas-ssm/"


def select(url: str, query: str, **params) -> list[dict]:
    r = requests.get(url + "sparql", params={"query": query, **params}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["results"]["bindings"]


def test_union_of_the_apps_graphs_with_entailments(fixture_server):
    url, base = fixture_server.url, fixture_server.base
    graphs = select(url, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g")
    names = {b["g"]["value"] for b in graphs}
    assert {f"{base}graph/{n}" for n in ("asserted", "entailed", "ontology")} <= names
    # org:hasSubOrganization is only entailed; the default graph sees it with the asserted data
    rows = select(url, f"SELECT ?u WHERE {{ <{base}id/unit/ssm> <{ORG}hasSubOrganization> ?u }}")
    assert f"{base}id/unit/se-cicad" in {b["u"]["value"] for b in rows}
    asserted_only = select(
        url,
        f"SELECT ?u WHERE {{ <{base}id/unit/ssm> <{ORG}hasSubOrganization> ?u }}",
        **{"default-graph-uri": f"{base}graph/asserted"},
    )
    assert asserted_only == []


def test_canonical_iris_reach_the_rewritten_data(fixture_server):
    url, base = fixture_server.url, fixture_server.base
    assert base != CANONICAL
    rows = select(url, f"SELECT ?p WHERE {{ <{CANONICAL}id/unit/ssm> ?p ?o }} LIMIT 1")
    assert rows
    rows = select(
        url, f"SELECT ?u WHERE {{ ?u <{ORG}subOrganizationOf> <{CANONICAL}id/unit/ssm> }}"
    )
    assert all(b["u"]["value"].startswith(base) for b in rows) and rows


def test_service_description_and_refusals(fixture_server):
    url = fixture_server.url
    sd = requests.get(url + "sparql", headers={"Accept": "text/turtle"}, timeout=30)
    assert sd.status_code == 200 and f"<{fixture_server.base}sparql>" in sd.text
    service = requests.get(
        url + "sparql",
        params={"query": "SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"},
        timeout=30,
    )
    assert service.status_code == 403
    update = requests.post(url + "sparql", data={"update": "DROP ALL"}, timeout=30)
    assert update.status_code == 403
    assert requests.get(url + "sparql", params={"query": "ASK {"}, timeout=30).status_code == 400


def test_repeated_query_is_served_identically(fixture_server):
    url = fixture_server.url
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a <{ORG}Post> }}"
    first = requests.get(url + "sparql", params={"query": query}, timeout=30)
    again = requests.get(url + "sparql", params={"query": query}, timeout=30)
    assert first.status_code == again.status_code == 200
    assert first.content == again.content
    assert again.headers["Access-Control-Allow-Origin"] == "*"


def test_volatile_functions_are_never_cached(fixture_server):
    """RAND, UUID, STRUUID, NOW, BNODE: a new value per request, from the cache neither before
    Flask (the fast path) nor after it, and `no-store` for every cache on the way."""
    url = fixture_server.url + "sparql"
    query = (
        "SELECT (UUID() AS ?u) (RAND() AS ?r) (STRUUID() AS ?s) (NOW() AS ?n) "
        "(BNODE() AS ?b) WHERE {}"
    )
    seen = []
    for request in (
        lambda: requests.get(url, params={"query": query}, timeout=30),
        lambda: requests.get(url, params={"query": query}, timeout=30),
        lambda: requests.post(url, data={"query": query}, timeout=30),
        lambda: requests.post(url, data={"query": query}, timeout=30),
        lambda: requests.post(url, data=query.lower().replace("where", "WHERE"), timeout=30,
                              headers={"Content-Type": "application/sparql-query"}),
    ):
        r = request()
        assert r.status_code == 200, r.text
        assert r.headers["Cache-Control"] == "no-store"
        row = r.json()["results"]["bindings"][0]
        assert row["b"]["type"] == "bnode"
        seen.append(tuple(row[v]["value"] for v in ("u", "r", "s")))
    for column in range(3):
        assert len({values[column] for values in seen}) == len(seen), (column, seen)
    nows = set()
    for _ in range(3):
        r = requests.get(url, params={"query": "SELECT (NOW() AS ?n) WHERE {}"}, timeout=30)
        nows.add(r.json()["results"]["bindings"][0]["n"]["value"])
        time.sleep(0.01)
    assert len(nows) == 3
    page = requests.get(url, params={"query": query}, headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    # a deterministic query is still cached (and says nothing against caching)
    plain = requests.get(url, params={"query": "SELECT * WHERE {} # rand()"}, timeout=30)
    assert plain.status_code == 200 and "no-store" not in plain.headers.get("Cache-Control", "")
