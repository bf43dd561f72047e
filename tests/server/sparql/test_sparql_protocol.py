"""SPARQL 1.1 Protocol, query side, over HTTP: the cases of the W3C protocol test suite and more."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
import rdflib
import requests

SKOS = "http://www.w3.org/2004/02/skos/core#"
SRX = "{http://www.w3.org/2005/sparql-results#}"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
JSON = "application/sparql-results+json"


def labels_query(base: str) -> str:
    return (
        f"PREFIX skos: <{SKOS}>\n"
        f"SELECT ?label WHERE {{ <{base}id/unit/ssm> skos:prefLabel ?label }} ORDER BY ?label"
    )


def values(response: requests.Response, var: str) -> list[str]:
    assert response.status_code == 200, response.text
    bindings = response.json()["results"]["bindings"]
    return [b[var]["value"] for b in bindings if var in b]


def get(endpoint: str, query: str, **params) -> requests.Response:
    return requests.get(endpoint, params={"query": query, **params}, timeout=30)


# -- the three ways to send a query ------------------------------------------------------------


def test_get_post_form_and_post_direct_agree(endpoint, base):
    query = labels_query(base)
    expected = [
        "Secretariat for Multidimensional Security",
        "Secretaría de Seguridad Multidimensional",
    ]
    by_get = get(endpoint, query)
    assert by_get.headers["Content-Type"].startswith(JSON)
    assert values(by_get, "label") == expected
    by_form = requests.post(endpoint, data={"query": query}, timeout=30)
    assert values(by_form, "label") == expected
    direct = requests.post(
        endpoint,
        data=query.encode(),
        headers={"Content-Type": "application/sparql-query"},
        timeout=30,
    )
    assert values(direct, "label") == expected
    charset = requests.post(
        endpoint,
        data=query.encode(),
        headers={"Content-Type": "application/sparql-query; charset=UTF-8"},
        timeout=30,
    )
    assert values(charset, "label") == expected


def test_dataset_parameters_by_every_route(endpoint, base):
    ontology = f"{base}graph/ontology"
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    by_get = get(endpoint, query, **{"default-graph-uri": ontology})
    by_form = requests.post(
        endpoint, data={"query": query, "default-graph-uri": ontology}, timeout=30
    )
    direct = requests.post(
        f"{endpoint}?default-graph-uri={ontology}",
        data=query.encode(),
        headers={"Content-Type": "application/sparql-query"},
        timeout=30,
    )
    assert by_get.json() == by_form.json() == direct.json()
    assert by_get.json() != get(endpoint, query).json()


def test_exactly_one_query(endpoint, base):
    assert requests.post(endpoint, data={"format": "json"}, timeout=30).status_code == 400
    two = requests.get(f"{endpoint}?query=ASK%7B%7D&query=ASK%7B%7D", timeout=30)
    assert two.status_code == 400 and "one query" in two.text
    mixed = requests.post(
        f"{endpoint}?query=ASK%7B%7D",
        data=b"ASK {}",
        headers={"Content-Type": "application/sparql-query"},
        timeout=30,
    )
    assert mixed.status_code == 400
    empty = get(endpoint, "   ")
    assert empty.status_code == 400


def test_bad_requests_are_4xx_with_a_reason(endpoint):
    wrong_type = requests.post(
        endpoint, data=b"ASK {}", headers={"Content-Type": "text/plain"}, timeout=30
    )
    assert wrong_type.status_code == 415
    no_type = requests.post(endpoint, data=b"ASK {}", headers={"Content-Type": ""}, timeout=30)
    assert no_type.status_code == 415
    utf16 = requests.post(
        endpoint,
        data="ASK {}".encode("utf-16"),
        headers={"Content-Type": "application/sparql-query; charset=UTF-16"},
        timeout=30,
    )
    assert utf16.status_code == 415
    latin1 = requests.post(
        endpoint,
        data='ASK { ?s ?p "año" }'.encode("latin-1"),
        headers={"Content-Type": "application/sparql-query"},
        timeout=30,
    )
    assert latin1.status_code == 400 and "UTF-8" in latin1.text
    assert requests.put(endpoint, data=b"ASK {}", timeout=30).status_code == 405
    not_iri = get(endpoint, "ASK {}", **{"default-graph-uri": "not an iri"})
    assert not_iri.status_code == 400


def test_syntax_errors_are_400_and_say_where(endpoint):
    r = get(endpoint, "SELECT * WHERE {\n  ?s ?p ?o \n  FILTER(?o = ) }")
    assert r.status_code == 400
    assert "syntax error" in r.text and "3:" in r.text
    assert r.headers["Content-Type"].startswith("text/plain")
    assert "Traceback" not in r.text


# -- read-only --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "send",
    [
        lambda e: requests.get(e, params={"update": "DROP ALL"}, timeout=30),
        lambda e: requests.post(e, data={"update": "CLEAR ALL"}, timeout=30),
        lambda e: requests.post(
            e,
            data=b"INSERT DATA { <http://a> <http://b> <http://c> }",
            headers={"Content-Type": "application/sparql-update"},
            timeout=30,
        ),
        lambda e: requests.get(e, params={"query": "DELETE WHERE { ?s ?p ?o }"}, timeout=30),
        lambda e: requests.post(e, data={"query": "DROP ALL"}, timeout=30),
        lambda e: requests.post(
            e,
            data=b"CREATE GRAPH <http://g>",
            headers={"Content-Type": "application/sparql-query"},
            timeout=30,
        ),
    ],
)
def test_updates_are_refused_on_every_route(endpoint, base, send):
    r = send(endpoint)
    assert 400 <= r.status_code < 500 and "read-only" in r.text
    still = get(endpoint, f"ASK {{ <{base}id/unit/ssm> ?p ?o }}")
    assert still.json()["boolean"] is True


# -- result formats ---------------------------------------------------------------------------

SPECIAL = (
    "PREFIX ssm: <https://w3id.org/oas-ssm/def/ssm#>\n"
    "SELECT ?f ?text ?order ?weight ?none WHERE { ?f ssm:verbatimText ?text ; ssm:order ?order ;"
    " ssm:weight ?weight OPTIONAL { ?f ssm:nothing ?none } }"
)


def test_select_as_json_xml_csv_tsv(endpoint, base):
    fn = f"{base}id/function/II-A-4"
    text = next(iter(values(get(endpoint, SPECIAL), "text")))
    assert "\t" in text and "\n" in text and '"' in text

    data = get(endpoint, SPECIAL).json()
    row = data["results"]["bindings"][0]
    assert data["head"]["vars"] == ["f", "text", "order", "weight", "none"]
    assert row["f"] == {"type": "uri", "value": fn}
    assert row["text"]["xml:lang"] == "es"
    assert row["order"]["datatype"].endswith("#integer") and "none" not in row

    xml = get(endpoint, SPECIAL, format="xml")
    assert xml.headers["Content-Type"].startswith("application/sparql-results+xml")
    root = ET.fromstring(xml.content)
    bindings = {b.get("name"): b for b in root.iter(f"{SRX}binding")}
    assert bindings["f"].find(f"{SRX}uri").text == fn
    literal = bindings["text"].find(f"{SRX}literal")
    assert (
        literal.text == text and literal.get("{http://www.w3.org/XML/1998/namespace}lang") == "es"
    )
    assert "none" not in bindings

    r = requests.get(
        endpoint, params={"query": SPECIAL}, headers={"Accept": "text/csv"}, timeout=30
    )
    assert r.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode(), newline="")))
    assert rows[0] == ["f", "text", "order", "weight", "none"]
    assert rows[1] == [fn, text, "4", "2.5", ""]
    assert r.content.endswith(b"\r\n")

    r = requests.get(
        endpoint,
        params={"query": SPECIAL},
        headers={"Accept": "text/tab-separated-values"},
        timeout=30,
    )
    lines = r.content.decode().split("\n")
    assert lines[0] == "?f\t?text\t?order\t?weight\t?none"
    cells = lines[1].split("\t")
    assert cells[0] == f"<{fn}>" and cells[1].startswith('"') and cells[1].endswith('"@es')
    assert "\\t" in cells[1] and "\\n" in cells[1] and cells[4] == ""


def test_ask_in_every_results_format(endpoint, base):
    query = f"ASK {{ <{base}id/unit/dsp> ?p ?o }}"
    assert get(endpoint, query).json() == {"head": {}, "boolean": True}
    root = ET.fromstring(get(endpoint, query, format="xml").content)
    assert root.find(f"{SRX}boolean").text == "true"
    assert get(endpoint, "ASK { <http://nothing> ?p ?o }", format="csv").text.strip() == "false"


@pytest.mark.parametrize(
    ("accept", "parse_as"),
    [
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/n-triples", "nt"),
    ],
)
def test_construct_and_describe_in_every_rdf_format(endpoint, base, accept, parse_as):
    unit = f"{base}id/unit/ssm"
    construct = f"CONSTRUCT {{ <{unit}> ?p ?o }} WHERE {{ <{unit}> ?p ?o }}"
    r = requests.get(endpoint, params={"query": construct}, headers={"Accept": accept}, timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith(accept)
    graph = rdflib.Graph().parse(data=r.content, format=parse_as)
    assert (
        rdflib.URIRef(unit),
        rdflib.URIRef(SKOS + "altLabel"),
        rdflib.Literal("SSM", lang="es"),
    ) in graph
    assert len(graph) >= 8
    describe = requests.get(
        endpoint, params={"query": f"DESCRIBE <{unit}>"}, headers={"Accept": accept}, timeout=30
    )
    assert len(rdflib.Graph().parse(data=describe.content, format=parse_as)) >= 8


def test_406_when_no_format_fits(endpoint):
    r = requests.get(
        endpoint, params={"query": "ASK {}"}, headers={"Accept": "image/png"}, timeout=30
    )
    assert r.status_code == 406 and "application/sparql-results+json" in r.text
    assert get(endpoint, "ASK {}", format="turtle").status_code == 406
    assert get(endpoint, "CONSTRUCT WHERE { ?s ?p ?o }", format="csv").status_code == 406


def test_head_and_cors(endpoint):
    r = requests.head(endpoint, params={"query": "ASK {}"}, timeout=30)
    assert r.status_code == 200 and r.content == b""
    assert get(endpoint, "ASK {}").headers["Access-Control-Allow-Origin"] == "*"


# -- the dataset ------------------------------------------------------------------------------

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def count(response: requests.Response) -> int:
    return int(values(response, "n")[0])


def test_default_graph_is_the_union_of_our_graphs(endpoint, base):
    union = count(get(endpoint, COUNT))
    parts = [
        count(get(endpoint, COUNT, **{"default-graph-uri": f"{base}graph/{name}"}))
        for name in ("asserted", "entailed", "ontology")
    ]
    assert all(parts) and union == sum(parts)
    both = requests.get(
        endpoint, timeout=30,
        params=[("query", COUNT), ("default-graph-uri", f"{base}graph/asserted"),
                ("default-graph-uri", f"{base}graph/entailed")],
    )  # fmt: skip
    assert count(both) == parts[0] + parts[1]
    # an entailed triple and an asserted one meet in the default graph
    mixed = (
        "PREFIX org: <http://www.w3.org/ns/org#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>"
        f" SELECT ?name WHERE {{ <{base}id/unit/ssm> org:hasSubOrganization ?u . "
        '?u skos:prefLabel ?name FILTER(lang(?name) = "en") } ORDER BY ?name'
    )
    assert values(get(endpoint, mixed), "name") == [
        "Department of Public Security", "Executive Secretariat of CICAD",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "iri",
    [
        "http://example.org/not-ours",
        "file:///etc/passwd",
        "http://127.0.0.1:8299/elsewhere",
    ],
)
def test_graph_iris_that_are_not_ours_are_empty(endpoint, iri):
    assert count(get(endpoint, COUNT, **{"default-graph-uri": iri})) == 0
    from_clause = get(endpoint, f"SELECT (COUNT(*) AS ?n) FROM <{iri}> WHERE {{ ?s ?p ?o }}")
    assert count(from_clause) == 0
    named = get(endpoint, "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", **{"named-graph-uri": iri})
    assert values(named, "g") == []


def test_from_and_from_named_select_our_graphs(endpoint, base):
    ontology = f"{base}graph/ontology"
    r = get(endpoint, f"SELECT (COUNT(*) AS ?n) FROM <{ontology}> WHERE {{ ?s ?p ?o }}")
    assert count(r) == count(get(endpoint, COUNT, **{"default-graph-uri": ontology}))
    named = get(
        endpoint,
        f"SELECT DISTINCT ?g FROM NAMED <{ontology}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    )
    assert values(named, "g") == [ontology]
    # FROM NAMED alone: the default graph is empty
    assert (
        count(get(endpoint, f"SELECT (COUNT(*) AS ?n) FROM NAMED <{ontology}> {{ ?s ?p ?o }}")) == 0
    )
    # protocol parameters override the query's own dataset
    override = get(
        endpoint,
        f"SELECT (COUNT(*) AS ?n) FROM <{ontology}> WHERE {{ ?s ?p ?o }}",
        **{"default-graph-uri": "http://example.org/none"},
    )
    assert count(override) == 0
    every = get(endpoint, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g")
    assert values(every, "g") == [f"{base}graph/{n}" for n in ("asserted", "entailed", "ontology")]
    only_named = get(
        endpoint,
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
        **{"named-graph-uri": f"{base}graph/entailed"},
    )
    assert values(only_named, "g") == [f"{base}graph/entailed"]


def test_canonical_iris_in_queries_and_dataset_find_the_served_data(endpoint, base):
    canonical = "https://w3id.org/oas-ssm/"
    r = get(endpoint, labels_query(canonical))
    assert len(values(r, "label")) == 2
    ask = get(endpoint, f"SELECT ?s WHERE {{ ?s ?p <{canonical}id/unit/se-cicad> }} LIMIT 1")
    assert values(ask, "s")[0].startswith(base)  # results carry the served IRIs
    graph = get(endpoint, COUNT, **{"default-graph-uri": f"{canonical}graph/ontology"})
    assert count(graph) > 0


# -- limits -----------------------------------------------------------------------------------


def test_too_many_rows_is_refused_not_truncated(endpoint):
    r = get(endpoint, "SELECT * WHERE { ?s ?p ?o }")
    assert r.status_code == 422 and "50" in r.text and "LIMIT" in r.text
    assert (
        len(get(endpoint, "SELECT * WHERE { ?s ?p ?o } LIMIT 50").json()["results"]["bindings"])
        == 50
    )
    graph = get(endpoint, "CONSTRUCT WHERE { ?s ?p ?o }")
    assert graph.status_code == 422 and "triples" in graph.text


@pytest.mark.parametrize(
    ("accept", "count"),
    [
        ("application/sparql-results+json", lambda r: len(r.json()["results"]["bindings"])),
        ("application/sparql-results+xml",
         lambda r: len(ET.fromstring(r.content).findall(".//{*}result"))),
        ("text/csv", lambda r: len(list(csv.reader(io.StringIO(r.text)))) - 1),
        ("text/tab-separated-values", lambda r: len(r.text.splitlines()) - 1),
    ],
)
def test_row_bound_in_every_results_format(endpoint, accept, count):
    """The engine's writers cannot stop at a row count: exactly the limit passes whole, one row
    more is refused, in each format (each writes a row in a different number of bytes)."""
    query = "SELECT ?s ?p WHERE {{ ?s ?p ?o }} ORDER BY ?s ?p ?o LIMIT {}"
    whole = requests.get(endpoint, params={"query": query.format(50)},
                         headers={"Accept": accept}, timeout=30)  # fmt: skip
    assert whole.status_code == 200, whole.text
    assert count(whole) == 50
    over = requests.get(endpoint, params={"query": query.format(51)},
                        headers={"Accept": accept}, timeout=30)  # fmt: skip
    assert over.status_code == 422 and "more than 50 rows" in over.text


def test_size_limits(endpoint):
    long_query = "ASK {} #" + "x" * 9000
    assert requests.post(endpoint, data={"query": long_query}, timeout=30).status_code == 413
    assert get(endpoint, long_query).status_code == 414
    body = b"ASK {} #" + b"x" * 40000
    r = requests.post(
        endpoint, data=body, headers={"Content-Type": "application/sparql-query"}, timeout=30
    )
    assert r.status_code == 413


# -- the service itself -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "parse_as"),
    [(None, "turtle"), ("text/turtle", "turtle"), ("application/rdf+xml", "xml"),
     ("application/ld+json", "json-ld"), ("application/n-triples", "nt")],
)  # fmt: skip
def test_service_description(endpoint, base, accept, parse_as):
    headers = {"Accept": accept} if accept else {}
    r = requests.get(endpoint, headers=headers, timeout=30)
    assert r.status_code == 200
    g = rdflib.Graph().parse(data=r.content, format=parse_as)
    service = g.value(predicate=rdflib.RDF.type, object=SD.Service)
    assert service is not None
    assert g.value(service, SD.endpoint) == rdflib.URIRef(endpoint)
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert (service, SD.feature, SD.UnionDefaultGraph) in g
    formats = set(g.objects(service, SD.resultFormat))
    assert rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats
    assert rdflib.URIRef("http://www.w3.org/ns/formats/Turtle") in formats
    names = set(g.objects(None, SD.name))
    assert rdflib.URIRef(f"{base}graph/asserted") in names


def test_browsers_get_a_form_and_a_table(endpoint, base):
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    form = requests.get(endpoint, headers=browser, timeout=30)
    assert form.status_code == 200 and form.headers["Content-Type"].startswith("text/html")
    assert "<form" in form.text and 'name="query"' in form.text
    page = requests.get(endpoint, params={"query": labels_query(base)}, headers=browser, timeout=30)
    assert page.status_code == 200 and "<table" in page.text
    assert "Secretaría de Seguridad Multidimensional" in page.text
    as_format = get(endpoint, labels_query(base), format="html")
    assert as_format.headers["Content-Type"].startswith("text/html") and "<table" in as_format.text


def test_json_and_html_results_agree(endpoint, base):
    data = json.loads(get(endpoint, labels_query(base)).content)
    assert [b["label"]["value"] for b in data["results"]["bindings"]] == values(
        get(endpoint, labels_query(base)), "label"
    )
