"""The pre-evaluation check: SERVICE and updates refused on tokens, never on raw text."""

from __future__ import annotations

import pytest
from oas_ssm.server.sparql.errors import SparqlError
from oas_ssm.server.sparql.guard import inspect
from oas_ssm.server.sparql.lexer import Kind, LexError, tokenize

CANON = "https://w3id.org/oas-ssm/"
SERVED = "http://127.0.0.1:8000/"


def check(query: str, max_depth: int = 64):
    return inspect(query, CANON, SERVED, max_depth)


def refused(query: str, max_depth: int = 64) -> SparqlError:
    with pytest.raises(SparqlError) as info:
        check(query, max_depth)
    return info.value


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * WHERE { ?s ?p "SERVICE <http://evil/> { }" }',
        "SELECT * WHERE { ?s ?p '''multi\nSERVICE line''' }",
        "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
        "# SERVICE <http://evil/> { ?s ?p ?o }\nSELECT * WHERE { ?s ?p ?o }",
        "PREFIX service: <http://example.org/>\nSELECT * WHERE { ?s service:x ?o }",
        "PREFIX e: <http://example.org/>\nSELECT * WHERE { ?s e:SERVICE ?o }",
        "SELECT ?service WHERE { ?service ?p $SERVICE }",
        "SELECT * WHERE { _:SERVICE ?p ?o }",
        'SELECT * WHERE { ?s ?p ?o FILTER(?o = "INSERT DATA { <a> <b> <c> }") }',
        "SELECT * WHERE { ?s ?p ?o } # DROP ALL",
        "ASK { <http://example.org/load> ?p ?o }",
    ],
)
def test_keywords_inside_strings_iris_names_and_comments_are_not_keywords(query):
    assert check(query).form in ("SELECT", "ASK")


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
        "select * where { service silent <http://x/> { ?s ?p ?o } }",
        "SELECT * WHERE { OPTIONAL { { SELECT * WHERE { ?a ?b ?c "
        "MINUS { Service ?g { ?s ?p ?o } } } } } }",
        "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <http://x/> { ?s ?p ?o } } }",
        "SELECT * WHERE { \\u0053ERVICE <http://x/> { ?s ?p ?o } }",
        "SELECT * WHERE {SERVICE<http://x/>{?s?p?o}}",
        'SELECT * WHERE { ?s ?p "x" . SERVICE <http://x/> { ?s ?p ?o } }',
    ],
)
def test_service_is_refused_anywhere(query):
    error = refused(query)
    assert error.status == 403 and "SERVICE" in error.message and "line" in error.message


@pytest.mark.parametrize(
    "query",
    [
        "INSERT DATA { <http://a> <http://b> <http://c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://127.0.0.1:1/data.ttl>",
        "CLEAR ALL",
        "CREATE GRAPH <http://g>",
        "DROP ALL",
        "COPY DEFAULT TO <http://g>",
        "MOVE <http://a> TO <http://b>",
        "ADD <http://a> TO <http://b>",
        "WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "PREFIX e: <http://e/> INSERT { ?s e:p 1 } WHERE { ?s ?p ?o }",
        "SELECT * WHERE { ?s ?p ?o } ; DROP ALL",
    ],
)
def test_updates_are_refused(query):
    error = refused(query)
    assert error.status == 403 and "read-only" in error.message


def test_query_forms_and_prologue():
    assert check("PREFIX a: <http://a/> BASE <http://b/> CONSTRUCT WHERE { ?s ?p ?o }").form == (
        "CONSTRUCT"
    )
    assert check("describe <http://a>").form == "DESCRIBE"
    assert check("ASK {}").form == "ASK"
    error = refused("PREFIX a: <http://a/> ")
    assert error.status == 400
    error = refused("PREFIX a: <http://a/>\nFOO { }")
    assert error.status == 400 and "line 2, column 1" in error.message


def test_lexical_errors_say_where():
    error = refused('SELECT * WHERE {\n  ?s ?p "unterminated\n}')
    assert error.status == 400 and "line 2" in error.message


def test_deep_nesting_is_refused_before_the_engine_sees_it():
    deep = "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 100 + "1" + ")" * 100 + ") }"
    error = refused(deep, max_depth=64)
    assert error.status == 400 and "nested too deeply" in error.message
    assert check(deep, max_depth=128).form == "SELECT"


def test_dataset_clause_is_noticed():
    assert check("SELECT * FROM <http://g> WHERE { ?s ?p ?o }").has_dataset
    assert check("SELECT * from named <http://g> WHERE { ?s ?p ?o }").has_dataset
    assert not check('SELECT * WHERE { ?s ?p "FROM" }').has_dataset


@pytest.mark.parametrize(
    "query",
    [
        "SELECT (RAND() AS ?r) WHERE {}",
        "SELECT (uuid() AS ?u) WHERE {}",
        "SELECT (StrUuid() AS ?u) WHERE {}",
        "SELECT * WHERE { BIND(NOW () AS ?n) }",
        "CONSTRUCT { ?b <http://a/p> ?s } WHERE { ?s ?p ?o BIND(BNODE(STR(?s)) AS ?b) }",
        "ASK { FILTER(bnode() != bnode()) }",
    ],
)
def test_volatile_function_calls_are_noticed(query):
    assert check(query).volatile


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { ?s ?p ?o }",
        'SELECT * WHERE { ?s ?p "RAND() UUID() NOW()" }',
        "SELECT * WHERE { ?s <http://example.org/NOW()> ?o }",
        "# SELECT (RAND() AS ?r)\nSELECT * WHERE { ?s ?p ?o }",
        "PREFIX e: <http://example.org/>\nSELECT (e:uuid(?s) AS ?u) WHERE { ?s ?p ?o }",
        "SELECT ?rand ?now WHERE { ?rand ?uuid ?now }",
        "SELECT * WHERE { _:bnode ?p ?o }",
        "SELECT * WHERE { ?s ?p [] }",  # a blank node in the pattern is no BNODE() call
    ],
)
def test_names_of_volatile_functions_elsewhere_are_not_calls(query):
    assert not check(query).volatile


def test_canonical_iris_are_rewritten_to_the_served_base_and_nothing_else():
    query = (
        f"PREFIX unit: <{CANON}id/unit/>\n"
        f'SELECT * WHERE {{ <{CANON}id/unit/ssm> ?p "{CANON}id/unit/ssm" . ?x ?y unit:dsp }}'
    )
    text = check(query).text
    assert f"PREFIX unit: <{SERVED}id/unit/>" in text
    assert f"<{SERVED}id/unit/ssm> ?p" in text
    assert f'"{CANON}id/unit/ssm"' in text  # strings are data, not IRIs


def test_tokenizer_follows_the_grammar():
    kinds = [t.kind for t in tokenize('?x a:b "s"@en 1.5e3 <i> _:b $y a ^^ <= .')]
    assert kinds == [
        Kind.VAR, Kind.PNAME, Kind.STRING, Kind.LANGTAG, Kind.NUMBER, Kind.IRI, Kind.BNODE,
        Kind.VAR, Kind.WORD, Kind.PUNCT, Kind.PUNCT, Kind.PUNCT,
    ]  # fmt: skip
    assert [t.text for t in tokenize("?a<?b")] == ["?a", "<", "?b"]
    with pytest.raises(LexError):
        tokenize("SELECT ` ")
