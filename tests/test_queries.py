"""Every competency question in `queries/` gives the answer written in `queries/expected/`.

The queries run with pyoxigraph over what the server serves: the built data, the triples it
entails under the ontology and ORG (`oas_ssm.server.entailment`), and the ontology itself, all in
the default graph. Rows compare as lists when the query has ORDER BY, as multisets otherwise.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path

import pytest
from oas_ssm.paths import DATA, ONTOLOGY, QUERIES_DIR, VENDOR_VOCAB
from oas_ssm.queries import (
    EXPECTED_DIR,
    CompetencyQuestion,
    QueryFileError,
    load_queries,
    parse_query,
)
from oas_ssm.server.entailment import Schema, entail
from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    RdfFormat,
    Store,
    Triple,
    parse,
)

QUERY_FILES = sorted(QUERIES_DIR.glob("*.rq"))
# Queries whose answer rests on entailed triples (inverses, sub-properties, transitive closure):
# over the asserted data alone they must answer differently.
NEED_ENTAILMENT = (
    "01-se-cicad-sections",  # org:hasSubOrganization
    "08-ssm-units-any-depth",  # org:transitiveSubOrganizationOf
    "09-posts-and-reporting-lines",  # org:hasPost
    "10-dsp-functions-by-area",  # ssm:hasArea, ssm:areaHasFunction
    "14-functions-per-unit",  # ssm:hasFunction
    "16-aml-section-part-of-oas",  # org:unitOf ⊑ org:subOrganizationOf ⊑ transitive
    "17-new-threats",  # skos:narrower
)

Row = tuple[str, ...]
Answer = bool | tuple[tuple[str, ...], list[Row]]


def _read_turtle(path: Path) -> list[Triple]:
    return [q.triple for q in parse(path=str(path), format=RdfFormat.TURTLE)]


def _store(*parts: Iterable[Triple]) -> Store:
    """An in-memory store holding `parts` in its default graph."""
    store = Store()
    for triples in parts:
        store.bulk_extend(Quad(t.subject, t.predicate, t.object) for t in triples)
    return store


@pytest.fixture(scope="session")
def asserted_store() -> Store:
    """The built data only, without entailment."""
    return _store(_read_turtle(DATA))


@pytest.fixture(scope="session")
def served_store() -> Store:
    """Data, its entailments under the ontology and ORG, and the ontology: what the server loads."""
    data = _read_turtle(DATA)
    schema_files = [p for p in (ONTOLOGY, VENDOR_VOCAB / "org.ttl") if p.exists()]
    schema_triples = [t for p in schema_files for t in _read_turtle(p)]
    ontology = _read_turtle(ONTOLOGY) if ONTOLOGY.exists() else []
    entailed = entail(set(data), Schema.from_triples(schema_triples))
    return _store(data, entailed, ontology)


def _cell(term: object) -> str:
    """A result term as SPARQL 1.1 CSV writes it: IRI or lexical form, empty when unbound."""
    if term is None:
        return ""
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, (NamedNode, Literal)):
        return term.value
    raise TypeError(f"unexpected term {term!r}")


def run(store: Store, query: CompetencyQuestion) -> Answer:
    """The answer of `query`: a boolean for ASK, else (variable names, rows)."""
    result = store.query(query.sparql)
    if isinstance(result, QueryBoolean):
        return bool(result)
    variables = tuple(v.value for v in result.variables)
    rows = [tuple(_cell(solution[v]) for v in variables) for solution in result]
    return variables, rows


def expected(query: CompetencyQuestion) -> Answer:
    """The answer written in `queries/expected/`, in the same shape as `run` returns."""
    path = query.expected_path
    if not path.exists():
        pytest.fail(f"{query.path.name} has no expected answer: write {path}")
    if query.form == "ASK":
        return json.loads(path.read_text(encoding="utf-8"))["boolean"]
    with path.open(newline="", encoding="utf-8") as fh:
        header, *rows = list(csv.reader(fh))
    return tuple(header), [tuple(row) for row in rows]


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_gives_expected_answer(path: Path, served_store: Store) -> None:
    query = parse_query(path)
    want = expected(query)
    got = run(served_store, query)
    if isinstance(want, bool):
        assert got == want
        return
    assert isinstance(got, tuple), f"{path.name}: expected rows, got a boolean"
    (want_vars, want_rows), (got_vars, got_rows) = want, got
    assert got_vars == want_vars, "the columns differ from the expected file's header"
    if not query.ordered:
        want_rows, got_rows = sorted(want_rows), sorted(got_rows)
    assert got_rows == want_rows


def test_there_are_enough_questions() -> None:
    assert len(load_queries()) >= 14


def test_every_expected_answer_has_a_query() -> None:
    expected_of = {q.expected_path.name for q in load_queries()}
    orphans = sorted(p.name for p in EXPECTED_DIR.iterdir() if p.name not in expected_of)
    assert not orphans, f"expected answers without a query (or of the wrong kind): {orphans}"


@pytest.mark.parametrize("name", NEED_ENTAILMENT)
def test_question_depends_on_entailment(
    name: str, asserted_store: Store, served_store: Store
) -> None:
    query = parse_query(QUERIES_DIR / f"{name}.rq")
    assert run(asserted_store, query) != run(served_store, query)


def test_header_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text(
        "# title (es): Uno\n# title (en): One\n# question: Is there one?\n"
        "# a further comment\nASK { ?s ?p ?o }\n",
        encoding="utf-8",
    )
    query = parse_query(path)
    assert (query.title_es, query.title_en, query.question) == ("Uno", "One", "Is there one?")
    assert (query.form, query.ordered, query.expected_path.suffix) == ("ASK", False, ".json")


@pytest.mark.parametrize(
    "text",
    [
        "# title (en): One\n# title (es): Uno\n# question: Q?\nASK {}\n",  # wrong order
        "# title (es): Uno\n# title (en): One\nASK {}\n",  # missing question
        "# title (es): \n# title (en): One\n# question: Q?\nASK {}\n",  # empty title
        "# title (es): Uno\n# title (en): One\n# question: Q?\n",  # no query
    ],
)
def test_malformed_header_is_rejected(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.rq"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(QueryFileError):
        parse_query(path)
